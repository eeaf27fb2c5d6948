fn main() -> std::process::ExitCode {
    cdk_toolkit::app::install_registry_credentials_helper::main()
}
