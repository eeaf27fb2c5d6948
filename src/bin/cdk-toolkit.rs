//! cdk-toolkit: the five tools in one binary, each run by the name it is started as.
fn main() -> std::process::ExitCode {
    cdk_toolkit::app::multicall::main()
}
