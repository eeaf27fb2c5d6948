//! Checkpoints: a verified head to keep and verify against later.
//!
//! Two forms. The JSON one `immukv checkpoint` prints by default (unsigned). And a
//! signed note, as Go's checksum database and Rekor sign their heads: a text body
//! naming the store, the sequence, the log version, the hash and the time, a blank
//! line, then one signature line made by a KMS asymmetric key:
//!
//! ```text
//! immukv checkpoint v1
//! store s3://my-bucket/app/
//! sequence 29
//! version 3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrH
//! hash sha256:9f2c...
//! time 2026-11-30T19:00:00Z
//!
//! — arn:aws:kms:eu-west-1:111122223333:key/1234abcd-... ECDSA_SHA_256 MEUCIQ...
//! ```
//!
//! The signature covers the body's bytes up to and including its last newline,
//! signed as a RAW message: ECDSA_SHA_256 for ECC_NIST_P256 keys, RSASSA_PSS_SHA_256
//! for RSA keys. It verifies offline with the key's public half (`aws kms
//! get-public-key`), or online with KMS Verify. Bytes outside printable ASCII (and
//! `%`) in the bucket, prefix and version are percent-encoded.
//!
//! A checkpoint is kept in a file or in an SSM parameter (the contract between stacks),
//! which a put only moves forward.

use aws_lc_rs::signature::{self as sig, RsaPssSaltLength, UnparsedPublicKey};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, MessageType, SigningAlgorithmSpec};
use serde::{Deserialize, Serialize};

use super::head::{Head, StoreId};
use crate::aws::kms::KmsKeyId;
use crate::aws::{AwsError, sdk_error};

/// The first line of a signed note.
const NOTE_HEADER: &str = "immukv checkpoint v1";
/// What starts the signature line.
const SIGNATURE_MARK: &str = "\u{2014} ";
/// The most a checkpoint (a file, a parameter) may be: a note with an RSA-4096
/// signature is under 1 KiB.
pub(crate) const MAX_CHECKPOINT_BYTES: u64 = 64 * 1024;

/// RSA-PSS as KMS signs it (a salt as long as the digest), and with the longest salt
/// (what other signers, the emulator among them, use): either is a valid PSS signature.
const RSA_PSS_MAX_SALT: sig::RsaParameters =
    sig::RSA_PSS_2048_8192_SHA256.with_pss_salt_length(RsaPssSaltLength::Max);

/// What `immukv checkpoint` prints and `verify --checkpoint` trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    pub(crate) store: StoreId,
    #[serde(flatten)]
    pub(crate) head: Head,
}

/// How a checkpoint is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    EcdsaSha256,
    RsaPssSha256,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::EcdsaSha256 => "ECDSA_SHA_256",
            Algorithm::RsaPssSha256 => "RSASSA_PSS_SHA_256",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "ECDSA_SHA_256" => Some(Algorithm::EcdsaSha256),
            "RSASSA_PSS_SHA_256" => Some(Algorithm::RsaPssSha256),
            _ => None,
        }
    }

    /// The algorithm for a KMS key of `spec`.
    fn for_key(spec: &KeySpec) -> Option<Self> {
        match spec {
            KeySpec::EccNistP256 => Some(Algorithm::EcdsaSha256),
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => Some(Algorithm::RsaPssSha256),
            _ => None,
        }
    }

    fn kms(self) -> SigningAlgorithmSpec {
        match self {
            Algorithm::EcdsaSha256 => SigningAlgorithmSpec::EcdsaSha256,
            Algorithm::RsaPssSha256 => SigningAlgorithmSpec::RsassaPssSha256,
        }
    }
}

/// A signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// The key that signed, as KMS names it (its ARN).
    pub(crate) key: String,
    pub(crate) algorithm: Algorithm,
    pub(crate) bytes: Vec<u8>,
}

/// A checkpoint as read: what it says, and, for a signed note, the signed text and its
/// signature.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) checkpoint: Checkpoint,
    pub(crate) signed: Option<(String, Signature)>,
    /// The text as read, for evidence.
    pub(crate) text: String,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckpointError {
    #[error("{source_name} is not a checkpoint written by `immukv checkpoint` ({reason})")]
    Malformed { source_name: String, reason: String },
    #[error(
        "{source_name} is not signed: a checkpoint verified against a key must come from `immukv checkpoint --sign KEY`"
    )]
    Unsigned { source_name: String },
    #[error(
        "the signature of {source_name} does not verify {against}: it was not signed by that key, or was changed"
    )]
    BadSignature {
        source_name: String,
        against: String,
    },
    #[error(
        "{file} is not a public key ({reason}): save the one `aws kms get-public-key` returns, as PEM or DER"
    )]
    BadPublicKey { file: String, reason: String },
    #[error(
        "KMS key {key} is a {spec} key: sign checkpoints with an asymmetric SIGN_VERIFY key of spec ECC_NIST_P256 or RSA_2048/3072/4096"
    )]
    KeySpec { key: String, spec: String },
    #[error(
        "there is no checkpoint at ssm:{name}: put one there first with `immukv checkpoint --put ssm:{name}`"
    )]
    NoParameter { name: String },
    #[error(
        "another checkpoint, at sequence {theirs}, was put at ssm:{name} while this one (sequence {ours}) was; \
         the parameter keeps the newer one: run again to check against it"
    )]
    Overtaken {
        name: String,
        ours: i64,
        theirs: i64,
    },
    #[error(
        "another checkpoint was put at ssm:{name} at the same time as this one: run again to check against it"
    )]
    Raced { name: String },
    #[error(
        "ssm:{name} holds a signed checkpoint: this unsigned one would replace it, and `verify --signed-by` \
         would then fail; pass --sign KEY, or --force to put it unsigned. Nothing was put"
    )]
    WouldUnsign { name: String },
    #[error("the store is empty: there is no head to checkpoint")]
    EmptyStore,
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// Bytes outside printable ASCII, space and `%` as `%XX`: a token with no spaces.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(token: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(token)
        .decode_utf8()
        .map(|t| t.into_owned())
        .map_err(|_| format!("{token:?} is not UTF-8 once decoded"))
}

impl Checkpoint {
    /// The signed note's body, ending in a newline.
    pub(crate) fn note_body(&self) -> String {
        format!(
            "{NOTE_HEADER}\nstore s3://{}/{}\nsequence {}\nversion {}\nhash {}\ntime {}\n",
            encode(&self.store.bucket),
            encode(&self.store.prefix),
            self.head.sequence,
            encode(&self.head.log_version_id),
            encode(&self.head.hash),
            self.head.verified_at,
        )
    }

    /// The note: the body, a blank line, the signature line.
    pub(crate) fn signed_note(&self, signature: &Signature) -> String {
        format!(
            "{}\n{SIGNATURE_MARK}{} {} {}\n",
            self.note_body(),
            signature.key,
            signature.algorithm.name(),
            aws_smithy_types::base64::encode(&signature.bytes)
        )
    }

    /// The JSON form, pretty, without a signature.
    pub(crate) fn to_json(&self) -> Result<String, serde_json::Error> {
        crate::output::pretty_json(self)
    }

    /// Read either form; `source_name` names it in messages.
    pub(crate) fn parse(bytes: &[u8], source_name: &str) -> Result<Loaded, CheckpointError> {
        let malformed = |reason: String| CheckpointError::Malformed {
            source_name: source_name.to_owned(),
            reason,
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| malformed("not UTF-8".into()))?
            .to_owned();
        if text.trim_start().starts_with('{') {
            let checkpoint = serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
            return Ok(Loaded {
                checkpoint,
                signed: None,
                text,
            });
        }
        let (checkpoint, signed) = parse_note(&text).map_err(malformed)?;
        Ok(Loaded {
            checkpoint,
            signed,
            text,
        })
    }
}

/// A signed note (its signature may be missing).
fn parse_note(text: &str) -> Result<(Checkpoint, Option<(String, Signature)>), String> {
    let (body, rest) = match text.find("\n\n") {
        Some(i) => (&text[..=i], &text[i + 2..]),
        None => (text, ""),
    };
    let mut lines = body.lines();
    match lines.next() {
        Some(NOTE_HEADER) => {}
        other => {
            return Err(format!(
                "it starts with {:?}, not {NOTE_HEADER:?}",
                truncate(other.unwrap_or(""))
            ));
        }
    }
    let store = field(&mut lines, "store")?;
    let (bucket, prefix) = store
        .strip_prefix("s3://")
        .and_then(|s| s.split_once('/'))
        .ok_or(format!(
            "the store {:?} is not s3://BUCKET/PREFIX",
            truncate(store)
        ))?;
    let sequence = field(&mut lines, "sequence")?
        .parse::<i64>()
        .map_err(|_| "the sequence is not a number".to_owned())?;
    let version = decode(field(&mut lines, "version")?)?;
    let hash = decode(field(&mut lines, "hash")?)?;
    let time = field(&mut lines, "time")?;
    crate::time::parse_instant(time).map_err(|_| format!("the time {time:?} is not RFC 3339"))?;
    if lines.next().is_some() {
        return Err("more lines than a checkpoint has".into());
    }
    let checkpoint = Checkpoint {
        store: StoreId {
            endpoint: String::new(),
            bucket: decode(bucket)?,
            prefix: decode(prefix)?,
        },
        head: Head {
            sequence,
            log_version_id: version,
            hash,
            verified_at: time.to_owned(),
        },
    };
    let signature = match rest.trim_end_matches('\n') {
        "" => None,
        line => Some(parse_signature(line)?),
    };
    Ok((checkpoint, signature.map(|s| (body.to_owned(), s))))
}

/// The value of the next line, which must be `NAME VALUE`.
fn field<'a>(lines: &mut std::str::Lines<'a>, name: &str) -> Result<&'a str, String> {
    let line = lines.next().ok_or(format!("no {name} line"))?;
    line.strip_prefix(name)
        .and_then(|v| v.strip_prefix(' '))
        .ok_or(format!(
            "expected a {name} line, found {:?}",
            truncate(line)
        ))
}

fn truncate(line: &str) -> String {
    line.chars().take(40).collect()
}

fn parse_signature(line: &str) -> Result<Signature, String> {
    let rest = line
        .strip_prefix(SIGNATURE_MARK)
        .ok_or("the line after the blank one is not a signature line")?;
    let mut parts = rest.split(' ');
    let (Some(key), Some(algorithm), Some(b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the signature line is not `— KEY ALGORITHM SIGNATURE`".into());
    };
    let algorithm = Algorithm::from_name(algorithm).ok_or(format!(
        "unknown signing algorithm {:?}",
        truncate(algorithm)
    ))?;
    let bytes = aws_smithy_types::base64::decode(b64)
        .map_err(|_| "the signature is not base64".to_owned())?;
    Ok(Signature {
        key: key.to_owned(),
        algorithm,
        bytes,
    })
}

impl Loaded {
    /// The signed text and its signature, or the error that there are none.
    fn signature(&self, source_name: &str) -> Result<(&str, &Signature), CheckpointError> {
        match &self.signed {
            Some((body, signature)) => Ok((body, signature)),
            None => Err(CheckpointError::Unsigned {
                source_name: source_name.to_owned(),
            }),
        }
    }

    /// Verify the signature offline against `public_key` (DER `SubjectPublicKeyInfo`,
    /// as KMS returns it), named `key_file` in messages.
    pub(crate) fn verify_offline(
        &self,
        source_name: &str,
        public_key: &[u8],
        key_file: &str,
    ) -> Result<(), CheckpointError> {
        let (body, signature) = self.signature(source_name)?;
        let ok = match signature.algorithm {
            Algorithm::EcdsaSha256 => {
                UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_ASN1, public_key)
                    .verify(body.as_bytes(), &signature.bytes)
                    .is_ok()
            }
            Algorithm::RsaPssSha256 => [&sig::RSA_PSS_2048_8192_SHA256, &RSA_PSS_MAX_SALT]
                .into_iter()
                .any(|alg| {
                    UnparsedPublicKey::new(alg, public_key)
                        .verify(body.as_bytes(), &signature.bytes)
                        .is_ok()
                }),
        };
        if ok {
            Ok(())
        } else {
            Err(CheckpointError::BadSignature {
                source_name: source_name.to_owned(),
                against: format!("against the public key in {key_file}"),
            })
        }
    }

    /// Verify the signature with KMS Verify, by `key`.
    pub(crate) async fn verify_with_kms(
        &self,
        source_name: &str,
        kms: &aws_sdk_kms::Client,
        key: &KmsKeyId,
    ) -> Result<(), CheckpointError> {
        let (body, signature) = self.signature(source_name)?;
        let bad = || CheckpointError::BadSignature {
            source_name: source_name.to_owned(),
            against: format!("with KMS key {}", key.as_str()),
        };
        let result = kms
            .verify()
            .key_id(key.as_str())
            .message(Blob::new(body.as_bytes()))
            .message_type(MessageType::Raw)
            .signature(Blob::new(signature.bytes.clone()))
            .signing_algorithm(signature.algorithm.kms())
            .send()
            .await;
        match result {
            Ok(out) if out.signature_valid() => Ok(()),
            Ok(_) => Err(bad()),
            // Refused as not made by this key: a wrong signature, or an algorithm or
            // usage the key does not have (it cannot have made this signature).
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_kms_invalid_signature_exception()
                        || s.is_invalid_key_usage_exception()
                        || aws_sdk_kms::error::ProvideErrorMetadata::code(s)
                            == Some("ValidationException")
                }) =>
            {
                Err(bad())
            }
            Err(e) => Err(sdk_error("KMS Verify", e).into()),
        }
    }
}

/// A KMS key that can sign checkpoints, and how.
#[derive(Debug, Clone)]
pub(crate) struct SigningKey {
    key: KmsKeyId,
    algorithm: Algorithm,
    /// Its ARN, as KMS names it.
    arn: Option<String>,
}

impl SigningKey {
    /// Look `key` up (GetPublicKey): refused unless it is an ECC_NIST_P256 or RSA key,
    /// before anything is verified or signed.
    pub(crate) async fn resolve(
        kms: &aws_sdk_kms::Client,
        key: &KmsKeyId,
    ) -> Result<Self, CheckpointError> {
        let public = kms
            .get_public_key()
            .key_id(key.as_str())
            .send()
            .await
            .map_err(|e| sdk_error("KMS GetPublicKey", e))?;
        // KeySpec, or the older name of the same field that some endpoints still send
        // alone.
        #[allow(deprecated)]
        let spec = public.key_spec().cloned().or_else(|| {
            public
                .customer_master_key_spec()
                .map(|s| KeySpec::from(s.as_str()))
        });
        let algorithm =
            spec.as_ref()
                .and_then(Algorithm::for_key)
                .ok_or_else(|| CheckpointError::KeySpec {
                    key: key.as_str().to_owned(),
                    spec: spec.as_ref().map_or("unknown", KeySpec::as_str).to_owned(),
                })?;
        Ok(Self {
            key: key.clone(),
            algorithm,
            arn: public.key_id().map(str::to_owned),
        })
    }

    /// Sign `checkpoint`: the note to keep.
    pub(crate) async fn sign(
        &self,
        kms: &aws_sdk_kms::Client,
        checkpoint: &Checkpoint,
    ) -> Result<String, CheckpointError> {
        let body = checkpoint.note_body();
        let out = kms
            .sign()
            .key_id(self.key.as_str())
            .message(Blob::new(body.as_bytes()))
            .message_type(MessageType::Raw)
            .signing_algorithm(self.algorithm.kms())
            .send()
            .await
            .map_err(|e| sdk_error("KMS Sign", e))?;
        let signature = Signature {
            key: out
                .key_id()
                .or(self.arn.as_deref())
                .unwrap_or(self.key.as_str())
                .to_owned(),
            algorithm: self.algorithm,
            bytes: out
                .signature()
                .map(|b| b.as_ref().to_vec())
                .unwrap_or_default(),
        };
        Ok(checkpoint.signed_note(&signature))
    }
}

/// A public key file: PEM (`-----BEGIN PUBLIC KEY-----`), the bare base64 that `aws
/// kms get-public-key --output text --query PublicKey` prints, or DER. The DER bytes.
pub(crate) fn public_key_der(bytes: &[u8]) -> Result<Vec<u8>, String> {
    // DER starts with a SEQUENCE tag; base64 and PEM text never do.
    if bytes.first() == Some(&0x30) {
        return Ok(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "neither PEM, base64 nor DER")?;
    let text = text.trim();
    let b64: String = if let Some(rest) = text.strip_prefix("-----BEGIN PUBLIC KEY-----") {
        rest.split("-----END PUBLIC KEY-----")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect()
    } else if text.starts_with("-----BEGIN") {
        return Err("a PEM file of another kind than PUBLIC KEY".into());
    } else {
        text.split_whitespace().collect()
    };
    let der = aws_smithy_types::base64::decode(&b64).map_err(|_| "neither PEM, base64 nor DER")?;
    Ok(der)
}

/// The largest public key file read: an RSA-4096 key in PEM is under 1 KiB.
pub(crate) const MAX_PUBLIC_KEY_BYTES: u64 = 64 * 1024;

/// What kind of key DER `SubjectPublicKeyInfo` bytes hold: an EC or an RSA key, the
/// kinds KMS signs checkpoints with; anything else (nothing, junk, another algorithm)
/// says why it is not one.
pub(crate) fn check_public_key(der: &[u8]) -> Result<(), String> {
    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    if der.is_empty() {
        return Err("it is empty".into());
    }
    // SEQUENCE { SEQUENCE { OBJECT IDENTIFIER algorithm, ... }, BIT STRING key }
    let algorithm = der_inner(der, 0x30)
        .and_then(|spki| der_inner(spki, 0x30))
        .and_then(|id| der_inner(id, 0x06));
    match algorithm {
        Some(oid) if oid == EC || oid == RSA => Ok(()),
        Some(_) => Err("a key of another algorithm than EC or RSA".into()),
        None => Err("not a DER SubjectPublicKeyInfo".into()),
    }
}

/// The contents of the DER element of type `tag` at the start of `der`.
fn der_inner(der: &[u8], tag: u8) -> Option<&[u8]> {
    let (&first, rest) = der.split_first()?;
    if first != tag {
        return None;
    }
    let (&len, rest) = rest.split_first()?;
    let (len, rest) = if len < 0x80 {
        (usize::from(len), rest)
    } else {
        let n = usize::from(len & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    rest.get(..len)
}

/// Puts of a checkpoint tried while SSM answers TooManyUpdates.
const PUT_ATTEMPTS: u32 = 5;

/// Put `text`, the checkpoint `ours`, in the SSM parameter `name`, which was at
/// `version` (`None`: it did not exist) when `ours` was verified against it. SSM has
/// no conditional put: the version the put answers with tells whether another put
/// landed in between; if one did with a newer checkpoint, that one is put back, so the
/// parameter never moves backwards.
pub(crate) async fn put_parameter(
    aws: &crate::aws::Aws,
    name: &str,
    text: &str,
    ours: &Checkpoint,
    version: Option<i64>,
) -> Result<(), CheckpointError> {
    use aws_sdk_ssm::types::{ParameterTier, ParameterType};
    let ssm = aws.ssm().await?;
    let put = |overwrite: bool, value: String| {
        ssm.put_parameter()
            .name(name)
            .value(value)
            .r#type(ParameterType::String)
            .tier(ParameterTier::Standard)
            .overwrite(overwrite)
            .send()
    };
    let mut attempt = 0;
    let landed = loop {
        attempt += 1;
        match put(version.is_some(), text.to_owned()).await {
            Ok(out) => break out.version(),
            // Another update of the parameter in flight (SSM's 409): not carried out.
            Err(e)
                if attempt < PUT_ATTEMPTS
                    && e.as_service_error()
                        .is_some_and(|s| s.is_too_many_updates()) =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(
                    crate::time::random_u64() % (100 << attempt),
                ))
                .await;
            }
            // Created by someone else -- or by this very put, whose answer was lost
            // and which the SDK then sent again: what is there decides.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_parameter_already_exists()) =>
            {
                return match aws.parameter(name).await? {
                    Some(there) if there.value.expose() == text => Ok(()),
                    _ => Err(CheckpointError::Raced {
                        name: name.to_owned(),
                    }),
                };
            }
            Err(e) => return Err(sdk_error("SSM PutParameter", e).into()),
        }
    };
    let expected = version.map_or(1, |v| v + 1);
    if landed == expected {
        return Ok(());
    }
    // Others put between the read and this put: the newest of theirs wins if it is
    // ahead of ours.
    let mut newest: Option<(i64, String)> = None;
    let mut pages = ssm
        .get_parameter_history()
        .name(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error("SSM GetParameterHistory", e))?;
        for p in page.parameters() {
            if !(expected..landed).contains(&p.version()) {
                continue;
            }
            let value = p.value().unwrap_or_default();
            if let Ok(theirs) = Checkpoint::parse(value.as_bytes(), name)
                && theirs.checkpoint.store.same_store(&ours.store)
                && newest
                    .as_ref()
                    .is_none_or(|(s, _)| theirs.checkpoint.head.sequence > *s)
            {
                newest = Some((theirs.checkpoint.head.sequence, value.to_owned()));
            }
        }
    }
    match newest {
        Some((theirs, value)) if theirs > ours.head.sequence => {
            put(true, value)
                .await
                .map_err(|e| sdk_error("SSM PutParameter", e))?;
            Err(CheckpointError::Overtaken {
                name: name.to_owned(),
                ours: ours.head.sequence,
                theirs,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            store: StoreId {
                endpoint: "http://127.0.0.1:1".into(),
                bucket: "my-bucket".into(),
                prefix: "app/ 100%\n".into(),
            },
            head: Head {
                sequence: 29,
                log_version_id: "3HL4kq+x/y".into(),
                hash: "sha256:ab12".into(),
                verified_at: "2026-11-30T19:00:00Z".into(),
            },
        }
    }

    #[test]
    fn a_note_names_the_store_and_head_and_reads_back() {
        let c = checkpoint();
        let body = c.note_body();
        assert_eq!(
            body,
            "immukv checkpoint v1\nstore s3://my-bucket/app/%20100%25%0A\nsequence 29\n\
             version 3HL4kq+x/y\nhash sha256:ab12\ntime 2026-11-30T19:00:00Z\n"
        );
        let signature = Signature {
            key: "arn:aws:kms:eu-west-1:111122223333:key/k".into(),
            algorithm: Algorithm::EcdsaSha256,
            bytes: vec![1, 2, 3],
        };
        let note = c.signed_note(&signature);
        assert!(note.ends_with(
            "\n\n\u{2014} arn:aws:kms:eu-west-1:111122223333:key/k ECDSA_SHA_256 AQID\n"
        ));
        let loaded = Checkpoint::parse(note.as_bytes(), "cp").unwrap();
        // The endpoint is not part of a store's identity.
        assert!(loaded.checkpoint.store.same_store(&c.store));
        assert_eq!(loaded.checkpoint.head, c.head);
        assert_eq!(loaded.signed, Some((body.clone(), signature)));
        // Unsigned notes read too; they have no signature to verify.
        let unsigned = Checkpoint::parse(body.as_bytes(), "cp").unwrap();
        assert!(unsigned.signed.is_none());
        assert!(matches!(
            unsigned.verify_offline("cp", b"", "key.pem"),
            Err(CheckpointError::Unsigned { .. })
        ));
        // JSON checkpoints from earlier versions still read.
        let json = Checkpoint::parse(c.to_json().unwrap().as_bytes(), "cp").unwrap();
        assert_eq!(json.checkpoint, c);
    }

    #[test]
    fn malformed_notes_are_refused() {
        let body = checkpoint().note_body();
        for (bad, why) in [
            (body.replace("v1", "v2"), "starts with"),
            (body.replace("sequence 29", "sequence x"), "not a number"),
            (body.replace("store ", "stor "), "expected a store line"),
            (
                body.replace("time 2026-11-30T19:00:00Z", "time soon"),
                "not RFC 3339",
            ),
            (
                format!("{body}\n\u{2014} k RSA_SHA1 AQID\n"),
                "unknown signing algorithm",
            ),
            (
                format!("{body}\n\u{2014} k ECDSA_SHA_256 !!\n"),
                "not base64",
            ),
            (format!("{body}\nnot a signature\n"), "not a signature line"),
            (format!("{body}extra line\n"), "more lines"),
        ] {
            let e = Checkpoint::parse(bad.as_bytes(), "cp.txt")
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("cp.txt is not a checkpoint") && e.contains(why),
                "{why}: {e}"
            );
        }
    }

    #[test]
    fn public_keys_in_every_form_kms_hands_out() {
        let der = vec![0x30, 0x59, 0x30, 0x13];
        let b64 = aws_smithy_types::base64::encode(&der);
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
        assert_eq!(public_key_der(pem.as_bytes()).unwrap(), der);
        assert_eq!(public_key_der(format!("{b64}\n").as_bytes()).unwrap(), der);
        assert_eq!(public_key_der(&der).unwrap(), der);
        assert!(public_key_der(b"-----BEGIN CERTIFICATE-----\nAA==\n").is_err());
    }
}
