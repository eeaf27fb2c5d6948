//! The Windows build, under Wine (tests/support/windows.rs): what a Windows user or a
//! `windows-latest` CI job does, against the same emulator and registry stand-ins as
//! the Unix suite. Files are checked from the Linux side, where Wine keeps them.
//!
//! On Windows the tests run natively in this user's real profile, which a session
//! empties: there they are ignored unless asked for (`--ignored`), on a throw-away
//! machine (`scripts/test-portable` with CDK_TEST_THROWAWAY_PROFILE=1).

use std::fs;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use crate::support::registry::Registry;
use crate::support::windows::{Session, windows};
use crate::support::{fixture, immukv_py, stderr, stdout, stores_at_once, unique};

const HOST: &str = "registry.example.com";

fn token_args(endpoint: &str) -> Vec<&str> {
    vec!["token", "-r", HOST, "--registry-url", endpoint]
}

fn fails_with(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
    stderr(out)
}

/// Give Everyone (S-1-1-0) read access to `path`: under Wine, whose DACLs are Unix
/// modes, "others may read"; on Windows, an access-control entry.
fn let_everyone_read(path: &std::path::Path) {
    #[cfg(unix)]
    {
        let mode = fs::metadata(path).unwrap().permissions().mode();
        fs::set_permissions(path, fs::Permissions::from_mode(mode | 0o004)).unwrap();
    }
    #[cfg(windows)]
    {
        let out = std::process::Command::new("icacls")
            .arg(path)
            .args(["/grant", "*S-1-1-0:(R)"])
            .output()
            .unwrap();
        assert!(out.status.success(), "icacls: {}", stdout(&out));
    }
}

/// Whether `path`'s access list has an entry for Everyone (icacls names it so).
#[cfg(windows)]
fn everyone_may_read(path: &std::path::Path) -> bool {
    let out = std::process::Command::new("icacls")
        .arg(path)
        .output()
        .unwrap();
    stdout(&out).contains("Everyone:")
}

/// The cache file of registry tokens, as a Linux path.
fn token_cache(s: &Session<'_>) -> std::path::PathBuf {
    s.profile().join(".cdk/cache/registry_tokens.json")
}

/// A token is minted and cached in %USERPROFILE%\.cdk\cache, owner-only; asked again
/// with the registry gone, the cache answers.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn a_token_is_minted_then_served_from_the_cache_with_the_registry_gone() {
    let mut s = windows().session();
    s.with_aws();
    let endpoint = Registry::start();
    let url = endpoint.url();
    let token = s.ok("get-registry-token", &token_args(&url));
    assert!(token.starts_with("IAMBearerAuth~"), "{token}");
    assert_eq!(endpoint.stats().1, 1, "one token minted");
    let cache = token_cache(&s);
    assert!(
        cache.is_file(),
        "the cache is in the profile: {}",
        cache.display()
    );
    // Wine keeps a DACL as Unix modes: this user and SYSTEM only, nobody else.
    #[cfg(unix)]
    {
        let mode = fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o007, 0, "others have no access: {mode:o}");
    }
    #[cfg(windows)]
    assert!(!everyone_may_read(&cache), "others have no access");
    drop(endpoint);
    assert_eq!(s.ok("get-registry-token", &token_args(&url)), token);
    // The same token as a PowerShell and a fish assignment.
    let ps = s.ok(
        "get-registry-token",
        &["powershell", "-r", HOST, "--registry-url", &url],
    );
    assert_eq!(
        ps,
        format!(
            "$env:TF_TOKEN_registry_example_com = '{}'\n",
            token.trim_end()
        )
    );
    let fish = s.ok(
        "get-registry-token",
        &["fish", "-r", HOST, "--registry-url", &url],
    );
    assert_eq!(
        fish,
        format!(
            "set -gx TF_TOKEN_registry_example_com '{}'\n",
            token.trim_end()
        )
    );
}

/// Terraform's credentials-helper protocol: store, get, forget, and `{}` for a host
/// the helper does not serve.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn the_credentials_helper_protocol() {
    let s = windows().session();
    let helper = |verb: &str, host: &str| {
        vec!["credentials-helper", "--registry-host", HOST, verb, host]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<String>>()
    };
    let run = |args: Vec<String>, stdin: Option<&str>| {
        use std::io::Write;
        let mut cmd = s.cmd("get-registry-token");
        cmd.args(&args);
        cmd.stdin(std::process::Stdio::piped());
        cmd.stdout(std::process::Stdio::piped());
        cmd.stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        s.finished(&cmd, child.wait_with_output().unwrap())
    };
    let out = run(helper("store", HOST), Some("{\"token\":\"stored-token\"}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let out = run(helper("get", HOST), None);
    assert_eq!(
        stdout(&out),
        "{\"token\":\"stored-token\"}\n",
        "{}",
        stderr(&out)
    );
    let out = run(helper("get", "registry.terraform.io"), None);
    assert_eq!(stdout(&out), "{}\n", "{}", stderr(&out));
    let out = run(helper("forget", HOST), None);
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        stderr(&out)
    );
    let cache = fs::read_to_string(token_cache(&s)).unwrap_or_default();
    assert!(!cache.contains("stored-token"), "forgotten: {cache}");
}

/// Ten helpers storing at once (each waits on LockFileEx over the cache's sidecar lock
/// file, as on Unix it waits on flock): every entry is kept, no temporary file is left.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn concurrent_writers_keep_every_entry() {
    let s = windows().session();
    let outs = stores_at_once(10, || s.cmd("get-registry-token"));
    let mut helper = s.cmd("get-registry-token");
    helper.args(["credentials-helper", "store", "(one of ten)"]);
    for out in outs {
        let out = s.finished(&helper, out);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(token_cache(&s)).unwrap()).unwrap();
    let entries = doc["entries"].as_object().unwrap();
    for i in 0..10 {
        let e = &entries[&format!("registry-{i}.example.com|stored")];
        assert_eq!(e["token"], format!("stored-token-{i}"), "{entries:?}");
    }
    assert_eq!(entries.len(), 10, "{entries:?}");
    let names: Vec<_> = fs::read_dir(token_cache(&s).parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n == "registry_tokens.json" || n == ".registry_tokens.json.lock"),
        "{names:?}"
    );
}

/// The installer writes where Terraform on Windows reads: the helper as
/// `%APPDATA%\terraform.d\plugins\terraform-credentials-aws-credstore.exe`, the block in
/// `%APPDATA%\terraform.rc` (CRLF kept, the other blocks kept), the settings in
/// `%USERPROFILE%\.cdk\registries.json`; its final check passes; a second run changes
/// nothing; an uninstall of one host leaves the other; the doctor agrees.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn the_installer_writes_appdata_and_its_check_passes() {
    let mut s = windows().session();
    s.with_aws();
    let endpoint = Registry::start();
    let url = endpoint.url();
    let rc = s.appdata().join("terraform.rc");
    let original = "# mine\r\nplugin_cache_dir = \"C:/tf-cache\"\r\ncredentials \"other.example.com\" {\r\n  token = \"theirs\"\r\n}\r\n";
    fs::write(&rc, original).unwrap();
    let install = |host: &str| {
        s.run(
            "install-registry-credentials-helper",
            &["--registry-host", host, "--registry-url", &url],
        )
    };
    let out = install(HOST);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("checked: Terraform will get a token for {HOST}")),
        "{}",
        stderr(&out)
    );
    let helper = s
        .appdata()
        .join("terraform.d/plugins/terraform-credentials-aws-credstore.exe");
    assert!(helper.is_file(), "{}", stderr(&out));
    let text = fs::read_to_string(&rc).unwrap();
    assert!(
        text.starts_with(original),
        "the file's own text first: {text:?}"
    );
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "CRLF: {text:?}"
    );
    assert!(
        text.contains("args = [\"--registry-host\", \"registry.example.com\"]"),
        "{text}"
    );
    let settings = s.profile().join(".cdk/registries.json");
    assert!(settings.is_file());
    // Paths in messages are Windows paths.
    assert!(
        stderr(&out).to_lowercase().contains("c:\\users\\"),
        "{}",
        stderr(&out)
    );

    let before = (
        fs::read(&rc).unwrap(),
        fs::metadata(&rc).unwrap().modified().unwrap(),
    );
    let out = install(HOST);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already up to date"),
        "{}",
        stderr(&out)
    );
    let after = (
        fs::read(&rc).unwrap(),
        fs::metadata(&rc).unwrap().modified().unwrap(),
    );
    assert_eq!(before, after, "a second run changes nothing");

    let out = install("modules.example.org");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s.run(
        "install-registry-credentials-helper",
        &["--uninstall", "--registry-host", HOST],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&rc).unwrap();
    assert!(text.starts_with(original), "{text:?}");
    assert!(
        text.contains("\"--registry-host\", \"modules.example.org\"") && !text.contains(HOST),
        "{text}"
    );
    let recorded = fs::read_to_string(&settings).unwrap();
    assert!(
        recorded.contains("modules.example.org") && !recorded.contains(HOST),
        "{recorded}"
    );
    assert!(helper.is_file(), "still serving the other host");

    let out = s.run(
        "get-registry-token",
        &["doctor", "-r", "modules.example.org", "--tool", "terraform"],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("terraform will get a working token for modules.example.org"),
        "{}",
        stdout(&out)
    );
    // Where each setting came from, as a Windows user writes it.
    assert!(
        stdout(&out).contains("(%USERPROFILE%\\.cdk\\registries.json)")
            && stdout(&out).contains("(%AWS_REGION%)"),
        "{}",
        stdout(&out)
    );
}

/// `exec`: the child gets the token in its environment only; its exit code is ours.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn exec_runs_the_child_and_exits_with_its_code() {
    let mut s = windows().session();
    s.with_aws();
    let endpoint = Registry::start();
    let url = endpoint.url();
    let out = s.run(
        "get-registry-token",
        &[
            "exec",
            "-r",
            HOST,
            "--registry-url",
            &url,
            "--",
            "cmd",
            "/c",
            "echo token=%TF_TOKEN_registry_example_com%& exit 7",
        ],
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("token=IAMBearerAuth~"),
        "{}",
        stdout(&out)
    );
}

/// ImmuKV on Windows: set, get, log and verify against the emulator; the official
/// Python client reads the same store.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn immukv_set_get_log_verify() {
    let mut s = windows().session();
    s.with_aws();
    let bucket = unique("winkv").to_lowercase();
    immukv_py(&["bucket", &bucket]);
    s.set("IMMUKV_BUCKET", &bucket);
    s.set("IMMUKV_PREFIX", "win/");
    let kv = |args: &[&str]| {
        let mut all = vec!["--path-style"];
        all.extend_from_slice(args);
        s.ok("immukv", &all)
    };
    kv(&["set", "sensor-1", "{\"t\": 21.5}"]);
    kv(&["set", "sensor-1", "{\"t\": 22}"]);
    assert_eq!(kv(&["get", "sensor-1"]).trim_end(), "{\"t\":22}");
    let log = kv(&["log", "--output", "jsonl"]);
    assert_eq!(log.lines().count(), 2, "{log}");
    let verified = s.run("immukv", &["--path-style", "verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    // What the Windows build wrote, the official Python client reads and verifies.
    let read: serde_json::Value =
        serde_json::from_str(&immukv_py(&["get", &bucket, "win/", "sensor-1"])).unwrap();
    assert_eq!(read["value"], serde_json::json!({"t": 22}));
    assert_eq!(immukv_py(&["verify", &bucket, "win/"]).trim(), "true");
}

/// api-key on Windows: the key from SSM, then from %USERPROFILE%\.cdk\cache.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn api_key_get() {
    let mut s = windows().session();
    s.with_aws();
    let stack = unique("WinApi");
    fixture(&[
        "ssm-put",
        &format!("/{stack}/api-key"),
        "win-key-0123456789",
    ]);
    assert_eq!(
        s.ok("api-key", &["get", "--stack", &stack]),
        "win-key-0123456789\n"
    );
    let cached = fs::read_to_string(s.profile().join(".cdk/cache/apigw_api_keys.json")).unwrap();
    assert!(cached.contains("win-key-0123456789"), "{cached}");
}

/// A cache file whose DACL lets Everyone read it is not used (one warning, the token
/// minted again), and is set aside before the new one is written owner-only. Wine
/// keeps DACLs as Unix modes: "others may read" is its Everyone read entry.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn a_cache_file_everyone_may_read_is_not_used() {
    let mut s = windows().session();
    s.with_aws();
    let endpoint = Registry::start();
    let url = endpoint.url();
    let first = s.ok("get-registry-token", &token_args(&url));
    let cache = token_cache(&s);
    let_everyone_read(&cache);
    let out = s.run("get-registry-token", &token_args(&url));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("its access list lets Everyone (S-1-1-0) read it")
            || stderr(&out).contains("the file's access list lets Everyone (S-1-1-0) read it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(endpoint.stats().1, 2, "minted again rather than read");
    assert_ne!(stdout(&out), first);
    #[cfg(unix)]
    {
        let mode = fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o007, 0, "the new file is owner-only: {mode:o}");
    }
    #[cfg(windows)]
    assert!(!everyone_may_read(&cache), "the new file is owner-only");
    let aside = fs::read_dir(cache.parent().unwrap())
        .unwrap()
        .flatten()
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("registry_tokens.json.corrupt-")
        });
    assert!(aside, "the refused file is kept aside");
}

/// The Windows archive `scripts/package` makes: a zip (no hard links in zips, so one
/// `cdk-toolkit.exe`; install.ps1 makes the names) with the completions, man pages
/// and guides, listed in SHA256SUMS.
#[test]
#[cfg(unix)]
fn the_windows_archive_holds_the_exe_and_its_files() {
    let exe = &windows().exe;
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(crate::support::repo().join("scripts/package"))
        .args(["--target", "x86_64-pc-windows-gnu", "--bin-dir"])
        .arg(exe.parent().unwrap())
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let name = format!(
        "cdk-toolkit-{}-x86_64-pc-windows-gnu",
        env!("CARGO_PKG_VERSION")
    );
    let zip = out.path().join(format!("{name}.zip"));
    let listed = std::process::Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(&zip)
        .output()
        .unwrap();
    let listed = stdout(&listed);
    for file in [
        "cdk-toolkit.exe",
        "completions/_immukv.ps1",
        "man/immukv.1",
        "docs/registry.md",
        "README.md",
        "LICENSE",
    ] {
        assert!(
            listed.contains(&format!("{name}/{file} ")),
            "{file} in {listed}"
        );
    }
    assert!(!listed.contains("immukv.exe"), "one program: {listed}");
    let sums = fs::read_to_string(out.path().join("SHA256SUMS")).unwrap();
    assert!(
        sums.trim_end().ends_with(&format!("  {name}.zip")),
        "{sums}"
    );
}

/// A usage error is one line and exit 2, naming the tool as it was called.
#[test]
#[cfg_attr(windows, ignore = "empties the profile")]
fn bad_input_is_one_line_and_exit_2() {
    let s = windows().session();
    let out = s.run("get-registry-token", &["token", "-r", "x`id`"]);
    let err = fails_with(&out, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("get-registry-token: "), "{err}");
}

/// Every Wine process runs with the address layout fixed (the personality flag
/// ADDR_NO_RANDOMIZE, 0x0040000): with the heap put at random in the gigabyte above
/// Wine's loader, about one start in 4,000 failed with exit 1 and, to the suite, no
/// output (tests/support/windows.rs says why).
#[test]
#[cfg(target_os = "linux")]
fn wine_processes_run_with_a_fixed_address_layout() {
    let s = windows().session();
    let mut child = s
        .program("cmd")
        .args(["/c", "ping -n 3 127.0.0.1 >nul"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Once the process is Wine's loader (any wrapper has run), its flags are Wine's.
    let proc = format!("/proc/{}", child.id());
    let started = std::time::Instant::now();
    while !fs::read(format!("{proc}/cmdline"))
        .unwrap_or_default()
        .starts_with(crate::support::windows::WINE.as_bytes())
    {
        assert!(started.elapsed().as_secs() < 20, "Wine never started");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let personality = fs::read_to_string(format!("{proc}/personality")).unwrap();
    child.wait().unwrap();
    let flags = u32::from_str_radix(personality.trim(), 16).unwrap();
    assert_ne!(flags & 0x0040000, 0, "personality {personality}");
}
