//! One module per binary: its clap definition and dispatch. The same definitions
//! generate `--help`, the man pages and the shell completions.

pub mod api_key;
pub mod get_registry_token;
pub mod immukv;
pub mod install_registry_credentials_helper;
pub mod manage_registry_permissions;

use clap::CommandFactory;

/// Every binary's command definition.
pub fn commands() -> Vec<clap::Command> {
    vec![
        get_registry_token::Cli::command(),
        install_registry_credentials_helper::Cli::command(),
        manage_registry_permissions::Cli::command(),
        immukv::Cli::command(),
        api_key::Cli::command(),
    ]
}

/// The committed generated files (`completions/`, `man/`), as (relative path, bytes).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    use clap_complete::Shell;
    let mut files = Vec::new();
    for mut cmd in commands() {
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
