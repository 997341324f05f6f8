//! Writing to the terminal: colour only on a terminal and never with
//! `NO_COLOR` (anstream strips the styles otherwise).

use std::io::Write;

use alembic_doctor_project::Project;
use alembic_doctor_report::ProjectSources;
use alembic_doctor_rules::Finding;

/// Print findings as code frames on stderr.
pub(crate) fn findings_to_stderr(project: &Project, findings: &[Finding]) -> std::io::Result<()> {
    let text = alembic_doctor_report::render_text(findings, &ProjectSources(project), true);
    anstream::stderr().write_all(text.as_bytes())
}

/// Print findings as code frames on stdout.
pub(crate) fn findings_to_stdout(project: &Project, findings: &[Finding]) -> std::io::Result<()> {
    let text = alembic_doctor_report::render_text(findings, &ProjectSources(project), true);
    anstream::stdout().write_all(text.as_bytes())
}

/// Write plain text (Alembic-compatible output, summaries, Markdown,
/// annotations) to stdout, with control and bidirectional characters
/// escaped as `repr()` escapes them.
pub(crate) fn plain_stdout(text: &str) -> std::io::Result<()> {
    raw_stdout(&alembic_doctor_pystr::escape_for_terminal(text))
}

/// Write machine-readable text (JSON, SARIF) to stdout as it is: it keeps
/// the real strings, escaped by its own syntax.
pub(crate) fn raw_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Write what `write` writes and a newline to stdout, streamed.
pub(crate) fn stdout_with(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    write(&mut stdout)?;
    stdout.write_all(b"\n")?;
    stdout.flush()
}

/// Write `value` as pretty JSON and a newline to stdout, streamed: `check`
/// on a large project prints tens of megabytes, which need not be built as
/// one string first.
pub(crate) fn json_stdout(value: &impl serde::Serialize) -> std::io::Result<()> {
    stdout_with(|out| Ok(serde_json::to_writer_pretty(out, value)?))
}

/// Write text that may carry styles to stdout (stripped when not a
/// terminal or with `NO_COLOR`).
pub(crate) fn styled_stdout(text: &str) -> std::io::Result<()> {
    anstream::stdout().write_all(text.as_bytes())
}
