//! Live input levels as text: a bar per channel, a line per tenth of a
//! second (python-sounddevice's plot_input, for a terminal).
//!
//! `cargo run --example input_levels -- [--device NAME] [--seconds N] [CHANNELS]`

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use pastream::{ChunkOptions, InputStream};

const USAGE: &str = "usage: input_levels [--device NAME] [--seconds N] [CHANNELS (default 2)]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

/// A bar of `width` characters for a level in dBFS from -60 to 0.
fn bar(db: f32, width: usize) -> String {
    let filled = (((db + 60.0) / 60.0).clamp(0.0, 1.0) * width as f32).round() as usize;
    format!("{}{}", "#".repeat(filled), ".".repeat(width - filled))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let channels: usize = match args.words.first() {
        Some(c) => c.parse()?,
        None => 2,
    };
    let mut stream = InputStream::open(&args.config().input_channels(channels))?;
    let tenth = (stream.samplerate() / 10.0) as usize;
    let t0 = Instant::now();
    let mut chunks = stream.chunks::<f32>(ChunkOptions {
        chunksize: Some(tenth),
        ..ChunkOptions::default()
    })?;
    while let Some(chunk) = chunks.next_chunk() {
        let chunk = chunk?;
        let mut line = String::new();
        for c in 0..channels {
            let peak = chunk
                .iter()
                .skip(c)
                .step_by(channels)
                .fold(0f32, |m, s| m.max(s.abs()));
            let db = 20.0 * peak.max(1e-9).log10();
            line.push_str(&format!(" {:>2} {} {:6.1}", c + 1, bar(db, 20), db));
        }
        println!("{:6.1} s{line}", t0.elapsed().as_secs_f64());
        if args
            .seconds
            .is_some_and(|s| t0.elapsed().as_secs_f64() >= s)
        {
            break;
        }
    }
    Ok(())
}
