//! The manifest that names many modules of one tree for one `publish`:
//!
//! ```json
//! {"modules": [
//!   {"path": "modules/vpc", "namespace": "platform", "name": "vpc", "system": "aws"},
//!   {"path": "modules/dns", "name": "dns", "system": "aws", "version": "2.1.0"}
//! ]}
//! ```
//!
//! `path` is relative to the manifest's folder; `namespace` and `version` default to
//! the command's `--namespace` and `--version`.

use serde::Deserialize;

use super::address::{ModuleName, ModuleVersion};
use crate::registry::grants::Namespace;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    modules: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    path: String,
    namespace: Option<String>,
    name: String,
    system: String,
    version: Option<String>,
}

/// One module of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManifestEntry {
    pub(crate) path: String,
    pub(crate) namespace: Option<Namespace>,
    pub(crate) name: ModuleName,
    pub(crate) system: ModuleName,
    pub(crate) version: Option<ModuleVersion>,
}

/// Read a manifest: every entry checked, or why not (naming the entry).
pub(crate) fn parse_manifest(text: &str) -> Result<Vec<ManifestEntry>, String> {
    let doc: Doc = serde_json::from_str(text).map_err(|e| format!("not a manifest: {e}"))?;
    if doc.modules.is_empty() {
        return Err("it names no module".to_owned());
    }
    doc.modules
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let at = |what: String| format!("module {} ({}): {what}", i + 1, e.path);
            Ok(ManifestEntry {
                namespace: e
                    .namespace
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|err: crate::registry::grants::NamespaceError| at(err.to_string()))?,
                name: e
                    .name
                    .parse()
                    .map_err(|err: super::address::NameError| at(err.to_string()))?,
                system: ModuleName::system(&e.system).map_err(|err| at(err.to_string()))?,
                version: e
                    .version
                    .as_deref()
                    .map(str::parse)
                    .transpose()
                    .map_err(|err: super::address::VersionError| at(err.to_string()))?,
                path: e.path.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked_and_named() {
        let ok = parse_manifest(
            r#"{"modules": [{"path": "a", "name": "vpc", "system": "aws"},
                            {"path": "b", "namespace": "apps", "name": "web", "system": "aws", "version": "v1.0.0"}]}"#,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].version.as_ref().unwrap().as_str(), "1.0.0");
        let err = parse_manifest(r#"{"modules": [{"path": "a", "name": "vpc", "system": "AWS"}]}"#)
            .unwrap_err();
        assert!(
            err.starts_with("module 1 (a): invalid module system"),
            "{err}"
        );
        assert!(parse_manifest(r#"{"modules": [], "x": 1}"#).is_err());
        assert!(parse_manifest(r#"{"modules": []}"#).is_err());
    }
}
