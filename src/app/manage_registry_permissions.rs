//! `manage-registry-permissions`: the registry's grants in DynamoDB.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::aws_args::AwsArgs;
use super::cli::runtime;
use super::error::Error;
use crate::aws::Aws;
use crate::aws::arn::RoleArn;
use crate::aws::reference::Ref;
use crate::diag::note;
use crate::exit::ExitStatus;
use crate::registry::grants::{
    DEFAULT_TABLE, GrantRecord, GrantTable, Namespace, PERMISSIONS, PermissionChanges,
};

const BINARY: &str = "manage-registry-permissions";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::cli::LONG_VERSION,
    about = "Manage which IAM roles may download or upload modules in a private Terraform registry namespace",
    after_help = "Examples:\n  manage-registry-permissions -r arn:aws:iam::123456789012:role/ci -n platform create --download\n  \
        manage-registry-permissions -r arn:aws:iam::123456789012:role/ci -n platform update --upload --no-download\n  \
        manage-registry-permissions -n platform list\n  \
        manage-registry-permissions -r arn:aws:iam::123456789012:role/ci -n platform delete --yes"
)]
pub(crate) struct Cli {
    /// The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role).
    #[arg(long, short = 'r', global = true, value_name = "ARN")]
    role_arn: Option<RoleArn>,
    /// The registry namespace.
    #[arg(long, short = 'n', global = true, value_name = "NAMESPACE")]
    namespace: Option<Namespace>,
    /// The registry's DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, global = true, value_name = "NAME", env = crate::env::TABLE, default_value = DEFAULT_TABLE)]
    table: Ref<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "text")]
    output: OutputFormat,
    #[command(flatten)]
    aws: AwsArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a grant (fails if it exists); unnamed permissions are off.
    Create(PermissionFlags),
    /// Change the named permissions of an existing grant; the others stay as they are.
    Update(PermissionFlags),
    /// Delete a grant (asks on a terminal unless --yes); exits 1 when there was none.
    Delete {
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Show one grant; exits 1 when there is none.
    Get,
    /// List grants: of --namespace, of --role-arn, or all.
    List {
        /// Items DynamoDB returns per request (every page is read).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..))]
        page_size: Option<i32>,
    },
}

/// `--download` turns a permission on, `--download=false` or `--no-download` off.
#[derive(Debug, Clone, Args)]
struct PermissionFlags {
    /// Allow downloading modules.
    #[arg(long, short = 'd', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_download")]
    download: Option<bool>,
    /// Deny downloading modules.
    #[arg(long)]
    no_download: bool,
    /// Allow uploading modules.
    #[arg(long, short = 'u', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_upload")]
    upload: Option<bool>,
    /// Deny uploading modules.
    #[arg(long)]
    no_upload: bool,
    /// Allow creating grants.
    #[arg(long, short = 'c', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_create_grant")]
    create_grant: Option<bool>,
    /// Deny creating grants.
    #[arg(long)]
    no_create_grant: bool,
    /// Allow deleting grants.
    #[arg(long, short = 'D', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_delete_grant")]
    delete_grant: Option<bool>,
    /// Deny deleting grants.
    #[arg(long)]
    no_delete_grant: bool,
}

impl PermissionFlags {
    fn changes(&self) -> PermissionChanges {
        let pick = |on: Option<bool>, off: bool| if off { Some(false) } else { on };
        PermissionChanges {
            download: pick(self.download, self.no_download),
            upload: pick(self.upload, self.no_upload),
            create_grant: pick(self.create_grant, self.no_create_grant),
            delete_grant: pick(self.delete_grant, self.no_delete_grant),
        }
    }
}

pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    super::cli::run(BINARY, args, |cli: Cli| runtime()?.block_on(run(cli)))
}

/// The role and namespace a single-grant command needs.
fn target(cli: &Cli) -> Result<(&Namespace, &RoleArn), Error> {
    let role = cli
        .role_arn
        .as_ref()
        .ok_or_else(|| Error::Usage("no role given: pass --role-arn/-r ARN".into()))?;
    let ns = cli
        .namespace
        .as_ref()
        .ok_or_else(|| Error::Usage("no namespace given: pass --namespace/-n NAMESPACE".into()))?;
    Ok((ns, role))
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    if let Some(session) = cli.role_arn.as_ref().and_then(RoleArn::session) {
        note(format_args!(
            "{session} is a session; the registry looks up its role {}",
            cli.role_arn
                .as_ref()
                .map(RoleArn::as_str)
                .unwrap_or_default()
        ));
    }
    let aws = Aws::new(cli.aws.selection());
    let table_name = cli.table.resolve(&aws).await?;
    match &cli.command {
        Command::Create(flags) => {
            let (ns, role) = target(&cli)?;
            let table = GrantTable::new(aws.dynamodb().await?, &table_name);
            let grant = table.create(ns, role, flags.changes().or_off()).await?;
            print_one(cli.output, &grant)?;
        }
        Command::Update(flags) => {
            let (ns, role) = target(&cli)?;
            let table = GrantTable::new(aws.dynamodb().await?, &table_name);
            let grant = table.update(ns, role, flags.changes()).await?;
            print_one(cli.output, &grant)?;
        }
        Command::Delete { yes } => {
            let (ns, role) = target(&cli)?;
            if !yes
                && std::io::stdin().is_terminal()
                && std::io::stderr().is_terminal()
                && !confirm(ns.as_str(), role.as_str())?
            {
                return Err(Error::Declined("deleted"));
            }
            let table = GrantTable::new(aws.dynamodb().await?, &table_name);
            let grant = table.delete(ns, role).await?;
            note(format_args!(
                "deleted the grant for {role} in namespace {ns}"
            ));
            print_one(cli.output, &grant)?;
        }
        Command::Get => {
            let (ns, role) = target(&cli)?;
            let table = GrantTable::new(aws.dynamodb().await?, &table_name);
            print_one(cli.output, &table.get(ns, role).await?)?;
        }
        Command::List { page_size } => {
            let table = GrantTable::new(aws.dynamodb().await?, &table_name);
            let grants = table
                .list(cli.namespace.as_ref(), cli.role_arn.as_ref(), *page_size)
                .await?;
            print_list(cli.output, &grants)?;
        }
    }
    Ok(ExitStatus::Success)
}

fn confirm(ns: &str, role: &str) -> Result<bool, Error> {
    let mut err = std::io::stderr().lock();
    write!(err, "Delete the grant for {role} in namespace {ns}? [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|source| Error::Input {
            what: "the answer".into(),
            source,
        })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    Ok(crate::output::pretty_json(value).map_err(crate::output::OutputError::from)?)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn print_one(format: OutputFormat, grant: &GrantRecord) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => writeln!(out, "{}", pretty(grant)?)?,
        OutputFormat::Text => {
            writeln!(out, "{:<13} {}", "namespace", grant.namespace)?;
            writeln!(out, "{:<13} {}", "role", grant.role_arn)?;
            for name in PERMISSIONS {
                writeln!(out, "{name:<13} {}", yes_no(grant.permissions.get(name)))?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn print_list(format: OutputFormat, grants: &[GrantRecord]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => writeln!(out, "{}", pretty(grants)?)?,
        OutputFormat::Text => {
            let ns_w = grants
                .iter()
                .map(|g| g.namespace.len())
                .max()
                .unwrap_or(0)
                .max("NAMESPACE".len());
            let role_w = grants
                .iter()
                .map(|g| g.role_arn.len())
                .max()
                .unwrap_or(0)
                .max("ROLE".len());
            writeln!(
                out,
                "{:<ns_w$}  {:<role_w$}  DOWNLOAD  UPLOAD  CREATE_GRANT  DELETE_GRANT",
                "NAMESPACE", "ROLE"
            )?;
            for g in grants {
                let p = &g.permissions;
                writeln!(
                    out,
                    "{:<ns_w$}  {:<role_w$}  {:<8}  {:<6}  {:<12}  {}",
                    g.namespace,
                    g.role_arn,
                    yes_no(p.download),
                    yes_no(p.upload),
                    yes_no(p.create_grant),
                    yes_no(p.delete_grant)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
