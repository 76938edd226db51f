//! The mixer's core, block by block, with no device: timing, sums,
//! cancels, rings, statistics, the smoothed clock.

use super::clock::Smoothed;
use super::*;
use crate::rt::callback::TimeInfo;
use crate::rt::ring::RingBuffer;
use crate::rt::user::CallbackInfo;
use crate::sample::SampleFormat;

const RATE: f64 = 48000.0;

fn info(first: u64, frames: usize, time: f64) -> CallbackInfo {
    CallbackInfo {
        frames,
        start_frame: first,
        time: TimeInfo {
            input_adc_time: time,
            current_time: time,
            output_dac_time: time,
        },
        status: StatusFlags::NONE,
    }
}

/// Runs `blocks` blocks of `n` frames on a clock that is the frame
/// counter (plus `jitter(k)` seconds at block k); returns the output.
fn run(
    core: &mut MixerCore,
    input: &[f32],
    n: usize,
    blocks: usize,
    och: usize,
    jitter: impl Fn(usize) -> f64,
) -> Vec<f32> {
    let ich = core.input_channels;
    let mut out = vec![0f32; n * blocks * och];
    for k in 0..blocks {
        let first = (k * n) as u64;
        let inp = if ich == 0 {
            &[][..]
        } else {
            &input[k * n * ich..(k + 1) * n * ich]
        };
        let time = first as f64 / RATE + jitter(k);
        core.process(
            inp,
            &mut out[k * n * och..(k + 1) * n * och],
            &info(first, n, time),
        );
    }
    out
}

#[test]
fn a_buffer_starts_at_its_frame_and_at_the_frame_its_time_rounds_to() {
    let (mut c, mut core) = mixer(0, 1, RATE, 8);
    let by_frame = c
        .play_buffer(vec![1.0f32; 5], 1, Start::Frame(70), false)
        .unwrap();
    // 130.4 frames rounds to 130, 200.6 to 201.
    let t = |f: f64| Start::Time(f / RATE);
    let by_time = c.play_buffer(vec![2.0f32; 5], 1, t(130.4), false).unwrap();
    let half = c.play_buffer(vec![4.0f32; 5], 1, t(200.6), false).unwrap();
    let out = run(&mut core, &[], 64, 5, 1, |_| 0.0);
    c.collect();
    assert_eq!(by_frame.start_frame(), Some(70));
    assert_eq!(by_time.start_frame(), Some(130));
    assert_eq!(half.start_frame(), Some(201));
    assert_eq!(by_time.actual_time(), Some(130.0 / RATE));
    assert_eq!(&out[69..76], &[0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
    assert_eq!(&out[129..136], &[0.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.0]);
    assert_eq!(&out[200..207], &[0.0, 4.0, 4.0, 4.0, 4.0, 4.0, 0.0]);
}

#[test]
fn buffers_on_one_frame_sum_and_channel_maps_place_them() {
    let (mut c, mut core) = mixer(0, 3, RATE, 8);
    c.play_buffer(vec![0.25f32, 1.0, 0.5, 2.0], [3, 1], Start::Frame(10), true)
        .unwrap();
    c.play_buffer(vec![0.125f32; 2], [3], Start::Frame(10), true)
        .unwrap();
    let out = run(&mut core, &[], 16, 1, 3, |_| 0.0);
    assert_eq!(&out[30..36], &[1.0, 0.0, 0.375, 2.0, 0.0, 0.625]);
    assert!(out[..30].iter().chain(&out[36..]).all(|&s| s == 0.0));
}

#[test]
fn late_actions_are_dropped_or_start_with_their_first_block() {
    let (mut c, mut core) = mixer(0, 1, RATE, 8);
    run(&mut core, &[], 32, 2, 1, |_| 0.0);
    // The stream is at frame 64: frame 10 has passed.
    let dropped = c
        .play_buffer(vec![1.0f32; 4], 1, Start::Frame(10), false)
        .unwrap();
    let belated = c
        .play_buffer(vec![1.0f32; 4], 1, Start::Frame(10), true)
        .unwrap();
    let mut out = vec![0f32; 32];
    core.process(&[], &mut out, &info(64, 32, 64.0 / RATE));
    c.collect();
    assert_eq!(dropped.state(), ActionState::Dropped);
    assert_eq!((dropped.actual_time(), dropped.done_frames()), (None, 0));
    assert_eq!(belated.state(), ActionState::Finished);
    assert_eq!(belated.start_frame(), Some(64));
    assert_eq!(&out[..5], &[1.0, 1.0, 1.0, 1.0, 0.0]);
}

#[test]
fn a_cancel_cuts_its_target_at_its_frame() {
    let (mut c, mut core) = mixer(0, 1, RATE, 8);
    let a = c
        .play_buffer(vec![1.0f32; 1000], 1, Start::Frame(5), true)
        .unwrap();
    c.cancel(&a, Start::Frame(77), true).unwrap();
    let out = run(&mut core, &[], 32, 4, 1, |_| 0.0);
    c.collect();
    assert_eq!(a.state(), ActionState::Cancelled);
    assert_eq!((a.done_frames(), a.total_frames()), (72, Some(72)));
    assert!(out[5..77].iter().all(|&s| s == 1.0));
    assert!(out[77..].iter().all(|&s| s == 0.0));
}

#[test]
fn recording_takes_the_mapped_input_channels() {
    let (mut c, mut core) = mixer(2, 0, RATE, 8);
    let input: Vec<f32> = (0..2 * 64).map(|i| i as f32).collect();
    let r = c
        .record_buffer(vec![-1.0; 6], [2, 1], Start::Frame(40), true)
        .unwrap();
    run(&mut core, &input, 32, 2, 0, |_| 0.0);
    c.collect();
    assert_eq!(
        r.take_recording().unwrap(),
        [81.0, 80.0, 83.0, 82.0, 85.0, 84.0]
    );
    assert!(r.take_recording().is_none(), "taken once");
}

#[test]
fn a_play_ring_ends_on_its_first_short_read_or_goes_on_silent() {
    for shortfall in [Shortfall::End, Shortfall::Continue] {
        let (mut c, mut core) = mixer(0, 1, RATE, 8);
        let (mut tx, rx) = RingBuffer::new(SampleFormat::F32, 1, 256).unwrap();
        tx.write(&[0.5f32; 40]).unwrap();
        let a = c
            .play_ringbuffer(rx, None, Start::Frame(0), true, shortfall)
            .unwrap();
        let out = run(&mut core, &[], 32, 3, 1, |_| 0.0);
        c.collect();
        assert!(out[..40].iter().all(|&s| s == 0.5));
        assert!(out[40..].iter().all(|&s| s == 0.0));
        assert_eq!(a.done_frames(), 40);
        match shortfall {
            Shortfall::End => {
                assert_eq!(a.state(), ActionState::Finished);
                assert_eq!(a.total_frames(), Some(40));
            }
            Shortfall::Continue => {
                assert_eq!(a.state(), ActionState::Running);
                assert_eq!(a.missed_frames(), 96 - 40);
                assert_eq!(a.total_frames(), None);
            }
        }
    }
}

#[test]
fn a_record_ring_ends_when_full() {
    let (mut c, mut core) = mixer(1, 0, RATE, 8);
    let (tx, mut rx) = RingBuffer::new(SampleFormat::F32, 1, 64).unwrap();
    let input: Vec<f32> = (0..128).map(|i| i as f32).collect();
    let a = c
        .record_ringbuffer(tx, None, Start::Frame(16), true, Shortfall::End)
        .unwrap();
    run(&mut core, &input, 32, 4, 0, |_| 0.0);
    c.collect();
    assert_eq!(a.state(), ActionState::Finished);
    assert_eq!(a.done_frames(), 64);
    let got = rx.read::<f32>(64).unwrap();
    assert_eq!(got, (16..80).map(|i| i as f32).collect::<Vec<_>>());
    assert!(a.take_producer().is_some());
}

#[test]
fn the_caller_is_refused_what_the_callback_could_not_do() {
    let (mut c, _core) = mixer(1, 2, RATE, 2);
    assert_eq!(
        c.play_buffer(vec![0.0f32; 3], 2, Start::Now, true)
            .unwrap_err(),
        MixerError::Buffer("a buffer of 3 samples is not whole frames of 2 channels".into())
    );
    assert!(matches!(
        c.record_buffer(vec![0.0; 2], [2], Start::Now, true),
        Err(MixerError::Channels(_))
    ));
    assert!(matches!(
        c.play_buffer(vec![0.0f32; 2], 1, Start::Time(f64::NAN), true),
        Err(MixerError::Time(_))
    ));
    let (tx, rx) = RingBuffer::new(SampleFormat::F32, 2, 16).unwrap();
    assert!(matches!(
        c.play_ringbuffer(rx, Some(1.into()), Start::Now, true, Shortfall::End),
        Err(MixerError::Buffer(_))
    ));
    let (_, i16_ring) = RingBuffer::new(SampleFormat::I16, 2, 16).unwrap();
    assert!(matches!(
        c.play_ringbuffer(i16_ring, None, Start::Now, true, Shortfall::End),
        Err(MixerError::Buffer(_))
    ));
    drop(tx);
    c.play_buffer(vec![0.0f32; 2], 1, Start::Now, true).unwrap();
    c.play_buffer(vec![0.0f32; 2], 1, Start::Now, true).unwrap();
    assert_eq!(
        c.play_buffer(vec![0.0f32; 2], 1, Start::Now, true)
            .unwrap_err(),
        MixerError::QueueFull { capacity: 2 }
    );
    let (mut out_only, _core) = mixer(0, 2, RATE, 2);
    assert_eq!(
        out_only
            .record_buffer(vec![0.0; 2], 1, Start::Now, true)
            .unwrap_err(),
        MixerError::Direction("input")
    );
}

#[test]
fn statistics_count_blocks_and_xruns_and_reset_when_fetched() {
    let (mut c, mut core) = mixer(0, 1, RATE, 8);
    let a = c
        .play_buffer(vec![0.0f32; 100], 1, Start::Frame(0), true)
        .unwrap();
    let mut out = vec![0f32; 64];
    for (k, n) in [64usize, 32, 48].into_iter().enumerate() {
        let mut i = info(k as u64 * 64, n, 0.0);
        if k == 1 {
            i.status = StatusFlags::OUTPUT_UNDERFLOW | StatusFlags::INPUT_OVERFLOW;
        }
        core.process(&[], &mut out[..n], &i);
    }
    c.collect();
    let want = MixerStats {
        blocks: 3,
        min_blocksize: 32,
        max_blocksize: 64,
        input_overflows: 1,
        output_underflows: 1,
        ..MixerStats::default()
    };
    assert_eq!(c.stats(), want);
    assert_eq!(a.stats().blocks, 3, "active in each block");
    let f = c.fetch_and_reset_stats(Start::Now, true).unwrap();
    core.process(&[], &mut out[..16], &info(192, 16, 0.0));
    c.collect();
    assert_eq!(
        f.stats(),
        MixerStats {
            blocks: 4,
            min_blocksize: 16,
            ..want
        }
    );
    assert_eq!(c.stats(), MixerStats::default());
}

#[test]
fn jittery_timestamps_still_map_each_time_to_its_frame() {
    // A host whose block times jitter by up to 3 frames around a clock
    // that is 40 frames ahead of the frame counter.
    let jitter = |k: usize| (40.0 + [0.0, 3.0, -2.0, 1.0, -3.0, 2.0, -1.0][k % 7]) / RATE;
    let (mut c, mut core) = mixer(0, 1, RATE, 64);
    let n = 128;
    let warm = 700;
    run(&mut core, &[], n, warm, 1, jitter);
    let base = (warm * n) as u64;
    let mut actions = vec![];
    for k in 0..20u64 {
        let at = base + 1000 + 997 * k;
        let time = (at as f64 + 40.0) / RATE;
        actions.push((
            at,
            c.play_buffer(vec![1.0f32], 1, Start::Time(time), false)
                .unwrap(),
        ));
    }
    let mut out = vec![0f32; n];
    for k in warm..warm + 200 {
        let first = (k * n) as u64;
        core.process(
            &[],
            &mut out,
            &info(first, n, first as f64 / RATE + jitter(k)),
        );
    }
    c.collect();
    for (at, a) in actions {
        assert_eq!(a.start_frame(), Some(at));
    }
}

#[test]
fn a_clock_that_jumps_is_followed_at_once() {
    let mut s = Smoothed::default();
    let n = 128;
    for k in 0..50u64 {
        let t = s.time(k as f64 * n as f64 / RATE, k * n as u64, n, RATE);
        assert!((t - k as f64 * n as f64 / RATE).abs() < 1e-12);
    }
    // A second lost: the host's time jumps, the frames do not.
    let t = s.time(1.0 + 50.0 * n as f64 / RATE, 50 * n as u64, n, RATE);
    assert_eq!(t, 1.0 + 50.0 * n as f64 / RATE);
    // Zeros from a host with no timestamps: zeros still.
    let mut z = Smoothed::default();
    for k in 0..10u64 {
        assert!(z.time(0.0, k * n as u64, n, RATE).abs() < 1e-12);
    }
}
