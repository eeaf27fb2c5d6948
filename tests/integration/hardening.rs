//! The edges where the toolkit meets the network, the shell and the user's files, tried
//! as an attacker or a flaky network would: local servers that redirect, record what
//! reaches them, or never answer; malformed and symlinked rc files; planted caches.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::support::registry::Registry;
use crate::support::{
    ACCESS_KEY_ID, REGION, Recorder, Run, SECRET_ACCESS_KEY, Silent, TestEnv, TokenEndpoint,
    bin_path, fixture, iam_user_stack, run_within, s3_proxy, stderr, stdout, unique,
};

const HOST: &str = "registry.example.com";
const ACCOUNT: &str = "123456789012";

/// A test environment whose API-key cache holds `key` for `stack`: `api-key` needs no
/// AWS call to find it.
fn with_cached_key(stack: &str, key: &str) -> TestEnv {
    let env = TestEnv::with_aws();
    env.write(
        ".cdk/cache/apigw_api_keys.json",
        format!(r#"{{"{ACCOUNT}": {{"{stack}": "{key}"}}}}"#),
    );
    env
}

// ---------------------------------------------------------------------------- HTTP

/// `call` follows a redirect only within the API's origin; a 3xx to another origin
/// (here plain http, as an attacker would send it) is an error, and nothing of the
/// request (key, body) reaches the other host.
#[test]
fn call_keeps_the_key_and_the_body_on_the_apis_origin() {
    let env = with_cached_key("Redir", "the-api-key-value");
    let recorder = Recorder::start();
    let (origin, ca) = TokenEndpoint::start_tls_opts(
        env.path(),
        &format!("redirect=http://127.0.0.1:{}", recorder.port),
        &["--api-key", "the-api-key-value"],
    );
    let url = format!("https://localhost:{}/prod/items", origin.server.port);
    let out = env
        .cmd("api-key")
        .args(["call", "--stack", "Redir", "--account", ACCOUNT])
        .args(["-X", "POST", "--data", "secret-body", &url])
        .env("SSL_CERT_FILE", &ca)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to follow a redirect")
            && stderr(&out).contains(&format!("http://127.0.0.1:{}/prod/items", recorder.port)),
        "{}",
        stderr(&out)
    );
    assert!(recorder.settled().is_empty(), "{:?}", recorder.received());

    // Within the origin a redirect is followed, the key sent again, the request signed
    // again for its new path.
    let stack = unique("Moved");
    fixture(&["ssm-put", &format!("/{stack}/api-key"), "the-api-key-value"]);
    fixture(&[
        "secret-create",
        &format!("{stack}/iam-user-credentials"),
        &format!(
            r#"{{"access-key-id": "{ACCESS_KEY_ID}", "secret-access-key": "{SECRET_ACCESS_KEY}"}}"#
        ),
    ]);
    let api = TokenEndpoint::start_api(
        "the-api-key-value",
        &[(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None)],
    );
    for extra in [&[][..], &["--iam"][..]] {
        let out = env
            .cmd("api-key")
            .args(["call", "--stack", &stack])
            .args(extra)
            .arg(format!("{}/moved/prod/items?x=1", api.url()))
            .succeeds();
        let echo: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(echo["path"], "/prod/items?x=1", "{extra:?}");
        assert_eq!(
            echo["auth"],
            if extra.is_empty() { "api-key" } else { "sigv4" }
        );
    }
}

/// The token request follows no redirect at all: a 3xx is an error naming the
/// Location, the signed request and session token never reach it, nothing is cached.
/// (The stand-in: the registry's own handler never redirects.)
#[test]
fn the_token_request_follows_no_redirect() {
    let mut env = TestEnv::with_aws();
    env.set("AWS_ACCESS_KEY_ID", "ASIAREDIRECT00000001");
    env.set("AWS_SESSION_TOKEN", "the-session-token");
    let recorder = Recorder::start();
    let (registry, ca) = TokenEndpoint::start_tls_opts(
        env.path(),
        &format!("redirect=http://127.0.0.1:{}", recorder.port),
        &[],
    );
    let host = format!("localhost:{}", registry.server.port);
    let err = env
        .cmd("get-registry-token")
        .args(["token", "-r", &host])
        .env("SSL_CERT_FILE", &ca)
        .fails(3);
    assert!(
        err.contains("redirect (HTTP 307)")
            && err.contains(&format!("http://127.0.0.1:{}/token", recorder.port)),
        "{err}"
    );
    assert!(recorder.settled().is_empty(), "{:?}", recorder.received());
    assert!(!env.cache_dir().join("registry_tokens.json").exists());
}

/// The address this machine reaches other hosts from: not loopback.
fn outside_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// AWS API calls carry SecureStrings, secrets and STS credentials: plain http is
/// refused unless the endpoint is loopback, however it was named, and nothing is sent.
#[test]
fn aws_endpoints_take_plain_http_only_on_loopback() {
    let env = TestEnv::with_aws();
    let err = env
        .cmd("api-key")
        .args(["get", "--stack", "S", "--account", ACCOUNT])
        .args(["--endpoint-url", "http://ssm.example.com"])
        .fails(2);
    assert!(
        err.contains("refusing plain HTTP to ssm.example.com"),
        "{err}"
    );

    let Some(outside) = outside_address() else {
        return;
    };
    let recorder = Recorder::start_on("0.0.0.0");
    let off_loopback = format!("http://{outside}:{}", recorder.port);
    let not_loopback_by_name = format!("http://foo.localhost:{}", recorder.port);
    for (var, url) in [
        ("AWS_ENDPOINT_URL", off_loopback.as_str()),
        ("AWS_ENDPOINT_URL_SSM", off_loopback.as_str()),
        ("AWS_ENDPOINT_URL", not_loopback_by_name.as_str()),
    ] {
        let err = env
            .cmd("api-key")
            .args(["get", "--stack", "S", "--account", ACCOUNT])
            .env(var, url)
            .fails(2);
        assert!(err.contains("refusing plain HTTP"), "{var}={url}: {err}");
    }
    assert!(recorder.settled().is_empty(), "{:?}", recorder.received());
}

/// An endpoint that accepts the connection and never answers: every AWS-facing binary
/// gives up after --aws-timeout (or CDK_AWS_TIMEOUT) and says what timed out and how
/// to allow more time.
#[test]
fn a_silent_endpoint_hangs_nothing() {
    let silent = Silent::start();
    let mut env = TestEnv::with_aws();
    env.set("AWS_ENDPOINT_URL", silent.url());
    let commands: [(&str, &[&str]); 3] = [
        ("immukv", &["--bucket", "b", "get", "k"]),
        ("api-key", &["get", "--stack", "S", "--account", ACCOUNT]),
        (
            "manage-registry-permissions",
            &["-r", "arn:aws:iam::123456789012:role/x", "-n", "ns", "get"],
        ),
    ];
    for (i, (bin, args)) in commands.into_iter().enumerate() {
        let mut cmd = env.std_cmd(bin_path(bin));
        cmd.args(args);
        // The environment variable for two, the flag for the last.
        if i == 2 {
            cmd.args(["--aws-timeout", "2"]);
        } else {
            cmd.env("CDK_AWS_TIMEOUT", "2");
        }
        let (out, took) = run_within(cmd, 60);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{bin}: {err}");
        assert!(
            err.contains("did not finish within 2 s") && err.contains("--aws-timeout"),
            "{bin}: {err}"
        );
        assert!(took < Duration::from_secs(15), "{bin} took {took:?}");
    }

    // The credentials helper, when its credentials come from STS (web identity).
    let mut web = TestEnv::new();
    let token_file = web.write("web-identity-token", "token");
    web.set("AWS_REGION", REGION)
        .set("AWS_ENDPOINT_URL", silent.url())
        .set("AWS_WEB_IDENTITY_TOKEN_FILE", &token_file)
        .set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci")
        .set("CDK_AWS_TIMEOUT", "2");
    let endpoint = Registry::start();
    let mut helper = web.std_cmd(bin_path("get-registry-token"));
    helper.args([
        "credentials-helper",
        "--registry-url",
        &endpoint.url(),
        "get",
        HOST,
    ]);
    let (out, took) = run_within(helper, 60);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("loading AWS credentials did not finish within 2 s"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");

    // The installer's final check, running that helper, is bounded by its own deadline.
    web.unset("CDK_AWS_TIMEOUT");
    let mut install = web.std_cmd(bin_path("install-registry-credentials-helper"));
    install.args([
        "--registry-host",
        HOST,
        "--registry-url",
        &endpoint.url(),
        "--check-timeout",
        "3",
    ]);
    let (out, took) = run_within(install, 60);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not answer for registry.example.com within 3 s")
            && stderr(&out).contains("--check-timeout"),
        "{}",
        stderr(&out)
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// A hostile server cannot make the toolkit read without limit: the token endpoint's
/// answer and `call`'s response body stop at a cap, with a clear error. (The stand-in:
/// only a hostile server sends a megabyte for a token.)
#[test]
fn answers_are_read_up_to_a_cap() {
    let env = TestEnv::with_aws();
    let huge = TokenEndpoint::start("huge");
    let err = env
        .cmd("get-registry-token")
        .args(["token", "-r", HOST, "--registry-url", &huge.url()])
        .fails(3);
    assert!(err.contains("sent more than 65536 bytes"), "{err}");
    assert!(!env.cache_dir().join("registry_tokens.json").exists());

    let env = with_cached_key("Big", "k");
    let api = TokenEndpoint::start_api("k", &[]);
    let call = |path: &str, extra: &[&str]| {
        let mut cmd = env.cmd("api-key");
        cmd.args(["call", "--stack", "Big", "--account", ACCOUNT])
            .args(extra)
            .arg(format!("{}{path}", api.url()));
        cmd
    };
    let err = call("/huge/2000000", &["--max-response-bytes", "1000000"]).fails(3);
    assert!(err.contains("sent more than 1000000 bytes"), "{err}");
    // The default cap is 16 MiB.
    let err = call("/huge/17000000", &[]).fails(3);
    assert!(err.contains("sent more than 16777216 bytes"), "{err}");
    assert_eq!(call("/huge/1000", &[]).succeeds().len(), 1000);
}

/// `--registry-url https://host/stage` keeps the stage: the token is asked at
/// /stage/token, with or without the trailing slash. (The stand-in, which serves under a
/// stage prefix as API Gateway's stage URL does; the handler's harness has none.)
#[test]
fn the_registry_url_keeps_its_stage_path() {
    let env = TestEnv::with_aws();
    let endpoint = TokenEndpoint::start_opts("normal", &["--prefix", "/stage"]);
    for base in [
        format!("{}/stage", endpoint.url()),
        format!("{}/stage/", endpoint.url()),
    ] {
        env.cmd("get-registry-token")
            .args(["token", "-r", HOST, "--no-cache", "--registry-url", &base])
            .succeeds();
    }
    assert_eq!(endpoint.token_paths(), vec!["/stage/token", "/stage/token"]);
}

// ------------------------------------------------------------ shell and terminal

/// A registry host is what Terraform accepts as one, checked once, at the command
/// line: nothing a shell would run reaches an `export` line, nothing is asked.
#[test]
fn registry_hosts_carry_no_shell_syntax() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    for bad in [
        "x`id`",
        "x$(id)",
        "a;id",
        "x'y",
        "x\"y",
        "x\\y.example.com",
        "x y",
        "x\u{1b}[31m",
    ] {
        let err = env
            .cmd("get-registry-token")
            .args(["env", "-r", bad, "--registry-url", &endpoint.url()])
            .fails(2);
        assert!(err.contains("is not a host name"), "{bad:?}: {err}");
    }
    assert_eq!(endpoint.stats(), (0, 0));
    assert!(!env.cache_dir().exists());
}

/// immukv's text output escapes control characters of stored keys and values: a key
/// with ESC (or TAB, DEL, a C1 control) can neither colour the terminal nor split a
/// line. (The emulator cannot store a newline in a key; the unit test
/// `app::immukv::tests::terminal_text_has_no_control_characters` covers it.)
#[test]
fn immukv_text_output_escapes_control_characters() {
    let bucket = unique("ctl").to_lowercase();
    crate::support::immukv_py(&["bucket", &bucket]);
    let mut env = TestEnv::with_aws();
    env.set("IMMUKV_BUCKET", &bucket);
    let key = "red\u{1b}[31mkey\ttab\u{7f}\u{9b}2J";
    let run = |args: &[&str]| env.cmd("immukv").arg("--path-style").args(args).succeeds();
    run(&["set", key, "\"v\""]);
    run(&["set", "plain", "1"]);
    // (`history` prints through the same printer as `log`; the emulator cannot list the
    // versions of such a key: it ignores encoding-type there and sends raw XML.)
    for args in [&["keys"][..], &["log"][..]] {
        let out = run(args);
        let line = out.lines().find(|l| l.contains("red")).unwrap_or_default();
        // Tabs separate the fields of `log` and `history`; the key is one field.
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            if args[0] == "keys" { 1 } else { 5 },
            "{args:?}: {out:?}"
        );
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{args:?}: {out:?}"
        );
        assert!(
            fields.contains(&"red\\u001b[31mkey\\u0009tab\\u007f\\u009b2J"),
            "{args:?}: {out:?}"
        );
    }
    assert_eq!(
        run(&["keys"]),
        format!("plain\n{}\n", "red\\u001b[31mkey\\u0009tab\\u007f\\u009b2J")
    );
    assert_eq!(run(&["log"]).lines().count(), 2);
}

/// `--output github` prints its `::add-mask::` lines before it appends to
/// GITHUB_ENV: even when the append fails, the runner already masks the token.
#[test]
fn github_output_masks_before_it_writes() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let out = env
        .cmd("get-registry-token")
        .args(["github", "-r", HOST, "--registry-url", &endpoint.url()])
        .env("GITHUB_ENV", env.path().join("no-such-folder/env"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let token = fs::read_to_string(env.cache_dir().join("registry_tokens.json")).unwrap();
    let token: serde_json::Value = serde_json::from_str(&token).unwrap();
    let token = token["entries"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(stdout(&out), format!("::add-mask::{token}\n"));
}

// ------------------------------------------------------------------ the user's files

/// A CLI config the scan cannot follow is refused in one line that quotes none of it
/// (it holds other hosts' tokens), and left untouched; no panic, whatever the bytes.
#[test]
fn a_malformed_rc_file_is_refused_untouched_and_unquoted() {
    let endpoint = Registry::start();
    for rc in [
        "credentials \"caf\u{e9}-unterminated {\n  token = \"secret-token-xyz\"\n}\n",
        "credentials \"h\" {\n  token = \"secret-token-xyz\"\n",
        "note = <<EOF\nsecret-token-xyz\n",
        "# BEGIN install-registry-credentials-helper\ncredentials_helper \"aws-credstore\" {\n  args = []\n}\n# END install-registry-credentials-helper\n\u{e9}\u{e9} secret-token-xyz",
    ] {
        let env = TestEnv::with_aws();
        let path = env.write(".terraformrc", rc);
        for args in [&["--registry-host", HOST][..], &["--uninstall"][..]] {
            let err = env
                .cmd("install-registry-credentials-helper")
                .args(args)
                .args(["--registry-url", &endpoint.url()])
                .fails(2);
            assert!(
                err.contains("cannot understand") && err.contains("line"),
                "{err}"
            );
            assert!(!err.contains("secret-token-xyz"), "{err}");
            assert_eq!(fs::read_to_string(&path).unwrap(), rc, "untouched");
        }
        assert!(
            !env.path().join(".terraform.d").exists(),
            "nothing installed"
        );
    }
}

/// Heredocs are understood: a helper block inside one is text, not a block.
#[test]
fn heredocs_in_an_rc_file_are_text() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let original = "notes = <<EOF\ncredentials_helper \"other\" {\n}\nEOF\n";
    env.write(".terraformrc", original);
    env.cmd("install-registry-credentials-helper")
        .args(["--registry-host", HOST, "--registry-url", &endpoint.url()])
        .succeeds();
    let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
    assert!(rc.starts_with(original), "{rc}");
    assert_eq!(
        rc.matches("credentials_helper \"aws-credstore\"").count(),
        1
    );
}

/// A `~/.terraformrc` that is a link (dotfile managers) is edited through the link:
/// the link stays, the target keeps its mode, and uninstall restores the target.
#[test]
fn a_symlinked_rc_file_is_edited_in_its_target() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let original = "credentials \"app.terraform.io\" {\n  token = \"t\"\n}\n";
    let target = env.write("dotfiles/terraformrc", original);
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = env.path().join(".terraformrc");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    env.cmd("install-registry-credentials-helper")
        .args(["--registry-host", HOST, "--registry-url", &endpoint.url()])
        .succeeds();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let edited = fs::read_to_string(&target).unwrap();
    assert!(
        edited.starts_with(original) && edited.contains("credentials_helper"),
        "{edited}"
    );
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let leftovers = fs::read_dir(env.path().join("dotfiles")).unwrap().count();
    assert_eq!(leftovers, 1, "no temp file beside the target");

    env.cmd("install-registry-credentials-helper")
        .arg("--uninstall")
        .succeeds();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), original);
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

/// A cache folder someone else owns, or others may write into, feeds nothing to
/// `api-key`; one of ours that others could read is narrowed to 0700 and used.
#[test]
fn a_planted_cache_folder_is_not_trusted() {
    let planted = r#"{"123456789012": {"Planted": "planted-key"}}"#;
    let dead_aws = |env: &mut TestEnv| {
        env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    };

    // A cache folder `name` with the planted key file, in `mode`; what `get` made of it.
    let planted_in = |env: &TestEnv, name: &str, mode: u32| {
        let dir = env.path().join(name);
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("apigw_api_keys.json"), planted).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        (dir, move |env: &TestEnv, dir: &std::path::Path| {
            let out = env
                .cmd("api-key")
                .args(["get", "--stack", "Planted", "--account", ACCOUNT])
                .env("CDK_CACHE_DIR", dir)
                .output()
                .unwrap();
            assert!(!stdout(&out).contains("planted-key"));
            out
        })
    };

    // Writable by everyone (a shared folder): refused, and never chmod'ed.
    let mut env = TestEnv::with_aws();
    dead_aws(&mut env);
    let (shared, get) = planted_in(&env, "shared", 0o1777);
    let out = get(&env, &shared);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is open to other users (mode "),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::metadata(&shared).unwrap().permissions().mode() & 0o7777,
        0o1777
    );

    // Owned by someone else.
    if crate::support::is_root() {
        let (theirs, get) = planted_in(&env, "theirs", 0o700);
        std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
        let out = get(&env, &theirs);
        assert!(
            stderr(&out).contains("belongs to user 65534"),
            "{}",
            stderr(&out)
        );
    }

    // Ours, readable by others (another tool's default umask): narrowed, then used.
    let env = with_cached_key("Mine", "my-key");
    let cache = env.cache_dir();
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o755)).unwrap();
    let out = env
        .cmd("api-key")
        .args(["get", "--stack", "Mine", "--account", ACCOUNT])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .succeeds();
    assert_eq!(out, "my-key\n");
    assert_eq!(
        fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

// ------------------------------------------------------- processes and credentials

/// `exec --iam` gives the child exactly the invoke credentials: every credential
/// variable of the parent is cleared (boto3 would otherwise sign with the parent's
/// stale AWS_SECURITY_TOKEN), and a session's expiry is set.
#[test]
fn exec_gives_the_child_only_its_credentials() {
    let mut env = TestEnv::with_aws();
    let stack = iam_user_stack("Exec", "AKIAEXECEXECEXEC0001", "exec-secret");
    for (name, value) in [
        ("AWS_SECURITY_TOKEN", "stale-parent-token"),
        ("AWS_CREDENTIAL_EXPIRATION", "2000-01-01T00:00:00Z"),
        ("AWS_DEFAULT_PROFILE", "parent-profile"),
        ("AWS_ROLE_SESSION_NAME", "parent-session"),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        ),
    ] {
        env.set(name, value);
    }
    let python = crate::support::venv().join("bin/python");
    let probe = "import os, json, boto3; c = boto3.Session().get_credentials(); \
                 print(json.dumps({'token': c.token, 'key': c.access_key, \
                 'env': sorted(k for k in os.environ if k.startswith('AWS_'))}))";
    let child = |extra: &[&str]| -> serde_json::Value {
        let out = env
            .cmd("api-key")
            .args(["exec", "--stack", &stack, "--iam"])
            .args(extra)
            .arg("--")
            .arg(&python)
            .args(["-c", probe])
            .succeeds();
        serde_json::from_str(&out).unwrap()
    };
    let user = child(&[]);
    assert_eq!(user["key"], "AKIAEXECEXECEXEC0001");
    assert_eq!(
        user["token"],
        serde_json::Value::Null,
        "no stale token: {user}"
    );
    let names: Vec<&str> = user["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for cleared in [
        "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        assert!(!names.contains(&cleared), "{cleared} leaked: {names:?}");
    }
    let session = child(&["--assume-role"]);
    assert!(session["token"].as_str().is_some_and(|t| !t.is_empty()));
    let names: Vec<&str> = session["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(names.contains(&"AWS_CREDENTIAL_EXPIRATION"), "{names:?}");
}

/// A profile whose credential_process is `api-key iam-credentials` makes an api-key
/// that resolves its own credentials through it start itself again; that loop ends at
/// once with a message naming the fix, and `--profile SOURCE` breaks it.
#[test]
fn a_credential_process_loop_is_caught() {
    let mut env = TestEnv::new();
    let stack = iam_user_stack("Loop", "AKIALOOPLOOPLOOP0001", "loop-secret");
    let api_key = bin_path("api-key");
    let config = |source: &str| {
        format!(
            "[profile invoke]\nregion = {REGION}\ncredential_process = {} {source}iam-credentials --stack {stack} --output credential-process\n\
             [profile source]\nregion = {REGION}\n",
            api_key.display()
        )
    };
    env.write(".aws/config", config(""));
    env.write(
        ".aws/credentials",
        format!("[source]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_ACCESS_KEY}\n"),
    );
    env.set("AWS_PROFILE", "invoke")
        .set("AWS_REGION", REGION)
        .set("AWS_ENDPOINT_URL", crate::support::moto());
    let credential_process = || {
        let mut cmd = env.std_cmd(&api_key);
        cmd.args(["iam-credentials", "--stack", &stack])
            .args(["--output", "credential-process"]);
        cmd
    };
    let (out, _) = run_within(credential_process(), 60);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("credential_process") && stderr(&out).contains("--profile SOURCE"),
        "{}",
        stderr(&out)
    );

    // Named source profile: no loop.
    env.write(".aws/config", config("--profile source "));
    let (out, _) = run_within(credential_process(), 60);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["AccessKeyId"], "AKIALOOPLOOPLOOP0001");
}

/// Tokens are cached per signing identity: two jobs sharing a HOME and a profile name
/// but not a credentials file each get their own token (and a hit still resolves no
/// credentials: see registry_token::cache_hit_sends_no_request_and_resolves_no_credentials).
#[test]
fn tokens_are_cached_per_signing_identity() {
    let keys = [
        ("AKIAIDENTITYAAAA0001", "secret-a"),
        ("AKIAIDENTITYBBBB0002", "secret-b"),
    ];
    let endpoint = Registry::start_with(
        REGION,
        "execute-api",
        &[(keys[0].0, keys[0].1, None), (keys[1].0, keys[1].1, None)],
    );
    let mut env = TestEnv::new();
    env.set("AWS_REGION", REGION);
    let mut tokens = Vec::new();
    for (i, (id, secret)) in keys.iter().enumerate() {
        let file = env.write(
            &format!("job-{i}/credentials"),
            format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
        );
        tokens.push(
            env.cmd("get-registry-token")
                .args(["token", "-r", HOST, "--registry-url", &endpoint.url()])
                .env("AWS_SHARED_CREDENTIALS_FILE", &file)
                .succeeds(),
        );
    }
    assert_ne!(tokens[0], tokens[1]);
    assert_eq!(
        endpoint.stats().1,
        2,
        "the second identity minted its own token"
    );
}

// -------------------------------------------------------------------- exit codes

/// `api-key call`: a 5xx or a network failure exits 3, a 4xx exits 1, and a closed
/// stdout after an HTTP error still exits with the error's status.
#[test]
fn call_exit_statuses() {
    let env = with_cached_key("Codes", "k");
    let api = TokenEndpoint::start_api("k", &[]);
    let call = |url: String| {
        let mut cmd = env.cmd("api-key");
        cmd.args(["call", "--stack", "Codes", "--account", ACCOUNT, &url]);
        cmd
    };
    for (status, code) in [(500, 3), (503, 3), (404, 1), (429, 1)] {
        let out = call(format!("{}/status/{status}", api.url()))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "HTTP {status}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(&format!("HTTP {status}")),
            "{}",
            stderr(&out)
        );
    }
    call("http://127.0.0.1:9/x".into()).fails(3);

    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = env
        .std_cmd(bin_path("api-key"))
        .args(["call", "--stack", "Codes", "--account", ACCOUNT])
        .arg(format!("{}/status/500", api.url()))
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

/// AWS throttling and expired credentials are service conditions (exit 3), not the
/// user's mistake (2).
#[test]
fn throttling_and_expired_credentials_exit_3() {
    for code in ["ThrottlingException", "ExpiredTokenException"] {
        let proxy = s3_proxy(&["--json-error", &format!("400:{code}")]);
        let mut env = TestEnv::with_aws();
        env.set("AWS_ENDPOINT_URL", proxy.url());
        let err = env
            .cmd("api-key")
            .args(["get", "--stack", "S", "--account", ACCOUNT])
            .fails(3);
        assert!(err.contains(code), "{err}");
    }
}

/// A warning about the cache says why it could not be used.
#[test]
fn cache_warnings_keep_their_cause() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    env.write(".cdk/cache", "not a folder");
    let out = env
        .cmd("get-registry-token")
        .args(["token", "-r", HOST, "--registry-url", &endpoint.url()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not cache the token")
            && stderr(&out).contains("it exists and is not a folder"),
        "{}",
        stderr(&out)
    );
}
