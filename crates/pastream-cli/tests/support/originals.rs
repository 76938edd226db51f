//! The original pastream's rules where ours once differed, on any loopback
//! device: `^` for none, the pad of a recording alone, looping a standard
//! input redirected from a file, one `-t` for the recording beside a
//! playback file with a header, a sample-rate mismatch, one file as both
//! ends.

use std::process::{Command, Stdio};

use pastream::SampleFormat;
use pastream::io::soundfile::{FileOptions, SoundFile, Target};

use super::*;

/// Runs `cmd` with `args` and standard input from `stdin`.
fn run_with_stdin(cmd: &mut Command, args: &[&str], stdin: Stdio) -> (i32, String) {
    let out = cmd
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn originals_rules(cmd: fn() -> Command, device: &str) {
    let dir = scratch(&format!("originals-{}", device.replace([' ', ','], "-")));
    let data = signal(7, 4800, 2, SampleFormat::I16, 16);
    let input = dir.join("in.wav");
    write_file(&input, "WAV", "PCM_16", 2, SampleFormat::I16, &data);
    let i = input.to_str().unwrap();
    let frames_of = |p: &std::path::Path| SoundFile::open(p).unwrap().info().frames.unwrap();

    // `^` stands for none, on either side.
    let (code, _, err) = run(&mut cmd(), &[i, "^", "-D", device]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("-> null"), "{err}");
    let rec = dir.join("caret.wav");
    let (code, _, err) = run(
        &mut cmd(),
        &[
            "^",
            rec.to_str().unwrap(),
            "-D",
            device,
            "-c",
            "2",
            "-d",
            "1000s",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(frames_of(&rec), 1000);

    // Recording alone, the pad lengthens the recording.
    let rec = dir.join("padded.wav");
    let (code, _, err) = run(
        &mut cmd(),
        &[
            "null",
            rec.to_str().unwrap(),
            "-D",
            device,
            "-c",
            "2",
            "-d",
            "1000s",
            "-p",
            "500s",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(frames_of(&rec), 1500);

    // --loop with standard input redirected from a file: it loops.
    let (code, err) = run_with_stdin(
        &mut cmd(),
        &["-", "null", "--loop", "-d", "12000s", "-D", device],
        Stdio::from(std::fs::File::open(&input).unwrap()),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(reported_frames(&err), 12000, "{err}");
    // ... and from a pipe, one line.
    let mut cat = Command::new("cat")
        .arg(&input)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, err) = run_with_stdin(
        &mut cmd(),
        &["-", "null", "--loop", "-t", "wav", "-D", device],
        Stdio::from(cat.stdout.take().unwrap()),
    );
    let _ = cat.wait();
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim_end(),
        "pastream: --loop: '-' is a pipe, which cannot be played twice; give the file itself"
    );

    // One -t (and -e) beside a playback file with a header: for the
    // recording.
    let raw = dir.join("out.raw");
    let (code, _, err) = run(
        &mut cmd(),
        &[
            i,
            raw.to_str().unwrap(),
            "-t",
            "raw",
            "-e",
            "pcm_16",
            "-D",
            device,
            "-p",
            "2Ks",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, _, rec) = read_file(
        &Target::Path(raw),
        SampleFormat::I16,
        &FileOptions {
            file_type: pastream::io::soundfile::FileType::from_name("RAW"),
            encoding: pastream::io::soundfile::Encoding::from_name("PCM_16"),
            samplerate: Some(48000),
            channels: Some(2),
            ..FileOptions::default()
        },
    );
    let delay = find_preamble(&rec, SampleFormat::I16, 2).expect("the preamble came back");
    assert_samples_equal(
        &rec[delay * 4..(delay + 4800) * 4],
        &data,
        SampleFormat::I16,
        2,
    );

    // A rate that is not the file's is refused, naming both.
    let (code, _, err) = run(&mut cmd(), &[i, "-r", "44.1k", "-D", device]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("44100 Hz") && err.contains("48000 Hz"),
        "{err}"
    );

    // One file as both ends: refused, and left as it was.
    let (code, _, err) = run(&mut cmd(), &[i, i, "-D", device]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(frames_of(&input), 4800);
}
