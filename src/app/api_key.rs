//! `api-key`: API keys and IAM invoke credentials for REST APIs deployed with the
//! aws-cdk-secure-api constructs, sharing the constructs' cache and AWS resources.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::aws_args::AwsArgs;
use super::cli::runtime;
use super::error::Error;
use super::input::read_bytes;
use super::values::SecretOutput;
use crate::apikey::cache::ApiKeyCache;
use crate::apikey::call::{
    self, CallAuth, CallRequest, DEFAULT_MAX_RESPONSE_BYTES, HttpHeader, HttpMethod,
};
use crate::apikey::iam::{self, IamOptions, InvokeCredentials, InvokeRole};
use crate::apikey::stack::{self, CallTarget};
use crate::apikey::store::{self, KeyOrigin, WhenMissing};
use crate::apikey::{AccountId, ApiKeyError, KmsKeyId, StackName};
use crate::aws::Aws;
use crate::aws::arn::RoleArnError;
use crate::diag::{note, warn};
use crate::exit::{ExitStatus, is_broken_pipe};
use crate::output::{self, SecretFormat, Var};
use crate::secret::Secret;

const BINARY: &str = "api-key";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::cli::LONG_VERSION,
    about = "API keys and IAM invoke credentials for REST APIs deployed with aws-cdk-secure-api",
    after_help = "Examples:\n  api-key get --stack my-api\n  eval \"$(api-key get --stack my-api --output env)\"\n  \
        api-key call --stack my-api /items?limit=10\n  \
        api-key endpoint --stack my-api\n  \
        api-key iam-credentials --stack my-api --assume-role --output credential-process\n  \
        api-key exec --stack my-api --iam -- python client.py"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    aws: AwsArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct StackArgs {
    /// The CloudFormation stack the API belongs to.
    #[arg(long, short = 's', value_name = "NAME")]
    stack: StackName,
    /// The stack's AWS account [default: the caller's, from STS]; with it, a cache hit makes no network call.
    #[arg(long, value_name = "ID")]
    account: Option<AccountId>,
}

/// Who a command acts as: the stack's API key, or with --iam its IAM invoke credentials.
#[derive(Debug, Args)]
struct Caller {
    #[command(flatten)]
    stack: StackArgs,
    /// Use IAM invoke credentials (signing for execute-api) instead of the API key.
    #[arg(long)]
    iam: bool,
    #[command(flatten)]
    iam_args: IamArgs,
}

/// What a [`Caller`] proves itself with.
enum Proof {
    ApiKey(Secret),
    Iam(InvokeCredentials),
}

impl Caller {
    async fn proof(&self, aws: &Aws) -> Result<Proof, Error> {
        if self.iam {
            let creds = iam::invoke_credentials(
                aws,
                &self.stack.stack,
                self.stack.account.as_ref(),
                &self.iam_args.options(),
            )
            .await?;
            Ok(Proof::Iam(creds))
        } else {
            Ok(Proof::ApiKey(
                resolve_key(aws, &self.stack, WhenMissing::Fail).await?,
            ))
        }
    }
}

/// A command that may write the key to SSM.
#[derive(Debug, Args)]
struct KeyWrite {
    #[command(flatten)]
    stack: StackArgs,
    /// KMS key for a new SecureString parameter: alias/NAME, an alias or key ARN, or a
    /// key id, checked to be enabled before anything is written [default: aws/ssm].
    #[arg(long, value_name = "KEY")]
    kms_key_id: Option<KmsKeyId>,
    #[arg(long, value_enum, default_value = "text")]
    output: SecretOutput,
}

#[derive(Debug, Args)]
struct IamArgs {
    /// The secret with the IAM user's access key [default: STACK/iam-user-credentials].
    #[arg(long, value_name = "NAME")]
    secret_name: Option<String>,
    /// Exchange the user's key for a role session: the construct's STACK@api-invoke-role, or the ARN given.
    #[arg(long, value_name = "ARN", num_args = 0..=1, default_missing_value = "", value_parser = invoke_role)]
    assume_role: Option<InvokeRole>,
    /// Length of an assumed-role session (the construct's role allows up to 3 hours).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(i32).range(900..=43200))]
    duration_seconds: i32,
}

/// `--assume-role` alone names the construct's role; with a value, that role.
fn invoke_role(s: &str) -> Result<InvokeRole, RoleArnError> {
    if s.is_empty() {
        Ok(InvokeRole::Default)
    } else {
        s.parse().map(InvokeRole::Arn)
    }
}

impl IamArgs {
    fn options(&self) -> IamOptions {
        IamOptions {
            secret_name: self.secret_name.clone(),
            role: self.assume_role.clone(),
            duration_seconds: self.duration_seconds,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CredentialsFormat {
    /// `export AWS_ACCESS_KEY_ID=...` lines.
    Env,
    /// `$env:AWS_ACCESS_KEY_ID = '...'` lines for PowerShell.
    Powershell,
    /// `set -gx AWS_ACCESS_KEY_ID '...'` lines for fish.
    Fish,
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
enum Command {
    /// Print the API key: the local cache, then SSM /STACK/api-key; exits 1 when it exists nowhere.
    Get {
        #[command(flatten)]
        stack: StackArgs,
        #[arg(long, value_enum, default_value = "text")]
        output: SecretOutput,
    },
    /// Like get, but create the key as the construct does when it is missing.
    Ensure(KeyWrite),
    /// Put a new key into SSM and the cache (the API accepts it after the next deploy).
    Rotate(KeyWrite),
    /// Drop the stack's key from the local cache only (every account unless --account).
    Forget {
        #[command(flatten)]
        stack: StackArgs,
    },
    /// Print IAM invoke credentials from the construct's secret, optionally as a role session.
    IamCredentials {
        #[command(flatten)]
        stack: StackArgs,
        #[command(flatten)]
        iam: IamArgs,
        #[arg(long, value_enum, default_value = "env")]
        output: CredentialsFormat,
    },
    /// Run a command with the key (API_KEY) or IAM credentials (AWS_*) in its environment.
    Exec {
        #[command(flatten)]
        who: Caller,
        /// The command and its arguments.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<OsString>,
    },
    /// Send one HTTP request to the API with the key or a SigV4 signature.
    Call(CallArgs),
    /// Print the API's base URL from the stack's APIEndpoint output (cached).
    Endpoint {
        /// The CloudFormation stack the API belongs to.
        #[arg(long, short = 's', value_name = "NAME")]
        stack: StackName,
        /// Look it up again instead of using the cached one.
        #[arg(long)]
        refresh: bool,
    },
}

/// `call`'s arguments.
#[derive(Debug, Args)]
struct CallArgs {
    #[command(flatten)]
    who: Caller,
    /// HTTP method.
    #[arg(long, short = 'X', value_name = "METHOD", default_value = "GET")]
    request: HttpMethod,
    /// Extra header, 'Name: value' (repeatable).
    #[arg(long, short = 'H', value_name = "HEADER")]
    header: Vec<HttpHeader>,
    /// Request body: TEXT, @FILE, or @- for stdin.
    #[arg(long, short = 'd', value_name = "DATA")]
    data: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Refuse a response body larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RESPONSE_BYTES)]
    max_response_bytes: u64,
    /// Look the stack's endpoint up again instead of using the cached one.
    #[arg(long)]
    refresh: bool,
    /// What to call: a path such as /items?x=1 under the stack's APIEndpoint output,
    /// a full URL (https, or http to loopback), or a reference naming one:
    /// ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(value_name = "URL")]
    url: CallTarget,
}

pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    super::cli::run(BINARY, args, |cli: Cli| {
        if !matches!(cli.command, Command::Forget { .. }) {
            guard_credential_loop(&cli.aws.selection().profile_name())?;
        }
        runtime()?.block_on(run(cli))
    })
}

/// A profile whose `credential_process` is `api-key ...` makes api-key, resolving its
/// own credentials through that same profile, start itself without end. The marker
/// says which profile the api-key that started this process resolves through.
fn guard_credential_loop(profile: &str) -> Result<(), Error> {
    if crate::env::var(crate::env::CDK_API_KEY_RESOLVING_PROFILE).as_deref() == Some(profile) {
        return Err(ApiKeyError::CredentialLoop {
            profile: profile.to_owned(),
        }
        .into());
    }
    mark_resolving(profile);
    Ok(())
}

/// Say, to the processes this one starts, which profile it resolves through (this runs
/// before any other thread exists).
fn mark_resolving(profile: &str) {
    crate::sys::set_env_var_before_threads(crate::env::CDK_API_KEY_RESOLVING_PROFILE, profile);
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let aws = Aws::new(cli.aws.selection());
    match cli.command {
        Command::Get { stack, output } => {
            let key = resolve_key(&aws, &stack, WhenMissing::Fail).await?;
            output::print(output.into(), &[Var::secret("API_KEY", &key)])?;
        }
        Command::Ensure(KeyWrite {
            stack,
            kms_key_id,
            output,
        }) => {
            let when_missing = WhenMissing::Create {
                kms_key_id: kms_key_id.as_ref(),
            };
            let key = resolve_key(&aws, &stack, when_missing).await?;
            output::print(output.into(), &[Var::secret("API_KEY", &key)])?;
        }
        Command::Rotate(KeyWrite {
            stack,
            kms_key_id,
            output,
        }) => {
            let account = account(&aws, &stack).await?;
            let key = store::rotate_key(&aws, &account, &stack.stack, kms_key_id.as_ref()).await?;
            warn(format_args!(
                "the API accepts the new key only after the stack is deployed again (cdk deploy {})",
                stack.stack
            ));
            output::print(output.into(), &[Var::secret("API_KEY", &key)])?;
        }
        Command::Endpoint { stack, refresh } => {
            let base = stack::endpoint(&aws, &stack, refresh).await?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{base}")?;
            out.flush()?;
        }
        Command::Forget { stack } => {
            let removed = ApiKeyCache::open()?.forget(stack.account.as_ref(), &stack.stack)?;
            if removed {
                note(format_args!("removed {} from the local cache", stack.stack));
            } else {
                note(format_args!("{} was not in the local cache", stack.stack));
            }
        }
        Command::IamCredentials { stack, iam, output } => {
            let creds =
                iam::invoke_credentials(&aws, &stack.stack, stack.account.as_ref(), &iam.options())
                    .await?;
            print_credentials(output, &creds)?;
        }
        Command::Exec { who, command } => return exec(&aws, &who, &command).await,
        Command::Call(args) => call_api(&aws, args).await?,
    }
    Ok(ExitStatus::Success)
}

/// `exec`: the command with the caller's key or IAM credentials in its environment,
/// in place of this process.
async fn exec(aws: &Aws, who: &Caller, command: &[OsString]) -> Result<ExitStatus, Error> {
    let mut child = std::process::Command::new(&command[0]);
    child.args(&command[1..]);
    // The child is not part of this process's credential resolution.
    child.env_remove(crate::env::CDK_API_KEY_RESOLVING_PROFILE);
    match who.proof(aws).await? {
        Proof::Iam(creds) => creds.apply_to(&mut child),
        Proof::ApiKey(key) => {
            child.env("API_KEY", key.expose());
        }
    }
    super::cli::exec(child, &command[0])
}

/// `call`: one request to the API, authenticated as the caller; the answer on stdout,
/// its status deciding the exit status.
async fn call_api(aws: &Aws, args: CallArgs) -> Result<(), Error> {
    let CallArgs {
        who,
        request,
        header,
        data,
        timeout,
        max_response_bytes,
        refresh,
        url,
    } = args;
    let url = url.resolve(aws, &who.stack.stack, refresh).await?;
    let body = match data.as_deref() {
        None => None,
        Some("@-") => Some(read_bytes(None, "the request body on stdin")?),
        Some(d) if d.starts_with('@') => Some(read_bytes(
            Some(std::path::Path::new(&d[1..])),
            "the request body",
        )?),
        Some(d) => Some(d.as_bytes().to_vec()),
    };
    let auth = match who.proof(aws).await? {
        Proof::ApiKey(key) => CallAuth::ApiKey(key),
        Proof::Iam(credentials) => CallAuth::Iam {
            credentials,
            region: match call::region_from_url(&url) {
                Some(r) => r,
                None => aws.region().await?,
            },
        },
    };
    let request = CallRequest {
        method: request,
        url,
        headers: header,
        body,
        timeout: Duration::from_secs(timeout),
        max_response_bytes,
    };
    let response = call::call(&request, &auth).await?;
    let printed = {
        let mut out = std::io::stdout().lock();
        out.write_all(&response.body).and_then(|()| out.flush())
    };
    if !response.status.is_success() {
        // The API's answer decides the status, whether or not stdout is still open.
        return Err(ApiKeyError::Status {
            url: request.url.to_string(),
            status: response.status.as_u16(),
        }
        .into());
    }
    match printed {
        Err(e) if !is_broken_pipe(&e) => Err(e.into()),
        _ => Ok(()),
    }
}

async fn account(aws: &Aws, stack: &StackArgs) -> Result<AccountId, Error> {
    match &stack.account {
        Some(a) => Ok(a.clone()),
        None => {
            let me = aws.caller_identity(None).await?;
            me.account.parse::<AccountId>().map_err(|_| {
                Error::Aws(crate::aws::AwsError::Unexpected {
                    operation: "STS GetCallerIdentity",
                    reason: "the account in the answer is not 12 digits".into(),
                })
            })
        }
    }
}

async fn resolve_key(
    aws: &Aws,
    stack: &StackArgs,
    when_missing: WhenMissing<'_>,
) -> Result<Secret, Error> {
    let account = account(aws, stack).await?;
    let (key, origin) = store::resolve_key(aws, &account, &stack.stack, when_missing).await?;
    if origin == KeyOrigin::Created {
        note(format_args!(
            "created the SSM parameter {}",
            stack.stack.parameter_name()
        ));
    }
    Ok(key)
}

fn print_credentials(format: CredentialsFormat, creds: &InvokeCredentials) -> Result<(), Error> {
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
        CredentialsFormat::Powershell => SecretFormat::Powershell,
        CredentialsFormat::Fish => SecretFormat::Fish,
        CredentialsFormat::Dotenv => SecretFormat::Dotenv,
        CredentialsFormat::Json => SecretFormat::Json,
        CredentialsFormat::Github | CredentialsFormat::CredentialProcess => SecretFormat::Github,
    };
    output::print(format, &vars)?;
    Ok(())
}
