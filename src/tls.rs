//! The certificates the toolkit's own HTTPS client trusts (the registry's token
//! endpoint, secure APIs), read cheaply: a cold command pays for them once.
//!
//! The roots are what OpenSSL (and `rustls-native-certs`) would load: `SSL_CERT_FILE`
//! and the folders in `SSL_CERT_DIR` when either is set (on every system: they replace
//! the default roots, as with OpenSSL), else on Linux and the BSDs the distribution's
//! bundle and folder. They are decoded here with a vectorised base64 decoder: the
//! general-purpose PEM reader decodes in constant time, as key material needs, and spent
//! some 2 ms of a 4 ms cold `get` on the 140-odd public roots. Otherwise, on macOS and
//! Windows, the platform's own verifier (the keychain, the certificate store) decides.
//! `AWS_CA_BUNDLE` always adds to the roots; a bundle that cannot be read, or holds no
//! certificate, is an error that names it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

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
/// OpenSSL ignores it; a block whose base64 does not decode is an error.
pub(crate) fn pem_certificates(text: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let text = String::from_utf8_lossy(text);
    let mut certs = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find(BEGIN) {
        let body = &rest[start + BEGIN.len()..];
        let Some(end) = body.find(END) else {
            return Err(format!("certificate {} has no {END} line", certs.len() + 1));
        };
        let b64: String = body[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = aws_smithy_types::base64::decode(&b64)
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

/// Where the roots are: `SSL_CERT_FILE` and `SSL_CERT_DIR` when either is set (the file
/// replaces the default bundle, as with OpenSSL), else what OpenSSL's build on this
/// distribution uses; `None` where the platform's verifier decides (macOS, Windows).
fn root_paths() -> Option<(Option<PathBuf>, Vec<PathBuf>)> {
    let file = crate::env::var(crate::env::SSL_CERT_FILE).map(PathBuf::from);
    let dirs: Vec<PathBuf> = crate::env::var(crate::env::SSL_CERT_DIR)
        .map(|d| {
            std::env::split_paths(&d)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if file.is_some() || !dirs.is_empty() {
        return Some((file, dirs));
    }
    probed_paths()
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

/// The roots of [`root_paths`] (`None`: the platform's verifier decides), each file read
/// once however many names it has (`c_rehash` links every root under its hash), at most
/// [`crate::fsutil::MAX_CONFIG_BYTES`] each. Unreadable files and malformed blocks are
/// skipped, as OpenSSL skips them.
pub(crate) fn roots() -> Option<Vec<Vec<u8>>> {
    let (file, dirs) = root_paths()?;
    let mut seen = HashSet::new();
    let mut certs = Vec::new();
    let mut read = |path: &Path| {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if !meta.is_file() {
            return;
        }
        // Several names of one file (links) are read once.
        if !seen.insert(file_identity(path, &meta)) {
            return;
        }
        if let Ok(Some(pem)) = crate::fsutil::read_regular(path, crate::fsutil::MAX_CONFIG_BYTES)
            && let Ok(found) = pem_certificates(&pem)
        {
            certs.extend(found);
        }
    };
    if let Some(file) = &file {
        read(file);
    }
    for dir in &dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            read(&path);
        }
    }
    certs.sort_unstable();
    certs.dedup();
    Some(certs)
}

/// The TLS configuration of the toolkit's own HTTPS client: the [`roots`] that parse,
/// plus every one of `extra` (which must parse). `None` where the platform's verifier
/// decides (macOS, Windows, when neither SSL_CERT_FILE nor SSL_CERT_DIR is set).
pub(crate) fn client_config(extra: Vec<Vec<u8>>) -> Option<Result<rustls::ClientConfig, String>> {
    use rustls::pki_types::CertificateDer;
    let mut store = rustls::RootCertStore::empty();
    store.add_parsable_certificates(roots()?.into_iter().map(CertificateDer::from));
    for (i, der) in extra.into_iter().enumerate() {
        if let Err(e) = store.add(CertificateDer::from(der)) {
            return Some(Err(format!("certificate {} cannot be used: {e}", i + 1)));
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(store).with_no_client_auth())
        .map_err(|e| e.to_string());
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same certificates as the general-purpose PEM reader finds, from the same
    /// text, text around and between them included.
    #[test]
    fn pem_certificates_match_the_reference_reader() {
        use rustls::pki_types::CertificateDer;
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
        let ours = roots().expect("the distribution's roots");
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
