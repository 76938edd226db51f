//! A file copied through the free-running virtual device (a file source
//! feeding the playback ring, the device looping output to input, a file
//! sink draining the recording ring: what `pastream in.wav out.wav` does)
//! against a plain libsndfile read and write of the same file, in the same
//! run: 10 s of 24-bit stereo WAV, and 10 s of 32-channel float WAV.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pastream::io::file::{file_sink, file_source};
use pastream::io::soundfile::{Encoding, FileOptions, SoundFile};
use pastream::sample::I24;
use pastream::{Clock, DuplexStream, SampleFormat, StreamConfig};

const SECONDS: usize = 10;
const RATE: usize = 48000;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("pastream-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A WAV file of `channels` channels in `encoding`, a slow sweep.
fn make(path: &Path, channels: usize, encoding: &str, format: SampleFormat) {
    let options = FileOptions {
        encoding: Encoding::from_name(encoding),
        ..FileOptions::new(RATE as u32, channels)
    };
    let mut f = SoundFile::create(path, &options).unwrap();
    let frames = SECONDS * RATE;
    let level = |i: usize| ((i as f64 * 0.01).sin() * 0.5) as f32;
    match format {
        SampleFormat::I24 => {
            let s: Vec<I24> = (0..frames * channels)
                .map(|i| I24::new((level(i / channels) * 8_388_607.0) as i32))
                .collect();
            f.write(&s).unwrap();
        }
        _ => {
            let s: Vec<f32> = (0..frames * channels)
                .map(|i| level(i / channels))
                .collect();
            f.write(&s).unwrap();
        }
    }
    f.finalize().unwrap();
}

/// Reads and writes every frame with libsndfile alone.
fn plain_copy(from: &Path, to: &Path, format: SampleFormat) {
    let mut input = SoundFile::open(from).unwrap();
    let ch = input.info().channels;
    let options = FileOptions {
        encoding: input.info().encoding,
        ..FileOptions::new(input.info().samplerate, ch)
    };
    let mut output = SoundFile::create(to, &options).unwrap();
    let mut buf = vec![0u8; 4096 * format.frame_size(ch)];
    loop {
        let n = input.read_raw(&mut buf, format).unwrap();
        if n == 0 {
            break;
        }
        output
            .write_raw(&buf[..n * format.frame_size(ch)], format)
            .unwrap();
    }
    output.finalize().unwrap();
}

/// Plays `from` through the free-running virtual device while recording
/// into `to`, as the command line does.
fn stream_copy(from: &Path, to: &Path) {
    let file = SoundFile::open(from).unwrap();
    let config = StreamConfig::new()
        .device("loopback, Virtual")
        .clock(Clock::FreeRunning)
        .for_file(file.info());
    let mut s = DuplexStream::open(&config).unwrap();
    let format = s.format();
    let out = SoundFile::create(to, &FileOptions::for_stream(&s)).unwrap();
    s.set_source(Some(file_source(file, format, None, None)))
        .unwrap();
    s.set_sink(Some(file_sink(out, format, None, None)))
        .unwrap();
    s.start().unwrap();
    s.wait(None).unwrap();
}

fn bench_copy(c: &mut Criterion) {
    let d = dir();
    let mut g = c.benchmark_group("file_copy");
    g.sample_size(10);
    for (name, channels, encoding, format) in [
        ("24bit_stereo", 2, "PCM_24", SampleFormat::I24),
        ("float_32ch", 32, "FLOAT", SampleFormat::F32),
    ] {
        let from = d.join(format!("{name}.wav"));
        make(&from, channels, encoding, format);
        g.throughput(Throughput::Bytes(std::fs::metadata(&from).unwrap().len()));
        let to = d.join(format!("{name}-out.wav"));
        g.bench_with_input(BenchmarkId::new("libsndfile", name), &from, |b, from| {
            b.iter(|| plain_copy(from, &to, format))
        });
        g.bench_with_input(
            BenchmarkId::new("virtual_device", name),
            &from,
            |b, from| b.iter(|| stream_copy(from, &to)),
        );
    }
    g.finish();
    std::fs::remove_dir_all(&d).ok();
}

criterion_group!(benches, bench_copy);
criterion_main!(benches);
