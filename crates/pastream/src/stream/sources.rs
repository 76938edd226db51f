//! Where playback comes from and recordings go: sources, sinks, the
//! functions that run on worker threads, and what those know of their
//! stream.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::workers::{Control, Pulse};
use crate::error::WorkerError;
use crate::host::Wake;
use crate::rt::ring::{Consumer, Producer};
use crate::rt::stats::{Outcome, Stats};
use crate::sample::{Sample, SampleFormat, to_bytes};

/// Default size of the ring buffers of worker threads, in frames.
///
/// # Examples
///
/// ```
/// assert!(pastream::DEFAULT_BUFFER_FRAMES.is_power_of_two());
/// ```
pub const DEFAULT_BUFFER_FRAMES: usize = 1 << 14;

/// A function run on a worker thread to write playback into the ring.
///
/// It should write until [`WorkerContext::done`] and return; once it
/// returns, an empty ring means the playback has ended. An error it returns
/// aborts the stream and comes back from [`Stream::wait`](crate::Stream::wait).
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{FeedFn, Source};
///
/// let mut left = 1000;
/// let feed: Box<FeedFn> = Box::new(move |ring, ctx| {
///     while left > 0 && !ctx.done() {
///         let n = ring.write(&vec![0f32; 2 * left.min(ring.write_available())])?;
///         left -= n;
///         if n == 0 {
///             ctx.pause();
///         }
///     }
///     Ok(())
/// });
/// let mut stream = pastream::OutputStream::open(&config)?;
/// stream.set_source(Some(Source::Feeder { feed, buffer_frames: Some(4096) }))?;
/// stream.start()?;
/// stream.wait(None)?;
/// assert_eq!(stream.frame_count(), 1000);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub type FeedFn = dyn FnMut(&mut Producer, &WorkerContext) -> Result<(), WorkerError> + Send;

/// A function run on a worker thread to read recorded frames from the ring.
///
/// It should read until [`WorkerContext::done`] *and* the ring is empty,
/// then return. An error it returns aborts the stream.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use std::sync::{Arc, Mutex};
/// use pastream::{DrainFn, Sink};
///
/// let got = Arc::new(Mutex::new(Vec::new()));
/// let sink = got.clone();
/// let drain: Box<DrainFn> = Box::new(move |ring, ctx| {
///     loop {
///         let frames = ring.read::<f32>(usize::MAX)?;
///         if frames.is_empty() {
///             if ctx.done() && ring.read_available() == 0 {
///                 return Ok(());
///             }
///             ctx.pause();
///         }
///         sink.lock().unwrap().extend(frames);
///     }
/// });
/// let mut stream = pastream::InputStream::open(&config)?;
/// stream.set_sink(Some(Sink::Drainer { drain, buffer_frames: None }))?;
/// stream.set_frames(1000);
/// stream.start()?;
/// stream.wait(None)?;
/// assert_eq!(got.lock().unwrap().len(), 2000);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub type DrainFn = dyn FnMut(&mut Consumer, &WorkerContext) -> Result<(), WorkerError> + Send;

/// Where playback comes from.
///
/// Samples in memory carry their format, checked against the stream's when
/// the source is set: `i16` samples on a float32 stream are an error, never
/// reinterpreted. Bytes with no format are [`Source::raw`].
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{OutputStream, Source, Transfer};
///
/// let mut stream = OutputStream::open(&config)?;
/// // Typed samples (checked against the stream), or raw bytes.
/// stream.play(Source::samples(&[0.5f32; 2 * 100]), &Transfer::new().blocking(true))?;
/// stream.play(Source::raw(vec![0u8; 8 * 100]), &Transfer::new().blocking(true))?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub enum Source {
    /// Interleaved frames in memory, played by the callback directly, with
    /// no worker thread.
    Memory {
        /// The frames.
        data: Arc<[u8]>,
        /// Their sample format; `None` for raw bytes, taken to be in the
        /// stream's format.
        format: Option<SampleFormat>,
    },
    /// A ring buffer whose producer the caller keeps and writes. When it is
    /// empty, the playback has ended. With looping, its contents at start
    /// are played over and over.
    Ring(Consumer),
    /// A function run on a worker thread, feeding a ring of `buffer_frames`
    /// frames (a power of two; default [`DEFAULT_BUFFER_FRAMES`]).
    Feeder {
        /// The function.
        feed: Box<FeedFn>,
        /// Ring size in frames.
        buffer_frames: Option<usize>,
    },
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Memory { data, format } => f
                .debug_struct("Memory")
                .field("bytes", &data.len())
                .field("format", format)
                .finish(),
            Source::Ring(c) => f.debug_tuple("Ring").field(c).finish(),
            Source::Feeder { buffer_frames, .. } => f
                .debug_struct("Feeder")
                .field("buffer_frames", buffer_frames)
                .finish_non_exhaustive(),
        }
    }
}

impl Source {
    /// A feeder thread with the default ring size.
    ///
    /// ```
    /// use pastream::{Clock, OutputStream, Source, StreamConfig, Transfer};
    ///
    /// let config = StreamConfig::new().device("loopback").clock(Clock::FreeRunning);
    /// let mut stream = OutputStream::open(&config)?;
    /// let mut left = 4800;
    /// let feeder = Source::feeder(move |ring, ctx| {
    ///     while left > 0 && !ctx.done() {
    ///         let n = ring.write(&vec![0.25f32; 2 * ring.write_available().min(left)])?;
    ///         left -= n;
    ///         if n == 0 {
    ///             ctx.pause();
    ///         }
    ///     }
    ///     Ok(())
    /// });
    /// stream.play(feeder, &Transfer::new().blocking(true))?;
    /// assert_eq!(stream.frame_count(), 4800);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn feeder(
        feed: impl FnMut(&mut Producer, &WorkerContext) -> Result<(), WorkerError> + Send + 'static,
    ) -> Self {
        Source::Feeder {
            feed: Box::new(feed),
            buffer_frames: None,
        }
    }

    /// Typed samples, interleaved, copied into memory.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source, Transfer};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// let source = Source::samples(&[0.25f32, -0.25]);
    /// stream.play(source, &Transfer::new().blocking(true))?;
    /// assert_eq!(stream.frame_count(), 1);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn samples<T: Sample>(samples: &[T]) -> Self {
        Source::Memory {
            data: to_bytes(samples).into(),
            format: Some(T::FORMAT),
        }
    }

    /// Raw bytes, taken to be interleaved frames in the stream's format;
    /// only their length is checked.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source, Transfer};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// let bytes: Vec<u8> = [0.25f32, -0.25].iter().flat_map(|s| s.to_ne_bytes()).collect();
    /// stream.play(Source::raw(bytes), &Transfer::new().blocking(true))?;
    /// assert_eq!(stream.frame_count(), 1);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn raw(bytes: impl Into<Arc<[u8]>>) -> Self {
        Source::Memory {
            data: bytes.into(),
            format: None,
        }
    }
}

impl<T: Sample> From<Vec<T>> for Source {
    fn from(v: Vec<T>) -> Self {
        Source::samples(&v)
    }
}

impl<T: Sample> From<&[T]> for Source {
    fn from(v: &[T]) -> Self {
        Source::samples(v)
    }
}

impl<T: Sample> From<&Vec<T>> for Source {
    fn from(v: &Vec<T>) -> Self {
        Source::samples(v)
    }
}

impl<T: Sample, const N: usize> From<&[T; N]> for Source {
    fn from(v: &[T; N]) -> Self {
        Source::samples(v)
    }
}

impl<T: Sample, const N: usize> From<[T; N]> for Source {
    fn from(v: [T; N]) -> Self {
        Source::samples(&v)
    }
}

impl From<Consumer> for Source {
    fn from(c: Consumer) -> Self {
        Source::Ring(c)
    }
}

/// Where recorded frames go.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{InputStream, Sink};
///
/// let mut stream = InputStream::open(&config)?;
/// stream.set_sink(Some(Sink::Memory(480)))?;
/// stream.set_frames(480);
/// stream.start()?;
/// stream.wait(None)?;
/// assert_eq!(stream.take_recording().unwrap().frames(), 480);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub enum Sink {
    /// Memory for this many frames, allocated at each start; collect it with
    /// [`Stream::take_recording`](crate::Stream::take_recording).
    Memory(usize),
    /// A ring buffer whose consumer the caller keeps and reads. When it is
    /// full, the run ends with [`StreamError::BufferFull`](crate::StreamError::BufferFull).
    Ring(Producer),
    /// The same, paced by its reader: the virtual device's free-running
    /// clock waits while the ring has no room for a block (on a device
    /// with a clock of its own it is [`Ring`](Self::Ring)).
    PacedRing(Producer),
    /// A function run on a worker thread, draining a ring of
    /// `buffer_frames` frames (a power of two; default
    /// [`DEFAULT_BUFFER_FRAMES`]).
    Drainer {
        /// The function.
        drain: Box<DrainFn>,
        /// Ring size in frames.
        buffer_frames: Option<usize>,
    },
}

impl Sink {
    /// A drainer thread with the default ring size.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Sink};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// stream.set_sink(Some(Sink::drainer(|ring, ctx| {
    ///     while !(ctx.done() && ring.read_available() == 0) {
    ///         if ring.read::<f32>(usize::MAX)?.is_empty() {
    ///             ctx.pause();
    ///         }
    ///     }
    ///     Ok(())
    /// })))?;
    /// stream.set_frames(480);
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn drainer(
        drain: impl FnMut(&mut Consumer, &WorkerContext) -> Result<(), WorkerError> + Send + 'static,
    ) -> Self {
        Sink::Drainer {
            drain: Box::new(drain),
            buffer_frames: None,
        }
    }
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sink::Memory(frames) => f.debug_tuple("Memory").field(frames).finish(),
            Sink::Ring(p) => f.debug_tuple("Ring").field(p).finish(),
            Sink::PacedRing(p) => f.debug_tuple("PacedRing").field(p).finish(),
            Sink::Drainer { buffer_frames, .. } => f
                .debug_struct("Drainer")
                .field("buffer_frames", buffer_frames)
                .finish_non_exhaustive(),
        }
    }
}

impl From<Producer> for Sink {
    fn from(p: Producer) -> Self {
        Sink::Ring(p)
    }
}

/// What a worker thread knows about its stream.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{OutputStream, Source};
///
/// let mut stream = OutputStream::open(&config)?;
/// stream.set_source(Some(Source::feeder(|_ring, ctx| {
///     assert!(!ctx.done());
///     Ok(())
/// })))?;
/// stream.start()?;
/// stream.wait(None)?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug)]
pub struct WorkerContext {
    pub(super) stats: Arc<Stats>,
    pub(super) control: Arc<Control>,
    pub(super) looping: bool,
    pub(super) samplerate: f64,
    pub(super) frame_size: usize,
    /// How long a worker waits for work when its ring is full (a source)
    /// or empty (a sink), unless something rings first.
    pub(super) idle: Duration,
    pub(super) wake: Arc<Wake>,
    /// The worker's signs of life: every call to the context is one.
    pub(super) pulse: Arc<Pulse>,
}

impl WorkerContext {
    /// Whether the stream's run is over (completed, failed or stopped):
    /// time for the worker to finish.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// stream.set_source(Some(Source::feeder(|_ring, ctx| {
    ///     assert!(!ctx.done()); // the run goes on
    ///     Ok(())
    /// })))?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn done(&self) -> bool {
        self.pulse.beat();
        self.stats.outcome() != Outcome::Running || self.control.stopping.load(Ordering::Acquire)
    }

    /// Whether the worker should end now, without finishing its work: the
    /// run is over and a stop handle asked to
    /// [`hurry`](crate::StopHandle::hurry) (a second Ctrl-C, say). A sink
    /// then leaves what its ring holds, finalizes and returns. Like every
    /// call to the context, it also tells the stream that the worker is
    /// alive: a stop waits for a worker that keeps calling, and leaves one
    /// that has been silent for long behind.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Sink};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// stream.set_sink(Some(Sink::drainer(|ring, ctx| {
    ///     while !ctx.hurry() {
    ///         let n = ring.read_available();
    ///         if n == 0 && ctx.done() {
    ///             return Ok(());
    ///         }
    ///         ring.read_raw(n); // ... and write it somewhere
    ///         ctx.pause();
    ///     }
    ///     Ok(())
    /// })))?;
    /// stream.set_frames(480);
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn hurry(&self) -> bool {
        self.pulse.beat();
        self.control.hurry.load(Ordering::Acquire) && self.control.stopping.load(Ordering::Acquire)
    }

    /// Whether the playback should loop.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// stream.set_source(Some(Source::feeder(|_ring, ctx| {
    ///     assert!(!ctx.looping());
    ///     Ok(())
    /// })))?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn looping(&self) -> bool {
        self.looping
    }

    /// The stream's sample rate.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// stream.set_source(Some(Source::feeder(|_ring, ctx| {
    ///     assert_eq!(ctx.samplerate(), 48000.0);
    ///     Ok(())
    /// })))?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn samplerate(&self) -> f64 {
        self.samplerate
    }

    /// Bytes in one frame of the worker's ring.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// stream.set_source(Some(Source::feeder(|_ring, ctx| {
    ///     assert_eq!(ctx.frame_size(), 8); // two float32 samples
    ///     Ok(())
    /// })))?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn frame_size(&self) -> usize {
        self.frame_size
    }

    /// Frames the stream has processed so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// stream.set_source(Some(Source::feeder(|_ring, ctx| {
    ///     let _frames_so_far = ctx.frame_count();
    ///     Ok(())
    /// })))?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn frame_count(&self) -> u64 {
        self.stats.frame_count()
    }

    /// Tells a stop that this worker's calls may block for as long as
    /// `limit` (at most 10 s) and still return: a file on a disk that
    /// throttles writing, say. A stop then waits that long for a silent
    /// worker before leaving it behind, instead of the stall limit (a
    /// block and a half, at least 100 ms) that suits a pipe nobody reads.
    /// The library's file sinks say so for seekable files.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use std::time::Duration;
    /// use pastream::{InputStream, Sink};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// stream.set_sink(Some(Sink::drainer(|ring, ctx| {
    ///     ctx.may_block_for(Duration::from_secs(2));
    ///     while !(ctx.done() && ring.read_available() == 0) {
    ///         ring.flush();
    ///         ctx.pause();
    ///     }
    ///     // A slow last write: waited for, not left behind.
    ///     std::thread::sleep(Duration::from_millis(300));
    ///     Ok(())
    /// })))?;
    /// stream.set_frames(480);
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn may_block_for(&self, limit: Duration) {
        self.pulse.may_block_for(limit);
        self.pulse.beat();
    }

    /// What a worker does when its ring has no room (a source) or no data
    /// (a sink): tells the stream's other threads that it has done what it
    /// could, then sleeps until there is likely a useful amount of work
    /// (about a quarter of its ring, at most 100 ms) or the run ends. On
    /// the free-running virtual device it sleeps until the device has
    /// played the next block.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Source};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// stream.set_source(Some(Source::feeder(|_ring, ctx| {
    ///     ctx.pause(); // until there is work, or the run ends
    ///     Ok(())
    /// })))?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn pause(&self) {
        let seen = self.wake.ring();
        if !self.done() {
            self.pulse.pause_begins();
            self.wake.wait_past(seen, self.idle);
            self.pulse.pause_ends();
        }
    }
}
