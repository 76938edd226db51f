//! What a host hands its real-time callback each block: the block's
//! buffers ([`Block`]), its timestamps ([`TimeInfo`]) and status flags
//! ([`StatusFlags`]), and what the callback answers ([`CallbackResult`]).
//!
//! Within the crate, hosts run anything that implements the callback
//! interface; the [`engine`](super::engine) of buffered streams is what
//! they run today. Whatever runs there follows the real-time rules of the
//! [`rt`](super) module.
#![forbid(unsafe_code)]

use std::any::Any;
use std::ops::{BitOr, BitOrAssign};

/// Timestamps of a block, in seconds on the host's stream clock.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeInfo {
    /// When the first input frame of the block was captured.
    pub input_adc_time: f64,
    /// When the callback was invoked.
    pub current_time: f64,
    /// When the first output frame of the block will be played.
    pub output_dac_time: f64,
}

/// Status flags a host passes with a block; the bit values are PortAudio's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StatusFlags(pub u32);

impl StatusFlags {
    /// No flag set.
    pub const NONE: StatusFlags = StatusFlags(0);
    /// Input data was missing: the block holds silence where the device
    /// delivered nothing.
    pub const INPUT_UNDERFLOW: StatusFlags = StatusFlags(0x1);
    /// Input data was lost before this block because the callback was late.
    pub const INPUT_OVERFLOW: StatusFlags = StatusFlags(0x2);
    /// Output was missing before this block: the device played silence.
    pub const OUTPUT_UNDERFLOW: StatusFlags = StatusFlags(0x4);
    /// Output data of this block will be discarded.
    pub const OUTPUT_OVERFLOW: StatusFlags = StatusFlags(0x8);
    /// The block's output is priming the device; its input is not real.
    pub const PRIMING_OUTPUT: StatusFlags = StatusFlags(0x10);

    /// The four xrun flags.
    pub const XRUN_MASK: StatusFlags = StatusFlags(0xF);

    /// Whether every flag of `other` is set in `self`.
    pub const fn contains(self, other: StatusFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any xrun flag is set.
    pub const fn is_xrun(self) -> bool {
        self.0 & Self::XRUN_MASK.0 != 0
    }
}

impl BitOr for StatusFlags {
    type Output = StatusFlags;
    fn bitor(self, rhs: StatusFlags) -> StatusFlags {
        StatusFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for StatusFlags {
    fn bitor_assign(&mut self, rhs: StatusFlags) {
        self.0 |= rhs.0;
    }
}

/// What a callback tells its host after a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackResult {
    /// Call again with the next block.
    Continue,
    /// This block was the last; let the output play out, then stop.
    Complete,
    /// Stop now; pending output may be discarded.
    Abort,
}

/// One block of audio as a host hands it to its callback.
///
/// Buffers are interleaved frames in the stream's sample format. `output`
/// must be filled completely: the host plays whatever it holds.
#[derive(Debug)]
pub struct Block<'a> {
    /// Captured frames, `frames * input frame size` bytes; `None` for an
    /// output-only stream.
    pub input: Option<&'a [u8]>,
    /// Frames to play, `frames * output frame size` bytes; `None` for an
    /// input-only stream.
    pub output: Option<&'a mut [u8]>,
    /// Number of frames in the block.
    pub frames: usize,
    /// Timestamps of the block.
    pub time: TimeInfo,
    /// Xrun and priming flags since the previous block.
    pub status: StatusFlags,
}

/// Code a host runs on its real-time thread, once per block.
pub(crate) trait AudioCallback: Any + Send {
    /// Processes one block. Called on the audio thread; must follow the
    /// real-time rules of the [module docs](self).
    fn process(&mut self, block: Block<'_>) -> CallbackResult;

    /// Whether a block of `frames` frames can be processed without starving
    /// or overfilling the callback's buffers.
    ///
    /// Hosts with a real clock never ask. A host that runs as fast as it can
    /// (the virtual device's free-running clock) waits, outside the
    /// callback, until this returns true, so that it paces itself to the
    /// threads that feed and drain the callback's ring buffers.
    fn ready(&self, frames: usize) -> bool {
        let _ = frames;
        true
    }

    /// Whether the callback was asked to end and would end with its next
    /// block: a host that waits a long time between blocks (the virtual
    /// device at a very low sample rate) may call it early.
    fn wants_to_end(&self) -> bool {
        false
    }
}

/// Runs `callback` on `block`, inside `guard` if there is one (a guard is a
/// function that wraps every callback, e.g. to forbid allocation in tests).
pub(crate) fn run_guarded(
    guard: Option<fn(&mut dyn FnMut())>,
    callback: &mut dyn AudioCallback,
    block: Block<'_>,
) -> CallbackResult {
    let mut block = Some(block);
    let mut result = CallbackResult::Abort;
    let mut call = || {
        if let Some(b) = block.take() {
            result = callback.process(b);
        }
    };
    match guard {
        Some(g) => g(&mut call),
        None => call(),
    }
    result
}
