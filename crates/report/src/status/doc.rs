//! The report as a small document model (headings, paragraphs, lists,
//! tables, code blocks), so one set of sections renders both as Markdown
//! for a pull-request comment and as plain text for a terminal.
//!
//! Inline text is written in Markdown (`code`, **bold**); the plain-text
//! renderer drops that markup.

/// One block of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A sub-heading inside a section (Markdown level 3).
    Heading(String),
    /// A paragraph of inline Markdown.
    Paragraph(String),
    /// A list; `ordered` numbers the items.
    List { ordered: bool, items: Vec<Item> },
    /// A table with a header row.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A fenced code block; `lang` is the fence's info string. Mermaid
    /// blocks only make sense where Markdown is rendered.
    Code { lang: &'static str, text: String },
    /// Blocks collapsed under a one-line summary (inline Markdown): a
    /// `<details>` element in Markdown. In plain text, where nothing can be
    /// collapsed, the summary and the blocks are shown when `in_text`, and
    /// left out otherwise (what only matters in a pull request).
    Details {
        summary: String,
        blocks: Vec<Block>,
        in_text: bool,
    },
}

/// A list item with optional nested bullets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) text: String,
    pub(crate) children: Vec<String>,
    /// Shell commands shown under the item, in a code block.
    pub(crate) commands: Option<String>,
}

impl Item {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            children: Vec::new(),
            commands: None,
        }
    }

    pub(crate) fn with(text: impl Into<String>, children: Vec<String>) -> Self {
        Self {
            text: text.into(),
            children,
            commands: None,
        }
    }

    /// `text`, then `commands` (one a line) in a shell code block.
    pub(crate) fn commands(text: impl Into<String>, commands: &[String]) -> Self {
        Self {
            text: text.into(),
            children: Vec::new(),
            commands: Some(commands.join("\n")),
        }
    }
}

/// A bullet list of plain items.
pub(crate) fn bullets<I: IntoIterator<Item = String>>(items: I) -> Block {
    Block::List {
        ordered: false,
        items: items.into_iter().map(Item::new).collect(),
    }
}

/// One section of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// A stable key (`verdict`, `branches`, `alignment`...), for tools.
    pub key: &'static str,
    /// The heading; empty for the verdict, which sits under the title.
    pub title: String,
    pub(crate) blocks: Vec<Block>,
}

impl Section {
    pub(crate) fn new(key: &'static str, title: impl Into<String>, blocks: Vec<Block>) -> Self {
        Self {
            key,
            title: title.into(),
            blocks,
        }
    }

    /// The section as Markdown, heading included.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("## {}\n\n", defuse(&self.title)));
        }
        for block in &self.blocks {
            out.push_str(&block_markdown(block));
            out.push('\n');
        }
        out
    }

    /// The section as plain text for a terminal (Mermaid left out).
    pub fn text(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let title = plain(&self.title);
            out.push_str(&format!(
                "{title}\n{}\n\n",
                "=".repeat(title.chars().count())
            ));
        }
        for block in &self.blocks {
            let text = block_text(block);
            if !text.is_empty() {
                out.push_str(&text);
                out.push('\n');
            }
        }
        out
    }
}

fn block_markdown(block: &Block) -> String {
    match block {
        Block::Heading(text) => format!("### {}\n", defuse(text)),
        Block::Paragraph(text) => format!("{}\n", defuse(text)),
        Block::List { ordered, items } => {
            let mut out = String::new();
            for (n, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}. ", n + 1)
                } else {
                    "- ".to_owned()
                };
                out.push_str(&format!("{marker}{}\n", defuse(&item.text)));
                let indent = " ".repeat(marker.len());
                if let Some(commands) = &item.commands {
                    let block = block_markdown(&Block::Code {
                        lang: "bash",
                        text: commands.clone(),
                    });
                    for line in block.lines() {
                        out.push_str(&format!("{indent}{line}\n"));
                    }
                }
                for child in &item.children {
                    out.push_str(&format!("{indent}- {}\n", defuse(child)));
                }
            }
            out
        }
        Block::Table { header, rows } => {
            let row = |cells: &[String]| {
                let cells: Vec<String> = cells
                    .iter()
                    .map(|c| defuse(c).replace("\\|", "|").replace('|', "\\|"))
                    .collect();
                format!("| {} |\n", cells.join(" | "))
            };
            let mut out = row(header);
            out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
            for cells in rows {
                out.push_str(&row(cells));
            }
            out
        }
        Block::Code { lang, text } => {
            // A fence longer than any run of backticks inside the block.
            let longest = longest_run(text, '`');
            let fence = "`".repeat((longest + 1).max(3));
            let mut body = text.clone();
            if !body.ends_with('\n') {
                body.push('\n');
            }
            format!("{fence}{lang}\n{body}{fence}\n")
        }
        Block::Details {
            summary, blocks, ..
        } => {
            // A blank line after `<summary>` lets GitHub render the
            // Markdown inside.
            let mut out = format!("<details><summary>{}</summary>\n\n", defuse(summary));
            for block in blocks {
                out.push_str(&block_markdown(block));
                out.push('\n');
            }
            out.push_str("</details>\n");
            out
        }
    }
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Heading(text) | Block::Paragraph(text) => format!("{}\n", plain(text)),
        Block::List { ordered, items } => {
            let mut out = String::new();
            for (n, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}. ", n + 1)
                } else {
                    "- ".to_owned()
                };
                out.push_str(&format!("{marker}{}\n", plain(&item.text)));
                let indent = " ".repeat(marker.len());
                if let Some(commands) = &item.commands {
                    for line in commands.lines() {
                        out.push_str(&format!("{indent}    {line}\n"));
                    }
                }
                for child in &item.children {
                    out.push_str(&format!("{indent}- {}\n", plain(child)));
                }
            }
            out
        }
        Block::Table { header, rows } => {
            let all: Vec<Vec<String>> = std::iter::once(header)
                .chain(rows)
                .map(|cells| cells.iter().map(|c| plain(c)).collect())
                .collect();
            let mut widths = vec![0; header.len()];
            for cells in &all {
                for (i, cell) in cells.iter().enumerate() {
                    if let Some(width) = widths.get_mut(i) {
                        *width = (*width).max(cell.chars().count());
                    }
                }
            }
            let mut out = String::new();
            for cells in &all {
                let padded: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .map(|(cell, &width)| {
                        format!("{cell}{}", " ".repeat(width - cell.chars().count()))
                    })
                    .collect();
                out.push_str(padded.join("  ").trim_end());
                out.push('\n');
            }
            out
        }
        Block::Details {
            summary,
            blocks,
            in_text: true,
        } => {
            let mut out = format!("{}:\n", plain(summary).trim_end_matches(':'));
            for block in blocks {
                out.push_str(&block_text(block));
            }
            out
        }
        Block::Code {
            lang: "mermaid", ..
        }
        | Block::Details { .. } => String::new(),
        Block::Code { text, .. } => text.clone(),
    }
}

/// Inline Markdown without its markup, as a terminal shows it: `**`
/// dropped, code spans shown without their backticks, escapes undone.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::new();
    for (is_code, part) in split_code(text) {
        if is_code {
            let ticks = part.len() - part.trim_start_matches('`').len();
            let inner = &part[ticks..part.len() - ticks];
            let inner = match inner.strip_prefix(' ').and_then(|i| i.strip_suffix(' ')) {
                Some(trimmed) if !trimmed.trim().is_empty() => trimmed,
                _ => inner,
            };
            out.push_str(inner);
            continue;
        }
        let part = part.replace("**", "").replace(ZERO_WIDTH, "");
        let mut chars = part.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\'
                && let Some(&next) = chars.peek()
                && next.is_ascii_punctuation()
            {
                out.push(next);
                chars.next();
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// A zero-width space, written as an entity: after `@` or `#` it stops
/// GitHub from turning `@name` into a mention and `#12` into a link.
const ZERO_WIDTH: &str = "&#8203;";

/// Text taken from the project (a docstring, a file name, a branch name,
/// SQL outside a code block) as inline Markdown that renders exactly as
/// written: on one line, every character Markdown or HTML would interpret
/// escaped, and no `@mention` or `#123` reference.
pub(crate) fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let inside_word = previous.is_alphanumeric() && next.is_some_and(char::is_alphanumeric);
        previous = c;
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            // `snake_case` never emphasises: only an edge of a word can.
            '_' if inside_word => out.push('_'),
            '@' if next.is_some_and(char::is_alphanumeric) => {
                out.push('@');
                out.push_str(ZERO_WIDTH);
            }
            '#' if next.is_some_and(|n| n.is_ascii_digit()) => {
                out.push('#');
                out.push_str(ZERO_WIDTH);
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The last line of defence for inline Markdown built from text nobody
/// escaped (a rule's message naming a file): outside code spans, `<`
/// cannot open HTML or a comment, and `@name` mentions no one.
fn defuse(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for (is_code, part) in split_code(markdown) {
        if is_code {
            out.push_str(part);
            continue;
        }
        let mut previous = ' ';
        let mut chars = part.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '<' if previous != '\\' => out.push_str("&lt;"),
                '@' if chars.peek().is_some_and(|n| n.is_alphanumeric()) => {
                    out.push('@');
                    out.push_str(ZERO_WIDTH);
                }
                c => out.push(c),
            }
            previous = c;
        }
    }
    out
}

/// Inline Markdown cut into code spans (`true`, backticks included) and
/// the text between them, as `CommonMark` reads them: a run of backticks
/// opens a span closed by the next run of the same length, else it is
/// literal; a backslash escapes the character after it outside spans.
fn split_code(text: &str) -> Vec<(bool, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                let open = i;
                while i < bytes.len() && bytes[i] == b'`' {
                    i += 1;
                }
                let n = i - open;
                let mut j = i;
                let mut close = None;
                while j < bytes.len() {
                    if bytes[j] == b'`' {
                        let run = j;
                        while j < bytes.len() && bytes[j] == b'`' {
                            j += 1;
                        }
                        if j - run == n {
                            close = Some(j);
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                if let Some(end) = close {
                    if start < open {
                        out.push((false, &text[start..open]));
                    }
                    out.push((true, &text[open..end]));
                    start = end;
                    i = end;
                }
            }
            _ => i += 1,
        }
    }
    if start < text.len() {
        out.push((false, &text[start..]));
    }
    out
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == ch { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// `text` as inline code, whatever backticks it contains.
pub(crate) fn code(text: &str) -> String {
    if text.contains('`') {
        let fence = "`".repeat(longest_run(text, '`') + 1);
        format!("{fence} {text} {fence}")
    } else {
        format!("`{text}`")
    }
}

/// Inline code for each id, at most `max`, then how many more.
pub(crate) fn code_list(ids: &[String], max: usize) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    let mut out: Vec<String> = ids.iter().take(max).map(|id| code(id)).collect();
    if ids.len() > max {
        out.push(format!("and {} more", ids.len() - max));
    }
    out.join(", ")
}

/// `1 revision`, `2 revisions`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_survives_backticks() {
        assert_eq!(code("abc"), "`abc`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }

    #[test]
    fn tables_escape_pipes_and_align_in_text() {
        let section = Section::new(
            "t",
            "T",
            vec![Block::Table {
                header: vec!["a".into(), "bb".into()],
                rows: vec![vec!["x|y".into(), "`z`".into()]],
            }],
        );
        assert!(section.markdown().contains("| x\\|y | `z` |"));
        assert!(section.text().contains("a    bb\nx|y  z\n"));
    }

    #[test]
    fn project_text_cannot_inject_markdown_html_or_mentions() {
        let doc = "Fix <!-- todo: cc @octocat <b>x</b> **y** [l](u) #35 `c` | \\";
        let escaped = text(doc);
        let section = Section::new("t", "T", vec![Block::Paragraph(escaped.clone())]);
        let markdown = section.markdown();
        assert!(!markdown.contains("<!--"), "{markdown}");
        assert!(!markdown.contains("<b>"), "{markdown}");
        assert!(!markdown.contains("@octocat"), "{markdown}");
        assert!(!markdown.contains("**y**"), "{markdown}");
        assert!(!markdown.contains("#35"), "{markdown}");
        // The terminal shows the text as written.
        assert_eq!(section.text(), format!("T\n=\n\n{doc}\n\n"));
        // Text nobody escaped (a rule's message) is still defused.
        let raw = Section::new(
            "t",
            "",
            vec![Block::Paragraph("x <!-- y @octocat `<b>@a`".to_owned())],
        );
        assert_eq!(raw.markdown(), "x &lt;!-- y @&#8203;octocat `<b>@a`\n\n");
        // Code spans are left as they are, whatever backticks they hold.
        assert_eq!(plain(&code("a\\`b")), "a\\`b");
    }

    #[test]
    fn a_fence_is_longer_than_the_backticks_inside() {
        let block = Block::Code {
            lang: "text",
            text: "```".into(),
        };
        assert_eq!(block_markdown(&block), "````text\n```\n````\n");
    }
}
