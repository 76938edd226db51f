//! Recordings past 4 GiB, on the free-running virtual device: a WAV file
//! becomes RF64 and reads back whole; an AIFF file, whose sizes have 32
//! bits, stops at its limit, keeps what fitted and stays valid.
//!
//! The playback is a block of a prime number of frames, each frame unlike
//! the others, played over and over: read back in pieces of that length
//! after the loopback delay, every piece must equal the block, so a frame
//! lost, doubled or moved anywhere in the 4 GiB shows.

use std::path::PathBuf;

use pastream::io::sink::FileSink;
use pastream::io::soundfile::{FileError, FileOptions, FileType, SIZE_LIMIT, SoundFile};
use pastream::{Clock, DuplexStream, SampleFormat, Source, StreamConfig, StreamError};

const CHANNELS: usize = 32;
const BLOCK: usize = 4096;
/// The frames of the played block: a prime, so that it never lines up
/// with the blocks of the device or the rings.
const PATTERN_FRAMES: usize = 48_017;
/// 34 million frames of 32 float channels: 4.35 GB, past 4 GiB.
const FRAMES: i64 = 34_000_000;

fn pattern() -> Vec<f32> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..PATTERN_FRAMES * CHANNELS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect()
}

/// Where 4.4 GB fit: /dev/shm when it has room (memory, fast), else the
/// temporary directory.
fn scratch(name: &str) -> PathBuf {
    let need = 5u64 << 30;
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() && free_bytes(shm).is_some_and(|b| b > need) {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let free = free_bytes(&dir).unwrap_or(0);
    assert!(
        free > need,
        "the large-file tests need {} GiB free in {} (or /dev/shm); it has {} MiB",
        need >> 30,
        dir.display(),
        free >> 20
    );
    dir.join(format!("pastream-large-{}-{name}", std::process::id()))
}

/// Free bytes of the file system holding `dir`, from `df`.
fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .args(["-k", "--output=avail"])
        .arg(dir)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text.lines().nth(1)?.trim().parse().ok()?;
    Some(kib * 1024)
}

/// Records the looping pattern into a file of `file_type`; returns the
/// run's result, the path and the played pattern.
fn record(file_type: &str) -> (Result<bool, StreamError>, PathBuf, Vec<f32>) {
    let path = scratch(file_type);
    let config = StreamConfig::new()
        .device("loopback")
        .clock(Clock::FreeRunning)
        .channels(CHANNELS)
        .blocksize(BLOCK);
    let mut s = DuplexStream::open(&config).unwrap();
    let options = FileOptions {
        file_type: FileType::from_name(file_type),
        ..FileOptions::for_stream(&s)
    };
    let file = SoundFile::create(&path, &options).unwrap();
    s.set_sink(Some(FileSink::new(file, s.format()).into()))
        .unwrap();
    let played = pattern();
    s.set_source(Some(Source::samples(&played))).unwrap();
    s.set_looping(true);
    s.set_frames(FRAMES);
    s.start().unwrap();
    (s.wait(None), path, played)
}

/// Reads the whole file back: the delay's silence, then the pattern over
/// and over, frame for frame. Returns the frames read.
fn check(path: &PathBuf, played: &[f32]) -> u64 {
    let mut f = SoundFile::open(path).unwrap();
    let fs = SampleFormat::F32.frame_size(CHANNELS);
    let mut silence = vec![0u8; BLOCK * fs];
    assert_eq!(f.read_raw(&mut silence, SampleFormat::F32).unwrap(), BLOCK);
    assert!(silence.iter().all(|&b| b == 0), "the delay is silence");
    let want = pastream::sample::as_bytes(played);
    let mut piece = vec![0u8; want.len()];
    let mut total = BLOCK as u64;
    let mut k = 0u64;
    loop {
        let n = f.read_raw(&mut piece, SampleFormat::F32).unwrap();
        if n == 0 {
            break;
        }
        assert!(
            piece[..n * fs] == want[..n * fs],
            "piece {k} (from frame {total}) differs from the played block"
        );
        total += n as u64;
        k += 1;
    }
    total
}

#[test]
fn a_wav_recording_past_4_gib_becomes_rf64_and_reads_back_whole() {
    let (result, path, played) = record("WAV");
    result.unwrap();
    let mut head = [0u8; 4];
    std::io::Read::read_exact(&mut std::fs::File::open(&path).unwrap(), &mut head).unwrap();
    assert_eq!(&head, b"RF64");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 4 << 30, "{size} bytes");
    assert_eq!(check(&path, &played), FRAMES as u64);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn an_aiff_recording_stops_at_its_limit_and_stays_valid() {
    let (result, path, played) = record("AIFF");
    let fs = SampleFormat::F32.frame_size(CHANNELS) as u64;
    let fit = SIZE_LIMIT / fs;
    match result {
        Err(StreamError::File(FileError::Full { frames, .. })) => assert_eq!(frames, fit),
        other => panic!("{other:?}"),
    }
    assert_eq!(SoundFile::open(&path).unwrap().info().frames, Some(fit));
    assert_eq!(check(&path, &played), fit);
    std::fs::remove_file(&path).unwrap();
}
