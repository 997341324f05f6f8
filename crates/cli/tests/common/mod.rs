//! What the end-to-end tests share: the binary under test, run in a
//! hermetic git repository from `alembic_doctor_testkit`.

#![allow(dead_code)]

use alembic_doctor_testkit::GitProject;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_alembic-doctor");

/// Running `alembic-doctor` in a test repository.
pub trait RunDoctor {
    /// `alembic-doctor args`: (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String);

    /// `alembic-doctor <command> args --format json`, parsed, with the
    /// exit code.
    fn json_of(&self, command: &str, args: &[&str]) -> (i32, Value) {
        let mut all = vec![command];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let (code, stdout, stderr) = self.run(&all);
        let value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\n{stderr}"));
        (code, value)
    }

    /// `compare args --format json`.
    fn json(&self, args: &[&str]) -> (i32, Value) {
        self.json_of("compare", args)
    }
}

impl RunDoctor for GitProject {
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_program(BIN, args)
    }
}

pub fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

pub fn ids(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v["id"].as_str().expect("an id"))
        .collect()
}

pub fn rules(value: &Value) -> Vec<&str> {
    value["merged"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("a rule"))
        .collect()
}

/// A report with the day it was generated replaced, for snapshots.
pub fn undated(report: &str) -> String {
    report
        .lines()
        .map(|line| match line.strip_prefix("Generated on ") {
            Some(rest) => format!("Generated on [date]{}", &rest[10..]),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
