//! Registry host names as Terraform spells them.

use std::fmt;

use crate::exit::user_error;

/// A registry host: lower-case, punycode for non-ASCII labels, optional `:port`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistryHost {
    host: String,
    port: Option<u16>,
}

impl RegistryHost {
    /// Parse a host as given on the command line or by Terraform. A scheme, a path, a
    /// user part or an empty host are refused with a message that shows the right form.
    pub fn parse(input: &str) -> anyhow::Result<Self> {
        let input = input.trim();
        if input.is_empty() {
            return Err(user_error(
                "the registry host is empty: pass --registry-host HOST, e.g. registry.example.com",
            ));
        }
        if let Some((scheme, rest)) = input.split_once("://") {
            let bare = rest.split('/').next().unwrap_or(rest);
            return Err(user_error(format!(
                "the registry host must not include a scheme ({scheme}://): pass just the host, e.g. {bare}"
            )));
        }
        if let Some((bare, _)) = input.split_once('/') {
            return Err(user_error(format!(
                "the registry host must not include a path: pass just the host, e.g. {bare}"
            )));
        }
        if input.contains('@')
            || input.contains('?')
            || input.contains('#')
            || input.chars().any(char::is_whitespace)
        {
            return Err(user_error(format!(
                "{input:?} is not a host name: pass just the host, e.g. registry.example.com"
            )));
        }
        let (name, port) = match input.rsplit_once(':') {
            Some((name, port)) if !name.contains(':') => {
                let port = port.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    user_error(format!(
                        "invalid port in registry host {input:?}: use HOST or HOST:PORT"
                    ))
                })?;
                (name, Some(port))
            }
            Some(_) => {
                return Err(user_error(format!(
                    "{input:?} is not a host name: IPv6 registry hosts are not supported"
                )));
            }
            None => (input, None),
        };
        let ascii = idna::domain_to_ascii(name)
            .map_err(|_| user_error(format!("{name:?} is not a valid host name")))?
            .to_ascii_lowercase();
        if ascii.is_empty()
            || ascii.starts_with('.')
            || ascii.ends_with('.')
            || ascii.contains("..")
        {
            return Err(user_error(format!("{name:?} is not a valid host name")));
        }
        Ok(Self { host: ascii, port })
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Terraform's `TF_TOKEN_*` variable for this host: punycode, lower case, `-` ->
    /// `__`, `.` -> `_`. A port cannot be expressed in a variable name.
    pub fn tf_token_var(&self) -> anyhow::Result<String> {
        if self.port.is_some() {
            return Err(user_error(format!(
                "{self} has a port, which a TF_TOKEN_* variable cannot express: use the `config` output or the credentials helper"
            )));
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

    #[test]
    fn terraform_variable_names() {
        let h = RegistryHost::parse("Registry.My-Company.example.com").unwrap();
        assert_eq!(h.to_string(), "registry.my-company.example.com");
        assert_eq!(
            h.tf_token_var().unwrap(),
            "TF_TOKEN_registry_my__company_example_com"
        );
        let h = RegistryHost::parse("café.example.com").unwrap();
        assert_eq!(h.to_string(), "xn--caf-dma.example.com");
        assert_eq!(
            h.tf_token_var().unwrap(),
            "TF_TOKEN_xn____caf__dma_example_com"
        );
        assert!(
            RegistryHost::parse("localhost:8443")
                .unwrap()
                .tf_token_var()
                .is_err()
        );
    }

    #[test]
    fn refuses_urls() {
        for bad in [
            "https://r.example.com",
            "r.example.com/token",
            "",
            "a b",
            "r.example.com:0",
            "r.example.com:x",
        ] {
            assert!(RegistryHost::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            RegistryHost::parse("r.example.com:8443").unwrap().port(),
            Some(8443)
        );
    }
}
