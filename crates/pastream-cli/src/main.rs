//! The `pastream` command line.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
usage: pastream [-h] [-l] [--version]

Play and record sound through audio devices.

options:
  -h, --help          show this help and exit
  -l, --list-devices  list the audio devices (the default input is marked >,
                      the default output <, a default of both *) and exit
  --version           print the version and exit
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("pastream: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    pastream::host::set_quiet(true);
    let mut out = std::io::stdout().lock();
    let written = match args.first().map(String::as_str) {
        None | Some("-h" | "--help") => out.write_all(USAGE.as_bytes()),
        Some("--version") => writeln!(out, "pastream {}", env!("CARGO_PKG_VERSION")),
        Some("-l" | "--list-devices") => write!(out, "{}", pastream::host::query_devices()),
        Some(other) => return Err(format!("unknown option '{other}' (see pastream -h)")),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}
