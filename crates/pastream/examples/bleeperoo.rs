//! Many short beeps at random times, pitches, lengths and channels, all
//! scheduled ahead and mixed by the callback.
//!
//! `cargo run --example bleeperoo -- [--device NAME] [--seconds N] [BEEPS_PER_SECOND]`

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use pastream::{Mixer, Start};

const USAGE: &str =
    "usage: bleeperoo [--device NAME] [--seconds N] [BEEPS_PER_SECOND (default 20)]";

/// How far ahead beeps are scheduled.
const AHEAD: f64 = 0.3;

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

/// A small generator (xorshift), seeded from the clock.
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

/// A beep: a sine with short fades, so that it does not click.
fn beep(rate: f64, freq: f64, seconds: f64, level: f32) -> Arc<[f32]> {
    let n = (rate * seconds).max(2.0) as usize;
    let fade = (rate * 0.003) as usize;
    (0..n)
        .map(|i| {
            let edge = (i.min(n - 1 - i) as f32 / fade.max(1) as f32).min(1.0);
            let s = (std::f64::consts::TAU * freq * i as f64 / rate).sin() as f32;
            level * edge * s
        })
        .collect()
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let rate_of_beeps: f64 = match args.words.first() {
        Some(w) => w.parse()?,
        None => 20.0,
    };
    if rate_of_beeps <= 0.0 || !rate_of_beeps.is_finite() {
        return Err("BEEPS_PER_SECOND must be positive".into());
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut random = Random(seed);
    let mut mixer = Mixer::with_queue(&args.config(), 256)?;
    let rate = mixer.samplerate();
    let channels = mixer.channels().1;
    eprintln!(
        "{rate_of_beeps} beeps a second on {} ({channels} channels)",
        mixer.device().name
    );
    mixer.start()?;
    let mut next = mixer.time() + AHEAD;
    let mut beeps = 0u64;
    args.run_for(Duration::from_millis(20), || {
        while next < mixer.time() + AHEAD {
            let freq = 220.0 * 2f64.powf(random.between(0.0, 3.0));
            let length = random.between(0.02, 0.2);
            let channel = 1 + (random.next() * channels as f64) as usize % channels;
            let sound = beep(rate, freq, length, 0.05);
            if let Err(e) = mixer.play_buffer(sound, [channel], Start::Time(next), true) {
                eprintln!("error: {e}");
                return false;
            }
            beeps += 1;
            // Exponential gaps: a Poisson stream of beeps.
            next += -(1.0 - random.next()).ln() / rate_of_beeps;
        }
        mixer.actions();
        mixer.active()
    });
    mixer.stop()?;
    eprintln!("{beeps} beeps");
    Ok(())
}
