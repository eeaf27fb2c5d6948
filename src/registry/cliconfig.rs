//! Terraform/OpenTofu CLI-config files: finding and editing `credentials_helper` blocks
//! and the `host` blocks that override service discovery (`hosts`).
//!
//! The scan looks at top-level blocks and attributes only; strings, heredocs
//! (`<<EOF` / `<<-EOF`), `#`, `//` and `/* */` comments and nested brackets are skipped
//! whole, so a brace or a block name inside them never confuses it. It works on bytes
//! and cuts the text only at ASCII delimiters, so no input can make it panic; a file it
//! cannot follow (an unterminated string, an unclosed block) is an error that names the
//! line and never quotes the file, which holds other hosts' tokens. Edits keep every
//! other byte of the file as it was.

use std::ops::Range;

use crate::secret::Secret;

mod hosts;

pub(crate) use hosts::{HostBlock, HostWanted, host_block, plan_host_blocks};

/// The marker lines around the block this toolkit writes.
const BEGIN_MARKER: &str = "# BEGIN install-registry-credentials-helper";
const END_MARKER: &str = "# END install-registry-credentials-helper";

/// A file the scan cannot follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} on line {line}")]
pub(crate) struct ConfigError {
    pub(crate) line: usize,
    pub(crate) what: &'static str,
}

/// A top-level block found in a CLI-config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) kind: String,
    pub(crate) label: Option<String>,
    /// Whole lines, from the start of the block's first line (including our BEGIN
    /// marker when present) to after the end of its last line (and our END marker).
    span: Range<usize>,
    /// Between the braces.
    body: Range<usize>,
    managed: bool,
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
}

impl Scanner<'_> {
    fn error(&self, at: usize, what: &'static str) -> ConfigError {
        let at = at.min(self.b.len());
        ConfigError {
            line: self.b[..at].iter().filter(|&&c| c == b'\n').count() + 1,
            what,
        }
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while i < self.b.len() && (self.b[i] == b' ' || self.b[i] == b'\t') {
            i += 1;
        }
        i
    }

    /// Just after the end of the line `i` is on (after its `\n`), or the end of the text.
    fn line_end(&self, i: usize) -> usize {
        self.b[i.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |p| i + p + 1)
    }

    /// The position of the `\n` that ends the line `i` is on, or the end of the text.
    fn newline_at_or_after(&self, i: usize) -> usize {
        self.b[i.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |p| i + p)
    }

    fn line_start(&self, i: usize) -> usize {
        self.b[..i]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1)
    }

    fn skip_block_comment(&self, i: usize) -> Result<usize, ConfigError> {
        let mut j = i + 2;
        while j + 1 < self.b.len() {
            if self.b[j] == b'*' && self.b[j + 1] == b'/' {
                return Ok(j + 2);
            }
            j += 1;
        }
        Err(self.error(i, "an unterminated /* comment"))
    }

    /// From an opening quote to just after the closing one.
    fn skip_string(&self, i: usize) -> Result<usize, ConfigError> {
        let mut j = i + 1;
        while j < self.b.len() {
            match self.b[j] {
                b'\\' => j += 2,
                b'"' => return Ok(j + 1),
                b'\n' => break,
                _ => j += 1,
            }
        }
        Err(self.error(i, "an unterminated string"))
    }

    /// `<<ID` or `<<-ID` at `i`: just after the line that closes it.
    fn skip_heredoc(&self, i: usize) -> Result<usize, ConfigError> {
        let mut j = i + 2;
        if self.b.get(j) == Some(&b'-') {
            j += 1;
        }
        let start = j;
        while j < self.b.len() && (self.b[j].is_ascii_alphanumeric() || self.b[j] == b'_') {
            j += 1;
        }
        let id = &self.b[start..j];
        if id.is_empty() {
            return Err(self.error(i, "a heredoc without a name"));
        }
        let mut line = self.line_end(j);
        while line < self.b.len() {
            let end = self.line_end(line);
            let content = self.b[line..end].trim_ascii();
            if content == id {
                return Ok(end);
            }
            line = end;
        }
        Err(self.error(i, "an unterminated heredoc"))
    }

    /// A value or a bracketed body: from `i` to where it ends. With `until_newline`, a
    /// newline outside brackets ends it (an attribute's value); otherwise it ends after
    /// the bracket that closes the one at `i` (a block's body).
    fn skip_expression(&self, i: usize, until_newline: bool) -> Result<usize, ConfigError> {
        let mut stack: Vec<(u8, usize)> = Vec::new();
        let mut j = i;
        while j < self.b.len() {
            let c = self.b[j];
            match c {
                b'{' | b'[' | b'(' => {
                    stack.push((c, j));
                    j += 1;
                }
                b'}' | b']' | b')' => {
                    let open = match c {
                        b'}' => b'{',
                        b']' => b'[',
                        _ => b'(',
                    };
                    match stack.pop() {
                        Some((o, _)) if o == open => {}
                        _ => return Err(self.error(j, "an unmatched closing bracket")),
                    }
                    j += 1;
                    if stack.is_empty() && !until_newline {
                        return Ok(j);
                    }
                }
                b'"' => j = self.skip_string(j)?,
                b'<' if self.b.get(j + 1) == Some(&b'<') => {
                    j = self.skip_heredoc(j)?;
                    // The heredoc's closing line ends an attribute's value.
                    if until_newline && stack.is_empty() {
                        return Ok(j);
                    }
                }
                b'#' => j = self.newline_at_or_after(j),
                b'/' if self.b.get(j + 1) == Some(&b'/') => j = self.newline_at_or_after(j),
                b'/' if self.b.get(j + 1) == Some(&b'*') => j = self.skip_block_comment(j)?,
                b'\n' if until_newline && stack.is_empty() => return Ok(j + 1),
                _ => j += 1,
            }
        }
        match stack.first() {
            Some((_, at)) => Err(self.error(*at, "an unclosed bracket")),
            None => Ok(self.b.len()),
        }
    }

    /// Grow `span` over our marker lines when they sit right around it.
    fn extend_with_markers(&self, span: &mut Range<usize>) -> bool {
        if span.start == 0 {
            return false;
        }
        let prev_start = self.line_start(span.start - 1);
        let prev = &self.b[prev_start..span.start];
        let next_end = self.line_end(span.end);
        let next = &self.b[span.end.min(self.b.len())..next_end];
        if prev.trim_ascii() == BEGIN_MARKER.as_bytes()
            && next.trim_ascii() == END_MARKER.as_bytes()
        {
            span.start = prev_start;
            span.end = next_end;
            return true;
        }
        false
    }

    fn blocks(&self) -> Result<Vec<Block>, ConfigError> {
        let b = self.b;
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'#' => i = self.line_end(i),
                b'/' if b.get(i + 1) == Some(&b'/') => i = self.line_end(i),
                b'/' if b.get(i + 1) == Some(&b'*') => i = self.skip_block_comment(i)?,
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = i;
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-')
                    {
                        i += 1;
                    }
                    let kind = &self.text[start..i];
                    // Labels: strings or identifiers; the first one names the block.
                    let mut label = None;
                    let mut labels = 0;
                    loop {
                        i = self.skip_spaces(i);
                        let from = i;
                        match b.get(i) {
                            Some(b'"') => {
                                i = self.skip_string(i)?;
                                // Both quotes are ASCII, so these are character boundaries.
                                label.get_or_insert_with(|| self.text[from + 1..i - 1].to_owned());
                            }
                            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                                while i < b.len()
                                    && (b[i].is_ascii_alphanumeric() || b"_-.".contains(&b[i]))
                                {
                                    i += 1;
                                }
                                label.get_or_insert_with(|| self.text[from..i].to_owned());
                            }
                            _ => break,
                        }
                        labels += 1;
                    }
                    match b.get(i) {
                        Some(b'{') => {
                            let close = self.skip_expression(i, false)?;
                            let mut span = self.line_start(start)..self.line_end(close);
                            let managed = self.extend_with_markers(&mut span);
                            out.push(Block {
                                kind: kind.to_owned(),
                                label,
                                span,
                                body: i + 1..close - 1,
                                managed,
                            });
                            i = close;
                        }
                        Some(b'=') if labels == 0 => {
                            i = self.skip_expression(i + 1, true)?;
                        }
                        _ => {
                            return Err(self.error(
                                start,
                                "something that is neither a block nor an attribute",
                            ));
                        }
                    }
                }
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                _ => return Err(self.error(i, "an unexpected character")),
            }
        }
        Ok(out)
    }
}

/// The top-level blocks of `text`.
pub(crate) fn blocks(text: &str) -> Result<Vec<Block>, ConfigError> {
    Scanner {
        text,
        b: text.as_bytes(),
    }
    .blocks()
}

/// Quote a string for HCL.
pub(crate) fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The managed block for helper `name` with `args`.
pub(crate) fn helper_block(name: &str, args: &[String]) -> String {
    helper_block_ending(name, args, "\n")
}

/// [`helper_block`] with its lines ending in `eol`.
fn helper_block_ending(name: &str, args: &[String], eol: &str) -> String {
    let list: Vec<String> = args.iter().map(|a| hcl_string(a)).collect();
    format!(
        "{BEGIN_MARKER}{eol}credentials_helper {} {{{eol}  args = [{}]{eol}}}{eol}{END_MARKER}{eol}",
        hcl_string(name),
        list.join(", ")
    )
}

/// The line ending `text` uses: that of its first line; for a file of one line or
/// none, the system's (`\r\n` on Windows).
pub(crate) fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        Some(_) => "\n",
        None if cfg!(windows) => "\r\n",
        None => "\n",
    }
}

/// A block an edit removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removed {
    /// Its kind (`credentials_helper`, `host`).
    pub(crate) kind: String,
    /// Its label (the helper's name, the host).
    pub(crate) label: String,
    /// Its text, whole lines.
    pub(crate) text: String,
    /// Whether this toolkit (or the helper of the same name) wrote it: only such a block
    /// is ever shown; another tool's may hold secrets in its arguments.
    pub(crate) ours: bool,
}

/// A block an edit adds (always ours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Added {
    /// Its kind (`credentials_helper`, `host`).
    pub(crate) kind: &'static str,
    /// Its label (the helper's name, the host).
    pub(crate) label: String,
    pub(crate) text: String,
}

/// What installing into one file would do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// The file already says exactly this.
    Unchanged,
    /// The new text, the blocks it removes and the blocks it adds (for `--dry-run`).
    Rewrite {
        text: String,
        removed: Vec<Removed>,
        added: Vec<Added>,
    },
    /// Another helper is configured; replacing it needs `--force`.
    Conflict { other: String },
}

fn removed(text: &str, b: &Block, name: &str) -> Removed {
    Removed {
        kind: b.kind.clone(),
        label: b.label.clone().unwrap_or_default(),
        text: text[b.span.clone()].to_owned(),
        ours: b.managed || b.label.as_deref() == Some(name),
    }
}

/// Put exactly one `credentials_helper` block (ours) into `text`, and our `host` blocks
/// as `hosts` wants them. Our previous blocks and the old Python installer's blocks of
/// the same name (possibly repeated) are replaced; another helper's block is replaced
/// only with `force`.
pub(crate) fn plan_install(
    text: &str,
    name: &str,
    args: &[String],
    force: bool,
    hosts: &[(String, HostWanted)],
) -> Result<Edit, ConfigError> {
    let eol = line_ending(text);
    let block = helper_block_ending(name, args, eol);
    let helpers: Vec<Block> = blocks(text)?
        .into_iter()
        .filter(|b| b.kind == "credentials_helper")
        .collect();
    if let Some(other) = helpers.iter().find(|b| b.label.as_deref() != Some(name))
        && !force
    {
        return Ok(Edit::Conflict {
            other: other.label.clone().unwrap_or_default(),
        });
    }
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let with_helper = if helpers.len() == 1 && text[helpers[0].span.clone()] == block {
        text.to_owned()
    } else {
        let mut out = String::with_capacity(text.len() + block.len());
        let mut pos = 0;
        let mut inserted = false;
        for h in &helpers {
            out.push_str(&text[pos..h.span.start]);
            removed.push(self::removed(text, h, name));
            if !inserted {
                out.push_str(&block);
                inserted = true;
            }
            pos = h.span.end;
        }
        out.push_str(&text[pos..]);
        if !inserted {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(eol);
            }
            if !out.is_empty() && !out.ends_with(&eol.repeat(2)) {
                out.push_str(eol);
            }
            out.push_str(&block);
        }
        added.push(Added {
            kind: "credentials_helper",
            label: name.to_owned(),
            text: helper_block(name, args),
        });
        out
    };
    let (out, gone, new) = hosts::plan_host_blocks(&with_helper, hosts, eol)?;
    removed.extend(gone);
    added.extend(new);
    if out == text {
        return Ok(Edit::Unchanged);
    }
    Ok(Edit::Rewrite {
        text: out,
        removed,
        added,
    })
}

/// Remove the blocks this toolkit wrote (and nothing else). `None` when there are none.
pub(crate) fn plan_uninstall(text: &str) -> Result<Option<(String, Vec<Removed>)>, ConfigError> {
    let managed: Vec<Block> = blocks(text)?.into_iter().filter(|b| b.managed).collect();
    if managed.is_empty() {
        return Ok(None);
    }
    let eol = line_ending(text);
    let mut out = String::new();
    let mut removed = Vec::new();
    let mut pos = 0;
    for b in &managed {
        let mut start = b.span.start;
        // Drop the blank separator line we put before the block.
        if text[..start].ends_with(&eol.repeat(2)) {
            start -= eol.len();
        }
        out.push_str(&text[pos..start.max(pos)]);
        removed.push(self::removed(text, b, ""));
        pos = b.span.end;
    }
    out.push_str(&text[pos..]);
    Ok(Some((out, removed)))
}

/// A `credentials_helper` block as a tool reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelperBlock {
    pub(crate) name: String,
    /// Its `args`, when they are a plain list of strings.
    pub(crate) args: Option<Vec<String>>,
}

/// A `credentials "HOST"` block (or `credentials` object in JSON syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredentialsBlock {
    pub(crate) host: String,
    /// Its `token`, when it is a plain string.
    pub(crate) token: Option<Secret>,
}

/// What one CLI-config file says about credentials and registries: its helper blocks,
/// its `credentials` blocks and its `host` blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CredentialsConfig {
    pub(crate) helpers: Vec<HelperBlock>,
    pub(crate) credentials: Vec<CredentialsBlock>,
    pub(crate) hosts: Vec<HostBlock>,
}

impl CredentialsConfig {
    /// Read a file's text: JSON syntax for `*.json`, HCL otherwise.
    pub(crate) fn parse(text: &str, json: bool) -> Result<Self, ConfigError> {
        if json {
            return Self::parse_json(text);
        }
        let mut out = Self::default();
        for b in blocks(text)? {
            if b.kind == "host" {
                out.hosts.extend(hosts::host_block_of(text, &b));
                continue;
            }
            let body = &text[b.body.clone()];
            match (b.kind.as_str(), b.label) {
                ("credentials_helper", Some(name)) => out.helpers.push(HelperBlock {
                    name,
                    args: attribute(body, "args").and_then(string_list),
                }),
                ("credentials", Some(host)) => out.credentials.push(CredentialsBlock {
                    host,
                    token: attribute(body, "token")
                        .and_then(|v| read_string(&mut v.chars().peekable()))
                        .map(Secret::new),
                }),
                _ => {}
            }
        }
        Ok(out)
    }

    fn parse_json(text: &str) -> Result<Self, ConfigError> {
        let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| ConfigError {
            line: e.line(),
            what: "JSON that does not parse",
        })?;
        let mut out = Self::default();
        if let Some(creds) = doc.get("credentials").and_then(|c| c.as_object()) {
            for (host, body) in creds {
                out.credentials.push(CredentialsBlock {
                    host: host.clone(),
                    token: body.get("token").and_then(|t| t.as_str()).map(Secret::new),
                });
            }
        }
        if let Some(hosts) = doc.get("host").and_then(|h| h.as_object()) {
            for (host, body) in hosts {
                out.hosts.push(HostBlock {
                    host: host.clone(),
                    modules: body
                        .pointer(&format!(
                            "/services/{}",
                            crate::registry::discovery::MODULES_SERVICE
                        ))
                        .and_then(|m| m.as_str())
                        .map(str::to_owned),
                    managed: false,
                });
            }
        }
        if let Some(helpers) = doc.get("credentials_helper").and_then(|h| h.as_object()) {
            for (name, body) in helpers {
                let args = body.get("args").and_then(|a| a.as_array()).and_then(|a| {
                    a.iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                });
                out.helpers.push(HelperBlock {
                    name: name.clone(),
                    args,
                });
            }
        }
        Ok(out)
    }

    /// The `host` block for `host` that counts (the last, as Terraform merges them).
    pub(crate) fn host_for(&self, host: &str) -> Option<&HostBlock> {
        self.hosts
            .iter()
            .rev()
            .find(|h| h.host.eq_ignore_ascii_case(host))
    }

    /// The `credentials` block for `host`, if any.
    pub(crate) fn credentials_for(&self, host: &str) -> Option<&CredentialsBlock> {
        self.credentials
            .iter()
            .find(|c| c.host.eq_ignore_ascii_case(host))
    }
}

/// The text after `NAME =` in a block body (to the end of the body: a list may span
/// lines), or `None` when the body has no such attribute.
fn attribute<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let mut offset = 0;
    loop {
        let rest = &body[offset..];
        let line_len = rest.find('\n').map_or(rest.len(), |p| p + 1);
        let line = rest[..line_len].trim_start();
        if let Some(after) = line.strip_prefix(name)
            && let Some(value) = after.trim_start().strip_prefix('=')
        {
            // `value` runs to the end of this line.
            return Some(body[offset + line_len - value.len()..].trim_start());
        }
        if line_len == rest.len() {
            return None;
        }
        offset += line_len;
    }
}

/// `["a", "b"]`: the strings, unescaped; `None` for anything but plain strings.
fn string_list(value: &str) -> Option<Vec<String>> {
    let mut chars = value.strip_prefix('[')?.chars().peekable();
    let mut out = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.peek()? {
            ']' => return Some(out),
            '"' => out.push(read_string(&mut chars)?),
            _ => return None,
        }
    }
}

/// One quoted HCL string at the start of `chars`, unescaped.
fn read_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    if chars.next()? != '"' {
        return None;
    }
    let mut s = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(s),
            '\\' => match chars.next()? {
                'n' => s.push('\n'),
                'r' => s.push('\r'),
                't' => s.push('\t'),
                'u' => {
                    let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                    s.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                c => s.push(c),
            },
            c @ ('$' | '%') if chars.peek() == Some(&c) => {
                chars.next();
                s.push(c);
            }
            c => s.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
