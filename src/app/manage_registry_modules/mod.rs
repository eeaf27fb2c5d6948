//! `manage-registry-modules`: pack a module folder into a reproducible archive, publish
//! versions to the private registry exactly once, list and fetch them as Terraform
//! does, and unpublish them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::cli::runtime;
use super::error::Error;
use crate::diag::note;
use crate::exit::ExitStatus;
use crate::registry::modules::ModulesError;
use crate::registry::modules::pack::{Archive, Contents, collect, write_archive};

mod args;
mod fetch;
mod publish;

pub(crate) use args::Cli;
use args::{BINARY, Command, PackArgs};
use fetch::{download, unpublish, versions};
use publish::{files_progress, publish_all};

pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    super::cli::run(BINARY, args, run)
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let aws = cli.aws.selection();
    match cli.command {
        Command::Pack(args) => pack(&args),
        Command::Publish(args) => runtime()?.block_on(publish_all(&args, &aws)),
        Command::Versions(args) => runtime()?.block_on(versions(&args, &aws)),
        Command::Download(args) => runtime()?.block_on(download(&args, &aws)),
        Command::Unpublish(args) => runtime()?.block_on(unpublish(&args, &aws)),
    }
}

fn pack(args: &PackArgs) -> Result<ExitStatus, Error> {
    let options = args.archive.options()?;
    let contents = collect(&args.dir, &options).map_err(ModulesError::from)?;
    let mut out = std::io::stdout().lock();
    if args.list {
        let archive =
            write_archive(&contents, &options, std::io::sink(), &()).map_err(ModulesError::from)?;
        print_listing(&mut out, &contents, &archive)?;
        return Ok(ExitStatus::Success);
    }
    let target = match &args.output {
        Some(p) if p.as_os_str() == "-" => {
            if out.is_terminal() {
                return Err(Error::Usage(
                    "stdout is a terminal: redirect it, or name a file with --output".into(),
                ));
            }
            let archive = write_archive(&contents, &options, &mut out, &files_progress())
                .map_err(ModulesError::from)?;
            out.flush()?;
            note(format_args!(
                "{} bytes, sha256 {}",
                archive.size,
                archive.sha256_hex()
            ));
            return Ok(ExitStatus::Success);
        }
        Some(p) => p.clone(),
        None => PathBuf::from(format!("{}.tar.gz", folder_name(&args.dir))),
    };
    let mut buffer = Vec::new();
    let archive = write_archive(&contents, &options, &mut buffer, &files_progress())
        .map_err(ModulesError::from)?;
    crate::fsutil::replace(&target, &buffer, crate::fsutil::Ownership::mine(0o644)).map_err(
        |source| Error::Input {
            what: format!("{} (writing it)", target.display()),
            source,
        },
    )?;
    writeln!(
        out,
        "{}  {} bytes  sha256 {}",
        target.display(),
        archive.size,
        archive.sha256_hex()
    )?;
    Ok(ExitStatus::Success)
}

/// The last part of `dir` (its real name for `.`).
fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "module".to_owned())
}

fn print_listing(
    out: &mut impl Write,
    contents: &Contents,
    archive: &Archive,
) -> std::io::Result<()> {
    for f in &contents.files {
        writeln!(out, "{}", f.path)?;
    }
    for l in &contents.left_out {
        writeln!(out, "left out: {} (rule {}, {})", l.path, l.rule, l.source)?;
    }
    let bytes: u64 = contents.files.iter().map(|f| f.size).sum();
    writeln!(
        out,
        "{} files, {bytes} bytes; the archive: {} bytes, sha256 {}",
        contents.files.len(),
        archive.size,
        archive.sha256_hex()
    )?;
    out.flush()
}
