//! python-rtmixer's streams: [`Mixer`] (output), [`Recorder`] (input)
//! and [`MixerAndRecorder`] (duplex), whose callback carries out
//! scheduled actions: buffers and ring buffers played and recorded at
//! exact frames or stream times, cancels to the frame, statistics.
//!
//! Actions are sent from the program's thread and checked there (a full
//! queue, channels the stream lacks, a buffer of partial frames are errors
//! at once); the callback starts each at its frame (see the [timing
//! rules](crate::rt::mixer#timing)), sums the playing ones into the
//! output, and sends each back when it is over. The streams are float32;
//! they dereference to [`Stream`] for the lifecycle and every property.
//!
//! On the virtual device's free-running clock a mixer runs only while it
//! has actions: the stream's frames and time stand still in between.
//!
//! # Examples
//!
//! A buffer played at frame 480 comes back through the virtual loopback,
//! recorded from frame 0:
//!
//! ```
//! # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning).blocksize(64);
//! use pastream::{MixerAndRecorder, Start};
//!
//! let mut m = MixerAndRecorder::open(&config.channels(1))?;
//! let rec = m.record_buffer(vec![0.0; 2000], 1, Start::Frame(0), true)?;
//! m.play_buffer(vec![0.25; 100], 1, Start::Frame(480), true)?;
//! m.start()?;
//! m.wait(None, None)?;
//! let recorded = rec.take_recording().unwrap();
//! let delay = 64; // the virtual loopback's: one block
//! assert_eq!(recorded[480 + delay - 1], 0.0);
//! assert_eq!(recorded[480 + delay..580 + delay], [0.25; 100]);
//! # Ok::<(), pastream::StreamError>(())
//! ```
#![forbid(unsafe_code)]

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::callback::{CallbackStream, view, view_mut};
use super::{Stream, StreamConfig};
use crate::error::StreamError;
use crate::host;
use crate::rt::callback::CallbackResult;
use crate::rt::mixer::{
    Action, Channels, MixerControl, MixerError, MixerStats, Shortfall, Start, mixer,
};
use crate::rt::ring::{Consumer, Producer};
use crate::rt::user::{CallbackInfo, UserCallback};

/// How many actions a mixer may hold live unless told otherwise.
pub const DEFAULT_QUEUE_SIZE: usize = 64;

/// The part the three mixer streams share.
struct Scheduled {
    stream: CallbackStream,
    control: MixerControl,
}

impl std::fmt::Debug for Scheduled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduled")
            .field("stream", &*self.stream)
            .field("capacity", &self.control.capacity())
            .finish()
    }
}

enum Kind {
    Input,
    Output,
    Duplex,
}

impl Scheduled {
    fn open(kind: Kind, config: &StreamConfig, queue: usize) -> Result<Scheduled, StreamError> {
        // Opened with a placeholder first: the core is made for the
        // channels and rate the stream got.
        let idle = CallbackResult::Continue;
        let mut stream = match kind {
            Kind::Duplex => CallbackStream::duplex(config, move |_: &[f32], _, _| idle)?,
            Kind::Input => CallbackStream::input(config, move |_: &[f32], _| idle)?,
            Kind::Output => CallbackStream::output(config, move |_: &mut [f32], _| idle)?,
        };
        let (ins, outs) = stream.channels();
        let (control, mut core) = mixer(ins, outs, stream.samplerate(), queue);
        let f = move |i: &[u8], o: &mut [u8], info: &CallbackInfo| match (
            view::<f32>(i),
            view_mut::<f32>(o),
        ) {
            (Some(i), Some(o)) => core.process(i, o, info),
            _ => CallbackResult::Abort,
        };
        let work = control.work();
        let user = UserCallback::new(Box::new(f), stream.stats.clone(), 0)
            .with_ready(Box::new(move |_| work.load(Ordering::Acquire) > 0));
        stream.user = Some(Box::new(user));
        Ok(Scheduled { stream, control })
    }

    fn sent(&mut self, action: Result<Action, MixerError>) -> Result<Action, StreamError> {
        let a = action?;
        // A free-running device waiting for work hears of it.
        self.stream.wake.ring();
        Ok(a)
    }

    fn wait(
        &mut self,
        action: Option<&Action>,
        timeout: Option<Duration>,
    ) -> Result<bool, StreamError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let seen = self.stream.wake.count();
            let live = self.control.actions();
            let done = |live: &[Action]| match action {
                Some(a) => !live.contains(a),
                None => live.is_empty(),
            };
            if done(&live) {
                return Ok(true);
            }
            if !self.stream.active() {
                // The run ended: its error, if it failed; else the
                // actions left can never finish.
                self.stream.wait(Some(Duration::ZERO))?;
                if done(&self.control.actions()) {
                    return Ok(true);
                }
                return Err(MixerError::NotRunning.into());
            }
            // The virtual device rings the doorbell; a real device's
            // callback makes no system call, so the wait sleeps until the
            // awaited action is due to end (half the frames it has to go,
            // when known), between 1 ms and 50 ms.
            let now = self.control.frame();
            let to_go = match action {
                Some(a) => a.frames_to_go(now),
                None => live.iter().filter_map(|a| a.frames_to_go(now)).min(),
            };
            let mut nap = match to_go {
                Some(f) => host::block_duration(f as usize, self.stream.samplerate()) / 2,
                None => Duration::from_millis(10),
            }
            .clamp(Duration::from_millis(1), Duration::from_millis(50));
            if let Some(d) = deadline {
                let now = Instant::now();
                if now >= d {
                    return Ok(false);
                }
                nap = nap.min(d - now);
            }
            self.stream.wake.wait_past(seen, nap);
        }
    }

    fn stats(&self) -> Result<MixerStats, StreamError> {
        if self.stream.active() {
            return Err(StreamError::Active);
        }
        Ok(self.control.stats())
    }
}

/// Methods every mixer stream has.
macro_rules! common {
    () => {
        /// Stops `action` at `time` (a frame or a stream time) to the
        /// frame; an action that has not started by then never starts.
        /// The cancel is an action of its own; this returns before the
        /// stop: [`wait`](Self::wait) for either.
        ///
        /// # Errors
        ///
        /// [`MixerError::QueueFull`].
        pub fn cancel(
            &mut self,
            action: &Action,
            time: Start,
            allow_belated: bool,
        ) -> Result<Action, StreamError> {
            let a = self.0.control.cancel(action, time, allow_belated);
            self.0.sent(a)
        }

        /// At `time`, takes the stream's statistics into the returned
        /// action's [`stats`](Action::stats) and starts them from zero.
        ///
        /// # Errors
        ///
        /// [`MixerError::QueueFull`].
        pub fn fetch_and_reset_stats(
            &mut self,
            time: Start,
            allow_belated: bool,
        ) -> Result<Action, StreamError> {
            let a = self.0.control.fetch_and_reset_stats(time, allow_belated);
            self.0.sent(a)
        }

        /// The stream's statistics (blocks, block sizes, xruns) since it
        /// was opened or last fetched.
        ///
        /// # Errors
        ///
        /// [`StreamError::Active`] while the stream runs: use
        /// [`fetch_and_reset_stats`](Self::fetch_and_reset_stats) then.
        pub fn stats(&self) -> Result<MixerStats, StreamError> {
            self.0.stats()
        }

        /// The live actions: sent and not yet over.
        pub fn actions(&mut self) -> Vec<Action> {
            self.0.control.actions()
        }

        /// Waits until `action` is over (all actions, for `None`), or
        /// `timeout` passes; true when over. Buffers and rings the
        /// actions carried are then back in their handles.
        ///
        /// # Errors
        ///
        /// The run's error if it failed; [`MixerError::NotRunning`] when
        /// the stream is not running and the action is not over.
        pub fn wait(
            &mut self,
            action: Option<&Action>,
            timeout: Option<Duration>,
        ) -> Result<bool, StreamError> {
            self.0.wait(action, timeout)
        }

        /// How many actions may be live at once.
        pub fn queue_size(&self) -> usize {
            self.0.control.capacity()
        }
    };
}

macro_rules! play {
    () => {
        /// Plays `buffer` (interleaved frames of the action's channels)
        /// on `channels` (a count, or 1-based device channels) from
        /// `start`. The buffer is shared, never written: send clones of
        /// one `Arc` to play it many times.
        ///
        /// # Errors
        ///
        /// [`MixerError`]: the queue is full, the channels do not fit,
        /// the buffer is not whole frames.
        pub fn play_buffer(
            &mut self,
            buffer: impl Into<Arc<[f32]>>,
            channels: impl Into<Channels>,
            start: Start,
            allow_belated: bool,
        ) -> Result<Action, StreamError> {
            let a = self
                .0
                .control
                .play_buffer(buffer, channels, start, allow_belated);
            self.0.sent(a)
        }

        /// Plays what `ring` (float32 frames) holds on `channels` (by
        /// default as many as its frames have) from `start`, until it
        /// runs short: then `shortfall` ends the action
        /// ([`Shortfall::End`], python-rtmixer's rule) or plays silence
        /// and goes on ([`Shortfall::Continue`]). The ring comes back with
        /// [`Action::take_consumer`].
        ///
        /// # Errors
        ///
        /// As [`play_buffer`](Self::play_buffer).
        pub fn play_ringbuffer(
            &mut self,
            ring: Consumer,
            channels: Option<Channels>,
            start: Start,
            allow_belated: bool,
            shortfall: Shortfall,
        ) -> Result<Action, StreamError> {
            let a = self
                .0
                .control
                .play_ringbuffer(ring, channels, start, allow_belated, shortfall);
            self.0.sent(a)
        }
    };
}

macro_rules! record {
    () => {
        /// Records `channels` (a count, or 1-based device channels) into
        /// `buffer` from `start` until it is full; the buffer comes back
        /// with [`Action::take_recording`].
        ///
        /// # Errors
        ///
        /// [`MixerError`]: the queue is full, the channels do not fit,
        /// the buffer is not whole frames.
        pub fn record_buffer(
            &mut self,
            buffer: Vec<f32>,
            channels: impl Into<Channels>,
            start: Start,
            allow_belated: bool,
        ) -> Result<Action, StreamError> {
            let a = self
                .0
                .control
                .record_buffer(buffer, channels, start, allow_belated);
            self.0.sent(a)
        }

        /// Records `channels` (by default as many as the ring's frames
        /// have) into `ring` from `start`, until it is full: then
        /// `shortfall` ends the action ([`Shortfall::End`],
        /// python-rtmixer's rule) or drops what has no room and goes on
        /// ([`Shortfall::Continue`]). The ring comes back with
        /// [`Action::take_producer`].
        ///
        /// # Errors
        ///
        /// As [`record_buffer`](Self::record_buffer).
        pub fn record_ringbuffer(
            &mut self,
            ring: Producer,
            channels: Option<Channels>,
            start: Start,
            allow_belated: bool,
            shortfall: Shortfall,
        ) -> Result<Action, StreamError> {
            let a =
                self.0
                    .control
                    .record_ringbuffer(ring, channels, start, allow_belated, shortfall);
            self.0.sent(a)
        }
    };
}

macro_rules! stream_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $($part:ident),+) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(Scheduled);

        impl $name {
            /// Opens it on `config`'s device, float32 (a config that names
            /// another format is an error), with room for
            /// [`DEFAULT_QUEUE_SIZE`] live actions.
            ///
            /// # Errors
            ///
            /// As the other streams' `open`; [`StreamError::Sample`] for
            /// a format other than float32.
            pub fn open(config: &StreamConfig) -> Result<$name, StreamError> {
                Self::with_queue(config, DEFAULT_QUEUE_SIZE)
            }

            /// Opens it with room for `queue` live actions (at least 1).
            ///
            /// # Errors
            ///
            /// As [`open`](Self::open).
            pub fn with_queue(config: &StreamConfig, queue: usize) -> Result<$name, StreamError> {
                Ok($name(Scheduled::open($kind, config, queue)?))
            }

            common!();
            $($part!();)+
        }

        impl Deref for $name {
            type Target = Stream;
            fn deref(&self) -> &Stream {
                &self.0.stream
            }
        }

        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut Stream {
                &mut self.0.stream
            }
        }
    };
}

stream_type!(
    /// An output stream that plays scheduled buffers and ring buffers,
    /// summed; see the [module docs](self).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use std::sync::Arc;
    /// use pastream::{Mixer, Start};
    ///
    /// let mut m = Mixer::open(&config)?;
    /// let click: Arc<[f32]> = vec![0.5; 48].into();
    /// let a = m.play_buffer(click.clone(), [2], Start::Frame(1000), true)?;
    /// let b = m.play_buffer(click, [1, 2], Start::Frame(2000), true)?;
    /// m.start()?;
    /// m.wait(None, None)?;
    /// assert_eq!((a.start_frame(), b.start_frame()), (Some(1000), Some(2000)));
    /// assert_eq!(b.done_frames(), 24);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    Mixer, Kind::Output, play
);

stream_type!(
    /// An input stream that records into scheduled buffers and ring
    /// buffers; see the [module docs](self).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{Recorder, Start};
    ///
    /// let mut r = Recorder::open(&config)?;
    /// let a = r.record_buffer(vec![1.0; 2 * 480], 2, Start::Frame(4800), true)?;
    /// r.start()?;
    /// r.wait(Some(&a), None)?;
    /// // Nothing is played: the input is silence.
    /// assert_eq!(a.take_recording().unwrap(), vec![0.0; 960]);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    Recorder, Kind::Input, record
);

stream_type!(
    /// A duplex stream that plays and records scheduled buffers and ring
    /// buffers, with one callback; see the [module docs](self).
    MixerAndRecorder, Kind::Duplex, play, record
);
