//! The loopback suite on the virtual device: what is played comes back on
//! the input, and every parameter changes the result exactly as documented.
//! Every callback runs with allocation forbidden.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_no_alloc::AllocDisabler;
use common::*;
use pastream::ring::RingBuffer;
use pastream::{
    ChannelMap, ChunkOptions, DuplexStream, InputStream, OutputStream, SampleFormat, Sink, Source,
    StatusFlags, StreamError, Transfer, VirtualOptions, Xruns,
};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

const F32: SampleFormat = SampleFormat::F32;

/// Reads `frames` frames after the preamble from a chunk sequence whose
/// playback is `Signal::new(seed, ..)`, checks them against the signal, and
/// returns (delay in frames, chunk lengths).
fn check_chunks(
    stream: &mut DuplexStream,
    seed: u64,
    frames: usize,
    tx_map: Option<&[usize]>,
    rx_map: Option<&[usize]>,
    mut options: ChunkOptions<'_>,
) -> (usize, Vec<usize>) {
    let (channels, format) = (stream.channels().0, stream.format());
    let fs = format.frame_size(channels);
    options.playback = Some(Signal::new(seed, format, channels).feeder());
    let mut chunks = stream.chunks(options).unwrap();
    let mut got = Vec::new();
    let mut lengths = Vec::new();
    let mut delay = None;
    while delay.is_none_or(|d| got.len() < (d + frames) * fs) {
        let chunk = chunks
            .next_chunk()
            .expect("the stream ended early")
            .unwrap();
        lengths.push(chunk.len() / fs);
        got.extend_from_slice(chunk);
        if delay.is_none() {
            delay = find_preamble(&got, format, channels);
        }
    }
    drop(chunks);
    let delay = delay.unwrap();
    let mut want = Signal::new(seed, format, channels).take(frames);
    for map in [tx_map, rx_map].into_iter().flatten() {
        want = permute(&want, format, channels, map);
    }
    assert_samples_equal(
        &got[delay * fs..(delay + frames) * fs],
        &want,
        format,
        channels,
    );
    (delay, lengths)
}

#[test]
fn chunks_bit_exact_after_preamble() {
    let seed = seed();
    let mut s = DuplexStream::open(&free_config(2, F32, 256)).unwrap();
    let (delay, lengths) = check_chunks(&mut s, seed, 48000, None, None, ChunkOptions::default());
    // The virtual loopback's latency is one block by default.
    assert_eq!(delay, 256);
    assert!(lengths.iter().all(|&n| n == 256), "{lengths:?}");
    assert_no_violations();
}

#[test]
fn chunks_into_caller_buffer() {
    let seed = seed();
    let mut s = DuplexStream::open(&free_config(2, F32, 128)).unwrap();
    let mut buf = vec![0u8; 1000 * 8];
    let (delay, lengths) = check_chunks(
        &mut s,
        seed,
        48000,
        None,
        None,
        ChunkOptions {
            chunksize: Some(1000),
            out: Some(&mut buf),
            ..ChunkOptions::default()
        },
    );
    assert_eq!(delay, 128);
    assert!(lengths.iter().all(|&n| n == 1000));
    assert_no_violations();
}

#[test]
fn chunks_with_variable_blocksize() {
    let seed = seed();
    let mut s = DuplexStream::open(&free_config(3, SampleFormat::I16, 0)).unwrap();
    let (delay, lengths) = check_chunks(&mut s, seed, 20000, None, None, ChunkOptions::default());
    assert_eq!(delay, 512);
    assert!(lengths.iter().all(|&n| n >= 1));
    assert_no_violations();
}

#[test]
fn chunks_overlap() {
    let seed = seed();
    let mut s = DuplexStream::open(&free_config(1, SampleFormat::I32, 64)).unwrap();
    let mut chunks = s
        .chunks(ChunkOptions {
            chunksize: Some(100),
            overlap: 40,
            playback: Some(Signal::new(seed, SampleFormat::I32, 1).feeder()),
            ..ChunkOptions::default()
        })
        .unwrap();
    let mut prev: Option<Vec<u8>> = None;
    for _ in 0..500 {
        let chunk = chunks.next_chunk().unwrap().unwrap().to_vec();
        assert_eq!(chunk.len(), 400);
        if let Some(p) = prev {
            assert_eq!(
                &chunk[..160],
                &p[240..],
                "a chunk starts with the last 40 frames of the previous one"
            );
        }
        prev = Some(chunk);
    }
    drop(chunks);
    assert_no_violations();
}

#[test]
fn chunks_end_with_the_stream() {
    // 1000 frames recorded in chunks of 300: three full chunks and one of 100.
    let mut s = InputStream::open(&free_config(2, F32, 64)).unwrap();
    let mut chunks = s
        .chunks(ChunkOptions {
            chunksize: Some(300),
            frames: 1000,
            ..ChunkOptions::default()
        })
        .unwrap();
    let mut lengths = Vec::new();
    while let Some(c) = chunks.next_chunk() {
        lengths.push(c.unwrap().len() / 8);
    }
    assert_eq!(lengths, [300, 300, 300, 100]);
    assert!(chunks.next_chunk().is_none());
    drop(chunks);
    assert_eq!(s.frame_count(), 1000);
    assert_no_violations();
}

#[test]
fn tx_and_rx_channel_permutations() {
    let seed = seed();
    for (k, ch) in [2usize, 5, 8].into_iter().enumerate() {
        let map = permutation(seed.wrapping_add(k as u64), ch);
        let mut s = DuplexStream::open(&free_config(ch, F32, 128)).unwrap();
        s.set_tx_map(Some(ChannelMap::new(map.clone()))).unwrap();
        check_chunks(
            &mut s,
            seed,
            9600,
            Some(&map),
            None,
            ChunkOptions::default(),
        );

        let mut s = DuplexStream::open(&free_config(ch, F32, 128)).unwrap();
        s.set_rx_map(Some(ChannelMap::new(map.clone()))).unwrap();
        check_chunks(
            &mut s,
            seed,
            9600,
            None,
            Some(&map),
            ChunkOptions::default(),
        );
    }
    assert_no_violations();
}

#[test]
fn map_silences_channels() {
    let mut s = DuplexStream::open(&free_config(3, SampleFormat::I16, 64)).unwrap();
    s.set_tx_map(Some(ChannelMap::new([0, 1]))).unwrap();
    let play: Vec<i16> = (0..300).map(|i| i as i16 + 1).collect();
    let rec = s
        .playrec(
            Source::samples(&play),
            &Transfer::new().pad(64).blocking(true),
        )
        .unwrap()
        .unwrap();
    let rec: Vec<i16> = pastream::format::from_bytes(&rec);
    // Output 1 is silent, output 2 plays channel 1, output 3 is past the map.
    for f in 0..100 {
        let r = &rec[(64 + f) * 3..(65 + f) * 3];
        assert_eq!(r, [0, play[f * 3], 0], "frame {f}");
    }
}

/// 1 s of the test signal with its preamble, in memory.
fn test_playback(seed: u64, channels: usize, format: SampleFormat) -> Vec<u8> {
    Signal::new(seed, format, channels).take(48000)
}

#[test]
fn offset_drops_first_frames() {
    let seed = seed();
    let play = test_playback(seed, 2, F32);
    let mut s = DuplexStream::open(&free_config(2, F32, 128)).unwrap();
    for o in [256u64, 512, 700] {
        let rec = s
            .playrec(
                play.clone(),
                &Transfer::new().frames(1024).offset(o).blocking(true),
            )
            .unwrap()
            .unwrap();
        assert_eq!(rec.len() / 8, 1024 - o as usize);
        // Input frame o onwards; the loopback delays by 128 frames.
        let want = &play[(o as usize - 128) * 8..(1024 - 128) * 8];
        assert_samples_equal(&rec, want, F32, 2);
    }
    assert_no_violations();
}

#[test]
fn frames_sets_the_length() {
    let seed = seed();
    let play = test_playback(seed, 2, F32);
    let mut s = DuplexStream::open(&free_config(2, F32, 256)).unwrap();
    for x in 8..16 {
        let f = 1usize << x;
        let rec = s
            .playrec(
                play.clone(),
                &Transfer::new().frames(f as i64).blocking(true),
            )
            .unwrap()
            .unwrap();
        assert_eq!(rec.len() / 8, f);
        assert_eq!(s.frame_count(), f as u64);
    }
    assert_no_violations();
}

#[test]
fn pad_adds_silent_frames() {
    let seed = seed();
    let play = test_playback(seed, 2, F32);
    let mut s = DuplexStream::open(&free_config(2, F32, 256)).unwrap();
    for x in 8..16 {
        let p = 1usize << x;
        let rec = s
            .playrec(
                play.clone(),
                &Transfer::new().frames(1024).pad(p as i64).blocking(true),
            )
            .unwrap()
            .unwrap();
        assert_eq!(rec.len() / 8, 1024 + p);
        // What comes back after the playback is silence.
        assert!(rec[(1024 + 256) * 8..].iter().all(|&b| b == 0));
    }
    assert_no_violations();
}

#[test]
fn padding_switch_when_playback_runs_out() {
    // frames < 0, pad >= 0: once the ring is found empty the stream plays
    // `pad` frames of silence and never reads the ring again.
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&realtime_config(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new(fs, 1 << 12).unwrap();
    let (rxw, rx) = RingBuffer::new(fs, 1 << 16).unwrap();
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    s.set_frames(-1);
    s.set_pad(24000);
    tx.write(&vec![1u8; 1024 * fs]);
    s.start().unwrap();
    let t0 = Instant::now();
    while !s.padding() {
        assert!(t0.elapsed() < Duration::from_secs(5), "no padding switch");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(s.active());
    tx.write(&vec![2u8; 1024 * fs]);
    assert!(s.wait(None).unwrap());
    assert_eq!(rx.read_available(), 1024 + 24000);
    assert_eq!(
        tx.write_available(),
        (1 << 12) - 1024,
        "the ring was read after the switch"
    );
    assert_no_violations();
}

#[test]
fn frames_pad_offset_combinations() {
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&free_config(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new(fs, 1 << 17).unwrap();
    let (rxw, mut rx) = RingBuffer::new(fs, 1 << 17).unwrap();
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    for x in 0..7 {
        let (f, p, o) = (1usize << (x + 8), 1usize << (16 - x), 1usize << (x + 6));
        s.set_frames(f as i64);
        s.set_pad(p as i64);
        s.set_offset(o as u64);
        assert_eq!(tx.write(&vec![3u8; f * fs]), f);
        s.start().unwrap();
        assert!(s.wait(None).unwrap());
        assert_eq!(
            rx.read_available(),
            f + p - o,
            "frames {f} pad {p} offset {o}"
        );
        assert_eq!(s.frame_count(), (f + p) as u64);
        rx.flush();
    }
    assert_no_violations();
}

#[test]
fn negative_pad_pads_up_to_frames() {
    let mut s = DuplexStream::open(&free_config(2, F32, 100)).unwrap();
    let play = vec![7u8; 300 * 8];
    let rec = s
        .playrec(play, &Transfer::new().frames(2000).pad(-1).blocking(true))
        .unwrap()
        .unwrap();
    assert_eq!(rec.len(), 2000 * 8);
    assert!(rec[100 * 8..400 * 8].iter().all(|&b| b == 7));
    assert!(rec[400 * 8..].iter().all(|&b| b == 0));
}

#[test]
fn stream_replay() {
    let fs = F32.frame_size(2);
    let mut s = OutputStream::open(&free_config(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new(fs, 8192).unwrap();
    s.set_source(Some(Source::Ring(txr))).unwrap();

    // Start and let it finish.
    tx.write(&vec![1u8; 8192 * fs]);
    s.start().unwrap();
    assert!(s.wait(Some(Duration::from_secs(2))).unwrap(), "timed out");
    assert!(s.finished() && !s.aborted() && s.stopped());
    assert_eq!(s.frame_count(), 8192);

    // Padding forever keeps it running until it is aborted.
    s.set_pad(-1);
    tx.write(&vec![1u8; 8192 * fs]);
    s.start().unwrap();
    assert!(s.active());
    assert!(!s.wait(Some(Duration::from_millis(1))).unwrap());
    s.abort().unwrap();
    assert!(s.aborted() && s.finished() && !s.active());

    // Then stopped.
    tx.write(&vec![1u8; 8192 * fs]);
    s.start().unwrap();
    assert!(s.active());
    assert!(!s.wait(Some(Duration::from_millis(1))).unwrap());
    s.stop().unwrap();
    assert!(s.stopped() && s.finished() && !s.aborted());
    assert!(s.frame_count() > 0);
    assert_no_violations();
}

#[test]
fn looping_five_times_bit_exact() {
    let seed = seed();
    let play = Signal::new(seed, SampleFormat::I24, 4).take(3001);
    let fs = SampleFormat::I24.frame_size(4);
    let mut s = DuplexStream::open(&free_config(4, SampleFormat::I24, 512)).unwrap();
    let rec = s
        .playrec(
            play.clone(),
            &Transfer::new()
                .frames(5 * 3001)
                .pad(512)
                .looping(true)
                .blocking(true),
        )
        .unwrap()
        .unwrap();
    let delay = find_preamble(&rec, SampleFormat::I24, 4).unwrap();
    assert_eq!(delay, 512);
    let want: Vec<u8> = play.iter().copied().cycle().take(5 * play.len()).collect();
    assert_samples_equal(&rec[delay * fs..], &want, SampleFormat::I24, 4);
    assert_no_violations();
}

#[test]
fn looping_a_ring_source() {
    let fs = SampleFormat::I16.frame_size(1);
    let mut s = DuplexStream::open(&free_config(1, SampleFormat::I16, 64)).unwrap();
    let (mut tx, txr) = RingBuffer::new(fs, 256).unwrap();
    let one: Vec<i16> = (1..=100).collect();
    tx.write(&pastream::format::to_bytes(&one));
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_sink(Some(Sink::Memory(564))).unwrap();
    s.set_looping(true);
    s.set_frames(500);
    s.set_pad(64);
    s.start().unwrap();
    s.wait(None).unwrap();
    let rec: Vec<i16> = pastream::format::from_bytes(&s.take_recording().unwrap());
    let want: Vec<i16> = one.iter().copied().cycle().take(500).collect();
    assert_eq!(&rec[64..], &want[..]);
}

#[derive(Debug)]
struct Boo(&'static str);
impl std::fmt::Display for Boo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for Boo {}

#[test]
fn feeder_error_comes_back() {
    let mut s = OutputStream::open(&free_config(2, F32, 256)).unwrap();
    s.set_source(Some(Source::feeder(|_tx, _ctx| {
        Err(Box::new(Boo("BOO-urns!")))
    })))
    .unwrap();
    s.set_pad(-1);
    s.start().unwrap();
    let e = s.wait(Some(Duration::from_secs(5))).unwrap_err();
    assert!(matches!(e, StreamError::Source(_)), "{e:?}");
    assert_eq!(e.to_string(), "playback source failed: BOO-urns!");
    assert!(s.aborted());
    // Reported once.
    assert!(s.wait(None).unwrap());
}

#[test]
fn drainer_error_comes_back() {
    let mut s = InputStream::open(&free_config(2, F32, 256)).unwrap();
    s.set_sink(Some(Sink::drainer(|_rx, _ctx| Err(Box::new(Boo("BOO!"))))))
        .unwrap();
    s.start().unwrap();
    let e = s.wait(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(e.to_string(), "recording sink failed: BOO!");
    assert!(s.aborted());
}

#[test]
fn panicking_feeder_is_an_error_not_a_crash() {
    let mut s = OutputStream::open(&free_config(1, F32, 64)).unwrap();
    s.set_source(Some(Source::feeder(|_tx, _ctx| panic!("feeder bug"))))
        .unwrap();
    s.set_pad(-1);
    s.start().unwrap();
    let e = s.wait(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "playback source failed: the source function panicked"
    );
}

#[test]
fn buffer_empty_when_frames_exceed_playback() {
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&free_config(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new(fs, 8192).unwrap();
    tx.write(&vec![1u8; 8192 * fs]);
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_frames(9000);
    s.start().unwrap();
    let e = s.wait(None).unwrap_err();
    assert!(
        matches!(e, StreamError::BufferEmpty { frames: 9000, .. }),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("playback ran out after"), "{e}");
}

#[test]
fn buffer_full_when_nobody_reads() {
    let fs = F32.frame_size(2);
    let mut s = InputStream::open(&free_config(2, F32, 256)).unwrap();
    let (rxw, rx) = RingBuffer::new(fs, 1024).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    s.start().unwrap();
    let e = s.wait(None).unwrap_err();
    assert!(matches!(e, StreamError::BufferFull { .. }), "{e:?}");
    // Every frame that fit is there.
    assert_eq!(rx.read_available(), 1024);
}

#[test]
fn feeder_and_drainer_threads_carry_every_frame() {
    // A slow drainer and a feeder: the free-running device waits for them,
    // so nothing is lost however the threads are scheduled.
    let seed = seed();
    let fs = SampleFormat::I16.frame_size(2);
    let total = 100_000usize;
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = received.clone();
    let mut s = DuplexStream::open(&free_config(2, SampleFormat::I16, 128)).unwrap();
    s.set_source(Some(Source::Feeder {
        feed: Box::new({
            let mut sig = Signal::new(seed, SampleFormat::I16, 2);
            let mut left = total;
            move |tx, ctx| {
                while left > 0 && !ctx.done() {
                    let n = tx.write_available().min(left).min(777);
                    if n == 0 {
                        ctx.pause();
                        continue;
                    }
                    let mut w = tx.write_buffers(n);
                    let (a, b) = w.as_mut_slices();
                    sig.fill(a);
                    sig.fill(b);
                    w.advance(n);
                    left -= n;
                }
                Ok(())
            }
        }),
        buffer_frames: Some(1024),
    }))
    .unwrap();
    s.set_sink(Some(Sink::Drainer {
        drain: Box::new(move |rx, ctx| {
            let mut buf = vec![0u8; 300 * fs];
            loop {
                let n = rx.read_into(&mut buf);
                sink.lock().unwrap().extend_from_slice(&buf[..n * fs]);
                if n == 0 {
                    if ctx.done() && rx.read_available() == 0 {
                        return Ok(());
                    }
                    ctx.pause();
                }
            }
        }),
        buffer_frames: Some(512),
    }))
    .unwrap();
    s.set_pad(128);
    s.start().unwrap();
    assert!(s.wait(None).unwrap());
    let got = received.lock().unwrap();
    assert_eq!(got.len(), (total + 128) * fs);
    assert_eq!(s.xruns().source_underruns, 0);
    let want = Signal::new(seed, SampleFormat::I16, 2).take(total);
    assert_samples_equal(&got[128 * fs..], &want, SampleFormat::I16, 2);
    assert_no_violations();
}

#[test]
fn every_format_32_channels_bit_exact() {
    let seed = seed();
    for format in SampleFormat::ALL {
        let ch = 32;
        let fs = format.frame_size(ch);
        let play = Signal::new(seed, format, ch).take(4800);
        let mut s = DuplexStream::open(&free_config(ch, format, 200)).unwrap();
        let rec = s
            .playrec(play.clone(), &Transfer::new().pad(200).blocking(true))
            .unwrap()
            .unwrap();
        let delay = find_preamble(&rec, format, ch).expect("preamble");
        assert_eq!(delay, 200, "{format}");
        // Before the loopback arrives the input is silence of the format.
        assert!(
            rec[..delay * fs]
                .iter()
                .all(|&b| b == format.silence_byte())
        );
        assert_samples_equal(&rec[delay * fs..], &play, format, ch);
    }
    assert_no_violations();
}

#[test]
fn max_channels_round_trip() {
    let seed = seed();
    let play = Signal::new(seed, F32, 128).take(1000);
    let mut s = DuplexStream::open(&free_config(128, F32, 32)).unwrap();
    let rec = s
        .playrec(play.clone(), &Transfer::new().pad(32).blocking(true))
        .unwrap()
        .unwrap();
    assert_samples_equal(&rec[32 * 128 * 4..], &play, F32, 128);
}

#[test]
fn injected_xruns_are_counted_by_kind() {
    let mut cfg = free_config(1, F32, 64);
    let opts = VirtualOptions {
        xruns: vec![
            (2, StatusFlags::INPUT_OVERFLOW),
            (5, StatusFlags::OUTPUT_UNDERFLOW),
            (
                6,
                StatusFlags::OUTPUT_UNDERFLOW | StatusFlags::INPUT_UNDERFLOW,
            ),
            (9, StatusFlags::OUTPUT_OVERFLOW),
        ],
        clock: pastream::Clock::FreeRunning,
        callback_guard: Some(no_alloc_guard),
        ..VirtualOptions::default()
    };
    cfg = cfg.virtual_options(opts);
    let mut s = DuplexStream::open(&cfg).unwrap();
    s.playrec(vec![0u8; 64 * 4 * 20], &Transfer::new().blocking(true))
        .unwrap();
    assert_eq!(
        s.xruns(),
        Xruns {
            total: 4,
            input_underflows: 1,
            input_overflows: 1,
            output_underflows: 2,
            output_overflows: 1,
            source_underruns: 0,
        }
    );
    assert_eq!(s.status(), StatusFlags(0xF));
    // A new run starts counting from zero.
    s.playrec(vec![0u8; 3 * 64 * 4], &Transfer::new().blocking(true))
        .unwrap();
    assert_eq!(
        s.xruns().total,
        1,
        "block 2 of the second run is flagged again"
    );
    assert_eq!(s.xruns().input_overflows, 1);
}

#[test]
fn real_time_clock_keeps_pace() {
    // 9600 frames at 48 kHz cannot take less than 0.2 s on the sample clock.
    let mut s = DuplexStream::open(&realtime_config(1, F32, 480)).unwrap();
    let t0 = Instant::now();
    let rec = s
        .playrec(vec![0u8; 9600 * 4], &Transfer::new().blocking(true))
        .unwrap()
        .unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(190),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(rec.len(), 9600 * 4);
    assert!(s.last_time().current_time > 0.18);
}

#[test]
fn playback_only_and_record_only() {
    let mut out = OutputStream::open(&free_config(2, F32, 64)).unwrap();
    out.play(vec![0u8; 1000 * 8], &Transfer::new().blocking(true))
        .unwrap();
    assert_eq!(out.frame_count(), 1000);

    let mut inp = InputStream::open(&free_config(2, SampleFormat::U8, 64)).unwrap();
    let rec = inp
        .record(&Transfer::new().frames(500).offset(100).blocking(true))
        .unwrap()
        .unwrap();
    // Nothing is played into a record-only stream: silence is 128 in uint8.
    assert_eq!(rec.len(), 400 * 2);
    assert!(rec.iter().all(|&b| b == 128));
}

#[test]
fn source_underruns_are_counted_on_the_real_time_clock() {
    // A feeder that writes 64 frames and then sleeps far longer than the
    // stream lasts: every later block finds the ring empty while the feeder
    // still runs.
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let mut s = OutputStream::open(&realtime_config(1, F32, 64)).unwrap();
    s.set_source(Some(Source::feeder(move |tx, ctx| {
        c.fetch_add(1, Ordering::Relaxed);
        tx.write(&[0u8; 64 * 4]);
        while !ctx.done() {
            ctx.pause();
        }
        Ok(())
    })))
    .unwrap();
    s.set_frames(64 * 10);
    s.start().unwrap();
    assert!(s.wait(Some(Duration::from_secs(5))).unwrap());
    assert_eq!(s.xruns().source_underruns, 9);
    assert_eq!(s.frame_count(), 640);
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

#[test]
fn bad_input_is_a_typed_error() {
    let mut s = DuplexStream::open(&free_config(2, F32, 64)).unwrap();
    let e = s.set_tx_map(Some(ChannelMap::new([1, 1]))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "channel map names source channel 1 more than once"
    );
    let e = s.set_rx_map(Some(ChannelMap::new([3]))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "channel map entry 1 names source channel 3, but there are only 2 channels"
    );
    let e = s
        .set_source(Some(Source::Feeder {
            feed: Box::new(|_, _| Ok(())),
            buffer_frames: Some(1000),
        }))
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "ring buffer size must be a power of two, got 1000 elements"
    );
    let e = s
        .chunks(ChunkOptions {
            chunksize: Some(100),
            overlap: 100,
            ..ChunkOptions::default()
        })
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "overlap of 100 frames must be less than the chunksize of 100 frames"
    );
    let e = s
        .chunks(ChunkOptions {
            chunksize: Some(0),
            ..ChunkOptions::default()
        })
        .err()
        .unwrap();
    assert_eq!(e.to_string(), "chunksize must be at least one frame");
    let e = s
        .playrec(vec![0u8; 80], &Transfer::new().looping(true))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the number of frames to record is unknown"),
        "{e}"
    );
    let e = s
        .playrec(vec![0u8; 80], &Transfer::new().frames(10).offset(11))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "offset of 11 frames is more than the 10 frames of the run"
    );

    let e = DuplexStream::open(&free_config(0, F32, 64)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a duplex stream needs at least one input channel"
    );
    let e = DuplexStream::open(&free_config(129, F32, 64)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid setting for device 'loopback': 129 input channels requested, the device has at most 128"
    );
    let e = DuplexStream::open(&free_config(2, F32, 64).device("no such device")).unwrap_err();
    assert_eq!(e.to_string(), "no duplex device matching 'no such device'");
    let e = DuplexStream::open(&free_config(2, F32, 64).samplerate(0.0)).unwrap_err();
    assert!(
        e.to_string().contains("sample rate 0 Hz is out of range"),
        "{e}"
    );

    s.close().unwrap();
    let e = s.start().unwrap_err();
    assert_eq!(e.to_string(), "the stream is closed");
}
