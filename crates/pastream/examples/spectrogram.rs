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

/// The spectrum of `x` (a power of two long), Hann-windowed: the magnitude
/// in dB of each bin from 0 to half the rate, a full-scale sine at 0 dB.
pub fn spectrum(x: &[f32]) -> Vec<f64> {
    let n = x.len();
    assert!(n.is_power_of_two());
    let mut re: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            f64::from(s) * (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos())
        })
        .collect();
    let mut im = vec![0.0; n];
    // In place, radix 2: bit-reversed order, then the butterflies.
    let bits = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if i < j {
            re.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let w = -std::f64::consts::TAU / len as f64;
        for start in (0..n).step_by(len) {
            for k in 0..len / 2 {
                let (c, s) = ((w * k as f64).cos(), (w * k as f64).sin());
                let (a, b) = (start + k, start + k + len / 2);
                let (tr, ti) = (re[b] * c - im[b] * s, re[b] * s + im[b] * c);
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len *= 2;
    }
    (0..=n / 2)
        .map(|k| 20.0 * ((re[k].hypot(im[k])) * 4.0 / n as f64).max(1e-12).log10())
        .collect()
}

/// One line: a character per band, from -80 dB (blank) to 0 dB. A band's
/// level is its loudest bin.
pub fn line(x: &[f32], bands: usize, rate: f64) -> String {
    let spec = spectrum(x);
    let bin = rate / x.len() as f64;
    let edge = |b: f64| 100.0 * 100f64.powf(b / bands as f64);
    (0..bands)
        .map(|b| {
            let (lo, hi) = (edge(b as f64), edge(b as f64 + 1.0));
            let first = ((lo / bin).ceil() as usize).min(spec.len() - 1);
            let last = ((hi / bin).floor() as usize).clamp(first, spec.len() - 1);
            let db = spec[first..=last]
                .iter()
                .copied()
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
        // 1 kHz is not on a bin: the nearest bins hold it within 1.5 dB.
        let spec = spectrum(&x);
        let peak = spec.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(peak.abs() < 1.5, "{peak}");
        assert!(spec[(5000.0 / (rate / SIZE as f64)) as usize] < -40.0);
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
