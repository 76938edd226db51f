use super::*;
use crate::rt::callback::{StatusFlags, TimeInfo};
use crate::rt::ring::RingBuffer;

const F: SampleFormat = SampleFormat::I16;

/// Frames of `channels` i16 channels whose samples count up from `start`,
/// so that every sample says where it came from.
fn ramp(start: usize, frames: usize, channels: usize) -> Vec<u8> {
    (0..frames * channels)
        .flat_map(|i| (((start * channels + i) % 30000) as i16 + 1).to_ne_bytes())
        .collect()
}

/// Runs blocks of `bs` frames with `input` as device input until the
/// engine stops or `max_blocks` pass. Returns (output, results).
fn drive(
    e: &mut Engine,
    inch: usize,
    outch: usize,
    bs: usize,
    max_blocks: usize,
) -> (Vec<u8>, Vec<CallbackResult>) {
    let mut output = Vec::new();
    let mut results = Vec::new();
    for k in 0..max_blocks {
        let inp = ramp(k * bs, bs, inch);
        let mut out = vec![0xAAu8; F.frame_size(outch) * bs];
        let r = e.run(Block {
            input: (inch > 0).then_some(&inp[..]),
            output: (outch > 0).then_some(&mut out[..]),
            frames: bs,
            time: TimeInfo::default(),
            status: StatusFlags::NONE,
        });
        output.extend_from_slice(&out);
        results.push(r);
        if r != CallbackResult::Continue {
            break;
        }
    }
    (output, results)
}

/// A mono engine with no playback and no capture, counting into `stats`.
fn idle_engine(stats: &Arc<Stats>) -> Engine {
    Engine::new(
        &EngineConfig::new(F, 1, 1),
        Playback::None,
        Capture::None,
        stats.clone(),
    )
    .unwrap()
}

fn memory_capture(frames: usize, channels: usize) -> Capture {
    Capture::Memory {
        buf: vec![0; F.frame_size(channels) * frames],
        len: 0,
    }
}

fn recorded(e: Engine) -> Vec<u8> {
    match e.into_parts().1 {
        Capture::Memory { mut buf, len } => {
            buf.truncate(len);
            buf
        }
        _ => panic!("not a memory capture"),
    }
}

fn config(frames: i64, pad: i64, offset: u64) -> EngineConfig {
    EngineConfig {
        frames,
        pad,
        offset,
        ..EngineConfig::new(F, 2, 2)
    }
}

#[test]
fn frames_pad_offset_lengths() {
    for (f, p, o) in [
        (256, 64, 32),
        (1000, 0, 0),
        (100, 300, 99),
        (0, 10, 5),
        (64, 0, 64),
    ] {
        let play = ramp(7, f as usize, 2);
        let stats = Stats::new();
        let mut e = Engine::new(
            &config(f, p, o),
            Playback::Memory {
                data: play.clone().into(),
                looping: false,
            },
            memory_capture(4096, 2),
            stats.clone(),
        )
        .unwrap();
        let (out, res) = drive(&mut e, 2, 2, 48, 1000);
        assert_eq!(
            *res.last().unwrap(),
            CallbackResult::Complete,
            "{f} {p} {o}"
        );
        assert_eq!(stats.frame_count(), (f + p) as u64);
        assert_eq!(stats.outcome(), Outcome::Complete);
        // The output is the playback, then silence.
        let fs = F.frame_size(2);
        assert_eq!(&out[..play.len()], &play[..]);
        assert!(out[play.len()..].iter().all(|&b| b == 0));
        // The recording is the input from frame `o` to frame `f + p`.
        let rec = recorded(e);
        assert_eq!(rec.len(), (f + p - o as i64) as usize * fs, "{f} {p} {o}");
        assert_eq!(rec, ramp(o as usize, (f + p) as usize - o as usize, 2));
    }
}

#[test]
fn padding_switch_when_playback_runs_out() {
    let (mut tx, rx) = RingBuffer::new_raw(F.frame_size(2), 1 << 12).unwrap();
    tx.write_raw(&ramp(0, 1024, 2));
    let stats = Stats::new();
    let pad = 3000;
    let mut e = Engine::new(
        &config(-1, pad, 0),
        Playback::Ring {
            consumer: rx,
            feeding: Arc::new(AtomicBool::new(false)),
        },
        memory_capture(8192, 2),
        stats.clone(),
    )
    .unwrap();
    // Run until the switch, then write more playback: it must not be read.
    let (_, res) = drive(&mut e, 2, 2, 256, 5);
    assert!(res.iter().all(|r| *r == CallbackResult::Continue));
    assert!(stats.padding());
    tx.write_raw(&ramp(0, 1024, 2));
    let (out, res) = drive(&mut e, 2, 2, 256, 100);
    assert_eq!(*res.last().unwrap(), CallbackResult::Complete);
    assert!(out.iter().all(|&b| b == 0));
    assert_eq!(stats.frame_count(), 1024 + pad as u64);
    assert_eq!(tx.write_available(), (1 << 12) - 1024);
    assert_eq!(recorded(e).len(), (1024 + pad as usize) * F.frame_size(2));
}

#[test]
fn padding_switch_mid_block_completes_in_that_block() {
    let stats = Stats::new();
    let mut e = Engine::new(
        &config(-1, 10, 0),
        Playback::Memory {
            data: ramp(0, 100, 2).into(),
            looping: false,
        },
        memory_capture(1000, 2),
        stats.clone(),
    )
    .unwrap();
    let (_, res) = drive(&mut e, 2, 2, 64, 10);
    assert_eq!(res, [CallbackResult::Continue, CallbackResult::Complete]);
    assert_eq!(stats.frame_count(), 110);
    assert_eq!(recorded(e), ramp(0, 110, 2));
}

#[test]
fn negative_pad_fills_up_to_frames() {
    let stats = Stats::new();
    let play = ramp(0, 300, 2);
    let mut e = Engine::new(
        &config(1000, -1, 0),
        Playback::Memory {
            data: play.clone().into(),
            looping: false,
        },
        Capture::None,
        stats.clone(),
    )
    .unwrap();
    let (out, res) = drive(&mut e, 2, 2, 128, 100);
    assert_eq!(*res.last().unwrap(), CallbackResult::Complete);
    assert_eq!(stats.frame_count(), 1000);
    assert_eq!(&out[..play.len()], &play[..]);
    assert!(out[play.len()..1000 * 4].iter().all(|&b| b == 0));
}

#[test]
fn negative_pad_and_frames_pads_forever() {
    let stats = Stats::new();
    let mut e = Engine::new(
        &config(-1, -1, 0),
        Playback::Memory {
            data: ramp(0, 10, 2).into(),
            looping: false,
        },
        Capture::None,
        stats.clone(),
    )
    .unwrap();
    let (_, res) = drive(&mut e, 2, 2, 64, 200);
    assert_eq!(res.len(), 200);
    assert!(res.iter().all(|r| *r == CallbackResult::Continue));
    assert!(stats.padding());
}

#[test]
fn buffer_empty_when_frames_exceed_playback() {
    let (mut tx, rx) = RingBuffer::new_raw(F.frame_size(2), 8192).unwrap();
    tx.write_raw(&ramp(0, 8192, 2));
    let stats = Stats::new();
    let mut e = Engine::new(
        &config(9000, 0, 0),
        Playback::Ring {
            consumer: rx,
            feeding: Arc::new(AtomicBool::new(false)),
        },
        memory_capture(9000, 2),
        stats.clone(),
    )
    .unwrap();
    let (out, res) = drive(&mut e, 2, 2, 1000, 100);
    assert_eq!(*res.last().unwrap(), CallbackResult::Abort);
    assert_eq!(stats.outcome(), Outcome::BufferEmpty);
    assert_eq!(&out[..8192 * 4], &ramp(0, 8192, 2)[..]);
    assert!(out[8192 * 4..].iter().all(|&b| b == 0));
    // The last block's input is still recorded.
    assert_eq!(recorded(e).len(), 9000 * 4);
}

#[test]
fn buffer_full_keeps_what_fit() {
    let (tx, _rx) = RingBuffer::new_raw(F.frame_size(2), 512).unwrap();
    let stats = Stats::new();
    let mut e = Engine::new(
        &EngineConfig::new(F, 2, 0),
        Playback::None,
        Capture::Ring {
            producer: tx,
            draining: Arc::new(AtomicBool::new(false)),
        },
        stats.clone(),
    )
    .unwrap();
    let (_, res) = drive(&mut e, 2, 0, 200, 100);
    assert_eq!(res.len(), 3);
    assert_eq!(*res.last().unwrap(), CallbackResult::Abort);
    assert_eq!(stats.outcome(), Outcome::BufferFull);
    match e.into_parts().1 {
        Capture::Ring { producer, .. } => assert_eq!(producer.write_available(), 0),
        _ => unreachable!(),
    }
}

#[test]
fn looping_repeats_bit_exact() {
    let play = ramp(3, 777, 2);
    let stats = Stats::new();
    let mut e = Engine::new(
        &config(5 * 777, 0, 0),
        Playback::Memory {
            data: play.clone().into(),
            looping: true,
        },
        Capture::None,
        stats.clone(),
    )
    .unwrap();
    let (out, res) = drive(&mut e, 2, 2, 100, 100);
    assert_eq!(*res.last().unwrap(), CallbackResult::Complete);
    let expect: Vec<u8> = play.iter().copied().cycle().take(5 * play.len()).collect();
    assert_eq!(&out[..expect.len()], &expect[..]);
    assert_eq!(stats.frame_count(), 5 * 777);
}

#[test]
fn channel_maps_route_and_silence() {
    // Three playback channels onto four outputs; four inputs recorded as two.
    let mut cfg = EngineConfig::new(F, 4, 4);
    cfg.playback_channels = 3;
    cfg.capture_channels = 2;
    cfg.tx_map = Some(ChannelMap::new([3, 0, 1, 2]));
    cfg.rx_map = Some(ChannelMap::new([4, 1]));
    cfg.frames = 10;
    let play = ramp(0, 10, 3);
    let stats = Stats::new();
    let mut e = Engine::new(
        &cfg,
        Playback::Memory {
            data: play.clone().into(),
            looping: false,
        },
        memory_capture(10, 2),
        stats,
    )
    .unwrap();
    let (out, _) = drive(&mut e, 4, 4, 10, 1);
    let s = |b: &[u8], i: usize| i16::from_ne_bytes([b[2 * i], b[2 * i + 1]]);
    for fr in 0..10 {
        assert_eq!(s(&out, fr * 4), s(&play, fr * 3 + 2));
        assert_eq!(s(&out, fr * 4 + 1), 0);
        assert_eq!(s(&out, fr * 4 + 2), s(&play, fr * 3));
        assert_eq!(s(&out, fr * 4 + 3), s(&play, fr * 3 + 1));
    }
    let inp = ramp(0, 10, 4);
    let rec = recorded(e);
    for fr in 0..10 {
        assert_eq!(s(&rec, fr * 2), s(&inp, fr * 4 + 3));
        assert_eq!(s(&rec, fr * 2 + 1), s(&inp, fr * 4));
    }
}

#[test]
fn xruns_counted_by_kind() {
    let stats = Stats::new();
    let mut e = idle_engine(&stats);
    let flags = [
        StatusFlags::INPUT_UNDERFLOW,
        StatusFlags::INPUT_OVERFLOW | StatusFlags::OUTPUT_UNDERFLOW,
        StatusFlags::NONE,
        StatusFlags::OUTPUT_OVERFLOW,
        StatusFlags::PRIMING_OUTPUT,
        StatusFlags::OUTPUT_UNDERFLOW,
    ];
    for (k, f) in flags.into_iter().enumerate() {
        let inp = [0u8; 8];
        let mut out = [0u8; 8];
        e.run(Block {
            input: Some(&inp),
            output: Some(&mut out),
            frames: 4,
            time: TimeInfo {
                input_adc_time: k as f64,
                current_time: k as f64 + 0.5,
                output_dac_time: k as f64 + 1.0,
            },
            status: f,
        });
    }
    assert_eq!(
        stats.xruns(),
        Xruns {
            total: 4,
            input_underflows: 1,
            input_overflows: 1,
            output_underflows: 2,
            output_overflows: 1,
            source_underruns: 0,
        }
    );
    assert_eq!(stats.status(), StatusFlags(0x1F));
    assert_eq!(stats.last_time().current_time, 5.5);
    assert_eq!(stats.frame_count(), 24);
}

#[test]
fn late_feeder_is_an_underrun_not_the_end() {
    let (mut tx, rx) = RingBuffer::new_raw(F.frame_size(1), 1024).unwrap();
    let feeding = Arc::new(AtomicBool::new(true));
    let stats = Stats::new();
    let mut e = Engine::new(
        &EngineConfig {
            frames: -1,
            pad: 0,
            ..EngineConfig::new(F, 0, 1)
        },
        Playback::Ring {
            consumer: rx,
            feeding: feeding.clone(),
        },
        Capture::None,
        stats.clone(),
    )
    .unwrap();
    tx.write_raw(&ramp(0, 100, 1));
    assert!(!e.is_ready(128));
    let (out, res) = drive(&mut e, 0, 1, 128, 1);
    assert_eq!(res, [CallbackResult::Continue]);
    assert_eq!(&out[..200], &ramp(0, 100, 1)[..]);
    assert!(out[200..].iter().all(|&b| b == 0));
    assert_eq!(stats.xruns().source_underruns, 1);
    assert!(!stats.padding());
    // The feeder catches up, then finishes: now empty means the end.
    tx.write_raw(&ramp(100, 128, 1));
    assert!(e.is_ready(128));
    let (out, _) = drive(&mut e, 0, 1, 128, 1);
    assert_eq!(out, ramp(100, 128, 1));
    feeding.store(false, Ordering::Release);
    let (_, res) = drive(&mut e, 0, 1, 128, 1);
    assert_eq!(res, [CallbackResult::Complete]);
    assert_eq!(stats.frame_count(), 256);
}

#[test]
fn stop_request_completes_at_next_block() {
    let stats = Stats::new();
    let mut e = Engine::new(
        &EngineConfig::new(F, 1, 1),
        Playback::Memory {
            data: ramp(0, 1000, 1).into(),
            looping: false,
        },
        Capture::None,
        stats.clone(),
    )
    .unwrap();
    let (out, res) = drive(&mut e, 1, 1, 16, 2);
    assert_eq!(res.len(), 2);
    assert_eq!(out, ramp(0, 32, 1));
    stats.request_stop();
    assert!(e.is_ready(16));
    let (out, res) = drive(&mut e, 1, 1, 16, 3);
    // Complete, not abort: the host plays what it holds; this block is
    // silence and is not counted.
    assert_eq!(res, [CallbackResult::Complete]);
    assert!(out.iter().all(|&b| b == 0));
    assert_eq!(stats.outcome(), Outcome::Stopped);
    assert_eq!(stats.frame_count(), 32);
    // An abort requested as well wins.
    let stats = Stats::new();
    let mut e = idle_engine(&stats);
    stats.request_stop();
    stats.request_abort();
    let (_, res) = drive(&mut e, 1, 1, 16, 1);
    assert_eq!(res, [CallbackResult::Abort]);
    assert_eq!(stats.outcome(), Outcome::Aborted);
}

#[test]
fn abort_request_stops_at_next_block() {
    let stats = Stats::new();
    let mut e = idle_engine(&stats);
    let (_, res) = drive(&mut e, 1, 1, 16, 3);
    assert_eq!(res.len(), 3);
    stats.request_abort();
    assert!(e.is_ready(16));
    let (_, res) = drive(&mut e, 1, 1, 16, 3);
    assert_eq!(res, [CallbackResult::Abort]);
    assert_eq!(stats.outcome(), Outcome::Aborted);
    assert_eq!(stats.frame_count(), 48);
}

#[test]
fn uint8_silence_is_128() {
    let cfg = EngineConfig {
        frames: 4,
        pad: 4,
        ..EngineConfig::new(SampleFormat::U8, 0, 2)
    };
    let mut e = Engine::new(
        &cfg,
        Playback::Memory {
            data: vec![1u8; 8].into(),
            looping: false,
        },
        Capture::None,
        Stats::new(),
    )
    .unwrap();
    let mut out = [0u8; 24];
    let r = e.run(Block {
        input: None,
        output: Some(&mut out),
        frames: 12,
        time: TimeInfo::default(),
        status: StatusFlags::NONE,
    });
    assert_eq!(r, CallbackResult::Complete);
    assert_eq!(&out[..8], &[1; 8]);
    assert!(out[8..].iter().all(|&b| b == 128));
}

#[test]
fn short_host_buffers_never_panic() {
    let mut e = Engine::new(
        &config(-1, -1, 0),
        Playback::None,
        memory_capture(10, 2),
        Stats::new(),
    )
    .unwrap();
    let inp = [0u8; 6];
    let mut out = [0u8; 3];
    let r = e.run(Block {
        input: Some(&inp),
        output: Some(&mut out),
        frames: 100,
        time: TimeInfo::default(),
        status: StatusFlags::NONE,
    });
    assert_eq!(r, CallbackResult::Continue);
    assert_eq!(e.stats().frame_count(), 0);
}

#[test]
fn construction_errors() {
    let mut cfg = EngineConfig::new(F, 2, 2);
    cfg.tx_map = Some(ChannelMap::new([1, 1]));
    let err = Engine::new(&cfg, Playback::None, Capture::None, Stats::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "playback map: channel map names source channel 1 more than once"
    );

    let mut cfg = EngineConfig::new(F, 2, 2);
    cfg.rx_map = Some(ChannelMap::new([3]));
    let err = Engine::new(&cfg, Playback::None, Capture::None, Stats::new()).unwrap_err();
    assert!(matches!(
        err,
        EngineError::Map {
            which: "recording",
            ..
        }
    ));

    let (_, rx) = RingBuffer::new_raw(6, 8).unwrap();
    let err = Engine::new(
        &EngineConfig::new(F, 2, 2),
        Playback::Ring {
            consumer: rx,
            feeding: Arc::default(),
        },
        Capture::None,
        Stats::new(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "playback ring buffer holds elements of 6 bytes, but a frame is 4 bytes (2 channels of int16)"
    );

    let err = Engine::new(
        &EngineConfig::new(F, 2, 0),
        Playback::Memory {
            data: vec![].into(),
            looping: false,
        },
        Capture::None,
        Stats::new(),
    )
    .unwrap_err();
    assert!(matches!(err, EngineError::Direction(_)));
}

#[test]
fn stop_on_xrun_records_the_block_then_aborts() {
    let stats = Stats::new();
    let mut cfg = config(-1, 0, 0);
    cfg.stop_on_xrun = true;
    let mut e = Engine::new(&cfg, Playback::None, memory_capture(1000, 2), stats.clone()).unwrap();
    let (_, res) = drive(&mut e, 2, 2, 10, 3);
    assert_eq!(res.len(), 3);
    let inp = ramp(30, 10, 2);
    let mut out = vec![0u8; 40];
    let r = e.run(Block {
        input: Some(&inp),
        output: Some(&mut out),
        frames: 10,
        time: TimeInfo::default(),
        status: StatusFlags::INPUT_OVERFLOW,
    });
    assert_eq!(r, CallbackResult::Abort);
    assert_eq!(stats.outcome(), Outcome::Xrun);
    assert_eq!(recorded(e), ramp(0, 40, 2));
}
