//! The callback's end of a mixer.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::action::{Job, NOT_SET, Payload};
use super::clock::Smoothed;
use super::{ActionKind, ActionState, MixerStats, SharedStats, Shortfall, Start};
use crate::rt::callback::CallbackResult;
use crate::rt::user::CallbackInfo;

/// The callback's end of a mixer: carries out the actions, once per
/// block, under the [real-time rules](super).
#[derive(Debug)]
pub struct MixerCore {
    pub(super) queue: rtrb::Consumer<Job>,
    pub(super) results: rtrb::Producer<Job>,
    /// Running and waiting actions, in the order they were sent.
    pub(super) active: Vec<Job>,
    pub(super) input_channels: usize,
    pub(super) output_channels: usize,
    pub(super) samplerate: f64,
    pub(super) stats: MixerStats,
    pub(super) shared_stats: Arc<SharedStats>,
    pub(super) pending: Arc<AtomicUsize>,
    pub(super) frames: Arc<AtomicU64>,
    /// The input's ADC time, the current time, the output's DAC time.
    pub(super) clocks: [Smoothed; 3],
}

/// Where an action's start falls against a block.
enum Due {
    /// In a later block.
    Later,
    /// At this offset into the block.
    At(usize),
    /// Before the block.
    Late,
}

impl MixerCore {
    /// How many actions the callback holds (running or waiting).
    pub fn active(&self) -> usize {
        self.active.len()
    }

    /// Runs one block: `input` and `output` are interleaved float32
    /// frames of the stream's channels (either may be empty when the
    /// stream lacks that direction), `output` silent. Always answers
    /// [`CallbackResult::Continue`]: a mixer runs until stopped.
    pub fn process(
        &mut self,
        input: &[f32],
        output: &mut [f32],
        info: &CallbackInfo,
    ) -> CallbackResult {
        let frames = info.frames;
        let first = info.start_frame;
        self.frames.store(first, Ordering::Release);
        let rate = self.samplerate;
        let [adc, now, dac] = &mut self.clocks;
        let (adc, now, dac) = (
            adc.time(info.time.input_adc_time, first, frames, rate),
            now.time(info.time.current_time, first, frames, rate),
            dac.time(info.time.output_dac_time, first, frames, rate),
        );
        self.stats.count(frames, info.status);
        while self.active.len() < self.active.capacity() {
            match self.queue.pop() {
                Ok(job) => self.active.push(job),
                Err(_) => break,
            }
        }
        // Cancels and statistics first, so that a cancel due in this
        // block stops its target within the block.
        for i in 0..self.active.len() {
            let kind = self.active[i].shared.kind;
            if !matches!(kind, ActionKind::Cancel | ActionKind::FetchAndResetStats)
                || self.active[i].state.is_over()
            {
                continue;
            }
            let Some(at) = self.begin(i, now, first, frames) else {
                continue;
            };
            match self.active[i].payload {
                Payload::Cancel(target) => {
                    if let Some(j) = self.active.iter().position(|j| j.shared.id == target) {
                        let job = &mut self.active[j];
                        if job.shared.kind.plays() || job.shared.kind.records() {
                            job.end = Some(job.end.map_or(at, |e| e.min(at)));
                        }
                    }
                }
                Payload::Stats => {
                    self.active[i].shared.stats.store(&self.stats);
                    self.stats = MixerStats::default();
                }
                _ => {}
            }
            self.active[i].state = ActionState::Finished;
        }
        for i in 0..self.active.len() {
            let kind = self.active[i].shared.kind;
            if self.active[i].state.is_over() || !(kind.plays() || kind.records()) {
                continue;
            }
            let t = if kind.plays() { dac } else { adc };
            if self.active[i].begin.is_none() && self.begin(i, t, first, frames).is_none() {
                // Not yet, or dropped; a cancel already due stops it
                // before it starts.
                let job = &mut self.active[i];
                if job.end.is_some() && job.state == ActionState::Queued {
                    job.state = ActionState::Cancelled;
                }
                continue;
            }
            self.run(i, input, output, info);
        }
        self.shared_stats.store(&self.stats);
        self.retire();
        CallbackResult::Continue
    }

    /// Decides whether action `i` starts in this block (`t`: its block
    /// time, `first`: the block's first frame); sets its start and
    /// returns the run's frame at which it starts. A late action that may
    /// not be belated is dropped.
    fn begin(&mut self, i: usize, t: f64, first: u64, frames: usize) -> Option<u64> {
        let rate = self.samplerate;
        let job = &mut self.active[i];
        let due = match job.shared.start {
            Start::Now => Due::At(0),
            Start::Frame(f) if f < first => Due::Late,
            Start::Frame(f) if f - first < frames as u64 => Due::At((f - first) as usize),
            Start::Frame(_) => Due::Later,
            Start::Time(s) => {
                let offset = ((s - t) * rate).round();
                if offset < 0.0 {
                    Due::Late
                } else if offset < frames as f64 {
                    Due::At(offset as usize)
                } else {
                    Due::Later
                }
            }
        };
        let offset = match due {
            Due::Later => return None,
            Due::At(o) => o,
            Due::Late if job.shared.allow_belated => 0,
            Due::Late => {
                job.state = ActionState::Dropped;
                return None;
            }
        };
        let at = first + offset as u64;
        if job.end.is_some_and(|e| at >= e) {
            // A cancel due first: it never starts.
            job.state = ActionState::Cancelled;
            return None;
        }
        job.begin = Some(at);
        job.shared
            .actual_time
            .store((t + offset as f64 / rate).to_bits(), Ordering::Release);
        job.shared.start_frame.store(at, Ordering::Release);
        Some(at)
    }

    /// Plays or records action `i`'s part of the block.
    fn run(&mut self, i: usize, input: &[f32], output: &mut [f32], info: &CallbackInfo) {
        let (ich, och) = (self.input_channels, self.output_channels);
        let job = &mut self.active[i];
        let Some(begin) = job.begin else {
            return;
        };
        let first = info.start_frame;
        let block_end = first + info.frames as u64;
        let stop = job.end.unwrap_or(u64::MAX).min(block_end);
        let from = begin.max(first);
        if stop <= from {
            // Cancelled at or before this point.
            if job.end.is_some_and(|e| e <= from) {
                job.state = ActionState::Cancelled;
            }
            return;
        }
        let (lo, hi) = ((from - first) as usize, (stop - first) as usize);
        job.state = ActionState::Running;
        job.shared
            .state
            .store(ActionState::Running as u8, Ordering::Release);
        job.stats.count(info.frames, info.status);
        let map = &*job.shared.map;
        let nch = map.len();
        let wanted = hi - lo;
        let mut ended = false;
        match &mut job.payload {
            Payload::Play(buf) => {
                let left = (job.total - job.done) as usize;
                let n = wanted.min(left);
                let start = job.done as usize * nch;
                mix(
                    &buf[start..start + n * nch],
                    map,
                    after_mut(output, lo * och),
                    och,
                );
                job.done += n as u64;
                ended = job.done == job.total;
            }
            Payload::Record(buf) => {
                let left = (job.total - job.done) as usize;
                let n = wanted.min(left);
                let start = job.done as usize * nch;
                let dst = &mut buf[start..start + n * nch];
                gather(after(input, lo * ich), ich, map, dst);
                job.done += n as u64;
                ended = job.done == job.total;
            }
            Payload::PlayRing(ring) => {
                let chunk = ring.read_buffers(wanted);
                let got = chunk.frames();
                let (a, b) = chunk.as_raw_slices();
                let (fa, fb) = match (
                    bytemuck::try_cast_slice::<u8, f32>(a),
                    bytemuck::try_cast_slice::<u8, f32>(b),
                ) {
                    (Ok(x), Ok(y)) => (x, y),
                    _ => (&[][..], &[][..]),
                };
                let na = fa.len() / nch;
                mix(fa, map, after_mut(output, lo * och), och);
                mix(fb, map, after_mut(output, (lo + na) * och), och);
                let used = (fa.len() + fb.len()) / nch;
                chunk.advance(used);
                job.done += used as u64;
                if got < wanted || used < got {
                    match job.shortfall {
                        Shortfall::End => ended = true,
                        Shortfall::Continue => job.missed += (wanted - used) as u64,
                    }
                }
            }
            Payload::RecordRing(ring) => {
                let mut chunk = ring.write_buffers(wanted);
                let room = chunk.frames();
                let (a, b) = chunk.as_raw_mut_slices();
                let na = a.len() / 4 / nch;
                let mut put = 0;
                if let (Ok(fa), Ok(fb)) = (
                    bytemuck::try_cast_slice_mut::<u8, f32>(a),
                    bytemuck::try_cast_slice_mut::<u8, f32>(b),
                ) {
                    gather(after(input, lo * ich), ich, map, fa);
                    gather(after(input, (lo + na) * ich), ich, map, fb);
                    put = room;
                }
                chunk.advance(put);
                job.done += put as u64;
                if put < wanted {
                    match job.shortfall {
                        Shortfall::End => ended = true,
                        Shortfall::Continue => job.missed += (wanted - put) as u64,
                    }
                }
            }
            Payload::Cancel(_) | Payload::Stats => {}
        }
        job.shared.done_frames.store(job.done, Ordering::Release);
        job.shared
            .missed_frames
            .store(job.missed, Ordering::Release);
        job.shared.stats.store(&job.stats);
        if ended {
            job.state = ActionState::Finished;
        } else if job.end.is_some_and(|e| e <= block_end) {
            job.state = ActionState::Cancelled;
        }
    }

    /// Sends the actions that are over back to the program, in order.
    fn retire(&mut self) {
        let mut i = 0;
        while i < self.active.len() {
            if !self.active[i].state.is_over() || self.results.is_full() {
                i += 1;
                continue;
            }
            let job = self.active.remove(i);
            let sh = &job.shared;
            if job.total == NOT_SET || job.state == ActionState::Cancelled {
                sh.total_frames.store(job.done, Ordering::Release);
            }
            sh.state.store(job.state as u8, Ordering::Release);
            if self.results.push(job).is_ok() {
                self.pending.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }
}

/// The samples from `at` on; none past the end.
fn after(samples: &[f32], at: usize) -> &[f32] {
    samples.get(at..).unwrap_or_default()
}

fn after_mut(samples: &mut [f32], at: usize) -> &mut [f32] {
    samples.get_mut(at..).unwrap_or_default()
}

/// Adds `src` (frames of `map.len()` channels) into `out` (frames of
/// `och` channels), channel `c` of `src` to channel `map[c]`.
fn mix(src: &[f32], map: &[usize], out: &mut [f32], och: usize) {
    let nch = map.len();
    let frames = (src.len() / nch).min(out.len() / och);
    if frames == 0 {
        return;
    }
    if nch == och && map.iter().enumerate().all(|(c, &to)| c == to) {
        // Every channel in order: one sum over the block.
        for (o, s) in out[..frames * och].iter_mut().zip(&src[..frames * nch]) {
            *o += s;
        }
        return;
    }
    for (c, &to) in map.iter().enumerate() {
        let column = src[c..frames * nch].iter().step_by(nch);
        for (o, s) in out[to..frames * och].iter_mut().step_by(och).zip(column) {
            *o += s;
        }
    }
}

/// Copies channel `map[c]` of `input` (frames of `ich` channels) into
/// channel `c` of `dst`, for as many frames as `dst` holds.
fn gather(input: &[f32], ich: usize, map: &[usize], dst: &mut [f32]) {
    let nch = map.len();
    let frames = (dst.len() / nch).min(input.len() / ich);
    if frames == 0 {
        return;
    }
    if nch == ich && map.iter().enumerate().all(|(c, &from)| c == from) {
        dst[..frames * nch].copy_from_slice(&input[..frames * ich]);
        return;
    }
    for (c, &from) in map.iter().enumerate() {
        let column = input[from..frames * ich].iter().step_by(ich);
        for (d, s) in dst[c..frames * nch].iter_mut().step_by(nch).zip(column) {
            *d = *s;
        }
    }
}
