//! The registry's module API, with a bearer token, where its discovery document says it
//! is (`modules.v1`, or 0.2.5's `modules_v1`): versions, the download URL, and the
//! `create` route. The token goes only to the registry's own origin; an archive is
//! fetched from its download URL (S3) without it.

use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use sha2::{Digest, Sha256};

use super::address::{ModuleAddress, ModuleVersion};
use super::error::ModulesError;
use super::record::ModuleRecord;
use crate::http::{BaseUrl, HttpClient, HttpError, Response, check_secure};
use crate::registry::RegistryHost;
use crate::registry::discovery::{Discovery, discover, modules_url};
use crate::registry::token::{MAX_ANSWER_BYTES, TokenError, one_line};
use crate::secret::Secret;

/// What the create route answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Created {
    /// 201: the record is written.
    New,
    /// 409: the version exists.
    Exists,
}

/// The module API of one registry, for one token.
pub(crate) struct RegistryApi {
    host: RegistryHost,
    client: HttpClient,
    /// Where the API is: ends in `/`.
    modules: Url,
    token: Secret,
}

impl RegistryApi {
    /// Find the API through the registry's discovery document at `base`.
    pub(crate) async fn connect(
        host: &RegistryHost,
        base: &BaseUrl,
        token: Secret,
        timeout: Duration,
    ) -> Result<Self, ModulesError> {
        let value = match discover(host, base, timeout).await? {
            Discovery::Modules(v) | Discovery::Misnamed(v) => v,
            Discovery::NoModules => {
                return Err(TokenError::Discovery {
                    host: host.to_string(),
                    what: "it names no modules.v1 service".to_owned(),
                }
                .into());
            }
        };
        let modules = modules_url(base, &value)?;
        if modules.origin() != base.join("").origin() {
            return Err(TokenError::Discovery {
                host: host.to_string(),
                what: format!(
                    "its modules API is at another address ({}); the token is not sent there",
                    one_line(modules.as_str().as_bytes())
                ),
            }
            .into());
        }
        Ok(Self {
            host: host.clone(),
            client: HttpClient::new(timeout)?,
            modules,
            token,
        })
    }

    fn url(&self, path: &str) -> Result<Url, ModulesError> {
        self.modules
            .join(path)
            .map_err(|e| HttpError::Setup(e.to_string()).into())
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<String>,
    ) -> Result<Response, ModulesError> {
        let mut request = self
            .client
            .request(method, url)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {}", self.token.expose()),
            )
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let request = request
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        Ok(self.client.send(request, MAX_ANSWER_BYTES).await?)
    }

    /// An answer no route gives to a good request: say what it was.
    fn refused(&self, what: &'static str, namespace: &str, r: &Response) -> ModulesError {
        match r.status.as_u16() {
            401 => ModulesError::TokenRefused {
                host: self.host.to_string(),
                reason: one_line(&r.body),
            },
            403 => ModulesError::NoGrant {
                permission: what,
                namespace: namespace.to_owned(),
            },
            status => ModulesError::Status {
                host: self.host.to_string(),
                what,
                status,
                reason: one_line(&r.body),
            },
        }
    }

    /// The versions the registry lists for `address`, as it lists them.
    pub(crate) async fn versions(
        &self,
        address: &ModuleAddress,
    ) -> Result<Vec<String>, ModulesError> {
        let url = self.url(&format!("{}/versions", address.path()))?;
        let r = self.send(Method::GET, url, None).await?;
        if r.status != StatusCode::OK {
            return Err(self.refused("download", address.namespace.as_str(), &r));
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&r.body).map_err(|_| ModulesError::Status {
                host: self.host.to_string(),
                what: "download",
                status: 200,
                reason: "the versions answer is not JSON".to_owned(),
            })?;
        let versions = doc["modules"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|m| m["versions"].as_array().into_iter().flatten())
            .filter_map(|v| v["version"].as_str().map(str::to_owned))
            .collect();
        Ok(versions)
    }

    /// Where the registry sends Terraform for `version`'s archive (`X-Terraform-Get`,
    /// resolved against the download URL); `None` when it has no such version.
    pub(crate) async fn download_url(
        &self,
        address: &ModuleAddress,
        version: &ModuleVersion,
    ) -> Result<Option<Url>, ModulesError> {
        let url = self.url(&format!("{}/{version}/download", address.path()))?;
        let r = self.send(Method::GET, url.clone(), None).await?;
        match r.status.as_u16() {
            200 | 204 => {
                let get = r
                    .headers
                    .get("x-terraform-get")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| ModulesError::Status {
                        host: self.host.to_string(),
                        what: "download",
                        status: r.status.as_u16(),
                        reason: "no X-Terraform-Get header".to_owned(),
                    })?;
                let to = url.join(get).map_err(|e| HttpError::Setup(e.to_string()))?;
                Ok(Some(to))
            }
            404 => Ok(None),
            _ => Err(self.refused("download", address.namespace.as_str(), &r)),
        }
    }

    /// Fetch the archive a download URL names (without the token: it is another
    /// origin, S3's), at most `cap` bytes; its bytes and their SHA-256.
    pub(crate) async fn fetch(
        &self,
        url: &Url,
        cap: u64,
    ) -> Result<(Vec<u8>, [u8; 32]), ModulesError> {
        check_secure(url).map_err(HttpError::Url)?;
        let request = self
            .client
            .request(Method::GET, url.clone())
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        let r = self.client.send(request, cap).await?;
        if !r.status.is_success() {
            return Err(ModulesError::Status {
                host: url.host_str().unwrap_or_default().to_owned(),
                what: "download",
                status: r.status.as_u16(),
                reason: "the archive's download URL refused it".to_owned(),
            });
        }
        let digest = Sha256::digest(&r.body).into();
        Ok((r.body, digest))
    }

    /// The create route: record `version` as the archive in `record`.
    pub(crate) async fn create(
        &self,
        address: &ModuleAddress,
        version: &ModuleVersion,
        record: &ModuleRecord,
    ) -> Result<Created, ModulesError> {
        let url = self.url(&format!("{}/{version}/create", address.path()))?;
        let body = serde_json::json!({
            "bucket": record.bucket,
            "key": record.key,
            "expected_checksum": record.expected_checksum,
        })
        .to_string();
        let r = self.send(Method::POST, url, Some(body)).await?;
        match r.status.as_u16() {
            200 | 201 => Ok(Created::New),
            409 => Ok(Created::Exists),
            500 => Err(ModulesError::CreateRouteFailed {
                host: self.host.to_string(),
                status: 500,
            }),
            400 | 422 => Err(ModulesError::RecordRefused {
                host: self.host.to_string(),
                status: r.status.as_u16(),
                reason: one_line(&r.body),
            }),
            _ => Err(self.refused("upload", address.namespace.as_str(), &r)),
        }
    }
}
