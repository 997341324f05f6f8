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
}

/// A list item with optional nested bullets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) text: String,
    pub(crate) children: Vec<String>,
}

impl Item {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            children: Vec::new(),
        }
    }

    pub(crate) fn with(text: impl Into<String>, children: Vec<String>) -> Self {
        Self {
            text: text.into(),
            children,
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
            out.push_str(&format!("## {}\n\n", self.title));
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
        Block::Heading(text) => format!("### {text}\n"),
        Block::Paragraph(text) => format!("{text}\n"),
        Block::List { ordered, items } => {
            let mut out = String::new();
            for (n, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}. ", n + 1)
                } else {
                    "- ".to_owned()
                };
                out.push_str(&format!("{marker}{}\n", item.text));
                let indent = " ".repeat(marker.len());
                for child in &item.children {
                    out.push_str(&format!("{indent}- {child}\n"));
                }
            }
            out
        }
        Block::Table { header, rows } => {
            let row = |cells: &[String]| {
                let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
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
        Block::Code {
            lang: "mermaid", ..
        } => String::new(),
        Block::Code { text, .. } => text.clone(),
    }
}

/// Inline Markdown without its markup: `**` and backticks dropped.
pub(crate) fn plain(text: &str) -> String {
    text.replace("**", "").replace('`', "")
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
    fn a_fence_is_longer_than_the_backticks_inside() {
        let block = Block::Code {
            lang: "text",
            text: "```".into(),
        };
        assert_eq!(block_markdown(&block), "````text\n```\n````\n");
    }
}
