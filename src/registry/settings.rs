//! Per-host registry settings: `~/.cdk/registries.json`, the one file that says, for
//! each registry host, which AWS profile and region sign its token requests, for which
//! service, where the requests go and how long a token should live. Terraform and
//! OpenTofu read one credentials helper for every host; this file is how one helper
//! serves a registry in each account.
//!
//! ```json
//! {
//!   "version": 1,
//!   "registries": {
//!     "registry.dev.example.com": { "profile": "dev", "region": "eu-west-1" },
//!     "modules.prod.example.com": { "profile": "prod", "service": "lambda", "token_lifetime": 14400 }
//!   }
//! }
//! ```
//!
//! It is configuration, not cache: it lives beside `~/.cdk/cache`, 0600, written by
//! `install-registry-credentials-helper` atomically under a lock, and refused when
//! someone else could have written it. Command-line flags override it; it overrides
//! the environment (`AWS_PROFILE`, `AWS_REGION`), which is not per host.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::host::RegistryHost;
use super::token::MAX_EXPIRATION_SECONDS;
use super::token::Service;
use crate::aws::names::{Profile, Region};
use crate::fsutil::{GroupWrite, PrivateFile, Refusal};
use crate::http::BaseUrl;

/// The file's name, in `~/.cdk`.
pub(crate) const FILE_NAME: &str = "registries.json";
const VERSION: u32 = 1;

/// One host's settings; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HostSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) profile: Option<Profile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<Region>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) service: Option<Service>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_text",
        deserialize_with = "from_text"
    )]
    pub(crate) registry_url: Option<BaseUrl>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lifetime"
    )]
    pub(crate) token_lifetime: Option<u64>,
}

impl HostSettings {
    /// These settings, with every field `other` sets replacing this one's.
    pub(crate) fn updated_by(&self, other: &HostSettings) -> HostSettings {
        HostSettings {
            profile: other.profile.clone().or_else(|| self.profile.clone()),
            region: other.region.clone().or_else(|| self.region.clone()),
            service: other.service.or(self.service),
            registry_url: other
                .registry_url
                .clone()
                .or_else(|| self.registry_url.clone()),
            token_lifetime: other.token_lifetime.or(self.token_lifetime),
        }
    }
}

impl<'de> Deserialize<'de> for RegistryHost {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for RegistryHost {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl PartialOrd for RegistryHost {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RegistryHost {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

fn as_text<S: Serializer>(value: &Option<BaseUrl>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn from_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BaseUrl>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse()
        .map(Some)
        .map_err(|e: crate::http::UrlError| serde::de::Error::custom(e.to_string()))
}

fn lifetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let seconds = u64::deserialize(d)?;
    if (1..=MAX_EXPIRATION_SECONDS).contains(&seconds) {
        Ok(Some(seconds))
    } else {
        Err(serde::de::Error::custom(format!(
            "token_lifetime {seconds} is not 1 to {MAX_EXPIRATION_SECONDS} seconds"
        )))
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    #[serde(default)]
    registries: BTreeMap<RegistryHost, HostSettings>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum SettingsError {
    #[error("{} line {line}: {reason}: {}", path.display(), fix_for(.host))]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: String,
        /// The host whose entry is wrong, when that is what is wrong.
        host: Option<RegistryHost>,
    },
    #[error(
        "{} is open to others ({what}): it decides which AWS identity signs for each registry, so it is \
         not used; make it yours alone ({})",
        path.display(),
        crate::fsutil::PRIVATE_FIX
    )]
    Unsafe { path: PathBuf, what: String },
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// What to do about a settings file that does not parse: a command that works.
fn fix_for(host: &Option<RegistryHost>) -> String {
    match host {
        Some(host) => format!(
            "fix that entry (the format is in docs/registry.md), or remove it with \
             `install-registry-credentials-helper --uninstall --registry-host {host}`"
        ),
        None => "fix the file by hand (the format is in docs/registry.md), or remove it and run \
                 install-registry-credentials-helper again for each host"
            .to_owned(),
    }
}

/// The largest settings file read.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The hosts and their settings, as read from (and written back to) the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegistrySettings {
    path: PathBuf,
    hosts: BTreeMap<RegistryHost, HostSettings>,
}

impl RegistrySettings {
    /// `~/.cdk/registries.json` under `home`.
    pub(crate) fn path_in(home: &Path) -> PathBuf {
        home.join(".cdk").join(FILE_NAME)
    }

    /// Read the file at `path` (a regular file, at most 1 MiB); a missing file holds no
    /// hosts.
    pub(crate) fn load(path: &Path) -> Result<Self, SettingsError> {
        Ok(Self::load_forgiving(path, &[])?.0)
    }

    /// [`RegistrySettings::load`], where an entry of `forgiven` that does not parse is
    /// left out rather than refused (a host whose entry is wrong can still be
    /// uninstalled): the settings, and the hosts whose entries were left out.
    pub(crate) fn load_forgiving(
        path: &Path,
        forgiven: &[RegistryHost],
    ) -> Result<(Self, Vec<RegistryHost>), SettingsError> {
        let file = PrivateFile::new(path.to_owned());
        let bytes = match file.read(MAX_FILE_BYTES, GroupWrite::Refused) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Ok((
                    Self {
                        path: path.to_owned(),
                        hosts: BTreeMap::new(),
                    },
                    Vec::new(),
                ));
            }
            Err(Refusal::Unreadable(reason)) => {
                return Err(SettingsError::Read {
                    path: path.to_owned(),
                    source: io::Error::other(reason),
                });
            }
            Err(Refusal::Untrusted(what)) => {
                return Err(SettingsError::Unsafe {
                    path: path.to_owned(),
                    what,
                });
            }
        };
        let malformed =
            |line: usize, reason: String, host: Option<RegistryHost>| SettingsError::Malformed {
                path: path.to_owned(),
                line,
                reason,
                host,
            };
        let mut left_out = Vec::new();
        let hosts = match serde_json::from_slice::<Document>(&bytes) {
            Ok(doc) if doc.version != VERSION => {
                return Err(malformed(
                    1,
                    format!("format version {} is not {VERSION}", doc.version),
                    None,
                ));
            }
            Ok(doc) => doc.registries,
            Err(e) => {
                // serde_json says where: the reason without its " at line L column C".
                let reason = e.to_string();
                let reason = reason
                    .rsplit_once(" at line ")
                    .map_or(reason.as_str(), |(r, _)| r)
                    .to_owned();
                let line = e.line().max(1);
                match entries_apart(&bytes) {
                    // Only forgiven hosts are wrong: the others stand.
                    Some((good, bad))
                        if !bad.is_empty() && bad.iter().all(|h| forgiven.contains(h)) =>
                    {
                        left_out = bad;
                        good
                    }
                    Some((_, bad)) => return Err(malformed(line, reason, bad.into_iter().next())),
                    None => return Err(malformed(line, reason, None)),
                }
            }
        };
        Ok((
            Self {
                path: path.to_owned(),
                hosts,
            },
            left_out,
        ))
    }

    /// The user's file, `~/.cdk/registries.json`, to read; without a home folder, no
    /// hosts (and nowhere to save).
    pub(crate) fn load_users() -> Result<Self, SettingsError> {
        match dirs::home_dir() {
            Some(home) => Self::load(&Self::path_in(&home)),
            None => Ok(Self {
                path: PathBuf::new(),
                hosts: BTreeMap::new(),
            }),
        }
    }

    /// Where it is kept.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn get(&self, host: &RegistryHost) -> Option<&HostSettings> {
        self.hosts.get(host)
    }

    /// Every host configured, in order.
    pub(crate) fn hosts(&self) -> impl Iterator<Item = &RegistryHost> {
        self.hosts.keys()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }

    /// Record `settings` for `host`, over what it had.
    pub(crate) fn set(&mut self, host: &RegistryHost, settings: &HostSettings) {
        let merged = self
            .hosts
            .get(host)
            .cloned()
            .unwrap_or_default()
            .updated_by(settings);
        self.hosts.insert(host.clone(), merged);
    }

    /// Forget `host`; whether it was there.
    pub(crate) fn remove(&mut self, host: &RegistryHost) -> bool {
        self.hosts.remove(host).is_some()
    }

    /// The file's text: pretty JSON with a final newline.
    pub(crate) fn render(&self) -> Result<String, SettingsError> {
        let doc = Document {
            version: VERSION,
            registries: self.hosts.clone(),
        };
        let mut text = crate::output::pretty_json(&doc).map_err(|e| SettingsError::Write {
            path: self.path.clone(),
            source: io::Error::other(e),
        })?;
        text.push('\n');
        Ok(text)
    }

    /// The file's text as it is on disk (empty when there is none).
    pub(crate) fn on_disk(&self) -> String {
        fs::read_to_string(&self.path).unwrap_or_default()
    }

    /// Take the lock every change of the file at `path` is made under (its folder is
    /// created, 0700, when missing): held from before the file is read until it is
    /// written, it makes concurrent installs take turns.
    pub(crate) fn lock(path: &Path) -> Result<crate::fsutil::FileLock, SettingsError> {
        PrivateFile::new(path.to_owned())
            .lock()
            .map_err(|source| SettingsError::Write {
                path: path.to_owned(),
                source,
            })
    }

    /// The file, to stage its new text (0600) beside it.
    pub(crate) fn file(&self) -> PrivateFile {
        PrivateFile::new(self.path.clone())
    }
}

/// A file that does not parse, entry by entry: the entries that do, and the hosts whose
/// entries do not; `None` when what is wrong is not one host's entry (the JSON itself,
/// the version, a host name).
fn entries_apart(
    bytes: &[u8],
) -> Option<(BTreeMap<RegistryHost, HostSettings>, Vec<RegistryHost>)> {
    let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).ok()?;
    let entries = match doc.remove("registries") {
        Some(serde_json::Value::Object(entries)) => entries,
        None => serde_json::Map::new(),
        Some(_) => return None,
    };
    let version = doc.remove("version")?;
    if version != serde_json::json!(VERSION) || !doc.is_empty() {
        return None;
    }
    let mut good = BTreeMap::new();
    let mut bad = Vec::new();
    for (name, entry) in entries {
        let host: RegistryHost = name.parse().ok()?;
        match serde_json::from_value::<HostSettings>(entry) {
            Ok(settings) => {
                good.insert(host, settings);
            }
            Err(_) => bad.push(host),
        }
    }
    Some((good, bad))
}

/// Where a setting that applies came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A command-line flag (or the helper's arguments in the CLI config).
    Flag,
    /// The host's entry in the settings file.
    File,
    /// An environment variable.
    Environment(&'static str),
    /// Nothing set it.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("command line"),
            // As the user's shell writes them.
            Origin::File if cfg!(windows) => write!(f, "%USERPROFILE%\\.cdk\\{FILE_NAME}"),
            Origin::File => write!(f, "~/.cdk/{FILE_NAME}"),
            Origin::Environment(name) if cfg!(windows) => write!(f, "%{name}%"),
            Origin::Environment(name) => write!(f, "${name}"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved<T> {
    pub(crate) value: T,
    pub(crate) origin: Origin,
}

/// The settings one command gives for a host, before the file is consulted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HostFlags {
    pub(crate) profile: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) service: Option<Service>,
    pub(crate) registry_url: Option<BaseUrl>,
    pub(crate) token_lifetime: Option<u64>,
}

impl HostFlags {
    /// The profile and region `aws` names, nothing else set.
    pub(crate) fn from_aws(aws: &crate::aws::AwsSelection) -> Self {
        Self {
            profile: aws.profile.clone(),
            region: aws.region.clone(),
            ..Self::default()
        }
    }

    /// These flags as settings to record for a host. Profile and region were checked
    /// where they were given; one that is not a valid name is left out.
    pub(crate) fn to_settings(&self) -> HostSettings {
        HostSettings {
            profile: self.profile.as_deref().and_then(|p| p.parse().ok()),
            region: self.region.as_deref().and_then(|r| r.parse().ok()),
            service: self.service,
            registry_url: self.registry_url.clone(),
            token_lifetime: self.token_lifetime,
        }
    }
}

/// The settings that apply to one host, each with its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostConfig {
    /// `None`: the SDK's choice (the `default` profile).
    pub(crate) profile: Resolved<Option<String>>,
    /// `None`: the profile's region.
    pub(crate) region: Resolved<Option<String>>,
    pub(crate) service: Resolved<Service>,
    /// `None`: `https://HOST/`.
    pub(crate) registry_url: Resolved<Option<BaseUrl>>,
    /// `None`: the command's own default.
    pub(crate) token_lifetime: Resolved<Option<u64>>,
}

/// The first of the flag, the file and the environment that sets a value.
fn pick<T>(
    flag: Option<T>,
    file: Option<T>,
    env: Option<(&'static str, T)>,
) -> Resolved<Option<T>> {
    match (flag, file, env) {
        (Some(v), _, _) => Resolved {
            value: Some(v),
            origin: Origin::Flag,
        },
        (None, Some(v), _) => Resolved {
            value: Some(v),
            origin: Origin::File,
        },
        (None, None, Some((name, v))) => Resolved {
            value: Some(v),
            origin: Origin::Environment(name),
        },
        (None, None, None) => Resolved {
            value: None,
            origin: Origin::Default,
        },
    }
}

impl HostConfig {
    /// Flags over the host's entry in the file over the environment (`variable`
    /// looks it up).
    pub(crate) fn resolve(
        flags: &HostFlags,
        file: Option<&HostSettings>,
        variable: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let env = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|name| variable(name).map(|v| (*name, v)))
        };
        let service = pick(flags.service, file.and_then(|f| f.service), None);
        Self {
            profile: pick(
                flags.profile.clone(),
                file.and_then(|f| f.profile.as_ref())
                    .map(ToString::to_string),
                env(&[crate::env::AWS_PROFILE]),
            ),
            region: pick(
                flags.region.clone(),
                file.and_then(|f| f.region.as_ref())
                    .map(ToString::to_string),
                env(&[crate::env::AWS_REGION, crate::env::AWS_DEFAULT_REGION]),
            ),
            service: Resolved {
                value: service.value.unwrap_or(Service::ExecuteApi),
                origin: service.origin,
            },
            registry_url: pick(
                flags.registry_url.clone(),
                file.and_then(|f| f.registry_url.clone()),
                None,
            ),
            token_lifetime: pick(
                flags.token_lifetime,
                file.and_then(|f| f.token_lifetime),
                None,
            ),
        }
    }

    /// `aws` with this host's profile and region where the flags or the file set them
    /// (the environment is the SDK's to read).
    pub(crate) fn aws_selection(&self, aws: &crate::aws::AwsSelection) -> crate::aws::AwsSelection {
        let chosen = |r: &Resolved<Option<String>>| {
            matches!(r.origin, Origin::Flag | Origin::File)
                .then(|| r.value.clone())
                .flatten()
        };
        crate::aws::AwsSelection {
            profile: chosen(&self.profile),
            region: chosen(&self.region),
            ..aws.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    fn host(h: &str) -> RegistryHost {
        h.parse().unwrap()
    }

    /// What an install's plan writes: the rendered file, or none without hosts.
    fn save(settings: &RegistrySettings) {
        if settings.is_empty() {
            let _ = fs::remove_file(settings.path());
            return;
        }
        crate::fsutil::create_private_dir_all(settings.path().parent().unwrap()).unwrap();
        crate::fsutil::replace(
            settings.path(),
            settings.render().unwrap().as_bytes(),
            crate::fsutil::Ownership::mine(0o600),
        )
        .unwrap();
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let cdk = dir.join(".cdk");
        crate::fsutil::create_private_dir_all(&cdk).unwrap();
        let path = cdk.join(FILE_NAME);
        crate::fsutil::replace(
            &path,
            text.as_bytes(),
            crate::fsutil::Ownership::mine(0o600),
        )
        .unwrap();
        path
    }

    #[test]
    fn hosts_round_trip_and_keep_each_other() {
        let home = tempfile::tempdir().unwrap();
        let path = RegistrySettings::path_in(home.path());
        let mut settings = RegistrySettings::load(&path).unwrap();
        assert!(settings.is_empty());
        let dev = HostSettings {
            profile: Some("dev".parse().unwrap()),
            region: Some("eu-west-1".parse().unwrap()),
            ..HostSettings::default()
        };
        settings.set(&host("registry.dev.example.com"), &dev);
        settings.set(
            &host("modules.prod.example.com"),
            &HostSettings {
                profile: Some("prod".parse().unwrap()),
                service: Some(Service::Lambda),
                registry_url: Some("https://example.com/stage".parse().unwrap()),
                token_lifetime: Some(14_400),
                ..HostSettings::default()
            },
        );
        save(&settings);
        #[cfg(unix)]
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,\n  \"registries\": {\n    \"modules.prod.example.com\": {\n      \"profile\": \"prod\",\n      \"service\": \"lambda\",\n      \"registry_url\": \"https://example.com/stage/\","), "{text}");
        let back = RegistrySettings::load(&path).unwrap();
        assert_eq!(back, settings);
        // Updating one field of one host keeps the rest.
        let mut back = back;
        back.set(
            &host("registry.dev.example.com"),
            &HostSettings {
                region: Some("us-east-1".parse().unwrap()),
                ..HostSettings::default()
            },
        );
        let dev_now = back.get(&host("registry.dev.example.com")).unwrap();
        assert_eq!(dev_now.profile.as_ref().unwrap().to_string(), "dev");
        assert_eq!(dev_now.region.as_ref().unwrap().to_string(), "us-east-1");
        assert!(back.get(&host("modules.prod.example.com")).is_some());
        // The last host gone, the file goes.
        back.remove(&host("registry.dev.example.com"));
        back.remove(&host("modules.prod.example.com"));
        save(&back);
        assert!(!path.exists());
    }

    #[test]
    fn a_bad_file_names_its_line() {
        let home = tempfile::tempdir().unwrap();
        for (text, line, why) in [
            (
                "{\"version\": 1,\n \"registries\": {\n  \"a.example.com\": {\"profile\": 3}}}",
                3,
                "invalid type",
            ),
            (
                "{\"version\": 1,\n \"registries\": {\n\n  \"https://a.example.com\": {}}}",
                4,
                "must not include a scheme",
            ),
            (
                "{\"version\": 1,\n \"registries\": {\"a.example.com\": {\n \"token_lifetime\": 99999}}}",
                3,
                "is not 1 to 60000",
            ),
            (
                "{\"version\": 1,\n \"registries\": {\"a.example.com\": {\"profil\": \"x\"}}}",
                2,
                "unknown field",
            ),
            (
                "{\"version\": 1,\n \"registries\": {\"a.example.com\": {\"registry_url\": \"http://x.example.com\"}}}",
                2,
                "https",
            ),
            ("{\"version\": 2}", 1, "format version 2"),
            ("not json", 1, "expected"),
        ] {
            let path = write(home.path(), text);
            let e = RegistrySettings::load(&path).unwrap_err().to_string();
            assert!(
                e.contains(&format!("{FILE_NAME} line {line}: ")) && e.contains(why),
                "{text}: {e}"
            );
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_file_others_can_write_is_refused() {
        let home = tempfile::tempdir().unwrap();
        let path = write(home.path(), "{\"version\": 1}");
        assert!(RegistrySettings::load(&path).is_ok());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
        let e = RegistrySettings::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("is open to others (the file has mode 666)"),
            "{e}"
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        fs::set_permissions(path.parent().unwrap(), fs::Permissions::from_mode(0o777)).unwrap();
        let e = RegistrySettings::load(&path).unwrap_err().to_string();
        assert!(e.contains("its folder has mode 777"), "{e}");
    }

    #[test]
    fn flags_override_the_file_which_overrides_the_environment() {
        let file = HostSettings {
            profile: Some("dev".parse().unwrap()),
            service: Some(Service::Lambda),
            ..HostSettings::default()
        };
        let env = |name: &str| match name {
            "AWS_PROFILE" => Some("ambient".to_owned()),
            "AWS_DEFAULT_REGION" => Some("us-east-2".to_owned()),
            _ => None,
        };
        let c = HostConfig::resolve(&HostFlags::default(), Some(&file), env);
        assert_eq!(
            (c.profile.value.as_deref(), c.profile.origin),
            (Some("dev"), Origin::File)
        );
        assert_eq!(
            (c.region.value.as_deref(), c.region.origin),
            (Some("us-east-2"), Origin::Environment("AWS_DEFAULT_REGION"))
        );
        assert_eq!(
            (c.service.value, c.service.origin),
            (Service::Lambda, Origin::File)
        );
        assert_eq!(c.registry_url.origin, Origin::Default);
        let flags = HostFlags {
            profile: Some("cli".into()),
            ..HostFlags::default()
        };
        let c = HostConfig::resolve(&flags, Some(&file), env);
        assert_eq!(c.profile.value.as_deref(), Some("cli"));
        assert_eq!(c.profile.origin, Origin::Flag);
        // Only flags and the file are handed to the SDK; the environment is its own.
        let aws = c.aws_selection(&crate::aws::AwsSelection {
            profile: None,
            region: None,
            endpoint_url: None,
            aws_timeout: 30,
        });
        assert_eq!((aws.profile.as_deref(), aws.region), (Some("cli"), None));
        let none = HostConfig::resolve(&HostFlags::default(), None, |_| None);
        assert_eq!(none.service.value, Service::ExecuteApi);
        assert_eq!(none.profile.origin.to_string(), "default");
        let file = if cfg!(windows) {
            "%USERPROFILE%\\.cdk\\registries.json"
        } else {
            "~/.cdk/registries.json"
        };
        assert_eq!(Origin::File.to_string(), file);
        let region = if cfg!(windows) {
            "%AWS_REGION%"
        } else {
            "$AWS_REGION"
        };
        assert_eq!(Origin::Environment("AWS_REGION").to_string(), region);
    }
}
