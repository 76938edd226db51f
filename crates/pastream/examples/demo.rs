//! The two ends of the README's demo.
//!
//! `demo make FILE` writes a 3-second stereo sweep (24-bit WAV) that starts
//! with a full-scale click; `demo check PLAYED RECORDED` finds the click in
//! the recording, reports the round-trip delay and level, and checks that
//! the recording holds the playback sample for sample.

use std::path::Path;
use std::process::ExitCode;

use pastream::io::soundfile::{Encoding, FileOptions, FileType, SoundFile};
use pastream::sample::I24;

const RATE: u32 = 48000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["make", file] => make(file),
        ["check", played, recorded] => check(played, recorded),
        _ => Err("usage: demo make FILE | demo check PLAYED RECORDED".into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::from(2)
        }
    }
}

fn make(file: &str) -> Result<bool, String> {
    let frames = 3 * RATE as usize;
    let (f0, f1) = (50.0f64, 10_000.0f64);
    let t_total = frames as f64 / f64::from(RATE);
    let phase = |a: f64, b: f64, t: f64| {
        let k = (b / a).ln();
        2.0 * std::f64::consts::PI * a * t_total / k * ((t / t_total * k).exp() - 1.0)
    };
    let full = 8_388_607.0;
    let mut samples = Vec::with_capacity(frames * 2);
    for i in 0..frames {
        let t = i as f64 / f64::from(RATE);
        let (l, r) = if i == 0 {
            (full, full)
        } else {
            (
                0.5 * full * phase(f0, f1, t).sin(),
                0.5 * full * phase(f1, f0, t).sin(),
            )
        };
        samples.push(I24::new(l.round() as i32));
        samples.push(I24::new(r.round() as i32));
    }
    let mut f = SoundFile::create(
        Path::new(file),
        &FileOptions {
            file_type: FileType::from_name("WAV"),
            encoding: Encoding::from_name("PCM_24"),
            ..FileOptions::new(RATE, 2)
        },
    )
    .map_err(|e| e.to_string())?;
    f.write(&samples).map_err(|e| e.to_string())?;
    f.finalize().map_err(|e| e.to_string())?;
    println!("wrote {file}: {t_total:.1} s stereo sweep, 50 Hz to 10 kHz, 24-bit, {RATE} Hz");
    Ok(true)
}

fn read_all(file: &str) -> Result<(usize, Vec<I24>), String> {
    let mut f = SoundFile::open(file).map_err(|e| e.to_string())?;
    let ch = f.info().channels;
    let mut samples = Vec::new();
    let mut buf = vec![I24::default(); 4096 * ch];
    loop {
        let n = f.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        samples.extend_from_slice(&buf[..n * ch]);
    }
    Ok((ch, samples))
}

fn check(played: &str, recorded: &str) -> Result<bool, String> {
    let (ch, play) = read_all(played)?;
    let (rch, rec) = read_all(recorded)?;
    if ch != rch {
        return Err(format!("{played} has {ch} channels, {recorded} {rch}"));
    }
    let frames = play.len() / ch;
    let click = play[0];
    let Some(delay) = rec.chunks_exact(ch).position(|f| f[0] == click) else {
        println!("the click is not in the recording: nothing came back");
        return Ok(false);
    };
    let back = &rec[delay * ch..];
    let exact = back.len() >= play.len() && back[..play.len()] == play[..];
    let peak = rec
        .iter()
        .map(|s| s.get().unsigned_abs())
        .max()
        .unwrap_or(0);
    println!(
        "round-trip delay: {delay} frames ({:.2} ms)",
        delay as f64 * 1000.0 / f64::from(RATE)
    );
    println!(
        "peak level: {:.1} dBFS",
        20.0 * (f64::from(peak) / 8_388_608.0).log10()
    );
    println!(
        "the recording {} the {frames} played frames, sample for sample",
        if exact {
            "holds all of"
        } else {
            "DOES NOT hold"
        }
    );
    Ok(exact)
}
