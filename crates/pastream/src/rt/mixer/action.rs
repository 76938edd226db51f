//! An action: what the program's handle and the callback share, and the
//! job the callback carries out.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{ActionKind, ActionState, MixerStats, SharedStats, Shortfall, Start};
use crate::rt::ring::{Consumer, Producer};

/// What an action carries and gives back.
#[derive(Debug)]
pub(super) enum Payload {
    Play(Arc<[f32]>),
    Record(Vec<f32>),
    PlayRing(Consumer),
    RecordRing(Producer),
    Cancel(u64),
    Stats,
}

impl Payload {
    /// What an action carrying this does.
    pub(super) fn kind(&self) -> ActionKind {
        match self {
            Payload::Play(_) => ActionKind::PlayBuffer,
            Payload::Record(_) => ActionKind::RecordBuffer,
            Payload::PlayRing(_) => ActionKind::PlayRingbuffer,
            Payload::RecordRing(_) => ActionKind::RecordRingbuffer,
            Payload::Cancel(_) => ActionKind::Cancel,
            Payload::Stats => ActionKind::FetchAndResetStats,
        }
    }
}

/// What an action gives back when it is collected.
#[derive(Debug)]
pub(super) enum Returned {
    Nothing,
    Recording(Vec<f32>),
    Consumer(Consumer),
    Producer(Producer),
}

pub(super) const NOT_SET: u64 = u64::MAX;

/// The state of an action that its handle and the callback share.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) id: u64,
    pub(super) kind: ActionKind,
    pub(super) start: Start,
    pub(super) allow_belated: bool,
    pub(super) channels: usize,
    pub(super) map: Box<[usize]>,
    pub(super) state: AtomicU8,
    pub(super) actual_time: AtomicU64,
    pub(super) start_frame: AtomicU64,
    pub(super) done_frames: AtomicU64,
    pub(super) total_frames: AtomicU64,
    pub(super) missed_frames: AtomicU64,
    pub(super) stats: SharedStats,
    /// Set on the program's side when the action came back.
    pub(super) returned: Mutex<Option<Returned>>,
}

/// A handle on a sent action: where it is, and what it did. Clones share
/// the action.
///
/// # Examples
///
/// ```
/// use pastream::rt::mixer::{mixer, ActionState, Start};
/// use pastream::{CallbackInfo, StatusFlags, TimeInfo};
///
/// let (mut control, mut core) = mixer(0, 1, 48000.0, 16);
/// let action = control.play_buffer(vec![0.5f32; 10], 1, Start::Frame(4), true)?;
/// assert_eq!(action.state(), ActionState::Queued);
///
/// // One block of 16 frames, as a host would run it.
/// let mut out = [0f32; 16];
/// let info = CallbackInfo { frames: 16, start_frame: 0, time: TimeInfo::default(), status: StatusFlags::NONE };
/// core.process(&[], &mut out, &info);
/// assert_eq!(out[3], 0.0);
/// assert_eq!(out[4..14], [0.5; 10]);
///
/// control.collect();
/// assert_eq!(action.state(), ActionState::Finished);
/// assert_eq!((action.start_frame(), action.done_frames()), (Some(4), 10));
/// # Ok::<(), pastream::rt::mixer::MixerError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Action(pub(super) Arc<Shared>);

impl PartialEq for Action {
    fn eq(&self, other: &Action) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Action {}

impl std::hash::Hash for Action {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.id.hash(h);
    }
}

impl Action {
    /// The action's number, unique in its mixer.
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// What it does.
    pub fn kind(&self) -> ActionKind {
        self.0.kind
    }

    /// When it was asked to start.
    pub fn requested_start(&self) -> Start {
        self.0.start
    }

    /// Whether it may start late.
    pub fn allow_belated(&self) -> bool {
        self.0.allow_belated
    }

    /// Its channel count.
    pub fn channels(&self) -> usize {
        self.0.channels
    }

    /// The device channels it plays to or records from (1-based).
    pub fn mapping(&self) -> Vec<usize> {
        self.0.map.iter().map(|c| c + 1).collect()
    }

    /// Where it is. An action is [over](ActionState::is_over) only once
    /// its mixer collected it: its buffer or ring is then back.
    pub fn state(&self) -> ActionState {
        let s = ActionState::from_u8(self.0.state.load(Ordering::Acquire));
        if s.is_over() && !self.is_collected() {
            ActionState::Running
        } else {
            s
        }
    }

    fn is_collected(&self) -> bool {
        self.0.returned.lock().map(|r| r.is_some()).unwrap_or(true)
    }

    /// The stream time at which it took effect (its first frame's time),
    /// or `None` before that and when it was dropped.
    pub fn actual_time(&self) -> Option<f64> {
        match self.0.actual_time.load(Ordering::Acquire) {
            NOT_SET => None,
            t => Some(f64::from_bits(t)),
        }
    }

    /// The frame of the run at which it took effect.
    pub fn start_frame(&self) -> Option<u64> {
        match self.0.start_frame.load(Ordering::Acquire) {
            NOT_SET => None,
            f => Some(f),
        }
    }

    /// Frames played or recorded so far.
    pub fn done_frames(&self) -> u64 {
        self.0.done_frames.load(Ordering::Acquire)
    }

    /// Frames it will take: the buffer's length, fewer when cancelled;
    /// `None` for a ring buffer action still running.
    pub fn total_frames(&self) -> Option<u64> {
        match self.0.total_frames.load(Ordering::Acquire) {
            NOT_SET => None,
            f => Some(f),
        }
    }

    /// Frames a ring buffer action with [`Shortfall::Continue`] played as
    /// silence or could not record.
    pub fn missed_frames(&self) -> u64 {
        self.0.missed_frames.load(Ordering::Acquire)
    }

    /// The blocks in which it was active; for a
    /// [`FetchAndResetStats`](ActionKind::FetchAndResetStats) action, the
    /// stream's statistics it fetched.
    pub fn stats(&self) -> MixerStats {
        self.0.stats.load()
    }

    /// What the action gave back, if `pick` wants it: taken under one
    /// lock, left in place otherwise (and while it is not collected).
    fn take<T>(&self, pick: impl FnOnce(Returned) -> Result<T, Returned>) -> Option<T> {
        let mut slot = self.0.returned.lock().ok()?;
        match pick(slot.take()?) {
            Ok(v) => {
                *slot = Some(Returned::Nothing);
                Some(v)
            }
            Err(back) => {
                *slot = Some(back);
                None
            }
        }
    }

    /// A record buffer action's buffer, once it is over and collected
    /// (frames past [`done_frames`](Self::done_frames) are as they were
    /// given); `None` before, for other kinds, and once taken.
    pub fn take_recording(&self) -> Option<Vec<f32>> {
        self.take(|r| match r {
            Returned::Recording(v) => Ok(v),
            other => Err(other),
        })
    }

    /// A play ring buffer action's ring, once it is over and collected.
    pub fn take_consumer(&self) -> Option<Consumer> {
        self.take(|r| match r {
            Returned::Consumer(c) => Ok(c),
            other => Err(other),
        })
    }

    /// A record ring buffer action's ring, once it is over and collected.
    pub fn take_producer(&self) -> Option<Producer> {
        self.take(|r| match r {
            Returned::Producer(p) => Ok(p),
            other => Err(other),
        })
    }

    /// The frames it still has to go when known: to its start (by frame)
    /// and through its buffer. For waiting.
    pub(crate) fn frames_to_go(&self, now: u64) -> Option<u64> {
        let total = self.total_frames()?;
        let left = total.saturating_sub(self.done_frames());
        match (self.start_frame(), self.0.start) {
            (Some(_), _) => Some(left),
            (None, Start::Frame(f)) => Some(f.saturating_sub(now) + left),
            (None, _) => None,
        }
    }
}

/// An action to send, as checked.
pub(super) struct Order {
    pub(super) payload: Payload,
    pub(super) map: Box<[usize]>,
    pub(super) start: Start,
    pub(super) allow_belated: bool,
    pub(super) shortfall: Shortfall,
    pub(super) total: u64,
}

/// An action on its way: the handle's shared state, what it carries, and
/// where it is in the run.
#[derive(Debug)]
pub(super) struct Job {
    pub(super) shared: Arc<Shared>,
    pub(super) payload: Payload,
    pub(super) shortfall: Shortfall,
    /// The run's frame at which it starts, once known.
    pub(super) begin: Option<u64>,
    /// The run's frame at which a cancel stops it.
    pub(super) end: Option<u64>,
    pub(super) done: u64,
    /// Frames of its buffer; `NOT_SET` for rings.
    pub(super) total: u64,
    pub(super) missed: u64,
    pub(super) stats: MixerStats,
    pub(super) state: ActionState,
}
