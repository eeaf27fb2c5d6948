//! The shared cache: concurrent writers lose nothing; a corrupt file is a miss with a
//! warning, set aside before it is replaced, and the cache recovers.

use std::fs;

use crate::support::RegistryEndpoint;
use crate::support::registry::Registry;
use crate::support::{TestEnv, bin_path, stderr, stdout, stores_at_once};

#[test]
fn twenty_concurrent_writers_keep_every_entry() {
    let env = TestEnv::new();
    let outs = stores_at_once(20, || env.std_cmd(bin_path("get-registry-token")));
    for out in outs {
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    let doc: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(env.cache_dir().join("registry_tokens.json")).unwrap(),
    )
    .unwrap();
    let entries = doc["entries"].as_object().unwrap();
    assert_eq!(entries.len(), 20, "{entries:?}");
    for i in 0..20 {
        let e = &entries[&format!("registry-{i}.example.com|stored")];
        assert_eq!(e["token"], format!("stored-token-{i}"));
    }
    // No temp files are left behind.
    let leftovers: Vec<_> = fs::read_dir(env.cache_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `get-registry-token token` for registry.example.com, served by `endpoint`.
fn token(env: &TestEnv, endpoint: &impl RegistryEndpoint) -> std::process::Output {
    env.cmd("get-registry-token")
        .args(["token", "-r", "registry.example.com"])
        .args(["--registry-url", &endpoint.url()])
        .output()
        .unwrap()
}

#[test]
fn corrupt_file_is_a_miss_set_aside_and_recovered() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let path = env.write(
        ".cdk/cache/registry_tokens.json",
        b"{\"version\":1,\"entries\":{tru",
    );
    let run = || token(&env, &endpoint);
    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    let err = stderr(&first);
    // One warning for the miss, and a note saying where the corrupt copy went.
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.contains("warning: ignoring the cache file"), "{err}");
    assert!(
        err.contains("note: kept the unreadable cache file as"),
        "{err}"
    );
    assert_eq!(endpoint.stats().1, 1, "the corrupt file was a miss");
    let aside: Vec<_> = fs::read_dir(env.cache_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("registry_tokens.json.corrupt-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        fs::read(aside[0].path()).unwrap(),
        b"{\"version\":1,\"entries\":{tru",
        "the corrupt bytes are kept"
    );
    // Recovered: a valid file, and the next call is a quiet hit.
    serde_json::from_str::<serde_json::Value>(&fs::read_to_string(&path).unwrap()).unwrap();
    let second = run();
    assert!(second.status.success());
    assert_eq!(stderr(&second), "");
    assert_eq!(stdout(&first), stdout(&second));
    assert_eq!(endpoint.stats().1, 1);
}

#[test]
fn unreadable_cache_folder_is_a_warning_not_a_crash() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    // The cache folder is a file: nothing can be cached, the token still comes.
    env.write(".cdk/cache", b"not a folder");
    let out = token(&env, &endpoint);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("IAMBearerAuth~"));
    assert!(
        stderr(&out).contains("warning: could not cache the token"),
        "{}",
        stderr(&out)
    );
}
