//! Plays a test signal through the virtual loopback device on its real-time
//! clock, records it at the same time, and reports what came back.
//!
//! Run with `cargo run --release --example demo`. Needs no sound card.

use std::process::ExitCode;
use std::time::Instant;

use pastream::{DuplexStream, SampleFormat, StreamConfig, Transfer, format};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, pastream::StreamError> {
    let rate = 48000.0;
    let channels = 2;
    let config = StreamConfig::new()
        .device("loopback")
        .channels(channels)
        .format(SampleFormat::F32)
        .samplerate(rate)
        .blocksize(256);
    let mut stream = DuplexStream::open(&config)?;
    println!(
        "device: {}, {} (virtual: no sound card needed)",
        stream.device().name,
        stream.device().hostapi_name
    );

    // Two seconds of a logarithmic sweep from 50 Hz to 10 kHz, left and
    // right in opposite directions, starting with a full-scale click.
    let frames = 2 * rate as usize;
    let mut samples = Vec::with_capacity(frames * channels);
    let (f0, f1) = (50.0f64, 10_000.0f64);
    let t_total = frames as f64 / rate;
    for i in 0..frames {
        let t = i as f64 / rate;
        let phase = |a: f64, b: f64| {
            let k = (b / a).ln();
            2.0 * std::f64::consts::PI * a * t_total / k * ((t / t_total * k).exp() - 1.0)
        };
        let (l, r) = if i == 0 {
            (1.0, 1.0)
        } else {
            (0.5 * phase(f0, f1).sin(), 0.5 * phase(f1, f0).sin())
        };
        samples.push(l as f32);
        samples.push(r as f32);
    }
    let pad = 1024;
    println!(
        "playing and recording {:.1} s ({frames} frames, {channels} channels, float32, {rate} Hz, blocksize 256)...",
        t_total
    );
    let t0 = Instant::now();
    let recording = stream
        .playrec(
            format::to_bytes(&samples),
            &Transfer::new().pad(pad).blocking(true),
        )?
        .unwrap_or_default();
    let elapsed = t0.elapsed().as_secs_f64();
    let recorded: Vec<f32> = format::from_bytes(&recording);

    let delay = recorded
        .chunks_exact(channels)
        .position(|f| f[0] == 1.0)
        .unwrap_or(usize::MAX);
    let exact = delay != usize::MAX
        && recorded.len() >= (delay + frames) * channels
        && recorded[delay * channels..(delay + frames) * channels]
            .iter()
            .zip(&samples)
            .all(|(a, b)| a.to_bits() == b.to_bits());
    let peak = recorded.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let xruns = stream.xruns();
    println!("frames processed: {}", stream.frame_count());
    println!("wall time: {elapsed:.2} s (real-time clock)");
    if delay == usize::MAX {
        println!("round-trip delay: the click was not found in the recording");
    } else {
        println!(
            "round-trip delay: {delay} frames ({:.2} ms)",
            delay as f64 / rate * 1000.0
        );
    }
    println!("peak level: {:.1} dBFS", 20.0 * f64::from(peak).log10());
    println!(
        "xruns: {} (input underflow {}, input overflow {}, output underflow {}, output overflow {})",
        xruns.total,
        xruns.input_underflows,
        xruns.input_overflows,
        xruns.output_underflows,
        xruns.output_overflows
    );
    println!(
        "recording {} the playback, sample for sample",
        if exact { "matches" } else { "DOES NOT match" }
    );
    Ok(exact)
}
