//! Terraform/OpenTofu CLI-config files: finding and editing `credentials_helper` blocks.
//!
//! Only top-level blocks are looked at; strings and `#`, `//` and `/* */` comments are
//! skipped, so a brace or a block name inside them never confuses the scan. Edits
//! keep every other byte of the file as it was.

use std::ops::Range;

/// The marker lines around the block this toolkit writes.
pub const BEGIN_MARKER: &str = "# BEGIN install-registry-credentials-helper";
pub const END_MARKER: &str = "# END install-registry-credentials-helper";

/// A top-level block found in a CLI-config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub label: Option<String>,
    /// Whole lines, from the start of the block's first line (including our BEGIN
    /// marker when present) to after the end of its last line (and our END marker).
    pub span: Range<usize>,
    pub managed: bool,
}

/// Scan `text` for top-level blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => i = skip_block_comment(b, i),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-')
                {
                    i += 1;
                }
                let kind = &text[start..i];
                i = skip_spaces(b, i);
                let mut label = None;
                if b.get(i) == Some(&b'"') {
                    let end = skip_string(b, i);
                    label = Some(text[i + 1..end.saturating_sub(1).max(i + 1)].to_owned());
                    i = skip_spaces(b, end);
                }
                if b.get(i) == Some(&b'{') {
                    let close = skip_braces(b, i);
                    let mut span = line_start(b, start)..line_end(b, close);
                    let managed = extend_with_markers(text, &mut span);
                    out.push(Block {
                        kind: kind.to_owned(),
                        label,
                        span,
                        managed,
                    });
                    i = close;
                } else {
                    // An attribute (`name = value`) or something we do not edit.
                    i = skip_line(b, i);
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

fn skip_line(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i + 1
}

fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    i += 2;
    while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
        i += 1;
    }
    i + 2
}

/// From an opening quote to just after the closing one.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

/// From an opening brace to just after its matching closing brace.
fn skip_braces(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => {
                i = skip_string(b, i);
                continue;
            }
            b'#' => {
                i = skip_line(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = skip_line(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn line_start(b: &[u8], i: usize) -> usize {
    b[..i]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1)
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p + 1)
}

/// Grow `span` over our marker lines when they sit right around it.
fn extend_with_markers(text: &str, span: &mut Range<usize>) -> bool {
    let before = &text[..span.start];
    let prev_start = before
        .trim_end_matches('\n')
        .rfind('\n')
        .map_or(0, |p| p + 1);
    let prev_line = before[prev_start..].trim_end();
    let after = &text[span.end.min(text.len())..];
    let next_line = after.lines().next().unwrap_or("").trim_end();
    if prev_line == BEGIN_MARKER && next_line == END_MARKER && !before.is_empty() {
        span.start = prev_start;
        span.end = (span.end + next_line.len() + 1).min(text.len());
        if !text[..span.end].ends_with('\n') && span.end < text.len() {
            span.end += 1;
        }
        return true;
    }
    false
}

/// Quote a string for HCL.
pub fn hcl_string(s: &str) -> String {
    let escaped = s
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

/// The managed block for helper `name` with `args`.
pub fn helper_block(name: &str, args: &[String]) -> String {
    let list: Vec<String> = args.iter().map(|a| hcl_string(a)).collect();
    format!(
        "{BEGIN_MARKER}\ncredentials_helper {} {{\n  args = [{}]\n}}\n{END_MARKER}\n",
        hcl_string(name),
        list.join(", ")
    )
}

/// What installing into one file would do.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    /// The file already says exactly this.
    Unchanged,
    /// The new text, and the blocks it removes (as text, for `--dry-run`).
    Rewrite { text: String, removed: Vec<String> },
    /// Another helper is configured; replacing it needs `--force`.
    Conflict { other: String },
}

/// Put exactly one `credentials_helper` block (ours) into `text`. Our previous blocks
/// and the old Python installer's blocks of the same name (possibly repeated) are
/// replaced; another helper's block is replaced only with `force`.
pub fn plan_install(text: &str, name: &str, args: &[String], force: bool) -> Plan {
    let block = helper_block(name, args);
    let helpers: Vec<Block> = blocks(text)
        .into_iter()
        .filter(|b| b.kind == "credentials_helper")
        .collect();
    if let Some(other) = helpers.iter().find(|b| b.label.as_deref() != Some(name))
        && !force
    {
        return Plan::Conflict {
            other: other.label.clone().unwrap_or_default(),
        };
    }
    if helpers.len() == 1 && text[helpers[0].span.clone()] == block {
        return Plan::Unchanged;
    }
    let mut out = String::with_capacity(text.len() + block.len());
    let mut removed = Vec::new();
    let mut pos = 0;
    let mut inserted = false;
    for h in &helpers {
        out.push_str(&text[pos..h.span.start]);
        removed.push(text[h.span.clone()].to_owned());
        if !inserted {
            out.push_str(&block);
            inserted = true;
        }
        pos = h.span.end;
    }
    out.push_str(&text[pos..]);
    if !inserted {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&block);
    }
    Plan::Rewrite { text: out, removed }
}

/// Remove the blocks this toolkit wrote (and nothing else). `None` when there are none.
pub fn plan_uninstall(text: &str) -> Option<(String, Vec<String>)> {
    let managed: Vec<Block> = blocks(text).into_iter().filter(|b| b.managed).collect();
    if managed.is_empty() {
        return None;
    }
    let mut out = String::new();
    let mut removed = Vec::new();
    let mut pos = 0;
    for b in &managed {
        let mut start = b.span.start;
        // Drop the blank separator line we put before the block.
        if text[..start].ends_with("\n\n") {
            start -= 1;
        }
        out.push_str(&text[pos..start.max(pos)]);
        removed.push(text[b.span.clone()].to_owned());
        pos = b.span.end;
    }
    out.push_str(&text[pos..]);
    Some((out, removed))
}

/// Whether the file has a `credentials "HOST"` block, which Terraform prefers over a helper.
pub fn has_credentials_block(text: &str, host: &str) -> bool {
    blocks(text).iter().any(|b| {
        b.kind == "credentials"
            && b.label
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(host))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_PYTHON: &str = "\ncredentials_helper \"aws-credstore\" {\n      args = [\n  \"--service\",\n  \"execute-api\",\n  \"--expiration-window\",\n  \"300\"\n]\n}\n";

    fn args() -> Vec<String> {
        vec!["--registry-host".into(), "r.example.com".into()]
    }

    #[test]
    fn install_is_idempotent_and_replaces_old_python_blocks() {
        let original = format!("plugin_cache_dir = \"/tmp/x\" # keep {{\n{OLD_PYTHON}{OLD_PYTHON}");
        let Plan::Rewrite { text, removed } =
            plan_install(&original, "aws-credstore", &args(), false)
        else {
            panic!("expected a rewrite")
        };
        assert_eq!(removed.len(), 2);
        assert!(text.starts_with("plugin_cache_dir = \"/tmp/x\" # keep {\n"));
        assert_eq!(
            blocks(&text)
                .iter()
                .filter(|b| b.kind == "credentials_helper")
                .count(),
            1
        );
        assert_eq!(
            plan_install(&text, "aws-credstore", &args(), false),
            Plan::Unchanged
        );
    }

    #[test]
    fn another_helper_needs_force() {
        let text = "credentials_helper \"other\" {\n  args = []\n}\n";
        assert_eq!(
            plan_install(text, "aws-credstore", &args(), false),
            Plan::Conflict {
                other: "other".into()
            }
        );
        assert!(matches!(
            plan_install(text, "aws-credstore", &args(), true),
            Plan::Rewrite { .. }
        ));
    }

    #[test]
    fn uninstall_removes_exactly_what_install_added() {
        let original = "credentials \"app.terraform.io\" {\n  token = \"x\" /* } */\n}\n";
        let Plan::Rewrite { text, .. } = plan_install(original, "aws-credstore", &args(), false)
        else {
            panic!()
        };
        let (back, removed) = plan_uninstall(&text).unwrap();
        assert_eq!(back, original);
        assert_eq!(removed.len(), 1);
        assert!(plan_uninstall(original).is_none());
        assert!(has_credentials_block(original, "app.terraform.io"));
        let Plan::Rewrite { text, .. } = plan_install("", "aws-credstore", &args(), false) else {
            panic!()
        };
        assert_eq!(plan_uninstall(&text).unwrap().0, "");
    }
}
