//! Running the `pastream` binary on files made for the test, and checking
//! what it recorded.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use pastream::SampleFormat;
use pastream::io::soundfile::{Encoding, FileOptions, FileType, SoundFile, Target};
pub use pastream_testkit::{Signal, assert_samples_equal, find_preamble};

pub mod faults;
pub mod originals;

/// A scratch directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pastream-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The binary under test, on the given virtual clock settings.
pub fn pastream(virtual_settings: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pastream"));
    c.env("PASTREAM_VIRTUAL", virtual_settings);
    c
}

/// Runs it with these arguments; returns (status code, stdout, stderr).
pub fn run(cmd: &mut Command, args: &[&str]) -> (i32, Vec<u8>, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the pastream binary runs");
    (
        status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Deterministic pseudo-random interleaved samples after a preamble, as
/// the bytes of `format`, int16 and int32 samples keeping their top `bits`
/// bits.
pub fn signal(
    seed: u64,
    frames: usize,
    channels: usize,
    format: SampleFormat,
    bits: u32,
) -> Vec<u8> {
    Signal::new(seed, format, channels).bits(bits).take(frames)
}

/// Writes a sound file.
pub fn write_file(
    path: &Path,
    file_type: &str,
    encoding: &str,
    channels: usize,
    format: SampleFormat,
    data: &[u8],
) {
    let mut f = SoundFile::create(
        path,
        &FileOptions {
            file_type: FileType::from_name(file_type),
            encoding: Encoding::from_name(encoding),
            samplerate: Some(48000),
            channels: Some(channels),
            ..FileOptions::default()
        },
    )
    .unwrap();
    f.write_raw(data, format).unwrap();
    f.finalize().unwrap();
}

/// Reads a whole sound file in `format`: (channels, encoding, data).
pub fn read_file(
    target: &Target,
    format: SampleFormat,
    options: &FileOptions,
) -> (usize, String, Vec<u8>) {
    let mut f = SoundFile::open_with(target, options).unwrap();
    let ch = f.info().channels;
    let enc = f
        .info()
        .encoding
        .map_or(String::new(), |e| e.name().to_owned());
    let mut data = Vec::new();
    let mut buf = vec![0u8; 4096 * format.frame_size(ch)];
    loop {
        let n = f.read_raw(&mut buf, format).unwrap();
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n * format.frame_size(ch)]);
    }
    (ch, enc, data)
}

/// Plays `file_type`/`encoding` through the device and checks that the
/// recording holds the playback, bit for bit, after the preamble.
pub fn file_round_trip(
    cmd: fn() -> Command,
    device: &str,
    file_type: &str,
    encoding: &str,
    ext: &str,
) {
    let dir = scratch(&format!("rt-{file_type}-{encoding}"));
    let format = Encoding::from_name(encoding)
        .unwrap()
        .sample_format()
        .unwrap();
    let bits = if encoding == "PCM_16" { 16 } else { 32 };
    let data = signal(7, 12_000, 2, format, bits);
    let input = dir.join(format!("in.{ext}"));
    let output = dir.join(format!("out.{ext}"));
    write_file(&input, file_type, encoding, 2, format, &data);
    let (code, _, err) = run(
        &mut cmd(),
        &[
            "-D",
            device,
            input.to_str().unwrap(),
            output.to_str().unwrap(),
            "-c",
            "2",
            "-p",
            "2Ks",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "-q prints nothing");
    let (ch, enc, rec) = read_file(&Target::Path(output), format, &FileOptions::default());
    assert_eq!(
        (ch, enc.as_str()),
        (2, encoding),
        "the recording keeps the encoding"
    );
    let fs = format.frame_size(2);
    assert_eq!(rec.len(), (12_000 + 2048) * fs);
    let delay = find_preamble(&rec, format, 2).expect("preamble");
    assert_samples_equal(&rec[delay * fs..(delay + 12_000) * fs], &data, format, 2);
}

/// Pipes a stereo AU file through `pastream - - -t au` and returns what
/// came out on standard output.
pub fn pipe_au(cmd: &mut Command, device: &str, au: Vec<u8>) -> (i32, Vec<u8>, String) {
    pipe_au_channels(cmd, device, 2, au)
}

/// Pipes an AU file of `channels` channels through `pastream - - -t au`
/// and returns what came out on standard output.
pub fn pipe_au_channels(
    cmd: &mut Command,
    device: &str,
    channels: usize,
    au: Vec<u8>,
) -> (i32, Vec<u8>, String) {
    let channels = channels.to_string();
    let mut child = cmd
        .args([
            "-", "-", "-t", "au", "-D", device, "-c", &channels, "-p", "2Ks", "-q",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&au));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Pipes a 16-bit AU file through `pastream - - -t au` and checks that
/// standard output holds it, bit for bit, after `delay` frames.
pub fn stdin_to_stdout_au(cmd: fn() -> Command, device: &str, delay: usize) {
    let dir = scratch(&format!("pipe-{}", device.replace([' ', ','], "-")));
    let data = signal(5, 20_000, 2, SampleFormat::I16, 16);
    let au = dir.join("in.au");
    write_file(&au, "AU", "PCM_16", 2, SampleFormat::I16, &data);
    let (code, stdout, err) = pipe_au(&mut cmd(), device, std::fs::read(&au).unwrap());
    assert_eq!(code, 0, "{err}");
    let got = dir.join("got.au");
    std::fs::write(&got, &stdout).unwrap();
    let (ch, enc, rec) = read_file(
        &Target::Path(got),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    assert_eq!((ch, enc.as_str()), (2, "PCM_16"));
    let d = find_preamble(&rec, SampleFormat::I16, 2).unwrap();
    assert_eq!(d, delay);
    assert_samples_equal(&rec[d * 4..(d + 20_000) * 4], &data, SampleFormat::I16, 2);
}

/// The frame count of the summary line `pastream` prints at the end.
pub fn reported_frames(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.contains(" frames ("))
        .find_map(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no summary in {stderr}"))
}
