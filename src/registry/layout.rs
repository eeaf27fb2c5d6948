//! Where Terraform and OpenTofu read their CLI configuration and look for credentials
//! helpers, as each applies its own rules: on Unix under the home folder (and OpenTofu's
//! XDG folders), on Windows under `%APPDATA%`. Pure: the folders and the variables that
//! matter are passed in, so every rule of both systems is unit-tested on either.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// A tool that runs credentials helpers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tool {
    Terraform,
    OpenTofu,
}

impl Tool {
    pub(crate) const ALL: [Tool; 2] = [Tool::Terraform, Tool::OpenTofu];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::Terraform => "terraform",
            Tool::OpenTofu => "opentofu",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The variables and folders that move a tool's files.
#[derive(Debug, Clone, Default)]
pub(crate) struct LayoutEnv {
    pub(crate) tf_cli_config_file: Option<PathBuf>,
    pub(crate) xdg_config_home: Option<PathBuf>,
    pub(crate) xdg_data_home: Option<PathBuf>,
    /// Windows: the user's roaming application data (`%APPDATA%`), where both tools
    /// keep their files there; `None` on Unix.
    pub(crate) appdata: Option<PathBuf>,
}

impl LayoutEnv {
    /// From this process's environment (empty values count as unset, as both tools
    /// treat them).
    pub(crate) fn from_process() -> Self {
        let path = |name| crate::env::var(name).map(PathBuf::from);
        if cfg!(windows) {
            return Self {
                tf_cli_config_file: path(crate::env::TF_CLI_CONFIG_FILE),
                appdata: dirs::config_dir(),
                ..Self::default()
            };
        }
        Self {
            tf_cli_config_file: path(crate::env::TF_CLI_CONFIG_FILE),
            xdg_config_home: path(crate::env::XDG_CONFIG_HOME),
            xdg_data_home: path(crate::env::XDG_DATA_HOME),
            appdata: None,
        }
    }

    /// The two CLI-config files in their default places, Terraform's then OpenTofu's:
    /// `~/.terraformrc` and `~/.tofurc`, or on Windows `%APPDATA%\terraform.rc` and
    /// `%APPDATA%\tofu.rc`.
    pub(crate) fn default_rc_files(&self, home: &Path) -> [PathBuf; 2] {
        match &self.appdata {
            Some(appdata) => [appdata.join("terraform.rc"), appdata.join("tofu.rc")],
            None => [home.join(".terraformrc"), home.join(".tofurc")],
        }
    }
}

/// One tool's files, as it would find them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) tool: Tool,
    /// The main CLI-config file.
    pub(crate) config_file: PathBuf,
    /// Whether the main file was named by `TF_CLI_CONFIG_FILE`.
    pub(crate) config_file_overridden: bool,
    /// The config folder (`credentials.tfrc.json`, `*.tfrc`).
    pub(crate) config_dir: PathBuf,
    /// Where credentials helpers are looked for, in order.
    pub(crate) plugin_dirs: Vec<PathBuf>,
}

/// `<os>_<arch>` as Terraform names its platforms.
pub(crate) fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{os}_{arch}")
}

fn plugins_of(data_dir: &Path) -> [PathBuf; 2] {
    let base = data_dir.join("plugins");
    [base.clone(), base.join(platform())]
}

impl Layout {
    pub(crate) fn of(tool: Tool, home: &Path, env: &LayoutEnv) -> Self {
        if let Some(appdata) = &env.appdata {
            return Self::windows(tool, appdata, env);
        }
        let legacy_dir = home.join(".terraform.d");
        let terraformrc = home.join(".terraformrc");
        match tool {
            Tool::Terraform => Self {
                tool,
                config_file: env.tf_cli_config_file.clone().unwrap_or(terraformrc),
                config_file_overridden: env.tf_cli_config_file.is_some(),
                config_dir: legacy_dir.clone(),
                plugin_dirs: plugins_of(&legacy_dir).to_vec(),
            },
            Tool::OpenTofu => {
                let tofurc = home.join(".tofurc");
                let config_file = match (&env.tf_cli_config_file, &env.xdg_config_home) {
                    (Some(f), _) => f.clone(),
                    // A fresh install (neither home file) uses the XDG location.
                    (None, Some(xdg)) if !terraformrc.exists() && !tofurc.exists() => {
                        xdg.join("opentofu").join("tofurc")
                    }
                    (None, _) if tofurc.exists() => tofurc,
                    (None, _) => terraformrc,
                };
                // ~/.terraform.d wins as long as it exists; creating it moves OpenTofu back.
                let config_dir = match &env.xdg_config_home {
                    Some(xdg) if !legacy_dir.exists() => xdg.join("opentofu"),
                    _ => legacy_dir.clone(),
                };
                let mut plugin_dirs = plugins_of(&legacy_dir).to_vec();
                if let Some(xdg) = &env.xdg_data_home {
                    plugin_dirs.extend(plugins_of(&xdg.join("opentofu")));
                }
                Self {
                    tool,
                    config_file,
                    config_file_overridden: env.tf_cli_config_file.is_some(),
                    config_dir,
                    plugin_dirs,
                }
            }
        }
    }

    /// Windows: both tools read `%APPDATA%\terraform.rc`, and OpenTofu
    /// `%APPDATA%\tofu.rc` before it (when both exist, `tofu.rc` wins); both keep their
    /// config folder and helpers in `%APPDATA%\terraform.d`.
    fn windows(tool: Tool, appdata: &Path, env: &LayoutEnv) -> Self {
        let dir = appdata.join("terraform.d");
        let [terraform_rc, tofu_rc] = env.default_rc_files(Path::new(""));
        let default_file = match tool {
            Tool::OpenTofu if tofu_rc.exists() => tofu_rc,
            _ => terraform_rc,
        };
        Self {
            tool,
            config_file: env.tf_cli_config_file.clone().unwrap_or(default_file),
            config_file_overridden: env.tf_cli_config_file.is_some(),
            config_dir: dir.clone(),
            plugin_dirs: plugins_of(&dir).to_vec(),
        }
    }

    /// Every CLI-config file the tool reads, in order: the main file; unless
    /// `TF_CLI_CONFIG_FILE` overrides it, every `*.tfrc` and `*.tfrc.json` in the config
    /// folder; and always `credentials.tfrc.json` there (where `login` keeps tokens).
    pub(crate) fn config_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.config_file.clone()];
        if !self.config_file_overridden
            && let Ok(entries) = fs::read_dir(&self.config_dir)
        {
            let mut found: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    (name.ends_with(".tfrc") || name.ends_with(".tfrc.json")) && p.is_file()
                })
                .collect();
            found.sort();
            files.extend(found);
        }
        let credentials = self.config_dir.join("credentials.tfrc.json");
        if !files.contains(&credentials) {
            files.push(credentials);
        }
        files
    }
}

/// A file that could be the helper `NAME`: `terraform-credentials-NAME` or
/// `terraform-credentials-NAME_vX.Y.Z`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) path: PathBuf,
    /// `None` for an unversioned file, which every versioned one beats.
    pub(crate) version: Option<(u64, u64, u64)>,
}

/// The helper the tool would run for `name`, and the others it passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HelperLookup {
    pub(crate) chosen: Option<Candidate>,
    pub(crate) passed_over: Vec<Candidate>,
}

fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let mut parts = s.splitn(3, '.');
    let mut next = || parts.next()?.parse::<u64>().ok();
    let version = (next()?, next()?, next().unwrap_or(0));
    Some(version)
}

/// Find the helper `file_name` (`terraform-credentials-NAME`) in `dirs` the way
/// Terraform's plugin discovery does: any file named so, unversioned or `_vX.Y.Z`
/// (and on Windows with `.exe` after that); the newest version wins, an unversioned
/// file loses to any versioned one, and among equals the first directory wins.
pub(crate) fn find_helper(dirs: &[PathBuf], file_name: &str) -> HelperLookup {
    find_helper_with(dirs, file_name, std::env::consts::EXE_SUFFIX)
}

/// [`find_helper`] for a system whose executables end in `suffix`.
fn find_helper_with(dirs: &[PathBuf], file_name: &str, suffix: &str) -> HelperLookup {
    let versioned_prefix = format!("{file_name}_v");
    let mut all = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut found: Vec<Candidate> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let name = name.strip_suffix(suffix)?;
                let version = if name == file_name {
                    None
                } else {
                    Some(parse_version(name.strip_prefix(&versioned_prefix)?)?)
                };
                Some(Candidate {
                    path: e.path(),
                    version,
                })
            })
            .collect();
        found.sort_by(|a, b| a.path.cmp(&b.path));
        all.extend(found);
    }
    let best = all
        .iter()
        .enumerate()
        .max_by(|(ia, a), (ib, b)| a.version.cmp(&b.version).then(ib.cmp(ia)))
        .map(|(i, _)| i);
    match best {
        Some(i) => {
            let chosen = all.remove(i);
            HelperLookup {
                chosen: Some(chosen),
                passed_over: all,
            }
        }
        None => HelperLookup::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> LayoutEnv {
        LayoutEnv::default()
    }

    #[test]
    fn terraform_reads_terraformrc_or_the_override() {
        let home = tempfile::tempdir().unwrap();
        let l = Layout::of(Tool::Terraform, home.path(), &env());
        assert_eq!(l.config_file, home.path().join(".terraformrc"));
        assert_eq!(l.plugin_dirs[0], home.path().join(".terraform.d/plugins"));
        assert!(l.plugin_dirs[1].ends_with(platform()));
        let e = LayoutEnv {
            tf_cli_config_file: Some("/etc/tf.rc".into()),
            ..env()
        };
        let l = Layout::of(Tool::Terraform, home.path(), &e);
        assert_eq!(l.config_file, Path::new("/etc/tf.rc"));
        assert!(l.config_file_overridden);
    }

    #[test]
    fn opentofu_prefers_tofurc_then_xdg_on_a_fresh_install() {
        let home = tempfile::tempdir().unwrap();
        let xdg = home.path().join("xdg");
        let e = LayoutEnv {
            xdg_config_home: Some(xdg.clone()),
            xdg_data_home: Some(home.path().join("data")),
            ..env()
        };
        let l = Layout::of(Tool::OpenTofu, home.path(), &e);
        assert_eq!(l.config_file, xdg.join("opentofu/tofurc"));
        assert_eq!(l.config_dir, xdg.join("opentofu"));
        assert_eq!(l.plugin_dirs.len(), 4);
        assert_eq!(l.plugin_dirs[2], home.path().join("data/opentofu/plugins"));
        // A home file moves it back; ~/.tofurc beats ~/.terraformrc.
        fs::write(home.path().join(".terraformrc"), "").unwrap();
        let l = Layout::of(Tool::OpenTofu, home.path(), &e);
        assert_eq!(l.config_file, home.path().join(".terraformrc"));
        fs::write(home.path().join(".tofurc"), "").unwrap();
        let l = Layout::of(Tool::OpenTofu, home.path(), &e);
        assert_eq!(l.config_file, home.path().join(".tofurc"));
        // Creating ~/.terraform.d moves its config folder back there.
        fs::create_dir(home.path().join(".terraform.d")).unwrap();
        let l = Layout::of(Tool::OpenTofu, home.path(), &e);
        assert_eq!(l.config_dir, home.path().join(".terraform.d"));
        // Without XDG variables, the home locations.
        let l = Layout::of(Tool::OpenTofu, home.path(), &env());
        assert_eq!(l.plugin_dirs.len(), 2);
    }

    /// Windows: both tools under %APPDATA%; OpenTofu's tofu.rc beats terraform.rc once
    /// it exists; TF_CLI_CONFIG_FILE still wins; the home folder plays no part.
    #[test]
    fn on_windows_both_tools_read_appdata() {
        let appdata = tempfile::tempdir().unwrap();
        let home = Path::new("/nowhere");
        let e = LayoutEnv {
            appdata: Some(appdata.path().to_owned()),
            ..env()
        };
        let tf = Layout::of(Tool::Terraform, home, &e);
        assert_eq!(tf.config_file, appdata.path().join("terraform.rc"));
        assert_eq!(tf.config_dir, appdata.path().join("terraform.d"));
        assert_eq!(
            tf.plugin_dirs[0],
            appdata.path().join("terraform.d").join("plugins")
        );
        let tofu = Layout::of(Tool::OpenTofu, home, &e);
        assert_eq!(tofu.config_file, appdata.path().join("terraform.rc"));
        assert_eq!(tofu.plugin_dirs, tf.plugin_dirs);
        fs::write(appdata.path().join("tofu.rc"), "").unwrap();
        let tofu = Layout::of(Tool::OpenTofu, home, &e);
        assert_eq!(tofu.config_file, appdata.path().join("tofu.rc"));
        let tf = Layout::of(Tool::Terraform, home, &e);
        assert_eq!(tf.config_file, appdata.path().join("terraform.rc"));
        let e = LayoutEnv {
            tf_cli_config_file: Some("C:\\ci\\tf.rc".into()),
            ..e
        };
        let tofu = Layout::of(Tool::OpenTofu, home, &e);
        assert_eq!(tofu.config_file, Path::new("C:\\ci\\tf.rc"));
        assert!(tofu.config_file_overridden);
        assert_eq!(
            e.default_rc_files(home),
            [
                appdata.path().join("terraform.rc"),
                appdata.path().join("tofu.rc")
            ]
        );
    }

    /// Windows helpers end in `.exe`, after any version: `NAME.exe`, `NAME_v1.2.3.exe`.
    #[test]
    fn a_windows_helper_ends_in_exe() {
        let dir = tempfile::tempdir().unwrap();
        let name = "terraform-credentials-x";
        fs::write(dir.path().join(format!("{name}.exe")), "").unwrap();
        fs::write(dir.path().join(name), "").unwrap();
        let found = find_helper_with(&[dir.path().to_owned()], name, ".exe");
        assert_eq!(
            found.chosen.unwrap().path,
            dir.path().join(format!("{name}.exe"))
        );
        assert!(found.passed_over.is_empty(), "no .exe, no helper");
        fs::write(dir.path().join(format!("{name}_v0.2.0.exe")), "").unwrap();
        let found = find_helper_with(&[dir.path().to_owned()], name, ".exe");
        assert_eq!(found.chosen.unwrap().version, Some((0, 2, 0)));
    }

    #[test]
    fn config_files_include_the_folder_unless_overridden() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".terraform.d");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("b.tfrc"), "").unwrap();
        fs::write(dir.join("a.tfrc.json"), "{}").unwrap();
        fs::write(dir.join("notes.txt"), "").unwrap();
        let l = Layout::of(Tool::Terraform, home.path(), &env());
        let names: Vec<String> = l
            .config_files()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                ".terraformrc",
                "a.tfrc.json",
                "b.tfrc",
                "credentials.tfrc.json"
            ]
        );
        let e = LayoutEnv {
            tf_cli_config_file: Some(home.path().join("ci.tfrc")),
            ..env()
        };
        let files = Layout::of(Tool::Terraform, home.path(), &e).config_files();
        assert_eq!(files.len(), 2, "{files:?}");
    }

    #[test]
    fn a_versioned_helper_beats_an_unversioned_one() {
        let home = tempfile::tempdir().unwrap();
        let a = home.path().join("a");
        let b = home.path().join("b");
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        let name = "terraform-credentials-x";
        // As this system names a program: `.exe` after the version on Windows.
        let exe = |stem: String| format!("{stem}{}", std::env::consts::EXE_SUFFIX);
        fs::write(a.join(exe(name.into())), "").unwrap();
        fs::write(a.join(exe("terraform-credentials-xy".into())), "").unwrap();
        let found = find_helper(&[a.clone(), b.clone()], name);
        assert_eq!(found.chosen.unwrap().path, a.join(exe(name.into())));
        assert!(found.passed_over.is_empty());
        fs::write(b.join(exe(format!("{name}_v0.1.0"))), "").unwrap();
        fs::write(b.join(exe(format!("{name}_v0.0.9"))), "").unwrap();
        let found = find_helper(&[a.clone(), b.clone()], name);
        let chosen = found.chosen.unwrap();
        assert_eq!(chosen.path, b.join(exe(format!("{name}_v0.1.0"))));
        assert_eq!(chosen.version, Some((0, 1, 0)));
        assert_eq!(found.passed_over.len(), 2);
        // Equal versions: the first directory wins.
        fs::write(b.join(exe(name.into())), "").unwrap();
        fs::remove_file(b.join(exe(format!("{name}_v0.1.0")))).unwrap();
        fs::remove_file(b.join(exe(format!("{name}_v0.0.9")))).unwrap();
        assert_eq!(
            find_helper(&[a.clone(), b], name).chosen.unwrap().path,
            a.join(exe(name.into()))
        );
    }
}
