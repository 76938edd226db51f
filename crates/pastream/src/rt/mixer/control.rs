//! The program's end of a mixer.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::action::{Job, NOT_SET, Order, Payload, Returned, Shared};
use super::{Action, ActionState, Channels, MixerError, MixerStats, SharedStats, Shortfall, Start};
use crate::rt::ring::{Consumer, Producer};
use crate::sample::SampleFormat;

/// The program's end of a mixer: sends actions, collects them when done.
#[derive(Debug)]
pub struct MixerControl {
    pub(super) queue: rtrb::Producer<Job>,
    pub(super) results: rtrb::Consumer<Job>,
    pub(super) live: Vec<Action>,
    pub(super) capacity: usize,
    pub(super) next_id: u64,
    pub(super) input_channels: usize,
    pub(super) output_channels: usize,
    pub(super) pending: Arc<AtomicUsize>,
    pub(super) stats: Arc<SharedStats>,
    pub(super) frames: Arc<AtomicU64>,
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
            kind: payload.kind(),
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
