//! The identity a command's AWS credentials would come from, named without resolving
//! them (no network, no credential process): cached secrets are keyed by it, so another
//! identity that happens to share a profile name (a CI HOME shared by jobs) never gets
//! the first one's token.
//!
//! It covers what changes when the signing identity does: the profile, the AWS files'
//! paths, what the profile (and its source profiles and SSO session) says about where
//! credentials come from, and the environment's static, web-identity and container
//! sources. Secrets are never part of it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::selection::AwsSelection;
use crate::env;

/// Profile settings that decide which identity signs (never a secret).
const IDENTITY_SETTINGS: &[&str] = &[
    "aws_access_key_id",
    "role_arn",
    "source_profile",
    "credential_source",
    "external_id",
    "role_session_name",
    "mfa_serial",
    "web_identity_token_file",
    "credential_process",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_session",
];

/// Environment variables that decide which identity signs (never a secret).
const IDENTITY_VARIABLES: &[&str] = &[
    env::AWS_ACCESS_KEY_ID,
    env::AWS_ROLE_ARN,
    env::AWS_ROLE_SESSION_NAME,
    env::AWS_WEB_IDENTITY_TOKEN_FILE,
    env::AWS_CONTAINER_CREDENTIALS_FULL_URI,
    env::AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
];

/// `profile=NAME[;access_key_id=ID];sha256=DIGEST`: readable where it can be, a digest
/// of everything else.
pub(crate) fn fingerprint(args: &AwsSelection) -> String {
    let profile = args.profile_name();
    let home = dirs::home_dir().unwrap_or_default();
    let config_path = env::var(env::AWS_CONFIG_FILE)
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("config"));
    let credentials_path = env::var(env::AWS_SHARED_CREDENTIALS_FILE)
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("credentials"));
    let text = |path: &std::path::Path| {
        crate::fsutil::read_regular(path, crate::fsutil::MAX_CONFIG_BYTES)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let config = ini(&text(&config_path));
    let credentials = ini(&text(&credentials_path));

    let mut facts = vec![
        format!("profile={profile}"),
        format!("config_file={}", config_path.display()),
        format!("credentials_file={}", credentials_path.display()),
    ];
    for name in IDENTITY_VARIABLES {
        if let Some(v) = env::var(name) {
            facts.push(format!("env:{name}={v}"));
        }
    }
    // The profile, then the profiles it takes credentials from.
    let mut next = Some(profile.clone());
    let mut seen = Vec::new();
    let mut key_id = env::var(env::AWS_ACCESS_KEY_ID);
    while let Some(name) = next.take() {
        if seen.contains(&name) || seen.len() > 8 {
            break;
        }
        let config_section = if name == "default" {
            "default".to_owned()
        } else {
            format!("profile {name}")
        };
        for (file, section) in [(&config, config_section), (&credentials, name.clone())] {
            let Some(settings) = file.get(&section) else {
                continue;
            };
            for key in IDENTITY_SETTINGS {
                if let Some(v) = settings.get(*key) {
                    facts.push(format!("{name}.{key}={v}"));
                    match *key {
                        "source_profile" => next = Some(v.clone()),
                        "aws_access_key_id" => {
                            key_id.get_or_insert_with(|| v.clone());
                        }
                        "sso_session" => {
                            if let Some(session) = config.get(&format!("sso-session {v}")) {
                                for (k, sv) in session {
                                    facts.push(format!("sso-session {v}.{k}={sv}"));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        seen.push(name);
    }
    let mut digest = Sha256::new();
    for fact in &facts {
        digest.update(fact.as_bytes());
        digest.update(b"\n");
    }
    let digest = hex::encode(&digest.finalize()[..16]);
    match key_id {
        Some(id) => format!("profile={profile};access_key_id={id};sha256={digest}"),
        None => format!("profile={profile};sha256={digest}"),
    }
}

/// Sections of an AWS config or credentials file: `[name]` then `key = value` lines.
/// Anything else (comments, nested settings) is skipped.
fn ini(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            current = Some(name);
            continue;
        }
        if let (Some(section), Some((k, v))) = (&current, line.split_once('=')) {
            sections
                .entry(section.clone())
                .or_default()
                .insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_settings() {
        let text = "# comment\n[default]\nregion = eu-west-1\n[profile  ci ]\nrole_arn = arn:aws:iam::1:role/ci\nsource_profile=default\n";
        let s = ini(text);
        assert_eq!(s["default"]["region"], "eu-west-1");
        assert_eq!(s["profile ci"]["role_arn"], "arn:aws:iam::1:role/ci");
        assert_eq!(s["profile ci"]["source_profile"], "default");
    }
}
