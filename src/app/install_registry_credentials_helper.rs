//! `install-registry-credentials-helper`.

use std::process::ExitCode;

use clap::Parser;

use crate::aws::AwsArgs;
use crate::exit::ExitStatus;

#[derive(Debug, Parser)]
#[command(name = "install-registry-credentials-helper", version)]
pub struct Cli {
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn main() -> ExitCode {
    crate::exit::run("install-registry-credentials-helper", || {
        let _cli = Cli::parse();
        Ok(ExitStatus::Success)
    })
}
