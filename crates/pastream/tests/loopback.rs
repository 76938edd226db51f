//! The loopback suite on the virtual device, free-running: what is played
//! comes back on the input, and every parameter changes the result exactly
//! as documented. Every callback runs with allocation forbidden. Then the
//! tests that only the virtual device can do: 128 channels, injected xruns,
//! its real-time clock, and errors for impossible settings.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use assert_no_alloc::AllocDisabler;
use common::*;
use pastream::{
    ChannelMap, ChunkOptions, DuplexStream, OutputStream, SampleFormat, Source, StatusFlags,
    StreamConfig, Transfer, VirtualOptions, Xruns,
};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

const F32: SampleFormat = SampleFormat::F32;

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                common::suite::$name(&VIRTUAL);
            }
        )*
    };
}

common::suite::for_each_suite_test!(suite);

#[test]
fn max_channels_round_trip() {
    let seed = seed();
    let play = Signal::new(seed, F32, 128).take(1000);
    let mut s = DuplexStream::open(&free_config(128, F32, 32)).unwrap();
    let rec = s
        .playrec(
            Source::raw(play.clone()),
            &Transfer::new().pad(32).blocking(true),
        )
        .unwrap()
        .unwrap()
        .into_raw();
    assert_samples_equal(&rec[32 * 128 * 4..], &play, F32, 128);
}

#[test]
fn injected_xruns_are_counted_by_kind() {
    let cfg = free_config(1, F32, 64).host_option(VirtualOptions {
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
        ..VirtualOptions::default()
    });
    let mut s = DuplexStream::open(&cfg).unwrap();
    s.playrec(
        Source::raw(vec![0u8; 64 * 4 * 20]),
        &Transfer::new().blocking(true),
    )
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
    s.playrec(
        Source::raw(vec![0u8; 3 * 64 * 4]),
        &Transfer::new().blocking(true),
    )
    .unwrap();
    assert_eq!(
        s.xruns().total,
        1,
        "block 2 of the second run is flagged again"
    );
    assert_eq!(s.xruns().input_overflows, 1);
}

#[test]
fn injected_xruns_are_located_exactly() {
    // Seeded block numbers and kinds; blocks of 64 frames, so block k
    // starts at frame 64 k.
    let mut rng = seed();
    let mut next = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let kinds = [
        StatusFlags::INPUT_UNDERFLOW,
        StatusFlags::INPUT_OVERFLOW,
        StatusFlags::OUTPUT_UNDERFLOW,
        StatusFlags::OUTPUT_OVERFLOW,
    ];
    let mut blocks: Vec<u64> = (0..300).map(|_| next(1000)).collect();
    blocks.sort_unstable();
    blocks.dedup();
    let injected: Vec<(u64, StatusFlags)> = blocks
        .iter()
        .map(|&b| (b, kinds[next(4) as usize]))
        .collect();
    let cfg = free_config(1, F32, 64).host_option(VirtualOptions {
        xruns: injected.clone(),
        clock: pastream::Clock::FreeRunning,
        ..VirtualOptions::default()
    });
    let mut s = DuplexStream::open(&cfg).unwrap();
    s.playrec(
        Source::raw(vec![0u8; 64 * 4 * 1000]),
        &Transfer::new().blocking(true),
    )
    .unwrap();
    let log = s.xrun_log();
    let want: Vec<(u64, StatusFlags)> = injected
        .iter()
        .take(pastream::rt::stats::XRUN_LOG_SIZE)
        .map(|&(b, f)| (b * 64, f))
        .collect();
    let got: Vec<(u64, StatusFlags)> = log.iter().map(|e| (e.frame, e.flags)).collect();
    assert_eq!(got, want);
    assert_eq!(
        s.xruns().total,
        injected.len() as u64,
        "counted past the log"
    );
}

#[test]
fn a_late_feeder_is_located_where_its_silence_starts() {
    // The feeder writes 1000 frames, then waits until the device has run
    // past them before writing the rest: the underrun starts at frame 1000.
    let mut s = OutputStream::open(&realtime_config(1, F32, 64)).unwrap();
    let counters = s.counters();
    let mut stage = 0;
    s.set_source(Some(Source::feeder(move |tx, ctx| {
        while !ctx.done() {
            match stage {
                0 => {
                    tx.write(&[0.5f32; 1000])?;
                    stage = 1;
                }
                1 if counters.frame_count() > 2000 => {
                    tx.write(&[0.5f32; 1000])?;
                    return Ok(());
                }
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
        }
        Ok(())
    })))
    .unwrap();
    s.start().unwrap();
    s.wait(None).unwrap();
    let log = s.xrun_log();
    assert!(!log.is_empty(), "no underrun logged");
    assert!(log[0].source_underrun);
    assert_eq!(log[0].frame, 1000);
    assert_eq!(log[0].to_string(), "playback underrun at frame 1000");
}

#[test]
fn real_time_clock_keeps_pace() {
    // 9600 frames at 48 kHz cannot take less than 0.2 s on the sample clock.
    let mut s = DuplexStream::open(&realtime_config(1, F32, 480)).unwrap();
    let t0 = Instant::now();
    let rec = s
        .playrec(
            Source::raw(vec![0u8; 9600 * 4]),
            &Transfer::new().blocking(true),
        )
        .unwrap()
        .unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(190),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(rec.frames(), 9600);
    assert!(s.last_time().current_time > 0.18);
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
        tx.write_raw(&[0u8; 64 * 4]);
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

/// Stalls the fifth callback for three blocks of 4800 frames.
fn stall_fifth(f: &mut dyn FnMut()) {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    if CALLS.fetch_add(1, Ordering::Relaxed) == 4 {
        std::thread::sleep(Duration::from_millis(300));
    }
    f();
}

#[test]
fn a_missed_deadline_on_the_real_time_clock_is_an_xrun_not_a_burst() {
    // A real device whose callback is late loses input and plays a gap; the
    // virtual one reports the same instead of catching up in a burst.
    // Blocks of 100 ms: ordinary scheduling never makes it late by one.
    let config = StreamConfig::new()
        .device("loopback, Virtual")
        .channels(1)
        .blocksize(4800)
        .callback_guard(stall_fifth);
    let mut s = DuplexStream::open(&config).unwrap();
    s.record(&Transfer::new().frames(48000).blocking(true))
        .unwrap();
    let x = s.xruns();
    assert_eq!(
        (x.total, x.input_overflows, x.output_underflows),
        (1, 1, 1),
        "{x:?}"
    );
    assert_eq!(s.frame_count(), 48000);
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
        .chunks::<f32>(ChunkOptions {
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
        .chunks::<f32>(ChunkOptions {
            chunksize: Some(0),
            ..ChunkOptions::default()
        })
        .err()
        .unwrap();
    assert_eq!(e.to_string(), "a chunk needs at least one frame");
    let e = s
        .playrec(Source::raw(vec![0u8; 80]), &Transfer::new().looping(true))
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the number of frames to record is unknown"),
        "{e}"
    );
    let e = s
        .playrec(
            Source::raw(vec![0u8; 80]),
            &Transfer::new().frames(10).offset(11),
        )
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

    let v = pastream::DeviceSelector::from("loopback, Virtual");
    pastream::host::check_input_settings(Some(&v), 128, F32, Some(96000.0)).unwrap();
    let e = pastream::host::check_output_settings(Some(&v), 129, F32, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid setting for device 'loopback': 129 output channels requested, the device has at most 128"
    );
    let e = pastream::host::check_input_settings(Some(&"output only".into()), 1, F32, None)
        .unwrap_err();
    assert_eq!(e.to_string(), "no input device matching 'output only'");

    s.close().unwrap();
    let e = s.start().unwrap_err();
    assert_eq!(e.to_string(), "the stream is closed");
}

#[test]
fn data_channels_routed_to_chosen_device_channels() {
    // Two data channels played on device channels 2 and 4 of 4, and
    // recorded back from those two.
    let mut s = DuplexStream::open(&free_config(4, SampleFormat::I16, 64)).unwrap();
    s.set_data_channels(2, 2).unwrap();
    s.set_tx_map(Some(ChannelMap::new([0, 1, 0, 2]))).unwrap();
    s.set_rx_map(Some(ChannelMap::new([2, 4]))).unwrap();
    assert_eq!(s.frame_size(), (4, 4));
    let play = Signal::new(seed(), SampleFormat::I16, 2).take(1000);
    let rec = s
        .playrec(
            Source::raw(play.clone()),
            &Transfer::new().pad(64).blocking(true),
        )
        .unwrap()
        .unwrap()
        .into_raw();
    assert_samples_equal(&rec[64 * 4..], &play, SampleFormat::I16, 2);
    let e = s.set_tx_map(Some(ChannelMap::new([3]))).unwrap_err();
    assert!(e.to_string().contains("only 2 channels"), "{e}");
    assert_no_violations();
}

#[test]
fn complete_plays_the_last_block_and_abort_does_not() {
    use pastream::CallbackResult;
    use pastream::host::loopback::Monitor;
    for end in [CallbackResult::Complete, CallbackResult::Abort] {
        let monitor = Monitor::default();
        let config = free_config(1, F32, 256).host_option(VirtualOptions {
            clock: pastream::Clock::FreeRunning,
            monitor: Some(monitor.clone()),
            ..VirtualOptions::default()
        });
        let mut s = common::callbacks::ten_blocks_then(&config, end);
        s.start().unwrap();
        s.wait(None).unwrap();
        assert_eq!(s.aborted(), end == CallbackResult::Abort);
        common::callbacks::check_heard(&common::callbacks::blocks_heard(&monitor.take()), end);
    }
}

#[test]
fn a_frame_comes_back_at_the_time_it_was_played() {
    use pastream::{CallbackResult, CallbackStream};
    use std::sync::atomic::AtomicU64;
    // Block 0's output is captured in block 1 (a delay of one block): its
    // capture time is the time it was played.
    let played = Arc::new(AtomicU64::new(0));
    let captured = Arc::new(AtomicU64::new(0));
    let (p, c) = (played.clone(), captured.clone());
    let mut s = CallbackStream::raw_duplex(&free_config(1, F32, 256), move |_i, _o, info| {
        match info.start_frame {
            0 => p.store(info.time.output_dac_time.to_bits(), Ordering::Relaxed),
            256 => c.store(info.time.input_adc_time.to_bits(), Ordering::Relaxed),
            _ => return CallbackResult::Complete,
        }
        CallbackResult::Continue
    })
    .unwrap();
    s.start().unwrap();
    s.wait(None).unwrap();
    let (p, c) = (
        f64::from_bits(played.load(Ordering::Relaxed)),
        f64::from_bits(captured.load(Ordering::Relaxed)),
    );
    assert!(p > 0.0);
    assert_eq!(p, c);
    let (li, lo) = s.latency();
    assert_eq!(li + lo, 256.0 / 48000.0);
}

#[test]
fn a_paced_ring_sink_waits_for_its_reader() {
    // A ring of 1024 frames read 100 frames at a time, with pauses: the
    // free-running device waits for the reader instead of filling it.
    let play = Signal::new(seed(), F32, 2).take(20_000);
    let mut s = DuplexStream::open(&free_config(2, F32, 64)).unwrap();
    let (tx, mut rx) = pastream::rt::ring::RingBuffer::new(F32, 2, 1024).unwrap();
    s.set_sink(Some(pastream::Sink::PacedRing(tx))).unwrap();
    s.set_source(Some(Source::raw(play.clone()))).unwrap();
    s.set_pad(64);
    s.start().unwrap();
    let want = (20_000 + 64) * 8;
    let mut got = Vec::new();
    while got.len() < want {
        let running = s.active();
        let v = rx.read_raw(100);
        if v.is_empty() {
            // Empty after the run ended: what is missing was lost.
            assert!(
                running,
                "the run ended with {} of {want} bytes read",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        got.extend(v);
    }
    assert!(s.wait(Some(Duration::from_secs(10))).unwrap());
    assert_eq!(got.len(), want);
    assert_samples_equal(&got[64 * 8..], &play, F32, 2);
    // The same ring unpaced fills up: the run ends with BufferFull.
    let (tx, _rx) = pastream::rt::ring::RingBuffer::new(F32, 2, 1024).unwrap();
    s.set_sink(Some(pastream::Sink::Ring(tx))).unwrap();
    s.set_source(Some(Source::raw(play))).unwrap();
    s.start().unwrap();
    assert!(matches!(
        s.wait(Some(Duration::from_secs(10))),
        Err(pastream::StreamError::BufferFull { .. })
    ));
}

#[test]
fn a_sink_whose_calls_may_block_is_waited_for() {
    // A last write that blocks for 400 ms, silent: a sink that said its
    // calls may block for a second is waited for; one that did not is left
    // behind as stalled (the rule for a pipe nobody reads).
    for said in [true, false] {
        let mut s = pastream::InputStream::open(&free_config(1, F32, 64)).unwrap();
        let sink = pastream::Sink::drainer(move |ring, ctx| {
            if said {
                ctx.may_block_for(Duration::from_secs(1));
            }
            while !(ctx.done() && ring.read_available() == 0) {
                ring.flush();
                ctx.pause();
            }
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        });
        s.set_sink(Some(sink)).unwrap();
        s.set_frames(4800);
        s.start().unwrap();
        let r = s.wait(Some(Duration::from_secs(10)));
        if said {
            assert!(r.unwrap());
        } else {
            assert!(
                matches!(r, Err(pastream::StreamError::Stalled { .. })),
                "{r:?}"
            );
        }
    }
}
