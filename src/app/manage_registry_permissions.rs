//! `manage-registry-permissions`: the registry's grants in DynamoDB.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aws::{Aws, AwsArgs};
use crate::exit::{ExitStatus, failure, note, user_error};
use crate::registry::grants::{
    DEFAULT_TABLE, GrantRecord, GrantTable, PERMISSIONS, PermissionChanges, Permissions,
    normalize_role_arn, validate_namespace,
};

const BINARY: &str = "manage-registry-permissions";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    about = "Manage which IAM roles may download or upload modules in a private Terraform registry namespace",
    after_help = "Examples:\n  manage-registry-permissions -r arn:aws:iam::123456789012:role/ci -n platform create --download\n  \
        manage-registry-permissions -r arn:aws:iam::123456789012:role/ci -n platform update --upload --no-download\n  \
        manage-registry-permissions -n platform list\n  \
        manage-registry-permissions -r arn:aws:iam::123456789012:role/ci -n platform delete --yes"
)]
pub struct Cli {
    /// The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role).
    #[arg(long, short = 'r', global = true, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// The registry namespace.
    #[arg(long, short = 'n', global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// The registry's DynamoDB table [default: $TABLE, then terraform-registry].
    #[arg(long, global = true, value_name = "NAME")]
    pub table: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub output: OutputFormat,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
pub struct PermissionFlags {
    /// Allow downloading modules.
    #[arg(long, short = 'd', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_download")]
    pub download: Option<bool>,
    /// Deny downloading modules.
    #[arg(long)]
    pub no_download: bool,
    /// Allow uploading modules.
    #[arg(long, short = 'u', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_upload")]
    pub upload: Option<bool>,
    /// Deny uploading modules.
    #[arg(long)]
    pub no_upload: bool,
    /// Allow creating grants.
    #[arg(long, short = 'c', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_create_grant")]
    pub create_grant: Option<bool>,
    /// Deny creating grants.
    #[arg(long)]
    pub no_create_grant: bool,
    /// Allow deleting grants.
    #[arg(long, short = 'D', value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", overrides_with = "no_delete_grant")]
    pub delete_grant: Option<bool>,
    /// Deny deleting grants.
    #[arg(long)]
    pub no_delete_grant: bool,
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

pub fn main() -> ExitCode {
    crate::exit::run(BINARY, || {
        let cli = Cli::parse();
        crate::exit::runtime()?.block_on(run(cli))
    })
}

/// The role and namespace a single-grant command needs, validated before any AWS call.
fn target(cli: &Cli) -> anyhow::Result<(String, String)> {
    let role = cli
        .role_arn
        .as_deref()
        .ok_or_else(|| user_error("no role given: pass --role-arn/-r ARN"))?;
    let ns = cli
        .namespace
        .as_deref()
        .ok_or_else(|| user_error("no namespace given: pass --namespace/-n NAMESPACE"))?;
    validate_namespace(ns)?;
    let (role, converted) = normalize_role_arn(role)?;
    if let Some(n) = converted {
        note(n);
    }
    Ok((ns.to_owned(), role))
}

async fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    let table_name = cli
        .table
        .clone()
        .or_else(|| crate::env::var(crate::env::TABLE))
        .unwrap_or_else(|| DEFAULT_TABLE.to_owned());
    let aws = Aws::new(cli.aws.clone());
    match &cli.command {
        Command::Create(flags) => {
            let (ns, role) = target(&cli)?;
            let c = flags.changes();
            let permissions = Permissions {
                download: c.download.unwrap_or(false),
                upload: c.upload.unwrap_or(false),
                create_grant: c.create_grant.unwrap_or(false),
                delete_grant: c.delete_grant.unwrap_or(false),
            };
            let table = GrantTable::new(aws.dynamodb().await?, table_name);
            let grant = table.create(&ns, &role, permissions).await?;
            print_one(cli.output, &grant)?;
        }
        Command::Update(flags) => {
            let (ns, role) = target(&cli)?;
            // GrantTable::update refuses an update that names no permission.
            let changes = flags.changes();
            let table = GrantTable::new(aws.dynamodb().await?, table_name);
            let grant = table.update(&ns, &role, changes).await?;
            print_one(cli.output, &grant)?;
        }
        Command::Delete { yes } => {
            let (ns, role) = target(&cli)?;
            if !yes
                && std::io::stdin().is_terminal()
                && std::io::stderr().is_terminal()
                && !confirm(&ns, &role)?
            {
                return Err(failure("not deleted"));
            }
            let table = GrantTable::new(aws.dynamodb().await?, table_name);
            let grant = table.delete(&ns, &role).await?;
            note(format_args!(
                "deleted the grant for {role} in namespace {ns}"
            ));
            print_one(cli.output, &grant)?;
        }
        Command::Get => {
            let (ns, role) = target(&cli)?;
            let table = GrantTable::new(aws.dynamodb().await?, table_name);
            match table.get(&ns, &role).await? {
                Some(grant) => print_one(cli.output, &grant)?,
                None => return Err(failure(format!("no grant for {role} in namespace {ns}"))),
            }
        }
        Command::List { page_size } => {
            if let Some(ns) = &cli.namespace {
                validate_namespace(ns)?;
            }
            let role = match &cli.role_arn {
                Some(r) => {
                    let (role, converted) = normalize_role_arn(r)?;
                    if let Some(n) = converted {
                        note(n);
                    }
                    Some(role)
                }
                None => None,
            };
            let table = GrantTable::new(aws.dynamodb().await?, table_name);
            let grants = table
                .list(cli.namespace.as_deref(), role.as_deref(), *page_size)
                .await?;
            print_list(cli.output, &grants)?;
        }
    }
    Ok(ExitStatus::Success)
}

fn confirm(ns: &str, role: &str) -> anyhow::Result<bool> {
    let mut err = std::io::stderr().lock();
    write!(err, "Delete the grant for {role} in namespace {ns}? [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn print_one(format: OutputFormat, grant: &GrantRecord) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(grant)?)?,
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

fn print_list(format: OutputFormat, grants: &[GrantRecord]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(grants)?)?,
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
