//! The input played back a fixed time later: the callback records into a
//! ring buffer and plays from it, the two actions started a delay apart
//! by frame, so that the delay is exact to the frame.
//!
//! `cargo run --example delay -- [--device NAME] [--seconds N] [DELAY_SECONDS (default 0.5)]`

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use pastream::rt::ring::RingBuffer;
use pastream::{MixerAndRecorder, SampleFormat, Shortfall, Start};

const USAGE: &str = "usage: delay [--device NAME] [--seconds N] [DELAY_SECONDS (default 0.5)]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let delay: f64 = match args.words.first() {
        Some(w) => w.parse()?,
        None => 0.5,
    };
    if !(delay > 0.0 && delay < 60.0) {
        return Err("DELAY_SECONDS must be between 0 and 60".into());
    }
    let mut stream = MixerAndRecorder::open(&args.config())?;
    let rate = stream.samplerate();
    let (ins, outs) = stream.channels();
    let channels = ins.min(outs);
    let frames = (delay * rate).round() as u64;
    // Room for the delay and some blocks more.
    let size = (frames as usize + 8192).next_power_of_two();
    let (to_ring, from_ring) = RingBuffer::new(SampleFormat::F32, channels, size)?;
    let start = 1024u64;
    let map: Vec<usize> = (1..=channels).collect();
    // Both go on when the ring runs short or full (a late block, a
    // stopped reader): counted, not ended.
    let rec = stream.record_ringbuffer(
        to_ring,
        Some(map.clone().into()),
        Start::Frame(start),
        true,
        Shortfall::Continue,
    )?;
    let play = stream.play_ringbuffer(
        from_ring,
        Some(map.into()),
        Start::Frame(start + frames),
        true,
        Shortfall::Continue,
    )?;
    eprintln!(
        "{channels} channels delayed by {frames} frames ({delay} s) on {}",
        stream.device().name
    );
    stream.start()?;
    args.run_for(Duration::from_millis(50), || stream.active());
    stream.stop()?;
    let (r, p) = (rec.start_frame(), play.start_frame());
    eprintln!(
        "recorded from frame {r:?}, played from frame {p:?}; {} frames missed",
        rec.missed_frames() + play.missed_frames()
    );
    if let (Some(r), Some(p)) = (r, p)
        && p - r != frames
    {
        return Err(format!("the delay was {} frames, not {frames}", p - r).into());
    }
    Ok(())
}
