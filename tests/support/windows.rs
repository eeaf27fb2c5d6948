//! The Windows build, run under Wine: `cdk-toolkit.exe` cross-built once per run
//! (x86_64-pc-windows-gnu), installed with its six names (`cdk-toolkit link`, as a
//! user would) in a throw-away Wine prefix, and commands run there as a Windows user
//! runs them, against the Linux-side emulator and registry stand-ins.
//!
//! On Windows itself the same tests run the binary `cargo test` built, natively, in
//! this user's own profile and `%APPDATA%` (a Windows program finds them from the
//! system, not from variables). A session empties them, so these tests run only when
//! asked (`--ignored`), on a throw-away machine: CI's windows-latest job.
//!
//! Wine keeps one profile and one `%APPDATA%` per prefix (it ignores USERPROFILE and
//! APPDATA from outside), so the tests take turns: a [`Session`] holds the prefix
//! alone and starts from an empty profile (no `.cdk`, `.aws`, Terraform files).
//!
//! Wine's own diagnostics (its `err:` channel and the loader's `wine:` lines) are on
//! for every process. They are taken out of the stderr a test reads and kept with the
//! session: a test that fails prints them, with each command's exit and time, so a
//! failure that Wine causes names itself.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use super::{ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, moto, repo, stderr};

/// Debian's 64-bit Wine loader.
#[cfg(unix)]
pub(crate) const WINE: &str = "/usr/lib/wine/wine64";
#[cfg(unix)]
const TARGET: &str = "x86_64-pc-windows-gnu";

/// The prefix and the installed binaries.
pub(crate) struct Windows {
    /// The Windows `cdk-toolkit.exe` (cross-built under Wine).
    pub(crate) exe: PathBuf,
    /// Wine's prefix; on Windows, none.
    prefix: PathBuf,
    /// `C:\cdk\bin`, where `cdk-toolkit.exe` and its names are.
    bin: PathBuf,
    /// The Windows user's profile folder (`C:\users\<name>`).
    profile: PathBuf,
    /// `%APPDATA%`.
    appdata: PathBuf,
    turn: Mutex<()>,
    /// The current session's commands and Wine's lines from them.
    log: Mutex<String>,
}

/// `path` as a Windows program names it: under Wine the Unix file system is drive `Z:`.
pub(crate) fn win_path(path: &Path) -> String {
    if cfg!(windows) {
        path.display().to_string()
    } else {
        format!("Z:{}", path.display()).replace('/', "\\")
    }
}

fn check(what: &str, out: std::io::Result<Output>) -> Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    out
}

/// The environment every Wine process of `prefix` runs with: nothing from the
/// developer's shell, Wine's errors on (not its fixmes), no Mono or Gecko installs,
/// and the address layout not randomized.
///
/// Debian's Wine has no preloader, which would reserve Windows's fixed addresses
/// before the C library starts. Its loader is mapped at 0x7d000000 and the kernel
/// puts the heap anywhere in the gigabyte above it: about one process in 4,000 had its
/// heap over 0x7ffe0000, where Wine maps the shared user data page, and exited 1 before
/// our code ran ("failed to map the shared user data: c0000018", an `err:` line the
/// suite used to silence). `setarch -R` keeps the heap right after the loader.
#[cfg(unix)]
fn wine_command(prefix: &Path, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new("setarch");
    cmd.args(["-R", WINE]).arg(program);
    cmd.env_clear();
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.env("HOME", prefix.parent().expect("prefix parent"));
    cmd.env("WINEPREFIX", prefix);
    cmd.env("WINEDEBUG", "fixme-all");
    cmd.env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    cmd
}

/// Whether a stderr line is Wine's rather than the program's: a debug channel's
/// `0024:err:module:...`, or the loader's `wine: ...`.
fn is_wine_line(line: &str) -> bool {
    if line.starts_with("wine: ") || line.starts_with("wine client error") {
        return true;
    }
    let mut parts = line.splitn(3, ':');
    let (Some(thread), Some(class)) = (parts.next(), parts.next()) else {
        return false;
    };
    thread.len() >= 4
        && thread.bytes().all(|b| b.is_ascii_hexdigit())
        && matches!(class, "err" | "warn" | "fixme" | "trace")
}

/// `out`'s stderr without Wine's lines, and those lines.
fn split_wine_lines(mut out: Output) -> (Output, String) {
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let (mut own, mut wine) = (String::new(), String::new());
    for line in text.split_inclusive('\n') {
        if is_wine_line(line.trim_end()) {
            wine.push_str(line);
        } else {
            own.push_str(line);
        }
    }
    out.stderr = own.into_bytes();
    (out, wine)
}

/// Run `cmd` (a Wine process): its output without Wine's lines, which go to `log`
/// with what was run, how it ended and how long it took.
fn wine_output(cmd: &mut Command, log: &Mutex<String>) -> std::io::Result<Output> {
    let started = Instant::now();
    let out = cmd.output()?;
    Ok(record(cmd, out, Some(started.elapsed()), log))
}

fn record(cmd: &Command, out: Output, took: Option<Duration>, log: &Mutex<String>) -> Output {
    let (out, wine) = split_wine_lines(out);
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
    let took = took.map_or_else(String::new, |t| format!(" in {:.1} s", t.as_secs_f64()));
    log.push_str(&format!(
        "$ {} -> {:?}{took}\n{wine}",
        args.join(" "),
        out.status
    ));
    out
}

/// The one Windows of this run, made on first use.
pub(crate) fn windows() -> &'static Windows {
    static WINDOWS: OnceLock<Windows> = OnceLock::new();
    WINDOWS.get_or_init(make)
}

/// This machine, its binary linked into a folder of its own.
#[cfg(windows)]
fn make() -> Windows {
    let var = |name: &str| {
        PathBuf::from(std::env::var_os(name).unwrap_or_else(|| panic!("%{name}% is not set")))
    };
    let exe = super::bin_path("cdk-toolkit");
    let bin = std::env::temp_dir().join(format!("cdk-bin-{}", std::process::id()));
    fs::create_dir_all(&bin).expect("the bin folder");
    fs::copy(&exe, bin.join("cdk-toolkit.exe")).expect("copy cdk-toolkit.exe");
    check(
        "cdk-toolkit link",
        native_command(bin.join("cdk-toolkit.exe"))
            .arg("link")
            .output(),
    );
    Windows {
        exe,
        prefix: PathBuf::new(),
        bin,
        profile: var("USERPROFILE"),
        appdata: var("APPDATA"),
        turn: Mutex::new(()),
        log: Mutex::new(String::new()),
    }
}

/// A Windows program with only the variables Windows itself needs.
#[cfg(windows)]
fn native_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    for name in [
        "PATH",
        "PATHEXT",
        "SYSTEMROOT",
        "SYSTEMDRIVE",
        "WINDIR",
        "COMSPEC",
        "TEMP",
        "TMP",
        "USERPROFILE",
        "APPDATA",
        "LOCALAPPDATA",
        "USERNAME",
        "HOMEDRIVE",
        "HOMEPATH",
    ] {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    cmd
}

/// The one prefix of this run: tools installed if missing (`scripts/windows-toolchain`),
/// the binary built, the prefix booted.
#[cfg(unix)]
fn make() -> Windows {
    let repo = repo();
    check(
        "scripts/windows-toolchain",
        Command::new(repo.join("scripts/windows-toolchain")).output(),
    );
    let target_dir = repo.join("target/windows");
    // No debug information: the binary is copied around (the helper install), and
    // a panic's message is what the tests read.
    check(
        "cargo build --target x86_64-pc-windows-gnu",
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(repo)
            .args([
                "build",
                "--locked",
                "--target",
                TARGET,
                "--bin",
                "cdk-toolkit",
            ])
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .env("CARGO_PROFILE_DEV_STRIP", "debuginfo")
            .output(),
    );
    let exe = target_dir.join(TARGET).join("debug/cdk-toolkit.exe");

    // Wine 8 has no bcryptprimitives.dll, whose ProcessPrng the Rust standard
    // library calls for randomness (Windows 10 and later have it): a small stand-in
    // built with MinGW goes into the prefix's system32.
    let wine_dir = target_dir.join("wine");
    fs::create_dir_all(&wine_dir).expect("target/windows/wine");
    let shim = wine_dir.join("bcryptprimitives.dll");
    let source = repo.join("tests/support/wine/bcryptprimitives.c");
    let def = wine_dir.join("bcryptprimitives.def");
    fs::write(&def, "LIBRARY bcryptprimitives\nEXPORTS\n    ProcessPrng\n").expect("def");
    check(
        "x86_64-w64-mingw32-gcc bcryptprimitives.c",
        Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&shim)
            .arg(&source)
            .arg(&def)
            .arg("-ladvapi32")
            .output(),
    );

    // A prefix of this run's own; earlier runs' are removed.
    for old in fs::read_dir(&wine_dir).into_iter().flatten().flatten() {
        if old.file_name().to_string_lossy().starts_with("run-") {
            let _ = fs::remove_dir_all(old.path());
        }
    }
    let run = wine_dir.join(format!("run-{}", std::process::id()));
    let prefix = run.join("prefix");
    fs::create_dir_all(&run).expect("run folder");
    check(
        "wineboot",
        wine_command(&prefix, "wineboot").arg("-i").output(),
    );
    fs::copy(
        &shim,
        prefix.join("drive_c/windows/system32/bcryptprimitives.dll"),
    )
    .expect("install the ProcessPrng stand-in");
    let user = fs::read_dir(prefix.join("drive_c/users"))
        .expect("users")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n != "Public")
        .expect("a Wine user");
    let bin = prefix.join("drive_c/cdk/bin");
    fs::create_dir_all(&bin).expect("C:\\cdk\\bin");
    fs::copy(&exe, bin.join("cdk-toolkit.exe")).expect("copy cdk-toolkit.exe");
    check(
        "cdk-toolkit link",
        wine_command(&prefix, bin.join("cdk-toolkit.exe"))
            .arg("link")
            .output(),
    );
    let profile = prefix.join("drive_c/users").join(user);
    Windows {
        exe,
        appdata: profile.join("AppData/Roaming"),
        profile,
        prefix,
        bin,
        turn: Mutex::new(()),
        log: Mutex::new(String::new()),
    }
}

impl Windows {
    /// The prefix alone, with a fresh profile.
    pub(crate) fn session(&self) -> Session<'_> {
        let turn = self
            .turn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let appdata = self.appdata.clone();
        for path in [
            self.profile.join(".cdk"),
            self.profile.join(".aws"),
            appdata.join("terraform.d"),
        ] {
            let _ = fs::remove_dir_all(path);
        }
        for path in [appdata.join("terraform.rc"), appdata.join("tofu.rc")] {
            let _ = fs::remove_file(path);
        }
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Session {
            windows: self,
            _turn: turn,
            vars: Vec::new(),
            scratch: tempfile::tempdir().expect("scratch"),
        }
    }
}

/// One test's turn at the prefix.
pub(crate) struct Session<'a> {
    windows: &'a Windows,
    _turn: MutexGuard<'a, ()>,
    vars: Vec<(String, OsString)>,
    /// A Linux folder for the test's own files (`Z:\...` to Windows programs).
    pub(crate) scratch: tempfile::TempDir,
}

impl Session<'_> {
    pub(crate) fn set(&mut self, name: &str, value: impl Into<OsString>) -> &mut Self {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_owned(), value.into()));
        self
    }

    /// Static test credentials and a region, AWS calls going to the emulator.
    pub(crate) fn with_aws(&mut self) -> &mut Self {
        self.set("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        self.set("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        self.set("AWS_REGION", REGION);
        self.set("AWS_ENDPOINT_URL", moto())
    }

    /// The user's profile folder (`%USERPROFILE%`), as a Linux path.
    pub(crate) fn profile(&self) -> &Path {
        &self.windows.profile
    }

    /// `%APPDATA%`, as a Linux path.
    pub(crate) fn appdata(&self) -> PathBuf {
        self.windows.appdata.clone()
    }

    /// `tool` (`cdk-toolkit` or one of its six names), run as a Windows program.
    pub(crate) fn cmd(&self, tool: &str) -> Command {
        self.program(self.windows.bin.join(format!("{tool}.exe")))
    }

    /// Any Windows program (a path in the prefix, or a name such as `cmd`).
    pub(crate) fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        #[cfg(unix)]
        let mut cmd = wine_command(&self.windows.prefix, program);
        #[cfg(windows)]
        let mut cmd = native_command(program);
        let aws = self.scratch.path().join("aws");
        cmd.env("AWS_CONFIG_FILE", win_path(&aws.join("config")));
        cmd.env(
            "AWS_SHARED_CREDENTIALS_FILE",
            win_path(&aws.join("credentials")),
        );
        cmd.env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// Run `tool`; it must exit 0. Its stdout.
    pub(crate) fn ok(&self, tool: &str, args: &[&str]) -> String {
        let out = check(
            &format!("{tool} {args:?}"),
            wine_output(self.cmd(tool).args(args), &self.windows.log),
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run `tool` with `args`: its output, whatever the exit.
    pub(crate) fn run(&self, tool: &str, args: &[&str]) -> Output {
        self.output(self.cmd(tool).args(args))
    }

    /// Run a command made by [`Session::cmd`] or [`Session::program`]: its output,
    /// Wine's lines kept aside.
    pub(crate) fn output(&self, cmd: &mut Command) -> Output {
        wine_output(cmd, &self.windows.log).expect("run under Wine")
    }

    /// The output of a command made here and run by the test itself, Wine's lines
    /// kept aside.
    pub(crate) fn finished(&self, cmd: &Command, out: Output) -> Output {
        record(cmd, out, None, &self.windows.log)
    }
}

/// A test that fails prints what Wine said during it.
impl Drop for Session<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.windows.log.lock().unwrap_or_else(|p| p.into_inner());
            eprintln!("--- the Wine commands of this test and Wine's diagnostics:\n{log}---");
        }
    }
}
