//! Real Terraform CLIs (1.0.3, and a current 1.15.5) installing modules from two
//! private registries as lambda-terraform-module-registry 0.2.5 deploys them (the
//! package's own handler, whose discovery document names `modules_v1`) through one
//! credentials helper: each registry in its own AWS account, knowing only its own
//! caller, each host signed for with its own profile from ~/.cdk/registries.json. On the
//! current one, also through the `config`, `env`, `github` and `exec` outputs, and what
//! the doctor says of a variable that shadows the helper, held against what Terraform
//! does.
//!
//! Terraform reaches `registry-*.example.test` under those names, discovery included,
//! through the deployment's CONNECT proxy (`HTTPS_PROXY`); so does the toolkit.

use std::fs;
use std::path::PathBuf;
use std::process::Output;

use crate::support::registry::{Deployment, RegistrySpec};
use crate::support::terraform::Terraform;
use crate::support::{Run, stderr, stdout};

const DEV: (&str, &str) = ("AKIADEVDEVDEVDEV0001", "dev-secret");
const PROD: (&str, &str) = ("AKIAPRODPRODPROD0001", "prod-secret");
pub(crate) const REGISTRY_A: &str = "registry-a.example.test";
pub(crate) const REGISTRY_B: &str = "registry-b.example.test";

/// Two registries (A knows the dev account's caller and serves platform/vpc/aws, B the
/// prod one's and apps/web/aws), a HOME whose AWS profiles `dev` and `prod` sign as
/// those callers, and a Terraform project that uses both.
pub(crate) struct TwoAccounts {
    pub(crate) tf: Terraform,
    pub(crate) deployment: Deployment,
    pub(crate) workdir: PathBuf,
}

impl TwoAccounts {
    /// With the helper installed for both hosts (`install`), or with nothing configured.
    pub(crate) fn new(tf: Terraform, main_tf: &str, install: bool) -> Self {
        let deployment = Deployment::new(&[
            RegistrySpec {
                host: REGISTRY_A,
                profile: "dev",
                key: DEV,
                module: "platform/vpc/aws",
                label: "registry A (dev)",
            },
            RegistrySpec {
                host: REGISTRY_B,
                profile: "prod",
                key: PROD,
                module: "apps/web/aws",
                label: "registry B (prod)",
            },
        ]);
        let workdir = deployment.env.write("project/main.tf", main_tf);
        let workdir = workdir.parent().unwrap().to_owned();
        let two = Self {
            tf,
            deployment,
            workdir,
        };
        if install {
            for (host, profile) in [(REGISTRY_A, "dev"), (REGISTRY_B, "prod")] {
                let said = two
                    .cmd("install-registry-credentials-helper")
                    .args(["--registry-host", host, "--profile", profile])
                    .says();
                assert!(
                    said.contains(&format!(
                        "checked: Terraform will get a token for {host} from the helper, and find its modules at https://{host}/v1/modules/"
                    )),
                    "{said}"
                );
            }
        }
        two
    }

    pub(crate) fn cmd(&self, bin: &str) -> assert_cmd::Command {
        self.deployment.env.cmd(bin)
    }

    pub(crate) fn terraform(&self, args: &[&str]) -> Output {
        self.terraform_with(args, &[])
    }

    /// Terraform with more variables in its environment.
    pub(crate) fn terraform_with(&self, args: &[&str], vars: &[(String, String)]) -> Output {
        let mut cmd = self.tf.cmd(&self.deployment.env, &self.workdir, args);
        cmd.envs(vars.iter().map(|(k, v)| (k, v)));
        cmd.output().unwrap()
    }

    pub(crate) fn rc_path(&self) -> PathBuf {
        self.deployment.env.path().join(".terraformrc")
    }

    /// Delete what an init installed, so that the next init asks the registries again.
    pub(crate) fn forget_modules(&self) {
        let _ = fs::remove_dir_all(self.workdir.join(".terraform"));
    }

    pub(crate) fn module_output(&self, module: &str) -> String {
        fs::read_to_string(
            self.workdir
                .join(".terraform/modules")
                .join(module)
                .join("main.tf"),
        )
        .unwrap_or_else(|e| panic!("module {module} not installed: {e}"))
    }

    /// Both modules were installed, each from its own registry.
    pub(crate) fn installed_both(&self) {
        assert!(
            self.module_output("network")
                .contains("platform/vpc/aws 1.0.0 from registry A (dev)")
        );
        assert!(
            self.module_output("web")
                .contains("apps/web/aws 1.0.0 from registry B (prod)")
        );
    }

    fn stats(&self, host: &str) -> serde_json::Value {
        self.deployment.registry(host).stats_json()
    }

    fn cached_hosts(&self) -> Vec<String> {
        let text = fs::read_to_string(self.deployment.env.cache_dir().join("registry_tokens.json"))
            .unwrap_or_default();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut hosts: Vec<String> = doc["entries"]
            .as_object()
            .map(|m| {
                m.values()
                    .map(|e| e["host"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        hosts.sort();
        hosts
    }
}

pub(crate) const TWO_MODULES: &str = "module \"network\" {\n  source  = \"registry-a.example.test/platform/vpc/aws\"\n  version = \"1.0.0\"\n}\n\n\
                           module \"web\" {\n  source  = \"registry-b.example.test/apps/web/aws\"\n  version = \"1.0.0\"\n}\n";

/// `terraform init` installs a module from each registry through one helper, each
/// token signed with that host's own profile; a second init reuses the cached tokens;
/// `terraform logout` makes the helper forget that host's token only.
#[test]
fn terraform_installs_modules_from_two_accounts_through_one_helper() {
    let Some(tf) = Terraform::v1_0() else {
        panic!("the pinned Terraform 1.0.3 is for linux_amd64: this suite runs there");
    };
    two_accounts_through_one_helper(tf);
}

/// The same on a current Terraform, 1.15.5.
#[test]
fn a_current_terraform_installs_modules_through_the_helper() {
    let Some(tf) = Terraform::current() else {
        panic!("the pinned Terraform 1.15.5 is for linux x86_64: this suite runs there");
    };
    two_accounts_through_one_helper(tf);
}

fn two_accounts_through_one_helper(tf: Terraform) {
    let two = TwoAccounts::new(tf, TWO_MODULES, true);
    let rc = fs::read_to_string(two.rc_path()).unwrap();
    assert!(
        rc.contains(&format!(
            "args = [\"--registry-host\", \"{REGISTRY_A}\", \"--registry-host\", \"{REGISTRY_B}\"]"
        )),
        "one block for both hosts: {rc}"
    );
    for host in [REGISTRY_A, REGISTRY_B] {
        assert!(
            rc.contains(&format!(
                "host \"{host}\" {{\n  services = {{\n    \"modules.v1\" = \"https://{host}/v1/modules/\"\n  }}\n}}\n"
            )),
            "a services override for each 0.2.5 registry: {rc}"
        );
    }
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    two.installed_both();
    // Each registry minted for its own caller only (the other's key is unknown to it),
    // and saw a bearer token on /versions and /download.
    let (a, b) = (two.stats(REGISTRY_A), two.stats(REGISTRY_B));
    assert_eq!(
        (a["minted"].as_u64(), b["minted"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(a["module_requests"].as_u64().unwrap() >= 2, "{a}");
    assert!(b["module_requests"].as_u64().unwrap() >= 2, "{b}");
    assert_eq!(
        two.cached_hosts(),
        vec![REGISTRY_A.to_owned(), REGISTRY_B.to_owned()]
    );

    // A second init (modules upgraded, so both registries are asked again) reuses the
    // cached tokens.
    let out = two.terraform(&["init", "-input=false", "-no-color", "-upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (a2, b2) = (two.stats(REGISTRY_A), two.stats(REGISTRY_B));
    assert_eq!(
        (a2["minted"].as_u64(), b2["minted"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(a2["module_requests"].as_u64() > a["module_requests"].as_u64());

    // `terraform logout` calls the helper's forget for that host: only its token goes.
    let out = two.terraform(&["logout", REGISTRY_A]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(two.cached_hosts(), vec![REGISTRY_B.to_owned()]);
    let out = two.terraform(&["init", "-input=false", "-no-color", "-upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (a3, b3) = (two.stats(REGISTRY_A), two.stats(REGISTRY_B));
    assert_eq!(
        (a3["minted"].as_u64(), b3["minted"].as_u64()),
        (Some(2), Some(1))
    );

    // The doctor agrees, host by host, and says where each setting came from.
    let report = two.cmd("get-registry-token").arg("doctor").succeeds();
    assert!(
        report.contains(&format!("== {REGISTRY_A} =="))
            && report.contains(&format!("== {REGISTRY_B} ==")),
        "{report}"
    );
    assert!(
        report.contains("  profile       dev (~/.cdk/registries.json)"),
        "{report}"
    );
    assert!(
        report.contains("  profile       prod (~/.cdk/registries.json)"),
        "{report}"
    );
    assert!(
        report.contains(&format!("  modules at    https://{REGISTRY_A}/v1/modules/")),
        "{report}"
    );
    assert!(report.contains("all 2 registries work"), "{report}");
}

/// A namespace the caller has no grant in: Terraform fails with its own message, and
/// the helper answered (the registry saw a valid token and refused the namespace).
#[test]
fn a_namespace_without_a_grant_fails_with_terraforms_message() {
    let Some(tf) = Terraform::v1_0() else {
        panic!("the pinned Terraform 1.0.3 is for linux_amd64: this suite runs there");
    };
    let two = TwoAccounts::new(
        tf,
        "module \"db\" {\n  source  = \"registry-a.example.test/secret/db/aws\"\n  version = \"1.0.0\"\n}\n",
        true,
    );
    let before = two.stats(REGISTRY_A);
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("Error accessing remote module registry") && said.contains("403"),
        "{said}"
    );
    assert!(
        !said.contains("credentials helper"),
        "the helper did not fail: {said}"
    );
    let log = two.deployment.registry(REGISTRY_A).log();
    assert!(
        log.iter().any(|e| e["status"] == 403
            && e["bearer"] == true
            && e["path"] == "/v1/modules/secret/db/aws/versions"),
        "Terraform sent the helper's token and the registry refused the namespace: {log:?}"
    );
    let after = two.stats(REGISTRY_A);
    assert!(
        after["module_requests"].as_u64() > before["module_requests"].as_u64(),
        "{after}"
    );
}

/// `NAME=value` pairs of `export NAME='value'` lines.
fn exported(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect()
}

/// `NAME<<DELIMITER`, value, `DELIMITER` blocks of a `$GITHUB_ENV` file.
fn github_env(text: &str) -> Vec<(String, String)> {
    let mut vars = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            vars.push((name.to_owned(), value.join("\n")));
        }
    }
    vars
}

/// The variables in `vars`, with the last value of each name (as a shell or the
/// runner's `$GITHUB_ENV` leaves them).
fn last_of(vars: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in vars {
        out.retain(|(name, _)| *name != k);
        out.push((k, v));
    }
    out
}

/// With nothing configured, the paths that give Terraform no CLI config of the user's
/// end in a working `terraform init` against two 0.2.5 registries at once: `config`
/// (its blocks in the CLI config), `env` and `github` (`TF_TOKEN_*` for hosts with
/// hyphens too, and `TF_CLI_CONFIG_FILE` naming a copy of the CLI config with both
/// overrides, one call per host as the Action makes them) and `exec`.
#[test]
fn every_path_installs_from_two_0_2_5_registries_on_a_current_terraform() {
    let Some(tf) = Terraform::current() else {
        panic!("the pinned Terraform 1.15.5 is for linux x86_64: this suite runs there");
    };
    let two = TwoAccounts::new(tf, TWO_MODULES, false);
    let profile = |host: &str| if host == REGISTRY_A { "dev" } else { "prod" };
    // Even with the tokens, Terraform finds no modules service without the override.
    let mut tokens = Vec::new();
    for host in [REGISTRY_A, REGISTRY_B] {
        let token = two
            .cmd("get-registry-token")
            .args(["token", "-r", host, "--profile", profile(host)])
            .succeeds();
        let name = format!("TF_TOKEN_{}", host.replace('-', "__").replace('.', "_"));
        tokens.push((name, token.trim().to_owned()));
    }
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &tokens);
    let said = crate::support::words(&format!("{}{}", stdout(&out), stderr(&out)));
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "host {REGISTRY_A} does not provide a modules service"
        )),
        "{said}"
    );

    // config: the override and the credentials, appended to the CLI config.
    let mut rc = String::new();
    for host in [REGISTRY_A, REGISTRY_B] {
        let block = two
            .cmd("get-registry-token")
            .args(["config", "-r", host, "--profile", profile(host)])
            .succeeds();
        assert!(
            block.starts_with(&format!("host \"{host}\" {{\n  services = {{\n    \"modules.v1\" = \"https://{host}/v1/modules/\"\n  }}\n}}\ncredentials \"{host}\" {{\n  token = \"IAMBearerAuth~")),
            "{block}"
        );
        rc.push_str(&block);
    }
    fs::write(two.rc_path(), &rc).unwrap();
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(
        out.status.success(),
        "config: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    two.installed_both();
    fs::remove_file(two.rc_path()).unwrap();

    // env: one call per host; the second keeps the first's override in the same file.
    two.forget_modules();
    let mut vars = Vec::new();
    for host in [REGISTRY_A, REGISTRY_B] {
        vars.extend(exported(
            &two.cmd("get-registry-token")
                .args(["env", "-r", host, "--profile", profile(host)])
                .succeeds(),
        ));
    }
    let vars = last_of(vars);
    assert_eq!(
        vars.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        [
            "TF_TOKEN_registry__a_example_test",
            "TF_TOKEN_registry__b_example_test",
            "TF_CLI_CONFIG_FILE",
        ]
    );
    let generated = fs::read_to_string(&vars[2].1).unwrap();
    assert!(
        generated.contains(&format!("https://{REGISTRY_A}/v1/modules/"))
            && generated.contains(&format!("https://{REGISTRY_B}/v1/modules/")),
        "{generated}"
    );
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &vars);
    assert!(
        out.status.success(),
        "env: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    two.installed_both();

    // github: as the Action runs it, one call per host.
    two.forget_modules();
    let github = two.deployment.env.path().join("github-env");
    for host in [REGISTRY_A, REGISTRY_B] {
        two.cmd("get-registry-token")
            .env("GITHUB_ENV", &github)
            .args(["github", "-r", host, "--profile", profile(host)])
            .succeeds();
    }
    let vars = last_of(github_env(&fs::read_to_string(&github).unwrap()));
    assert_eq!(vars.len(), 3, "{vars:?}");
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &vars);
    assert!(
        out.status.success(),
        "github: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    two.installed_both();

    // exec: both hosts at once, each with its own profile's settings.
    two.forget_modules();
    for (host, p) in [(REGISTRY_A, "dev"), (REGISTRY_B, "prod")] {
        two.cmd("install-registry-credentials-helper")
            .args(["--registry-host", host, "--profile", p, "--no-check"])
            .succeeds();
    }
    fs::remove_file(two.rc_path()).unwrap();
    let inner = two.tf.cmd(
        &two.deployment.env,
        &two.workdir,
        &["init", "-input=false", "-no-color"],
    );
    let out = two
        .cmd("get-registry-token")
        .current_dir(&two.workdir)
        .args(["exec", "-r", REGISTRY_A, "-r", REGISTRY_B, "--"])
        .arg(inner.get_program())
        .args(inner.get_args())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "exec: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    two.installed_both();
}

/// The doctor says a set `TF_TOKEN_` variable wins over the helper, an empty one too
/// (Terraform takes it as an empty token), and an unset one does not: a current
/// Terraform does just that. With a stale or an empty token in the variable, Terraform
/// sends it (the registry refuses it) and never asks the helper; with the variable
/// unset, it asks the helper and installs.
#[test]
fn the_doctors_word_on_a_shadowing_variable_is_what_terraform_does() {
    let Some(tf) = Terraform::current() else {
        panic!("the pinned Terraform 1.15.5 is for linux x86_64: this suite runs there");
    };
    let two = TwoAccounts::new(
        tf,
        "module \"network\" {\n  source  = \"registry-a.example.test/platform/vpc/aws\"\n  version = \"1.0.0\"\n}\n",
        true,
    );
    let var = "TF_TOKEN_registry__a_example_test".to_owned();
    let stale = vec![(var.clone(), "IAMBearerAuth~c3RhbGU=".to_owned())];
    let report = two
        .cmd("get-registry-token")
        .env(&var, &stale[0].1)
        .args(["doctor", "-r", REGISTRY_A, "--tool", "terraform"])
        .output()
        .unwrap();
    let said = stdout(&report);
    assert!(
        said.contains(&format!(
            "{var} is set: it is used instead of the credentials helper"
        )),
        "{said}"
    );
    let minted = two.stats(REGISTRY_A)["minted"].as_u64();
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &stale);
    let both = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{both}");
    assert!(
        both.contains("401"),
        "the registry refused the variable's token: {both}"
    );
    assert_eq!(
        two.stats(REGISTRY_A)["minted"].as_u64(),
        minted,
        "the helper was not asked"
    );

    let empty = vec![(var.clone(), String::new())];
    let report = two
        .cmd("get-registry-token")
        .env(&var, "")
        .args(["doctor", "-r", REGISTRY_A, "--tool", "terraform"])
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(1));
    assert!(
        stdout(&report).contains(&format!("{var} is set, to the empty string")),
        "{}",
        stdout(&report)
    );
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &empty);
    let both = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{both}");
    assert!(both.contains("401"), "an empty token, refused: {both}");
    assert_eq!(
        two.stats(REGISTRY_A)["minted"].as_u64(),
        minted,
        "the helper was not asked"
    );

    let report = two
        .cmd("get-registry-token")
        .args(["doctor", "-r", REGISTRY_A, "--tool", "terraform"])
        .succeeds();
    assert!(!report.contains(&format!("{var} is set")), "{report}");
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        two.module_output("network")
            .contains("from registry A (dev)")
    );
}
