//! Every boundary where a program hands samples in or gets them back is
//! typed: the wrong element type, or a buffer that is not a whole number
//! of frames, is an error that names the formats, never a reinterpretation
//! of bytes.

mod common;

use assert_no_alloc::AllocDisabler;
use common::*;
use pastream::io::soundfile::{FileError, FileOptions, SoundFile};
use pastream::rt::ring::{RingBuffer, RingError};
use pastream::sample::I24;
use pastream::{
    ChunkOptions, DuplexStream, InputStream, OutputStream, SampleError, SampleFormat, Sink, Source,
    StreamConfig, StreamError, Transfer,
};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

const F32: SampleFormat = SampleFormat::F32;

fn mismatch(e: StreamError) -> (SampleFormat, SampleFormat, String) {
    let text = e.to_string();
    match e {
        StreamError::Sample(SampleError::Mismatch { expected, got }) => (expected, got, text),
        other => panic!("expected a sample type mismatch, got {other:?}"),
    }
}

#[test]
fn memory_playback_of_the_wrong_type_is_refused() {
    let mut s = OutputStream::open(&free_config(2, F32, 64)).unwrap();
    let e = s
        .play(vec![1000i16; 9600], &Transfer::new().blocking(true))
        .unwrap_err();
    let (expected, got, text) = mismatch(e);
    assert_eq!((expected, got), (F32, SampleFormat::I16));
    assert_eq!(
        text,
        "int16 samples given where float32 samples are carried"
    );
    // Nothing was played.
    assert_eq!(s.frame_count(), 0);
    // Bytes are u8 samples: on a float32 stream they are refused too.
    let e = s.play(vec![0u8; 8 * 100], &Transfer::new()).unwrap_err();
    assert_eq!(mismatch(e).1, SampleFormat::U8);
    let mut d = DuplexStream::open(&free_config(1, SampleFormat::I24, 64)).unwrap();
    let e = d.playrec([0i32; 10], &Transfer::new()).unwrap_err();
    assert_eq!(
        mismatch(e).2,
        "int32 samples given where int24 samples are carried"
    );
}

#[test]
fn memory_playback_of_a_partial_frame_is_refused() {
    let mut s = OutputStream::open(&free_config(2, SampleFormat::I16, 64)).unwrap();
    let e = s.play(vec![0i16; 4801], &Transfer::new()).unwrap_err();
    assert!(
        matches!(
            e,
            StreamError::Sample(SampleError::PartialFrame {
                samples: 4801,
                channels: 2,
                format: SampleFormat::I16
            })
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "4801 samples of int16 are not a whole number of 2-channel frames"
    );
    // Raw bytes: only the length is checked, in whole samples and frames.
    let e = s
        .play(Source::raw(vec![0u8; 7]), &Transfer::new())
        .unwrap_err();
    assert!(
        matches!(
            e,
            StreamError::Sample(SampleError::PartialSample { bytes: 7, .. })
        ),
        "{e:?}"
    );
    let e = s
        .play(Source::raw(vec![0u8; 6]), &Transfer::new())
        .unwrap_err();
    assert!(
        matches!(
            e,
            StreamError::Sample(SampleError::PartialFrame { samples: 3, .. })
        ),
        "{e:?}"
    );
    s.play(Source::raw(vec![0u8; 8]), &Transfer::new().blocking(true))
        .unwrap();
}

#[test]
fn typed_playback_round_trips_in_every_format() {
    fn round_trip<T: pastream::Sample>(samples: Vec<T>) {
        let format = T::FORMAT;
        let mut s = DuplexStream::open(&free_config(2, format, 64)).unwrap();
        let rec = s
            .playrec(&samples, &Transfer::new().pad(64).blocking(true))
            .unwrap()
            .unwrap();
        assert_eq!((rec.format(), rec.channels()), (format, 2));
        let back: Vec<T> = rec.samples().unwrap();
        assert_eq!(&back[2 * 64..], &samples[..], "{format}");
    }
    round_trip((0..2000).map(|i| i as f32 / 2000.0).collect());
    round_trip((0..2000).map(|i| i * 1_000_003).collect::<Vec<i32>>());
    round_trip((0..2000).map(|i| I24::new(i * 4001 - 4_000_000)).collect());
    round_trip((0..2000).map(|i| (i * 31) as i16).collect());
    round_trip((0..2000).map(|i| i as i8).collect());
    round_trip((0..2000).map(|i| i as u8).collect());
}

#[test]
fn recordings_are_read_as_their_own_type_only() {
    let mut s = InputStream::open(&free_config(2, SampleFormat::I16, 64)).unwrap();
    let rec = s
        .record(&Transfer::new().frames(100).blocking(true))
        .unwrap()
        .unwrap();
    assert_eq!(rec.frames(), 100);
    assert_eq!(rec.samples::<i16>().unwrap().len(), 200);
    assert_eq!(
        rec.samples::<f32>().unwrap_err(),
        SampleError::Mismatch {
            expected: SampleFormat::I16,
            got: F32
        }
    );
    assert_eq!(rec.as_raw().len(), 400);
}

#[test]
fn rings_of_another_format_or_frame_are_refused() {
    let mut s = DuplexStream::open(&free_config(2, F32, 64)).unwrap();
    let (_tx, rx) = RingBuffer::new(SampleFormat::I16, 2, 1024).unwrap();
    let e = s.set_source(Some(Source::Ring(rx))).unwrap_err();
    assert_eq!(
        mismatch(e).2,
        "int16 samples given where float32 samples are carried"
    );
    let (tx, _rx) = RingBuffer::new(F32, 3, 1024).unwrap();
    let e = s.set_sink(Some(Sink::Ring(tx))).unwrap_err();
    assert!(
        matches!(
            e,
            StreamError::Ring(RingError::ElementSize { got: 12, want: 8 })
        ),
        "{e:?}"
    );
    // The right ring is taken, and typed writes reach the playback.
    let (mut tx, rx) = RingBuffer::new(F32, 2, 1024).unwrap();
    assert_eq!(tx.write(&[0.25f32; 2 * 100]), Ok(100));
    assert!(tx.write(&[0.25f32; 3]).is_err(), "a partial frame");
    s.set_source(Some(Source::Ring(rx))).unwrap();
    s.set_sink(None).unwrap();
    s.start().unwrap();
    s.wait(None).unwrap();
    assert_eq!(s.frame_count(), 100);
}

#[test]
fn chunks_are_typed() {
    let mut s = InputStream::open(&free_config(2, SampleFormat::I24, 64)).unwrap();
    let e = s.chunks::<i32>(ChunkOptions::default()).unwrap_err();
    assert_eq!(
        mismatch(e).2,
        "int32 samples given where int24 samples are carried"
    );
    let mut out = vec![I24::default(); 2 * 100];
    let counters = s.counters();
    let mut chunks = s
        .chunks::<I24>(ChunkOptions {
            chunksize: Some(100),
            frames: 1000,
            out: Some(&mut out),
            ..ChunkOptions::default()
        })
        .unwrap();
    let mut frames = 0;
    while let Some(chunk) = chunks.next_chunk() {
        let chunk: &[I24] = chunk.unwrap();
        assert!(
            chunk.iter().all(|s| s.get() == 0),
            "the virtual input is silent"
        );
        frames += chunk.len() / 2;
        assert!(counters.frame_count() >= frames as u64);
    }
    assert_eq!(frames, 1000);
    // Raw chunks: bytes, whatever the format.
    drop(chunks);
    let mut chunks = s
        .raw_chunks(ChunkOptions {
            chunksize: Some(100),
            frames: 200,
            ..ChunkOptions::default()
        })
        .unwrap();
    let first = chunks.next_chunk().unwrap().unwrap();
    assert_eq!(first.len(), 100 * 6);
}

#[test]
fn files_take_typed_frames_and_errors_convert() {
    let path = std::env::temp_dir().join(format!("pastream-typed-{}.wav", std::process::id()));
    let mut f = SoundFile::create(&path, &FileOptions::new(48000, 2)).unwrap();
    let e = f.write(&[0.5f32; 3]).unwrap_err();
    assert!(
        matches!(
            e,
            FileError::Sample(SampleError::PartialFrame { samples: 3, .. })
        ),
        "{e:?}"
    );
    f.write(&[0i16, 16384, -16384, 0]).unwrap();
    f.finalize().unwrap();
    // A file error converts into a stream error, so `?` works across both.
    fn open_and_play(path: &std::path::Path) -> Result<u64, StreamError> {
        let mut file = SoundFile::open(path)?;
        let mut frames = vec![0i16; 4];
        assert_eq!(file.read(&mut frames)?, 2);
        assert_eq!(frames, [0, 16384, -16384, 0]);
        let config = StreamConfig::new().for_file(file.info());
        Ok(config_frames(&config))
    }
    fn config_frames(_: &StreamConfig) -> u64 {
        2
    }
    assert_eq!(open_and_play(&path).unwrap(), 2);
    let e = open_and_play(std::path::Path::new("/nonexistent/x.wav")).unwrap_err();
    assert!(
        matches!(e, StreamError::File(FileError::Open { .. })),
        "{e:?}"
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn for_file_keeps_the_files_sample_format() {
    let path = std::env::temp_dir().join(format!("pastream-forfile-{}.wav", std::process::id()));
    let mut f = SoundFile::create(
        &path,
        &FileOptions {
            format: Some(SampleFormat::I16),
            ..FileOptions::new(44100, 1)
        },
    )
    .unwrap();
    f.write(&[1i16, 2, 3]).unwrap();
    f.finalize().unwrap();
    let file = SoundFile::open(&path).unwrap();
    let config = StreamConfig::new()
        .device("loopback")
        .clock(pastream::Clock::FreeRunning)
        .for_file(file.info());
    let s = OutputStream::open(&config).unwrap();
    assert_eq!(
        (s.format(), s.samplerate(), s.channels()),
        (SampleFormat::I16, 44100.0, (0, 1))
    );
    std::fs::remove_file(&path).ok();
}
