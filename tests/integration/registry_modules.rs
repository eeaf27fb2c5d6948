//! manage-registry-modules against the registry as deployed (lambda-terraform-module-
//! registry 0.2.5's own handler, and the same handler with its create route mended for
//! the API path), the emulator's S3 and DynamoDB, and a current Terraform installing
//! what was just published.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::registry::{CALLER_ROLE, Registry, RegistryOptions};
use crate::support::{
    Recorder, Run, TestEnv, bin_path, fixture, immukv_py, proxy_log, s3_proxy, spawn_all, stderr,
    stdout, unique,
};

const TOOL: &str = "manage-registry-modules";
const HOST: &str = "registry.example.com";
/// platform/vpc/aws, as the flags name it.
const VPC: [&str; 6] = ["-n", "platform", "--name", "vpc", "--system", "aws"];

/// A registry, its bucket, a HOME whose caller may do `permissions` in `platform`.
struct Publisher {
    env: TestEnv,
    registry: Registry,
    bucket: String,
    tree: tempfile::TempDir,
}

impl Publisher {
    fn new(fix_create: bool, permissions: &str) -> Self {
        let (registry, _) = Registry::start_opts(&RegistryOptions {
            fix_create,
            ..RegistryOptions::default()
        });
        registry.grant("platform", CALLER_ROLE, permissions);
        let bucket = unique("modules").to_lowercase();
        immukv_py(&["bucket", &bucket]);
        let tree = tempfile::tempdir().unwrap();
        let publisher = Self {
            env: TestEnv::with_aws(),
            registry,
            bucket,
            tree,
        };
        publisher.module("vpc", "the first vpc");
        publisher
    }

    /// A module folder `name` under the tree whose one output says `text`, with what a
    /// checkout holds beside it (.git, .terraform, state).
    fn module(&self, name: &str, text: &str) -> PathBuf {
        let dir = self.tree.path().join(name);
        write(
            &dir.join("main.tf"),
            &format!("output \"says\" {{\n  value = \"{text}\"\n}}\n"),
        );
        write(
            &dir.join("variables.tf"),
            "variable \"cidr\" {\n  default = \"10.0.0.0/16\"\n}\n",
        );
        write(&dir.join(".git/HEAD"), "ref: refs/heads/main\n");
        write(
            &dir.join("examples/.terraform/modules/modules.json"),
            "{}\n",
        );
        write(&dir.join("terraform.tfstate"), "{\"secret\": \"state\"}\n");
        dir
    }

    fn cmd(&self) -> assert_cmd::Command {
        self.env.cmd(TOOL)
    }

    /// `SUBCOMMAND` for platform/vpc/aws `version` (reaching the registry, but for
    /// `unpublish`, which needs only the table).
    fn on_version(&self, subcommand: &str, version: &str) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.arg(subcommand);
        if subcommand != "unpublish" {
            cmd.args(["-r", HOST, "--registry-url", &self.registry.url()]);
        }
        cmd.args(VPC).args(["--version", version, "--path-style"]);
        cmd
    }

    /// The arguments of `publish DIR` as platform/vpc/aws `version`, with `more`.
    fn publish_args(&self, dir: &Path, version: &str, more: &[&str]) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec!["publish".into(), dir.into()];
        for a in [
            "-r",
            HOST,
            "--registry-url",
            &self.registry.url(),
            "-n",
            "platform",
            "--name",
            "vpc",
            "--system",
            "aws",
            "--version",
            version,
            "--bucket",
            &self.bucket,
            "--path-style",
        ]
        .iter()
        .chain(more)
        {
            args.push(a.into());
        }
        args
    }

    /// `publish DIR` as platform/vpc/aws `version`, with `more` flags.
    fn publish(&self, dir: &Path, version: &str, more: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.args(self.publish_args(dir, version, more));
        cmd
    }

    fn table_flag(&self) -> [&str; 2] {
        ["--table", &self.registry.table]
    }

    /// The records of platform/vpc/aws in the registry's table.
    fn records(&self) -> Vec<serde_json::Value> {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(&fixture(&["scan", &self.registry.table])).unwrap();
        items
            .into_iter()
            .filter(|i| {
                i["sk"]
                    .as_str()
                    .unwrap()
                    .starts_with("Module~platform~vpc~aws~")
            })
            .collect()
    }

    /// The archive the registry's own download serves for `version` (SHA-256 hex), as
    /// Terraform would get it.
    fn served(&self, version: &str) -> String {
        let out = self
            .on_version("download", version)
            .arg("-o")
            .arg(self.tree.path().join(format!("served-{version}.tar.gz")))
            .succeeds();
        out.split("sha256 ").nth(1).unwrap().trim().to_owned()
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// `published`/`unchanged` and the archive's SHA-256 of one JSON output line.
fn outcome(line: &str) -> (String, String) {
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    (
        v["status"].as_str().unwrap().to_owned(),
        v["sha256"].as_str().unwrap().to_owned(),
    )
}

/// The paths in an archive, with each entry's uid, gid, mode and time.
fn entries(archive: &[u8]) -> Vec<(String, u64, u64, u32, u64)> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    tar.entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let h = e.header();
            (
                e.path().unwrap().to_string_lossy().into_owned(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.mode().unwrap(),
                h.mtime().unwrap(),
            )
        })
        .collect()
}

/// The archive is the same bytes from a copy made elsewhere, at other times, with
/// another umask; it holds no .git, .terraform or state, every entry owned by 0 at
/// time 0 (or SOURCE_DATE_EPOCH); `--list` says what was left out and by which rule.
#[test]
fn pack_is_reproducible_and_leaves_out_what_it_must() {
    let p = Publisher::new(false, r#"{"download": true}"#);
    let dir = p.tree.path().join("vpc");
    let out = p.tree.path().join("one.tar.gz");
    let said = p.cmd().arg("pack").arg(&dir).arg("-o").arg(&out).succeeds();
    let bytes = fs::read(&out).unwrap();
    assert!(said.contains(&format!("{} bytes", bytes.len())), "{said}");
    assert_eq!(
        entries(&bytes),
        [
            ("main.tf".to_owned(), 0, 0, 0o644, 0),
            ("variables.tf".to_owned(), 0, 0, 0o644, 0)
        ]
    );
    // A fresh copy, written later under another umask and in another order.
    let copy = p.tree.path().join("copy");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 077 && mkdir -p {c} && cp {d}/variables.tf {c}/ && sleep 1 && cp {d}/main.tf {c}/ && touch -d @1000000 {c}/main.tf",
            c = copy.display(),
            d = dir.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let again = p.tree.path().join("two.tar.gz");
    p.cmd()
        .arg("pack")
        .arg(&copy)
        .arg("-o")
        .arg(&again)
        .succeeds();
    assert_eq!(
        fs::read(&again).unwrap(),
        bytes,
        "the same files, the same bytes"
    );
    let dated = p.tree.path().join("dated.tar.gz");
    p.cmd()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("pack")
        .arg(&copy)
        .arg("-o")
        .arg(&dated)
        .succeeds();
    assert_eq!(entries(&fs::read(&dated).unwrap())[0].4, 1_700_000_000);

    let listing = p.cmd().args(["pack", "--list"]).arg(&dir).succeeds();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines[..2], ["main.tf", "variables.tf"], "{listing}");
    for left in [
        "left out: .git/ (rule .git/, default)",
        "left out: examples/.terraform/ (rule .terraform/, default)",
        "left out: terraform.tfstate (rule *.tfstate, default)",
    ] {
        assert!(lines.contains(&left), "{left}: {listing}");
    }
    let sha = hex_sha256(&bytes);
    assert!(
        lines.last().unwrap().ends_with(&format!("sha256 {sha}")),
        "{listing}"
    );

    // Refused, naming the path: a link out of the folder; a folder without .tf files.
    std::os::unix::fs::symlink("/etc/hostname", dir.join("leak.tf")).unwrap();
    let err = p.cmd().arg("pack").arg(&dir).arg("-o").arg(&out).fails(2);
    assert!(
        err.contains("leak.tf is a link to /etc/hostname outside the module's folder"),
        "{err}"
    );
    assert_eq!(fs::read(&out).unwrap(), bytes, "nothing written");
    fs::remove_file(dir.join("leak.tf")).unwrap();
    let err = p
        .cmd()
        .arg("pack")
        .arg(p.tree.path().join("copy/.."))
        .arg("--list")
        .fails(2);
    assert!(
        err.contains("has no .tf or .tf.json file at its root"),
        "{err}"
    );
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// On 0.2.5 as deployed: `--table` publishes exactly the record its own Module.create()
/// writes, and its own download code serves it; the create route's 500 is one line that
/// names `--table` and the uploaded object, which the next run reuses.
#[test]
fn on_0_2_5_the_table_publishes_and_the_create_route_is_named_for_what_it_is() {
    let p = Publisher::new(false, r#"{"download": true, "upload": true}"#);
    let dir = p.tree.path().join("vpc");
    let err = p.publish(&dir, "1.0.0", &[]).fails(3);
    assert!(
        err.contains(
            "create route failed (HTTP 500), as lambda-terraform-module-registry 0.2.5's does"
        ) && err.contains("publish with --table TABLE")
            && err.contains(&format!(
                "the archive is uploaded as s3://{}/platform/vpc/aws/",
                p.bucket
            )),
        "{err}"
    );
    assert!(p.records().is_empty());

    let line = p
        .publish(&dir, "v1.0.0", &["--output", "json"])
        .args(p.table_flag())
        .succeeds();
    let (status, sha) = outcome(line.trim());
    assert_eq!(status, "published", "{line}");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let key = format!("platform/vpc/aws/{sha}.tar.gz");
    assert_eq!(v["key"], key.as_str());
    assert_eq!(v["bucket"], p.bucket.as_str());
    assert_eq!(v["version"], "1.0.0", "the leading v is dropped");
    // The record is the registry's own, attribute for attribute.
    let records = p.records();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    let mut names: Vec<&str> = record
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "bucket",
            "expected_checksum",
            "key",
            "name",
            "namespace",
            "pk",
            "sk",
            "system",
            "version"
        ]
    );
    assert_eq!(record["sk"], "Module~platform~vpc~aws~1.0.0");
    assert_eq!(record["version"], "1.0.0");
    assert_eq!(
        p.served("1.0.0"),
        sha,
        "the registry serves what was published"
    );
    // The archive uploaded by the failed run was reused: one object.
    let objects = fixture(&["s3-keys", &p.bucket]);
    assert_eq!(objects.trim(), format!("[\"{key}\"]"));
}

/// A re-publish from a fresh copy with other mtimes is `unchanged`; other content under
/// the same version is refused naming both checksums, and Terraform still gets the old.
#[test]
fn the_same_version_is_published_once() {
    let p = Publisher::new(false, r#"{"download": true, "upload": true}"#);
    let dir = p.tree.path().join("vpc");
    let first = p
        .publish(&dir, "1.2.0", &["--output", "json"])
        .args(p.table_flag())
        .succeeds();
    let (_, sha) = outcome(first.trim());
    let copy = p.module("copy", "the first vpc");
    let again = p
        .publish(&copy, "1.2.0", &["--output", "json"])
        .args(p.table_flag())
        .succeeds();
    assert_eq!(outcome(again.trim()), ("unchanged".to_owned(), sha.clone()));
    let said = p
        .publish(&copy, "1.2.0", &[])
        .args(p.table_flag())
        .succeeds();
    assert!(
        said.starts_with("unchanged platform/vpc/aws 1.2.0: sha256"),
        "{said}"
    );

    let changed = p.module("changed", "another vpc");
    let err = p
        .publish(&changed, "1.2.0", &[])
        .args(p.table_flag())
        .fails(1);
    assert!(
        err.contains(&format!(
            "already published with another archive (sha256 {sha})"
        )) && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(p.served("1.2.0"), sha);
    assert_eq!(p.records().len(), 1);
}

/// Through the create route (mended in the harness): 201 `published`, 409 compared by
/// what the registry serves; no upload grant is one line naming the grant to give.
#[test]
fn the_api_path_publishes_compares_and_names_a_missing_grant() {
    let p = Publisher::new(true, r#"{"download": true, "upload": true}"#);
    let dir = p.tree.path().join("vpc");
    let first = p.publish(&dir, "2.0.0", &["--output", "json"]).succeeds();
    let (status, sha) = outcome(first.trim());
    assert_eq!(status, "published");
    let again = p.publish(&dir, "2.0.0", &["--output", "json"]).succeeds();
    assert_eq!(outcome(again.trim()), ("unchanged".to_owned(), sha.clone()));
    let changed = p.module("changed", "another vpc");
    let err = p.publish(&changed, "2.0.0", &[]).fails(1);
    assert!(err.contains(&format!("(sha256 {sha})")), "{err}");
    assert!(
        p.registry
            .log()
            .iter()
            .any(|e| e["method"] == "POST" && e["status"] == 409),
        "the registry said the version exists"
    );

    let readers = Publisher::new(true, r#"{"download": true}"#);
    let err = readers
        .publish(&readers.tree.path().join("vpc"), "1.0.0", &[])
        .fails(1);
    assert!(
        err.contains("not allowed to upload in namespace platform: grant it with `manage-registry-permissions -r ROLE -n platform update --upload`"),
        "{err}"
    );
}

/// A version that is not canonical SemVer is exit 2 before any request (the registry
/// and AWS point at a listener that records everything, and it records nothing).
#[test]
fn a_bad_version_is_refused_before_any_request() {
    let recorder = Recorder::start();
    let p = Publisher::new(false, r#"{"upload": true}"#);
    let dir = p.tree.path().join("vpc");
    for bad in ["1.2", "01.2.3", "1.2.3+build", "latest", "v1.2.3.4"] {
        let err = p
            .cmd()
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", recorder.port),
            )
            .arg("publish")
            .arg(&dir)
            .args([
                "-r",
                HOST,
                "--registry-url",
                &format!("http://127.0.0.1:{}", recorder.port),
            ])
            .args([
                "-n", "platform", "--name", "vpc", "--system", "aws", "--bucket", "b",
            ])
            .args(["--version", bad])
            .fails(2);
        assert!(err.contains("invalid version"), "{bad}: {err}");
    }
    assert!(recorder.settled().is_empty(), "no request was sent");
}

/// `--dry-run` says what it would do (files, SHA-256, key, record) and sends nothing.
#[test]
fn a_dry_run_touches_nothing() {
    let p = Publisher::new(false, r#"{"upload": true}"#);
    let proxy = s3_proxy(&[]);
    let dir = p.tree.path().join("vpc");
    let plan = p
        .publish(&dir, "1.0.0", &["--dry-run"])
        .args(p.table_flag())
        .env("AWS_ENDPOINT_URL", proxy.url())
        .succeeds();
    assert!(
        plan.starts_with(
            "would publish platform/vpc/aws 1.0.0\n  files    2 (main.tf, variables.tf)"
        ),
        "{plan}"
    );
    assert!(plan.contains("DynamoDB PutItem into"), "{plan}");
    assert!(proxy_log(&proxy).is_empty(), "no AWS call");
    assert!(p.registry.log().is_empty(), "no registry call");
}

/// Two publishes of one version at once, by the API and by the table: exactly one is
/// `published`, the other `unchanged`, and there is one record.
#[test]
fn publishes_at_once_give_one_record() {
    for fix_create in [true, false] {
        let p = Publisher::new(fix_create, r#"{"download": true, "upload": true}"#);
        let dir = p.tree.path().join("vpc");
        let flags = p.table_flag();
        let table: &[&str] = if fix_create { &[] } else { &flags };
        let outs = spawn_all((0..2).map(|_| {
            let mut cmd = p.env.std_cmd(bin_path(TOOL));
            cmd.args(p.publish_args(&dir, "3.0.0", &["--output", "json"]))
                .args(table);
            cmd
        }));
        let mut statuses: Vec<String> = outs
            .iter()
            .map(|o| {
                assert!(o.status.success(), "{}", stderr(o));
                outcome(stdout(o).trim()).0
            })
            .collect();
        statuses.sort();
        assert_eq!(
            statuses,
            ["published", "unchanged"],
            "create route {fix_create}"
        );
        assert_eq!(p.records().len(), 1);
    }
}

/// S3 is asked to check the body (the PutObject carries the archive's SHA-256, which the
/// proxy holds the body to, as S3 does) and never to overwrite (If-None-Match); a 409
/// while another write is in flight is waited out; and the round trips are few.
#[test]
fn the_upload_carries_its_checksum_and_waits_out_a_conflict() {
    let p = Publisher::new(false, r#"{"download": true, "upload": true}"#);
    let proxy = s3_proxy(&["--conflict-on", ".tar.gz:2"]);
    let dir = p.tree.path().join("vpc");
    let line = p
        .publish(&dir, "1.0.0", &["--output", "json", "--no-verify"])
        .args(p.table_flag())
        .env("AWS_ENDPOINT_URL", proxy.url())
        .succeeds();
    let (status, sha) = outcome(line.trim());
    assert_eq!(status, "published");
    let puts: Vec<_> = proxy_log(&proxy)
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with(".tar.gz"))
        .collect();
    assert_eq!(
        puts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(409), Some(409), Some(200)]
    );
    let b64 = aws_smithy_types::base64::encode(hex::decode(&sha).unwrap());
    assert!(
        puts.iter()
            .all(|r| r.conditional && r.checksum_sha256.as_deref() == Some(b64.as_str()))
    );
}

/// The published archive is what Terraform 1.15.5 installs: `init` then `apply` on a
/// module just published, through the helper, from the registry as deployed.
#[test]
fn terraform_installs_and_applies_what_was_just_published() {
    use crate::registry_terraform::{REGISTRY_A, TwoAccounts};
    let Some(tf) = crate::support::terraform::Terraform::current() else {
        panic!("the pinned Terraform 1.15.5 is for linux x86_64: this suite runs there");
    };
    let two = TwoAccounts::new(
        tf,
        &format!(
            "module \"fresh\" {{\n  source  = \"{REGISTRY_A}/platform/fresh/aws\"\n  version = \"0.1.0\"\n}}\n\
             output \"says\" {{\n  value = module.fresh.says\n}}\n"
        ),
        true,
    );
    let registry = two.deployment.registry(REGISTRY_A);
    registry.grant(
        "platform",
        &crate::support::registry::role_of("AKIADEVDEVDEVDEV0001"),
        r#"{"download": true, "upload": true}"#,
    );
    let bucket = unique("fresh").to_lowercase();
    immukv_py(&["bucket", &bucket]);
    let dir = two.deployment.env.path().join("modules/fresh");
    write(
        &dir.join("main.tf"),
        "output \"says\" {\n  value = \"published a minute ago\"\n}\n",
    );
    let said = two
        .cmd(TOOL)
        .arg("publish")
        .arg(&dir)
        .args([
            "-r", REGISTRY_A, "-n", "platform", "--name", "fresh", "--system", "aws",
        ])
        .args([
            "--version",
            "0.1.0",
            "--bucket",
            &bucket,
            "--path-style",
            "--table",
            &registry.table,
        ])
        .succeeds();
    assert!(
        said.starts_with("published platform/fresh/aws 0.1.0"),
        "{said}"
    );
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let out = two.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let out = two.terraform(&["output", "-raw", "says"]);
    assert_eq!(stdout(&out), "published a minute ago");
}

/// `download --extract` checks the archive against the record and unpacks it; an object
/// changed behind the record's back is refused by it and by the registry's own download.
/// `unpublish` removes the record conditionally and keeps the object unless asked.
#[test]
fn download_checks_and_unpublish_removes_the_record() {
    let p = Publisher::new(false, r#"{"download": true, "upload": true}"#);
    let dir = p.tree.path().join("vpc");
    let line = p
        .publish(&dir, "1.0.0", &["--output", "json"])
        .args(p.table_flag())
        .succeeds();
    let (_, sha) = outcome(line.trim());
    let download = |extract: &Path| {
        let mut cmd = p.on_version("download", "1.0.0");
        cmd.args(p.table_flag()).arg("--extract").arg(extract);
        cmd
    };
    let into = p.tree.path().join("unpacked");
    let said = download(&into).succeeds();
    assert!(
        said.ends_with(&format!("2 files  sha256 {sha}\n")),
        "{said}"
    );
    assert!(
        fs::read_to_string(into.join("main.tf"))
            .unwrap()
            .contains("the first vpc")
    );
    assert!(!into.join(".git").exists());

    let err = p.on_version("download", "9.9.9").fails(1);
    assert!(
        err.contains("has no version 9.9.9 in the registry (it has 1.0.0)"),
        "{err}"
    );

    let key = format!("platform/vpc/aws/{sha}.tar.gz");
    immukv_py(&["raw-put", &p.bucket, &key, "not the archive"]);
    // The object lost its SHA-256 (and its bytes): the registry's own download refuses it.
    let err = download(&p.tree.path().join("tampered")).fails(3);
    assert!(
        err.contains("HTTP 400") && err.contains("Checksum not found"),
        "{err}"
    );

    let unpublish = |more: &[&str]| {
        let mut cmd = p.on_version("unpublish", "1.0.0");
        cmd.args(p.table_flag()).args(more);
        cmd
    };
    let said = unpublish(&[]).succeeds();
    assert_eq!(
        said,
        format!(
            "unpublished platform/vpc/aws 1.0.0; kept s3://{}/{key}\n",
            p.bucket
        )
    );
    assert!(p.records().is_empty());
    let err = unpublish(&[]).fails(1);
    assert!(err.contains("has no version 1.0.0"), "{err}");
}

/// A manifest publishes each module on its own: one that cannot be packed is reported,
/// and the others are published all the same; the exit status is the failure's.
#[test]
fn a_manifest_publishes_each_module_on_its_own() {
    let p = Publisher::new(false, r#"{"download": true, "upload": true}"#);
    p.module("dns", "dns");
    fs::create_dir_all(p.tree.path().join("empty")).unwrap();
    let manifest = p.tree.path().join("modules.json");
    fs::write(
        &manifest,
        r#"{"modules": [
            {"path": "vpc", "name": "vpc", "system": "aws"},
            {"path": "empty", "name": "empty", "system": "aws"},
            {"path": "dns", "name": "dns", "system": "aws", "version": "0.3.0"}
        ]}"#,
    )
    .unwrap();
    let out = p
        .cmd()
        .arg("publish")
        .arg("--manifest")
        .arg(&manifest)
        .args([
            "-r",
            HOST,
            "--registry-url",
            &p.registry.url(),
            "-n",
            "platform",
        ])
        .args([
            "--version",
            "1.0.0",
            "--bucket",
            &p.bucket,
            "--path-style",
            "--output",
            "json",
        ])
        .args(p.table_flag())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let statuses: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["module"].as_str().unwrap(),
                l["version"].as_str().unwrap(),
                l["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("platform/vpc/aws", "1.0.0", "published"),
            ("platform/empty/aws", "1.0.0", "failed"),
            ("platform/dns/aws", "0.3.0", "published"),
        ]
    );
    assert!(
        stderr(&out).contains("platform/empty/aws 1.0.0: "),
        "{}",
        stderr(&out)
    );
}
