//! The `rulesctl` binary.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(rulesctl::run(std::env::args_os()))
}
