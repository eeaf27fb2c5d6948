//! The object layer: GET, PUT and HEAD of one object (a version of it), the version and
//! key listings, and what a failed call meant.

use std::borrow::Cow;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::EncodingType;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use futures_util::stream::{self, Stream, TryStreamExt};

use super::model::{MAX_OBJECT_BYTES, Store, StoreError, describe};
use crate::aws::{AwsError, sdk_error};
use crate::immukv::entry::LogEntry;
use crate::immukv::retention::{Filter, LifecycleRule, Retention, Rules};

/// One version of an object, as the version listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedVersion {
    pub(crate) id: String,
    /// S3's own time of the write (Unix milliseconds): when the version before this one
    /// became noncurrent.
    pub(crate) last_modified_ms: Option<i64>,
}

/// What reading a bucket's lifecycle configuration found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    /// Its rules.
    Rules(Vec<LifecycleRule>),
    /// The bucket has no lifecycle configuration.
    None,
    /// These credentials may not read it (the construct's policies do not grant
    /// `s3:GetLifecycleConfiguration`).
    Denied,
}

impl Lifecycle {
    /// The rules as [`Rules::for_object`] takes them: none on a bucket without a configuration, `None` when they could not
    /// be read.
    fn rules(&self) -> Option<&[LifecycleRule]> {
        match self {
            Lifecycle::Rules(rules) => Some(rules),
            Lifecycle::None => Some(&[]),
            Lifecycle::Denied => None,
        }
    }
}

/// What a failed S3 call meant.
pub(super) enum S3Failure {
    NotFound,
    /// 304 to a conditional GET: the object is as it was.
    NotModified,
    Denied,
    PreconditionFailed,
    Conflict,
    NoSuchBucket,
    Other(AwsError),
}

pub(super) fn classify<E>(op: &'static str, err: SdkError<E, Response>) -> S3Failure
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let raw = service.raw();
        let code = service.err().code().unwrap_or("");
        if code == "NoSuchBucket" {
            return S3Failure::NoSuchBucket;
        }
        match raw.status().as_u16() {
            304 => return S3Failure::NotModified,
            404 => return S3Failure::NotFound,
            403 => return S3Failure::Denied,
            412 => return S3Failure::PreconditionFailed,
            409 => return S3Failure::Conflict,
            _ => {}
        }
    }
    S3Failure::Other(sdk_error(op, err))
}

/// One fetched object.
pub(super) struct Fetched {
    pub(super) body: Vec<u8>,
    /// S3's `LastModified`, Unix milliseconds.
    pub(super) last_modified_ms: Option<i64>,
    pub(super) etag: Option<String>,
    pub(super) version_id: Option<String>,
}

pub(super) enum LogState {
    Empty,
    /// The log has versions (after a 404: another writer just created it).
    Present,
    Deleted {
        newest: Option<String>,
    },
}

impl Store {
    /// An entry as S3 returned it, named where it was read from when it is not one.
    pub(super) fn parse(&self, object: &str, fetched: &Fetched) -> Result<LogEntry, StoreError> {
        let mut entry =
            LogEntry::parse(&fetched.body, fetched.version_id.clone()).map_err(|e| {
                StoreError::Malformed {
                    object: describe(object, fetched.version_id.as_deref()),
                    reason: e.0,
                }
            })?;
        entry.stored_ms = fetched.last_modified_ms;
        Ok(entry)
    }

    /// A failure of a read or a listing of `what`.
    pub(super) fn read_error(
        &self,
        what: &str,
        operation: &'static str,
        f: S3Failure,
    ) -> StoreError {
        match f {
            S3Failure::NoSuchBucket => StoreError::NoSuchBucket(self.id.bucket.clone()),
            S3Failure::Other(e) => StoreError::Aws(e),
            S3Failure::Denied => StoreError::AccessDenied(what.to_owned()),
            S3Failure::NotFound
            | S3Failure::NotModified
            | S3Failure::PreconditionFailed
            | S3Failure::Conflict => StoreError::UnexpectedAnswer {
                operation,
                what: "a conditional-request error to an unconditional request",
            },
        }
    }

    /// GET an object (a version of it); `Ok(None)` when missing. Under the construct's
    /// least-privilege policies a missing object can answer 403, so that is missing too.
    pub(super) async fn get(
        &self,
        object: &str,
        version: Option<&str>,
    ) -> Result<Result<Fetched, S3Failure>, StoreError> {
        self.get_unless(object, version, None).await
    }

    /// [`Store::get`], conditional on the ETag no longer being `unless` (a 304 is
    /// [`S3Failure::NotModified`]).
    pub(super) async fn get_unless(
        &self,
        object: &str,
        version: Option<&str>,
        unless: Option<&str>,
    ) -> Result<Result<Fetched, S3Failure>, StoreError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.id.bucket)
            .key(object)
            .set_version_id(version.map(str::to_owned))
            .set_if_none_match(unless.map(str::to_owned))
            .send()
            .await;
        match result {
            Ok(out) => {
                let etag = out.e_tag().map(str::to_owned);
                let version_id = out.version_id().map(str::to_owned);
                let last_modified_ms = out.last_modified().and_then(|t| t.to_millis().ok());
                let too_large = || StoreError::ObjectTooLarge {
                    object: object.to_owned(),
                };
                if out
                    .content_length()
                    .is_some_and(|n| u64::try_from(n).unwrap_or(0) > MAX_OBJECT_BYTES)
                {
                    return Err(too_large());
                }
                let mut stream = out.body;
                let mut body = Vec::new();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| {
                        StoreError::Aws(AwsError::Unreachable {
                            operation: "S3 GetObject",
                            reason: format!("reading {object}: {e}"),
                        })
                    })?;
                    if (body.len() + chunk.len()) as u64 > MAX_OBJECT_BYTES {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(Ok(Fetched {
                    body,
                    last_modified_ms,
                    etag,
                    version_id,
                }))
            }
            Err(e) => match classify("S3 GetObject", e) {
                f @ (S3Failure::NotFound | S3Failure::Denied | S3Failure::NotModified) => {
                    Ok(Err(f))
                }
                f => Err(self.read_error(object, "S3 GetObject", f)),
            },
        }
    }

    pub(super) async fn put(
        &self,
        object: &str,
        body: String,
        if_match: Option<&str>,
    ) -> Result<(Option<String>, Option<String>), S3Failure> {
        let mut req = self
            .client
            .put_object()
            .bucket(&self.id.bucket)
            .key(object)
            .content_type("application/json")
            .body(ByteStream::from(body.into_bytes()));
        req = match if_match {
            Some(etag) => req.if_match(etag),
            None => req.if_none_match("*"),
        };
        match req.send().await {
            Ok(out) => Ok((
                out.e_tag().map(str::to_owned),
                out.version_id().map(str::to_owned),
            )),
            Err(e) => Err(classify("S3 PutObject", e)),
        }
    }

    pub(super) async fn head_etag(&self, object: &str) -> Result<Option<String>, StoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.id.bucket)
            .key(object)
            .send()
            .await
        {
            Ok(out) => Ok(out.e_tag().map(str::to_owned)),
            Err(e) => match classify("S3 HeadObject", e) {
                S3Failure::NotFound | S3Failure::Denied => Ok(None),
                f => Err(self.read_error(object, "S3 HeadObject", f)),
            },
        }
    }

    /// Whether the bucket keeps versions, when these credentials may ask (the
    /// construct's policies do not allow GetBucketVersioning: then `None`, and the
    /// version id a PUT answers with decides). A caller once refused is remembered for
    /// the store and not asked again: every refusal is an AccessDenied event in the
    /// account's trail, which security teams alarm on.
    pub(super) async fn versioning_enabled(&self) -> Result<Option<bool>, StoreError> {
        if crate::immukv::head::versioning_denied(&self.id) {
            return Ok(None);
        }
        match self
            .client
            .get_bucket_versioning()
            .bucket(&self.id.bucket)
            .send()
            .await
        {
            Ok(out) => Ok(Some(
                out.status() == Some(&aws_sdk_s3::types::BucketVersioningStatus::Enabled),
            )),
            Err(e) => match classify("S3 GetBucketVersioning", e) {
                S3Failure::NoSuchBucket => Err(StoreError::NoSuchBucket(self.id.bucket.clone())),
                S3Failure::Denied => {
                    crate::immukv::head::remember_versioning_denied(&self.id);
                    Ok(None)
                }
                _ => Ok(None),
            },
        }
    }

    /// What the versions of a log that answered 404 say about it.
    pub(super) async fn log_state(&self, log: &str) -> Result<LogState, StoreError> {
        let out = self
            .client
            .list_object_versions()
            .bucket(&self.id.bucket)
            .prefix(log)
            .encoding_type(EncodingType::Url)
            .send()
            .await
            .map_err(|e| {
                self.read_error(
                    log,
                    "S3 ListObjectVersions",
                    classify("S3 ListObjectVersions", e),
                )
            })?;
        let encoded = out.encoding_type() == Some(&EncodingType::Url);
        let deleted = out.delete_markers().iter().any(|m| {
            listed_key(m.key(), encoded).as_deref() == Some(log) && m.is_latest() == Some(true)
        });
        let mut versions = out
            .versions()
            .iter()
            .filter(|v| listed_key(v.key(), encoded).as_deref() == Some(log));
        if deleted {
            // Versions come newest first.
            let newest = versions
                .next()
                .and_then(|v| v.version_id().map(str::to_owned));
            return Ok(LogState::Deleted { newest });
        }
        Ok(if versions.next().is_some() {
            LogState::Present
        } else {
            LogState::Empty
        })
    }

    /// The versions of exactly `object`, newest first, page by page (delete markers and
    /// other objects sharing the prefix are skipped), starting after `before`.
    pub(crate) fn versions<'a>(
        &'a self,
        object: &'a str,
        before: Option<String>,
    ) -> impl Stream<Item = Result<ListedVersion, StoreError>> + 'a {
        struct Page {
            key_marker: Option<String>,
            version_marker: Option<String>,
            done: bool,
        }
        let start = Page {
            key_marker: before.as_ref().map(|_| object.to_owned()),
            version_marker: before,
            done: false,
        };
        stream::try_unfold(start, move |page| async move {
            if page.done {
                return Ok::<_, StoreError>(None);
            }
            let out = self
                .client
                .list_object_versions()
                .bucket(&self.id.bucket)
                .prefix(object)
                .set_key_marker(page.key_marker)
                .set_version_id_marker(page.version_marker)
                .encoding_type(EncodingType::Url)
                .send()
                .await
                .map_err(|e| {
                    self.read_error(
                        object,
                        "S3 ListObjectVersions",
                        classify("S3 ListObjectVersions", e),
                    )
                })?;
            let encoded = out.encoding_type() == Some(&EncodingType::Url);
            let listed: Vec<ListedVersion> = out
                .versions()
                .iter()
                .filter(|v| listed_key(v.key(), encoded).as_deref() == Some(object))
                .filter_map(|v| {
                    Some(ListedVersion {
                        id: v.version_id()?.to_owned(),
                        last_modified_ms: v.last_modified().and_then(|t| t.to_millis().ok()),
                    })
                })
                .collect();
            let truncated = out.is_truncated() == Some(true);
            let key_marker = listed_key(out.next_key_marker(), encoded).map(Cow::into_owned);
            let next = Page {
                // Past our object's versions there is nothing more for us.
                done: !truncated || key_marker.as_deref().is_some_and(|k| k != object),
                key_marker,
                version_marker: out.next_version_id_marker().map(str::to_owned),
            };
            Ok(Some((stream::iter(listed.into_iter().map(Ok)), next)))
        })
        .try_flatten()
    }

    /// The retention rules that may have expired versions of `object`: the bucket's
    /// lifecycle rules that cover it, or where none does, the retention `declared`.
    /// Read only when versions are missing: a bucket-level call, denied under the
    /// construct's own policies.
    pub(crate) async fn retention_rules(
        &self,
        object: &str,
        declared: Option<&Retention>,
    ) -> Result<Rules, StoreError> {
        let lifecycle = self.lifecycle().await?;
        Ok(Rules::for_object(
            lifecycle.rules(),
            object,
            MAX_OBJECT_BYTES as i64,
            declared,
        ))
    }

    /// The bucket's lifecycle rules.
    async fn lifecycle(&self) -> Result<Lifecycle, StoreError> {
        let out = match self
            .client
            .get_bucket_lifecycle_configuration()
            .bucket(&self.id.bucket)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let none = matches!(&e, SdkError::ServiceError(s)
                    if aws_sdk_s3::error::ProvideErrorMetadata::code(s.err())
                        == Some("NoSuchLifecycleConfiguration"));
                return match classify("S3 GetBucketLifecycleConfiguration", e) {
                    _ if none => Ok(Lifecycle::None),
                    S3Failure::Denied => Ok(Lifecycle::Denied),
                    S3Failure::NotFound => Ok(Lifecycle::None),
                    f => Err(self.read_error(
                        "the bucket's lifecycle configuration",
                        "S3 GetBucketLifecycleConfiguration",
                        f,
                    )),
                };
            }
        };
        Ok(Lifecycle::Rules(
            out.rules().iter().map(lifecycle_rule).collect(),
        ))
    }

    /// Keys under `key_prefix`, in order, after `after`, with their key objects' ETags.
    pub(crate) fn key_objects<'a>(
        &'a self,
        key_prefix: &'a str,
        after: Option<String>,
    ) -> impl Stream<Item = Result<(String, Option<String>), StoreError>> + 'a {
        let base = format!("{}keys/", self.id.prefix);
        let list_prefix = format!("{base}{key_prefix}");
        let start_after = after.map(|a| format!("{base}{a}.json"));
        stream::try_unfold(
            (None::<String>, start_after, false),
            move |(token, start_after, done)| {
                let base = base.clone();
                let list_prefix = list_prefix.clone();
                async move {
                    if done {
                        return Ok::<_, StoreError>(None);
                    }
                    let out = self
                        .client
                        .list_objects_v2()
                        .bucket(&self.id.bucket)
                        .prefix(&list_prefix)
                        .set_continuation_token(token)
                        .set_start_after(start_after.clone())
                        .encoding_type(EncodingType::Url)
                        .send()
                        .await
                        .map_err(|e| {
                            self.read_error(
                                &list_prefix,
                                "S3 ListObjectsV2",
                                classify("S3 ListObjectsV2", e),
                            )
                        })?;
                    let encoded = out.encoding_type() == Some(&EncodingType::Url);
                    let keys: Vec<(String, Option<String>)> = out
                        .contents()
                        .iter()
                        .filter_map(|o| {
                            let path = listed_key(o.key(), encoded)?;
                            let key = path.strip_prefix(base.as_str())?.strip_suffix(".json")?;
                            Some((key.to_owned(), o.e_tag().map(str::to_owned)))
                        })
                        .collect();
                    let next = out.next_continuation_token().map(str::to_owned);
                    let done = next.is_none();
                    Ok(Some((
                        stream::iter(keys.into_iter().map(Ok)),
                        (next, start_after, done),
                    )))
                }
            },
        )
        .try_flatten()
    }

    /// Keys under `key_prefix`, in order, after `after`.
    pub(crate) fn keys<'a>(
        &'a self,
        key_prefix: &'a str,
        after: Option<String>,
    ) -> impl Stream<Item = Result<String, StoreError>> + 'a {
        self.key_objects(key_prefix, after).map_ok(|(key, _)| key)
    }
}

/// A key as a listing returned it. Listings ask for URL-encoded keys, because XML
/// cannot carry every character a key may hold (ESC, say); S3 encodes a space as `+`.
fn listed_key(raw: Option<&str>, encoded: bool) -> Option<Cow<'_, str>> {
    let raw = raw?;
    if !encoded {
        return Some(Cow::Borrowed(raw));
    }
    let plus_decoded = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_decoded)
        .decode_utf8()
        .ok()
        .map(|k| Cow::Owned(k.into_owned()))
}

/// An SDK lifecycle rule, as far as retention is concerned.
fn lifecycle_rule(rule: &aws_sdk_s3::types::LifecycleRule) -> LifecycleRule {
    use aws_sdk_s3::types::ExpirationStatus;
    let filter = rule.filter().map(|f| {
        let mut filter = Filter {
            prefix: f.prefix().map(str::to_owned),
            tags: usize::from(f.tag().is_some()),
            size_greater_than: f.object_size_greater_than(),
            size_less_than: f.object_size_less_than(),
        };
        if let Some(and) = f.and() {
            filter.prefix = filter.prefix.or(and.prefix().map(str::to_owned));
            filter.tags += and.tags().len();
            filter.size_greater_than = filter.size_greater_than.or(and.object_size_greater_than());
            filter.size_less_than = filter.size_less_than.or(and.object_size_less_than());
        }
        filter
    });
    #[allow(deprecated)]
    let legacy_prefix = rule.prefix().map(str::to_owned);
    let expiration = rule.noncurrent_version_expiration();
    LifecycleRule {
        id: rule.id().map(str::to_owned),
        enabled: rule.status() == &ExpirationStatus::Enabled,
        legacy_prefix,
        filter,
        noncurrent_days: expiration.and_then(|e| e.noncurrent_days()).map(i64::from),
        newer_noncurrent_versions: expiration
            .and_then(|e| e.newer_noncurrent_versions())
            .map(i64::from),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::types::{
        ExpirationStatus, LifecycleRule as SdkRule, LifecycleRuleAndOperator, LifecycleRuleFilter,
        NoncurrentVersionExpiration, Tag,
    };

    use super::*;

    /// Every filter form S3 has, read from the SDK's types.
    #[test]
    fn lifecycle_rules_in_every_filter_form() {
        let expiration = NoncurrentVersionExpiration::builder()
            .noncurrent_days(90)
            .newer_noncurrent_versions(5)
            .build();
        let rule = |filter: Option<LifecycleRuleFilter>| {
            let mut b = SdkRule::builder()
                .id("delete-old-log-versions-Root")
                .status(ExpirationStatus::Enabled)
                .noncurrent_version_expiration(expiration.clone());
            if let Some(f) = filter {
                b = b.filter(f);
            }
            lifecycle_rule(&b.build().unwrap())
        };
        let prefix = rule(Some(
            LifecycleRuleFilter::builder()
                .prefix("app/_log.json")
                .build(),
        ));
        assert_eq!(
            prefix,
            LifecycleRule {
                id: Some("delete-old-log-versions-Root".into()),
                enabled: true,
                legacy_prefix: None,
                filter: Some(Filter {
                    prefix: Some("app/_log.json".into()),
                    ..Filter::default()
                }),
                noncurrent_days: Some(90),
                newer_noncurrent_versions: Some(5),
            }
        );
        let tag = Tag::builder().key("k").value("v").build().unwrap();
        let and = rule(Some(
            LifecycleRuleFilter::builder()
                .and(
                    LifecycleRuleAndOperator::builder()
                        .prefix("app/")
                        .tags(tag.clone())
                        .object_size_less_than(1 << 30)
                        .build(),
                )
                .build(),
        ));
        let f = and.filter.unwrap();
        assert_eq!(
            (f.prefix.as_deref(), f.tags, f.size_less_than),
            (Some("app/"), 1, Some(1 << 30))
        );
        let tagged = rule(Some(LifecycleRuleFilter::builder().tag(tag).build()));
        assert!(!tagged.covers("app/_log.json", 4 << 20));
        let sized = rule(Some(
            LifecycleRuleFilter::builder()
                .object_size_greater_than(0)
                .build(),
        ));
        assert!(sized.covers("app/_log.json", 4 << 20));
        let everything = rule(None);
        assert!(everything.covers("app/_log.json", 4 << 20));
        #[allow(deprecated)]
        let legacy = lifecycle_rule(
            &SdkRule::builder()
                .prefix("app/")
                .status(ExpirationStatus::Disabled)
                .build()
                .unwrap(),
        );
        assert_eq!(legacy.legacy_prefix.as_deref(), Some("app/"));
        assert!(!legacy.enabled);
        assert!(legacy.retention_of("app/_log.json", 4 << 20).is_none());
    }
}
