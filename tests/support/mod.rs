//! Test support: the Python virtual environment with the AWS emulator, the emulator
//! itself (one per test run, on a free loopback port), local endpoints, and an
//! isolated environment per test.

#![allow(dead_code)]
// On Windows only the portable modules are built (tests/integration/main.rs).
#![cfg_attr(windows, allow(unused_imports))]

pub(crate) mod immukv;
pub(crate) mod registry;
#[cfg(unix)]
pub(crate) mod terraform;
pub(crate) mod windows;

mod endpoint;
pub(crate) use endpoint::{TokenEndpoint, tls_files, tls_files_for};

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command as StdCommand, Output, Stdio};
use std::sync::{Mutex, OnceLock};

pub(crate) const ACCESS_KEY_ID: &str = "AKIATESTTESTTEST0001";
pub(crate) const SECRET_ACCESS_KEY: &str = "test-secret-key-0001";
pub(crate) const REGION: &str = "eu-west-1";

pub(crate) fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/test-venv`: created on first use (under a lock, so concurrent test
/// binaries share one) from `tests/support/requirements.txt`, plus the reference
/// implementations of `tests/support/requirements-reference.txt`.
pub(crate) fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("target dir")
            .join("test-venv");
        let req = repo().join("tests/support/requirements.txt");
        let reference = repo().join("tests/support/requirements-reference.txt");
        let stamp_text = fs::read_to_string(&req).expect("requirements")
            + &fs::read_to_string(&reference).expect("reference requirements");
        let stamp = dir.join(".installed");
        fs::create_dir_all(dir.parent().expect("parent")).expect("target dir");
        let lock = File::create(dir.with_extension("lock")).expect("venv lock");
        lock.lock().expect("lock venv");
        if fs::read_to_string(&stamp).ok().as_deref() != Some(stamp_text.as_str()) {
            // Windows installs name it python; set PYTHON to choose another.
            let default = if cfg!(windows) { "python" } else { "python3" };
            let python = std::env::var("PYTHON").unwrap_or_else(|_| default.to_owned());
            run(StdCommand::new(python)
                .args(["-m", "venv", "--clear"])
                .arg(&dir));
            let pip = || {
                let mut c = StdCommand::new(python_in(&dir));
                c.args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ]);
                c
            };
            // One resolver run for both files keeps boto3, botocore and aiobotocore consistent.
            run(pip()
                .arg("--ignore-requires-python")
                .arg("-r")
                .arg(&req)
                .arg("-r")
                .arg(&reference));
            fs::write(&stamp, &stamp_text).expect("stamp");
        }
        dir
    })
}

/// The Python of the virtual environment `venv` (`bin/python`; `Scripts\python.exe`
/// on Windows).
pub(crate) fn python_in(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

fn run(cmd: &mut StdCommand) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
}

/// What the tests ask of a registry endpoint, the real handler's or the stand-in's.
pub(crate) trait RegistryEndpoint {
    fn url(&self) -> String;
    /// `{"token_requests", "minted", "module_requests"}`.
    fn stats_json(&self) -> serde_json::Value;
    /// How many token requests reached it, and how many tokens it minted.
    fn stats(&self) -> (u64, u64) {
        let v = self.stats_json();
        (
            v["token_requests"].as_u64().expect("n"),
            v["minted"].as_u64().expect("m"),
        )
    }
}

impl RegistryEndpoint for TokenEndpoint {
    fn url(&self) -> String {
        TokenEndpoint::url(self)
    }
    fn stats_json(&self) -> serde_json::Value {
        TokenEndpoint::stats_json(self)
    }
}

impl RegistryEndpoint for registry::Registry {
    fn url(&self) -> String {
        registry::Registry::url(self)
    }
    fn stats_json(&self) -> serde_json::Value {
        registry::Registry::stats_json(self)
    }
}

/// A helper process that prints its port on its first stdout line and lives until
/// its stdin closes (when this test process exits, whatever the way).
pub(crate) struct Server {
    pub(crate) port: u16,
    child: Child,
    _stdin: ChildStdin,
}

impl Server {
    pub(crate) fn start(script: &str, args: &[OsString]) -> Server {
        Self::start_env(script, args, &[])
    }

    /// [`Server::start`] with these variables, and no other AWS_* variable of this
    /// process's environment.
    pub(crate) fn start_env(script: &str, args: &[OsString], vars: &[(&str, &str)]) -> Server {
        let mut cmd = StdCommand::new(python_in(venv()));
        if !vars.is_empty() {
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("AWS_") {
                    cmd.env_remove(name);
                }
            }
            cmd.envs(vars.iter().copied());
        }
        let mut child = cmd
            .arg(repo().join("tests/support").join(script))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {script}: {e}"));
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port line");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{script} printed no port: {line:?}"));
        Server {
            port,
            child,
            _stdin: stdin,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The emulator shared by every test of this run.
pub(crate) fn moto() -> &'static str {
    static MOTO: OnceLock<(Mutex<Server>, String)> = OnceLock::new();
    &MOTO
        .get_or_init(|| {
            let server = Server::start("moto_server.py", &[]);
            let url = server.url();
            (Mutex::new(server), url)
        })
        .1
}

/// An isolated environment: its own HOME, AWS config files, no AWS_* variable from
/// the developer's shell, no instance metadata.
pub(crate) struct TestEnv {
    pub(crate) home: tempfile::TempDir,
    vars: Vec<(String, OsString)>,
}

impl TestEnv {
    pub(crate) fn new() -> Self {
        let home = tempfile::tempdir().expect("temp home");
        fs::create_dir_all(home.path().join(".aws")).expect(".aws");
        Self {
            home,
            vars: Vec::new(),
        }
    }

    /// With static test credentials and a region, talking to the emulator.
    pub(crate) fn with_aws() -> Self {
        let mut env = Self::new();
        env.set("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.set("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.set("AWS_REGION", REGION);
        env.set("AWS_ENDPOINT_URL", moto());
        env
    }

    pub(crate) fn set(&mut self, name: &str, value: impl Into<OsString>) -> &mut Self {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn unset(&mut self, name: &str) -> &mut Self {
        self.vars.retain(|(n, _)| n != name);
        self
    }

    pub(crate) fn path(&self) -> &Path {
        self.home.path()
    }

    pub(crate) fn cache_dir(&self) -> PathBuf {
        self.home.path().join(".cdk/cache")
    }

    /// A command for one of the toolkit's binaries in this environment.
    pub(crate) fn cmd(&self, bin: &str) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cmd(bin_path(bin)))
    }

    /// A std command (for spawning many at once) in this environment.
    pub(crate) fn std_cmd(&self, program: impl AsRef<std::ffi::OsStr>) -> StdCommand {
        let mut cmd = StdCommand::new(program);
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("HOME", self.home.path());
        // Windows programs find the profile folder from the system, not from a
        // variable: the cache is put in this HOME by name.
        #[cfg(windows)]
        cmd.env("CDK_CACHE_DIR", self.cache_dir());
        #[cfg(windows)]
        for name in [
            "SYSTEMROOT",
            "TEMP",
            "TMP",
            "USERPROFILE",
            "APPDATA",
            "LOCALAPPDATA",
        ] {
            if let Some(value) = std::env::var_os(name) {
                cmd.env(name, value);
            }
        }
        cmd.env("AWS_CONFIG_FILE", self.home.path().join(".aws/config"));
        cmd.env(
            "AWS_SHARED_CREDENTIALS_FILE",
            self.home.path().join(".aws/credentials"),
        );
        cmd.env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// `~/.aws/credentials` with one profile per (name, (key id, secret)).
    pub(crate) fn with_profiles(&self, profiles: &[(&str, (&str, &str))]) -> PathBuf {
        let text: Vec<String> = profiles
            .iter()
            .map(|(name, (id, secret))| {
                format!("[{name}]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n")
            })
            .collect();
        self.write(".aws/credentials", text.join("\n"))
    }

    pub(crate) fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.home.path().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let mut f = File::create(&path).expect("create");
        f.write_all(content.as_ref()).expect("write");
        path
    }
}

/// The program `bin` names: `cdk-toolkit`, or one of the six names the release
/// installs as hard links to it. The links are made beside it in the target folder,
/// once per run, by `cdk-toolkit link` itself: the tests run what a user runs.
pub(crate) fn bin_path(bin: &str) -> PathBuf {
    static LINKED: OnceLock<PathBuf> = OnceLock::new();
    let toolkit = LINKED.get_or_init(|| {
        let toolkit = assert_cmd::cargo::cargo_bin("cdk-toolkit");
        let lock =
            File::create(toolkit.with_file_name(".cdk-toolkit-links.lock")).expect("lock file");
        lock.lock().expect("lock the links");
        let out = StdCommand::new(&toolkit)
            .arg("link")
            .output()
            .expect("cdk-toolkit link");
        assert!(out.status.success(), "cdk-toolkit link: {}", stderr(&out));
        toolkit
    });
    if bin == "cdk-toolkit" {
        toolkit.clone()
    } else {
        toolkit.with_file_name(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
    }
}

/// The toolkit's six tools.
pub(crate) const BINARIES: &[&str] = &[
    "get-registry-token",
    "install-registry-credentials-helper",
    "manage-registry-permissions",
    "manage-registry-modules",
    "immukv",
    "api-key",
];

/// `text` with every run of whitespace (Terraform wraps its messages) one space.
pub(crate) fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The names in the folder `dir`, sorted; none when it does not exist.
pub(crate) fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Running a command in one line of a test (`assert_cmd` has an `ok()` of its own).
pub(crate) trait Run {
    /// Run it; it must exit 0. Its stdout; a failure panics with its stderr.
    fn succeeds(&mut self) -> String;
    /// Run it; it must exit 0. What it said on stderr (its notes).
    fn says(&mut self) -> String;
    /// Run it; it must exit `code` with one line on stderr and nothing on stdout.
    /// That line.
    fn fails(&mut self, code: i32) -> String;
}

impl Run for assert_cmd::Command {
    fn succeeds(&mut self) -> String {
        stdout(&succeeded(self))
    }

    fn says(&mut self) -> String {
        stderr(&succeeded(self))
    }

    fn fails(&mut self, code: i32) -> String {
        let out = self.output().expect("run");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{self:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{self:?}: one line: {err}");
        assert!(out.stdout.is_empty(), "{self:?} printed {:?}", stdout(&out));
        err
    }
}

/// Run `cmd`; it must exit 0 (a failure panics with its stderr).
fn succeeded(cmd: &mut assert_cmd::Command) -> Output {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?} exited {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
    out
}

/// Start every command at once, then wait for each: their outputs, in order.
pub(crate) fn spawn_all(commands: impl IntoIterator<Item = StdCommand>) -> Vec<Output> {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            c.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

/// Start every command at once, each blocked reading its stdin, then release them
/// together, the `i`th given `input(i)` on stdin: their outputs, in order.
pub(crate) fn released_together(
    commands: impl IntoIterator<Item = StdCommand>,
    input: impl Fn(usize) -> String,
) -> Vec<Output> {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            let mut child = c
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            let stdin = child.stdin.take().expect("stdin");
            (stdin, child)
        })
        .collect();
    let children: Vec<_> = children
        .into_iter()
        .enumerate()
        .map(|(i, (mut stdin, child))| {
            stdin.write_all(input(i).as_bytes()).expect("release");
            drop(stdin);
            child
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect()
}

/// `n` credentials helpers' `store registry-I.example.com` at once, each handed
/// `stored-token-I` (`helper()` makes one helper's command): their outputs, in order.
pub(crate) fn stores_at_once(n: usize, helper: impl Fn() -> StdCommand) -> Vec<Output> {
    released_together(
        (0..n).map(|i| {
            let mut cmd = helper();
            cmd.args([
                "credentials-helper",
                "store",
                &format!("registry-{i}.example.com"),
            ]);
            cmd
        }),
        |i| format!("{{\"token\":\"stored-token-{i}\"}}"),
    )
}

/// `s3_proxy.py` in front of the emulator, with its options (faults, latency).
pub(crate) fn s3_proxy(options: &[&str]) -> Server {
    let args: Vec<OsString> = std::iter::once(moto().into())
        .chain(options.iter().map(OsString::from))
        .collect();
    Server::start("s3_proxy.py", &args)
}

/// A new stack name starting with `name` whose IAM user's credentials are stored in
/// Secrets Manager as the construct stores them.
pub(crate) fn iam_user_stack(name: &str, key_id: &str, secret: &str) -> String {
    let stack = unique(name);
    let value = serde_json::json!({"access-key-id": key_id, "secret-access-key": secret});
    fixture(&[
        "secret-create",
        &format!("{stack}/iam-user-credentials"),
        &value.to_string(),
    ]);
    stack
}

/// Run `tests/support/fixture.py` against the emulator; returns its stdout.
pub(crate) fn fixture(args: &[&str]) -> String {
    python_against_moto("fixture.py", args)
}

/// A name no other test of this run uses (tests share one emulator).
pub(crate) fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Run `tests/support/immukv_py.py` (the official Python client, raw S3) against the
/// emulator; returns its stdout.
pub(crate) fn immukv_py(args: &[&str]) -> String {
    python_against_moto("immukv_py.py", args)
}

/// [`immukv_py`] through `endpoint` (a proxy in front of the emulator).
pub(crate) fn immukv_py_at(endpoint: &str, args: &[&str]) -> String {
    python_script(endpoint, REGION, "immukv_py.py", args)
}

/// [`fixture`] against `endpoint` (another emulator, a proxy).
pub(crate) fn fixture_at(endpoint: &str, args: &[&str]) -> String {
    fixture_at_in(endpoint, REGION, args)
}

/// [`fixture_at`] in `region`.
pub(crate) fn fixture_at_in(endpoint: &str, region: &str, args: &[&str]) -> String {
    python_script(endpoint, region, "fixture.py", args)
}

/// `s3_proxy.py` in front of `upstream` (another emulator than [`moto`]).
pub(crate) fn s3_proxy_to(upstream: &str, options: &[&str]) -> Server {
    let args: Vec<OsString> = std::iter::once(upstream.into())
        .chain(options.iter().map(OsString::from))
        .collect();
    Server::start("s3_proxy.py", &args)
}

/// `fixture.py` in another region than [`REGION`].
pub(crate) fn fixture_in(region: &str, args: &[&str]) -> String {
    python_against_moto_in(region, "fixture.py", args)
}

fn python_against_moto(script: &str, args: &[&str]) -> String {
    python_against_moto_in(REGION, script, args)
}

/// Run a script of `tests/support` with the venv's Python, talking to the emulator
/// with the test credentials; panics with its stderr when it fails.
fn python_against_moto_in(region: &str, script: &str, args: &[&str]) -> String {
    python_script(moto(), region, script, args)
}

fn python_script(endpoint: &str, region: &str, script: &str, args: &[&str]) -> String {
    let out = StdCommand::new(python_in(venv()))
        .arg(repo().join("tests/support").join(script))
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", region)
        .env("AWS_REGION", region)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A plain-HTTP listener on `bind` that records every request it receives (head and
/// body) and answers 200: where a secret must never arrive.
pub(crate) struct Recorder {
    pub(crate) port: u16,
    received: std::sync::Arc<Mutex<Vec<String>>>,
    /// Connections accepted and not yet recorded.
    in_flight: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// What [`Recorder::settled`] sends itself: not a request anyone else makes.
const SETTLE: &str = "GET /__recorder_settle HTTP/1.0";

impl Recorder {
    pub(crate) fn start() -> Self {
        Self::start_on("127.0.0.1")
    }

    pub(crate) fn start_on(bind: &str) -> Self {
        Self::answering(bind, "200 OK", "recorded")
    }

    /// On loopback, answering every request with `status` (e.g. "403 Forbidden").
    pub(crate) fn refusing(status: &'static str) -> Self {
        Self::answering("127.0.0.1", status, "")
    }

    fn answering(bind: &str, status: &'static str, body: &'static str) -> Self {
        use std::io::Read;
        let listener = std::net::TcpListener::bind((bind, 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = std::sync::Arc::new(Mutex::new(Vec::new()));
        let in_flight = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let log = received.clone();
        let flying = in_flight.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                let flying = flying.clone();
                flying.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut chunk) {
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        let text = String::from_utf8_lossy(&buf);
                        if let Some(head_end) = text.find("\r\n\r\n") {
                            let length = text[..head_end]
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            if buf.len() >= head_end + 4 + length {
                                break;
                            }
                        }
                    }
                    let request = String::from_utf8_lossy(&buf).into_owned();
                    if !request.starts_with(SETTLE) {
                        log.lock().unwrap().push(request);
                    }
                    flying.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = stream.write_all(
                        format!(
                            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    );
                });
            }
        });
        Self {
            port,
            received,
            in_flight,
        }
    }

    /// Every request received so far, as text.
    pub(crate) fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Every request received once everything sent to it so far is recorded: a request
    /// of its own goes through the accept queue behind every earlier connection, and
    /// then nothing accepted may be left unrecorded.
    pub(crate) fn settled(&self) -> Vec<String> {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .write_all(format!("{SETTLE}\r\n\r\n").as_bytes())
            .expect("send");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        wait_until(
            std::time::Duration::from_secs(10),
            "the recorder to record every connection it accepted",
            || self.in_flight.load(std::sync::atomic::Ordering::SeqCst) == 0,
        );
        self.received()
    }
}

/// Wait until `cond` holds (looking again every 20 ms); past `timeout`, fail the test
/// saying what did not happen. For what a test can observe: a line, a file, a request
/// in a proxy's log -- never a fixed time.
pub(crate) fn wait_until(timeout: std::time::Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "waited {timeout:?} for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// `GET PATH` from a local test server on `port` (HTTPS when `tls`, its certificate
/// not checked: what is read is no secret), with `bearer` as the token: the status and
/// the body.
pub(crate) fn local_get(tls: bool, port: u16, path: &str, bearer: Option<&str>) -> (u16, String) {
    let scheme = if tls { "https" } else { "http" };
    let out = StdCommand::new(python_in(venv()))
        .arg("-c")
        .arg(
            "import ssl, sys, urllib.error, urllib.request\n\
             ctx = ssl._create_unverified_context()\n\
             headers = {'Authorization': 'Bearer ' + sys.argv[2]} if sys.argv[2] else {}\n\
             try:\n\
             \x20   r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers=headers), context=ctx)\n\
             except urllib.error.HTTPError as e:\n\
             \x20   r = e\n\
             print(r.status)\n\
             print(r.read().decode(), end='')",
        )
        .arg(format!("{scheme}://127.0.0.1:{port}{path}"))
        .arg(bearer.unwrap_or(""))
        .output()
        .expect("a local request");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (status, body) = text.split_once('\n').unwrap_or_else(|| panic!("{text}"));
    (status.parse().expect("a status"), body.to_owned())
}

/// The JSON a local test server answers at `path` (its statistics, its log).
pub(crate) fn local_json(tls: bool, port: u16, path: &str) -> serde_json::Value {
    let (status, body) = local_get(tls, port, path, None);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).expect("json")
}

/// A plain HTTP GET on loopback (a test server's statistics and logs): the body.
pub(crate) fn http_get(url: &str) -> String {
    use std::io::Read;
    let rest = url.strip_prefix("http://").expect("http://");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
        .split("\r\n\r\n")
        .nth(1)
        .expect("a body")
        .to_owned()
}

/// One request an `s3_proxy.py` saw.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Proxied {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    /// It carried If-None-Match or If-Match.
    pub(crate) conditional: bool,
    /// Its x-amz-checksum-sha256 header.
    #[serde(default)]
    pub(crate) checksum_sha256: Option<String>,
    /// `None`: carried out, and the answer dropped on purpose.
    pub(crate) status: Option<u16>,
}

/// Every request `proxy` (an `s3_proxy.py`) has seen, in order.
pub(crate) fn proxy_log(proxy: &Server) -> Vec<Proxied> {
    serde_json::from_str(&http_get(&format!("{}/__proxy_log", proxy.url()))).expect("proxy log")
}

/// A listener that accepts connections and never answers: a hung endpoint.
pub(crate) struct Silent {
    pub(crate) port: u16,
}

impl Silent {
    pub(crate) fn start() -> Self {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            let mut open = Vec::new();
            for stream in listener.incoming().flatten() {
                open.push(stream);
            }
        });
        Self { port }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Run `cmd` in its own process group (on Windows: as a process tree); past `seconds`,
/// kill the whole group (whatever it started) and fail the test. Its output and how
/// long it took.
pub(crate) fn run_within(mut cmd: StdCommand, seconds: u64) -> (Output, std::time::Duration) {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = std::time::Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(seconds)) {
        Ok(out) => (out.expect("wait"), started.elapsed()),
        Err(_) => {
            #[cfg(unix)]
            let _ = StdCommand::new("kill")
                .args(["-KILL", &format!("-{pid}")])
                .status();
            #[cfg(windows)]
            let _ = StdCommand::new("taskkill")
                .args(["/F", "/T", "/PID", &pid.to_string()])
                .status();
            panic!("{cmd:?} did not finish within {seconds} s (its process group was killed)");
        }
    }
}

/// Whether the tests run as root (only root can hand a folder to another user).
#[cfg(unix)]
pub(crate) fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::tempfile().expect("temp file");
    probe.metadata().expect("metadata").uid() == 0
}
