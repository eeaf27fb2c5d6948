//! AWS profile and region names, checked where they enter: a flag or a settings file.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An AWS profile name: printable, no spaces (what `aws configure` accepts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Profile(String);

/// An AWS region name: lower-case letters, digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Region(String);

macro_rules! text_setting {
    ($type:ident, $valid:expr, $what:literal) => {
        impl FromStr for $type {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                let valid: fn(&str) -> bool = $valid;
                if !s.is_empty() && s.len() <= 128 && valid(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(format!(
                        concat!("{} is not ", $what),
                        crate::diag::Quoted(s)
                    ))
                }
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

text_setting!(
    Profile,
    |s| s.chars().all(|c| c.is_ascii_graphic()),
    "an AWS profile name"
);
text_setting!(
    Region,
    |s| s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
    "an AWS region (such as eu-west-1)"
);

/// A `--profile` value, checked (clap's value parser).
pub(crate) fn profile_flag(s: &str) -> Result<String, String> {
    s.parse::<Profile>().map(|p| p.0)
}

/// A `--region` value, checked (clap's value parser).
pub(crate) fn region_flag(s: &str) -> Result<String, String> {
    s.parse::<Region>().map(|r| r.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(profile_flag("dev-team/ci@x").unwrap(), "dev-team/ci@x");
        assert!(profile_flag("a b").is_err());
        assert!(profile_flag("").is_err());
        assert_eq!(region_flag("eu-west-1").unwrap(), "eu-west-1");
        assert!(region_flag("EU WEST").is_err());
    }
}
