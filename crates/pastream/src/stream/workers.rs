//! Where playback comes from and recordings go: sources, sinks, and the
//! worker threads that feed and drain the callback's ring buffers.
#![forbid(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::Stream;
use crate::error::{HostError, StreamError, WorkerError};
use crate::rt::engine::{Capture, Playback};
use crate::rt::ring::{Consumer, Producer, RingBuffer, RingError};
use crate::rt::stats::{Outcome, Stats};
use crate::sample::{Sample, SampleError, SampleFormat, check_frames, to_bytes};

/// Default size of the ring buffers of worker threads, in frames.
pub const DEFAULT_BUFFER_FRAMES: usize = 1 << 14;

/// A function run on a worker thread to write playback into the ring.
///
/// It should write until [`WorkerContext::done`] and return; once it
/// returns, an empty ring means the playback has ended. An error it returns
/// aborts the stream and comes back from [`Stream::wait`].
pub type FeedFn = dyn FnMut(&mut Producer, &WorkerContext) -> Result<(), WorkerError> + Send;

/// A function run on a worker thread to read recorded frames from the ring.
///
/// It should read until [`WorkerContext::done`] *and* the ring is empty,
/// then return. An error it returns aborts the stream.
pub type DrainFn = dyn FnMut(&mut Consumer, &WorkerContext) -> Result<(), WorkerError> + Send;

/// Where playback comes from.
///
/// Samples in memory carry their format, checked against the stream's when
/// the source is set: `i16` samples on a float32 stream are an error, never
/// reinterpreted. Bytes with no format are [`Source::raw`].
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
    pub fn samples<T: Sample>(samples: &[T]) -> Self {
        Source::Memory {
            data: to_bytes(samples).into(),
            format: Some(T::FORMAT),
        }
    }

    /// Raw bytes, taken to be interleaved frames in the stream's format;
    /// only their length is checked.
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
pub enum Sink {
    /// Memory for this many frames, allocated at each start; collect it with
    /// [`Stream::take_recording`].
    Memory(usize),
    /// A ring buffer whose consumer the caller keeps and reads.
    Ring(Producer),
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
#[derive(Clone, Debug)]
pub struct WorkerContext {
    pub(super) stats: Arc<Stats>,
    pub(super) control: Arc<Control>,
    pub(super) looping: bool,
    pub(super) samplerate: f64,
    pub(super) frame_size: usize,
    pub(super) pause: Duration,
}

impl WorkerContext {
    /// Whether the stream's run is over (completed, failed or stopped):
    /// time for the worker to finish.
    pub fn done(&self) -> bool {
        self.stats.outcome() != Outcome::Running || self.control.stopping.load(Ordering::Acquire)
    }

    /// Whether the playback should loop.
    pub fn looping(&self) -> bool {
        self.looping
    }

    /// The stream's sample rate.
    pub fn samplerate(&self) -> f64 {
        self.samplerate
    }

    /// Bytes in one frame of the worker's ring.
    pub fn frame_size(&self) -> usize {
        self.frame_size
    }

    /// Frames the stream has processed so far.
    pub fn frame_count(&self) -> u64 {
        self.stats.frame_count()
    }

    /// Sleeps for a fraction of a block: what a worker does when its ring
    /// has no room or no data.
    pub fn pause(&self) {
        if self.pause.is_zero() {
            std::thread::yield_now();
        } else {
            std::thread::sleep(self.pause);
        }
    }
}

/// State shared by a stream and its workers (never the callback).
#[derive(Debug, Default)]
pub(super) struct Control {
    pub(super) stopping: AtomicBool,
    pub(super) error: Mutex<Option<StreamError>>,
}

impl Control {
    pub(super) fn fail(&self, e: StreamError, stats: &Stats) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
        stats.request_abort();
    }
}

/// A recording made into memory: interleaved frames of the stream's
/// format.
///
/// ```
/// use pastream::{Clock, DuplexStream, StreamConfig, Transfer};
///
/// let config = StreamConfig::new().device("loopback").channels(1).clock(Clock::FreeRunning);
/// let mut stream = DuplexStream::open(&config)?;
/// let rec = stream
///     .playrec(vec![0.5f32; 1000], &Transfer::new().blocking(true))?
///     .expect("a blocking playrec returns the recording");
/// assert_eq!((rec.frames(), rec.channels()), (1000, 1));
/// let samples: Vec<f32> = rec.samples()?;
/// // An int16 view of float32 samples is refused, not reinterpreted.
/// assert!(rec.samples::<i16>().is_err());
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    data: Vec<u8>,
    format: SampleFormat,
    channels: usize,
}

impl Recording {
    pub(crate) fn new(data: Vec<u8>, format: SampleFormat, channels: usize) -> Recording {
        Recording {
            data,
            format,
            channels,
        }
    }

    /// The sample format.
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// Channels of a frame.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Frames recorded.
    pub fn frames(&self) -> usize {
        self.data.len() / self.format.frame_size(self.channels).max(1)
    }

    /// The samples, copied out as `T`.
    ///
    /// # Errors
    ///
    /// [`SampleError::Mismatch`] when `T` is not the recording's format.
    pub fn samples<T: Sample>(&self) -> Result<Vec<T>, SampleError> {
        SampleError::check::<T>(self.format)?;
        crate::sample::from_bytes(&self.data)
    }

    /// The raw bytes.
    pub fn as_raw(&self) -> &[u8] {
        &self.data
    }

    /// The raw bytes, taken out.
    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }
}

/// Runs a worker function on its own thread: its error or panic fails the
/// run (as the source's or the sink's error); the thread gives the function
/// and its ring end back when it returns.
pub(super) fn spawn<F, R>(
    role: Role,
    ctx: WorkerContext,
    mut f: Box<F>,
    mut ring: R,
    on_exit: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<(Box<F>, R)>, StreamError>
where
    F: FnMut(&mut R, &WorkerContext) -> Result<(), WorkerError> + Send + ?Sized + 'static,
    R: Send + 'static,
{
    std::thread::Builder::new()
        .name(format!("pastream-{}", role.noun()))
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| f(&mut ring, &ctx)));
            let error = match r {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some(format!("the {} function panicked", role.noun()).into()),
            };
            if let Some(e) = error {
                ctx.control.fail(role.error(e), &ctx.stats);
            }
            on_exit();
            (f, ring)
        })
        .map_err(|e| {
            StreamError::Host(HostError::backend(format!(
                "cannot start the {} thread: {e}",
                role.noun()
            )))
        })
}

/// Which worker a thread is.
#[derive(Clone, Copy, Debug)]
pub(super) enum Role {
    Source,
    Sink,
}

impl Role {
    fn noun(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Sink => "sink",
        }
    }

    /// A worker's error as the stream reports it: file errors as
    /// themselves (a broken pipe stays a broken pipe), others as the
    /// source's or the sink's.
    fn error(self, e: WorkerError) -> StreamError {
        #[cfg(feature = "sndfile")]
        let e = match e.downcast::<crate::error::FileError>() {
            Ok(file) => return StreamError::File(*file),
            Err(e) => e,
        };
        match self {
            Role::Source => StreamError::Source(e),
            Role::Sink => StreamError::Sink(e),
        }
    }
}

pub(super) enum SourceSlot {
    None,
    Memory(Arc<[u8]>),
    Ring(Consumer),
    Feeder {
        feed: Box<FeedFn>,
        producer: Producer,
        consumer: Consumer,
    },
    Running(RunningSource),
}

pub(super) enum RunningSource {
    Memory(Arc<[u8]>),
    Ring,
    Feeder(JoinHandle<(Box<FeedFn>, Producer)>),
}

pub(super) enum SinkSlot {
    None,
    Memory(usize),
    Ring(Producer),
    Drainer {
        drain: Box<DrainFn>,
        producer: Producer,
        consumer: Consumer,
    },
    /// A ring drained by a [`Chunks`] iterator.
    Chunks {
        producer: Producer,
        draining: Arc<AtomicBool>,
    },
    Running(RunningSink),
}

pub(super) enum RunningSink {
    Memory,
    Ring,
    Drainer(JoinHandle<(Box<DrainFn>, Consumer)>),
    Chunks(Arc<AtomicBool>),
}

impl Stream {
    pub(super) fn set_source_slot(&mut self, source: Option<Source>) -> Result<(), StreamError> {
        if self.active() {
            return Err(StreamError::Active);
        }
        self.finish_run(false);
        let fs = self.format.frame_size(self.playback_channels);
        self.source = match source {
            None => SourceSlot::None,
            Some(Source::Memory { data, format }) => {
                if let Some(format) = format {
                    SampleError::check_format(format, self.format)?;
                }
                let ss = self.format.sample_size();
                if data.len() % ss != 0 {
                    return Err(SampleError::PartialSample {
                        bytes: data.len(),
                        format: self.format,
                    }
                    .into());
                }
                check_frames(data.len() / ss, self.playback_channels, self.format)?;
                SourceSlot::Memory(data)
            }
            Some(Source::Ring(c)) => {
                check_ring(c.format(), c.element_size(), self.format, fs)?;
                SourceSlot::Ring(c)
            }
            Some(Source::Feeder {
                feed,
                buffer_frames,
            }) => {
                let (producer, consumer) = RingBuffer::new(
                    self.format,
                    self.playback_channels,
                    buffer_frames.unwrap_or(DEFAULT_BUFFER_FRAMES),
                )?;
                SourceSlot::Feeder {
                    feed,
                    producer,
                    consumer,
                }
            }
        };
        Ok(())
    }

    pub(super) fn set_sink_slot(&mut self, sink: Option<Sink>) -> Result<(), StreamError> {
        if self.active() {
            return Err(StreamError::Active);
        }
        self.finish_run(false);
        let fs = self.format.frame_size(self.capture_channels);
        self.sink = match sink {
            None => SinkSlot::None,
            Some(Sink::Memory(frames)) => SinkSlot::Memory(frames),
            Some(Sink::Ring(p)) => {
                check_ring(p.format(), p.element_size(), self.format, fs)?;
                SinkSlot::Ring(p)
            }
            Some(Sink::Drainer {
                drain,
                buffer_frames,
            }) => {
                let (producer, consumer) = RingBuffer::new(
                    self.format,
                    self.capture_channels,
                    buffer_frames.unwrap_or(DEFAULT_BUFFER_FRAMES),
                )?;
                SinkSlot::Drainer {
                    drain,
                    producer,
                    consumer,
                }
            }
        };
        Ok(())
    }

    pub(super) fn take_playback(
        &mut self,
        feeding: &Arc<AtomicBool>,
    ) -> (Playback, Option<(Box<FeedFn>, Producer)>) {
        let looping = self.transfer.looping;
        match std::mem::replace(&mut self.source, SourceSlot::None) {
            SourceSlot::None | SourceSlot::Running(_) => (Playback::None, None),
            SourceSlot::Memory(data) => {
                self.source = SourceSlot::Running(RunningSource::Memory(data.clone()));
                (Playback::Memory { data, looping }, None)
            }
            SourceSlot::Ring(mut consumer) if looping => {
                let data: Arc<[u8]> = consumer.read_raw(usize::MAX).into();
                self.source = SourceSlot::Running(RunningSource::Memory(data.clone()));
                drop(consumer);
                (Playback::Memory { data, looping }, None)
            }
            SourceSlot::Ring(consumer) => {
                self.source = SourceSlot::Running(RunningSource::Ring);
                (
                    Playback::Ring {
                        consumer,
                        feeding: Arc::new(AtomicBool::new(false)),
                    },
                    None,
                )
            }
            SourceSlot::Feeder {
                feed,
                producer,
                mut consumer,
            } => {
                consumer.flush();
                (
                    Playback::Ring {
                        consumer,
                        feeding: feeding.clone(),
                    },
                    Some((feed, producer)),
                )
            }
        }
    }

    pub(super) fn take_capture(&mut self) -> (Capture, Option<(Box<DrainFn>, Consumer)>) {
        match std::mem::replace(&mut self.sink, SinkSlot::None) {
            SinkSlot::None | SinkSlot::Running(_) => (Capture::None, None),
            SinkSlot::Memory(frames) => {
                self.sink = SinkSlot::Running(RunningSink::Memory);
                let fs = self.format.frame_size(self.capture_channels);
                (
                    Capture::Memory {
                        buf: vec![self.format.silence_byte(); frames * fs],
                        len: 0,
                    },
                    None,
                )
            }
            SinkSlot::Ring(producer) => {
                self.sink = SinkSlot::Running(RunningSink::Ring);
                (
                    Capture::Ring {
                        producer,
                        draining: Arc::new(AtomicBool::new(false)),
                    },
                    None,
                )
            }
            SinkSlot::Drainer {
                drain,
                producer,
                mut consumer,
            } => {
                consumer.flush();
                (
                    Capture::Ring {
                        producer,
                        draining: Arc::new(AtomicBool::new(true)),
                    },
                    Some((drain, consumer)),
                )
            }
            SinkSlot::Chunks { producer, draining } => {
                self.sink = SinkSlot::Running(RunningSink::Chunks(draining.clone()));
                (Capture::Ring { producer, draining }, None)
            }
        }
    }

    pub(super) fn restore(&mut self, playback: Playback, capture: Capture) {
        self.source = match std::mem::replace(&mut self.source, SourceSlot::None) {
            SourceSlot::Running(RunningSource::Memory(data)) => SourceSlot::Memory(data),
            SourceSlot::Running(RunningSource::Ring) => match playback {
                Playback::Ring { consumer, .. } => SourceSlot::Ring(consumer),
                _ => SourceSlot::None,
            },
            SourceSlot::Running(RunningSource::Feeder(handle)) => match (handle.join(), playback) {
                (Ok((feed, producer)), Playback::Ring { consumer, .. }) => SourceSlot::Feeder {
                    feed,
                    producer,
                    consumer,
                },
                _ => SourceSlot::None,
            },
            other => other,
        };
        self.sink = match std::mem::replace(&mut self.sink, SinkSlot::None) {
            SinkSlot::Running(RunningSink::Memory) => {
                if let Capture::Memory { mut buf, len } = capture {
                    buf.truncate(len);
                    self.recording = Some(Recording::new(buf, self.format, self.capture_channels));
                }
                SinkSlot::None
            }
            SinkSlot::Running(RunningSink::Ring) => match capture {
                Capture::Ring { producer, .. } => SinkSlot::Ring(producer),
                _ => SinkSlot::None,
            },
            SinkSlot::Running(RunningSink::Drainer(handle)) => match (handle.join(), capture) {
                (Ok((drain, consumer)), Capture::Ring { producer, .. }) => SinkSlot::Drainer {
                    drain,
                    producer,
                    consumer,
                },
                _ => SinkSlot::None,
            },
            SinkSlot::Running(RunningSink::Chunks(draining)) => match capture {
                Capture::Ring { producer, .. } => SinkSlot::Chunks { producer, draining },
                _ => SinkSlot::None,
            },
            other => other,
        };
    }
}

/// Checks that a ring given as a source or sink carries this stream's
/// frames: its format (a raw ring has none) and its element size.
fn check_ring(
    ring_format: Option<SampleFormat>,
    element_size: usize,
    format: SampleFormat,
    frame_size: usize,
) -> Result<(), StreamError> {
    if let Some(f) = ring_format {
        SampleError::check_format(f, format)?;
    }
    if element_size == frame_size {
        Ok(())
    } else {
        Err(StreamError::Ring(RingError::ElementSize {
            got: element_size,
            want: frame_size,
        }))
    }
}
