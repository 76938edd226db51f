//! Scheduled actions, as python-rtmixer has them: buffers and ring
//! buffers played and recorded at exact stream times or frame positions,
//! decided on an ordinary thread and carried out inside the real-time
//! callback.
//!
//! [`mixer`] makes the two ends: a [`MixerControl`], the program's side,
//! which checks and sends actions and collects them when they are done,
//! and a [`MixerCore`], which runs in the callback. Actions travel through
//! a bounded lock-free queue whose size is chosen up front: the program
//! may have at most that many actions live (sent and not yet collected),
//! a further one is refused at once ([`MixerError::QueueFull`]), and
//! neither queue can ever fill in the callback. Finished actions, with the
//! buffers and rings they own, come back through a second queue and are
//! freed on the program's thread. The streams of
//! [`stream::mixer`](crate::stream::mixer) put the two ends around a
//! stream; the core can also be driven by hand (the benchmarks do).
//!
//! # Timing
//!
//! Each block, an action not yet started is compared with the block: a
//! [`Start::Frame`] with the block's first frame (the run's frame counter,
//! as [`Stream::frame_count`](crate::Stream::frame_count) counts it), a
//! [`Start::Time`] with the block's timestamp on the stream clock, the
//! output's DAC time for play actions, the input's ADC time for record
//! actions, the current time for cancels and statistics. The action's
//! offset into the block is the rounded difference in frames. An offset
//! past the block waits for a later block; one before the block makes the
//! action late: it starts at the block's first frame when it allows it to
//! be belated, and is dropped, unplayed, when not. Frame positions are
//! exact on every host. Block times are the host's timestamps smoothed
//! against the frame counter, so that a host whose timestamps jitter by a
//! few frames (PortAudio's JACK host reads the clock when the callback
//! runs) still maps every time to the same frame; a host that gives no
//! timestamps at all (zeros, on some ALSA setups) can only schedule by
//! frame.
//!
//! Play actions are summed into the block, which starts silent, in the
//! order they were sent; the mixer does not clip.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::callback::StatusFlags;

mod action;
mod clock;
mod control;
mod core;
#[cfg(test)]
mod tests;

use clock::Smoothed;

pub use action::Action;
pub use control::MixerControl;
pub use core::MixerCore;

/// When an action starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Start {
    /// With the first block that sees it.
    Now,
    /// At this time on the stream clock, in seconds (see
    /// [`Stream::time`](crate::Stream::time)).
    Time(f64),
    /// At this frame of the run (see
    /// [`Stream::frame_count`](crate::Stream::frame_count)).
    Frame(u64),
}

/// Which device channels an action plays to or records from.
///
/// # Examples
///
/// ```
/// use pastream::rt::mixer::Channels;
///
/// // The first two channels, or channels 3 and 1 (1-based), in that order.
/// assert_eq!(Channels::from(2), Channels::Count(2));
/// assert_eq!(Channels::from([3, 1]), Channels::Map(vec![3, 1]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Channels {
    /// Channels 1 to N.
    Count(usize),
    /// The device channel (1-based) of each of the action's channels.
    Map(Vec<usize>),
}

impl From<usize> for Channels {
    fn from(n: usize) -> Channels {
        Channels::Count(n)
    }
}

impl From<Vec<usize>> for Channels {
    fn from(m: Vec<usize>) -> Channels {
        Channels::Map(m)
    }
}

impl From<&[usize]> for Channels {
    fn from(m: &[usize]) -> Channels {
        Channels::Map(m.to_vec())
    }
}

impl<const N: usize> From<[usize; N]> for Channels {
    fn from(m: [usize; N]) -> Channels {
        Channels::Map(m.to_vec())
    }
}

impl Channels {
    /// The 0-based device channels, checked against a device of `device`
    /// channels.
    fn to_map(&self, device: usize) -> Result<Box<[usize]>, MixerError> {
        let map: Vec<usize> = match self {
            Channels::Count(n) => (1..=*n).collect(),
            Channels::Map(m) => m.clone(),
        };
        if map.is_empty() {
            return Err(MixerError::Channels(
                "an action needs at least one channel".into(),
            ));
        }
        if map.contains(&0) {
            return Err(MixerError::Channels("channel numbers start with 1".into()));
        }
        if let Some(&c) = map.iter().find(|&&c| c > device) {
            return Err(MixerError::Channels(format!(
                "channel {c} is past the stream's {device} channels"
            )));
        }
        Ok(map.into_iter().map(|c| c - 1).collect())
    }
}

/// What happens when a ring buffer action's ring cannot give (play) or
/// take (record) a whole block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shortfall {
    /// That block moves what it can and the action ends (python-rtmixer's
    /// rule).
    #[default]
    End,
    /// The action goes on: missing playback is silence, recorded frames
    /// with no room are dropped; both are counted
    /// ([`Action::missed_frames`]).
    Continue,
}

/// What an action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// Plays a buffer.
    PlayBuffer,
    /// Plays from a ring buffer.
    PlayRingbuffer,
    /// Records into a buffer.
    RecordBuffer,
    /// Records into a ring buffer.
    RecordRingbuffer,
    /// Stops another action.
    Cancel,
    /// Takes the stream's statistics and resets them.
    FetchAndResetStats,
}

impl ActionKind {
    fn plays(self) -> bool {
        matches!(self, ActionKind::PlayBuffer | ActionKind::PlayRingbuffer)
    }

    fn records(self) -> bool {
        matches!(
            self,
            ActionKind::RecordBuffer | ActionKind::RecordRingbuffer
        )
    }
}

/// Where an action is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ActionState {
    /// Sent; its start has not come.
    Queued = 0,
    /// Playing or recording.
    Running = 1,
    /// Done: all its frames, or its ring ended it.
    Finished = 2,
    /// Stopped early by a cancel (possibly before it started).
    Cancelled = 3,
    /// Late and not allowed to be belated: never started.
    Dropped = 4,
}

impl ActionState {
    fn from_u8(v: u8) -> ActionState {
        match v {
            1 => ActionState::Running,
            2 => ActionState::Finished,
            3 => ActionState::Cancelled,
            4 => ActionState::Dropped,
            _ => ActionState::Queued,
        }
    }

    /// Whether the action will do nothing more.
    pub fn is_over(self) -> bool {
        matches!(
            self,
            ActionState::Finished | ActionState::Cancelled | ActionState::Dropped
        )
    }
}

/// Block and xrun statistics, of a stream or of one action (the blocks in
/// which it was active).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MixerStats {
    /// Blocks.
    pub blocks: u64,
    /// The smallest block, in frames (0 before any).
    pub min_blocksize: u64,
    /// The largest block, in frames.
    pub max_blocksize: u64,
    /// Blocks flagged input underflow.
    pub input_underflows: u64,
    /// Blocks flagged input overflow.
    pub input_overflows: u64,
    /// Blocks flagged output underflow.
    pub output_underflows: u64,
    /// Blocks flagged output overflow.
    pub output_overflows: u64,
}

impl MixerStats {
    fn count(&mut self, frames: usize, status: StatusFlags) {
        let frames = frames as u64;
        self.min_blocksize = if self.blocks == 0 {
            frames
        } else {
            self.min_blocksize.min(frames)
        };
        self.max_blocksize = self.max_blocksize.max(frames);
        self.blocks += 1;
        for (flag, n) in [
            (StatusFlags::INPUT_UNDERFLOW, &mut self.input_underflows),
            (StatusFlags::INPUT_OVERFLOW, &mut self.input_overflows),
            (StatusFlags::OUTPUT_UNDERFLOW, &mut self.output_underflows),
            (StatusFlags::OUTPUT_OVERFLOW, &mut self.output_overflows),
        ] {
            if status.contains(flag) {
                *n += 1;
            }
        }
    }
}

/// [`MixerStats`] in atomics, written by the callback.
#[derive(Debug, Default)]
struct SharedStats([AtomicU64; 7]);

impl SharedStats {
    fn store(&self, s: &MixerStats) {
        let v = [
            s.blocks,
            s.min_blocksize,
            s.max_blocksize,
            s.input_underflows,
            s.input_overflows,
            s.output_underflows,
            s.output_overflows,
        ];
        for (a, v) in self.0.iter().zip(v) {
            a.store(v, Ordering::Relaxed);
        }
    }

    fn load(&self) -> MixerStats {
        let v: [u64; 7] = std::array::from_fn(|i| self.0[i].load(Ordering::Relaxed));
        MixerStats {
            blocks: v[0],
            min_blocksize: v[1],
            max_blocksize: v[2],
            input_underflows: v[3],
            input_overflows: v[4],
            output_underflows: v[5],
            output_overflows: v[6],
        }
    }
}

/// An action's errors at the caller: nothing is sent.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum MixerError {
    /// As many actions are live as the queue holds.
    #[error(
        "the action queue is full ({capacity} actions live): wait for some to finish, or open the mixer with a larger queue"
    )]
    QueueFull {
        /// The queue's size.
        capacity: usize,
    },
    /// The channels do not fit the stream.
    #[error("{0}")]
    Channels(String),
    /// The buffer or ring does not fit the action's channels.
    #[error("{0}")]
    Buffer(String),
    /// The stream has no input (a record action) or no output (a play
    /// action).
    #[error("the stream has no {0}")]
    Direction(&'static str),
    /// A start time that is not a number.
    #[error("the start time {0} is not a time")]
    Time(f64),
    /// The stream is not running: the actions it holds cannot finish.
    #[error("the stream is not running: its actions cannot finish")]
    NotRunning,
}

/// Makes a mixer's two ends: the program's [`MixerControl`] and the
/// callback's [`MixerCore`], for a stream of `input_channels` and
/// `output_channels` float32 channels at `samplerate`, with room for
/// `capacity` live actions (at least 1).
pub fn mixer(
    input_channels: usize,
    output_channels: usize,
    samplerate: f64,
    capacity: usize,
) -> (MixerControl, MixerCore) {
    let capacity = capacity.max(1);
    let (to_core, from_control) = rtrb::RingBuffer::new(capacity);
    let (to_control, from_core) = rtrb::RingBuffer::new(capacity);
    let pending = Arc::new(AtomicUsize::new(0));
    let stats = Arc::new(SharedStats::default());
    let frames = Arc::new(AtomicU64::new(0));
    (
        MixerControl {
            queue: to_core,
            results: from_core,
            live: Vec::with_capacity(capacity),
            capacity,
            next_id: 1,
            input_channels,
            output_channels,
            pending: pending.clone(),
            stats: stats.clone(),
            frames: frames.clone(),
        },
        MixerCore {
            queue: from_control,
            results: to_control,
            active: Vec::with_capacity(capacity),
            input_channels,
            output_channels,
            samplerate,
            stats: MixerStats::default(),
            shared_stats: stats,
            pending,
            frames,
            clocks: [Smoothed::default(); 3],
        },
    )
}
