//! The `hivemind` binary: parse the command line, run the library, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    hivemind::main_entry(std::env::args_os())
}
