//! Every environment variable the toolkit reads, declared once.
//!
//! AWS variables that aws-config resolves itself (AWS_REGION, AWS_ENDPOINT_URL,
//! AWS_ENDPOINT_URL_<SERVICE>, AWS_WEB_IDENTITY_TOKEN_FILE, ...) are not parsed here;
//! the ones listed below are read only to name an identity for cache keys, to find a CA
//! bundle the SDK does not load on its own, or to clear them from a child's environment.

/// Overrides the secret cache folder (default `~/.cdk/cache`).
pub(crate) const CDK_CACHE_DIR: &str = "CDK_CACHE_DIR";
/// Seconds an AWS API call may take before it is abandoned (`--aws-timeout`).
pub(crate) const CDK_AWS_TIMEOUT: &str = "CDK_AWS_TIMEOUT";
/// Set by `api-key` for the processes it starts while resolving its own credentials:
/// the profile it resolves them through. A nested `api-key` that would resolve through
/// the same profile is a `credential_process` loop.
pub(crate) const CDK_API_KEY_RESOLVING_PROFILE: &str = "CDK_API_KEY_RESOLVING_PROFILE";
/// The named AWS profile; read to key cache entries by identity.
pub(crate) const AWS_PROFILE: &str = "AWS_PROFILE";
/// Static access key id; read to key cache entries by identity (never the secret).
pub(crate) const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
/// Region variables, read only to key cache entries (aws-config resolves the region itself).
pub(crate) const AWS_REGION: &str = "AWS_REGION";
pub(crate) const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// The AWS files, read to key cache entries by what the profile says (never secrets).
pub(crate) const AWS_CONFIG_FILE: &str = "AWS_CONFIG_FILE";
pub(crate) const AWS_SHARED_CREDENTIALS_FILE: &str = "AWS_SHARED_CREDENTIALS_FILE";
/// Web-identity and container credential sources; read to key cache entries by identity.
pub(crate) const AWS_ROLE_ARN: &str = "AWS_ROLE_ARN";
pub(crate) const AWS_ROLE_SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";
pub(crate) const AWS_WEB_IDENTITY_TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
pub(crate) const AWS_CONTAINER_CREDENTIALS_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub(crate) const AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: &str =
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
/// Extra PEM certificates to trust, as the AWS CLI does.
pub(crate) const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";
/// Where AWS API calls go (aws-config reads it for the clients); read to name the S3
/// endpoint a store is reached through.
pub(crate) const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
/// Where OpenTofu keeps its configuration and data when `~/.terraformrc`,
/// `~/.tofurc` and `~/.terraform.d` do not exist.
pub(crate) const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
pub(crate) const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
/// The PEM certificates to trust instead of the system's bundle, as OpenSSL-based tools
/// do.
pub(crate) const SSL_CERT_FILE: &str = "SSL_CERT_FILE";
/// Folders of PEM certificates to trust (`:`-separated), as OpenSSL-based tools do.
pub(crate) const SSL_CERT_DIR: &str = "SSL_CERT_DIR";
/// The file GitHub Actions reads exported variables from (`--output github`).
pub(crate) const GITHUB_ENV: &str = "GITHUB_ENV";
/// Terraform's CLI configuration file, when not `~/.terraformrc`.
pub(crate) const TF_CLI_CONFIG_FILE: &str = "TF_CLI_CONFIG_FILE";
/// The registry's grants table (the registry's own variable).
pub(crate) const TABLE: &str = "TABLE";
/// The time every module archive entry carries (reproducible-builds.org's variable).
pub(crate) const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
/// ImmuKV store selection.
pub(crate) const IMMUKV_BUCKET: &str = "IMMUKV_BUCKET";
pub(crate) const IMMUKV_PREFIX: &str = "IMMUKV_PREFIX";
/// An ImmuKV store's retention, named after its construct's props, for when the
/// bucket's lifecycle rules cannot be read.
pub(crate) const IMMUKV_LOG_VERSION_RETENTION: &str = "IMMUKV_LOG_VERSION_RETENTION";
pub(crate) const IMMUKV_LOG_VERSIONS_TO_RETAIN: &str = "IMMUKV_LOG_VERSIONS_TO_RETAIN";
pub(crate) const IMMUKV_KEY_VERSION_RETENTION: &str = "IMMUKV_KEY_VERSION_RETENTION";
pub(crate) const IMMUKV_KEY_VERSIONS_TO_RETAIN: &str = "IMMUKV_KEY_VERSIONS_TO_RETAIN";

/// Every variable an AWS SDK or CLI reads credentials (or where to find them) from. A
/// child given credentials explicitly gets none of these from its parent: boto3, for
/// one, falls back to `AWS_SECURITY_TOKEN` when `AWS_SESSION_TOKEN` is absent.
pub(crate) const AWS_CREDENTIAL_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CREDENTIAL_FILE",
];

/// Every variable this toolkit reads, by the constants above (kept in step by the
/// unit test below).
const DECLARED: &[&str] = &[
    CDK_CACHE_DIR,
    CDK_AWS_TIMEOUT,
    CDK_API_KEY_RESOLVING_PROFILE,
    AWS_PROFILE,
    AWS_ACCESS_KEY_ID,
    AWS_REGION,
    AWS_DEFAULT_REGION,
    AWS_CONFIG_FILE,
    AWS_SHARED_CREDENTIALS_FILE,
    AWS_ROLE_ARN,
    AWS_ROLE_SESSION_NAME,
    AWS_WEB_IDENTITY_TOKEN_FILE,
    AWS_CONTAINER_CREDENTIALS_FULL_URI,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
    AWS_CA_BUNDLE,
    AWS_ENDPOINT_URL,
    XDG_CONFIG_HOME,
    XDG_DATA_HOME,
    SSL_CERT_FILE,
    SSL_CERT_DIR,
    GITHUB_ENV,
    TF_CLI_CONFIG_FILE,
    TABLE,
    SOURCE_DATE_EPOCH,
    IMMUKV_BUCKET,
    IMMUKV_PREFIX,
    IMMUKV_LOG_VERSION_RETENTION,
    IMMUKV_LOG_VERSIONS_TO_RETAIN,
    IMMUKV_KEY_VERSION_RETENTION,
    IMMUKV_KEY_VERSIONS_TO_RETAIN,
];

/// A variable set to the empty string counts as unset, wherever it is read: by
/// [`var`], by clap (`env = ...` flags), and by the AWS SDK (which panics on an empty
/// `AWS_ENDPOINT_URL` and reads an empty `AWS_REGION` as a region). So the empty ones
/// this toolkit or the SDK read (those declared here, and every `AWS_*`) are removed
/// from this process's environment before anything reads it; the rest, which only a
/// child process might read, are left as they are. Called first thing in `main`.
pub(crate) fn forget_empty() {
    for (name, value) in std::env::vars_os() {
        let ours = name
            .to_str()
            .is_some_and(|n| n.starts_with("AWS_") || DECLARED.contains(&n));
        if ours && value.is_empty() {
            crate::sys::remove_env_var_before_threads(&name);
        }
    }
}

/// The value of a variable as another program sees it: set, even to the empty string.
/// Terraform and OpenTofu take an empty `TF_TOKEN_<host>` as that host's token (an
/// empty one, which the registry refuses) and then never ask the credentials helper;
/// the doctor, which says what they will do, looks the variable up this way.
pub(crate) fn var_as_set(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The value of a variable when it is set and not empty.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    /// `DECLARED` lists every constant of this file.
    #[test]
    fn every_variable_is_declared() {
        let text = include_str!("env.rs");
        let constants: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("pub(crate) const "))
            .filter_map(|l| l.split_once(": &str = ").map(|(n, _)| n))
            .collect();
        assert!(constants.len() > 20);
        for name in constants {
            assert!(
                super::DECLARED
                    .iter()
                    .any(|d| text.contains(&format!("const {name}: &str = \"{d}\""))),
                "{name} is missing from DECLARED"
            );
        }
    }
}
