//! The counters a running engine keeps for other threads: frames, xruns
//! by kind, status flags, the last block's timestamps, how the run ended.
//! All atomic: the engine updates them with plain stores and adds, other
//! threads read them at any time.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};

use super::callback::{StatusFlags, TimeInfo};

/// How a run of the engine ended, as far as it knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    /// Still running (or never started).
    Running = 0,
    /// Reached its length.
    Complete = 1,
    /// The playback ran out before `frames` with no padding.
    BufferEmpty = 2,
    /// The capture had no room for recorded frames.
    BufferFull = 3,
    /// Stopped on request (see [`Stats::request_abort`]).
    Aborted = 4,
    /// Stopped at an xrun, as [`EngineConfig::stop_on_xrun`](crate::rt::engine::EngineConfig::stop_on_xrun) asked.
    Xrun = 5,
    /// Ended on request (see [`Stats::request_stop`]), the output the host
    /// holds still playing.
    Stopped = 6,
}

impl Outcome {
    fn from_u8(v: u8) -> Outcome {
        match v {
            1 => Outcome::Complete,
            2 => Outcome::BufferEmpty,
            3 => Outcome::BufferFull,
            4 => Outcome::Aborted,
            5 => Outcome::Xrun,
            6 => Outcome::Stopped,
            _ => Outcome::Running,
        }
    }
}

/// Xrun counts by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xruns {
    /// Blocks flagged with any xrun.
    pub total: u64,
    /// Blocks flagged input underflow.
    pub input_underflows: u64,
    /// Blocks flagged input overflow.
    pub input_overflows: u64,
    /// Blocks flagged output underflow.
    pub output_underflows: u64,
    /// Blocks flagged output overflow.
    pub output_overflows: u64,
    /// Blocks in which the playback ring was empty while its feeder was
    /// still running (the feeder was late; silence was played instead).
    pub source_underruns: u64,
}

/// Counters an engine updates and other threads read, all atomic.
#[derive(Debug, Default)]
pub struct Stats {
    frame_count: AtomicU64,
    xruns: AtomicU64,
    input_underflows: AtomicU64,
    input_overflows: AtomicU64,
    output_underflows: AtomicU64,
    output_overflows: AtomicU64,
    source_underruns: AtomicU64,
    status: AtomicU32,
    last_time: [AtomicU64; 3],
    padding: AtomicBool,
    outcome: AtomicU8,
    abort_request: AtomicBool,
    stop_request: AtomicBool,
}

impl Stats {
    /// New zeroed counters.
    pub fn new() -> Arc<Stats> {
        Arc::new(Stats::default())
    }

    /// Zeroes everything, for a new run.
    pub fn reset(&self) {
        for c in [
            &self.frame_count,
            &self.xruns,
            &self.input_underflows,
            &self.input_overflows,
            &self.output_underflows,
            &self.output_overflows,
            &self.source_underruns,
        ]
        .into_iter()
        .chain(self.last_time.iter())
        {
            c.store(0, Ordering::Relaxed);
        }
        self.status.store(0, Ordering::Relaxed);
        self.padding.store(false, Ordering::Relaxed);
        self.abort_request.store(false, Ordering::Relaxed);
        self.stop_request.store(false, Ordering::Relaxed);
        self.outcome
            .store(Outcome::Running as u8, Ordering::Release);
    }

    /// Frames processed in this run (including offset and padding frames).
    pub fn frame_count(&self) -> u64 {
        self.frame_count.load(Ordering::Acquire)
    }

    /// Xrun counts by kind.
    pub fn xruns(&self) -> Xruns {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Xruns {
            total: l(&self.xruns),
            input_underflows: l(&self.input_underflows),
            input_overflows: l(&self.input_overflows),
            output_underflows: l(&self.output_underflows),
            output_overflows: l(&self.output_overflows),
            source_underruns: l(&self.source_underruns),
        }
    }

    /// All status flags seen in this run, OR-ed together.
    pub fn status(&self) -> StatusFlags {
        StatusFlags(self.status.load(Ordering::Relaxed))
    }

    /// Timestamps of the last block.
    pub fn last_time(&self) -> TimeInfo {
        let t = |i: usize| f64::from_bits(self.last_time[i].load(Ordering::Relaxed));
        TimeInfo {
            input_adc_time: t(0),
            current_time: t(1),
            output_dac_time: t(2),
        }
    }

    /// Whether the playback ran out and the stream now plays padding.
    pub fn padding(&self) -> bool {
        self.padding.load(Ordering::Acquire)
    }

    /// How the run ended, or [`Outcome::Running`].
    pub fn outcome(&self) -> Outcome {
        Outcome::from_u8(self.outcome.load(Ordering::Acquire))
    }

    /// Asks the engine to abort at its next block.
    pub fn request_abort(&self) {
        self.abort_request.store(true, Ordering::Release);
    }

    /// Asks the engine to end at its next block, letting the output the
    /// host already holds play ([`Outcome::Stopped`]).
    pub fn request_stop(&self) {
        self.stop_request.store(true, Ordering::Release);
    }

    /// Counts a block's xrun flags and keeps its status and timestamps.
    pub(crate) fn record_block(&self, status: StatusFlags, time: &TimeInfo) {
        let st = self;
        if status.is_xrun() {
            st.xruns.fetch_add(1, Ordering::Relaxed);
            for (flag, counter) in [
                (StatusFlags::INPUT_UNDERFLOW, &st.input_underflows),
                (StatusFlags::INPUT_OVERFLOW, &st.input_overflows),
                (StatusFlags::OUTPUT_UNDERFLOW, &st.output_underflows),
                (StatusFlags::OUTPUT_OVERFLOW, &st.output_overflows),
            ] {
                if status.contains(flag) {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        st.status.fetch_or(status.0, Ordering::Relaxed);
        for (slot, t) in
            st.last_time
                .iter()
                .zip([time.input_adc_time, time.current_time, time.output_dac_time])
        {
            slot.store(t.to_bits(), Ordering::Relaxed);
        }
    }

    /// Publishes the frames processed so far.
    pub(crate) fn set_frame_count(&self, frames: u64) {
        self.frame_count.store(frames, Ordering::Release);
    }

    /// Whether any source underrun was counted in this run.
    pub(crate) fn has_source_underruns(&self) -> bool {
        self.source_underruns.load(Ordering::Relaxed) > 0
    }

    /// Whether [`request_abort`](Self::request_abort) was called.
    pub(crate) fn abort_requested(&self) -> bool {
        self.abort_request.load(Ordering::Acquire)
    }

    /// Whether [`request_stop`](Self::request_stop) was called.
    pub(crate) fn stop_requested(&self) -> bool {
        self.stop_request.load(Ordering::Acquire)
    }

    /// Counts a block in which a late feeder left the playback ring empty.
    pub(crate) fn count_source_underrun(&self) {
        self.source_underruns.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks the switch to padding.
    pub(crate) fn set_padding(&self) {
        self.padding.store(true, Ordering::Release);
    }

    pub(crate) fn finish(&self, outcome: Outcome) {
        // First outcome wins: a later abort does not hide why a run ended.
        let _ = self.outcome.compare_exchange(
            Outcome::Running as u8,
            outcome as u8,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }
}
