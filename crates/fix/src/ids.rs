//! Fresh revision ids in Alembic's format.
//!
//! Alembic's `util.rev_id()` is `uuid.uuid4().hex[-12:]`: 12 lowercase hex
//! characters, 48 random bits (the version and variant nibbles of the UUID
//! fall outside the last 12 characters). Ours are 48 bits from the
//! operating system's random source, and are checked against every id and
//! branch label the caller knows of, so that a collision is impossible
//! rather than merely unlikely.

use std::collections::BTreeSet;

use crate::FixError;

/// Ids (and branch labels) that a new id must not equal.
#[derive(Debug, Default, Clone)]
pub struct TakenIds {
    taken: BTreeSet<String>,
}

impl TakenIds {
    /// Remember `id` as taken.
    pub fn insert(&mut self, id: impl Into<String>) {
        self.taken.insert(id.into());
    }

    /// Whether `id` is taken.
    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }

    /// A new id, unused so far, and taken from now on.
    pub fn fresh(&mut self) -> Result<String, FixError> {
        loop {
            let id = random_hex(12)?;
            // Alembic matches partial ids by prefix, but only against what
            // the user types; a fresh id only has to differ from every key.
            if self.taken.insert(id.clone()) {
                return Ok(id);
            }
        }
    }
}

/// `len` random lowercase hex characters from the operating system.
pub(crate) fn random_hex(len: usize) -> Result<String, FixError> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = vec![0u8; len.div_ceil(2)];
    getrandom::fill(&mut bytes).map_err(|error| FixError::Internal {
        message: format!("the operating system's random source failed: {error}"),
    })?;
    let mut hex: String = bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect();
    hex.truncate(len);
    Ok(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_look_like_alembics_and_never_repeat() {
        let mut taken = TakenIds::default();
        taken.insert("a1b2c3d4e5f6");
        let mut seen = BTreeSet::new();
        for _ in 0..200 {
            let id = taken.fresh().unwrap();
            assert_eq!(id.len(), 12);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            assert!(seen.insert(id));
        }
    }
}
