//! What the examples share: their command line (`--device NAME`,
//! `--seconds N`, and the example's own words) and how they end.
#![allow(dead_code)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use pastream::StreamConfig;

/// An example's command line.
pub struct Args {
    /// `--device NAME`: a device by index or by parts of "name, host API".
    pub device: Option<String>,
    /// `--seconds N`: stop after this long.
    pub seconds: Option<f64>,
    /// The other words, in order.
    pub words: Vec<String>,
}

impl Args {
    /// Reads the command line; prints `usage` and exits on `-h` or a bad
    /// option.
    pub fn parse(usage: &str) -> Args {
        let mut args = Args {
            device: None,
            seconds: None,
            words: Vec::new(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            match a.as_str() {
                "-h" | "--help" => {
                    println!("{usage}");
                    std::process::exit(0);
                }
                "--device" | "-d" => args.device = it.next(),
                "--seconds" | "-s" => match it.next().and_then(|s| s.parse().ok()) {
                    Some(s) if s > 0.0 => args.seconds = Some(s),
                    _ => fail(usage, "--seconds takes a positive number"),
                },
                s if s.starts_with("--") && s.len() > 2 => {
                    fail(usage, &format!("unknown option {s}"))
                }
                _ => args.words.push(a),
            }
        }
        args
    }

    /// A stream configuration on the chosen device.
    pub fn config(&self) -> StreamConfig {
        match &self.device {
            Some(d) => StreamConfig::new().device(d.as_str()),
            None => StreamConfig::new(),
        }
    }

    /// Runs `tick` every `every` until `--seconds` pass (or for ever),
    /// or until it says to stop.
    pub fn run_for(&self, every: Duration, mut tick: impl FnMut() -> bool) {
        let t0 = Instant::now();
        loop {
            if self
                .seconds
                .is_some_and(|s| t0.elapsed().as_secs_f64() >= s)
            {
                return;
            }
            if !tick() {
                return;
            }
            std::thread::sleep(every);
        }
    }
}

fn fail(usage: &str, problem: &str) -> ! {
    eprintln!("{problem}\n{usage}");
    std::process::exit(2);
}

/// The exit status of an example: its error on one line, status 1.
pub fn finish(result: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
