fn main() -> std::process::ExitCode {
    cdk_toolkit::app::get_registry_token::main()
}
