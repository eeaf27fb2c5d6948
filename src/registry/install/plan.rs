//! An install or an uninstall as one change. Every file's new content is decided first
//! (a [`Plan`]); `--dry-run` shows it, a real run applies it: each new file is written
//! beside its target, then all are moved into place, and on a failure the ones already
//! moved are put back, so a failed install leaves neither the settings file nor a CLI
//! config changed and no helper behind. The caller holds the settings file's lock from
//! before it reads anything until the plan is applied: installs run at once take turns,
//! and each sees the hosts the others recorded.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::super::cliconfig::{self, CredentialsConfig, Edit, HostWanted};
use super::super::discovery::Need;
use super::super::host::RegistryHost;
use super::super::settings::{HostSettings, RegistrySettings};
use super::error::InstallError;
use super::helper::{BlockArgs, HelperName, ReadArgs, is_our_helper};
use super::rcfile::RcFile;
use crate::fsutil::{Ownership, Staged};

/// The helper executable put in place: a copy of `source`, or a link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelperInstall {
    pub(crate) source: PathBuf,
    pub(crate) dest: PathBuf,
    pub(crate) link: bool,
}

/// What happens to the helper executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HelperChange {
    Install(HelperInstall),
    Remove(PathBuf),
}

/// One CLI-config file's change.
#[derive(Debug, Clone)]
pub(crate) struct ConfigEdit {
    pub(crate) file: RcFile,
    /// Its new text; `None`: the file goes (it held only our block, and is no link).
    pub(crate) text: Option<String>,
    /// The blocks it loses.
    pub(crate) removed: Vec<cliconfig::Removed>,
    /// The blocks it gains.
    pub(crate) added: Vec<cliconfig::Added>,
}

/// Every change of one install or uninstall, decided before anything changes.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The settings file as read, and as it will be.
    pub(crate) settings_before: RegistrySettings,
    pub(crate) settings: RegistrySettings,
    /// Entries left out when the file was read (they did not parse): the file is
    /// written again without them.
    pub(crate) settings_left_out: Vec<RegistryHost>,
    pub(crate) configs: Vec<ConfigEdit>,
    /// CLI-config files already as they should be.
    pub(crate) up_to_date: Vec<PathBuf>,
    pub(crate) helper: Option<HelperChange>,
    /// A helper where ours would be that this toolkit did not put there: left alone.
    pub(crate) foreign_helper: Option<PathBuf>,
    /// Hosts named to uninstall that were not configured.
    pub(crate) not_configured: Vec<RegistryHost>,
}

/// An install: `hosts` with the settings `given`, the helper from `helper`.
pub(crate) struct InstallRequest<'a> {
    pub(crate) hosts: &'a [RegistryHost],
    pub(crate) given: &'a HostSettings,
    pub(crate) name: &'a HelperName,
    /// Replace another helper's block.
    pub(crate) force: bool,
    pub(crate) helper: HelperInstall,
    pub(crate) read_args: ReadArgs,
    /// What each host needs for Terraform to find its modules (a host not named here
    /// keeps whatever override it has).
    pub(crate) needs: &'a [(RegistryHost, Need)],
}

/// Each host's wanted `host` block, from what it needs (`Keep` where not known).
fn wanted<'a>(
    hosts: impl Iterator<Item = &'a RegistryHost>,
    needs: &[(RegistryHost, Need)],
) -> Vec<(String, HostWanted)> {
    hosts
        .map(|host| {
            let want = match needs.iter().find(|(h, _)| h == host).map(|(_, n)| n) {
                Some(Need::Override(url)) => HostWanted::Override(url.to_string()),
                Some(Need::Nothing) => HostWanted::Absent,
                Some(Need::Unknown) | None => HostWanted::Keep,
            };
            (host.to_string(), want)
        })
        .collect()
}

/// An uninstall of `hosts` (every host, when empty).
pub(crate) struct UninstallRequest<'a> {
    pub(crate) hosts: &'a [RegistryHost],
    /// Those whose entries did not parse, left out of the settings as read.
    pub(crate) left_out: &'a [RegistryHost],
    pub(crate) name: &'a HelperName,
    pub(crate) helper: &'a Path,
    pub(crate) read_args: ReadArgs,
}

/// Our blocks' arguments in each file, as the helper reads them (`None` where a file
/// has none), and the settings with the hosts those blocks name that the settings file
/// lacks (an earlier version kept them there), given the settings the blocks' flags say.
fn read_blocks(
    settings: &RegistrySettings,
    files: &[RcFile],
    name: &HelperName,
    read_args: ReadArgs,
) -> Result<(RegistrySettings, Vec<Option<BlockArgs>>), InstallError> {
    let mut settings = settings.clone();
    let mut per_file = Vec::with_capacity(files.len());
    for file in files {
        let json = file.path.extension().is_some_and(|e| e == "json");
        let config = CredentialsConfig::parse(&file.text, json).map_err(|e| file.unreadable(e))?;
        let mut ours: Option<BlockArgs> = None;
        for block in config.helpers.iter().filter(|b| b.name == name.as_str()) {
            let read = read_args(block.args.as_deref().unwrap_or_default()).map_err(|reason| {
                InstallError::BlockArgs {
                    path: file.path.clone(),
                    reason,
                }
            })?;
            let given = read.settings.to_settings();
            for host in &read.hosts {
                if settings.get(host).is_none() {
                    settings.set(host, &given);
                }
            }
            match &mut ours {
                // An old installer's block repeated: one block keeps the first's arguments.
                Some(first) => first.hosts.extend(read.hosts),
                None => ours = Some(read),
            }
        }
        per_file.push(ours);
    }
    Ok((settings, per_file))
}

impl Plan {
    fn new(settings_before: RegistrySettings, settings: RegistrySettings) -> Self {
        Self {
            settings_before,
            settings,
            settings_left_out: Vec::new(),
            configs: Vec::new(),
            up_to_date: Vec::new(),
            helper: None,
            foreign_helper: None,
            not_configured: Vec::new(),
        }
    }

    /// Install: the hosts recorded with their settings, one block serving every host in
    /// each CLI-config file (keeping the arguments the user added to ours), the helper
    /// put in place.
    pub(crate) fn install(
        settings: RegistrySettings,
        files: Vec<RcFile>,
        request: &InstallRequest<'_>,
    ) -> Result<Self, InstallError> {
        let (mut updated, blocks) =
            read_blocks(&settings, &files, request.name, request.read_args)?;
        for host in request.hosts {
            updated.set(host, request.given);
        }
        let mut plan = Plan::new(settings, updated);
        for (file, block) in files.into_iter().zip(blocks) {
            let kept = block.map(|b| b.kept).unwrap_or_default();
            let args = BlockArgs::with_hosts(&kept, plan.settings.hosts());
            let hosts = wanted(plan.settings.hosts(), request.needs);
            match cliconfig::plan_install(
                &file.text,
                request.name.as_str(),
                &args,
                request.force,
                &hosts,
            )
            .map_err(|e| file.unreadable(e))?
            {
                Edit::Conflict { other } => {
                    return Err(InstallError::Conflict {
                        path: file.path,
                        other,
                    });
                }
                Edit::Unchanged => plan.up_to_date.push(file.path),
                Edit::Rewrite {
                    text,
                    removed,
                    added,
                } => plan.configs.push(ConfigEdit {
                    file,
                    text: Some(text),
                    removed,
                    added,
                }),
            }
        }
        let dest = &request.helper.dest;
        crate::fsutil::check_replaceable(dest, false).map_err(|e| {
            InstallError::TargetNotRegular {
                path: dest.clone(),
                what: regular_what(&e),
            }
        })?;
        if !helper_in_place(&request.helper) {
            plan.helper = Some(HelperChange::Install(request.helper.clone()));
        }
        Ok(plan)
    }

    /// Uninstall: the hosts named (every one, when none is) leave the settings file
    /// and the block; the block, the settings file and the helper go with the last host.
    /// A host that was not configured changes nothing.
    pub(crate) fn uninstall(
        settings: RegistrySettings,
        files: Vec<RcFile>,
        request: &UninstallRequest<'_>,
    ) -> Result<Self, InstallError> {
        let (mut remaining, blocks) =
            read_blocks(&settings, &files, request.name, request.read_args)?;
        let all: Vec<RegistryHost> = remaining.hosts().cloned().collect();
        let named = if request.hosts.is_empty() {
            &all
        } else {
            request.hosts
        };
        let mut not_configured = Vec::new();
        let mut removed_any = false;
        for host in named {
            if remaining.remove(host) || request.left_out.contains(host) {
                removed_any = true;
            } else {
                not_configured.push(host.clone());
            }
        }
        let everything = request.hosts.is_empty() || remaining.is_empty();
        let mut plan = Plan::new(settings, remaining);
        plan.not_configured = not_configured;
        plan.settings_left_out = request.left_out.to_vec();
        if !request.hosts.is_empty() && !removed_any {
            return Ok(plan);
        }
        for (file, block) in files.into_iter().zip(blocks) {
            if everything {
                if let Some((text, removed)) =
                    cliconfig::plan_uninstall(&file.text).map_err(|e| file.unreadable(e))?
                {
                    // An emptied file goes, unless the user's path is a link to it.
                    let text =
                        (!text.trim().is_empty() || file.target != file.path).then_some(text);
                    plan.configs.push(ConfigEdit {
                        file,
                        text,
                        removed,
                        added: Vec::new(),
                    });
                }
                continue;
            }
            // Some hosts are left: only a file that has our block is rewritten.
            let Some(block) = block else { continue };
            let args = BlockArgs::with_hosts(&block.kept, plan.settings.hosts());
            // The hosts left keep their overrides; those removed lose theirs.
            let hosts = wanted(plan.settings.hosts(), &[]);
            if let Edit::Rewrite {
                text,
                removed,
                added,
            } = cliconfig::plan_install(&file.text, request.name.as_str(), &args, false, &hosts)
                .map_err(|e| file.unreadable(e))?
            {
                plan.configs.push(ConfigEdit {
                    file,
                    text: Some(text),
                    removed,
                    added,
                });
            }
        }
        if everything && fs::symlink_metadata(request.helper).is_ok() {
            if is_our_helper(request.helper) {
                plan.helper = Some(HelperChange::Remove(request.helper.to_owned()));
            } else {
                plan.foreign_helper = Some(request.helper.to_owned());
            }
        }
        Ok(plan)
    }

    /// Whether the settings file changes.
    pub(crate) fn settings_changed(&self) -> bool {
        self.settings != self.settings_before || !self.settings_left_out.is_empty()
    }

    /// Whether applying it changes nothing at all.
    pub(crate) fn changes_nothing(&self) -> bool {
        !self.settings_changed() && self.configs.is_empty() && self.helper.is_none()
    }

    /// Make every change, or none: all new files are written beside their targets
    /// first, then moved into place one by one; when one cannot be, the ones already
    /// moved are put back as they were. A CLI config another program edited since it
    /// was read stops everything before anything moves.
    pub(crate) fn apply(&self) -> Result<(), InstallError> {
        for edit in &self.configs {
            if !edit.file.unchanged()? {
                return Err(InstallError::Changed {
                    path: edit.file.path.clone(),
                });
            }
        }
        let mut steps = Vec::new();
        for edit in &self.configs {
            steps.push(config_step(edit)?);
        }
        if self.settings_changed() {
            steps.push(settings_step(&self.settings)?);
        }
        match &self.helper {
            Some(HelperChange::Install(install)) => steps.push(helper_step(install)?),
            Some(HelperChange::Remove(path)) => steps.push(Step::Remove {
                path: path.clone(),
                shown: path.clone(),
                old: None,
            }),
            None => {}
        }
        let mut done: Vec<Undo> = Vec::with_capacity(steps.len());
        for step in steps {
            match step.commit() {
                Ok(undo) => done.push(undo),
                Err(e) => {
                    for undo in done.into_iter().rev() {
                        undo.run();
                    }
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// What an error from [`crate::fsutil::check_replaceable`] says the path is.
fn regular_what(e: &io::Error) -> String {
    let text = e.to_string();
    text.strip_prefix("it is ")
        .and_then(|t| t.strip_suffix(", not a regular file"))
        .unwrap_or(&text)
        .to_owned()
}

/// Whether the helper is already exactly what `install` puts there.
fn helper_in_place(install: &HelperInstall) -> bool {
    if install.link {
        return fs::read_link(&install.dest).is_ok_and(|to| to == install.source);
    }
    let Ok(meta) = fs::symlink_metadata(&install.dest) else {
        return false;
    };
    meta.is_file()
        && fs::metadata(&install.source).is_ok_and(|m| m.len() == meta.len())
        && matches!(
            (fs::read(&install.dest), fs::read(&install.source)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// A file's content and owner before a change, to put back.
type Before = Option<(Vec<u8>, Ownership)>;

/// One change, prepared.
enum Step {
    /// Move `staged` into place (`old`: what was there, to put back).
    Put {
        staged: Staged,
        shown: PathBuf,
        old: Before,
    },
    /// Remove `path` (`old`: what it held, to put back).
    Remove {
        path: PathBuf,
        shown: PathBuf,
        old: Before,
    },
}

/// How to undo a change made.
struct Undo {
    path: PathBuf,
    old: Before,
}

impl Undo {
    /// Put back what was there (best effort: this runs only because something else
    /// already failed, and that failure is the one reported).
    fn run(self) {
        match self.old {
            Some((bytes, ownership)) => {
                let _ = crate::fsutil::replace(&self.path, &bytes, ownership);
            }
            None => {
                let _ = fs::remove_file(&self.path);
            }
        }
    }
}

impl Step {
    fn commit(self) -> Result<Undo, InstallError> {
        match self {
            Step::Put { staged, shown, old } => {
                let path = staged.target().to_owned();
                staged.commit().map_err(|source| InstallError::Write {
                    path: shown,
                    source,
                })?;
                Ok(Undo { path, old })
            }
            Step::Remove { path, shown, old } => match fs::remove_file(&path) {
                Ok(()) => Ok(Undo { path, old }),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Undo { path, old: None }),
                Err(source) => Err(InstallError::Remove {
                    path: shown,
                    source,
                }),
            },
        }
    }
}

fn config_step(edit: &ConfigEdit) -> Result<Step, InstallError> {
    let file = &edit.file;
    let ownership = file.ownership.unwrap_or(Ownership::mine(0o644));
    let old = file
        .exists()
        .then(|| (file.text.clone().into_bytes(), ownership));
    let Some(text) = &edit.text else {
        return Ok(Step::Remove {
            path: file.target.clone(),
            shown: file.path.clone(),
            old,
        });
    };
    let err = |source| InstallError::Write {
        path: file.path.clone(),
        source,
    };
    if let Some(dir) = file.target.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(err)?;
    }
    Ok(Step::Put {
        staged: Staged::file(&file.target, text.as_bytes(), ownership).map_err(err)?,
        shown: file.path.clone(),
        old,
    })
}

fn settings_step(settings: &RegistrySettings) -> Result<Step, InstallError> {
    let path = settings.path().to_owned();
    let err = |source| InstallError::Write {
        path: path.clone(),
        source,
    };
    let ownership = Ownership::mine(0o600);
    let old = crate::fsutil::read_regular(&path, crate::fsutil::MAX_CONFIG_BYTES)
        .map_err(err)?
        .map(|bytes| (bytes, ownership));
    if settings.is_empty() {
        return Ok(Step::Remove {
            shown: path.clone(),
            path,
            old,
        });
    }
    let text = settings.render()?;
    Ok(Step::Put {
        staged: settings.file().stage(text.as_bytes()).map_err(err)?,
        shown: path.clone(),
        old,
    })
}

fn helper_step(install: &HelperInstall) -> Result<Step, InstallError> {
    let err = |source| InstallError::Install {
        dest: install.dest.clone(),
        source,
    };
    if let Some(dir) = install.dest.parent() {
        fs::create_dir_all(dir).map_err(err)?;
    }
    let staged = if install.link {
        Staged::link(&install.dest, &install.source)
    } else {
        fs::read(&install.source)
            .and_then(|bytes| Staged::file(&install.dest, &bytes, Ownership::mine(0o755)))
    }
    .map_err(err)?;
    Ok(Step::Put {
        staged,
        shown: install.dest.clone(),
        old: None,
    })
}
