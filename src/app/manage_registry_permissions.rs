//! `manage-registry-permissions`.

use std::process::ExitCode;

use clap::Parser;

use crate::aws::AwsArgs;
use crate::exit::ExitStatus;

#[derive(Debug, Parser)]
#[command(name = "manage-registry-permissions", version)]
pub struct Cli {
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn main() -> ExitCode {
    crate::exit::run("manage-registry-permissions", || {
        let _cli = Cli::parse();
        Ok(ExitStatus::Success)
    })
}
