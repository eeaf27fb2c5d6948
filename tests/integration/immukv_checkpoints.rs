//! Signed checkpoints: made with a KMS asymmetric key, verified offline with its
//! public half or online with KMS Verify, kept in an SSM parameter that only moves
//! forward along one chain.

use crate::support::immukv::Kv;
use crate::support::{fixture, immukv_py, proxy_log, s3_proxy, stderr, unique};

/// A KMS signing key of `spec` behind a fresh alias: the alias and its public key's
/// PEM file in `kv`'s home.
fn signing_key(kv: &Kv, spec: &str) -> (String, String) {
    let alias = format!("alias/{}", unique("checkpoints"));
    let key_id = fixture(&["kms-signing-key", &alias, spec]);
    let pem = fixture(&["kms-public-key", key_id.trim()]);
    let file = kv.env.write(&format!("{spec}.pem"), pem);
    (alias, file.to_str().unwrap().to_owned())
}

fn ssm_string(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(&["ssm-get-string", name])).unwrap()
}

#[test]
fn signed_checkpoints_verify_offline_and_with_kms_and_catch_tampering() {
    let kv = Kv::new("sig/");
    for v in ["1", "2", "3"] {
        kv.ok(&["set", "k", v]);
    }
    let (ecc, ecc_pem) = signing_key(&kv, "ECC_NIST_P256");
    let note = kv.ok(&["checkpoint", "--sign", &ecc]);
    let head = kv.log()[0].clone();
    assert!(
        note.starts_with(&format!(
            "immukv checkpoint v1\nstore s3://{}/sig/\nsequence 2\nversion {}\nhash {}\ntime ",
            kv.bucket,
            head["version_id"].as_str().unwrap(),
            head["hash"].as_str().unwrap()
        )),
        "{note}"
    );
    assert!(
        note.contains("\n\n\u{2014} arn:aws:kms:") && note.contains(" ECDSA_SHA_256 "),
        "{note}"
    );
    let file = kv.env.write("checkpoint.note", &note);
    let file = file.to_str().unwrap();

    // A job with no cache folder: the key's public half (offline), or KMS.
    let ci = Kv::in_bucket(&kv.bucket, "sig/");
    let said = ci.says(&["verify", "--checkpoint", file, "--public-key", &ecc_pem]);
    assert!(
        said.contains("verified no new entries since sequence 2"),
        "{said}"
    );
    ci.ok(&["verify", "--checkpoint", file, "--signed-by", &ecc]);

    // Changed after signing: refused, offline and by KMS.
    let forged = ci
        .env
        .write("forged.note", note.replace("sequence 2\n", "sequence 1\n"));
    let forged = forged.to_str().unwrap();
    let e = ci.fails(
        &["verify", "--checkpoint", forged, "--public-key", &ecc_pem],
        1,
    );
    assert!(
        e.contains("does not verify against the public key in"),
        "{e}"
    );
    let e = ci.fails(&["verify", "--checkpoint", forged, "--signed-by", &ecc], 1);
    assert!(
        e.contains(&format!("does not verify with KMS key {ecc}")),
        "{e}"
    );
    // Signed by another key.
    let (rsa, rsa_pem) = signing_key(&kv, "RSA_2048");
    let e = ci.fails(
        &["verify", "--checkpoint", file, "--public-key", &rsa_pem],
        1,
    );
    assert!(e.contains("does not verify"), "{e}");
    let e = ci.fails(&["verify", "--checkpoint", file, "--signed-by", &rsa], 1);
    assert!(e.contains("does not verify"), "{e}");
    // No signature at all, in either form.
    let json = ci.env.write("checkpoint.json", kv.ok(&["checkpoint"]));
    let e = ci.fails(
        &[
            "verify",
            "--checkpoint",
            json.to_str().unwrap(),
            "--public-key",
            &ecc_pem,
        ],
        1,
    );
    assert!(e.contains("is not signed"), "{e}");
    let body = note.split("\n\n").next().unwrap().to_owned() + "\n";
    let unsigned = ci.env.write("unsigned.note", body);
    let e = ci.fails(
        &[
            "verify",
            "--checkpoint",
            unsigned.to_str().unwrap(),
            "--signed-by",
            &ecc,
        ],
        1,
    );
    assert!(e.contains("is not signed"), "{e}");

    // RSA keys sign with RSASSA_PSS_SHA_256.
    let note = kv.ok(&["checkpoint", "--sign", &rsa]);
    assert!(note.contains(" RSASSA_PSS_SHA_256 "), "{note}");
    let file = ci.env.write("rsa.note", &note);
    let file = file.to_str().unwrap();
    ci.ok(&["verify", "--checkpoint", file, "--public-key", &rsa_pem]);
    ci.ok(&["verify", "--checkpoint", file, "--signed-by", &rsa]);

    // A key that cannot sign is refused before anything is printed.
    let symmetric = format!("alias/{}", unique("symmetric"));
    fixture(&["kms-key", &symmetric]);
    let e = kv.fails(&["checkpoint", "--sign", &symmetric], 2);
    assert!(
        e.contains("is a SYMMETRIC_DEFAULT key") && e.contains("ECC_NIST_P256"),
        "{e}"
    );
    let e = kv.fails(&["verify", "--checkpoint", file, "--public-key", file], 2);
    assert!(e.contains("is not a public key"), "{e}");
}

/// `checkpoint --put ssm:/NAME` verifies against the checkpoint already there and only
/// moves it forward; a rolled-back or rewritten log leaves it as it was, and a failure
/// against a signed checkpoint shows both heads.
#[test]
fn checkpoints_kept_in_ssm_only_move_forward() {
    let kv = Kv::new("ssm/");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "b", "2"]);
    let (key, _) = signing_key(&kv, "ECC_NIST_P256");
    let name = format!("/immukv/{}", unique("checkpoint"));
    let parameter = format!("ssm:{name}");
    let first = kv.ok(&["checkpoint", "--sign", &key, "--put", &parameter]);
    assert_eq!(ssm_string(&name)["value"], first.as_str());
    assert_eq!(ssm_string(&name)["version"], 1);

    // Another machine moves it forward, verified against what was there.
    kv.ok(&["set", "a", "3"]);
    let ci = Kv::in_bucket(&kv.bucket, "ssm/");
    let out = ci
        .cmd()
        .args([
            "checkpoint",
            "--sign",
            &key,
            "--put",
            &parameter,
            "--signed-by",
            &key,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("verified 1 new entry (1 python) since sequence 1")
            && stderr(&out).contains(&format!("kept the checkpoint at {parameter} (sequence 2)")),
        "{}",
        stderr(&out)
    );
    assert_eq!(ssm_string(&name)["version"], 2);
    let other = Kv::in_bucket(&kv.bucket, "ssm/");
    other.ok(&["verify", "--checkpoint", &parameter, "--signed-by", &key]);

    // The log rolled back below the kept checkpoint: refused, the parameter kept.
    let newest = kv.versions("_log.json")[0].clone();
    immukv_py(&[
        "delete-version",
        &kv.bucket,
        &kv.object("_log.json"),
        &newest,
    ]);
    let out = Kv::in_bucket(&kv.bucket, "ssm/")
        .cmd()
        .args(["checkpoint", "--put", &parameter])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("rolled back or rewritten"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ssm_string(&name)["version"], 2);

    // Rewritten: another entry at the kept sequence (a forked chain). Verifying against
    // the signed checkpoint shows both heads as evidence.
    kv.ok(&["set", "a", r#""forked""#]);
    let out = Kv::in_bucket(&kv.bucket, "ssm/")
        .cmd()
        .args(["checkpoint", "--put", &parameter, "--signed-by", &key])
        .output()
        .unwrap();
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("the log was rewritten since"), "{said}");
    assert!(
        said.contains(&format!("evidence: the signed checkpoint {parameter}:"))
            && said.contains("    immukv checkpoint v1")
            && said.contains("evidence: the head S3 shows now: sequence 2"),
        "{said}"
    );
    assert_eq!(ssm_string(&name)["version"], 2, "nothing was put");
    let e =
        Kv::in_bucket(&kv.bucket, "ssm/").fails(&["verify", "--checkpoint", "ssm:/immukv/none"], 2);
    assert!(
        e.contains("there is no checkpoint at ssm:/immukv/none"),
        "{e}"
    );
}

/// `checkpoint --put` where SSM's answers mislead: a first put whose answer is lost (the
/// SDK then sends it again and SSM says the parameter already exists) is our own put,
/// read back, not a race; TooManyUpdates (another update of the parameter in flight,
/// not carried out) is tried again.
#[test]
fn a_checkpoint_put_reads_back_a_lost_answer_and_waits_out_concurrent_updates() {
    let kv = Kv::new("lost/");
    kv.ok(&["set", "a", "1"]);
    let name = format!("/immukv/{}", unique("checkpoint"));
    let parameter = format!("ssm:{name}");
    // A checkpoint put through `proxy` lands as the parameter's `version`.
    let put_through = |proxy: &crate::support::Server, version: i64| {
        let out = kv
            .cmd()
            .env("AWS_ENDPOINT_URL", proxy.url())
            .args(["checkpoint", "--put", &parameter])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            ssm_string(&name)["value"],
            String::from_utf8_lossy(&out.stdout).as_ref()
        );
        assert_eq!(ssm_string(&name)["version"], version);
    };
    let lost = s3_proxy(&["--drop-json", "PutParameter:1"]);
    put_through(&lost, 1);

    kv.ok(&["set", "a", "2"]);
    let busy = s3_proxy(&["--json-error-on", "PutParameter:2:400:TooManyUpdates"]);
    put_through(&busy, 2);
    let tried = proxy_log(&busy)
        .iter()
        .filter(|r| r.path == "/" && r.status == Some(400))
        .count();
    assert_eq!(tried, 2, "both busy answers were seen");
}
