//! clap's view of the domain's values: the names and help of each choice a flag
//! offers. Below `app`, these are plain domain enums that know nothing of clap.

use clap::ValueEnum;

use crate::output::SecretFormat;
use crate::registry::Service;

/// `--service`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ServiceArg {
    /// The registry sits behind API Gateway.
    ExecuteApi,
    /// The registry is a Lambda function URL.
    Lambda,
}

impl From<ServiceArg> for Service {
    fn from(s: ServiceArg) -> Self {
        match s {
            ServiceArg::ExecuteApi => Service::ExecuteApi,
            ServiceArg::Lambda => Service::Lambda,
        }
    }
}

/// `--output` of a command that prints a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SecretOutput {
    /// The bare value (several values: NAME=value lines).
    Text,
    /// A JSON object.
    Json,
    /// `export NAME='value'` lines for `eval` in a POSIX shell.
    Env,
    /// `$env:NAME = 'value'` lines for PowerShell (`| Invoke-Expression`).
    Powershell,
    /// `set -gx NAME 'value'` lines for fish (`| source`).
    Fish,
    /// `NAME="value"` lines for .env files.
    Dotenv,
    /// Append to $GITHUB_ENV and mask the values in the job log.
    Github,
}

impl From<SecretOutput> for SecretFormat {
    fn from(f: SecretOutput) -> Self {
        match f {
            SecretOutput::Text => SecretFormat::Text,
            SecretOutput::Json => SecretFormat::Json,
            SecretOutput::Env => SecretFormat::Env,
            SecretOutput::Powershell => SecretFormat::Powershell,
            SecretOutput::Fish => SecretFormat::Fish,
            SecretOutput::Dotenv => SecretFormat::Dotenv,
            SecretOutput::Github => SecretFormat::Github,
        }
    }
}
