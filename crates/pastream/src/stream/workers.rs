//! The worker threads that feed and drain the callback's ring buffers,
//! and the stream's slots for its source and sink between runs.
#![forbid(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::sources::{DEFAULT_BUFFER_FRAMES, DrainFn, FeedFn, Sink, Source, WorkerContext};
use super::{Recording, Stream};
use crate::error::{HostError, StreamError, WorkerError};
use crate::host::Wake;
use crate::rt::engine::{Capture, Playback};
use crate::rt::ring::{Consumer, Producer, RingBuffer, RingError};
use crate::rt::stats::Stats;
use crate::sample::{SampleError, SampleFormat, check_frames, check_samples};

/// State shared by a stream, its workers and its stop handles (never the
/// callback).
#[derive(Debug, Default)]
pub(super) struct Control {
    /// The run is over: workers finish (a sink drains its ring first).
    pub(super) stopping: AtomicBool,
    /// A stop handle asked the run to end.
    pub(super) stop_requested: AtomicBool,
    /// A stop handle asked the workers to end now, without draining.
    pub(super) hurry: AtomicBool,
    pub(super) error: Mutex<Option<StreamError>>,
}

/// Signs of life of one worker thread, so that a stop can tell a worker
/// that is busy (a slow disk, a slow reader) from one that is stuck (a
/// pipe nobody reads). Every call a worker makes to its
/// [`WorkerContext`] is a sign of life; the time between two, outside the
/// waits of [`WorkerContext::pause`], is a stretch of work.
#[derive(Debug)]
pub(super) struct Pulse {
    epoch: Instant,
    /// Microseconds from `epoch` to the last sign of life.
    last: AtomicU64,
    /// The longest stretch of work seen, in microseconds.
    longest: AtomicU64,
    /// How long the worker said its calls may block, in microseconds.
    floor: AtomicU64,
    pausing: AtomicBool,
}

/// The most a stop waits for a worker that works in long stretches.
pub(crate) const MAX_PATIENCE: Duration = Duration::from_secs(10);

impl Pulse {
    pub(super) fn new() -> Arc<Pulse> {
        Arc::new(Pulse {
            epoch: Instant::now(),
            last: AtomicU64::new(0),
            longest: AtomicU64::new(0),
            floor: AtomicU64::new(0),
            pausing: AtomicBool::new(false),
        })
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    /// A sign of life.
    pub(super) fn beat(&self) {
        let now = self.now();
        let last = self.last.swap(now, Ordering::AcqRel);
        if !self.pausing.load(Ordering::Acquire) {
            self.longest
                .fetch_max(now.saturating_sub(last), Ordering::AcqRel);
        }
    }

    /// The worker starts waiting for work: not a stretch of work.
    pub(super) fn pause_begins(&self) {
        self.beat();
        self.pausing.store(true, Ordering::Release);
    }

    pub(super) fn pause_ends(&self) {
        self.pausing.store(false, Ordering::Release);
        self.last.store(self.now(), Ordering::Release);
    }

    /// How long the worker has shown no sign of life (none while it
    /// waits for work: a pause ends by itself).
    fn silent_for(&self) -> Duration {
        if self.pausing.load(Ordering::Acquire) {
            return Duration::ZERO;
        }
        Duration::from_micros(self.now().saturating_sub(self.last.load(Ordering::Acquire)))
    }

    /// The worker's calls may block this long (at most [`MAX_PATIENCE`]).
    pub(super) fn may_block_for(&self, d: Duration) {
        let d = d.min(MAX_PATIENCE).as_micros() as u64;
        self.floor.fetch_max(d, Ordering::AcqRel);
    }

    /// How long a stop waits for a silent worker: `stall`, four times the
    /// longest stretch of work it has shown, or how long it said its calls
    /// may block, whichever is longest (at most [`MAX_PATIENCE`] but for
    /// `stall`).
    fn patience(&self, stall: Duration) -> Duration {
        let longest = Duration::from_micros(self.longest.load(Ordering::Acquire));
        let floor = Duration::from_micros(self.floor.load(Ordering::Acquire));
        stall.max((longest * 4).min(MAX_PATIENCE)).max(floor)
    }
}

/// A worker thread of a run and its signs of life.
pub(super) struct Running<T> {
    pub(super) handle: JoinHandle<T>,
    pub(super) pulse: Arc<Pulse>,
}

/// How a worker thread ended.
pub(super) enum Joined<T> {
    /// It returned (`None`: it panicked).
    Done(Option<T>),
    /// It showed no sign of life for this long and was left behind.
    LeftBehind(Duration),
}

impl<T> Running<T> {
    /// Waits for the thread to end as long as it shows signs of life,
    /// giving up on it once it has been silent for its patience (see
    /// [`Pulse::patience`]).
    pub(super) fn join(self, stall: Duration, wake: &Wake) -> Joined<T> {
        loop {
            let seen = wake.count();
            if self.handle.is_finished() {
                return Joined::Done(self.handle.join().ok());
            }
            let silent = self.pulse.silent_for();
            if silent > self.pulse.patience(stall) {
                // The thread is detached: it ends whenever its call
                // returns, or with the process.
                return Joined::LeftBehind(silent);
            }
            wake.wait_past(seen, Duration::from_millis(2));
        }
    }
}

impl Control {
    pub(super) fn fail(&self, e: StreamError, stats: &Stats) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
        stats.request_abort();
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
) -> Result<Running<(Box<F>, R)>, StreamError>
where
    F: FnMut(&mut R, &WorkerContext) -> Result<(), WorkerError> + Send + ?Sized + 'static,
    R: Send + 'static,
{
    let pulse = ctx.pulse.clone();
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
            ctx.wake.ring();
            (f, ring)
        })
        .map(|handle| Running { handle, pulse })
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
    Feeder(Running<(Box<FeedFn>, Producer)>),
    /// A feeder thread, joined: what it gave back, if it did not panic
    /// and was not left behind.
    Joined(Option<(Box<FeedFn>, Producer)>),
}

pub(super) enum SinkSlot {
    None,
    Memory(usize),
    /// A ring the caller reads; paced by its reader or not.
    Ring(Producer, bool),
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
    Ring(bool),
    Drainer(Running<(Box<DrainFn>, Consumer)>),
    /// A drainer thread, joined: what it gave back, if it did not panic
    /// and was not left behind.
    Joined(Option<(Box<DrainFn>, Consumer)>),
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
                check_samples(data.len(), self.format)?;
                let samples = data.len() / self.format.sample_size();
                check_frames(samples, self.playback_channels, self.format)?;
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
        let fs = self.input_format.frame_size(self.capture_channels);
        self.sink = match sink {
            None => SinkSlot::None,
            Some(Sink::Memory(frames)) => SinkSlot::Memory(frames),
            Some(Sink::Ring(p)) => {
                check_ring(p.format(), p.element_size(), self.input_format, fs)?;
                SinkSlot::Ring(p, false)
            }
            Some(Sink::PacedRing(p)) => {
                check_ring(p.format(), p.element_size(), self.input_format, fs)?;
                SinkSlot::Ring(p, true)
            }
            Some(Sink::Drainer {
                drain,
                buffer_frames,
            }) => {
                let (producer, consumer) = RingBuffer::new(
                    self.input_format,
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
                let fs = self.input_format.frame_size(self.capture_channels);
                (
                    Capture::Memory {
                        buf: vec![self.input_format.silence_byte(); frames * fs],
                        len: 0,
                    },
                    None,
                )
            }
            SinkSlot::Ring(producer, paced) => {
                self.sink = SinkSlot::Running(RunningSink::Ring(paced));
                (
                    Capture::Ring {
                        producer,
                        draining: Arc::new(AtomicBool::new(paced)),
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

    /// Joins the worker threads: a file sink finalizes its file before its
    /// thread ends. A worker silent for longer than its patience is left
    /// behind (a sink with [`StreamError::Stalled`]). What they give back
    /// waits in the slots for [`restore`](Self::restore).
    pub(super) fn join_workers(&mut self) {
        let stall = self.stall_limit();
        if let SourceSlot::Running(RunningSource::Feeder(_)) = self.source {
            if let SourceSlot::Running(RunningSource::Feeder(running)) =
                std::mem::replace(&mut self.source, SourceSlot::None)
            {
                // A source left behind (blocked reading a pipe) loses
                // nothing the run still needs.
                let back = match running.join(stall, &self.wake) {
                    Joined::Done(back) => back,
                    Joined::LeftBehind(_) => None,
                };
                self.source = SourceSlot::Running(RunningSource::Joined(back));
            }
        }
        if let SinkSlot::Running(RunningSink::Drainer(_)) = self.sink {
            if let SinkSlot::Running(RunningSink::Drainer(running)) =
                std::mem::replace(&mut self.sink, SinkSlot::None)
            {
                let back = match running.join(stall, &self.wake) {
                    Joined::Done(back) => back,
                    Joined::LeftBehind(silent) => {
                        let waited_ms = silent.as_millis() as u64;
                        self.control
                            .fail(StreamError::Stalled { waited_ms }, &self.stats);
                        None
                    }
                };
                self.sink = SinkSlot::Running(RunningSink::Joined(back));
            }
        }
    }

    /// How long a stop waits for a silent worker or a host that does not
    /// end its callback: a block and a half, at least 100 ms.
    pub(super) fn stall_limit(&self) -> Duration {
        let block = if self.blocksize == 0 {
            512
        } else {
            self.blocksize
        };
        crate::host::block_duration(block, self.samplerate)
            .mul_f64(1.5)
            .max(Duration::from_millis(100))
    }

    /// Joins the workers if that is still to do, and puts the sources and
    /// sinks back together from what the workers and the engine give back,
    /// for the next run; a memory recording becomes the stream's recording.
    pub(super) fn restore(&mut self, playback: Playback, capture: Capture) {
        self.join_workers();
        self.source = match std::mem::replace(&mut self.source, SourceSlot::None) {
            SourceSlot::Running(RunningSource::Memory(data)) => SourceSlot::Memory(data),
            SourceSlot::Running(RunningSource::Ring) => match playback {
                Playback::Ring { consumer, .. } => SourceSlot::Ring(consumer),
                _ => SourceSlot::None,
            },
            SourceSlot::Running(RunningSource::Joined(joined)) => match (joined, playback) {
                (Some((feed, producer)), Playback::Ring { consumer, .. }) => SourceSlot::Feeder {
                    feed,
                    producer,
                    consumer,
                },
                _ => SourceSlot::None,
            },
            SourceSlot::Running(RunningSource::Feeder(_)) => SourceSlot::None,
            other => other,
        };
        self.sink = match std::mem::replace(&mut self.sink, SinkSlot::None) {
            SinkSlot::Running(RunningSink::Memory) => {
                if let Capture::Memory { mut buf, len } = capture {
                    buf.truncate(len);
                    self.recording = Some(Recording::new(
                        buf,
                        self.input_format,
                        self.capture_channels,
                    ));
                }
                SinkSlot::None
            }
            SinkSlot::Running(RunningSink::Ring(paced)) => match capture {
                Capture::Ring { producer, .. } => SinkSlot::Ring(producer, paced),
                _ => SinkSlot::None,
            },
            SinkSlot::Running(RunningSink::Joined(joined)) => match (joined, capture) {
                (Some((drain, consumer)), Capture::Ring { producer, .. }) => SinkSlot::Drainer {
                    drain,
                    producer,
                    consumer,
                },
                _ => SinkSlot::None,
            },
            SinkSlot::Running(RunningSink::Drainer(_)) => SinkSlot::None,
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
