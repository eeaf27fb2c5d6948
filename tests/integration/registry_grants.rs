//! manage-registry-permissions against the emulator's DynamoDB, with module records
//! beside the grants and the registry's own code reading and writing the same table, and
//! its own handler enforcing them.

use crate::support::registry::{Registry, role_of};
use crate::support::{ACCESS_KEY_ID, Run, TestEnv, fixture, unique};

const ROLE: &str = "arn:aws:iam::123456789012:role/ci";

struct Table {
    name: String,
    env: TestEnv,
}

impl Table {
    fn new() -> Self {
        let name = unique("registry");
        fixture(&["create-grants-table", &name]);
        fixture(&["put-module", &name, "platform", "vpc", "aws", "1.0.0"]);
        let mut env = TestEnv::with_aws();
        env.set("TABLE", &name);
        Table { name, env }
    }

    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.env.cmd("manage-registry-permissions");
        cmd.args(args);
        cmd
    }

    /// Run it; it must succeed. Its stdout.
    fn ok(&self, args: &[&str]) -> String {
        self.cmd(args).succeeds()
    }

    /// Run it; it must fail with `code`. Its one line of stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        self.cmd(args).fails(code)
    }

    fn registry_view(&self, ns: &str, role: &str) -> serde_json::Value {
        serde_json::from_str(&fixture(&["registry-get-grant", &self.name, ns, role])).unwrap()
    }

    fn modules(&self) -> Vec<serde_json::Value> {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(&fixture(&["scan", &self.name])).unwrap();
        items
            .into_iter()
            .filter(|i| i["sk"].as_str().unwrap().starts_with("Module~"))
            .collect()
    }
}

#[test]
fn create_is_what_the_registry_reads_and_fails_when_it_exists() {
    let t = Table::new();
    let modules_before = t.modules();
    t.ok(&["-r", ROLE, "-n", "platform", "create", "--download"]);
    let view = t.registry_view("platform", ROLE);
    assert_eq!(
        view["allowed"],
        serde_json::json!({"download": true, "upload": false, "create_grant": false, "delete_grant": false})
    );
    assert_eq!(
        view["item"],
        serde_json::json!({
            "pk": "platform", "sk": format!("IAMBearerAuth~{ROLE}"), "namespace": "platform", "identifier": ROLE,
            "permissions": {"download": true, "upload": false, "create_grant": false, "delete_grant": false}
        })
    );
    let err = t.fails(&["-r", ROLE, "-n", "platform", "create", "--upload"], 1);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        t.registry_view("platform", ROLE)["allowed"]["upload"],
        false,
        "unchanged"
    );
    assert_eq!(
        t.modules(),
        modules_before,
        "module records are never touched"
    );
}

#[test]
fn update_turns_permissions_off_and_leaves_the_others() {
    let t = Table::new();
    t.ok(&["-r", ROLE, "-n", "platform", "create", "-d", "-u", "-c"]);
    let out = t.ok(&[
        "-r",
        ROLE,
        "-n",
        "platform",
        "update",
        "--no-download",
        "--delete-grant",
        "--output",
        "json",
    ]);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    let expected = serde_json::json!({"download": false, "upload": true, "create_grant": true, "delete_grant": true});
    assert_eq!(shown["permissions"], expected);
    assert_eq!(t.registry_view("platform", ROLE)["allowed"], expected);
    t.ok(&["-r", ROLE, "-n", "platform", "update", "--upload=false"]);
    assert_eq!(
        t.registry_view("platform", ROLE)["allowed"]["upload"],
        false
    );
    // Nothing named: a user error, nothing written.
    t.fails(&["-r", ROLE, "-n", "platform", "update"], 2);
    // No such grant.
    let err = t.fails(&["-r", ROLE, "-n", "other", "update", "--download"], 1);
    assert!(err.contains("create one with `create`"), "{err}");
    assert!(
        t.registry_view("other", ROLE)["item"].is_null(),
        "update never creates"
    );
}

#[test]
fn shows_what_the_registrys_own_code_wrote() {
    let t = Table::new();
    fixture(&[
        "registry-create-grant",
        &t.name,
        "platform",
        ROLE,
        r#"{"download": true, "upload": true}"#,
    ]);
    let out = t.ok(&["-r", ROLE, "-n", "platform", "get", "--output", "json"]);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["role_arn"], ROLE);
    assert_eq!(
        shown["permissions"],
        serde_json::json!({"download": true, "upload": true, "create_grant": false, "delete_grant": false})
    );
    let text = t.ok(&["-r", ROLE, "-n", "platform", "get"]);
    assert!(
        text.contains("download      yes") && text.contains("delete_grant  no"),
        "{text}"
    );
}

#[test]
fn delete_prints_what_it_removed_and_exits_1_when_nothing() {
    let t = Table::new();
    t.ok(&["-r", ROLE, "-n", "platform", "create", "--upload"]);
    let out = t.ok(&["-r", ROLE, "-n", "platform", "delete", "--output", "json"]);
    let removed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(removed["permissions"]["upload"], true);
    assert!(t.registry_view("platform", ROLE)["item"].is_null());
    let err = t.fails(&["-r", ROLE, "-n", "platform", "delete", "--yes"], 1);
    assert!(err.contains("nothing removed"), "{err}");
    assert_eq!(t.modules().len(), 1, "the module record is still there");
    t.fails(&["-r", ROLE, "-n", "platform", "get"], 1);
}

#[test]
fn list_by_namespace_by_role_and_all_across_pages() {
    let t = Table::new();
    // With 4 items per request, every listing takes several pages.
    for i in 0..30 {
        let role = format!("arn:aws:iam::123456789012:role/team/r{i:02}");
        let ns = if i % 3 == 0 { "platform" } else { "apps" };
        t.ok(&["-r", &role, "-n", ns, "create", "--download"]);
    }
    t.ok(&[
        "-r",
        "arn:aws:iam::123456789012:role/team/r01",
        "-n",
        "platform",
        "create",
        "-u",
    ]);
    let list = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = t.ok(&[args, &["list", "--page-size", "4", "--output", "json"]].concat());
        serde_json::from_str(&out).unwrap()
    };
    assert_eq!(list(&[]).len(), 31, "module records are not grants");
    assert_eq!(list(&["-n", "platform"]).len(), 11);
    let by_role = list(&["-r", "arn:aws:iam::123456789012:role/team/r01"]);
    assert_eq!(by_role.len(), 2);
    assert!(
        by_role
            .iter()
            .all(|g| g["role_arn"] == "arn:aws:iam::123456789012:role/team/r01")
    );
    let table = t.ok(&["-n", "platform", "list"]);
    assert!(table.starts_with("NAMESPACE"), "{table}");
    assert_eq!(table.lines().count(), 12);
}

#[test]
fn session_arns_become_the_role_the_registry_looks_up() {
    let t = Table::new();
    let session =
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_abc/alice@example.com";
    let out = t
        .cmd(&["-r", session, "-n", "platform", "create", "--download"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("note: {session} is a session")),
        "{err}"
    );
    let role =
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc";
    assert_eq!(
        t.registry_view("platform", role)["allowed"]["download"],
        true
    );
}

#[test]
fn bad_input_is_refused_before_any_call() {
    let t = Table::new();
    for (args, message) in [
        (
            vec!["-r", "arn:aws:iam::123:role/x", "-n", "platform", "create"],
            "12 digits",
        ),
        (
            vec![
                "-r",
                "arn:aws:iam::123456789012:user/alice",
                "-n",
                "platform",
                "create",
            ],
            "IAM roles",
        ),
        (
            vec!["-r", ROLE, "-n", "bad/ns", "create"],
            "invalid namespace",
        ),
        (vec!["-n", "platform", "create"], "--role-arn"),
        (vec!["-r", ROLE, "create"], "--namespace"),
    ] {
        let err = t.fails(&args, 2);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let err = t.fails(
        &["--table", "no-such-table", "-r", ROLE, "-n", "x", "get"],
        2,
    );
    assert!(err.contains("does not exist"), "{err}");
    let items: Vec<serde_json::Value> = serde_json::from_str(&fixture(&["scan", &t.name])).unwrap();
    assert_eq!(items.len(), 1, "only the module record");
}

/// What manage-registry-permissions writes is what the registry's own handler enforces:
/// the caller's token is refused the namespace until the grant exists, lists the
/// module while it does, and is refused again once the grant is deleted.
#[test]
fn the_registrys_own_handler_enforces_the_grants_written() {
    let registry = Registry::start();
    registry.publish("platform/vpc/aws", "1.0.0", "the grants test");
    let env = TestEnv::with_aws();
    let token = env
        .cmd("get-registry-token")
        .args(["token", "-r", "registry.example.com", "--registry-url"])
        .arg(registry.url())
        .succeeds();
    let versions = || registry.get("/v1/modules/platform/vpc/aws/versions", token.trim());
    assert_eq!(
        versions(),
        (
            403,
            "Not authorized to download in namespace platform".to_owned()
        )
    );
    let role = role_of(ACCESS_KEY_ID);
    let grants = |args: &[&str]| {
        env.cmd("manage-registry-permissions")
            .args(["--table", &registry.table, "-r", &role, "-n", "platform"])
            .args(args)
            .succeeds()
    };
    grants(&["create", "--download"]);
    assert_eq!(
        versions(),
        (
            200,
            r#"{"modules":[{"versions":[{"version":"1.0.0"}]}]}"#.to_owned()
        )
    );
    grants(&["delete"]);
    assert_eq!(versions().0, 403);
}
