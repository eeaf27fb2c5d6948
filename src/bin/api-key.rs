fn main() -> std::process::ExitCode {
    cdk_toolkit::app::api_key::main()
}
