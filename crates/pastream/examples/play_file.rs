//! Plays a sound file to its end.
//!
//! `cargo run --example play_file -- [--device NAME] FILE`

#[path = "support/mod.rs"]
mod support;

use pastream::io::file::file_source;
use pastream::io::soundfile::SoundFile;
use pastream::{OutputStream, Transfer};

const USAGE: &str = "usage: play_file [--device NAME] [--seconds N] FILE";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let [path] = args.words.as_slice() else {
        return Err(USAGE.into());
    };
    let file = SoundFile::open(path)?;
    eprintln!("{file}");
    let mut stream = OutputStream::open(&args.config().for_file(file.info()))?;
    // To its end, or for --seconds (silence after a shorter file).
    let t = match args.seconds {
        Some(s) => Transfer::new()
            .frames((s * stream.samplerate()) as i64)
            .pad(-1),
        None => Transfer::new(),
    };
    let source = file_source(file, stream.format(), None, None);
    stream.play(source, &t.blocking(true))?;
    eprintln!("{} frames played", stream.frame_count());
    Ok(())
}
