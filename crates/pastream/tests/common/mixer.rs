//! The loopback suite's mixer tests: scheduled actions land at exactly the
//! frames they were scheduled for, in the loopback recording, by frame and
//! by time; sums, cancels, late actions, ring buffers, statistics. Every
//! callback runs with allocation forbidden (the rigs' callback guard).

use std::sync::Arc;
use std::time::Duration;

use pastream::rt::ring::RingBuffer;
use pastream::{
    Action, ActionState, MixerAndRecorder, MixerError, SampleFormat, Shortfall, Start, StreamError,
};

use super::*;

const CH: usize = 2;
const BLOCK: usize = 128;

/// A small seeded generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A sample in (-0.5, 0.5), never 0.
    pub fn sample(&mut self) -> f32 {
        let v = (self.below(1 << 20) as f32 + 0.5) / (1 << 21) as f32;
        if self.next() & 1 == 0 { v } else { -v }
    }

    pub fn samples(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.sample()).collect()
    }

    /// One of the mappings of one or two of the rig's first two channels.
    pub fn mapping(&mut self) -> Vec<usize> {
        match self.below(4) {
            0 => vec![1],
            1 => vec![2],
            2 => vec![1, 2],
            _ => vec![2, 1],
        }
    }
}

/// A buffer at a frame, on device channels (1-based).
pub type Placed = (u64, Vec<usize>, Arc<[f32]>);

/// What the mixer's output should be: each buffer added at its frame, in
/// the order sent (the mixer's order, so float sums match bit for bit).
fn mixdown(frames: usize, placed: &[Placed]) -> Vec<f32> {
    let mut out = vec![0f32; frames * CH];
    for (at, map, buf) in placed {
        for (k, frame) in buf.chunks_exact(map.len()).enumerate() {
            let f = *at as usize + k;
            for (c, &to) in map.iter().enumerate() {
                if f < frames {
                    out[f * CH + to - 1] += frame[c];
                }
            }
        }
    }
    out
}

/// Compares a recording with the mixdown delayed by `delay` frames,
/// sample by sample; silence before.
fn assert_recorded(rec: &[f32], mix: &[f32], delay: usize) {
    let frames = rec.len() / CH;
    for i in 0..rec.len() {
        let f = i / CH;
        let want = if f < delay || (f - delay) * CH >= mix.len() {
            0.0
        } else {
            mix[i - delay * CH]
        };
        assert_eq!(
            rec[i].to_bits(),
            want.to_bits(),
            "frame {f} channel {} of {frames}: recorded {}, scheduled {want}",
            i % CH,
            rec[i]
        );
    }
}

/// The first frame with sound.
fn first_sound(rec: &[f32]) -> Option<usize> {
    rec.iter().position(|&s| s != 0.0).map(|i| i / CH)
}

/// Opens a mixer-and-recorder on the rig, free-running or in real time.
fn open(rig: &Rig, realtime: bool, queue: usize) -> MixerAndRecorder {
    let make = if realtime { rig.realtime } else { rig.config };
    MixerAndRecorder::with_queue(&make(CH, SampleFormat::F32, BLOCK), queue).unwrap()
}

/// Buffers at many seeded random frames, two of them on one frame, come
/// back in the loopback recording at exactly those frames (after the
/// loopback's delay, measured with the first buffer), summed bit for bit.
pub fn mixer_buffers_land_at_their_frames(rig: &Rig) {
    let mut rng = Rng::new(seed());
    let mut m = open(rig, false, 256);
    let span = 48_000usize;
    let marker_at = 100u64;
    let mut placed: Vec<Placed> = vec![(marker_at, vec![1], Arc::from(vec![0.5f32; 8]))];
    for k in 0..60 {
        let at = 1000 + rng.below((span - 2000) as u64);
        let map = rng.mapping();
        let len = 1 + rng.below(700) as usize;
        placed.push((at, map.clone(), rng.samples(len * map.len()).into()));
        if k == 30 {
            // A second buffer on the same frame and channels.
            let len = 1 + rng.below(300) as usize;
            placed.push((at, map.clone(), rng.samples(len * map.len()).into()));
        }
    }
    let total = span + (rig.delay)(BLOCK) + BLOCK;
    let rec = m
        .record_buffer(vec![0.0; total * CH], CH, Start::Frame(0), false)
        .unwrap();
    let actions: Vec<Action> = placed
        .iter()
        .map(|(at, map, buf)| {
            m.play_buffer(buf.clone(), map.clone(), Start::Frame(*at), false)
                .unwrap()
        })
        .collect();
    m.start().unwrap();
    assert!(m.wait(None, Some(Duration::from_secs(30))).unwrap());
    m.stop().unwrap();
    for ((at, _, buf), a) in placed.iter().zip(&actions) {
        assert_eq!(a.state(), ActionState::Finished);
        assert_eq!(a.start_frame(), Some(*at));
        let frames = (buf.len() / a.channels()) as u64;
        assert_eq!((a.done_frames(), a.total_frames()), (frames, Some(frames)));
    }
    let rec = rec.take_recording().unwrap();
    let delay = first_sound(&rec).unwrap() - marker_at as usize;
    assert_eq!(delay, (rig.delay)(BLOCK), "the loopback's delay");
    assert_recorded(&rec, &mixdown(span, &placed), delay);
    assert_no_violations();
}

/// Buffers scheduled by stream time start at the frame the time maps to.
/// Two buffers scheduled by frame, half a second and two seconds into
/// the run, give the host clock's time at two frames; buffers scheduled
/// between them at seeded random times start at the frame the clock puts
/// each time at (interpolated between the two), within the rig's clock
/// tolerance (none on the virtual device, whose clock is its frame
/// counter), and are recorded exactly where they started.
pub fn mixer_buffers_scheduled_by_time(rig: &Rig) {
    let mut rng = Rng::new(seed());
    let mut m = open(rig, true, 128);
    let rate = m.samplerate();
    let (a0, a1) = (24_000u64, 96_000u64);
    let span = a1 as usize + 1000;
    let total = span + (rig.delay)(BLOCK);
    let rec = m
        .record_buffer(vec![0.0; total * CH], CH, Start::Frame(0), false)
        .unwrap();
    let marker: Arc<[f32]> = Arc::from(vec![0.5f32; 4]);
    let first = m
        .play_buffer(marker.clone(), [1], Start::Frame(a0), false)
        .unwrap();
    let last = m
        .play_buffer(marker.clone(), [1], Start::Frame(a1), false)
        .unwrap();
    m.start().unwrap();
    assert!(m.wait(Some(&first), Some(Duration::from_secs(10))).unwrap());
    let t0 = first.actual_time().unwrap();
    let mut placed = vec![(a0, vec![1], marker.clone()), (a1, vec![1], marker)];
    let mut actions = vec![];
    // From a quarter of a second on: the stream has not got there yet.
    for _ in 0..30 {
        let at = a0 + 12_000 + rng.below(a1 - a0 - 14_000);
        let map = rng.mapping();
        let len = 1 + rng.below(500) as usize;
        let buf: Arc<[f32]> = rng.samples(len * map.len()).into();
        let time = t0 + (at - a0) as f64 / rate;
        let a = m
            .play_buffer(buf.clone(), map.clone(), Start::Time(time), false)
            .unwrap();
        actions.push((time, a));
        placed.push((at, map, buf));
    }
    assert!(m.wait(None, Some(Duration::from_secs(30))).unwrap());
    m.stop().unwrap();
    let t1 = last.actual_time().unwrap();
    let mut worst = 0f64;
    for (k, (time, a)) in actions.iter().enumerate() {
        assert_eq!(a.state(), ActionState::Finished, "the action at {time}");
        let got = a.start_frame().unwrap();
        let want = a0 as f64 + (time - t0) / (t1 - t0) * (a1 - a0) as f64;
        worst = worst.max((got as f64 - want).abs());
        if rig.clock_tolerance == 0.0 {
            assert_eq!(got, want.round() as u64, "the action at {time}");
        }
        assert!((a.actual_time().unwrap() - time).abs() <= 0.5 / rate + 1e-9);
        placed[k + 2].0 = got;
    }
    eprintln!("times mapped to frames {worst:.2} frames from the clock at most");
    assert!(worst <= rig.clock_tolerance + 0.5, "{worst} frames off");
    let rec = rec.take_recording().unwrap();
    let delay = first_sound(&rec).unwrap() - a0 as usize;
    assert_eq!(delay, (rig.delay)(BLOCK), "the loopback's delay");
    assert_recorded(&rec, &mixdown(span, &placed), delay);
    assert_no_violations();
}

/// A cancel stops a playing buffer at its frame; one due before its
/// target starts keeps it from ever starting; both report what they did.
pub fn mixer_cancel_cuts_at_the_frame(rig: &Rig) {
    let mut rng = Rng::new(seed());
    let mut m = open(rig, false, 16);
    let long: Arc<[f32]> = rng.samples(20_000 * CH).into();
    let (start, cut) = (1000u64, 1000 + 3000 + rng.below(10_000));
    let total = 24_000 + (rig.delay)(BLOCK);
    let rec = m
        .record_buffer(vec![0.0; total * CH], CH, Start::Frame(0), false)
        .unwrap();
    let marker = m
        .play_buffer(vec![0.5f32; 4], [1], Start::Frame(100), false)
        .unwrap();
    let target = m
        .play_buffer(long.clone(), CH, Start::Frame(start), false)
        .unwrap();
    let never = m
        .play_buffer(long.clone(), CH, Start::Frame(cut + 500), false)
        .unwrap();
    let c1 = m.cancel(&target, Start::Frame(cut), false).unwrap();
    let c2 = m.cancel(&never, Start::Frame(cut + 400), false).unwrap();
    // A cancel due earlier in the block in which its target would start.
    let same_block = (BLOCK * 150) as u64;
    let soon = m
        .play_buffer(long.clone(), CH, Start::Frame(same_block + 90), false)
        .unwrap();
    m.cancel(&soon, Start::Frame(same_block + 20), false)
        .unwrap();
    m.start().unwrap();
    assert!(m.wait(None, Some(Duration::from_secs(30))).unwrap());
    m.stop().unwrap();
    assert_eq!(marker.state(), ActionState::Finished);
    assert_eq!(target.state(), ActionState::Cancelled);
    assert_eq!(target.done_frames(), cut - start);
    assert_eq!(target.total_frames(), Some(cut - start));
    assert_eq!(never.state(), ActionState::Cancelled);
    assert_eq!((never.done_frames(), never.total_frames()), (0, Some(0)));
    assert_eq!(never.start_frame(), None);
    assert_eq!(soon.state(), ActionState::Cancelled);
    assert_eq!((soon.start_frame(), soon.total_frames()), (None, Some(0)));
    assert_eq!(c1.start_frame(), Some(cut));
    assert_eq!(c2.start_frame(), Some(cut + 400));
    let cut_len = ((cut - start) as usize) * CH;
    let placed: Vec<Placed> = vec![
        (100, vec![1], Arc::from(vec![0.5f32; 4])),
        (start, vec![1, 2], Arc::from(&long[..cut_len])),
    ];
    let rec = rec.take_recording().unwrap();
    assert_recorded(&rec, &mixdown(24_000, &placed), (rig.delay)(BLOCK));
    assert_no_violations();
}

/// A late action that may not be belated is dropped, reported and never
/// heard; one that may starts with the first block that sees it.
pub fn mixer_late_actions_dropped_or_belated(rig: &Rig) {
    let mut m = open(rig, false, 16);
    let total = 4096 + (rig.delay)(BLOCK);
    let rec = m
        .record_buffer(vec![0.0; total * CH], CH, Start::Frame(0), false)
        .unwrap();
    // Long before the stream's clock began.
    let past = Start::Time(-1.0e6);
    let dropped = m.play_buffer(vec![0.25f32; 64], [1], past, false).unwrap();
    let belated = m.play_buffer(vec![0.5f32; 64], [2], past, true).unwrap();
    m.start().unwrap();
    assert!(m.wait(None, Some(Duration::from_secs(30))).unwrap());
    m.stop().unwrap();
    assert_eq!(dropped.state(), ActionState::Dropped);
    assert_eq!(
        (dropped.actual_time(), dropped.done_frames()),
        (None, 0),
        "a dropped action did nothing"
    );
    assert_eq!(belated.state(), ActionState::Finished);
    assert_eq!(belated.start_frame(), Some(0));
    let placed = vec![(0, vec![2], Arc::from(vec![0.5f32; 64]))];
    let rec = rec.take_recording().unwrap();
    assert_recorded(&rec, &mixdown(4096, &placed), (rig.delay)(BLOCK));
    assert_no_violations();
}

/// Ring buffers: a play ring ends on its first short read, its last block
/// playing what there was; a record ring takes the input until it is
/// full; with `Shortfall::Continue` a short ring plays silence and goes
/// on. 64 actions run at once, all without allocating.
pub fn mixer_rings_and_64_actions(rig: &Rig) {
    let mut rng = Rng::new(seed());
    let mut m = open(rig, false, 80);
    let data = rng.samples(5000 * CH);
    let (mut tx, rx) = RingBuffer::new(SampleFormat::F32, CH, 8192).unwrap();
    assert_eq!(tx.write(&data).unwrap(), 5000);
    let (rtx, mut rrx) = RingBuffer::new(SampleFormat::F32, CH, 16384).unwrap();
    let (mut ctx, crx) = RingBuffer::new(SampleFormat::F32, 1, 1024).unwrap();
    assert_eq!(ctx.write(&[0.125f32; 300]).unwrap(), 300);
    let total = 12_000 + (rig.delay)(BLOCK);
    let rec = m
        .record_buffer(vec![0.0; total * CH], CH, Start::Frame(0), false)
        .unwrap();
    let recring = m
        .record_ringbuffer(rtx, None, Start::Frame(0), false, Shortfall::End)
        .unwrap();
    let play = m
        .play_ringbuffer(rx, None, Start::Frame(1000), false, Shortfall::End)
        .unwrap();
    let cont = m
        .play_ringbuffer(
            crx,
            Some([2].into()),
            Start::Frame(7000),
            false,
            Shortfall::Continue,
        )
        .unwrap();
    let cancel_cont = m.cancel(&cont, Start::Frame(9000), false).unwrap();
    // 62 short buffers at once, each on its own frame from 10000 on:
    // with the two recordings, 64 actions run in the same blocks.
    let mut placed: Vec<Placed> = vec![
        (1000, vec![1, 2], Arc::from(&data[..])),
        (7000, vec![2], Arc::from(vec![0.125f32; 300])),
    ];
    for k in 0..62u64 {
        let buf: Arc<[f32]> = rng.samples(200).into();
        m.play_buffer(buf.clone(), [1], Start::Frame(10_000 + k), false)
            .unwrap();
        placed.push((10_000 + k, vec![1], buf));
    }
    assert_eq!(m.actions().len(), 67);
    m.start().unwrap();
    assert!(m.wait(Some(&rec), Some(Duration::from_secs(30))).unwrap());
    assert!(matches!(m.stats(), Err(StreamError::Active)));
    let stats = m.fetch_and_reset_stats(Start::Now, true).unwrap();
    assert!(m.wait(None, Some(Duration::from_secs(30))).unwrap());
    m.stop().unwrap();
    assert_eq!(play.state(), ActionState::Finished);
    assert_eq!(play.done_frames(), 5000);
    assert_eq!(play.total_frames(), Some(5000));
    assert_eq!(cont.state(), ActionState::Cancelled);
    assert_eq!(cont.done_frames(), 300);
    assert_eq!(cont.missed_frames(), 2000 - 300);
    assert_eq!(cancel_cont.start_frame(), Some(9000));
    assert_eq!(recring.state(), ActionState::Finished);
    assert_eq!(recring.done_frames(), 16384);
    let s = stats.stats();
    assert!(s.blocks >= (total / BLOCK) as u64, "{s:?}");
    assert_eq!(
        (s.min_blocksize, s.max_blocksize),
        (BLOCK as u64, BLOCK as u64)
    );
    // The fetch split the run's blocks: those before it, those after.
    assert_eq!(
        s.blocks + m.stats().unwrap().blocks,
        m.frame_count() / BLOCK as u64,
        "reset by the fetch"
    );
    let rec = rec.take_recording().unwrap();
    assert_recorded(&rec, &mixdown(12_000, &placed), (rig.delay)(BLOCK));
    // The record ring holds the first 16384 frames of the input.
    let mut from_ring = rrx.read::<f32>(16384).unwrap();
    from_ring.truncate(total * CH);
    assert_eq!(from_ring.len(), total * CH);
    for (i, (a, b)) in from_ring.iter().zip(&rec).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "record ring sample {i}");
    }
    assert!(play.take_consumer().is_some(), "the ring comes back");
    assert_no_violations();
}

/// Actions are checked at the caller: a full queue, channels the stream
/// lacks, partial frames; a stopped stream's wait says it cannot finish.
pub fn mixer_refuses_at_the_caller(rig: &Rig) {
    let mut m = open(rig, false, 2);
    let a = m
        .play_buffer(vec![0.1f32; 10], 1, Start::Frame(1_000_000), false)
        .unwrap();
    m.play_buffer(vec![0.1f32; 10], 1, Start::Frame(1_000_000), false)
        .unwrap();
    let full = m.play_buffer(vec![0.1f32; 10], 1, Start::Now, true);
    assert!(matches!(
        full,
        Err(StreamError::Mixer(MixerError::QueueFull { capacity: 2 }))
    ));
    let too_far = m.cancel(&a, Start::Now, true);
    assert!(matches!(
        too_far,
        Err(StreamError::Mixer(MixerError::QueueFull { .. }))
    ));
    let mut m = open(rig, false, 4);
    for (ch, why) in [
        (vec![0], "channel numbers start with 1"),
        (vec![CH + 1], "past the stream's"),
    ] {
        let e = m
            .play_buffer(vec![0.1f32; 10], ch, Start::Now, true)
            .unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
    }
    let e = m
        .record_buffer(vec![0.0; 5], 2, Start::Now, true)
        .unwrap_err();
    assert!(e.to_string().contains("not whole frames"), "{e}");
    let pending = m
        .play_buffer(vec![0.1f32; 10], 1, Start::Frame(u64::MAX / 2), false)
        .unwrap();
    let e = m.wait(Some(&pending), None).unwrap_err();
    assert!(
        matches!(e, StreamError::Mixer(MixerError::NotRunning)),
        "{e}"
    );
}
