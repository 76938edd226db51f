//! The `pastream` binary: runs the command line and exits with its status.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    pastream_cli::main()
}
