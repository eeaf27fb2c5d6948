//! `api-key`: API keys and IAM invoke credentials for REST APIs deployed with the
//! aws-cdk-secure-api constructs, sharing the constructs' cache and AWS resources.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::apikey::cache::ApiKeyCache;
use crate::apikey::iam::{self, InvokeCredentials};
use crate::apikey::{self as apikey, store};
use crate::aws::{Aws, AwsArgs};
use crate::exit::{ExitStatus, failure, note, service_error, user_error, warn};
use crate::output::{self, SecretFormat, Var};
use crate::secret::Secret;

const BINARY: &str = "api-key";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    about = "API keys and IAM invoke credentials for REST APIs deployed with aws-cdk-secure-api",
    after_help = "Examples:\n  api-key get --stack my-api\n  eval \"$(api-key get --stack my-api --output env)\"\n  \
        api-key call --stack my-api https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items\n  \
        api-key iam-credentials --stack my-api --assume-role --output credential-process\n  \
        api-key exec --stack my-api --iam -- python client.py"
)]
pub struct Cli {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// The CloudFormation stack the API belongs to.
    #[arg(long, short = 's', value_name = "NAME")]
    pub stack: String,
    /// The stack's AWS account [default: the caller's, from STS]; with it, a cache hit makes no network call.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct IamArgs {
    /// The secret with the IAM user's access key [default: STACK/iam-user-credentials].
    #[arg(long, value_name = "NAME")]
    pub secret_name: Option<String>,
    /// Exchange the user's key for a role session: the construct's STACK@api-invoke-role, or the ARN given.
    #[arg(long, value_name = "ARN", num_args = 0..=1, default_missing_value = "")]
    pub assume_role: Option<String>,
    /// Length of an assumed-role session (the construct's role allows up to 3 hours).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(i32).range(900..=43200))]
    pub duration_seconds: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CredentialsFormat {
    /// `export AWS_ACCESS_KEY_ID=...` lines.
    Env,
    /// `AWS_ACCESS_KEY_ID="..."` lines for .env files.
    Dotenv,
    /// A JSON object of the variables.
    Json,
    /// Append to $GITHUB_ENV and mask the values.
    Github,
    /// The AWS `credential_process` JSON (Version 1), to back a profile in ~/.aws/config.
    CredentialProcess,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the API key: the local cache, then SSM /STACK/api-key; exits 1 when it exists nowhere.
    Get {
        #[command(flatten)]
        stack: StackArgs,
        #[arg(long, value_enum, default_value = "text")]
        output: SecretFormat,
    },
    /// Like get, but create the key as the construct does when it is missing.
    Ensure {
        #[command(flatten)]
        stack: StackArgs,
        /// KMS key for the new SecureString parameter [default: the account's aws/ssm key].
        #[arg(long, value_name = "KEY")]
        kms_key_id: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        output: SecretFormat,
    },
    /// Put a new key into SSM and the cache (the API accepts it after the next deploy).
    Rotate {
        #[command(flatten)]
        stack: StackArgs,
        /// KMS key for the parameter.
        #[arg(long, value_name = "KEY")]
        kms_key_id: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        output: SecretFormat,
    },
    /// Drop the stack's key from the local cache only (every account unless --account).
    Forget {
        #[command(flatten)]
        stack: StackArgs,
    },
    /// Print IAM invoke credentials from the construct's secret, optionally as a role session.
    IamCredentials {
        /// The CloudFormation stack the API belongs to.
        #[arg(long, short = 's', value_name = "NAME")]
        stack: String,
        /// The stack's AWS account, for the default role ARN [default: the user's, from STS].
        #[arg(long, value_name = "ID")]
        account: Option<String>,
        #[command(flatten)]
        iam: IamArgs,
        #[arg(long, value_enum, default_value = "env")]
        output: CredentialsFormat,
    },
    /// Run a command with the key (API_KEY) or IAM credentials (AWS_*) in its environment.
    Exec {
        #[command(flatten)]
        stack: StackArgs,
        /// Give IAM credentials instead of the API key.
        #[arg(long)]
        iam: bool,
        #[command(flatten)]
        iam_args: IamArgs,
        /// The command and its arguments.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<OsString>,
    },
    /// Send one HTTP request to the API with the key or a SigV4 signature.
    Call {
        #[command(flatten)]
        stack: StackArgs,
        /// Sign with IAM credentials (execute-api) instead of sending the API key.
        #[arg(long)]
        iam: bool,
        #[command(flatten)]
        iam_args: IamArgs,
        /// HTTP method.
        #[arg(long, short = 'X', value_name = "METHOD", default_value = "GET")]
        request: String,
        /// Extra header, 'Name: value' (repeatable).
        #[arg(long, short = 'H', value_name = "HEADER")]
        header: Vec<String>,
        /// Request body: TEXT, @FILE, or @- for stdin.
        #[arg(long, short = 'd', value_name = "DATA")]
        data: Option<String>,
        /// Give up after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 30)]
        timeout: u64,
        /// The URL to call.
        url: String,
    },
}

pub fn main() -> ExitCode {
    crate::exit::run(BINARY, || {
        let cli = Cli::parse();
        crate::exit::runtime()?.block_on(run(cli))
    })
}

impl Command {
    /// The stack and the account the command names.
    fn target(&self) -> (&str, Option<&str>) {
        match self {
            Command::Get { stack, .. }
            | Command::Ensure { stack, .. }
            | Command::Rotate { stack, .. }
            | Command::Forget { stack }
            | Command::Exec { stack, .. }
            | Command::Call { stack, .. } => (&stack.stack, stack.account.as_deref()),
            Command::IamCredentials { stack, account, .. } => (stack, account.as_deref()),
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    // Bad names are refused before anything is read or asked.
    let (stack_name, account_id) = cli.command.target();
    apikey::validate_stack(stack_name)?;
    if let Some(a) = account_id {
        apikey::validate_account(a)?;
    }
    let aws = Aws::new(cli.aws);
    match cli.command {
        Command::Get { stack, output } => {
            let key = resolve_key(&aws, &stack, None).await?;
            output::print(output, &[Var::secret("API_KEY", &key)])?;
        }
        Command::Ensure {
            stack,
            kms_key_id,
            output,
        } => {
            let key = resolve_key(&aws, &stack, Some(kms_key_id.as_deref())).await?;
            output::print(output, &[Var::secret("API_KEY", &key)])?;
        }
        Command::Rotate {
            stack,
            kms_key_id,
            output,
        } => {
            let account = account(&aws, &stack).await?;
            let key = store::generate_key(&aws).await?;
            store::put_parameter(
                &aws,
                &apikey::parameter_name(&stack.stack),
                &key,
                kms_key_id.as_deref(),
                true,
            )
            .await?;
            save(&account, &stack.stack, &key);
            warn(format_args!(
                "the API accepts the new key only after the stack is deployed again (cdk deploy {})",
                stack.stack
            ));
            output::print(output, &[Var::secret("API_KEY", &key)])?;
        }
        Command::Forget { stack } => {
            let removed = ApiKeyCache::open()?.forget(stack.account.as_deref(), &stack.stack)?;
            if removed {
                note(format_args!("removed {} from the local cache", stack.stack));
            } else {
                note(format_args!("{} was not in the local cache", stack.stack));
            }
        }
        Command::IamCredentials {
            stack,
            account,
            iam,
            output,
        } => {
            let creds = invoke_credentials(&aws, &stack, account.as_deref(), &iam).await?;
            print_credentials(output, &creds)?;
        }
        Command::Exec {
            stack,
            iam,
            iam_args,
            command,
        } => {
            let mut child = std::process::Command::new(&command[0]);
            child.args(&command[1..]);
            if iam {
                let creds =
                    invoke_credentials(&aws, &stack.stack, stack.account.as_deref(), &iam_args)
                        .await?;
                child.env("AWS_ACCESS_KEY_ID", &creds.access_key_id);
                child.env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.expose());
                match &creds.session_token {
                    Some(t) => child.env("AWS_SESSION_TOKEN", t.expose()),
                    None => child.env_remove("AWS_SESSION_TOKEN"),
                };
                // Explicit keys must win over a profile the parent selected.
                child.env_remove("AWS_PROFILE");
            } else {
                let key = resolve_key(&aws, &stack, None).await?;
                child.env("API_KEY", key.expose());
            }
            return exec(child, &command[0]);
        }
        Command::Call {
            stack,
            iam,
            iam_args,
            request,
            header,
            data,
            timeout,
            url,
        } => {
            return call(
                &aws,
                &stack,
                iam,
                &iam_args,
                &request,
                &header,
                data.as_deref(),
                timeout,
                &url,
            )
            .await;
        }
    }
    Ok(ExitStatus::Success)
}

async fn account(aws: &Aws, stack: &StackArgs) -> anyhow::Result<String> {
    match &stack.account {
        Some(a) => Ok(a.clone()),
        None => Ok(aws.account(None).await?),
    }
}

fn save(account: &str, stack: &str, key: &Secret) {
    match ApiKeyCache::open() {
        Ok(cache) => {
            if let Err(e) = cache.put(account, stack, key) {
                warn(format_args!("could not cache the API key: {e:#}"));
            }
        }
        Err(e) => warn(format_args!("could not cache the API key: {e:#}")),
    }
}

/// The key from the cache, then SSM; with `create` (the KMS key to use), made as the
/// construct makes it when missing.
async fn resolve_key(
    aws: &Aws,
    stack: &StackArgs,
    create: Option<Option<&str>>,
) -> anyhow::Result<Secret> {
    let account = account(aws, stack).await?;
    if let Some(key) = ApiKeyCache::open()
        .ok()
        .and_then(|c| c.get(&account, &stack.stack))
    {
        return Ok(key);
    }
    let name = apikey::parameter_name(&stack.stack);
    let key = match store::get_parameter(aws, &name).await? {
        Some(key) => key,
        None => {
            let Some(kms_key_id) = create else {
                let region = aws.region().await.unwrap_or_default();
                return Err(failure(format!(
                    "no API key for stack {} (account {account}): not in the local cache nor in SSM parameter {name} \
                     in {region}; create it with `api-key ensure --stack {}`",
                    stack.stack, stack.stack
                )));
            };
            let key = store::generate_key(aws).await?;
            if store::put_parameter(aws, &name, &key, kms_key_id, false).await? {
                note(format_args!("created the SSM parameter {name}"));
                key
            } else {
                // Someone created it since we looked: theirs wins.
                store::get_parameter(aws, &name).await?.ok_or_else(|| {
                    service_error(format!("SSM parameter {name} exists but cannot be read"))
                })?
            }
        }
    };
    save(&account, &stack.stack, &key);
    Ok(key)
}

async fn invoke_credentials(
    aws: &Aws,
    stack: &str,
    account: Option<&str>,
    iam: &IamArgs,
) -> anyhow::Result<InvokeCredentials> {
    let secret_name = iam
        .secret_name
        .clone()
        .unwrap_or_else(|| apikey::default_secret_name(stack));
    let user = iam::user_credentials(aws, &secret_name).await?;
    let Some(role) = &iam.assume_role else {
        return Ok(user);
    };
    let role_arn = if role.is_empty() {
        let account = match account {
            Some(a) => a.to_owned(),
            None => aws.account(Some(user.to_sdk())).await?,
        };
        format!(
            "arn:aws:iam::{account}:role/{}",
            apikey::invoke_role_name(stack)
        )
    } else {
        role.clone()
    };
    iam::assume_role(aws, &user, &role_arn, iam.duration_seconds).await
}

fn print_credentials(format: CredentialsFormat, creds: &InvokeCredentials) -> anyhow::Result<()> {
    let expiration = creds.expires_at.map(crate::time::rfc3339);
    if format == CredentialsFormat::CredentialProcess {
        let mut doc = serde_json::Map::new();
        doc.insert("Version".into(), 1.into());
        doc.insert("AccessKeyId".into(), creds.access_key_id.clone().into());
        doc.insert(
            "SecretAccessKey".into(),
            creds.secret_access_key.expose().into(),
        );
        if let Some(t) = &creds.session_token {
            doc.insert("SessionToken".into(), t.expose().into());
        }
        if let Some(e) = &expiration {
            doc.insert("Expiration".into(), e.clone().into());
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", serde_json::Value::Object(doc))?;
        out.flush()?;
        return Ok(());
    }
    let mut vars = vec![
        Var::public("AWS_ACCESS_KEY_ID", &creds.access_key_id),
        Var::secret("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key),
    ];
    if let Some(t) = &creds.session_token {
        vars.push(Var::secret("AWS_SESSION_TOKEN", t));
    }
    if let Some(e) = &expiration {
        vars.push(Var::public("AWS_CREDENTIAL_EXPIRATION", e));
    }
    let format = match format {
        CredentialsFormat::Env => SecretFormat::Env,
        CredentialsFormat::Dotenv => SecretFormat::Dotenv,
        CredentialsFormat::Json => SecretFormat::Json,
        CredentialsFormat::Github | CredentialsFormat::CredentialProcess => SecretFormat::Github,
    };
    output::print(format, &vars)?;
    Ok(())
}

/// Replace this process with the command (so its exit status and signals are its
/// own); the secret travels only in the environment.
#[cfg(unix)]
fn exec(mut child: std::process::Command, program: &OsString) -> anyhow::Result<ExitStatus> {
    use std::os::unix::process::CommandExt;
    let err = child.exec();
    Err(user_error(format!(
        "cannot run {}: {err}",
        program.to_string_lossy()
    )))
}

#[cfg(not(unix))]
fn exec(mut child: std::process::Command, program: &OsString) -> anyhow::Result<ExitStatus> {
    let status = child
        .status()
        .map_err(|e| user_error(format!("cannot run {}: {e}", program.to_string_lossy())))?;
    std::process::exit(status.code().unwrap_or(1));
}

/// The region an execute-api URL names (`ID.execute-api.REGION.amazonaws.com`).
fn region_from_url(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    let mut parts = host.split('.');
    let (_, service, region) = (parts.next()?, parts.next()?, parts.next()?);
    (service == "execute-api").then(|| region.to_owned())
}

#[allow(clippy::too_many_arguments)]
async fn call(
    aws: &Aws,
    stack: &StackArgs,
    iam: bool,
    iam_args: &IamArgs,
    method: &str,
    headers: &[String],
    data: Option<&str>,
    timeout: u64,
    url: &str,
) -> anyhow::Result<ExitStatus> {
    let url =
        reqwest::Url::parse(url).map_err(|e| user_error(format!("invalid URL {url:?}: {e}")))?;
    crate::http::require_secure(&url)?;
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| user_error(format!("invalid HTTP method {method:?}")))?;
    let mut parsed_headers = Vec::new();
    for h in headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| user_error(format!("invalid header {h:?}: use 'Name: value'")))?;
        let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| user_error(format!("invalid header name in {h:?}")))?;
        let value = reqwest::header::HeaderValue::from_str(value.trim())
            .map_err(|_| user_error(format!("invalid header value in {h:?}")))?;
        parsed_headers.push((name, value));
    }
    let body = match data {
        None => Vec::new(),
        Some("@-") => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            buf
        }
        Some(d) if d.starts_with('@') => std::fs::read(&d[1..])
            .map_err(|e| user_error(format!("cannot read {}: {e}", &d[1..])))?,
        Some(d) => d.as_bytes().to_vec(),
    };
    let client = crate::http::client(Duration::from_secs(timeout.max(1)))?;
    let mut builder = client.request(method, url.clone());
    for (name, value) in parsed_headers {
        builder = builder.header(name, value);
    }
    if data.is_some() {
        builder = builder.body(body);
    }
    if !iam {
        let key = resolve_key(aws, stack, None).await?;
        let mut value = reqwest::header::HeaderValue::from_str(key.expose())
            .map_err(|_| failure("the API key is not a valid header value"))?;
        value.set_sensitive(true);
        builder = builder.header("x-api-key", value);
    }
    let mut request = builder.build()?;
    if iam {
        let creds =
            invoke_credentials(aws, &stack.stack, stack.account.as_deref(), iam_args).await?;
        let region = match region_from_url(&url) {
            Some(r) => r,
            None => aws.region().await?,
        };
        crate::aws::sign::sign_request(&mut request, &creds.to_sdk(), &region, "execute-api")?;
    }
    let response = client.execute(request).await.map_err(|e| {
        if e.is_timeout() {
            service_error(format!("{url} did not answer within {timeout} s"))
        } else {
            service_error(format!(
                "cannot reach {}: {e}",
                url.host_str().unwrap_or("")
            ))
        }
    })?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| service_error(format!("reading the response failed: {e}")))?;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    if status.is_success() {
        Ok(ExitStatus::Success)
    } else {
        Err(failure(format!("HTTP {status}")))
    }
}
