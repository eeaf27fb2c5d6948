//! The registry as deployed: lambda-terraform-module-registry 0.2.5's own Lambda handler
//! (`registry_server.py`) on the emulator, its grants and module records in a table of
//! its own, and a CONNECT proxy that lets Terraform and the toolkit reach it under a
//! registry host name (`https://registry.example.test/`), service discovery included.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use super::*;

/// The role every test caller's session belongs to, as the registry sees it.
pub(crate) const CALLER_ROLE: &str = "arn:aws:iam::123456789012:role/ci";

/// The caller ARN the gateway hands the registry for a test key: a session of
/// [`CALLER_ROLE`], or of a role named after the key when it is not the test key.
fn caller_arn(key_id: &str) -> String {
    let role = if key_id == ACCESS_KEY_ID {
        "ci"
    } else {
        key_id
    };
    format!("arn:aws:sts::123456789012:assumed-role/{role}/session")
}

/// The role ARN the registry grants for callers signing with `key_id`.
pub(crate) fn role_of(key_id: &str) -> String {
    let role = if key_id == ACCESS_KEY_ID {
        "ci"
    } else {
        key_id
    };
    format!("arn:aws:iam::123456789012:role/{role}")
}

/// One registry: the package's own handler behind a SigV4-checking gateway stand-in.
pub(crate) struct Registry {
    pub(crate) server: Server,
    /// The table of its grants and module records.
    pub(crate) table: String,
    /// The bucket its module archives are in (made on first publish).
    pub(crate) bucket: String,
    tls: bool,
    _keys: tempfile::NamedTempFile,
}

/// How a [`Registry`] is started.
pub(crate) struct RegistryOptions<'a> {
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
    /// (key id, secret, session token) of the callers the gateway knows.
    pub(crate) keys: &'a [(&'a str, &'a str, Option<&'a str>)],
    /// HTTPS with a fresh CA in this folder, its certificate also for these names.
    pub(crate) tls: Option<(&'a Path, &'a [&'a str])>,
    /// With 0.2.5's create route mended (see `registry_server.py`).
    pub(crate) fix_create: bool,
}

impl Default for RegistryOptions<'_> {
    fn default() -> Self {
        Self {
            region: REGION,
            service: "execute-api",
            keys: &[(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None)],
            tls: None,
            fix_create: false,
        }
    }
}

impl Registry {
    /// Plain HTTP on loopback, for the test key in `REGION`, `execute-api`.
    pub(crate) fn start() -> Self {
        Self::start_opts(&RegistryOptions::default()).0
    }

    /// For callers signing with `keys` in `region` for `service`.
    pub(crate) fn start_with(
        region: &str,
        service: &str,
        keys: &[(&str, &str, Option<&str>)],
    ) -> Self {
        Self::start_opts(&RegistryOptions {
            region,
            service,
            keys,
            ..RegistryOptions::default()
        })
        .0
    }

    /// As `options` say; the CA to trust when it serves HTTPS.
    pub(crate) fn start_opts(options: &RegistryOptions<'_>) -> (Self, Option<PathBuf>) {
        let mut file = tempfile::NamedTempFile::new().expect("keys file");
        let map: serde_json::Map<String, serde_json::Value> = options
            .keys
            .iter()
            .map(|(id, secret, token)| {
                (
                    id.to_string(),
                    serde_json::json!({ "secret": secret, "session_token": token, "arn": caller_arn(id) }),
                )
            })
            .collect();
        file.write_all(serde_json::Value::Object(map).to_string().as_bytes())
            .expect("write keys");
        let table = unique("registry");
        let mut args: Vec<OsString> = vec![
            "--keys".into(),
            file.path().into(),
            "--region".into(),
            options.region.into(),
            "--service".into(),
            options.service.into(),
            "--table".into(),
            table.clone().into(),
            "--kms-alias".into(),
            format!("alias/{table}").into(),
        ];
        if options.fix_create {
            args.push("--fix-create".into());
        }
        let mut ca = None;
        if let Some((dir, names)) = options.tls {
            let (path, tls) = tls_files_for(dir, names);
            args.extend(tls);
            ca = Some(path);
        }
        let server = Server::start_env(
            "registry_server.py",
            &args,
            &[
                ("AWS_ENDPOINT_URL", moto()),
                ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
                ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
                ("AWS_DEFAULT_REGION", REGION),
                ("AWS_REGION", REGION),
            ],
        );
        let registry = Self {
            server,
            bucket: table.clone(),
            table,
            tls: options.tls.is_some(),
            _keys: file,
        };
        (registry, ca)
    }

    pub(crate) fn url(&self) -> String {
        self.server.url()
    }

    /// `https://localhost:PORT/` when it serves HTTPS.
    pub(crate) fn https_url(&self) -> String {
        format!("https://localhost:{}/", self.server.port)
    }

    fn local(&self, path: &str) -> serde_json::Value {
        local_json(self.tls, self.server.port, path)
    }

    /// `GET PATH` with `token` as the bearer, as Terraform asks: the status and the body.
    pub(crate) fn get(&self, path: &str, token: &str) -> (u16, String) {
        local_get(self.tls, self.server.port, path, Some(token))
    }

    /// How many token requests reached it, and how many tokens it minted.
    pub(crate) fn stats(&self) -> (u64, u64) {
        let v = self.stats_json();
        (
            v["token_requests"].as_u64().expect("n"),
            v["minted"].as_u64().expect("m"),
        )
    }

    /// `{"token_requests", "minted", "module_requests"}` (module calls with a token it
    /// did not refuse).
    pub(crate) fn stats_json(&self) -> serde_json::Value {
        self.local("/__stats")
    }

    /// Every request it answered: `{"method", "path", "status", "bearer", "signed"}`.
    pub(crate) fn log(&self) -> Vec<serde_json::Value> {
        self.local("/__log").as_array().expect("a list").clone()
    }

    /// Allow callers of `role` these permissions in `namespace`, written by the
    /// registry's own code.
    pub(crate) fn grant(&self, namespace: &str, role: &str, permissions: &str) {
        fixture(&[
            "registry-create-grant",
            &self.table,
            namespace,
            role,
            permissions,
        ]);
    }

    /// Publish NAMESPACE/NAME/SYSTEM at `version` the way the registry's own code records
    /// one: an archive whose one output is `"<NS>/<NAME>/<SYSTEM> <version> from <label>"`,
    /// uploaded with its SHA-256, and `Module.create()`.
    pub(crate) fn publish(&self, module: &str, version: &str, label: &str) {
        let mut parts = module.split('/');
        let (ns, name, system) = (
            parts.next().expect("ns"),
            parts.next().expect("name"),
            parts.next().expect("system"),
        );
        fixture(&[
            "registry-put-module",
            &self.table,
            &self.bucket,
            ns,
            name,
            system,
            version,
            label,
        ]);
    }
}

/// An HTTP proxy that answers only CONNECT, to the loopback port it has for the host
/// asked: what `HTTPS_PROXY` points Terraform and the toolkit at, so that a registry host
/// name reaches a local registry with no DNS (loopback addresses are never proxied).
pub(crate) struct ConnectProxy {
    pub(crate) port: u16,
    routes: Arc<Mutex<HashMap<String, u16>>>,
    connects: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    /// `HOST:443` to each port given.
    pub(crate) fn start(routes: &[(&str, u16)]) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let proxy = Self {
            port,
            routes: Arc::new(Mutex::new(HashMap::new())),
            connects: Arc::new(Mutex::new(Vec::new())),
        };
        for (host, to) in routes {
            proxy.route(host, *to);
        }
        let (routes, connects) = (proxy.routes.clone(), proxy.connects.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (routes, connects) = (routes.clone(), connects.clone());
                std::thread::spawn(move || tunnel(client, &routes, &connects));
            }
        });
        proxy
    }

    /// Send `HOST:443` to `port` from now on.
    pub(crate) fn route(&self, host: &str, port: u16) {
        self.routes
            .lock()
            .unwrap()
            .insert(format!("{host}:443"), port);
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every `CONNECT` target asked for, in order.
    pub(crate) fn connects(&self) -> Vec<String> {
        self.connects.lock().unwrap().clone()
    }
}

fn tunnel(
    mut client: TcpStream,
    routes: &Mutex<HashMap<String, u16>>,
    connects: &Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    connects.lock().unwrap().push(target.to_owned());
    let port = routes.lock().unwrap().get(target).copied();
    let (Some(port), "CONNECT") = (port, method) else {
        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let Ok(upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (mut up_read, mut client_write) = (
        upstream.try_clone().expect("clone"),
        client.try_clone().expect("clone"),
    );
    let (mut client_read, mut up_write) = (client, upstream);
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut client_read, &mut up_write);
    let _ = up_write.shutdown(std::net::Shutdown::Write);
    let _ = back.join();
}

/// One registry of a [`Deployment`]: its host name, the caller it knows (the key its
/// AWS profile signs with), the module published in it and what that module says.
pub(crate) struct RegistrySpec<'a> {
    pub(crate) host: &'a str,
    /// The AWS profile (in the deployment's HOME) whose key the registry knows.
    pub(crate) profile: &'a str,
    pub(crate) key: (&'a str, &'a str),
    /// `NAMESPACE/NAME/SYSTEM`, published at 1.0.0; the caller may download in its namespace.
    pub(crate) module: &'a str,
    pub(crate) label: &'a str,
}

/// Registries as deployed, each under its host name (HTTPS, reached through one CONNECT
/// proxy), and a HOME whose AWS profiles sign as their callers, with everything
/// Terraform and the toolkit need to reach them: `HTTPS_PROXY`, the test CAs in
/// `SSL_CERT_FILE`, the emulator for AWS itself.
pub(crate) struct Deployment {
    pub(crate) env: TestEnv,
    pub(crate) registries: Vec<(String, Registry)>,
    pub(crate) proxy: ConnectProxy,
    _certs: Vec<tempfile::TempDir>,
}

impl Deployment {
    pub(crate) fn new(specs: &[RegistrySpec<'_>]) -> Self {
        let mut env = TestEnv::new();
        let profiles: Vec<(&str, (&str, &str))> =
            specs.iter().map(|s| (s.profile, s.key)).collect();
        env.with_profiles(&profiles);
        let config: String = specs
            .iter()
            .map(|s| format!("[profile {}]\nregion = {REGION}\n\n", s.profile))
            .collect();
        env.write(".aws/config", config);
        let proxy = ConnectProxy::start(&[]);
        let mut registries = Vec::new();
        let mut certs = Vec::new();
        let mut bundle = String::new();
        for spec in specs {
            let dir = tempfile::tempdir().expect("cert dir");
            let keys = [(spec.key.0, spec.key.1, None)];
            let (registry, ca) = Registry::start_opts(&RegistryOptions {
                keys: &keys,
                tls: Some((dir.path(), &[spec.host])),
                ..RegistryOptions::default()
            });
            bundle.push_str(&fs::read_to_string(ca.expect("a CA")).expect("CA"));
            let namespace = spec.module.split('/').next().expect("a namespace");
            registry.grant(namespace, &role_of(spec.key.0), r#"{"download": true}"#);
            registry.publish(spec.module, "1.0.0", spec.label);
            proxy.route(spec.host, registry.server.port);
            registries.push((spec.host.to_owned(), registry));
            certs.push(dir);
        }
        let bundle = env.write("test-cas.pem", bundle);
        env.set("SSL_CERT_FILE", &bundle);
        env.set("HTTPS_PROXY", proxy.url());
        env.set("AWS_ENDPOINT_URL", moto());
        env.set("CHECKPOINT_DISABLE", "1");
        env.set("TF_IN_AUTOMATION", "1");
        Self {
            env,
            registries,
            proxy,
            _certs: certs,
        }
    }

    /// The registry serving `host`.
    pub(crate) fn registry(&self, host: &str) -> &Registry {
        &self
            .registries
            .iter()
            .find(|(h, _)| h == host)
            .expect("a registry of the deployment")
            .1
    }
}
