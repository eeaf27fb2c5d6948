//! `host "HOST" { services = { "modules.v1" = "URL" } }` blocks: reading where one sends
//! a host's module calls, and keeping the ones this toolkit writes (each between our
//! marker lines) exactly as wanted, leaving every other byte of the file as it was.

use super::{
    Added, BEGIN_MARKER, Block, ConfigError, END_MARKER, Removed, attribute, blocks, hcl_string,
};
use crate::registry::discovery::MODULES_SERVICE;

/// A `host` block as a tool reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostBlock {
    pub(crate) host: String,
    /// Its services' `modules.v1`, when it is a plain string.
    pub(crate) modules: Option<String>,
    /// This toolkit wrote it.
    pub(crate) managed: bool,
}

/// `modules.v1` in a `services = { ... }` value (the key quoted or not, `=` or `:`).
pub(super) fn modules_service(services: &str) -> Option<String> {
    let services = services.strip_prefix('{')?;
    let at = services.find(MODULES_SERVICE)?;
    let rest = services[at + MODULES_SERVICE.len()..]
        .trim_start_matches('"')
        .trim_start();
    let rest = rest
        .strip_prefix('=')
        .or_else(|| rest.strip_prefix(':'))?
        .trim_start();
    super::read_string(&mut rest.chars().peekable())
}

pub(super) fn host_block_of(text: &str, b: &Block) -> Option<HostBlock> {
    let host = b.label.clone()?;
    let body = &text[b.body.clone()];
    Some(HostBlock {
        host,
        modules: attribute(body, "services").and_then(modules_service),
        managed: b.managed,
    })
}

/// A `host` block that sends `host`'s module calls to `modules` (what the `config`
/// output prints).
pub(crate) fn host_block(host: &str, modules: &str) -> String {
    host_block_ending(host, modules, "\n")
}

fn host_block_ending(host: &str, modules: &str, eol: &str) -> String {
    format!(
        "host {} {{{eol}  services = {{{eol}    {} = {}{eol}  }}{eol}}}{eol}",
        hcl_string(host),
        hcl_string(MODULES_SERVICE),
        hcl_string(modules)
    )
}

/// [`host_block`] between our marker lines.
fn override_block_ending(host: &str, modules: &str, eol: &str) -> String {
    format!(
        "{BEGIN_MARKER}{eol}{}{END_MARKER}{eol}",
        host_block_ending(host, modules, eol)
    )
}

/// What a file's managed `host` block for one host should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostWanted {
    /// Sending its module calls here.
    Override(String),
    /// None.
    Absent,
    /// As it is (its registry could not be asked).
    Keep,
}

/// `text` with its managed `host` blocks as `wanted` says (a managed block for a host
/// not in `wanted` goes), the blocks removed and the blocks added. A host that has a
/// `host` block of the user's own keeps it and gets none of ours.
pub(crate) fn plan_host_blocks(
    text: &str,
    wanted: &[(String, HostWanted)],
    eol: &str,
) -> Result<(String, Vec<Removed>, Vec<Added>), ConfigError> {
    let found: Vec<Block> = blocks(text)?
        .into_iter()
        .filter(|b| b.kind == "host")
        .collect();
    let theirs = |host: &str| {
        found.iter().any(|b| {
            !b.managed
                && b.label
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(host))
        })
    };
    let want_of = |host: &str| {
        wanted
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map(|(_, w)| w)
    };
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let mut added = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    let mut pos = 0;
    for b in found.iter().filter(|b| b.managed) {
        let host = b.label.clone().unwrap_or_default();
        let current = text[b.span.clone()].to_owned();
        let replacement = match want_of(&host) {
            Some(HostWanted::Keep) => Some(current.clone()),
            Some(HostWanted::Override(url)) if !theirs(&host) && !kept.contains(&host) => {
                Some(override_block_ending(&host, url, eol))
            }
            _ => None,
        };
        let mut start = b.span.start;
        if replacement.is_none() && text[..start].ends_with(&eol.repeat(2)) {
            start -= eol.len();
        }
        out.push_str(&text[pos..start.max(pos)]);
        match replacement {
            Some(new) => {
                if new != current {
                    removed.push(Removed {
                        kind: "host".to_owned(),
                        label: host.clone(),
                        text: current,
                        ours: true,
                    });
                    added.push(Added {
                        kind: "host",
                        label: host.clone(),
                        text: new.clone(),
                    });
                }
                out.push_str(&new);
                kept.push(host);
            }
            None => removed.push(Removed {
                kind: "host".to_owned(),
                label: host,
                text: current,
                ours: true,
            }),
        }
        pos = b.span.end;
    }
    out.push_str(&text[pos..]);
    for (host, want) in wanted {
        let HostWanted::Override(url) = want else {
            continue;
        };
        if theirs(host) || kept.iter().any(|k| k.eq_ignore_ascii_case(host)) {
            continue;
        }
        let block = override_block_ending(host, url, eol);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        if !out.is_empty() && !out.ends_with(&eol.repeat(2)) {
            out.push_str(eol);
        }
        out.push_str(&block);
        added.push(Added {
            kind: "host",
            label: host.clone(),
            text: block,
        });
        kept.push(host.clone());
    }
    Ok((out, removed, added))
}

#[cfg(test)]
mod tests {
    use super::super::CredentialsConfig;
    use super::*;

    const URL: &str = "https://r.example.com/v1/modules/";

    fn want(url: &str) -> Vec<(String, HostWanted)> {
        vec![("r.example.com".into(), HostWanted::Override(url.into()))]
    }

    #[test]
    fn an_override_is_added_once_read_back_changed_and_removed() {
        let start = "plugin_cache_dir = \"/tmp/p\"\n";
        let (text, removed, added) = plan_host_blocks(start, &want(URL), "\n").unwrap();
        assert!(removed.is_empty());
        assert_eq!(added.len(), 1);
        assert!(text.starts_with(start), "{text}");
        let read = CredentialsConfig::parse(&text, false).unwrap();
        assert_eq!(
            read.hosts,
            [HostBlock {
                host: "r.example.com".into(),
                modules: Some(URL.into()),
                managed: true
            }]
        );
        // Again: nothing changes.
        let (again, removed, added) = plan_host_blocks(&text, &want(URL), "\n").unwrap();
        assert_eq!(
            (again.as_str(), removed.len(), added.len()),
            (text.as_str(), 0, 0)
        );
        // Another address: replaced in place.
        let other = "https://localhost:8443/v1/modules/";
        let (moved, removed, added) = plan_host_blocks(&text, &want(other), "\n").unwrap();
        assert_eq!((removed.len(), added.len()), (1, 1));
        assert!(moved.contains(other) && !moved.contains(URL), "{moved}");
        // Kept while its registry cannot be asked.
        let keep = vec![("r.example.com".to_owned(), HostWanted::Keep)];
        assert_eq!(plan_host_blocks(&moved, &keep, "\n").unwrap().0, moved);
        // Gone once it is not needed, with the blank line before it.
        let absent = vec![("r.example.com".to_owned(), HostWanted::Absent)];
        let (gone, removed, _) = plan_host_blocks(&moved, &absent, "\n").unwrap();
        assert_eq!(removed.len(), 1);
        assert_eq!(gone, start);
        // A host nobody wants any more loses ours too.
        assert_eq!(plan_host_blocks(&moved, &[], "\n").unwrap().0, start);
    }

    #[test]
    fn the_users_own_host_block_is_left_and_wins() {
        let theirs = "host \"R.example.com\" {\n  services = { \"modules.v1\" = \"https://mirror/v1/\" }\n}\n";
        let (text, removed, added) = plan_host_blocks(theirs, &want(URL), "\n").unwrap();
        assert_eq!((text.as_str(), removed.len(), added.len()), (theirs, 0, 0));
        let read = CredentialsConfig::parse(theirs, false).unwrap();
        assert_eq!(read.hosts[0].modules.as_deref(), Some("https://mirror/v1/"));
        assert!(!read.hosts[0].managed);
    }

    #[test]
    fn crlf_files_get_crlf_blocks_and_json_files_are_read() {
        let (text, _, _) = plan_host_blocks("a = 1\r\n", &want(URL), "\r\n").unwrap();
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
        let json = r#"{"host": {"r.example.com": {"services": {"modules.v1": "https://x/v1/"}}}}"#;
        let read = CredentialsConfig::parse(json, true).unwrap();
        assert_eq!(read.hosts[0].modules.as_deref(), Some("https://x/v1/"));
    }
}
