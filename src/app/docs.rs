//! What the clap definitions generate beside `--help`: the shell completions and man
//! pages, committed under `completions/` and `man/` and checked for drift by a test.

use clap::CommandFactory;

use super::{api_key, get_registry_token, immukv, install_registry_credentials_helper};
use super::{manage_registry_modules, manage_registry_permissions, multicall};

/// Every binary's command definition.
fn commands() -> Vec<clap::Command> {
    vec![
        get_registry_token::Cli::command(),
        install_registry_credentials_helper::Cli::command(),
        manage_registry_permissions::Cli::command(),
        manage_registry_modules::Cli::command(),
        immukv::Cli::command(),
        api_key::Cli::command(),
        multicall::Cli::command(),
    ]
}

/// The committed generated files (`completions/`, `man/`), as (relative path, bytes).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    use clap_complete::Shell;
    let mut files = Vec::new();
    for cmd in commands() {
        // Generated files are committed: the build's commit and target stay out of them.
        let mut cmd = cmd.long_version(None::<&'static str>);
        let name = cmd.get_name().to_owned();
        for (shell, file) in [
            (Shell::Bash, format!("completions/{name}.bash")),
            (Shell::Zsh, format!("completions/_{name}")),
            (Shell::Fish, format!("completions/{name}.fish")),
            (Shell::PowerShell, format!("completions/_{name}.ps1")),
        ] {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, name.clone(), &mut buf);
            files.push((file, buf));
        }
        cmd.build();
        man_pages(&cmd, &name, &mut files);
    }
    files
}

fn man_pages(cmd: &clap::Command, page: &str, files: &mut Vec<(String, Vec<u8>)>) {
    let mut buf = Vec::new();
    let cmd = cmd.clone().name(page.to_owned());
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(cmd.clone()).render(&mut buf);
    files.push((format!("man/{page}.1"), buf));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        man_pages(sub, &format!("{page}-{}", sub.get_name()), files);
    }
}
