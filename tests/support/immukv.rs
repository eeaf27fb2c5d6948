//! An ImmuKV store on the emulator, and an environment whose `immukv` points at it.

use crate::support::{Run, Server, TestEnv, bin_path, immukv_py, spawn_all, stderr, unique};

/// A store in a bucket of its own (or a shared one), with the official client's view
/// of it at hand.
pub(crate) struct Kv {
    pub(crate) bucket: String,
    pub(crate) prefix: String,
    pub(crate) env: TestEnv,
}

impl Kv {
    /// A fresh versioned bucket, the store under `prefix`.
    pub(crate) fn new(prefix: &str) -> Self {
        let bucket = unique("kv").to_lowercase();
        immukv_py(&["bucket", &bucket]);
        Self::in_bucket(&bucket, prefix)
    }

    /// The store under `prefix` of an existing bucket, with an environment of its own
    /// (an empty cache folder: another machine).
    pub(crate) fn in_bucket(bucket: &str, prefix: &str) -> Self {
        let mut env = TestEnv::with_aws();
        env.set("IMMUKV_BUCKET", bucket);
        env.set("IMMUKV_PREFIX", prefix);
        Kv {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
            env,
        }
    }

    pub(crate) fn cmd(&self) -> assert_cmd::Command {
        let mut c = self.env.cmd("immukv");
        c.arg("--path-style");
        c
    }

    pub(crate) fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        self.cmd().args(args).succeeds()
    }

    pub(crate) fn says(&self, args: &[&str]) -> String {
        self.cmd().args(args).says()
    }

    pub(crate) fn fails(&self, args: &[&str], code: i32) -> String {
        self.cmd().args(args).fails(code)
    }

    /// `writers` shells at once, each `set`ting `per_writer` values through `proxy`,
    /// the `i`th of writer `w` to the key `key(w, i)` with the value `{"w": w, "i": i}`:
    /// every (w, i, exit status) in the order each writer ran them. Each writer's stderr
    /// goes to `errors-W` in the HOME.
    pub(crate) fn sets_at_once(
        &self,
        proxy: &Server,
        writers: usize,
        per_writer: usize,
        key: impl Fn(usize, usize) -> String,
    ) -> Vec<(usize, usize, i32)> {
        let writer = |w: usize| {
            let script = (0..per_writer)
                .map(|i| {
                    format!(
                        "\"$IMMUKV\" --path-style set {} '{{\"w\":{w},\"i\":{i}}}' >/dev/null 2>>\"$ERRORS\"; echo {w} {i} $?",
                        key(w, i)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let mut cmd = self.env.std_cmd("sh");
            cmd.args(["-c", &script])
                .env("IMMUKV", bin_path("immukv"))
                .env("AWS_ENDPOINT_URL", proxy.url())
                .env("ERRORS", self.env.path().join(format!("errors-{w}")));
            cmd
        };
        let mut runs = Vec::new();
        for out in spawn_all((0..writers).map(writer)) {
            assert!(out.status.success(), "{}", stderr(&out));
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let f: Vec<i64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
                runs.push((f[0] as usize, f[1] as usize, f[2] as i32));
            }
        }
        runs
    }

    /// An object of the store: its prefix, then `name`.
    pub(crate) fn object(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The version ids of the store's object `name`, newest first.
    pub(crate) fn versions(&self, name: &str) -> Vec<String> {
        serde_json::from_str(&immukv_py(&["versions", &self.bucket, &self.object(name)])).unwrap()
    }

    /// How many versions and delete markers the whole bucket holds.
    pub(crate) fn bucket_counts(&self) -> serde_json::Value {
        serde_json::from_str(&immukv_py(&["list", &self.bucket])).unwrap()
    }

    /// The log, newest first, as `immukv log --output jsonl` prints it.
    pub(crate) fn log(&self) -> Vec<serde_json::Value> {
        self.ok(&["log", "--output", "jsonl"])
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The official Python client's answer to `args` (the bucket and prefix inserted).
    pub(crate) fn py(&self, args: &[&str]) -> serde_json::Value {
        let mut full = vec![args[0], &self.bucket, &self.prefix];
        full.extend_from_slice(&args[1..]);
        serde_json::from_str(&immukv_py(&full)).unwrap()
    }

    /// Delete every version of `name` older than the newest `keep`, as a lifecycle rule
    /// would: the ids deleted, oldest first.
    pub(crate) fn expire(&self, name: &str, keep: usize) -> Vec<String> {
        let mut gone: Vec<String> = self.versions(name).into_iter().skip(keep).collect();
        gone.reverse();
        for version in &gone {
            immukv_py(&["delete-version", &self.bucket, &self.object(name), version]);
        }
        gone
    }
}
