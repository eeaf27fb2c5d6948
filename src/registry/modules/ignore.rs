//! What a module archive leaves out: fixed defaults, then `.terraformignore` (gitignore
//! syntax, as HCP Terraform's go-slug reads it), then `--exclude` patterns; the last rule
//! that matches a path decides, and `!` takes a path back in. A folder left out is not
//! looked into, so nothing under it can be taken back (as git does).

use std::fmt;

/// Where a rule comes from, for `--list` and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RuleSource {
    /// The toolkit's defaults (`.git/`, `.terraform/`, state files, `.DS_Store`).
    Default,
    /// A line of `.terraformignore`.
    IgnoreFile { line: usize },
    /// An `--exclude` flag.
    Flag,
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSource::Default => f.write_str("default"),
            RuleSource::IgnoreFile { line } => write!(f, ".terraformignore line {line}"),
            RuleSource::Flag => f.write_str("--exclude"),
        }
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    /// As written (without a trailing `\r`), for messages.
    pub(crate) text: String,
    pub(crate) source: RuleSource,
    negated: bool,
    dir_only: bool,
    /// It has a `/` before its end: it matches paths from the module's root; otherwise
    /// the last part of a path, at any depth.
    anchored: bool,
    glob: Vec<u8>,
}

impl Rule {
    /// One line of gitignore syntax; `None` for a blank line or a comment.
    fn parse(line: &str, source: RuleSource) -> Option<Self> {
        let text = line.strip_suffix('\r').unwrap_or(line);
        // Trailing spaces go, unless escaped.
        let mut end = text.len();
        while end > 0 && text.as_bytes()[end - 1] == b' ' && !text[..end - 1].ends_with('\\') {
            end -= 1;
        }
        let text = &text[..end];
        if text.is_empty() || text.starts_with('#') {
            return None;
        }
        let (negated, rest) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (dir_only, rest) = match rest.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let anchored = rest.contains('/');
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        if rest.is_empty() {
            return None;
        }
        Some(Self {
            text: text.to_owned(),
            source,
            negated,
            dir_only,
            anchored,
            glob: rest.as_bytes().to_vec(),
        })
    }

    fn matches(&self, path: &str, is_dir: bool) -> bool {
        if self.dir_only && !is_dir {
            return false;
        }
        let subject = if self.anchored {
            path
        } else {
            path.rsplit('/').next().unwrap_or(path)
        };
        glob(&self.glob, subject.as_bytes())
    }
}

/// Whether `text` matches the gitignore glob `p`: `*` and `?` within one part of a path,
/// `**` across parts (`**/x`, `a/**`, `a/**/b`), `[...]` classes, `\` escapes.
fn glob(p: &[u8], t: &[u8]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some(b'*') if p.get(1) == Some(&b'*') => {
            let rest = &p[2..];
            if let Some(after) = rest.strip_prefix(b"/")
                && glob(after, t)
            {
                return true;
            }
            (0..=t.len()).any(|i| glob(rest, &t[i..]))
        }
        Some(b'*') => {
            let stop = t.iter().position(|&c| c == b'/').unwrap_or(t.len());
            (0..=stop).any(|i| glob(&p[1..], &t[i..]))
        }
        Some(b'?') => t.first().is_some_and(|&c| c != b'/') && glob(&p[1..], &t[1..]),
        Some(b'[') => match (class(&p[1..]), t.first()) {
            (Some((set, negated, len)), Some(&c)) if c != b'/' => {
                set.contains(c) != negated && glob(&p[1 + len..], &t[1..])
            }
            (None, Some(&c)) => c == b'[' && glob(&p[1..], &t[1..]),
            _ => false,
        },
        Some(b'\\') if p.len() > 1 => t.first() == Some(&p[1]) && glob(&p[2..], &t[1..]),
        Some(&c) => t.first() == Some(&c) && glob(&p[1..], &t[1..]),
    }
}

/// The bytes a `[...]` class names.
struct ByteSet(Vec<(u8, u8)>);

impl ByteSet {
    fn contains(&self, c: u8) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }
}

/// The class after a `[`: its set, whether it is negated (`!` or `^`), and how many
/// bytes it takes with its `]`; `None` when it is not closed (a literal `[`).
fn class(p: &[u8]) -> Option<(ByteSet, bool, usize)> {
    let mut i = 0;
    let negated = matches!(p.first(), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while i < p.len() {
        let c = p[i];
        if c == b']' && !first {
            return Some((ByteSet(ranges), negated, i + 1));
        }
        first = false;
        let lo = if c == b'\\' && i + 1 < p.len() {
            i += 1;
            p[i]
        } else {
            c
        };
        if p.get(i + 1) == Some(&b'-') && p.get(i + 2).is_some_and(|&h| h != b']') {
            ranges.push((lo, p[i + 2]));
            i += 3;
        } else {
            ranges.push((lo, lo));
            i += 1;
        }
    }
    None
}

/// The rules of one archive, in order.
#[derive(Debug, Clone)]
pub(crate) struct Rules(Vec<Rule>);

/// Left out of every archive: what is never part of a module (version control, what
/// `terraform init` downloads, state, which holds secrets, Finder's litter).
const DEFAULTS: [&str; 5] = [
    ".git/",
    ".terraform/",
    "*.tfstate",
    "*.tfstate.*",
    ".DS_Store",
];

impl Rules {
    pub(crate) fn defaults() -> Self {
        Self(
            DEFAULTS
                .iter()
                .filter_map(|d| Rule::parse(d, RuleSource::Default))
                .collect(),
        )
    }

    /// The rules of a `.terraformignore` file, after the ones already here.
    pub(crate) fn add_ignore_file(&mut self, text: &str) {
        for (n, line) in text.lines().enumerate() {
            self.0
                .extend(Rule::parse(line, RuleSource::IgnoreFile { line: n + 1 }));
        }
    }

    /// An `--exclude` pattern, after the rules already here.
    pub(crate) fn add_flag(&mut self, pattern: &str) {
        self.0.extend(Rule::parse(pattern, RuleSource::Flag));
    }

    /// The rule that leaves `path` (relative, `/`-separated) out, if any: the last rule
    /// that matches decides, and a `!` rule takes it back in.
    pub(crate) fn excluded_by(&self, path: &str, is_dir: bool) -> Option<&Rule> {
        self.0
            .iter()
            .rev()
            .find(|r| r.matches(path, is_dir))
            .filter(|r| !r.negated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(rules: &Rules, path: &str, is_dir: bool) -> Option<String> {
        rules.excluded_by(path, is_dir).map(|r| r.text.clone())
    }

    #[test]
    fn the_defaults_apply_at_any_depth() {
        let r = Rules::defaults();
        assert_eq!(out(&r, ".git", true).as_deref(), Some(".git/"));
        assert_eq!(
            out(&r, "modules/x/.terraform", true).as_deref(),
            Some(".terraform/")
        );
        assert_eq!(out(&r, ".terraform", false), None, "only a folder");
        assert_eq!(
            out(&r, "a/terraform.tfstate", false).as_deref(),
            Some("*.tfstate")
        );
        assert_eq!(
            out(&r, "terraform.tfstate.backup", false).as_deref(),
            Some("*.tfstate.*")
        );
        assert_eq!(out(&r, "x/.DS_Store", false).as_deref(), Some(".DS_Store"));
        assert_eq!(out(&r, "main.tf", false), None);
        assert_eq!(out(&r, "tfstate.tf", false), None);
    }

    #[test]
    fn terraformignore_is_gitignore_syntax() {
        let mut r = Rules::defaults();
        r.add_ignore_file(
            "# secrets\n*.auto.tfvars\n!keep.auto.tfvars\n/build\ndocs/**/*.png\n**/tmp/\n  \n\\#literal\nfoo\\ \n[abc].tf\n",
        );
        assert_eq!(
            out(&r, "prod.auto.tfvars", false).as_deref(),
            Some("*.auto.tfvars")
        );
        assert_eq!(
            out(&r, "env/prod.auto.tfvars", false).as_deref(),
            Some("*.auto.tfvars")
        );
        assert_eq!(out(&r, "keep.auto.tfvars", false), None, "taken back by !");
        assert_eq!(out(&r, "build", true).as_deref(), Some("/build"));
        assert_eq!(out(&r, "sub/build", true), None, "anchored at the root");
        assert_eq!(
            out(&r, "docs/a/b/c.png", false).as_deref(),
            Some("docs/**/*.png")
        );
        assert_eq!(
            out(&r, "docs/c.png", false).as_deref(),
            Some("docs/**/*.png")
        );
        assert_eq!(out(&r, "x/y/tmp", true).as_deref(), Some("**/tmp/"));
        assert_eq!(out(&r, "#literal", false).as_deref(), Some("\\#literal"));
        assert_eq!(out(&r, "foo ", false).as_deref(), Some("foo\\ "));
        assert_eq!(out(&r, "b.tf", false).as_deref(), Some("[abc].tf"));
        assert_eq!(out(&r, "d.tf", false), None);
        // A later rule wins; the source says where each came from.
        r.add_flag("*.tf");
        let rule = r.excluded_by("keep.tf", false).unwrap();
        assert_eq!(rule.source, RuleSource::Flag);
        let rule = r.excluded_by("build", true).unwrap();
        assert_eq!(rule.source.to_string(), ".terraformignore line 4");
    }

    #[test]
    fn globs_stay_within_a_part_unless_double() {
        assert!(glob(b"*.tf", b"main.tf"));
        assert!(!glob(b"*.tf", b"a/main.tf"));
        assert!(glob(b"a/**", b"a/b/c"));
        assert!(!glob(b"a/**", b"a"));
        assert!(glob(b"a/**/b", b"a/b"));
        assert!(glob(b"a/**/b", b"a/x/y/b"));
        assert!(glob(b"**/b", b"b"));
        assert!(glob(b"?.tf", b"a.tf"));
        assert!(!glob(b"?.tf", b"/.tf"));
        assert!(glob(b"[!a].tf", b"b.tf"));
        assert!(!glob(b"[!a].tf", b"a.tf"));
        assert!(glob(b"[a-c]", b"b"));
        assert!(glob(b"[", b"["), "an unclosed class is a literal");
    }
}
