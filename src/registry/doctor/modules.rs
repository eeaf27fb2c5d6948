//! Where a tool is sent for a host's modules: a `host` block in what it reads, else the
//! registry's discovery document; and what the doctor says of it.

use reqwest::Url;

use super::finding::{Finding, FindingKind, Level};
use super::inspect::HostOverride;
use crate::exit::chain;
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::discovery::{Discovery, MODULES_SERVICE, modules_url};
use crate::registry::layout::Tool;
use crate::registry::token::TokenError;

/// Where `tool` is sent for `host`'s modules (`None`: it finds no modules service and
/// fails), with the finding that says so. `base` is where the registry was reached,
/// `discovery` what it answered there.
pub(super) fn modules_of(
    tool: Tool,
    host: &RegistryHost,
    base: &BaseUrl,
    discovery: &Result<Discovery, TokenError>,
    over: Option<&HostOverride>,
) -> (Option<Url>, Finding) {
    let finding = |level, url: Option<&Url>, file: Option<&HostOverride>, message, fix| {
        let kind = FindingKind::Modules {
            url: url.map(Url::to_string),
            file: file.map(|o| o.file.clone()),
        };
        Finding::new(level, kind, tool, message, fix)
    };
    let fails = format!("`init` fails with \"host {host} does not provide a modules service\"");
    let install_fix = format!(
        "run `install-registry-credentials-helper --registry-host {host}`: it adds a services override (docs/registry.md)"
    );
    let discovered = match discovery {
        Ok(Discovery::Modules(value)) => modules_url(base, value).ok(),
        _ => None,
    };
    if let Some(over) = over {
        let file = over.file.display();
        let Some(url) = over
            .modules
            .as_deref()
            .and_then(|v| modules_url(base, v).ok())
        else {
            let message = format!(
                "the host block for {host} in {file} names no {MODULES_SERVICE} service: {fails}"
            );
            let fix = format!("give it {MODULES_SERVICE}, or remove it");
            return (
                None,
                finding(Level::Problem, None, Some(over), message, Some(fix)),
            );
        };
        if over.managed
            && let Some(found) = &discovered
        {
            let message = format!(
                "the services override in {file} sends module calls for {host} to {url}, but its \
                 discovery document is right now ({MODULES_SERVICE} at {found}): it is not needed any more"
            );
            let fix = format!(
                "re-run `install-registry-credentials-helper --registry-host {host}`: it removes the override"
            );
            return (
                Some(url.clone()),
                finding(Level::Warning, Some(&url), Some(over), message, Some(fix)),
            );
        }
        let why = match discovery {
            Ok(d) => d
                .defect()
                .map(|defect| format!(", instead of discovery: {defect}"))
                .unwrap_or_default(),
            Err(_) => " (discovery is not asked)".to_owned(),
        };
        let message =
            format!("the host block in {file} sends module calls for {host} to {url}{why}");
        return (
            Some(url.clone()),
            finding(Level::Ok, Some(&url), Some(over), message, None),
        );
    }
    match (discovery, discovered) {
        (Ok(_), Some(url)) => {
            let message = format!("{host}'s discovery document sends module calls to {url}");
            (
                Some(url.clone()),
                finding(Level::Ok, Some(&url), None, message, None),
            )
        }
        (Ok(d), None) => {
            let defect = d
                .defect()
                .unwrap_or_else(|| "its modules URL is not one".to_owned());
            let fix = match d {
                Discovery::Misnamed(_) => install_fix,
                _ => format!(
                    "add `host \"{host}\" {{ services = {{ \"{MODULES_SERVICE}\" = \"https://{host}/v1/modules/\" }} }}` \
                     (with the registry's modules API) to the CLI config"
                ),
            };
            let message = format!("{fails}: {defect}");
            (
                None,
                finding(Level::Problem, None, None, message, Some(fix)),
            )
        }
        (Err(e), _) => {
            let message = format!(
                "`init` cannot read {host}'s discovery document: {}",
                chain(e)
            );
            (None, finding(Level::Problem, None, None, message, None))
        }
    }
}
