fn main() -> std::process::ExitCode {
    cdk_toolkit::app::immukv::main()
}
