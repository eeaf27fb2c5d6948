//! What names a module version in the registry: NAMESPACE/NAME/SYSTEM and a version,
//! as Terraform asks for them.

use std::fmt;
use std::str::FromStr;

use crate::registry::grants::Namespace;

/// A module's name or system as the registry's URL paths and Terraform's source
/// addresses take it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ModuleName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NameError {
    #[error(
        "invalid module name {}: use 1 to 64 letters, digits, dashes or underscores, starting and ending with a letter or digit",
        crate::diag::Quoted(.0)
    )]
    Name(String),
    #[error(
        "invalid module system {}: use 1 to 64 lower-case letters and digits (the provider, e.g. aws)",
        crate::diag::Quoted(.0)
    )]
    System(String),
}

impl ModuleName {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// A system (Terraform's "provider" part): lower-case letters and digits.
    pub(crate) fn system(s: &str) -> Result<Self, NameError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        ok.then(|| Self(s.to_owned()))
            .ok_or_else(|| NameError::System(s.to_owned()))
    }
}

impl FromStr for ModuleName {
    type Err = NameError;

    /// A name, as Terraform's registry addresses take it.
    fn from_str(s: &str) -> Result<Self, NameError> {
        let b = s.as_bytes();
        let edge = |c: &u8| c.is_ascii_alphanumeric();
        let ok = !b.is_empty()
            && b.len() <= 64
            && b.first().is_some_and(edge)
            && b.last().is_some_and(edge)
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_');
        ok.then(|| Self(s.to_owned()))
            .ok_or_else(|| NameError::Name(s.to_owned()))
    }
}

impl fmt::Display for ModuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// NAMESPACE/NAME/SYSTEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleAddress {
    pub(crate) namespace: Namespace,
    pub(crate) name: ModuleName,
    pub(crate) system: ModuleName,
}

impl ModuleAddress {
    /// `NAMESPACE/NAME/SYSTEM`, as the registry's paths carry it.
    pub(crate) fn path(&self) -> String {
        format!("{}/{}/{}", self.namespace, self.name, self.system)
    }

    /// The sort key of the registry's record of `version`: `Module~NS~NAME~SYSTEM~V`
    /// (the registry's `Module.get_sk`: name before system).
    pub(crate) fn record_key(&self, version: &ModuleVersion) -> String {
        format!("{}{version}", self.record_prefix())
    }

    /// What every version's sort key starts with (the registry's `versions` query).
    pub(crate) fn record_prefix(&self) -> String {
        format!("Module~{}~{}~{}~", self.namespace, self.name, self.system)
    }
}

impl fmt::Display for ModuleAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// A version in canonical SemVer, `MAJOR.MINOR.PATCH[-PRE]`: the form Terraform asks the
/// registry for (it reads `v1.2.0` and asks for `1.2.0`), so the only form a record can
/// be downloaded by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleVersion {
    text: String,
    numbers: [u64; 3],
    pre: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid version {}: use MAJOR.MINOR.PATCH or MAJOR.MINOR.PATCH-PRE (e.g. 1.2.0, 2.0.0-rc.1), without leading zeros or +build; Terraform asks for exactly that form",
    crate::diag::Quoted(.0)
)]
pub(crate) struct VersionError(String);

/// A SemVer numeric identifier: digits, no leading zero.
fn numeric(s: &str) -> Option<u64> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then(|| s.parse().ok()).flatten()
}

impl FromStr for ModuleVersion {
    type Err = VersionError;

    /// A leading `v` is dropped (`v1.2.0` is 1.2.0); nothing else is forgiven.
    fn from_str(input: &str) -> Result<Self, VersionError> {
        let bad = || VersionError(input.to_owned());
        let s = input.strip_prefix('v').unwrap_or(input);
        let (core, pre) = match s.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (s, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(bad());
        };
        let numbers = [
            numeric(major).ok_or_else(bad)?,
            numeric(minor).ok_or_else(bad)?,
            numeric(patch).ok_or_else(bad)?,
        ];
        if let Some(pre) = pre {
            let ok = pre.split('.').all(|id| {
                !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id).is_some())
            });
            if !ok {
                return Err(bad());
            }
        }
        Ok(Self {
            text: s.to_owned(),
            numbers,
            pre: pre.map(str::to_owned),
        })
    }
}

impl ModuleVersion {
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialOrd for ModuleVersion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ModuleVersion {
    /// SemVer precedence: numbers, then a release above its pre-releases, then the
    /// pre-release identifiers (numeric below alphanumeric).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => {
                    let ids = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
                    let (a, b) = (ids(a), ids(b));
                    for (x, y) in a.iter().zip(&b) {
                        let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => x.cmp(y),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    a.len().cmp(&b.len())
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_semver_only_with_a_leading_v_dropped() {
        for (given, canonical) in [
            ("1.2.0", "1.2.0"),
            ("v1.2.0", "1.2.0"),
            ("0.0.0", "0.0.0"),
            ("2.0.0-rc.1", "2.0.0-rc.1"),
            ("1.0.0-alpha-2.x", "1.0.0-alpha-2.x"),
        ] {
            assert_eq!(given.parse::<ModuleVersion>().unwrap().as_str(), canonical);
        }
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.3+build",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3-a..b",
            "V1.2.3",
            "vv1.2.3",
            "1.2.x",
            " 1.2.3",
            "1.2.3-ü",
            "not-a-version",
        ] {
            assert!(bad.parse::<ModuleVersion>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn versions_sort_by_semver_precedence() {
        let mut v: Vec<ModuleVersion> =
            ["1.10.0", "1.2.0", "1.2.0-rc.2", "1.2.0-rc.10", "1.2.0-beta"]
                .iter()
                .map(|s| s.parse().unwrap())
                .collect();
        v.sort();
        let order: Vec<&str> = v.iter().map(ModuleVersion::as_str).collect();
        assert_eq!(
            order,
            ["1.2.0-beta", "1.2.0-rc.2", "1.2.0-rc.10", "1.2.0", "1.10.0"]
        );
    }

    #[test]
    fn names_and_systems_as_terraform_takes_them() {
        assert!("vpc".parse::<ModuleName>().is_ok());
        assert!("my_vpc-2".parse::<ModuleName>().is_ok());
        for bad in ["", "-vpc", "vpc-", "a/b", "a b", "ü"] {
            assert!(bad.parse::<ModuleName>().is_err(), "{bad:?}");
        }
        assert!(ModuleName::system("aws").is_ok());
        assert!(ModuleName::system("AWS").is_err());
        assert!(ModuleName::system("a-b").is_err());
        let address = ModuleAddress {
            namespace: "platform".parse().unwrap(),
            name: "vpc".parse().unwrap(),
            system: ModuleName::system("aws").unwrap(),
        };
        assert_eq!(
            address.record_key(&"1.2.0".parse().unwrap()),
            "Module~platform~vpc~aws~1.2.0"
        );
    }
}
