//! A mixer's statistics, fetched from the running callback once a second:
//! blocks, block sizes and xruns since the last fetch.
//!
//! `cargo run --example fetch_stats -- [--device NAME] [--seconds N]`

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use pastream::{Mixer, Start};

const USAGE: &str = "usage: fetch_stats [--device NAME] [--seconds N]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut mixer = Mixer::open(&args.config())?;
    eprintln!("statistics of {} once a second", mixer.device().name);
    mixer.start()?;
    let mut failed = None;
    let mut every = 0u32;
    args.run_for(Duration::from_millis(100), || {
        every += 1;
        if every % 10 != 0 {
            return mixer.active();
        }
        let fetched = mixer
            .fetch_and_reset_stats(Start::Now, true)
            .and_then(|a| mixer.wait(Some(&a), Some(Duration::from_secs(2))).map(|_| a));
        match fetched {
            Ok(a) => {
                let s = a.stats();
                println!(
                    "{:4} blocks of {}..{} frames, xruns: {} input underflow, {} input overflow, {} output underflow, {} output overflow",
                    s.blocks,
                    s.min_blocksize,
                    s.max_blocksize,
                    s.input_underflows,
                    s.input_overflows,
                    s.output_underflows,
                    s.output_overflows
                );
                true
            }
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    });
    mixer.stop()?;
    let rest = mixer.stats()?;
    println!("{:4} blocks since the last fetch", rest.blocks);
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
