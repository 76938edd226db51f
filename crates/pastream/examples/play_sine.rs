//! Plays a sine wave from a callback of its own.
//!
//! `cargo run --example play_sine -- [--device NAME] [--seconds N] [FREQ]`

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use pastream::host::{self, Direction};
use pastream::{CallbackResult, CallbackStream};

const USAGE: &str = "usage: play_sine [--device NAME] [--seconds N] [FREQUENCY (default 440)]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let freq: f64 = match args.words.first() {
        Some(f) => f.parse()?,
        None => 440.0,
    };
    let config = args.config().output_channels(1);
    // The device's own rate, known before the stream opens.
    let device = host::find_device(config.device_selector(), Direction::Output)?;
    let rate = device.default_samplerate;
    let config = config.samplerate(rate);
    let step = std::f64::consts::TAU * freq / rate;
    let mut phase = 0.0f64;
    let mut stream = CallbackStream::output(&config, move |out: &mut [f32], _info| {
        for s in out.iter_mut() {
            *s = (0.2 * phase.sin()) as f32;
            phase = (phase + step) % std::f64::consts::TAU;
        }
        CallbackResult::Continue
    })?;
    eprintln!(
        "{freq} Hz on {} at {} Hz",
        stream.device().name,
        stream.samplerate()
    );
    stream.start()?;
    args.run_for(Duration::from_millis(50), || stream.active());
    stream.stop()?;
    Ok(())
}
