//! `api-key`.

use std::process::ExitCode;

use clap::Parser;

use crate::aws::AwsArgs;
use crate::exit::ExitStatus;

#[derive(Debug, Parser)]
#[command(name = "api-key", version)]
pub struct Cli {
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn main() -> ExitCode {
    crate::exit::run("api-key", || {
        let _cli = Cli::parse();
        Ok(ExitStatus::Success)
    })
}
