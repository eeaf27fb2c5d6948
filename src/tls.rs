//! The certificates the toolkit's own HTTPS client trusts (the registry's token
//! endpoint, secure APIs), read cheaply: a cold command pays for them once.
//!
//! The roots are what OpenSSL (and `rustls-native-certs`) would load: `SSL_CERT_FILE`
//! and the folders in `SSL_CERT_DIR` when either is set (on every system: they replace
//! the default roots, as with OpenSSL), else on Linux and the BSDs the distribution's
//! bundle and folder. As OpenSSL does, the folders are read only for a server the
//! bundle's roots do not verify (on Debian the folder holds the bundle's roots again,
//! some 300 files). PEM is scanned as bytes and decoded with a vectorised base64
//! decoder: the general-purpose PEM reader decodes in constant time, as key material
//! needs, and spent some 2 ms of a 4 ms cold `get` on the 140-odd public roots.
//! Otherwise, on macOS and Windows, the platform's own verifier (the keychain, the
//! certificate store) decides. `AWS_CA_BUNDLE` always adds to the roots; a bundle that
//! cannot be read, or holds no certificate, is an error that names it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// PEM armour of one certificate.
const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// A CA bundle named by a variable that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadBundle {
    pub(crate) var: &'static str,
    pub(crate) path: String,
    pub(crate) reason: String,
}

/// The DER certificates in PEM text, in order. Text outside the armour is ignored, as
/// OpenSSL ignores it (whatever its encoding); a block whose base64 does not decode is
/// an error.
pub(crate) fn pem_certificates(text: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut certs = Vec::new();
    let mut rest = text;
    let mut b64 = Vec::new();
    while let Some(start) = memchr::memmem::find(rest, BEGIN.as_bytes()) {
        let body = &rest[start + BEGIN.len()..];
        let Some(end) = memchr::memmem::find(body, END.as_bytes()) else {
            return Err(format!("certificate {} has no {END} line", certs.len() + 1));
        };
        b64.clear();
        b64.extend(body[..end].iter().filter(|b| !b.is_ascii_whitespace()));
        let der = std::str::from_utf8(&b64)
            .map_err(|e| e.to_string())
            .and_then(|b64| aws_smithy_types::base64::decode(b64).map_err(|e| e.to_string()))
            .map_err(|e| format!("certificate {} is not base64: {e}", certs.len() + 1))?;
        certs.push(der);
        rest = &body[end + END.len()..];
    }
    Ok(certs)
}

/// The certificates of the bundle `var` names (`None` when it is unset): at least one,
/// all of them well-formed.
pub(crate) fn bundle(var: &'static str) -> Result<Option<Vec<Vec<u8>>>, BadBundle> {
    let Some(path) = crate::env::var(var) else {
        return Ok(None);
    };
    let bad = |reason: String| BadBundle {
        var,
        path: path.clone(),
        reason,
    };
    let pem = crate::fsutil::read_regular(Path::new(&path), crate::fsutil::MAX_CONFIG_BYTES)
        .and_then(|bytes| bytes.ok_or_else(|| std::io::ErrorKind::NotFound.into()))
        .map_err(|e| bad(e.to_string()))?;
    let certs = pem_certificates(&pem).map_err(|e| bad(format!("not PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad("not PEM: it holds no certificate".to_owned()));
    }
    Ok(Some(certs))
}

/// Where the roots are: `SSL_CERT_FILE`'s certificates (`file`, read by the caller)
/// and the folders in `SSL_CERT_DIR` when either is set (the file replaces the default
/// bundle, as with OpenSSL), else the bundle and folder OpenSSL's build on this
/// distribution uses; `None` where the platform's verifier decides (macOS, Windows).
fn root_sources(file: Option<Vec<Vec<u8>>>) -> Option<(Vec<Vec<u8>>, Vec<PathBuf>)> {
    let dirs: Vec<PathBuf> = crate::env::var(crate::env::SSL_CERT_DIR)
        .map(|d| {
            std::env::split_paths(&d)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if file.is_some() || !dirs.is_empty() {
        return Some((file.unwrap_or_default(), dirs));
    }
    let (file, dirs) = probed_paths()?;
    let mut certs = Vec::new();
    if let Some(file) = file {
        read_pem_file(&file, &mut certs);
    }
    Some((certs, dirs))
}

#[cfg(all(unix, not(target_vendor = "apple")))]
fn probed_paths() -> Option<(Option<PathBuf>, Vec<PathBuf>)> {
    let probed = openssl_probe::probe();
    Some((probed.cert_file, probed.cert_dir))
}

#[cfg(not(all(unix, not(target_vendor = "apple"))))]
fn probed_paths() -> Option<(Option<PathBuf>, Vec<PathBuf>)> {
    None
}

/// What tells one file from another: its device and inode.
#[cfg(unix)]
fn file_identity(_path: &Path, meta: &std::fs::Metadata) -> (u64, u64, PathBuf) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino(), PathBuf::new())
}

/// What tells one file from another: the path it resolves to.
#[cfg(windows)]
fn file_identity(path: &Path, _meta: &std::fs::Metadata) -> (u64, u64, PathBuf) {
    let resolved = crate::fsutil::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    (0, 0, resolved)
}

/// Adds the certificates of the PEM file at `path` (at most
/// [`crate::fsutil::MAX_CONFIG_BYTES`]) to `certs`. An unreadable file or a malformed
/// block is skipped, as OpenSSL skips it.
fn read_pem_file(path: &Path, certs: &mut Vec<Vec<u8>>) {
    if let Ok(Some(pem)) = crate::fsutil::read_regular(path, crate::fsutil::MAX_CONFIG_BYTES)
        && let Ok(found) = pem_certificates(&pem)
    {
        certs.extend(found);
    }
}

/// Adds the certificates of every file in `dirs` to `certs`, each file read once however
/// many names it has (`c_rehash` links every root under its hash).
fn read_folders(dirs: &[PathBuf], certs: &mut Vec<Vec<u8>>) {
    let mut seen = HashSet::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_file() && seen.insert(file_identity(&path, &meta)) {
                read_pem_file(&path, certs);
            }
        }
    }
}

/// Every root [`root_sources`] names, the folders' included, sorted and without
/// duplicates (`None`: the platform's verifier decides).
#[cfg(all(test, unix, not(target_vendor = "apple")))]
fn all_roots(file: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    let (mut certs, dirs) = root_sources(file)?;
    read_folders(&dirs, &mut certs);
    certs.sort_unstable();
    certs.dedup();
    Some(certs)
}

/// The TLS configuration of the toolkit's own HTTPS client: the roots of
/// [`root_sources`] (`file`: SSL_CERT_FILE's certificates, when it is set) that parse,
/// plus every one of `extra` (which must parse). `None` where the platform's verifier
/// decides (macOS, Windows, when neither SSL_CERT_FILE nor SSL_CERT_DIR is set).
///
/// As OpenSSL looks in its certificate folder only for an issuer its bundle lacks, the
/// folders are read only when a server's chain does not verify against the bundle: the
/// same roots are trusted, and a cold command does not read some 300 files it does
/// not need.
pub(crate) fn client_config(
    file: Option<Vec<Vec<u8>>>,
    extra: Vec<Vec<u8>>,
) -> Option<Result<rustls::ClientConfig, String>> {
    let (roots, dirs) = root_sources(file)?;
    let mut store = rustls::RootCertStore::empty();
    store.add_parsable_certificates(roots.into_iter().map(CertificateDer::from));
    for (i, der) in extra.into_iter().enumerate() {
        if let Err(e) = store.add(CertificateDer::from(der)) {
            return Some(Err(format!("certificate {} cannot be used: {e}", i + 1)));
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = match rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
    {
        Ok(builder) => builder,
        Err(e) => return Some(Err(e.to_string())),
    };
    if store.is_empty() || dirs.is_empty() {
        // Nothing to put off: everything is read already, or must be now.
        let mut all = Vec::new();
        read_folders(&dirs, &mut all);
        store.add_parsable_certificates(all.into_iter().map(CertificateDer::from));
        return Some(Ok(builder
            .with_root_certificates(store)
            .with_no_client_auth()));
    }
    let verifier = match FoldersOnMiss::new(store, dirs, provider) {
        Ok(verifier) => verifier,
        Err(e) => return Some(Err(e)),
    };
    Some(Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth()))
}

/// Verifies against the bundle's roots; when that fails, reads the certificate folders
/// (once) and verifies against the bundle's and the folders' roots together. The
/// verdict is always the one over all the roots, as if they had been read first.
#[derive(Debug)]
struct FoldersOnMiss {
    first: Arc<WebPkiServerVerifier>,
    roots: rustls::RootCertStore,
    dirs: Vec<PathBuf>,
    provider: Arc<CryptoProvider>,
    all: OnceLock<Option<Arc<WebPkiServerVerifier>>>,
}

impl FoldersOnMiss {
    fn new(
        roots: rustls::RootCertStore,
        dirs: Vec<PathBuf>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, String> {
        let first =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots.clone()), provider.clone())
                .build()
                .map_err(|e| e.to_string())?;
        Ok(Self {
            first,
            roots,
            dirs,
            provider,
            all: OnceLock::new(),
        })
    }

    /// The verifier over the bundle's and the folders' roots; `None` when the folders
    /// add none.
    fn with_folders(&self) -> Option<&Arc<WebPkiServerVerifier>> {
        self.all
            .get_or_init(|| {
                let mut found = Vec::new();
                read_folders(&self.dirs, &mut found);
                let mut roots = self.roots.clone();
                let before = roots.len();
                roots.add_parsable_certificates(found.into_iter().map(CertificateDer::from));
                if roots.len() == before {
                    return None;
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

impl ServerCertVerifier for FoldersOnMiss {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.first.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        // More roots can only add paths: a chain the bundle verifies, the bundle and the
        // folders verify too, so only a failure is worth a second look (whatever it
        // says: a root of the same name but another key answers BadSignature).
        if verdict.is_ok() {
            return verdict;
        }
        match self.with_folders() {
            Some(all) => {
                all.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => verdict,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.first.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.first.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.first.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same certificates as the general-purpose PEM reader finds, from the same
    /// text, text around and between them included.
    #[test]
    fn pem_certificates_match_the_reference_reader() {
        use rustls::pki_types::pem::PemObject;
        let one = "MIIBszCCAVmgAwIBAgIUQ5Y3ZGbLJ9HT9rFq9yCUFKqHjA0wCgYIKoZIzj0EAwIw\nFTETMBEGA1UEAwwKdGVzdC1yb290MB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAw\n";
        let text = format!("# a comment\n{BEGIN}\n{one}{END}\ntrailing\n{BEGIN}\r\n{one}{END}\n");
        let ours = pem_certificates(text.as_bytes()).unwrap();
        let reference: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(text.as_bytes())
            .map(|c| c.unwrap().as_ref().to_vec())
            .collect();
        assert_eq!(ours, reference);
        assert_eq!(ours.len(), 2);
        assert!(
            pem_certificates(b"no certificates here")
                .unwrap()
                .is_empty()
        );
        assert!(pem_certificates(format!("{BEGIN}\n!!!\n{END}\n").as_bytes()).is_err());
        assert!(pem_certificates(format!("{BEGIN}\n{one}").as_bytes()).is_err());
    }

    /// The system's roots read here are the ones `rustls-native-certs` reads.
    #[cfg(all(unix, not(target_vendor = "apple")))]
    #[test]
    fn system_roots_are_the_native_roots() {
        let file = crate::tls::bundle(crate::env::SSL_CERT_FILE).unwrap();
        let ours = all_roots(file).expect("the distribution's roots");
        let mut native: Vec<Vec<u8>> = rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .map(|c| c.as_ref().to_vec())
            .collect();
        native.sort_unstable();
        native.dedup();
        assert_eq!(ours.len(), native.len());
        assert!(ours == native, "the same roots");
    }
}
