//! Running the `pastream` binary on files made for the test, and checking
//! what it recorded.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use pastream::SampleFormat;
use pastream::soundfile::{Encoding, FileOptions, FileType, SoundFile, Target};

/// Frames of full-scale level that start every test file.
pub const PREAMBLE: usize = 64;

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
/// the bytes of `format`, fitting `bits` significant bits.
pub fn signal(
    seed: u64,
    frames: usize,
    channels: usize,
    format: SampleFormat,
    bits: u32,
) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(frames * format.frame_size(channels));
    for f in 0..frames {
        for _ in 0..channels {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let r = state;
            let pre = f < PREAMBLE;
            match format {
                SampleFormat::F32 => {
                    let v = if pre {
                        0.999_999_94f32
                    } else {
                        (r >> 40) as f32 / (1u32 << 23) as f32 - 1.0
                    };
                    out.extend_from_slice(&v.to_ne_bytes());
                }
                SampleFormat::I16 => {
                    let v = if pre {
                        i16::MAX
                    } else {
                        ((r as i16) >> (16 - bits.min(16))) << (16 - bits.min(16))
                    };
                    out.extend_from_slice(&v.to_ne_bytes());
                }
                SampleFormat::I24 => {
                    let v = if pre {
                        0x7F_FFFF
                    } else {
                        ((r as i32) << 8) >> 8
                    };
                    out.extend_from_slice(&v.to_le_bytes()[..3]);
                }
                SampleFormat::I32 => {
                    let v = if pre {
                        i32::MAX
                    } else {
                        ((r as i32) >> (32 - bits)) << (32 - bits)
                    };
                    out.extend_from_slice(&v.to_ne_bytes());
                }
                SampleFormat::I8 | SampleFormat::U8 => out.push(if pre { 0x7F } else { r as u8 }),
            }
        }
    }
    out
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
        &Target::Path(path.to_owned()),
        &FileOptions {
            file_type: FileType::from_name(file_type),
            encoding: Encoding::from_name(encoding),
            samplerate: Some(48000),
            channels: Some(channels),
            ..FileOptions::default()
        },
    )
    .unwrap();
    f.write(data, format).unwrap();
    f.finalize().unwrap();
}

/// Reads a whole sound file in `format`: (channels, encoding, data).
pub fn read_file(
    target: &Target,
    format: SampleFormat,
    options: &FileOptions,
) -> (usize, String, Vec<u8>) {
    let mut f = SoundFile::open(target, options).unwrap();
    let ch = f.info().channels;
    let enc = f
        .info()
        .encoding
        .map_or(String::new(), |e| e.name().to_owned());
    let mut data = Vec::new();
    let mut buf = vec![0u8; 4096 * format.frame_size(ch)];
    loop {
        let n = f.read(&mut buf, format).unwrap();
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n * format.frame_size(ch)]);
    }
    (ch, enc, data)
}

/// The first frame whose first sample is the preamble level.
pub fn find_preamble(data: &[u8], format: SampleFormat, channels: usize) -> Option<usize> {
    let fs = format.frame_size(channels);
    let ss = format.sample_size();
    let first = signal(0, 1, 1, format, 32);
    data.chunks_exact(fs).position(|f| f[..ss] == first[..ss])
}

/// Compares sample by sample, naming the first difference.
pub fn assert_samples_equal(got: &[u8], want: &[u8], format: SampleFormat, channels: usize) {
    assert_eq!(got.len(), want.len(), "lengths differ (bytes)");
    let ss = format.sample_size();
    for (i, (g, w)) in got.chunks_exact(ss).zip(want.chunks_exact(ss)).enumerate() {
        assert_eq!(
            g,
            w,
            "sample mismatch at frame {} channel {}",
            i / channels,
            i % channels
        );
    }
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

/// Pipes an AU file through `pastream - - -t au` and returns what came
/// out on standard output.
pub fn pipe_au(cmd: &mut Command, device: &str, au: Vec<u8>) -> (i32, Vec<u8>, String) {
    let mut child = cmd
        .args(["-", "-", "-t", "au", "-D", device, "-p", "2Ks", "-q"])
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
        .find(|l| l.contains("frames ("))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary in {stderr}"))
}
