//! The local registry token endpoint (`token_endpoint.py`), and the test TLS files
//! it can serve with.

use super::*;

/// The local registry token endpoint (`token_endpoint.py`), verifying SigV4 for real.
pub(crate) struct TokenEndpoint {
    pub(crate) server: Server,
    /// Whether it serves HTTPS (its statistics are read through TLS then).
    tls: bool,
    _keys: tempfile::NamedTempFile,
}

impl TokenEndpoint {
    /// Accepts the test key for `REGION` and `execute-api`.
    pub(crate) fn start(mode: &str) -> Self {
        Self::start_with(
            mode,
            REGION,
            "execute-api",
            &[(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None)],
        )
    }

    /// With more options of `token_endpoint.py` (`--prefix P`, ...).
    pub(crate) fn start_opts(mode: &str, extra: &[&str]) -> Self {
        let keys = [(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None)];
        let extra = extra.iter().map(OsString::from).collect();
        Self::start_full(mode, REGION, "execute-api", &keys, extra)
    }

    /// Serving HTTPS with a fresh self-signed certificate for localhost; returns the
    /// endpoint and the path of the CA bundle that signed its certificate.
    pub(crate) fn start_tls(dir: &Path) -> (Self, PathBuf) {
        Self::start_tls_opts(dir, "normal", &[])
    }

    /// Serving HTTPS (a fresh CA and certificate in `dir`, also for `names`) for
    /// callers signing with `keys`, with more options (`--grant NS`, `--label TEXT`): a
    /// registry stand-in that knows only its own callers. The endpoint and the CA to
    /// trust.
    pub(crate) fn start_registry(
        dir: &Path,
        names: &[&str],
        keys: &[(&str, &str, Option<&str>)],
        more: &[&str],
    ) -> (Self, PathBuf) {
        let (ca, mut extra) = tls_files_for(dir, names);
        extra.extend(more.iter().map(OsString::from));
        (
            Self::start_full("normal", REGION, "execute-api", keys, extra),
            ca,
        )
    }

    /// [`TokenEndpoint::start_tls`] in `mode`, with more options.
    pub(crate) fn start_tls_opts(dir: &Path, mode: &str, more: &[&str]) -> (Self, PathBuf) {
        let (ca, mut extra) = tls_files(dir);
        extra.extend(more.iter().map(OsString::from));
        let keys = [(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None)];
        (
            Self::start_full(mode, REGION, "execute-api", &keys, extra),
            ca,
        )
    }

    /// Also an API on every other path, taking `api_key` as x-api-key or a SigV4
    /// signature by one of `keys`.
    pub(crate) fn start_api(api_key: &str, keys: &[(&str, &str, Option<&str>)]) -> Self {
        Self::start_full(
            "normal",
            REGION,
            "execute-api",
            keys,
            vec!["--api-key".into(), api_key.into()],
        )
    }

    pub(crate) fn start_with(
        mode: &str,
        region: &str,
        service: &str,
        keys: &[(&str, &str, Option<&str>)],
    ) -> Self {
        Self::start_full(mode, region, service, keys, Vec::new())
    }

    fn start_full(
        mode: &str,
        region: &str,
        service: &str,
        keys: &[(&str, &str, Option<&str>)],
        extra: Vec<OsString>,
    ) -> Self {
        let mut file = tempfile::NamedTempFile::new().expect("keys file");
        let map: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|(id, secret, token)| {
                (
                    id.to_string(),
                    serde_json::json!({ "secret": secret, "session_token": token }),
                )
            })
            .collect();
        file.write_all(serde_json::Value::Object(map).to_string().as_bytes())
            .expect("write keys");
        let args: Vec<OsString> = vec![
            "--keys".into(),
            file.path().into(),
            "--region".into(),
            region.into(),
            "--service".into(),
            service.into(),
            "--mode".into(),
            mode.into(),
        ];
        let args: Vec<OsString> = args.into_iter().chain(extra).collect();
        Self {
            server: Server::start("token_endpoint.py", &args),
            tls: args.iter().any(|a| a == "--tls-cert"),
            _keys: file,
        }
    }

    pub(crate) fn url(&self) -> String {
        self.server.url()
    }

    /// How many token requests reached the endpoint, and how many tokens it minted.
    pub(crate) fn stats(&self) -> (u64, u64) {
        let v = self.stats_json();
        (
            v["token_requests"].as_u64().expect("n"),
            v["minted"].as_u64().expect("m"),
        )
    }

    /// The paths token requests were sent to.
    pub(crate) fn token_paths(&self) -> Vec<String> {
        self.stats_json()["paths"]
            .as_array()
            .expect("paths")
            .iter()
            .map(|p| p.as_str().expect("path").to_owned())
            .collect()
    }

    pub(crate) fn stats_json(&self) -> serde_json::Value {
        local_json(self.tls, self.server.port, "/__stats")
    }
}

/// A fresh test CA and a certificate it signed for localhost, in `dir`: the CA's path,
/// and the endpoint's TLS options.
pub(crate) fn tls_files(dir: &Path) -> (PathBuf, Vec<OsString>) {
    tls_files_for(dir, &[])
}

/// [`tls_files`] with the certificate also for `names` (registry hosts the tests reach
/// through a [`super::registry::ConnectProxy`]).
pub(crate) fn tls_files_for(dir: &Path, names: &[&str]) -> (PathBuf, Vec<OsString>) {
    let ca = dir.join("test-ca.pem");
    let cert = dir.join("endpoint-cert.pem");
    let key = dir.join("endpoint-key.pem");
    run(StdCommand::new(super::python_in(venv()))
        .arg(repo().join("tests/support/make_cert.py"))
        .args([&ca, &cert, &key])
        .args(names));
    let options = vec![
        "--tls-cert".into(),
        cert.into(),
        "--tls-key".into(),
        key.into(),
    ];
    (ca, options)
}
