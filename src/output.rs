//! One renderer for every secret a binary prints.
//!
//! Formats: `text` (the bare value, or `NAME=value` lines for several), `json` (one
//! object), `env` (`export NAME='value'`, shell-escaped), `powershell`
//! (`$env:NAME = 'value'`), `fish` (`set -gx NAME 'value'`), `dotenv` (`NAME="value"`)
//! and `github` (prints one `::add-mask::` line per secret line on stdout, then appends
//! to the file named by `GITHUB_ENV`). A variable name is checked before anything is
//! written: only letters, digits and `_`, so it can never carry shell syntax.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::secret::Secret;

/// How a secret is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecretFormat {
    /// The bare value (several values: NAME=value lines).
    Text,
    /// A JSON object.
    Json,
    /// `export NAME='value'` lines for `eval` in a POSIX shell.
    Env,
    /// `$env:NAME = 'value'` lines for PowerShell (`| Invoke-Expression`).
    Powershell,
    /// `set -gx NAME 'value'` lines for fish (`| source`).
    Fish,
    /// `NAME="value"` lines for .env files.
    Dotenv,
    /// Append to $GITHUB_ENV and mask the values in the job log.
    Github,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputError {
    #[error("GITHUB_ENV is not set: --output github works only inside a GitHub Actions job")]
    NoGithubEnv,
    #[error("cannot append to the GITHUB_ENV file {}", path.display())]
    GithubEnv { path: PathBuf, source: io::Error },
    #[error("{} cannot be a variable name: use letters, digits and _", crate::diag::Quoted(.name))]
    BadName { name: String },
    #[error("cannot write the output")]
    Io(#[from] io::Error),
    #[error("cannot render the output as JSON")]
    Json(#[from] serde_json::Error),
}

/// The one pretty-JSON writer: its failure is said, never printed as an empty string.
pub(crate) fn pretty_json<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value)
}

/// A named value to print. Public values (e.g. an expiry time) are not masked.
pub(crate) struct Var<'a> {
    name: &'a str,
    value: &'a str,
    secret: bool,
}

impl<'a> Var<'a> {
    pub(crate) fn secret(name: &'a str, value: &'a Secret) -> Self {
        Self {
            name,
            value: value.expose(),
            secret: true,
        }
    }

    pub(crate) fn public(name: &'a str, value: &'a str) -> Self {
        Self {
            name,
            value,
            secret: false,
        }
    }
}

/// Whether `name` can be an environment variable in every format: a letter or `_`,
/// then letters, digits and `_`.
pub(crate) fn is_variable_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Render `vars` in `format` to `out`.
pub(crate) fn render(
    format: SecretFormat,
    vars: &[Var<'_>],
    out: &mut impl Write,
) -> Result<(), OutputError> {
    if let Some(bad) = vars.iter().find(|v| !is_variable_name(v.name)) {
        return Err(OutputError::BadName {
            name: bad.name.to_owned(),
        });
    }
    let mut buf = Vec::new();
    match format {
        SecretFormat::Text => match vars {
            [one] => writeln!(buf, "{}", one.value)?,
            _ => {
                for v in vars {
                    writeln!(buf, "{}={}", v.name, v.value)?;
                }
            }
        },
        SecretFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = vars
                .iter()
                .map(|v| {
                    (
                        v.name.to_owned(),
                        serde_json::Value::String(v.value.to_owned()),
                    )
                })
                .collect();
            writeln!(buf, "{}", serde_json::Value::Object(map))?;
        }
        SecretFormat::Env => {
            for v in vars {
                writeln!(buf, "export {}={}", v.name, shell_quote(v.value))?;
            }
        }
        SecretFormat::Powershell => {
            for v in vars {
                writeln!(buf, "$env:{} = {}", v.name, powershell_quote(v.value))?;
            }
        }
        SecretFormat::Fish => {
            for v in vars {
                writeln!(buf, "set -gx {} {}", v.name, fish_quote(v.value))?;
            }
        }
        SecretFormat::Dotenv => {
            for v in vars {
                writeln!(buf, "{}={}", v.name, dotenv_quote(v.value))?;
            }
        }
        SecretFormat::Github => {
            let path = crate::env::var(crate::env::GITHUB_ENV).ok_or(OutputError::NoGithubEnv)?;
            let path = PathBuf::from(path);
            // Mask first: the runner must know the value before any step could echo it.
            let mut masks = Vec::new();
            for v in vars.iter().filter(|v| v.secret) {
                for line in v.value.lines().filter(|l| !l.is_empty()) {
                    writeln!(masks, "::add-mask::{line}")?;
                }
            }
            out.write_all(&masks)?;
            out.flush()?;
            let mut env_file = Vec::new();
            for v in vars {
                let delimiter = github_delimiter(v.value);
                write!(
                    env_file,
                    "{}<<{delimiter}\n{}\n{delimiter}\n",
                    v.name, v.value
                )?;
            }
            let err = |source| OutputError::GithubEnv {
                path: path.clone(),
                source,
            };
            let mut file = crate::fsutil::open_append(std::path::Path::new(&path)).map_err(err)?;
            file.write_all(&env_file).map_err(err)?;
        }
    }
    out.write_all(&buf)?;
    out.flush()?;
    Ok(())
}

/// Print `vars` on stdout.
pub(crate) fn print(format: SecretFormat, vars: &[Var<'_>]) -> Result<(), OutputError> {
    render(format, vars, &mut io::stdout().lock())
}

/// POSIX shell quoting: bare when every character is safe, else single quotes with
/// `'\''` for embedded single quotes.
pub(crate) fn shell_quote(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_^~".contains(&b));
    if safe {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// PowerShell's verbatim string: single quotes, each embedded single quote doubled.
/// PowerShell also reads the typographic single quotes (U+2018 to U+201B) as quotes,
/// so those are doubled too; nothing else is special inside.
fn powershell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// fish's single quotes: only `\\` and `\'` are escapes inside them.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// .env quoting understood by docker compose and python-dotenv: double quotes with
/// `\\`, `\"`, `\$` and `\n` escaped.
fn dotenv_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str(r"\$"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A heredoc delimiter for GITHUB_ENV that does not occur in the value.
fn github_delimiter(value: &str) -> String {
    loop {
        let delimiter = format!("ghadelimiter_{:016x}", crate::time::random_u64());
        if !value.contains(&delimiter) {
            return delimiter;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_and_fish_quoting() {
        let s = Secret::new("it's $(x) `y` \\n \u{2019}z\u{2018}");
        let mut out = Vec::new();
        render(
            SecretFormat::Powershell,
            &[Var::secret("TOKEN", &s)],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "$env:TOKEN = 'it''s $(x) `y` \\n \u{2019}\u{2019}z\u{2018}\u{2018}'\n"
        );
        let mut out = Vec::new();
        render(SecretFormat::Fish, &[Var::secret("TOKEN", &s)], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "set -gx TOKEN 'it\\'s $(x) `y` \\\\n \u{2019}z\u{2018}'\n"
        );
        assert_eq!(powershell_quote(""), "''");
        assert_eq!(fish_quote(""), "''");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("abc-DEF_1.2"), "abc-DEF_1.2");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn dotenv_quoting() {
        assert_eq!(dotenv_quote(r#"a"b$c\d"#), r#""a\"b\$c\\d""#);
        assert_eq!(dotenv_quote("l1\nl2"), r#""l1\nl2""#);
    }

    #[test]
    fn text_json_env_dotenv() {
        let s = Secret::new("p'w d");
        let mut out = Vec::new();
        render(SecretFormat::Text, &[Var::secret("TOKEN", &s)], &mut out).unwrap();
        assert_eq!(out, b"p'w d\n");
        out.clear();
        render(
            SecretFormat::Json,
            &[Var::secret("TOKEN", &s), Var::public("EXP", "1")],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "{\"TOKEN\":\"p'w d\",\"EXP\":\"1\"}\n"
        );
        out.clear();
        render(SecretFormat::Env, &[Var::secret("TOKEN", &s)], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "export TOKEN='p'\\''w d'\n"
        );
        out.clear();
        render(SecretFormat::Dotenv, &[Var::secret("TOKEN", &s)], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "TOKEN=\"p'w d\"\n");
    }

    #[test]
    fn variable_names_carry_no_shell_syntax() {
        let s = Secret::new("v");
        for format in [
            SecretFormat::Env,
            SecretFormat::Powershell,
            SecretFormat::Fish,
            SecretFormat::Dotenv,
            SecretFormat::Text,
        ] {
            for bad in ["X`id`", "A B", "a;b", "$(x)", "1A", "", "A-B", "A.B"] {
                let mut out = Vec::new();
                assert!(
                    matches!(
                        render(
                            format,
                            &[Var::secret(bad, &s), Var::public("OK", "1")],
                            &mut out
                        ),
                        Err(OutputError::BadName { .. })
                    ),
                    "{bad}"
                );
                assert!(out.is_empty(), "nothing written for {bad}");
            }
        }
        assert!(is_variable_name("TF_TOKEN_registry_example_com"));
        assert!(is_variable_name("_x1"));
    }
}
