//! `immukv`.

use std::process::ExitCode;

use clap::Parser;

use crate::aws::AwsArgs;
use crate::exit::ExitStatus;

#[derive(Debug, Parser)]
#[command(name = "immukv", version)]
pub struct Cli {
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn main() -> ExitCode {
    crate::exit::run("immukv", || {
        let _cli = Cli::parse();
        Ok(ExitStatus::Success)
    })
}
