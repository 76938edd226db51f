//! The `pastream` command line: play and record sound files through audio
//! devices. [`main`] turns the outcome of [`run::run`] into an exit status.
//! The argument handling is a library of its own so that it can be tested
//! and fuzzed without running the program.
#![forbid(unsafe_code)]

pub mod args;
pub mod run;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// How a run ended: the exit status and, unless it went well, one line.
#[derive(Debug)]
pub enum Outcome {
    /// Done (also when stopped by Ctrl-C, or the reader of standard output
    /// went away).
    Done,
    /// Failed while running: exit status 1.
    Failed(String),
    /// Bad arguments, files or devices: exit status 2.
    BadInput(String),
    /// Stopped by an xrun under --fatal-xruns: exit status 3.
    Xrun(String),
}

/// clap's error on one line: its first line, and its tip if it has one
/// ("a similar argument exists").
fn clap_error(text: &str) -> String {
    let first = text
        .lines()
        .next()
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ");
    let tips: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("tip: "))
        .collect();
    if tips.is_empty() {
        format!("{first} (see pastream -h)")
    } else {
        format!("{first}; {} (see pastream -h)", tips.join("; "))
    }
}

/// Runs the command line with the process's arguments and returns its
/// exit status, after writing the one line of a failure to standard error.
pub fn main() -> ExitCode {
    ExitCode::from(status(std::env::args_os()))
}

/// Runs the command line with these arguments (the first is the program's
/// name) and returns its exit status, after writing the one line of a
/// failure to standard error: for a program that runs the command line
/// inside its own process (the Python module's `pastream` command).
pub fn status<I, T>(arguments: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let outcome = match args::Cli::try_parse_from(arguments) {
        Ok(cli) => run::run(&cli),
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                let _ = e.print();
                Outcome::Done
            }
            _ => Outcome::BadInput(clap_error(&e.to_string())),
        },
    };
    let (code, message) = match outcome {
        Outcome::Done => (0, None),
        Outcome::Failed(m) => (1, Some(m)),
        Outcome::BadInput(m) => (2, Some(m)),
        Outcome::Xrun(m) => (3, Some(m)),
    };
    if let Some(m) = message {
        let _ = writeln!(std::io::stderr(), "pastream: {}", args::one_line(&m));
    }
    code
}
