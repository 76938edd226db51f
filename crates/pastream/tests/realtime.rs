//! The real-time rules, checked: the engine does not allocate or free in
//! any of its paths, and the check itself does catch an allocation.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use assert_no_alloc::{AllocDisabler, assert_no_alloc, violation_count};
use common::*;
use pastream::rt::engine::{Capture, Engine, EngineConfig, Playback, Stats};
use pastream::rt::ring::RingBuffer;
use pastream::{
    Block, CallbackResult, ChannelMap, DuplexStream, SampleFormat, Source, StatusFlags, TimeInfo,
    Transfer,
};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

/// Runs `blocks` blocks of `n` frames, every call under `assert_no_alloc`,
/// and returns the results.
fn run_forbidden(
    e: &mut Engine,
    inch: usize,
    outch: usize,
    n: usize,
    blocks: usize,
) -> Vec<CallbackResult> {
    let f = SampleFormat::I24;
    let input = vec![5u8; f.frame_size(inch) * n];
    let mut output = vec![0u8; f.frame_size(outch) * n];
    let mut results = Vec::with_capacity(blocks);
    for k in 0..blocks {
        let r = assert_no_alloc(|| {
            e.run(Block {
                input: Some(&input),
                output: Some(&mut output),
                frames: n,
                time: TimeInfo::default(),
                status: if k % 3 == 0 {
                    StatusFlags::INPUT_OVERFLOW
                } else {
                    StatusFlags::NONE
                },
            })
        });
        results.push(r);
        if r != CallbackResult::Continue {
            break;
        }
    }
    results
}

#[test]
fn callbacks_never_allocate() {
    // The check works: an allocation inside it is counted.
    let before = violation_count();
    assert_no_alloc(|| drop(std::hint::black_box(vec![1u8; 16])));
    assert!(
        violation_count() > before,
        "assert_no_alloc did not see an allocation"
    );
    let before = VIOLATIONS.load(Ordering::Relaxed);
    no_alloc_guard(&mut || drop(std::hint::black_box(Box::new(1u64))));
    assert!(
        VIOLATIONS.load(Ordering::Relaxed) > before,
        "the stream guard did not count"
    );
    VIOLATIONS.store(0, Ordering::Relaxed);
    let base = violation_count();

    let f = SampleFormat::I24;
    let mut cfg = EngineConfig::new(f, 4, 4);
    cfg.tx_map = Some(ChannelMap::new([2, 0, 4, 1]));
    cfg.rx_map = Some(ChannelMap::new([3, 1, 0]));
    cfg.capture_channels = 3;

    // Memory playback, looping, into memory, with offset: completes.
    let mut c = cfg.clone();
    c.frames = 5000;
    c.pad = 300;
    c.offset = 77;
    let mut e = Engine::new(
        &c,
        Playback::Memory {
            data: vec![1u8; 999 * f.frame_size(4)].into(),
            looping: true,
        },
        Capture::Memory {
            buf: vec![0; 6000 * f.frame_size(3)],
            len: 0,
        },
        Stats::new(),
    )
    .unwrap();
    assert_eq!(
        run_forbidden(&mut e, 4, 4, 128, 100).last(),
        Some(&CallbackResult::Complete)
    );
    drop(e);

    // Ring playback with a live feeder flag (underruns), then the padding
    // switch, ring capture until full.
    let (mut tx, txr) = RingBuffer::new_raw(f.frame_size(4), 1024).unwrap();
    let (rxw, _rx) = RingBuffer::new_raw(f.frame_size(3), 2048).unwrap();
    tx.write_raw(&vec![2u8; 1000 * f.frame_size(4)]);
    let feeding = Arc::new(AtomicBool::new(true));
    let mut c = cfg.clone();
    c.pad = -1;
    let stats = Stats::new();
    let mut e = Engine::new(
        &c,
        Playback::Ring {
            consumer: txr,
            feeding: feeding.clone(),
        },
        Capture::Ring {
            producer: rxw,
            draining: Arc::new(AtomicBool::new(false)),
        },
        stats.clone(),
    )
    .unwrap();
    assert_eq!(
        run_forbidden(&mut e, 4, 4, 100, 12),
        vec![CallbackResult::Continue; 12]
    );
    feeding.store(false, Ordering::Release);
    assert_eq!(
        run_forbidden(&mut e, 4, 4, 100, 100).last(),
        Some(&CallbackResult::Abort)
    );
    assert!(stats.xruns().source_underruns > 0 && stats.padding());
    assert_eq!(stats.outcome(), pastream::rt::engine::Outcome::BufferFull);

    // The playback runs dry before `frames`: BufferEmpty.
    let mut c = cfg.clone();
    c.frames = 10_000;
    let mut e = Engine::new(
        &c,
        Playback::Memory {
            data: vec![1u8; 999 * f.frame_size(4)].into(),
            looping: false,
        },
        Capture::None,
        Stats::new(),
    )
    .unwrap();
    assert_eq!(
        run_forbidden(&mut e, 4, 4, 256, 100).last(),
        Some(&CallbackResult::Abort)
    );

    // An abort request.
    let stats = Stats::new();
    let mut e = Engine::new(&cfg, Playback::None, Capture::None, stats.clone()).unwrap();
    run_forbidden(&mut e, 4, 4, 64, 3);
    stats.request_abort();
    assert_eq!(
        run_forbidden(&mut e, 4, 4, 64, 3),
        vec![CallbackResult::Abort]
    );
    // A stop request.
    let stats = Stats::new();
    let mut e = Engine::new(&cfg, Playback::None, Capture::None, stats.clone()).unwrap();
    run_forbidden(&mut e, 4, 4, 64, 3);
    stats.request_stop();
    assert_eq!(
        run_forbidden(&mut e, 4, 4, 64, 3),
        vec![CallbackResult::Complete]
    );
    assert_eq!(violation_count(), base, "the engine allocated");

    // Whole streams on the virtual device, callbacks under the guard.
    let mut s = DuplexStream::open(&free_config(8, SampleFormat::I16, 0)).unwrap();
    s.set_tx_map(Some(ChannelMap::new([8, 7, 6, 5, 4, 3, 2, 1])))
        .unwrap();
    let play = Signal::new(1, SampleFormat::I16, 8).take(20_000);
    s.playrec(
        Source::raw(play),
        &Transfer::new().pad(600).offset(10).blocking(true),
    )
    .unwrap();
    s.playrec(
        Source::raw(vec![0u8; 16 * 100]),
        &Transfer::new().frames(5000).looping(true).blocking(true),
    )
    .unwrap();
    assert_no_violations();
}

#[test]
fn the_mixer_never_allocates_with_64_actions() {
    use pastream::rt::mixer::{ActionState, Shortfall, Start, mixer};
    use pastream::{CallbackInfo, rt::ring::RingBuffer};

    let (ich, och, n) = (4usize, 4usize, 256usize);
    let (mut control, mut core) = mixer(ich, och, 48000.0, 80);
    let mut actions = vec![];
    // Every kind, 64 running in the same blocks: buffers and rings, played
    // and recorded, two ending and two cancelled in the first blocks.
    let mut rings = vec![];
    for k in 0..60u64 {
        let map = [1 + (k as usize % och)];
        actions.push(if k % 2 == 0 {
            control
                .play_buffer(vec![0.01f32; 4000], map, Start::Frame(k), true)
                .unwrap()
        } else {
            control
                .record_buffer(vec![0.0; 4000], map, Start::Frame(k), true)
                .unwrap()
        });
    }
    let (mut tx, rx) = RingBuffer::new(SampleFormat::F32, 2, 8192).unwrap();
    tx.write(&vec![0.5f32; 2 * 3000]).unwrap();
    rings.push(tx);
    actions.push(
        control
            .play_ringbuffer(rx, Some([2, 3].into()), Start::Now, true, Shortfall::End)
            .unwrap(),
    );
    let (tx, rx) = RingBuffer::new(SampleFormat::F32, 1, 8192).unwrap();
    drop(rx);
    actions.push(
        control
            .record_ringbuffer(tx, None, Start::Now, true, Shortfall::Continue)
            .unwrap(),
    );
    let short = control
        .play_buffer(vec![0.1f32; 300], 1, Start::Frame(5), true)
        .unwrap();
    let cut = control
        .record_buffer(vec![0.0; 3000], 2, Start::Frame(7), true)
        .unwrap();
    control
        .cancel(&actions[0], Start::Frame(300), true)
        .unwrap();
    control.cancel(&cut, Start::Frame(400), true).unwrap();
    let stats = control
        .fetch_and_reset_stats(Start::Frame(600), true)
        .unwrap();
    let late = control
        .play_buffer(vec![0.1f32; 10], 1, Start::Time(-1.0), false)
        .unwrap();
    assert_eq!(control.actions().len(), 68);

    let input = vec![0.25f32; n * ich];
    let mut output = vec![0f32; n * och];
    let base = violation_count();
    for k in 0..20u64 {
        output.fill(0.0);
        let info = CallbackInfo {
            frames: n,
            start_frame: k * n as u64,
            time: TimeInfo {
                input_adc_time: (k * n as u64) as f64 / 48000.0,
                current_time: (k * n as u64) as f64 / 48000.0,
                output_dac_time: (k * n as u64) as f64 / 48000.0,
            },
            status: if k == 3 {
                StatusFlags::OUTPUT_UNDERFLOW
            } else {
                StatusFlags::NONE
            },
        };
        let r = assert_no_alloc(|| core.process(&input, &mut output, &info));
        assert_eq!(r, CallbackResult::Continue);
        if k == 0 {
            // The late one dropped; 64 playing and recording, two cancels
            // and a fetch waiting.
            assert_eq!(core.active(), 64 + 3);
        }
    }
    assert_eq!(violation_count(), base, "the mixer allocated");
    control.collect();
    assert_eq!(short.state(), ActionState::Finished);
    assert_eq!(cut.state(), ActionState::Cancelled);
    assert_eq!(actions[0].state(), ActionState::Cancelled);
    assert_eq!(late.state(), ActionState::Dropped);
    assert_eq!(stats.stats().blocks, 3);
    assert!(actions[1..60].iter().all(|a| a.done_frames() == 4000));
}
