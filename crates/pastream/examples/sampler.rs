//! A sampler: sounds played on a beat, each hit scheduled ahead on the
//! stream clock and started by the callback at its exact frame.
//!
//! `cargo run --example sampler -- [--device NAME] [--seconds N] [BPM] [FILE...]`
//!
//! Each FILE is a sound (mono, or as many channels as the device plays; at
//! the device's rate); without files, three sounds are made up (a low
//! thump, a click, a bell). The pattern plays the sounds in turn on a
//! four-step bar: the first on every beat, the others on the offbeats.

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use pastream::io::soundfile::SoundFile;
use pastream::{Mixer, Start};

const USAGE: &str = "usage: sampler [--device NAME] [--seconds N] [BPM (default 120)] [FILE...]";

/// How far ahead hits are scheduled.
const AHEAD: f64 = 0.5;

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

/// A made-up sound of `seconds`: a decaying sine sweeping from `from` Hz
/// to `to` Hz.
fn made_up(rate: f64, seconds: f64, from: f64, to: f64, level: f32) -> Vec<f32> {
    let n = (rate * seconds) as usize;
    let mut phase = 0.0f64;
    (0..n)
        .map(|i| {
            let x = i as f64 / n as f64;
            phase += std::f64::consts::TAU * (from + (to - from) * x) / rate;
            level * (phase.sin() * (-6.0 * x).exp()) as f32
        })
        .collect()
}

/// A sound file's samples, and its channel count.
fn load(path: &str, rate: f64) -> Result<(Vec<f32>, usize), Box<dyn std::error::Error>> {
    let mut file = SoundFile::open(path)?;
    let info = file.info().clone();
    if f64::from(info.samplerate) != rate {
        return Err(format!(
            "{path} is at {} Hz, the device at {rate} Hz",
            info.samplerate
        )
        .into());
    }
    let mut all = Vec::new();
    let mut block = vec![0f32; 4096 * info.channels];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        all.extend_from_slice(&block[..n * info.channels]);
    }
    Ok((all, info.channels))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let (bpm, files) = match args.words.first().and_then(|w| w.parse::<f64>().ok()) {
        Some(b) if b > 0.0 => (b, &args.words[1..]),
        _ => (120.0, &args.words[..]),
    };
    let mut mixer = Mixer::open(&args.config())?;
    let rate = mixer.samplerate();
    let device_channels = mixer.channels().1;
    let mut sounds: Vec<(Arc<[f32]>, usize)> = Vec::new();
    for f in files {
        let (samples, channels) = load(f, rate)?;
        if channels != 1 && channels != device_channels {
            return Err(
                format!("{f} has {channels} channels, the device {device_channels}").into(),
            );
        }
        sounds.push((samples.into(), channels));
    }
    if sounds.is_empty() {
        sounds = vec![
            (made_up(rate, 0.25, 120.0, 40.0, 0.6).into(), 1),
            (made_up(rate, 0.02, 3000.0, 2000.0, 0.3).into(), 1),
            (made_up(rate, 0.6, 880.0, 880.0, 0.2).into(), 1),
        ];
    }
    let step = 60.0 / bpm / 2.0;
    eprintln!(
        "{} sounds at {bpm} BPM on {} ({device_channels} channels, {rate} Hz)",
        sounds.len(),
        mixer.device().name
    );
    mixer.start()?;
    // The first hit a little ahead of now; each later one a step after.
    let mut next = mixer.time() + AHEAD;
    let mut count = 0u64;
    let mut late = 0u64;
    let mut hits = Vec::new();
    args.run_for(Duration::from_millis(20), || {
        while next < mixer.time() + AHEAD {
            let beat = count % 2 == 0;
            let sound = if beat || sounds.len() == 1 {
                0
            } else {
                1 + (count / 2) as usize % (sounds.len() - 1)
            };
            let (buffer, channels) = &sounds[sound];
            // Mono sounds on every channel, in the middle.
            let map: Vec<usize> = if *channels == 1 {
                vec![1 + (count as usize % device_channels)]
            } else {
                (1..=device_channels).collect()
            };
            match mixer.play_buffer(buffer.clone(), map, Start::Time(next), false) {
                Ok(a) => hits.push(a),
                Err(e) => {
                    eprintln!("error: {e}");
                    return false;
                }
            }
            next += step;
            count += 1;
        }
        // Hits that were over: late ones were dropped, not played late.
        hits.retain(|a| {
            let over = a.state().is_over();
            if over && a.state() == pastream::ActionState::Dropped {
                late += 1;
            }
            !over
        });
        mixer.actions();
        mixer.active()
    });
    mixer.stop()?;
    eprintln!("{count} hits scheduled, {late} dropped as late");
    Ok(())
}
