//! The counters a running engine keeps for other threads: frames, xruns
//! by kind, status flags, the last block's timestamps, how the run ended.
//! All atomic: the engine updates them with plain stores and adds, other
//! threads read them at any time.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};

use super::callback::{CallbackResult, StatusFlags, TimeInfo};

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

/// How many xruns a run's log keeps (the counts go on past it).
pub const XRUN_LOG_SIZE: usize = 256;

/// One xrun, or one playback underrun, where it happened.
///
/// # Examples
///
/// ```
/// use pastream::{StatusFlags, XrunEvent};
///
/// let e = XrunEvent { flags: StatusFlags::OUTPUT_UNDERFLOW, source_underrun: false, frame: 480 };
/// assert_eq!(e.to_string(), "output underflow at frame 480");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XrunEvent {
    /// The host's xrun flags of the block (none for a playback underrun).
    pub flags: StatusFlags,
    /// Whether the playback ring was empty while its feeder still ran.
    pub source_underrun: bool,
    /// The frame position: the first frame of the block that reported
    /// the xrun, or the first frame of silence a late feeder left.
    pub frame: u64,
}

impl std::fmt::Display for XrunEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds = Vec::new();
        for (flag, name) in [
            (StatusFlags::INPUT_UNDERFLOW, "input underflow"),
            (StatusFlags::INPUT_OVERFLOW, "input overflow"),
            (StatusFlags::OUTPUT_UNDERFLOW, "output underflow"),
            (StatusFlags::OUTPUT_OVERFLOW, "output overflow"),
        ] {
            if self.flags.contains(flag) {
                kinds.push(name);
            }
        }
        if self.source_underrun {
            kinds.push("playback underrun");
        }
        write!(f, "{} at frame {}", kinds.join(" + "), self.frame)
    }
}

/// A logged event packed in one word: the frame in the low 56 bits, the
/// xrun flags and the underrun bit above.
const LOG_FRAME_BITS: u32 = 56;
const LOG_UNDERRUN: u64 = 0x10;

/// Counters an engine updates and other threads read, all atomic.
#[derive(Debug)]
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
    /// The first [`XRUN_LOG_SIZE`] xruns and underruns, packed; `logged`
    /// counts every one, also past the log's end.
    log: [AtomicU64; XRUN_LOG_SIZE],
    logged: AtomicU64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            frame_count: AtomicU64::new(0),
            xruns: AtomicU64::new(0),
            input_underflows: AtomicU64::new(0),
            input_overflows: AtomicU64::new(0),
            output_underflows: AtomicU64::new(0),
            output_overflows: AtomicU64::new(0),
            source_underruns: AtomicU64::new(0),
            status: AtomicU32::new(0),
            last_time: Default::default(),
            padding: AtomicBool::new(false),
            outcome: AtomicU8::new(0),
            abort_request: AtomicBool::new(false),
            stop_request: AtomicBool::new(false),
            log: std::array::from_fn(|_| AtomicU64::new(0)),
            logged: AtomicU64::new(0),
        }
    }
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
            &self.logged,
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

    /// Where the xruns and playback underruns of this run happened: the
    /// first [`XRUN_LOG_SIZE`] of them, in order.
    pub fn xrun_log(&self) -> Vec<XrunEvent> {
        let n = (self.logged.load(Ordering::Acquire) as usize).min(XRUN_LOG_SIZE);
        self.log[..n]
            .iter()
            .map(|w| {
                let w = w.load(Ordering::Relaxed);
                let tag = w >> LOG_FRAME_BITS;
                XrunEvent {
                    flags: StatusFlags((tag & 0xF) as u32),
                    source_underrun: tag & LOG_UNDERRUN != 0,
                    frame: w & ((1 << LOG_FRAME_BITS) - 1),
                }
            })
            .collect()
    }

    /// Logs an event at `frame` (`tag`: xrun flags and the underrun bit).
    fn log_event(&self, tag: u64, frame: u64) {
        // Only the engine logs, so a load and a store are enough.
        let i = self.logged.load(Ordering::Relaxed);
        if let Some(slot) = self.log.get(i as usize) {
            let frame = frame.min((1 << LOG_FRAME_BITS) - 1);
            slot.store(tag << LOG_FRAME_BITS | frame, Ordering::Relaxed);
        }
        self.logged.store(i + 1, Ordering::Release);
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
            // The block starts where the frames counted so far end.
            let frame = st.frame_count.load(Ordering::Relaxed);
            st.log_event(u64::from(status.0 & StatusFlags::XRUN_MASK.0), frame);
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

    /// How a callback answers a block once its run is over (`done`) or
    /// asked to end: abort, or, on a stop request, complete (the block
    /// silent, the output the host holds still playing). `None`: run the
    /// block. Marks the run over and records its outcome.
    pub(crate) fn requested_end(&self, done: &mut bool) -> Option<CallbackResult> {
        if *done || self.abort_requested() {
            if !*done {
                *done = true;
                self.finish(Outcome::Aborted);
            }
            return Some(CallbackResult::Abort);
        }
        if self.stop_requested() {
            *done = true;
            self.finish(Outcome::Stopped);
            return Some(CallbackResult::Complete);
        }
        None
    }

    /// Whether the run was asked to end: a stop or an abort request.
    pub(crate) fn end_requested(&self) -> bool {
        self.stop_requested() || self.abort_requested()
    }

    /// Whether [`request_abort`](Self::request_abort) was called.
    pub(crate) fn abort_requested(&self) -> bool {
        self.abort_request.load(Ordering::Acquire)
    }

    /// Whether [`request_stop`](Self::request_stop) was called.
    pub(crate) fn stop_requested(&self) -> bool {
        self.stop_request.load(Ordering::Acquire)
    }

    /// Counts a block in which a late feeder left the playback ring empty,
    /// the silence starting at `frame`.
    pub(crate) fn count_source_underrun(&self, frame: u64) {
        self.source_underruns.fetch_add(1, Ordering::Relaxed);
        self.log_event(LOG_UNDERRUN, frame);
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
