//! How exact a device's block timestamps are: each block's output DAC
//! time against the frame counter, as the mixer's timing sees them.
//! Prints, per second, the spread of (DAC time - frames / rate) in
//! frames, and the drift of the host's clock against the frames.
//!
//! `cargo run --example block_times -- [--device NAME] [--seconds N]`

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use pastream::rt::ring::RingBuffer;
use pastream::{CallbackResult, CallbackStream};

const USAGE: &str = "usage: block_times [--device NAME] [--seconds N]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    // Each block's first frame and DAC time leave the callback through a
    // ring: 16 bytes a block.
    let (mut tx, mut rx) = RingBuffer::new_raw(16, 1 << 14)?;
    let mut stream = CallbackStream::output(&args.config(), move |_out: &mut [f32], info| {
        let mut rec = [0u8; 16];
        rec[..8].copy_from_slice(&info.start_frame.to_ne_bytes());
        rec[8..].copy_from_slice(&info.time.output_dac_time.to_ne_bytes());
        tx.write_raw(&rec);
        CallbackResult::Continue
    })?;
    let rate = stream.samplerate();
    eprintln!(
        "{} at {rate} Hz, blocksize {}",
        stream.device().name,
        stream.blocksize()
    );
    stream.start()?;
    let mut first: Option<(u64, f64)> = None;
    let mut second = Vec::new();
    let report = |first: Option<(u64, f64)>, blocks: &mut Vec<(u64, f64)>| {
        let Some((f0, t0)) = first else {
            return;
        };
        if blocks.len() < 2 {
            return;
        }
        // The phase of each block, in frames, against the first block.
        let phase: Vec<f64> = blocks
            .iter()
            .map(|&(f, t)| (t - t0) * rate - (f - f0) as f64)
            .collect();
        let min = phase.iter().copied().fold(f64::INFINITY, f64::min);
        let max = phase.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (fa, fb) = (blocks[0].0, blocks[blocks.len() - 1].0);
        let drift = (phase[phase.len() - 1] - phase[0]) / (fb - fa).max(1) as f64 * 1e6;
        println!(
            "frames {fa:>9}..{fb:<9} phase {min:+8.2} .. {max:+8.2} frames (spread {:.2}), drift {drift:+8.1} ppm",
            max - min
        );
        blocks.clear();
    };
    args.run_for(Duration::from_millis(100), || {
        for rec in rx.read_raw(usize::MAX).chunks_exact(16) {
            let f = u64::from_ne_bytes(rec[..8].try_into().unwrap_or_default());
            let t = f64::from_ne_bytes(rec[8..].try_into().unwrap_or_default());
            first.get_or_insert((f, t));
            second.push((f, t));
            if second.len() > 1 && (f - second[0].0) as f64 >= rate {
                report(first, &mut second);
            }
        }
        stream.active()
    });
    stream.stop()?;
    report(first, &mut second);
    Ok(())
}
