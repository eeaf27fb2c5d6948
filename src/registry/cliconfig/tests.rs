use super::*;

#[test]
fn credentials_config_reads_helpers_and_hosts() {
    let text = format!(
        "credentials \"a.example.com\" {{\n  token = \"x\"\n}}\n{}",
        helper_block(
            "aws-credstore",
            &["--registry-host".into(), "q\"\\${x}".into()]
        )
    );
    let c = CredentialsConfig::parse(&text, false).unwrap();
    let creds = c.credentials_for("A.example.com").unwrap();
    assert_eq!(creds.token.as_ref().unwrap().expose(), "x");
    assert_eq!(
        c.helpers,
        [HelperBlock {
            name: "aws-credstore".into(),
            args: Some(vec!["--registry-host".into(), "q\"\\${x}".into()]),
        }]
    );
    let c = CredentialsConfig::parse(OLD_PYTHON, false).unwrap();
    assert_eq!(
        c.helpers[0].args.as_deref().unwrap(),
        ["--service", "execute-api", "--expiration-window", "300"]
    );
    let json = r#"{"credentials": {"b.example.com": {"token": "t"}},
                      "credentials_helper": {"x": {"args": ["-v"]}}}"#;
    let c = CredentialsConfig::parse(json, true).unwrap();
    assert_eq!(
        c.credentials_for("b.example.com").unwrap().token,
        Some(Secret::new("t"))
    );
    assert!(c.credentials_for("c.example.com").is_none());
    assert_eq!(c.helpers[0].args.as_deref().unwrap(), ["-v"]);
    assert!(CredentialsConfig::parse("{", true).is_err());
}

const OLD_PYTHON: &str = "\ncredentials_helper \"aws-credstore\" {\n      args = [\n  \"--service\",\n  \"execute-api\",\n  \"--expiration-window\",\n  \"300\"\n]\n}\n";

fn args() -> Vec<String> {
    vec!["--registry-host".into(), "r.example.com".into()]
}

fn helpers(text: &str) -> usize {
    blocks(text)
        .unwrap()
        .iter()
        .filter(|b| b.kind == "credentials_helper")
        .count()
}

#[test]
fn install_is_idempotent_and_replaces_old_python_blocks() {
    let original = format!("plugin_cache_dir = \"/tmp/x\" # keep {{\n{OLD_PYTHON}{OLD_PYTHON}");
    let Ok(Edit::Rewrite { text, removed, .. }) =
        plan_install(&original, "aws-credstore", &args(), false, &[])
    else {
        panic!("expected a rewrite")
    };
    assert_eq!(removed.len(), 2);
    assert!(text.starts_with("plugin_cache_dir = \"/tmp/x\" # keep {\n"));
    assert_eq!(helpers(&text), 1);
    assert_eq!(
        plan_install(&text, "aws-credstore", &args(), false, &[]),
        Ok(Edit::Unchanged)
    );
}

#[test]
fn another_helper_needs_force() {
    let text = "credentials_helper \"other\" {\n  args = []\n}\n";
    assert_eq!(
        plan_install(text, "aws-credstore", &args(), false, &[]),
        Ok(Edit::Conflict {
            other: "other".into()
        })
    );
    assert!(matches!(
        plan_install(text, "aws-credstore", &args(), true, &[]),
        Ok(Edit::Rewrite { .. })
    ));
}

#[test]
fn uninstall_removes_exactly_what_install_added() {
    let original = "credentials \"app.terraform.io\" {\n  token = \"x\" /* } */\n}\n";
    let Ok(Edit::Rewrite { text, .. }) =
        plan_install(original, "aws-credstore", &args(), false, &[])
    else {
        panic!()
    };
    let (back, removed) = plan_uninstall(&text).unwrap().unwrap();
    assert_eq!(back, original);
    assert_eq!(removed.len(), 1);
    assert!(plan_uninstall(original).unwrap().is_none());
    assert!(
        CredentialsConfig::parse(original, false)
            .unwrap()
            .credentials_for("app.terraform.io")
            .is_some()
    );
    let Ok(Edit::Rewrite { text, .. }) = plan_install("", "aws-credstore", &args(), false, &[])
    else {
        panic!()
    };
    assert_eq!(plan_uninstall(&text).unwrap().unwrap().0, "");
}

/// A file with CRLF line endings (written on Windows) keeps them: the block is
/// written with CRLF, a second install changes nothing, and an uninstall gives the
/// file back byte for byte.
#[test]
fn crlf_files_keep_their_line_endings() {
    let original = "# mine\r\nplugin_cache_dir = \"C:/cache\"\r\ncredentials \"a.example.com\" {\r\n  token = \"t\"\r\n}\r\n";
    let Edit::Rewrite { text, .. } =
        plan_install(original, "aws-credstore", &args(), false, &[]).unwrap()
    else {
        panic!("a rewrite")
    };
    assert!(text.starts_with(original), "{text:?}");
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "{text:?}"
    );
    assert_eq!(helpers(&text), 1);
    assert_eq!(
        plan_install(&text, "aws-credstore", &args(), false, &[]).unwrap(),
        Edit::Unchanged
    );
    let (back, removed) = plan_uninstall(&text).unwrap().unwrap();
    assert_eq!(back, original);
    assert_eq!(removed.len(), 1);
    let lf = "x = 1\n";
    let Edit::Rewrite { text, .. } =
        plan_install(lf, "aws-credstore", &args(), false, &[]).unwrap()
    else {
        panic!("a rewrite")
    };
    assert!(!text.contains('\r'), "{text:?}");
}

#[test]
fn heredocs_and_multi_line_values_are_skipped_whole() {
    let text = "note = <<EOF\ncredentials_helper \"fake\" {\n}\nEOF\nhosts = {\n  x = \"}\"\n  credentials_helper = [1,\n 2]\n}\nindented = <<-END\n    credentials_helper \"fake2\" {}\n    END\ncredentials \"h\" {\n  token = \"t\"\n}\n";
    let found = blocks(text).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, "credentials");
    assert_eq!(found[0].label.as_deref(), Some("h"));
}

#[test]
fn files_it_cannot_follow_are_errors_that_quote_nothing() {
    for (text, line) in [
        (
            "credentials \"caf\u{e9}-unterminated {\n token = \"secret-token\"\n}\n",
            1,
        ),
        ("credentials \"h\" {\n  token = \"secret-token\"\n", 1),
        ("x = \"a\"\nnote = <<EOF\nsecret-token\n", 2),
        ("/* secret-token", 1),
        ("credentials \"h\" { token = \"secret-token\" }\n}\n", 2),
        ("\u{1f600} = 1\n", 1),
        ("x = 1\ny = 2\nc secret-token", 3),
    ] {
        let err = blocks(text).unwrap_err();
        assert_eq!(err.line, line, "{text:?}");
        assert!(!err.to_string().contains("secret-token"));
    }
    // Text after our END marker, multi-byte characters anywhere: no panic.
    let ours = helper_block("aws-credstore", &args());
    for tail in ["", "x", "é", "\r\n", "# é\n", "\n\u{1f600}"] {
        let text = format!("# ü\n{ours}{tail}");
        let _ = plan_uninstall(&text);
        let _ = plan_install(&text, "aws-credstore", &args(), false, &[]);
    }
}

/// Every prefix of every test file, and bytes shuffled around: the scan returns, it
/// never panics.
#[test]
fn no_input_panics() {
    let samples = [
        OLD_PYTHON.to_owned(),
        helper_block("aws-credstore", &args()) + "trailing é text",
        "credentials \"é\" {\n token = <<-X\n é }\n X\n}\n".to_owned(),
        "a = [\"}\", {b = \"é\"}] // c\n/* é */ x \"y\" {}\n".to_owned(),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for sample in &samples {
        for end in (0..=sample.len()).filter(|e| sample.is_char_boundary(*e)) {
            let _ = blocks(&sample[..end]);
        }
        let chars: Vec<char> = sample.chars().collect();
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut mutated = chars.clone();
            let i = (seed % mutated.len() as u64) as usize;
            let j = ((seed >> 20) % mutated.len() as u64) as usize;
            mutated.swap(i, j);
            mutated.truncate(((seed >> 40) % (mutated.len() as u64 + 1)) as usize);
            let text: String = mutated.into_iter().collect();
            let _ = blocks(&text);
            let _ = plan_uninstall(&text);
        }
    }
}
