//! `build.rs`: a `cargo build` with nothing changed compiles nothing, in a checkout
//! without packed refs, in a `git worktree` and once the refs are packed; a new commit
//! is seen, and `--version`'s commit is the one built. Run on a crate of its own that
//! has this build script and nothing else (the toolkit's own would take minutes).

use std::fs;
use std::path::Path;
use std::process::Command;

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("CDK_TOOLKIT_COMMIT")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?}: {text}");
    text
}

/// `cargo build -v` in `dir`: whether the probe was compiled, and the commit it reports.
fn build(dir: &Path, target: &Path) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let said = run(
        dir,
        &cargo,
        &[
            "build",
            "-v",
            "--offline",
            "--target-dir",
            target.to_str().unwrap(),
        ],
    );
    let compiled = said.contains("Compiling commit-probe");
    let exe = target.join("debug/commit-probe");
    let commit = run(dir, exe.to_str().unwrap(), &[]).trim().to_owned();
    (compiled, commit)
}

fn head(dir: &Path) -> String {
    run(dir, "git", &["rev-parse", "--short=12", "HEAD"])
        .trim()
        .to_owned()
}

fn commit(dir: &Path, file: &str) {
    fs::write(dir.join(file), file).unwrap();
    run(dir, "git", &["add", file]);
    run(dir, "git", &["commit", "-q", "-m", file]);
}

#[test]
fn a_build_with_nothing_changed_compiles_nothing() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    fs::create_dir_all(repo.join("src")).unwrap();
    fs::write(
        repo.join("Cargo.toml"),
        "[package]\nname = \"commit-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs"),
        repo.join("build.rs"),
    )
    .unwrap();
    fs::write(
        repo.join("src/main.rs"),
        "fn main() { println!(\"{}\", env!(\"CDK_TOOLKIT_COMMIT\")); }\n",
    )
    .unwrap();
    fs::write(repo.join(".gitignore"), "/Cargo.lock\n").unwrap();
    run(&repo, "git", &["init", "-q", "-b", "main"]);
    run(&repo, "git", &["add", "."]);
    run(&repo, "git", &["commit", "-q", "-m", "first"]);
    assert!(
        !repo.join(".git/packed-refs").exists(),
        "a checkout without packed refs"
    );
    let target = root.path().join("target");

    let (compiled, built) = build(&repo, &target);
    assert!(compiled);
    assert_eq!(built, head(&repo));
    assert_eq!(
        build(&repo, &target),
        (false, head(&repo)),
        "nothing changed: nothing compiled"
    );
    commit(&repo, "second");
    assert_eq!(
        build(&repo, &target),
        (true, head(&repo)),
        "a new commit is seen"
    );
    assert!(!build(&repo, &target).0);

    // Packed refs (no loose branch file): one build to learn it, then none; a commit
    // after it writes a loose ref again, and is seen.
    run(&repo, "git", &["pack-refs", "--all"]);
    assert!(!repo.join(".git/refs/heads/main").exists());
    build(&repo, &target);
    assert!(!build(&repo, &target).0, "packed refs: nothing compiled");
    commit(&repo, "third");
    assert_eq!(build(&repo, &target), (true, head(&repo)));

    // A worktree: its refs live in the common git folder.
    let tree = root.path().join("tree");
    run(
        &repo,
        "git",
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "other",
            tree.to_str().unwrap(),
        ],
    );
    let tree_target = root.path().join("tree-target");
    assert_eq!(build(&tree, &tree_target), (true, head(&tree)));
    assert!(
        !build(&tree, &tree_target).0,
        "a worktree: nothing compiled"
    );
    commit(&tree, "fourth");
    assert_eq!(build(&tree, &tree_target), (true, head(&tree)));
    assert!(!build(&tree, &tree_target).0);
}
