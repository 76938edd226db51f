//! Input to output: what comes in is played at once. With `--blocking`,
//! through read and write instead of a callback.
//!
//! `cargo run --example wire -- [--device NAME] [--seconds N] [blocking]`

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use pastream::{BlockingStream, CallbackResult, CallbackStream};

const USAGE: &str = "usage: wire [--device NAME] [--seconds N] [blocking]";

fn main() -> std::process::ExitCode {
    let args = support::Args::parse(USAGE);
    support::finish(run(&args))
}

fn run(args: &support::Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = args.config().channels(2);
    if args.words.iter().any(|w| w == "blocking") {
        let mut stream = BlockingStream::<f32>::duplex(&config)?;
        stream.start()?;
        let block = 256;
        let (mut overflows, mut underflows) = (0, 0);
        args.run_for(Duration::ZERO, || {
            let Ok((input, overflowed)) = stream.read(block) else {
                return false;
            };
            let Ok(underflowed) = stream.write(&input) else {
                return false;
            };
            overflows += usize::from(overflowed);
            underflows += usize::from(underflowed);
            true
        });
        stream.stop()?;
        eprintln!("blocking wire: {overflows} reads overflowed, {underflows} writes underflowed");
    } else {
        let mut stream =
            CallbackStream::duplex(&config, |input: &[f32], output: &mut [f32], _| {
                output.copy_from_slice(input);
                CallbackResult::Continue
            })?;
        stream.start()?;
        args.run_for(Duration::from_millis(50), || stream.active());
        stream.stop()?;
        eprintln!(
            "wire: {} frames, xruns: {}",
            stream.frame_count(),
            stream.xruns().total
        );
    }
    Ok(())
}
