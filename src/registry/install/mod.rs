//! Installing the credentials helper: where Terraform looks for it, which CLI-config
//! files to edit, the arguments the helper is configured with, how to tell a helper
//! this toolkit installed from someone else's, the plan of an install or an uninstall
//! (`plan`: every file's change decided first, then applied as one), and the check
//! that runs it.

mod error;
mod helper;
mod plan;
mod rcfile;

pub(crate) use error::InstallError;
pub(crate) use helper::{
    BlockArgs, HELPER_MARKER, HELPER_PREFIX, HelperName, ReadArgs, helper_source, is_our_helper,
    run_helper,
};
pub(crate) use plan::{
    ConfigEdit, HelperChange, HelperInstall, InstallRequest, Plan, UninstallRequest,
};
pub(crate) use rcfile::RcFile;

use std::path::{Path, PathBuf};

use super::layout::{Layout, LayoutEnv, Tool};

/// Where Terraform looks for credentials helpers: `~/.terraform.d/plugins` and
/// `~/.terraform.d/plugins/<os>_<arch>` (OpenTofu looks there too; on Windows both
/// look in `%APPDATA%\terraform.d\plugins`).
pub(crate) fn plugin_dirs(home: &Path, env: &LayoutEnv) -> Vec<PathBuf> {
    Layout::of(Tool::Terraform, home, env).plugin_dirs
}

/// The CLI-config files to edit: the one named, else `$TF_CLI_CONFIG_FILE`, else
/// Terraform's (`~/.terraformrc`, `%APPDATA%\terraform.rc`) and OpenTofu's (`~/.tofurc`,
/// `%APPDATA%\tofu.rc`) when it exists.
pub(crate) fn rc_files(named: Option<&Path>, home: &Path, env: &LayoutEnv) -> Vec<PathBuf> {
    if let Some(f) = named {
        return vec![f.to_owned()];
    }
    if let Some(f) = &env.tf_cli_config_file {
        return vec![f.clone()];
    }
    let [terraform, tofu] = env.default_rc_files(home);
    let mut files = vec![terraform];
    if tofu.exists() {
        files.push(tofu);
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_dirs_name_the_platform() {
        let dirs = plugin_dirs(Path::new("/home/u"), &LayoutEnv::default());
        assert_eq!(dirs[0], Path::new("/home/u/.terraform.d/plugins"));
        let platform = dirs[1].file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            platform.contains('_') && !platform.contains("x86_64"),
            "{platform}"
        );
    }
}
