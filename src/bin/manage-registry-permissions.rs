fn main() -> std::process::ExitCode {
    cdk_toolkit::app::manage_registry_permissions::main()
}
