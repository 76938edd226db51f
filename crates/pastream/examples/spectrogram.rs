//! A live spectrogram as text: one line per block of input, one character
//! per band from 100 Hz to 10 kHz (logarithmic), darker for louder.
//!
//! With `tone=FREQ` it also plays a sine wave of that frequency on the
//! same (duplex) stream: on the virtual loopback device, it comes back.
//!
//! `cargo run --example spectrogram -- [--device NAME] [--seconds N] [BANDS] [tone=FREQ]`

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use pastream::host::{self, Direction};
use pastream::{ChunkOptions, Source};

const USAGE: &str =
    "usage: spectrogram [--device NAME] [--seconds N] [BANDS (default 64)] [tone=FREQ]";
const SHADES: &[u8] = b" .:-=+*#%@";
const SIZE: usize = 2048;

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

/// The magnitude in dB of `x` at `freq` (a Hann-windowed DFT bin).
pub fn level(x: &[f32], freq: f64, rate: f64) -> f64 {
    let n = x.len() as f64;
    let w = std::f64::consts::TAU * freq / rate;
    let (mut re, mut im) = (0.0, 0.0);
    for (i, &s) in x.iter().enumerate() {
        let hann = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n).cos();
        let v = f64::from(s) * hann;
        re += v * (w * i as f64).cos();
        im -= v * (w * i as f64).sin();
    }
    // A full-scale sine gives 0 dB (the Hann window halves the amplitude).
    20.0 * ((re * re + im * im).sqrt() * 4.0 / n).max(1e-12).log10()
}

/// One line: a character per band, from -80 dB (blank) to 0 dB. A band's
/// level is its loudest DFT bin.
pub fn line(x: &[f32], bands: usize, rate: f64) -> String {
    let bin = rate / x.len() as f64;
    let edge = |b: f64| 100.0 * 100f64.powf(b / bands as f64);
    (0..bands)
        .map(|b| {
            let (lo, hi) = (edge(b as f64), edge(b as f64 + 1.0));
            let first = (lo / bin).ceil() as usize;
            let last = ((hi / bin).floor() as usize).max(first);
            let db = (first..=last)
                .map(|k| level(x, k as f64 * bin, rate))
                .fold(f64::NEG_INFINITY, f64::max);
            let k = ((db + 80.0) / 80.0 * (SHADES.len() - 1) as f64).round();
            SHADES[k.clamp(0.0, (SHADES.len() - 1) as f64) as usize] as char
        })
        .collect()
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut bands: usize = 64;
    let mut tone = None;
    for w in &args.words {
        match w.strip_prefix("tone=") {
            Some(f) => tone = Some(f.parse::<f64>()?),
            None => bands = w.parse()?,
        }
    }
    let config = args.config().channels(1);
    let rate = host::find_device(config.device_selector(), Direction::Input)?.default_samplerate;
    let playback = tone.map(|f| {
        let step = std::f64::consts::TAU * f / rate;
        let mut phase = 0.0f64;
        Source::feeder(move |ring, ctx| {
            let mut buf = [0f32; 1024];
            while !ctx.done() {
                let n = ring.write_available().min(buf.len());
                if n == 0 {
                    ctx.pause();
                    continue;
                }
                for s in &mut buf[..n] {
                    *s = (0.5 * phase.sin()) as f32;
                    phase = (phase + step) % std::f64::consts::TAU;
                }
                ring.write(&buf[..n])?;
            }
            Ok(())
        })
    });
    let t0 = Instant::now();
    let mut chunks = pastream::chunks::<f32>(
        &config.samplerate(rate),
        ChunkOptions {
            chunksize: Some(SIZE),
            playback,
            ..ChunkOptions::default()
        },
    )?;
    println!("100 Hz {:>w$}", "10 kHz", w = bands.saturating_sub(1));
    while let Some(chunk) = chunks.next_chunk() {
        println!("|{}|", line(chunk?, bands, rate));
        if args
            .seconds
            .is_some_and(|s| t0.elapsed().as_secs_f64() >= s)
        {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_lights_its_own_band() {
        let rate = 48000.0;
        let f = 1000.0;
        let x: Vec<f32> = (0..SIZE)
            .map(|i| (std::f64::consts::TAU * f * i as f64 / rate).sin() as f32)
            .collect();
        assert!((level(&x, f, rate)).abs() < 1.0, "{}", level(&x, f, rate));
        assert!(level(&x, 5000.0, rate) < -40.0);
        let l = line(&x, 64, rate);
        let loudest = l
            .bytes()
            .position(|c| c == b'@')
            .expect("a full-scale band");
        let (lo, hi) = (
            100.0 * 100f64.powf(loudest as f64 / 64.0),
            100.0 * 100f64.powf((loudest + 1) as f64 / 64.0),
        );
        assert!(lo - 24.0 <= f && f <= hi + 24.0, "{l}");
    }
}
