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

use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::callback::{CallbackResult, StatusFlags};
use super::ring::{Consumer, Producer};
use super::user::CallbackInfo;
use crate::sample::SampleFormat;

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

/// What an action carries and gives back.
#[derive(Debug)]
enum Payload {
    Play(Arc<[f32]>),
    Record(Vec<f32>),
    PlayRing(Consumer),
    RecordRing(Producer),
    Cancel(u64),
    Stats,
}

/// What an action gives back when it is collected.
#[derive(Debug)]
enum Returned {
    Nothing,
    Recording(Vec<f32>),
    Consumer(Consumer),
    Producer(Producer),
}

const NOT_SET: u64 = u64::MAX;

/// The state of an action that its handle and the callback share.
#[derive(Debug)]
struct Shared {
    id: u64,
    kind: ActionKind,
    start: Start,
    allow_belated: bool,
    channels: usize,
    map: Box<[usize]>,
    state: AtomicU8,
    actual_time: AtomicU64,
    start_frame: AtomicU64,
    done_frames: AtomicU64,
    total_frames: AtomicU64,
    missed_frames: AtomicU64,
    stats: SharedStats,
    /// Set on the program's side when the action came back.
    returned: Mutex<Option<Returned>>,
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
pub struct Action(Arc<Shared>);

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

    fn take_returned(&self) -> Option<Returned> {
        let mut r = self.0.returned.lock().ok()?;
        match r.take() {
            Some(Returned::Nothing) | None => {
                *r = Some(Returned::Nothing);
                None
            }
            Some(x) => {
                *r = Some(Returned::Nothing);
                Some(x)
            }
        }
    }

    /// A record buffer action's buffer, once it is over and collected
    /// (frames past [`done_frames`](Self::done_frames) are as they were
    /// given); `None` before, for other kinds, and once taken.
    pub fn take_recording(&self) -> Option<Vec<f32>> {
        match self.take_returned()? {
            Returned::Recording(v) => Some(v),
            other => {
                self.put_back(other);
                None
            }
        }
    }

    /// A play ring buffer action's ring, once it is over and collected.
    pub fn take_consumer(&self) -> Option<Consumer> {
        match self.take_returned()? {
            Returned::Consumer(c) => Some(c),
            other => {
                self.put_back(other);
                None
            }
        }
    }

    /// A record ring buffer action's ring, once it is over and collected.
    pub fn take_producer(&self) -> Option<Producer> {
        match self.take_returned()? {
            Returned::Producer(p) => Some(p),
            other => {
                self.put_back(other);
                None
            }
        }
    }

    fn put_back(&self, r: Returned) {
        if let Ok(mut slot) = self.0.returned.lock() {
            *slot = Some(r);
        }
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
struct Order {
    kind: ActionKind,
    payload: Payload,
    map: Box<[usize]>,
    start: Start,
    allow_belated: bool,
    shortfall: Shortfall,
    total: u64,
}

/// An action on its way: the handle's shared state, what it carries, and
/// where it is in the run.
#[derive(Debug)]
struct Job {
    shared: Arc<Shared>,
    payload: Payload,
    shortfall: Shortfall,
    /// The run's frame at which it starts, once known.
    begin: Option<u64>,
    /// The run's frame at which a cancel stops it.
    end: Option<u64>,
    done: u64,
    /// Frames of its buffer; `NOT_SET` for rings.
    total: u64,
    missed: u64,
    stats: MixerStats,
    state: ActionState,
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

/// The program's end of a mixer: sends actions, collects them when done.
#[derive(Debug)]
pub struct MixerControl {
    queue: rtrb::Producer<Job>,
    results: rtrb::Consumer<Job>,
    live: Vec<Action>,
    capacity: usize,
    next_id: u64,
    input_channels: usize,
    output_channels: usize,
    pending: Arc<AtomicUsize>,
    stats: Arc<SharedStats>,
    frames: Arc<AtomicU64>,
}

impl MixerControl {
    /// How many actions may be live at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether the callback has actions to carry out (sent and not over):
    /// a free-running host waits while it has none.
    pub fn has_work(&self) -> bool {
        self.pending.load(Ordering::Acquire) > 0
    }

    /// A handle on [`has_work`](Self::has_work) for another thread.
    pub(crate) fn work(&self) -> Arc<AtomicUsize> {
        self.pending.clone()
    }

    /// The first frame of the latest block the callback ran.
    pub fn frame(&self) -> u64 {
        self.frames.load(Ordering::Acquire)
    }

    /// The stream's statistics as the callback last left them.
    pub fn stats(&self) -> MixerStats {
        self.stats.load()
    }

    /// Takes back the actions that are over, freeing what they carried
    /// (or keeping it for [`Action::take_recording`] and the like);
    /// returns how many came back.
    pub fn collect(&mut self) -> usize {
        let mut n = 0;
        while let Ok(job) = self.results.pop() {
            n += 1;
            let returned = match job.payload {
                Payload::Record(v) => Returned::Recording(v),
                Payload::PlayRing(c) => Returned::Consumer(c),
                Payload::RecordRing(p) => Returned::Producer(p),
                Payload::Play(_) | Payload::Cancel(_) | Payload::Stats => Returned::Nothing,
            };
            if let Ok(mut slot) = job.shared.returned.lock() {
                *slot = Some(returned);
            }
            self.live.retain(|a| a.0.id != job.shared.id);
        }
        n
    }

    /// The live actions: sent and not yet collected (collects first).
    pub fn actions(&mut self) -> Vec<Action> {
        self.collect();
        self.live.clone()
    }

    fn send(&mut self, order: Order) -> Result<Action, MixerError> {
        let Order {
            kind,
            payload,
            map,
            start,
            allow_belated,
            shortfall,
            total,
        } = order;
        if let Start::Time(t) = start
            && !t.is_finite()
        {
            return Err(MixerError::Time(t));
        }
        self.collect();
        if self.live.len() >= self.capacity {
            return Err(MixerError::QueueFull {
                capacity: self.capacity,
            });
        }
        let shared = Arc::new(Shared {
            id: self.next_id,
            kind,
            start,
            allow_belated,
            channels: map.len(),
            map,
            state: AtomicU8::new(ActionState::Queued as u8),
            actual_time: AtomicU64::new(NOT_SET),
            start_frame: AtomicU64::new(NOT_SET),
            done_frames: AtomicU64::new(0),
            total_frames: AtomicU64::new(total),
            missed_frames: AtomicU64::new(0),
            stats: SharedStats::default(),
            returned: Mutex::new(None),
        });
        self.next_id += 1;
        let job = Job {
            shared: shared.clone(),
            payload,
            shortfall,
            begin: None,
            end: None,
            done: 0,
            total,
            missed: 0,
            stats: MixerStats::default(),
            state: ActionState::Queued,
        };
        self.pending.fetch_add(1, Ordering::AcqRel);
        if self.queue.push(job).is_err() {
            // Never: the queue holds as many jobs as may be live.
            self.pending.fetch_sub(1, Ordering::AcqRel);
            return Err(MixerError::QueueFull {
                capacity: self.capacity,
            });
        }
        let action = Action(shared);
        self.live.push(action.clone());
        Ok(action)
    }

    fn needs(&self, output: bool) -> Result<usize, MixerError> {
        match (output, self.output_channels, self.input_channels) {
            (true, 0, _) => Err(MixerError::Direction("output")),
            (false, _, 0) => Err(MixerError::Direction("input")),
            (true, n, _) | (false, _, n) => Ok(n),
        }
    }

    /// Plays `buffer` (interleaved float32 frames of the action's
    /// channels) on `channels` from `start`. The buffer is shared, never
    /// written: send one `Arc` to play it many times.
    ///
    /// # Errors
    ///
    /// [`MixerError`]: the queue is full, the channels do not fit the
    /// stream, the buffer is not whole frames, the stream has no output.
    pub fn play_buffer(
        &mut self,
        buffer: impl Into<Arc<[f32]>>,
        channels: impl Into<Channels>,
        start: Start,
        allow_belated: bool,
    ) -> Result<Action, MixerError> {
        let device = self.needs(true)?;
        let map = channels.into().to_map(device)?;
        let buffer = buffer.into();
        let frames = whole_frames(buffer.len(), map.len())?;
        self.send(Order {
            kind: ActionKind::PlayBuffer,
            payload: Payload::Play(buffer),
            map,
            start,
            allow_belated,
            shortfall: Shortfall::End,
            total: frames,
        })
    }

    /// Records into `buffer` (interleaved float32 frames of the action's
    /// channels) from `channels` from `start`, until it is full. The
    /// buffer comes back with [`Action::take_recording`].
    ///
    /// # Errors
    ///
    /// As [`play_buffer`](Self::play_buffer); the stream has no input.
    pub fn record_buffer(
        &mut self,
        buffer: Vec<f32>,
        channels: impl Into<Channels>,
        start: Start,
        allow_belated: bool,
    ) -> Result<Action, MixerError> {
        let device = self.needs(false)?;
        let map = channels.into().to_map(device)?;
        let frames = whole_frames(buffer.len(), map.len())?;
        self.send(Order {
            kind: ActionKind::RecordBuffer,
            payload: Payload::Record(buffer),
            map,
            start,
            allow_belated,
            shortfall: Shortfall::End,
            total: frames,
        })
    }

    /// Plays what `ring` holds, on `channels` (by default, as many as the
    /// ring's frames have), from `start`, until it runs short (see
    /// [`Shortfall`]). The ring comes back with
    /// [`Action::take_consumer`].
    ///
    /// # Errors
    ///
    /// As [`play_buffer`](Self::play_buffer); the ring's elements are not
    /// frames of float32 samples of the action's channels.
    pub fn play_ringbuffer(
        &mut self,
        ring: Consumer,
        channels: Option<Channels>,
        start: Start,
        allow_belated: bool,
        shortfall: Shortfall,
    ) -> Result<Action, MixerError> {
        let device = self.needs(true)?;
        let map = ring_channels(ring.format(), ring.element_size(), channels)?.to_map(device)?;
        self.send(Order {
            kind: ActionKind::PlayRingbuffer,
            payload: Payload::PlayRing(ring),
            map,
            start,
            allow_belated,
            shortfall,
            total: NOT_SET,
        })
    }

    /// Records into `ring` from `channels` (by default, as many as the
    /// ring's frames have) from `start`, until it is full (see
    /// [`Shortfall`]). The ring comes back with
    /// [`Action::take_producer`].
    ///
    /// # Errors
    ///
    /// As [`play_ringbuffer`](Self::play_ringbuffer); the stream has no
    /// input.
    pub fn record_ringbuffer(
        &mut self,
        ring: Producer,
        channels: Option<Channels>,
        start: Start,
        allow_belated: bool,
        shortfall: Shortfall,
    ) -> Result<Action, MixerError> {
        let device = self.needs(false)?;
        let map = ring_channels(ring.format(), ring.element_size(), channels)?.to_map(device)?;
        self.send(Order {
            kind: ActionKind::RecordRingbuffer,
            payload: Payload::RecordRing(ring),
            map,
            start,
            allow_belated,
            shortfall,
            total: NOT_SET,
        })
    }

    /// Stops `action` at `time`, to the frame: an action that has not
    /// started by then never starts. This is an action of its own; it
    /// returns before the stop.
    ///
    /// # Errors
    ///
    /// [`MixerError::QueueFull`].
    pub fn cancel(
        &mut self,
        action: &Action,
        time: Start,
        allow_belated: bool,
    ) -> Result<Action, MixerError> {
        self.send(Order {
            kind: ActionKind::Cancel,
            payload: Payload::Cancel(action.id()),
            map: Box::new([]),
            start: time,
            allow_belated,
            shortfall: Shortfall::End,
            total: 0,
        })
    }

    /// At `time`, takes the stream's statistics into the returned
    /// action's [`stats`](Action::stats) and starts them again from zero.
    ///
    /// # Errors
    ///
    /// [`MixerError::QueueFull`].
    pub fn fetch_and_reset_stats(
        &mut self,
        time: Start,
        allow_belated: bool,
    ) -> Result<Action, MixerError> {
        self.send(Order {
            kind: ActionKind::FetchAndResetStats,
            payload: Payload::Stats,
            map: Box::new([]),
            start: time,
            allow_belated,
            shortfall: Shortfall::End,
            total: 0,
        })
    }
}

fn whole_frames(samples: usize, channels: usize) -> Result<u64, MixerError> {
    if samples % channels != 0 {
        return Err(MixerError::Buffer(format!(
            "a buffer of {samples} samples is not whole frames of {channels} channels"
        )));
    }
    Ok((samples / channels) as u64)
}

fn ring_channels(
    format: Option<SampleFormat>,
    element_size: usize,
    channels: Option<Channels>,
) -> Result<Channels, MixerError> {
    if format.is_some_and(|f| f != SampleFormat::F32) || element_size % 4 != 0 {
        return Err(MixerError::Buffer(
            "the ring's elements are not float32 frames".into(),
        ));
    }
    let frame = element_size / 4;
    let channels = channels.unwrap_or(Channels::Count(frame));
    let n = match &channels {
        Channels::Count(n) => *n,
        Channels::Map(m) => m.len(),
    };
    if n != frame {
        return Err(MixerError::Buffer(format!(
            "incompatible element size: the ring's frames have {frame} channels, the action {n}"
        )));
    }
    Ok(channels)
}

/// A host's block timestamps, smoothed against the frame counter.
///
/// Some hosts read the clock when the callback runs (PortAudio's JACK
/// host does): their block times jitter by some frames, and times would
/// map to frames a few frames apart from block to block. The frame
/// counter is exact; the host's time less the counter's time is a phase
/// that moves only as the two clocks drift apart. It is followed by a
/// straight line fitted to the first blocks, then by a second-order loop:
/// jitter filtered out, drift followed. A jump larger than a block (an
/// xrun, a clock that was reset) starts it again from the host's time. On
/// a host whose timestamps are exact, the smoothed times are the host's.
#[derive(Clone, Copy, Debug, Default)]
struct Smoothed {
    /// The phase at `last_frame` and its change per frame, in seconds.
    phase: f64,
    drift: f64,
    last_frame: u64,
    /// The frame the fit counts from, and its sums: blocks, x, y, xy, xx.
    origin: u64,
    sums: [f64; 5],
    locked: bool,
}

impl Smoothed {
    /// Blocks fitted before the loop takes over.
    const FIT_BLOCKS: f64 = 500.0;
    /// The loop's phase gain per block (a time constant of 500 blocks),
    /// and its drift gain (critically damped: half the square).
    const PHASE_GAIN: f64 = 1.0 / Self::FIT_BLOCKS;
    const DRIFT_GAIN: f64 = Self::PHASE_GAIN * Self::PHASE_GAIN / 2.0;

    /// The smoothed time of the block at `frame` (of `frames` frames)
    /// whose host time is `host`.
    fn time(&mut self, host: f64, frame: u64, frames: usize, rate: f64) -> f64 {
        let nominal = frame as f64 / rate;
        let phase = host - nominal;
        let step = frame.saturating_sub(self.last_frame) as f64;
        let predicted = self.phase + self.drift * step;
        let error = phase - predicted;
        let limit = (frames as f64 / rate).max(0.002);
        let reset = !self.locked || frame == 0 || frame < self.last_frame;
        if reset || !error.is_finite() || error.abs() > limit {
            *self = Smoothed {
                phase,
                last_frame: frame,
                origin: frame,
                sums: [1.0, 0.0, phase, 0.0, 0.0],
                locked: phase.is_finite(),
                ..Smoothed::default()
            };
            return host;
        }
        if self.sums[0] < Self::FIT_BLOCKS {
            let x = (frame - self.origin) as f64;
            let [n, sx, sy, sxy, sxx] = &mut self.sums;
            *n += 1.0;
            *sx += x;
            *sy += phase;
            *sxy += x * phase;
            *sxx += x * x;
            let d = *n * *sxx - *sx * *sx;
            self.drift = if d > 0.0 {
                (*n * *sxy - *sx * *sy) / d
            } else {
                0.0
            };
            self.phase = (*sy - self.drift * *sx) / *n + self.drift * x;
        } else {
            self.phase = predicted + Self::PHASE_GAIN * error;
            if step > 0.0 {
                self.drift += Self::DRIFT_GAIN * error / step;
            }
        }
        self.last_frame = frame;
        nominal + self.phase
    }
}

/// The callback's end of a mixer: carries out the actions, once per
/// block, under the [real-time rules](super).
#[derive(Debug)]
pub struct MixerCore {
    queue: rtrb::Consumer<Job>,
    results: rtrb::Producer<Job>,
    /// Running and waiting actions, in the order they were sent.
    active: Vec<Job>,
    input_channels: usize,
    output_channels: usize,
    samplerate: f64,
    stats: MixerStats,
    shared_stats: Arc<SharedStats>,
    pending: Arc<AtomicUsize>,
    frames: Arc<AtomicU64>,
    /// The input's ADC time, the current time, the output's DAC time.
    clocks: [Smoothed; 3],
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
            let t = now;
            let Some(at) = self.begin(i, t, first, frames) else {
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
                    &mut output[lo * och..],
                    och,
                );
                job.done += n as u64;
                ended = job.done == job.total;
            }
            Payload::Record(buf) => {
                let left = (job.total - job.done) as usize;
                let n = wanted.min(left);
                let start = job.done as usize * nch;
                gather(
                    &input[lo * ich..],
                    ich,
                    map,
                    &mut buf[start..start + n * nch],
                );
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
                mix(fa, map, &mut output[lo * och..], och);
                mix(fb, map, &mut output[(lo + na) * och..], och);
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
                    gather(&input[lo * ich..], ich, map, fa);
                    gather(&input[(lo + na) * ich..], ich, map, fb);
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

/// Adds `src` (frames of `map.len()` channels) into `out` (frames of
/// `och` channels), channel `c` of `src` to channel `map[c]`.
fn mix(src: &[f32], map: &[usize], out: &mut [f32], och: usize) {
    for (frame, o) in src.chunks_exact(map.len()).zip(out.chunks_exact_mut(och)) {
        for (&s, &to) in frame.iter().zip(map) {
            o[to] += s;
        }
    }
}

/// Copies channel `map[c]` of `input` (frames of `ich` channels) into
/// channel `c` of `dst`, for as many frames as `dst` holds.
fn gather(input: &[f32], ich: usize, map: &[usize], dst: &mut [f32]) {
    for (d, i) in dst.chunks_exact_mut(map.len()).zip(input.chunks_exact(ich)) {
        for (s, &from) in d.iter_mut().zip(map) {
            *s = i[from];
        }
    }
}
