//! Real Terraform CLIs (1.0.3, and a current 1.15.5) installing modules from two
//! private registries through one credentials helper: each registry in its own AWS
//! account, knowing only its own caller, each host signed for with its own profile
//! from ~/.cdk/registries.json. On the current one, also through `TF_TOKEN_*`
//! variables from the `env`, `github` and `exec` outputs, and what the doctor says of a
//! variable that shadows the helper, held against what Terraform does.
//!
//! Terraform takes only dotted names as registry hosts, so the CLI config's `host`
//! blocks send `registry-*.example.test`'s module calls to the local stand-ins; it still
//! asks the helper for `registry-*.example.test`, whose settings say where its tokens
//! come from.

use std::fs;
use std::path::PathBuf;
use std::process::Output;

use crate::support::terraform::Terraform;
use crate::support::{Run, TestEnv, TokenEndpoint, stderr, stdout};

const DEV: (&str, &str) = ("AKIADEVDEVDEVDEV0001", "dev-secret");
const PROD: (&str, &str) = ("AKIAPRODPRODPROD0001", "prod-secret");
const REGISTRY_A: &str = "registry-a.example.test";
const REGISTRY_B: &str = "registry-b.example.test";

/// Two registries (A knows the dev account's caller, B the prod one's), a HOME whose
/// AWS profiles `dev` and `prod` sign as those callers, and a CLI config whose `host`
/// blocks lead Terraform to the stand-ins.
struct TwoAccounts {
    tf: Terraform,
    env: TestEnv,
    a: TokenEndpoint,
    b: TokenEndpoint,
    workdir: PathBuf,
    _certs: (tempfile::TempDir, tempfile::TempDir),
}

impl TwoAccounts {
    fn new(tf: Terraform, main_tf: &str) -> Self {
        let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, ca_a) = TokenEndpoint::start_registry(
            dir_a.path(),
            &[(DEV.0, DEV.1, None)],
            &["--grant", "platform", "--label", "registry A (dev)"],
        );
        let (b, ca_b) = TokenEndpoint::start_registry(
            dir_b.path(),
            &[(PROD.0, PROD.1, None)],
            &["--grant", "apps", "--label", "registry B (prod)"],
        );
        let mut env = TestEnv::new();
        env.with_profiles(&[("dev", DEV), ("prod", PROD)]);
        env.write(
            ".aws/config",
            "[profile dev]\nregion = eu-west-1\n\n[profile prod]\nregion = eu-west-1\n",
        );
        let bundle = format!(
            "{}{}",
            fs::read_to_string(ca_a).unwrap(),
            fs::read_to_string(ca_b).unwrap()
        );
        let bundle = env.write("test-cas.pem", bundle);
        env.set("SSL_CERT_FILE", &bundle);
        env.set("CHECKPOINT_DISABLE", "1");
        env.set("TF_IN_AUTOMATION", "1");
        env.write(
            ".terraformrc",
            format!(
                "host \"{REGISTRY_A}\" {{\n  services = {{\n    \"modules.v1\" = \"https://localhost:{}/v1/modules/\"\n  }}\n}}\n\n\
                 host \"{REGISTRY_B}\" {{\n  services = {{\n    \"modules.v1\" = \"https://localhost:{}/v1/modules/\"\n  }}\n}}\n",
                a.server.port, b.server.port
            ),
        );
        let workdir = env.write("project/main.tf", main_tf);
        let workdir = workdir.parent().unwrap().to_owned();
        let two = Self {
            tf,
            env,
            a,
            b,
            workdir,
            _certs: (dir_a, dir_b),
        };
        for (host, profile, endpoint) in [(REGISTRY_A, "dev", &two.a), (REGISTRY_B, "prod", &two.b)]
        {
            let said = two
                .env
                .cmd("install-registry-credentials-helper")
                .args(["--registry-host", host, "--profile", profile])
                .args([
                    "--registry-url",
                    &format!("https://localhost:{}/", endpoint.server.port),
                ])
                .says();
            assert!(
                said.contains(&format!(
                    "checked: Terraform will get a token for {host} from the helper"
                )),
                "{said}"
            );
        }
        two
    }

    fn terraform(&self, args: &[&str]) -> Output {
        self.terraform_with(args, &[])
    }

    /// Terraform with more variables in its environment.
    fn terraform_with(&self, args: &[&str], vars: &[(String, String)]) -> Output {
        let mut cmd = self.tf.cmd(&self.env, &self.workdir, args);
        cmd.envs(vars.iter().map(|(k, v)| (k, v)));
        cmd.output().unwrap()
    }

    /// The CLI config without the helper's block: the `host` blocks alone.
    fn without_helper_block(&self) {
        let path = self.env.path().join(".terraformrc");
        let text = fs::read_to_string(&path).unwrap();
        let start = text
            .find("# BEGIN install-registry-credentials-helper")
            .unwrap();
        let end = text
            .find("# END install-registry-credentials-helper")
            .unwrap();
        let end = end + text[end..].find('\n').unwrap() + 1;
        fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
    }

    /// Delete what an init installed, so that the next init asks the registries again.
    fn forget_modules(&self) {
        let _ = fs::remove_dir_all(self.workdir.join(".terraform"));
    }

    fn module_output(&self, module: &str) -> String {
        fs::read_to_string(
            self.workdir
                .join(".terraform/modules")
                .join(module)
                .join("main.tf"),
        )
        .unwrap_or_else(|e| panic!("module {module} not installed: {e}"))
    }

    fn cached_hosts(&self) -> Vec<String> {
        let text = fs::read_to_string(self.env.cache_dir().join("registry_tokens.json"))
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

const TWO_MODULES: &str = "module \"network\" {\n  source  = \"registry-a.example.test/platform/vpc/aws\"\n  version = \"1.0.0\"\n}\n\n\
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
    let two = TwoAccounts::new(tf, TWO_MODULES);
    let rc = fs::read_to_string(two.env.path().join(".terraformrc")).unwrap();
    assert!(
        rc.contains(&format!(
            "args = [\"--registry-host\", \"{REGISTRY_A}\", \"--registry-host\", \"{REGISTRY_B}\"]"
        )),
        "one block for both hosts: {rc}"
    );
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        two.module_output("network")
            .contains("platform/vpc/aws from registry A (dev)")
    );
    assert!(
        two.module_output("web")
            .contains("apps/web/aws from registry B (prod)")
    );
    // Each registry minted for its own caller only (the other's key is unknown to it),
    // and saw a bearer token on /versions and /download.
    let (a, b) = (two.a.stats_json(), two.b.stats_json());
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
    let (a2, b2) = (two.a.stats_json(), two.b.stats_json());
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
    let (a3, b3) = (two.a.stats_json(), two.b.stats_json());
    assert_eq!(
        (a3["minted"].as_u64(), b3["minted"].as_u64()),
        (Some(2), Some(1))
    );

    // The doctor agrees, host by host, and says where each setting came from.
    let report = two.env.cmd("get-registry-token").arg("doctor").succeeds();
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
    );
    let before = two.a.stats_json();
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
    let after = two.a.stats_json();
    assert!(
        after["module_requests"].as_u64() > before["module_requests"].as_u64(),
        "Terraform sent the helper's token: {after}"
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

/// Terraform 1.2+ takes a host's token from `TF_TOKEN_<host>` (dots as `_`, hyphens as
/// `__`): the variables the `env` and `github` outputs write and `exec` sets are the
/// ones a current Terraform reads, for hosts with hyphens too, with no helper at all.
#[test]
fn tf_token_variables_from_env_github_and_exec_work_on_a_current_terraform() {
    let Some(tf) = Terraform::current() else {
        panic!("the pinned Terraform 1.15.5 is for linux x86_64: this suite runs there");
    };
    let two = TwoAccounts::new(tf, TWO_MODULES);
    two.without_helper_block();
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "no token, no modules: {}",
        stdout(&out)
    );

    let mut vars = Vec::new();
    for host in [REGISTRY_A, REGISTRY_B] {
        vars.extend(exported(
            &two.env
                .cmd("get-registry-token")
                .args(["env", "-r", host])
                .succeeds(),
        ));
    }
    assert_eq!(
        vars.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        [
            "TF_TOKEN_registry__a_example_test",
            "TF_TOKEN_registry__b_example_test"
        ]
    );
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &vars);
    assert!(
        out.status.success(),
        "env: {}\n{}",
        stdout(&out),
        stderr(&out)
    );

    two.forget_modules();
    let github = two.env.path().join("github-env");
    let mut vars = Vec::new();
    for host in [REGISTRY_A, REGISTRY_B] {
        two.env
            .cmd("get-registry-token")
            .env("GITHUB_ENV", &github)
            .args(["github", "-r", host])
            .succeeds();
    }
    vars.extend(github_env(&fs::read_to_string(&github).unwrap()));
    assert_eq!(vars.len(), 2, "{vars:?}");
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &vars);
    assert!(
        out.status.success(),
        "github: {}\n{}",
        stdout(&out),
        stderr(&out)
    );

    two.forget_modules();
    let inner = two.tf.cmd(
        &two.env,
        &two.workdir,
        &["init", "-input=false", "-no-color"],
    );
    let out = two
        .env
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
    assert!(
        two.module_output("web")
            .contains("apps/web/aws from registry B (prod)")
    );
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
    );
    let var = "TF_TOKEN_registry__a_example_test".to_owned();
    let stale = vec![(var.clone(), "IAMBearerAuth~c3RhbGU=".to_owned())];
    let report = two
        .env
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
    let minted = two.a.stats_json()["minted"].as_u64();
    let out = two.terraform_with(&["init", "-input=false", "-no-color"], &stale);
    let both = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{both}");
    assert!(
        both.contains("401"),
        "the registry refused the variable's token: {both}"
    );
    assert_eq!(
        two.a.stats_json()["minted"].as_u64(),
        minted,
        "the helper was not asked"
    );

    let empty = vec![(var.clone(), String::new())];
    let report = two
        .env
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
        two.a.stats_json()["minted"].as_u64(),
        minted,
        "the helper was not asked"
    );

    let report = two
        .env
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
