//! `alembic-doctor explain RULE`: the rule's documentation.

use std::io::Write;

use alembic_doctor_rules::Rule;
use anyhow::Context;

use crate::ExitStatus;

pub(crate) fn run(rule: Option<&str>, list: bool) -> anyhow::Result<ExitStatus> {
    let mut stdout = std::io::stdout().lock();
    if list {
        let width = Rule::ALL
            .iter()
            .map(|rule| rule.name().len())
            .max()
            .unwrap_or(0)
            + 2;
        for rule in Rule::ALL {
            writeln!(
                stdout,
                "{:<width$}{:<9}{}",
                rule.name(),
                rule.default_severity().as_str(),
                rule.headline()
            )?;
        }
        return Ok(ExitStatus::Success);
    }
    let name = rule.context("name a rule, or pass --list")?;
    match name.parse::<Rule>() {
        Ok(rule) => {
            write!(
                stdout,
                "{}\nDefault severity: {}\n",
                rule.explanation(),
                rule.default_severity()
            )?;
            Ok(ExitStatus::Success)
        }
        Err(message) => {
            let _ = writeln!(anstream::stderr(), "error: {message}");
            Ok(ExitStatus::Error)
        }
    }
}
