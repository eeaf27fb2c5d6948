//! Every environment variable the toolkit reads, declared once.
//!
//! AWS variables that aws-config resolves itself (AWS_REGION, AWS_ENDPOINT_URL,
//! AWS_ENDPOINT_URL_<SERVICE>, AWS_WEB_IDENTITY_TOKEN_FILE, ...) are not read here,
//! with the exceptions below, which name an identity for cache keys or a CA bundle
//! that the SDK does not load on its own.

/// Overrides the secret cache folder (default `~/.cdk/cache`).
pub const CDK_CACHE_DIR: &str = "CDK_CACHE_DIR";
/// The named AWS profile; read only to key cache entries by identity.
pub const AWS_PROFILE: &str = "AWS_PROFILE";
/// Static access key id; read only to key cache entries by identity (never the secret).
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// Web-identity role; read only to key cache entries by identity.
pub const AWS_ROLE_ARN: &str = "AWS_ROLE_ARN";
/// Region variables, read only to key cache entries (aws-config resolves the region itself).
pub const AWS_REGION: &str = "AWS_REGION";
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// Extra PEM certificates to trust, as the AWS CLI does.
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";
/// Extra PEM certificates to trust, as OpenSSL-based tools do.
pub const SSL_CERT_FILE: &str = "SSL_CERT_FILE";
/// The file GitHub Actions reads exported variables from (`--output github`).
pub const GITHUB_ENV: &str = "GITHUB_ENV";
/// Terraform's CLI configuration file, when not `~/.terraformrc`.
pub const TF_CLI_CONFIG_FILE: &str = "TF_CLI_CONFIG_FILE";
/// The registry's grants table (the registry's own variable).
pub const TABLE: &str = "TABLE";
/// ImmuKV store selection.
pub const IMMUKV_BUCKET: &str = "IMMUKV_BUCKET";
pub const IMMUKV_PREFIX: &str = "IMMUKV_PREFIX";

/// The value of a variable when it is set and not empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
