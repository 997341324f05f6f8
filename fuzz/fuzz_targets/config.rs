//! cargo-fuzz entry for the configuration reader (crates/fuzz/src/targets/config.rs): the same function the stable mutation loop
//! runs, so a crash found by either replays in the other.
#![no_main]

use alembic_doctor_fuzz::Target;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = Target::Config.run(bytes);
});
