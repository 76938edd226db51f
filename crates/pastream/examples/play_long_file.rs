//! Plays a sound file of any length through a ring buffer: a thread reads
//! the file into the ring, the callback takes from it. The callback never
//! waits for the file; if the thread falls behind, it plays silence and
//! counts it.
//!
//! `cargo run --example play_long_file -- [--device NAME] [--seconds N] FILE`

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use pastream::io::soundfile::SoundFile;
use pastream::rt::ring::RingBuffer;
use pastream::{CallbackResult, CallbackStream, SampleFormat};

const USAGE: &str = "usage: play_long_file [--device NAME] [--seconds N] FILE";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let [path] = args.words.as_slice() else {
        return Err(USAGE.into());
    };
    let mut file = SoundFile::open(path)?;
    let info = file.info().clone();
    let ch = info.channels;
    let config = args
        .config()
        .output_channels(ch)
        .samplerate(f64::from(info.samplerate));
    // Half a second of ring.
    let frames = (info.samplerate as usize / 2).next_power_of_two();
    let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, ch, frames)?;
    let ended = Arc::new(AtomicBool::new(false));
    let short = Arc::new(AtomicU64::new(0));
    let (done, late) = (ended.clone(), short.clone());
    let mut stream = CallbackStream::raw_output(&config, move |out, _info| {
        let n = rx.read_raw_into(out);
        if n * 4 * ch < out.len() {
            if done.load(Ordering::Acquire) {
                return CallbackResult::Complete;
            }
            late.fetch_add(1, Ordering::Relaxed);
        }
        CallbackResult::Continue
    })?;
    // Fill the ring before the start, then keep it filled.
    let mut buf = vec![0f32; 4096 * ch];
    let mut fill =
        |tx: &mut pastream::rt::ring::Producer| -> Result<bool, Box<dyn std::error::Error>> {
            while tx.write_available() >= 4096 {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    return Ok(false);
                }
                tx.write(&buf[..n * ch])?;
            }
            Ok(true)
        };
    let mut more = fill(&mut tx)?;
    stream.start()?;
    let mut error = None;
    args.run_for(Duration::from_millis(20), || {
        if more {
            match fill(&mut tx) {
                Ok(m) => more = m,
                Err(e) => {
                    error = Some(e);
                    return false;
                }
            }
            if !more {
                ended.store(true, Ordering::Release);
            }
        }
        stream.active()
    });
    stream.stop()?;
    if let Some(e) = error {
        return Err(e);
    }
    eprintln!(
        "{} frames played; the reader was late {} times",
        stream.frame_count(),
        short.load(Ordering::Relaxed)
    );
    Ok(())
}
