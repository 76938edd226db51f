//! Records to a sound file until Ctrl-C (or `--seconds`); the file is
//! finalized with every frame.
//!
//! `cargo run --example rec_unlimited -- [--device NAME] [--seconds N] FILE [CHANNELS]`

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pastream::InputStream;
use pastream::io::sink::FileSink;
use pastream::io::soundfile::{FileOptions, SoundFile};

const USAGE: &str =
    "usage: rec_unlimited [--device NAME] [--seconds N] FILE [CHANNELS (default 2)]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let (path, channels) = match args.words.as_slice() {
        [p] => (p, 2),
        [p, c] => (p, c.parse()?),
        _ => return Err(USAGE.into()),
    };
    let mut stream = InputStream::open(&args.config().input_channels(channels))?;
    let file = SoundFile::create(path.as_str(), &FileOptions::for_stream(&stream))?;
    let sink = FileSink::new(file, stream.format());
    let report = sink.report();
    stream.set_sink(Some(sink.into()))?;
    let interrupted = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone())?;
    stream.start()?;
    eprintln!("recording to {path}; Ctrl-C stops");
    args.run_for(Duration::from_millis(50), || {
        stream.active() && !interrupted.load(Ordering::Relaxed)
    });
    stream.stop()?;
    eprintln!(
        "{} frames recorded, {} in the file, xruns: {}",
        stream.frame_count(),
        report.frames(),
        stream.xruns().total
    );
    Ok(())
}
