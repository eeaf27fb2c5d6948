//! Putting a module archive into its bucket: one PutObject (a multipart upload's
//! SHA-256 is a checksum of checksums, never the archive's) carrying the archive's
//! SHA-256, so S3 checks the body and stores the checksum the registry reads back on
//! every download, and `If-None-Match: *`, so nothing is ever overwritten: a 412 means
//! an object is there already, and it is ours when its stored checksum is.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode};
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;

use super::error::ModulesError;
use super::pack::Archive;
use crate::aws::sdk_error;
use crate::tally::Tally;

/// What the upload found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Uploaded {
    /// The object is new.
    New,
    /// The object was there already, with this archive's SHA-256.
    AlreadyThere,
}

/// Conflicting writes in flight (S3's 409) are waited out this many times.
const MAX_ATTEMPTS: u32 = 10;

/// A file as a request body, read in chunks as it is sent, each counted.
struct FileBody {
    file: Option<std::fs::File>,
    error: Option<std::io::Error>,
    left: u64,
    tally: Arc<dyn Tally + Send + Sync>,
}

impl FileBody {
    fn open(path: &Path, size: u64, tally: Arc<dyn Tally + Send + Sync>) -> Self {
        match std::fs::File::open(path) {
            Ok(file) => Self {
                file: Some(file),
                error: None,
                left: size,
                tally,
            },
            Err(e) => Self {
                file: None,
                error: Some(e),
                left: size,
                tally,
            },
        }
    }
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        use std::io::Read;
        if let Some(e) = self.error.take() {
            return Poll::Ready(Some(Err(e)));
        }
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let want = self.left.min(256 * 1024) as usize;
        let mut buf = vec![0u8; want];
        let Some(file) = self.file.as_mut() else {
            return Poll::Ready(None);
        };
        // A local file: reading it is quick, and the archive was just written.
        match file.read(&mut buf) {
            Ok(0) => Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the archive got shorter while it was sent",
            )))),
            Ok(n) => {
                buf.truncate(n);
                self.left -= n as u64;
                self.tally.done(n as u64);
                Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(buf)))))
            }
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// Put the archive at `path` (what `archive` describes) as `bucket`/`key`, unless an
/// object is there: then it must hold this archive (its stored SHA-256 says so), or
/// nothing changes.
pub(crate) async fn upload(
    s3: &Client,
    bucket: &str,
    key: &str,
    path: &Path,
    archive: &Archive,
    tally: Arc<dyn Tally + Send + Sync>,
) -> Result<Uploaded, ModulesError> {
    let checksum = archive.sha256_base64();
    tally.total(archive.size);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (path, size, tally_for_body): (PathBuf, u64, _) =
            (path.to_owned(), archive.size, tally.clone());
        let body = SdkBody::retryable(move || {
            SdkBody::from_body_1_x(FileBody::open(&path, size, tally_for_body.clone()))
        });
        let result = s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::new(body))
            .content_length(archive.size as i64)
            .content_type("application/gzip")
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_sha256(&checksum)
            .if_none_match("*")
            .send()
            .await;
        let e = match result {
            Ok(_) => return Ok(Uploaded::New),
            Err(e) => e,
        };
        let status = e.raw_response().map(|r| r.status().as_u16());
        match status {
            Some(412) => {
                return match stored_checksum(s3, bucket, key).await? {
                    Some(theirs) if theirs == checksum => Ok(Uploaded::AlreadyThere),
                    theirs => Err(ModulesError::ObjectTaken {
                        bucket: bucket.to_owned(),
                        key: key.to_owned(),
                        theirs: theirs.unwrap_or_else(|| "none".to_owned()),
                    }),
                };
            }
            Some(409) if attempt < MAX_ATTEMPTS => {
                tokio::time::sleep(crate::time::backoff(attempt)).await;
            }
            _ => return Err(bucket_error(bucket, sdk_error("S3 PutObject", e))),
        }
    }
}

/// The SHA-256 S3 stores for `bucket`/`key` (base64): what the registry reads back
/// (with GetObjectAttributes) on every download, asked with HeadObject, which needs no
/// permission beyond reading the object.
pub(crate) async fn stored_checksum(
    s3: &Client,
    bucket: &str,
    key: &str,
) -> Result<Option<String>, ModulesError> {
    let out = s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .map_err(|e| bucket_error(bucket, sdk_error("S3 HeadObject", e)))?;
    Ok(out.checksum_sha256().map(str::to_owned))
}

/// Delete `bucket`/`key`.
pub(crate) async fn delete(s3: &Client, bucket: &str, key: &str) -> Result<(), ModulesError> {
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| bucket_error(bucket, sdk_error("S3 DeleteObject", e)))?;
    Ok(())
}

/// A missing bucket, named.
fn bucket_error(bucket: &str, e: crate::aws::AwsError) -> ModulesError {
    match &e {
        crate::aws::AwsError::Service { code, .. } if code == "NoSuchBucket" => {
            ModulesError::NoBucket {
                bucket: bucket.to_owned(),
            }
        }
        _ => ModulesError::Aws(e),
    }
}
