//! Registry host names as Terraform accepts them.

use std::fmt;
use std::str::FromStr;

/// A registry host: lower-case labels of letters, digits and hyphens (punycode for
/// non-ASCII names), and an optional `:port`. Nothing else can appear in it, so it is
/// safe in a URL, an HCL string and a shell variable name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RegistryHost {
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HostError {
    #[error("the registry host is empty: pass a host such as registry.example.com")]
    Empty,
    #[error(
        "the registry host must not include a scheme ({scheme}://): pass just the host, e.g. {bare}"
    )]
    Scheme { scheme: String, bare: String },
    #[error("the registry host must not include a path: pass just the host, e.g. {bare}")]
    Path { bare: String },
    #[error("invalid port in registry host {}: use HOST or HOST:PORT", crate::diag::Quoted(.input))]
    Port { input: String },
    #[error(
        "{} is not a host name: use letters, digits, hyphens and dots (and :PORT), e.g. registry.example.com", crate::diag::Quoted(.input)
    )]
    Invalid { input: String },
    #[error(
        "{host} has a port, which a TF_TOKEN_* variable cannot express: use the `config` output or the credentials helper"
    )]
    PortInVariable { host: String },
}

impl FromStr for RegistryHost {
    type Err = HostError;

    /// Parse a host as given on the command line or by Terraform.
    fn from_str(input: &str) -> Result<Self, HostError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(HostError::Empty);
        }
        let invalid = || HostError::Invalid {
            input: input.to_owned(),
        };
        if let Some((scheme, rest)) = input.split_once("://") {
            let bare: String = rest
                .split('/')
                .next()
                .unwrap_or(rest)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "-.:".contains(*c))
                .collect();
            if scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(HostError::Scheme {
                    scheme: scheme.to_owned(),
                    bare,
                });
            }
            return Err(invalid());
        }
        if let Some((bare, _)) = input.split_once('/') {
            if bare.is_empty() || !is_plain(bare) {
                return Err(invalid());
            }
            return Err(HostError::Path {
                bare: bare.to_owned(),
            });
        }
        let (name, port) = match input.rsplit_once(':') {
            Some((name, port)) => {
                let port = (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| port.parse::<u16>().ok())
                    .flatten()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| HostError::Port {
                        input: input.to_owned(),
                    })?;
                (name, Some(port))
            }
            None => (input, None),
        };
        // IDNA maps Unicode names to punycode; what comes out must then be plain LDH
        // labels (IDNA itself lets `;`, quotes, backslashes and the like through).
        let ascii = idna::domain_to_ascii(name)
            .map_err(|_| invalid())?
            .to_ascii_lowercase();
        let labels_ok = !ascii.is_empty()
            && ascii.len() <= 253
            && ascii.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if !labels_ok {
            return Err(invalid());
        }
        Ok(Self { host: ascii, port })
    }
}

/// Text that is safe to echo back in a hint.
fn is_plain(s: &str) -> bool {
    s.chars().all(|c| c.is_alphanumeric() || "-.:".contains(c))
}

/// The public registries: a helper never signs a request for them.
const PUBLIC_REGISTRIES: &[&str] = &[
    "registry.terraform.io",
    "registry.opentofu.org",
    "app.terraform.io",
];

impl RegistryHost {
    /// Whether this is one of the public registries, which get no private token.
    pub(crate) fn is_public(&self) -> bool {
        self.port.is_none() && PUBLIC_REGISTRIES.contains(&self.host.as_str())
    }

    #[cfg(test)]
    fn port(&self) -> Option<u16> {
        self.port
    }

    /// Terraform's `TF_TOKEN_*` variable for this host: punycode, lower case, `-` ->
    /// `__`, `.` -> `_`. A port cannot be expressed in a variable name.
    pub(crate) fn tf_token_var(&self) -> Result<String, HostError> {
        if self.port.is_some() {
            return Err(HostError::PortInVariable {
                host: self.to_string(),
            });
        }
        Ok(format!(
            "TF_TOKEN_{}",
            self.host.replace('-', "__").replace('.', "_")
        ))
    }
}

impl fmt::Display for RegistryHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<RegistryHost, HostError> {
        s.parse()
    }

    #[test]
    fn terraform_variable_names() {
        let h = parse("Registry.My-Company.example.com").unwrap();
        assert_eq!(h.to_string(), "registry.my-company.example.com");
        assert_eq!(
            h.tf_token_var().unwrap(),
            "TF_TOKEN_registry_my__company_example_com"
        );
        let h = parse("café.example.com").unwrap();
        assert_eq!(h.to_string(), "xn--caf-dma.example.com");
        assert_eq!(
            h.tf_token_var().unwrap(),
            "TF_TOKEN_xn____caf__dma_example_com"
        );
        assert!(parse("localhost:8443").unwrap().tf_token_var().is_err());
        assert_eq!(parse("127.0.0.1:8443").unwrap().port(), Some(8443));
    }

    #[test]
    fn refuses_urls_and_shell_syntax() {
        for bad in [
            "https://r.example.com",
            "r.example.com/token",
            "",
            "a b",
            "r.example.com:0",
            "r.example.com:x",
            "r.example.com:+80",
            "x`id`",
            "x$(id)",
            "x;id",
            "x'y",
            "x\"y",
            "x\\y.example.com",
            "a..b",
            ".a",
            "a.",
            "-a.example.com",
            "a_b.example.com",
            "[::1]:8443",
            "x\u{1b}[31m",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(
            parse("https://r.example.com/x"),
            Err(HostError::Scheme { .. })
        ));
        assert!(matches!(
            parse("r.example.com/v1"),
            Err(HostError::Path { .. })
        ));
        assert_eq!(parse("r.example.com:8443").unwrap().port(), Some(8443));
    }
}
