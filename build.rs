//! Records what `--version` reports besides the version: the git commit the binaries
//! were built from and the target they were built for (for bug reports). A build from
//! a source archive without git says `unknown`, or what CDK_TOOLKIT_COMMIT says.
//!
//! The build is run again only when the commit can have moved, and only paths that
//! exist are named to cargo (a missing one makes cargo run this script, and rebuild
//! the crate, on every build): the checkout's `HEAD`, the branch's ref file where it is
//! loose (else the folder it would appear in), and `packed-refs` where it exists, the
//! refs looked for in the common git folder (`git rev-parse --git-common-dir`), where
//! a `git worktree`'s are.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn watch(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}

/// What tells that the commit moved, every path of it one that exists.
fn watched() -> Vec<PathBuf> {
    let (Some(dir), Some(common)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) else {
        return Vec::new();
    };
    let (dir, common) = (PathBuf::from(dir), PathBuf::from(common));
    let mut paths = vec![dir.join("HEAD")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        let loose = common.join(&branch);
        // A packed branch gets a loose file on its next commit: its folder changes then.
        let folder = loose.parent().map(Path::to_path_buf);
        paths.extend(if loose.is_file() { Some(loose) } else { folder });
    }
    paths.push(common.join("packed-refs"));
    paths.into_iter().filter(|p| p.exists()).collect()
}

fn main() {
    println!("cargo:rerun-if-env-changed=CDK_TOOLKIT_COMMIT");
    let commit = std::env::var("CDK_TOOLKIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CDK_TOOLKIT_COMMIT={commit}");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=CDK_TOOLKIT_TARGET={target}");
    let paths = watched();
    if paths.is_empty() {
        // No git: nothing moves the commit but the variable (and build.rs itself).
        println!("cargo:rerun-if-changed=build.rs");
    }
    for path in &paths {
        watch(path);
    }
}
