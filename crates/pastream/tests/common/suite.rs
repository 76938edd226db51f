//! The loopback suite: tests that hold on any loopback device, virtual or
//! real. Each takes the device as a [`Rig`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pastream::rt::ring::RingBuffer;
use pastream::{
    ChannelMap, ChunkOptions, DuplexStream, InputStream, OutputStream, SampleFormat, Sink, Source,
    Stream, StreamError, Transfer,
};

pub use super::callbacks::*;
pub use super::faults::*;
pub use super::mixer::*;
use super::*;

const F32: SampleFormat = SampleFormat::F32;

/// Reads `frames` frames after the preamble from a chunk sequence whose
/// playback is `Signal::new(seed, ..)`, checks them against the signal
/// (mapped by the maps given), and returns (delay in frames, chunk lengths).
pub fn check_chunks(
    stream: &mut DuplexStream,
    seed: u64,
    frames: usize,
    maps: &[&[usize]],
    mut options: ChunkOptions<'_, u8>,
) -> (usize, Vec<usize>) {
    let (channels, format) = (stream.channels().0, stream.format());
    let fs = format.frame_size(channels);
    options.playback = Some(Signal::new(seed, format, channels).feeder());
    let mut chunks = stream.raw_chunks(options).unwrap();
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
    for map in maps {
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

pub fn chunks_bit_exact_after_preamble(rig: &Rig) {
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let (delay, lengths) = check_chunks(&mut s, seed(), 48000, &[], ChunkOptions::default());
    assert_eq!(delay, (rig.delay)(256));
    assert!(lengths.iter().all(|&n| n == 256), "{lengths:?}");
    assert_no_violations();
}

pub fn chunks_into_caller_buffer(rig: &Rig) {
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 128)).unwrap();
    let mut buf = vec![0u8; 1000 * 8];
    let (delay, lengths) = check_chunks(
        &mut s,
        seed(),
        48000,
        &[],
        ChunkOptions {
            chunksize: Some(1000),
            out: Some(&mut buf),
            ..ChunkOptions::default()
        },
    );
    assert_eq!(delay, (rig.delay)(128));
    assert!(lengths.iter().all(|&n| n == 1000));
    assert_no_violations();
}

pub fn chunks_with_variable_blocksize(rig: &Rig) {
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 0)).unwrap();
    let (delay, lengths) = check_chunks(&mut s, seed(), 20000, &[], ChunkOptions::default());
    assert_eq!(delay, (rig.delay)(0));
    assert!(lengths.iter().all(|&n| n >= 1));
    assert_no_violations();
}

pub fn chunks_overlap(rig: &Rig) {
    let mut s = DuplexStream::open(&(rig.config)(1, F32, 64)).unwrap();
    let mut chunks = s
        .chunks::<f32>(ChunkOptions {
            chunksize: Some(100),
            overlap: 40,
            playback: Some(Signal::new(seed(), F32, 1).feeder()),
            ..ChunkOptions::default()
        })
        .unwrap();
    let mut prev: Option<Vec<f32>> = None;
    for _ in 0..300 {
        let chunk = chunks.next_chunk().unwrap().unwrap().to_vec();
        assert_eq!(chunk.len(), 100);
        if let Some(p) = prev {
            assert_eq!(
                pastream::sample::as_bytes(&chunk[..40]),
                pastream::sample::as_bytes(&p[60..]),
                "a chunk starts with the last 40 frames of the previous one"
            );
        }
        prev = Some(chunk);
    }
    drop(chunks);
    assert_no_violations();
}

pub fn chunks_end_with_the_stream(rig: &Rig) {
    // 1000 frames recorded in chunks of 300: three full chunks and one of 100.
    let mut s = InputStream::open(&(rig.config)(2, F32, 64)).unwrap();
    let mut chunks = s
        .chunks::<f32>(ChunkOptions {
            chunksize: Some(300),
            frames: 1000,
            ..ChunkOptions::default()
        })
        .unwrap();
    let mut lengths = Vec::new();
    while let Some(c) = chunks.next_chunk() {
        lengths.push(c.unwrap().len() / 2);
        assert_eq!(chunks.counters().xruns().total, 0);
    }
    assert_eq!(lengths, [300, 300, 300, 100]);
    assert!(chunks.next_chunk().is_none());
    drop(chunks);
    assert_eq!(s.frame_count(), 1000);
    assert_no_violations();
}

pub fn tx_and_rx_channel_permutations(rig: &Rig) {
    let seed = seed();
    for (k, ch) in [2usize, 5, 8]
        .into_iter()
        .filter(|&c| c <= rig.channels)
        .enumerate()
    {
        let map = permutation(seed.wrapping_add(k as u64), ch);
        let mut s = DuplexStream::open(&(rig.config)(ch, F32, 128)).unwrap();
        s.set_tx_map(Some(ChannelMap::new(map.clone()))).unwrap();
        check_chunks(&mut s, seed, 9600, &[&map], ChunkOptions::default());

        let mut s = DuplexStream::open(&(rig.config)(ch, F32, 128)).unwrap();
        s.set_rx_map(Some(ChannelMap::new(map.clone()))).unwrap();
        check_chunks(&mut s, seed, 9600, &[&map], ChunkOptions::default());

        // Both at once: the recording is the playback mapped twice.
        let back = permutation(seed.wrapping_add(100 + k as u64), ch);
        let mut s = DuplexStream::open(&(rig.config)(ch, F32, 128)).unwrap();
        s.set_tx_map(Some(ChannelMap::new(map.clone()))).unwrap();
        s.set_rx_map(Some(ChannelMap::new(back.clone()))).unwrap();
        check_chunks(&mut s, seed, 9600, &[&map, &back], ChunkOptions::default());
    }
    assert_no_violations();
}

pub fn map_silences_channels(rig: &Rig) {
    let mut s = DuplexStream::open(&(rig.config)(3, F32, 64)).unwrap();
    s.set_tx_map(Some(ChannelMap::new([0, 1]))).unwrap();
    let d = (rig.delay)(64);
    let play: Vec<f32> = (0..300).map(|i| (i + 1) as f32 / 1024.0).collect();
    let rec = s
        .playrec(
            Source::samples(&play),
            &Transfer::new().pad(d as i64).blocking(true),
        )
        .unwrap()
        .unwrap()
        .into_raw();
    let rec: Vec<f32> = pastream::sample::from_bytes(&rec).unwrap();
    // Output 1 is silent, output 2 plays channel 1, output 3 is past the map.
    for f in 0..100 {
        let r = &rec[(d + f) * 3..(d + f + 1) * 3];
        assert_eq!(r, [0.0, play[f * 3], 0.0], "frame {f}");
    }
    assert_no_violations();
}

pub fn offset_drops_first_frames(rig: &Rig) {
    let play = Signal::new(seed(), F32, 2).take(4096);
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 128)).unwrap();
    // The input: silence while the loopback delays, then the playback.
    let mut input = vec![0u8; (rig.delay)(128) * 8];
    input.extend_from_slice(&play);
    for o in [100u64, 256, 512, 700] {
        let rec = s
            .playrec(
                Source::raw(play.clone()),
                &Transfer::new().frames(2048).offset(o).blocking(true),
            )
            .unwrap()
            .unwrap()
            .into_raw();
        assert_eq!(rec.len() / 8, 2048 - o as usize);
        assert_samples_equal(&rec, &input[o as usize * 8..2048 * 8], F32, 2);
    }
    assert_no_violations();
}

pub fn frames_sets_the_length(rig: &Rig) {
    let play = Signal::new(seed(), F32, 2).take(48000);
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 256)).unwrap();
    for x in 8..16 {
        let f = 1usize << x;
        let rec = s
            .playrec(
                Source::raw(play.clone()),
                &Transfer::new().frames(f as i64).blocking(true),
            )
            .unwrap()
            .unwrap()
            .into_raw();
        assert_eq!(rec.len() / 8, f);
        assert_eq!(s.frame_count(), f as u64);
    }
    assert_no_violations();
}

pub fn pad_adds_silent_frames(rig: &Rig) {
    let play = Signal::new(seed(), F32, 2).take(4800);
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let d = (rig.delay)(256);
    for x in 8..15 {
        let p = 1usize << x;
        let rec = s
            .playrec(
                Source::raw(play.clone()),
                &Transfer::new().frames(1024).pad(p as i64).blocking(true),
            )
            .unwrap()
            .unwrap()
            .into_raw();
        assert_eq!(rec.len() / 8, 1024 + p);
        // What comes back after the playback is silence.
        assert!(rec[(1024 + d).min(1024 + p) * 8..].iter().all(|&b| b == 0));
    }
    assert_no_violations();
}

pub fn padding_switch_when_playback_runs_out(rig: &Rig) {
    // frames < 0, pad >= 0: once the ring is found empty the stream plays
    // `pad` frames of silence and never reads the ring again.
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&(rig.realtime)(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new_raw(fs, 1 << 12).unwrap();
    let (rxw, rx) = RingBuffer::new_raw(fs, 1 << 16).unwrap();
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    s.set_frames(-1);
    s.set_pad(24000);
    tx.write_raw(&vec![1u8; 1024 * fs]);
    s.start().unwrap();
    let t0 = Instant::now();
    while !s.padding() {
        assert!(t0.elapsed() < Duration::from_secs(5), "no padding switch");
        std::thread::sleep(Duration::from_millis(1));
    }
    tx.write_raw(&vec![2u8; 1024 * fs]);
    assert!(s.wait(None).unwrap());
    assert_eq!(rx.read_available(), 1024 + 24000);
    assert_eq!(
        tx.write_available(),
        (1 << 12) - 1024,
        "the ring was read after the switch"
    );
    assert_no_violations();
}

pub fn frames_pad_offset_combinations(rig: &Rig) {
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new_raw(fs, 1 << 17).unwrap();
    let (rxw, mut rx) = RingBuffer::new_raw(fs, 1 << 17).unwrap();
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    for x in 0..7 {
        let (f, p, o) = (1usize << (x + 8), 1usize << (14 - x), 1usize << (x + 6));
        s.set_frames(f as i64);
        s.set_pad(p as i64);
        s.set_offset(o as u64);
        assert_eq!(tx.write_raw(&vec![3u8; f * fs]), f);
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

pub fn negative_pad_pads_up_to_frames(rig: &Rig) {
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 100)).unwrap();
    let d = (rig.delay)(100);
    let play = Signal::new(seed(), F32, 2).take(300);
    let rec = s
        .playrec(
            Source::raw(play.clone()),
            &Transfer::new().frames(2000).pad(-1).blocking(true),
        )
        .unwrap()
        .unwrap()
        .into_raw();
    assert_eq!(rec.len(), 2000 * 8);
    assert_samples_equal(&rec[d * 8..(d + 300) * 8], &play, F32, 2);
    assert!(rec[(d + 300) * 8..].iter().all(|&b| b == 0));
    assert_no_violations();
}

/// Waits until a stream that runs forever has processed some frames.
pub fn wait_for_frames(s: &mut Stream) {
    let t0 = Instant::now();
    while s.frame_count() == 0 {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the stream does not run"
        );
        assert!(
            !s.wait(Some(Duration::from_millis(1))).unwrap(),
            "the stream ended"
        );
    }
}

pub fn stream_replay(rig: &Rig) {
    let fs = F32.frame_size(2);
    let mut s = OutputStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new_raw(fs, 8192).unwrap();
    s.set_source(Some(Source::Ring(txr))).unwrap();

    // Start and let it finish.
    tx.write_raw(&vec![1u8; 8192 * fs]);
    s.start().unwrap();
    assert!(s.wait(Some(Duration::from_secs(5))).unwrap(), "timed out");
    assert!(s.finished() && !s.aborted() && s.stopped());
    assert_eq!(s.frame_count(), 8192);

    // Padding forever keeps it running until it is aborted.
    s.set_pad(-1);
    tx.write_raw(&vec![1u8; 8192 * fs]);
    s.start().unwrap();
    assert!(s.active());
    wait_for_frames(&mut s);
    s.abort().unwrap();
    assert!(s.aborted() && s.finished() && !s.active());

    // Then stopped.
    tx.write_raw(&vec![1u8; 8192 * fs]);
    s.start().unwrap();
    assert!(s.active());
    wait_for_frames(&mut s);
    s.stop().unwrap();
    assert!(s.stopped() && s.finished() && !s.aborted());
    assert_no_violations();
}

pub fn looping_five_times_bit_exact(rig: &Rig) {
    let play = Signal::new(seed(), F32, 2).take(3001);
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 512)).unwrap();
    let d = (rig.delay)(512);
    let rec = s
        .playrec(
            Source::raw(play.clone()),
            &Transfer::new()
                .frames(5 * 3001)
                .pad(d as i64)
                .looping(true)
                .blocking(true),
        )
        .unwrap()
        .unwrap()
        .into_raw();
    let delay = find_preamble(&rec, F32, 2).unwrap();
    assert_eq!(delay, d);
    let want: Vec<u8> = play.iter().copied().cycle().take(5 * play.len()).collect();
    assert_samples_equal(&rec[delay * fs..], &want, F32, 2);
    assert_no_violations();
}

pub fn looping_a_ring_source(rig: &Rig) {
    let fs = F32.frame_size(1);
    let mut s = DuplexStream::open(&(rig.config)(1, F32, 64)).unwrap();
    let d = (rig.delay)(64);
    let (mut tx, txr) = RingBuffer::new_raw(fs, 256).unwrap();
    let one: Vec<f32> = (1..=100).map(|i| i as f32 / 128.0).collect();
    tx.write_raw(&pastream::sample::to_bytes(&one));
    s.set_source(Some(Source::Ring(txr))).unwrap();
    s.set_sink(Some(Sink::Memory(500 + d))).unwrap();
    s.set_looping(true);
    s.set_frames(500);
    s.set_pad(d as i64);
    s.start().unwrap();
    s.wait(None).unwrap();
    let rec: Vec<f32> =
        pastream::sample::from_bytes(&s.take_recording().unwrap().into_raw()).unwrap();
    let want: Vec<f32> = one.iter().copied().cycle().take(500).collect();
    assert_eq!(&rec[d..], &want[..]);
    assert_no_violations();
}

#[derive(Debug)]
struct Boo(&'static str);
impl std::fmt::Display for Boo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for Boo {}

pub fn feeder_error_comes_back(rig: &Rig) {
    let mut s = OutputStream::open(&(rig.config)(2, F32, 256)).unwrap();
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

pub fn drainer_error_comes_back(rig: &Rig) {
    let mut s = InputStream::open(&(rig.config)(2, F32, 256)).unwrap();
    s.set_sink(Some(Sink::drainer(|_rx, _ctx| Err(Box::new(Boo("BOO!"))))))
        .unwrap();
    s.start().unwrap();
    let e = s.wait(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(e.to_string(), "recording sink failed: BOO!");
    assert!(s.aborted());
}

pub fn panicking_feeder_is_an_error_not_a_crash(rig: &Rig) {
    let mut s = OutputStream::open(&(rig.config)(1, F32, 64)).unwrap();
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

pub fn buffer_empty_when_frames_exceed_playback(rig: &Rig) {
    let fs = F32.frame_size(2);
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let (mut tx, txr) = RingBuffer::new_raw(fs, 8192).unwrap();
    tx.write_raw(&vec![1u8; 8192 * fs]);
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

pub fn buffer_full_when_nobody_reads(rig: &Rig) {
    let fs = F32.frame_size(2);
    let mut s = InputStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let (rxw, rx) = RingBuffer::new_raw(fs, 1024).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    s.start().unwrap();
    let e = s.wait(None).unwrap_err();
    assert!(matches!(e, StreamError::BufferFull { .. }), "{e:?}");
    // Every frame that fit is there.
    assert_eq!(rx.read_available(), 1024);
}

pub fn feeder_and_drainer_threads_carry_every_frame(rig: &Rig) {
    let seed = seed();
    let fs = F32.frame_size(2);
    let total = 48_000usize;
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 128)).unwrap();
    let d = (rig.delay)(128);
    s.set_source(Some(Source::Feeder {
        feed: Box::new({
            let mut sig = Signal::new(seed, F32, 2);
            let mut left = total;
            move |tx, ctx| {
                while left > 0 && !ctx.done() {
                    let n = tx.write_available().min(left).min(777);
                    if n == 0 {
                        ctx.pause();
                        continue;
                    }
                    let mut w = tx.write_buffers(n);
                    let (a, b) = w.as_raw_mut_slices();
                    sig.fill(a);
                    sig.fill(b);
                    w.advance(n);
                    left -= n;
                }
                Ok(())
            }
        }),
        buffer_frames: Some(1 << 16),
    }))
    .unwrap();
    s.set_sink(Some(Sink::Drainer {
        drain: Box::new(move |rx, ctx| {
            let mut buf = vec![0u8; 300 * fs];
            loop {
                let n = rx.read_raw_into(&mut buf);
                sink.lock().unwrap().extend_from_slice(&buf[..n * fs]);
                if n == 0 {
                    if ctx.done() && rx.read_available() == 0 {
                        return Ok(());
                    }
                    ctx.pause();
                }
            }
        }),
        buffer_frames: Some(1 << 16),
    }))
    .unwrap();
    s.set_pad(d as i64);
    // A second of playback buffered before the clock starts.
    s.start_with(pastream::Prebuffer::Frames(1 << 16)).unwrap();
    assert!(s.wait(None).unwrap());
    let got = received.lock().unwrap();
    assert_eq!(got.len(), (total + d) * fs);
    assert_eq!(s.xruns().source_underruns, 0);
    let want = Signal::new(seed, F32, 2).take(total);
    assert_samples_equal(&got[d * fs..], &want, F32, 2);
    assert_no_violations();
}

pub fn every_format_many_channels_bit_exact(rig: &Rig) {
    let seed = seed();
    let ch = rig.channels.min(32);
    for format in SampleFormat::ALL {
        let fs = format.frame_size(ch);
        let play = Signal::new(seed, format, ch)
            .int32_bits(rig.int32_bits)
            .take(4800);
        let mut s = DuplexStream::open(&(rig.config)(ch, format, 200)).unwrap();
        let d = (rig.delay)(200);
        let rec = s
            .playrec(
                Source::raw(play.clone()),
                &Transfer::new().pad(d as i64).blocking(true),
            )
            .unwrap()
            .unwrap()
            .into_raw();
        let delay = find_preamble(&rec, format, ch).expect("preamble");
        assert_eq!(delay, d, "{format}");
        // Before the loopback arrives the input is silence of the format.
        assert!(
            rec[..delay * fs]
                .iter()
                .all(|&b| b == format.silence_byte()),
            "{format}"
        );
        eprintln!("{format}: {ch} channels bit-exact after {delay} frames");
        assert_samples_equal(&rec[delay * fs..], &play, format, ch);
    }
    assert_no_violations();
}

pub fn playback_only_and_record_only(rig: &Rig) {
    let mut out = OutputStream::open(&(rig.config)(2, F32, 64)).unwrap();
    out.play(
        Source::raw(vec![0u8; 1000 * 8]),
        &Transfer::new().blocking(true),
    )
    .unwrap();
    assert_eq!(out.frame_count(), 1000);
    drop(out);

    let mut inp = InputStream::open(&(rig.config)(2, SampleFormat::U8, 64)).unwrap();
    let rec = inp
        .record(&Transfer::new().frames(500).offset(100).blocking(true))
        .unwrap()
        .unwrap()
        .into_raw();
    // Nothing is played into a record-only stream: silence is 128 in uint8.
    assert_eq!(rec.len(), 400 * 2);
    assert!(rec.iter().all(|&b| b == 128));
    assert_no_violations();
}

static GUARD_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Panics in the 10th callback.
fn panic_in_tenth_callback(f: &mut dyn FnMut()) {
    if GUARD_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 9 {
        panic!("a bug in the callback");
    }
    f();
}

pub fn callback_panic_aborts_and_is_reported(rig: &Rig) {
    GUARD_CALLS.store(0, std::sync::atomic::Ordering::Relaxed);
    let cfg = (rig.realtime)(2, F32, 64).callback_guard(panic_in_tenth_callback);
    let mut s = DuplexStream::open(&cfg).unwrap();
    s.play(Source::raw(vec![0u8; 48000 * 8]), &Transfer::new())
        .unwrap();
    let e = s.wait(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the audio callback panicked; the stream was aborted"
    );
    assert!(s.aborted());
    assert_eq!(s.frame_count(), 9 * 64);
    assert!(s.time() > 0.0);
    // The stream still works.
    GUARD_CALLS.store(100, std::sync::atomic::Ordering::Relaxed);
    s.play(
        Source::raw(vec![0u8; 640 * 8]),
        &Transfer::new().blocking(true),
    )
    .unwrap();
    assert_eq!(s.frame_count(), 640);
}

/// A test of the suite.
pub type SuiteTest = fn(&Rig);

macro_rules! named {
    ($($f:ident),* $(,)?) => {
        &[$((stringify!($f), $f as SuiteTest)),*]
    };
}

/// Calls the macro `$m` with the name of every test of the suite, so
/// that each test binary that runs the suite lists it once, here.
macro_rules! for_each_suite_test {
    ($m:ident) => {
        $m! {
            chunks_bit_exact_after_preamble,
            chunks_into_caller_buffer,
            chunks_with_variable_blocksize,
            chunks_overlap,
            chunks_end_with_the_stream,
            tx_and_rx_channel_permutations,
            map_silences_channels,
            offset_drops_first_frames,
            frames_sets_the_length,
            pad_adds_silent_frames,
            padding_switch_when_playback_runs_out,
            frames_pad_offset_combinations,
            negative_pad_pads_up_to_frames,
            stream_replay,
            looping_five_times_bit_exact,
            looping_a_ring_source,
            feeder_error_comes_back,
            drainer_error_comes_back,
            panicking_feeder_is_an_error_not_a_crash,
            buffer_empty_when_frames_exceed_playback,
            buffer_full_when_nobody_reads,
            feeder_and_drainer_threads_carry_every_frame,
            every_format_many_channels_bit_exact,
            playback_only_and_record_only,
            callback_panic_aborts_and_is_reported,
            a_stalled_sink_does_not_hold_up_the_stop,
            a_stalled_feeder_does_not_hold_up_the_start,
            a_slow_sinks_long_pause_is_waited_for,
            hurry_leaves_the_ring,
            buffer_full_then_a_broken_pipe_reports_the_full_buffer,
            buffer_full_at_the_last_frame_stored,
            rotated_files_join_into_the_recording,
            callback_round_trip_bit_exact,
            callback_output_left_unwritten_is_silence,
            callback_abort_and_stop_end_the_run,
            callback_panic_comes_back,
            a_typed_callback_of_another_format_is_refused,
            blocking_round_trip_bit_exact,
            blocking_flags_when_starved_or_flooded,
            convenience_play_rec_playrec_and_defaults,
            two_formats_round_trip,
            mixer_buffers_land_at_their_frames,
            mixer_buffers_scheduled_by_time,
            mixer_cancel_cuts_at_the_frame,
            mixer_late_actions_dropped_or_belated,
            mixer_rings_and_64_actions,
            mixer_refuses_at_the_caller,
        }
    };
}
// Not every test binary that includes this module runs the suite by name.
#[allow(unused_imports)]
pub(crate) use for_each_suite_test;

/// Every test of the suite, by name.
pub const ALL: &[(&str, SuiteTest)] = for_each_suite_test!(named);
