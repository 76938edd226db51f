//! Streams: a device, the engine in its callback, and the worker threads
//! that feed and drain the engine's ring buffers.
//!
//! [`InputStream`], [`OutputStream`] and [`DuplexStream`] share the
//! lifecycle of [`Stream`] (they dereference to it) and add the operations
//! of their direction. A stream is opened stopped; [`Stream::start`] runs
//! it until it completes, fails, or is stopped; it can then be started
//! again.
//!
//! The parts: [`config`] (what a stream is opened with, what a run does),
//! sources and sinks ([`Source`], [`Sink`], [`Recording`]) and the worker
//! threads that run them, [`kinds`] (the three kinds of stream),
//! [`chunks`](mod@chunks) (live input in chunks), the stream's properties
//! and [`Counters`], and here the lifecycle.
#![forbid(unsafe_code)]

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::StreamError;
use crate::host::{self, DeviceInfo, Direction, HostParams, HostStream, Wake};
use crate::rt::engine::{Capture, Engine, EngineConfig, Playback};
use crate::rt::mapping::{ChannelMap, FrameMapper};
use crate::rt::stats::{Outcome, Stats};
use crate::rt::user::UserCallback;
use crate::sample::SampleFormat;

pub mod blocking;
pub mod callback;
pub mod chunks;
pub mod config;
pub mod convenience;
mod counters;
pub mod defaults;
pub mod kinds;
pub mod mixer;
mod properties;
mod recording;
mod sources;
mod stop;
mod workers;

pub use chunks::{ChunkOptions, Chunks};
pub use config::{Prebuffer, StreamConfig, Transfer};
pub use counters::Counters;
pub use kinds::{DuplexStream, InputStream, OutputStream, chunks};
pub use recording::Recording;
pub use sources::{DEFAULT_BUFFER_FRAMES, DrainFn, FeedFn, Sink, Source, WorkerContext};
pub use stop::StopHandle;
pub(crate) use workers::MAX_PATIENCE as MAX_WORKER_PATIENCE;
use workers::{Control, Pulse, Role, RunningSink, RunningSource, SinkSlot, SourceSlot};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Active,
    Finished { aborted: bool },
    Closed,
}

/// A stream of any direction: the lifecycle that all streams share.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{InputStream, Stream, Transfer};
///
/// // The kinds dereference to the lifecycle they share.
/// let mut input = InputStream::open(&config)?;
/// input.set_frames(480);
/// let stream: &mut Stream = &mut input;
/// stream.start()?;
/// stream.wait(None)?;
/// assert!(stream.finished());
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub struct Stream {
    /// Rung by the workers, the free-running virtual device and the
    /// stream's own stop (see [`Wake`]).
    wake: Arc<Wake>,
    /// When the current run started, and the frames it will take if that
    /// is known: how long [`wait`](Self::wait) may sleep between looks.
    started: Instant,
    run_frames: Option<u64>,
    direction: Direction,
    host: Box<dyn HostStream>,
    device: DeviceInfo,
    input_device: DeviceInfo,
    samplerate: f64,
    input_channels: usize,
    output_channels: usize,
    playback_channels: usize,
    capture_channels: usize,
    /// The output's sample format (the input's for an input stream).
    format: SampleFormat,
    /// The input's sample format.
    input_format: SampleFormat,
    blocksize: usize,
    stats: Arc<Stats>,
    control: Arc<Control>,
    source: SourceSlot,
    sink: SinkSlot,
    tx_map: Option<ChannelMap>,
    rx_map: Option<ChannelMap>,
    transfer: Transfer,
    stop_on_xrun: bool,
    state: State,
    recording: Option<Recording>,
    deferred: Option<StreamError>,
    /// A user's callback, run instead of the engine (a
    /// [`CallbackStream`](callback::CallbackStream)), between its runs.
    user: Option<Box<UserCallback>>,
    /// Called when a run ends, on the thread that ends it.
    finished: Option<Box<dyn FnMut() + Send>>,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("direction", &self.direction)
            .field("device", &self.device.name)
            .field("samplerate", &self.samplerate)
            .field("channels", &(self.input_channels, self.output_channels))
            .field("format", &self.format)
            .field("blocksize", &self.blocksize)
            .field("state", &self.state)
            .finish()
    }
}

impl Stream {
    fn open(direction: Direction, config: &StreamConfig) -> Result<Stream, StreamError> {
        let (device, input_device) = match (&config.input_device, direction) {
            (Some(sel), Direction::Duplex) => (
                host::find_device(config.device.as_ref(), Direction::Output)?,
                host::find_device(Some(sel), Direction::Input)?,
            ),
            (Some(sel), Direction::Input) => {
                let d = host::find_device(Some(sel), Direction::Input)?;
                (d.clone(), d)
            }
            _ => {
                let d = host::find_device(config.device.as_ref(), direction)?;
                (d.clone(), d)
            }
        };
        let default_ch = |max: usize| 2.min(max);
        let input_channels = match direction {
            Direction::Output => 0,
            _ => config
                .input_channels
                .unwrap_or(default_ch(input_device.max_input_channels)),
        };
        let output_channels = match direction {
            Direction::Input => 0,
            _ => config
                .output_channels
                .unwrap_or(default_ch(device.max_output_channels)),
        };
        for (ch, what, used) in [
            (input_channels, "input", direction != Direction::Output),
            (output_channels, "output", direction != Direction::Input),
        ] {
            if used && ch == 0 {
                let kind = match direction {
                    Direction::Input => "an input",
                    Direction::Output => "an output",
                    Direction::Duplex => "a duplex",
                };
                return Err(StreamError::invalid(
                    "channels",
                    format!("{kind} stream needs at least one {what} channel"),
                ));
            }
        }
        let wake = Arc::new(Wake::default());
        let params = HostParams {
            samplerate: config.samplerate.unwrap_or(device.default_samplerate),
            device: device.clone(),
            input_device: input_device.clone(),
            input_channels,
            output_channels,
            format: match direction {
                Direction::Input => config.input_format.or(config.format),
                _ => config.format,
            }
            .unwrap_or(SampleFormat::F32),
            input_format: config
                .input_format
                .or(config.format)
                .unwrap_or(SampleFormat::F32),
            blocksize: config.blocksize,
            latency: config.latency,
            callback_guard: config.callback_guard,
            options: config.host_options.clone(),
            wake: wake.clone(),
        };
        let host = host::open(&params)?;
        Ok(Stream {
            wake,
            started: Instant::now(),
            run_frames: None,
            direction,
            host,
            device,
            input_device,
            samplerate: params.samplerate,
            input_channels,
            output_channels,
            playback_channels: output_channels,
            capture_channels: input_channels,
            format: params.format,
            input_format: params.input_format,
            blocksize: params.blocksize,
            stats: Stats::new(),
            control: Arc::default(),
            source: SourceSlot::None,
            sink: SinkSlot::None,
            tx_map: None,
            rx_map: None,
            transfer: Transfer::default(),
            stop_on_xrun: false,
            state: State::Idle,
            recording: None,
            deferred: None,
            user: None,
            finished: None,
        })
    }

    /// Starts the stream, first waiting for the feeder's first write
    /// (see [`Prebuffer`]).
    ///
    /// # Errors
    ///
    /// [`StreamError::Closed`], or a device error. Starting a stream that
    /// runs does nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.set_frames(480);
    /// s.start()?;
    /// s.wait(None)?;
    /// s.start()?; // and again
    /// s.wait(None)?;
    /// assert_eq!(s.frame_count(), 480);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn start(&mut self) -> Result<(), StreamError> {
        self.start_with(Prebuffer::default())
    }

    /// Starts the stream with the given prebuffering.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.set_frames(480);
    /// s.start_with(pastream::Prebuffer::None)?;
    /// s.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn start_with(&mut self, prebuffer: Prebuffer) -> Result<(), StreamError> {
        match self.state {
            State::Closed => return Err(StreamError::Closed),
            // Starting a running stream is not an error: it runs.
            State::Active if self.host.is_running() => return Ok(()),
            State::Active => self.finish_run(false),
            _ => {}
        }
        // An error of the previous run that nobody collected is reported now.
        self.take_deferred()?;
        self.recording = None;
        self.started = Instant::now();
        self.run_frames = self.run_frames();
        self.control.stopping.store(false, Ordering::Release);
        self.control.stop_requested.store(false, Ordering::Release);
        self.control.hurry.store(false, Ordering::Release);
        if let Ok(mut e) = self.control.error.lock() {
            *e = None;
        }
        if let Some(mut user) = self.user.take() {
            user.restart();
            return match self.host.start(user) {
                Ok(()) => {
                    self.state = State::Active;
                    Ok(())
                }
                Err(e) => Err(e.into()),
            };
        }
        let cfg = EngineConfig {
            format: self.format,
            input_format: self.input_format,
            output_channels: self.output_channels,
            input_channels: self.input_channels,
            playback_channels: self.playback_channels,
            capture_channels: self.capture_channels,
            frames: self.transfer.frames,
            pad: self.transfer.pad,
            offset: self.transfer.offset,
            tx_map: self.tx_map.clone(),
            rx_map: self.rx_map.clone(),
            stop_on_xrun: self.stop_on_xrun,
        };
        let feeding = Arc::new(AtomicBool::new(true));
        let (playback, feeder) = self.take_playback(&feeding);
        let (capture, drainer) = self.take_capture();
        let engine = match Engine::new(&cfg, playback, capture, self.stats.clone()) {
            Ok(e) => e,
            Err(e) => {
                self.source = SourceSlot::None;
                self.sink = SinkSlot::None;
                return Err(e.into());
            }
        };
        let base = WorkerContext {
            stats: self.stats.clone(),
            control: self.control.clone(),
            looping: self.transfer.looping,
            samplerate: self.samplerate,
            frame_size: 0,
            idle: Duration::ZERO,
            wake: self.wake.clone(),
            pulse: Pulse::new(),
        };
        let (free_running, samplerate) = (self.host.free_running(), self.samplerate);
        let ctx = |frame_size, ring_frames| WorkerContext {
            frame_size,
            idle: idle(free_running, ring_frames, samplerate),
            pulse: Pulse::new(),
            ..base.clone()
        };
        if let Some((feed, producer)) = feeder {
            let ctx = ctx(
                self.format.frame_size(self.playback_channels),
                producer.capacity(),
            );
            let feeding = feeding.clone();
            let handle = workers::spawn(Role::Source, ctx, feed, producer, move || {
                feeding.store(false, Ordering::Release)
            })?;
            self.source = SourceSlot::Running(RunningSource::Feeder(handle));
        }
        if let Some((drain, consumer)) = drainer {
            let ctx = ctx(
                self.input_format.frame_size(self.capture_channels),
                consumer.capacity(),
            );
            let handle = workers::spawn(Role::Sink, ctx, drain, consumer, || {})?;
            self.sink = SinkSlot::Running(RunningSink::Drainer(handle));
        }
        let want = match prebuffer {
            Prebuffer::None => 0,
            Prebuffer::FirstWrite => 1,
            Prebuffer::Frames(n) => n,
        };
        if want > 0 && matches!(self.source, SourceSlot::Running(RunningSource::Feeder(_))) {
            let mut seen = self.wake.count();
            while !engine.is_ready(want)
                && feeding.load(Ordering::Acquire)
                && !self.control.stop_requested.load(Ordering::Acquire)
            {
                seen = self.wake.wait_past(seen, Duration::from_millis(1));
            }
        }
        if self.control.stop_requested.load(Ordering::Acquire) {
            // Stopped before the device started (a playback pipe that
            // stalls while the prebuffer fills): the run ends here, the
            // workers are joined (or left behind), nothing was played.
            self.control.stopping.store(true, Ordering::Release);
            self.wake.ring();
            let (playback, capture) = engine.into_parts();
            self.restore(playback, capture);
            self.state = State::Finished { aborted: false };
            let worker_error = self.control.error.lock().ok().and_then(|mut e| e.take());
            return worker_error.map_or(Ok(()), Err);
        }
        if let Err(e) = self.host.start(Box::new(engine)) {
            // The workers are running: tell them the run is over and join
            // them. The engine, and the ring ends it held, are gone.
            self.control.stopping.store(true, Ordering::Release);
            self.restore(Playback::None, Capture::None);
            return Err(e.into());
        }
        self.state = State::Active;
        Ok(())
    }

    /// How often to look whether a chunk has arrived, or the callback has
    /// ended, when nothing rings: a quarter of a block (between 50 us and
    /// 5 ms); on a free-running device, which rings after every block,
    /// 10 ms.
    fn pause(&self) -> Duration {
        if self.host.free_running() {
            return Duration::from_millis(10);
        }
        let block = if self.blocksize == 0 {
            256
        } else {
            self.blocksize
        };
        host::block_duration(block, self.samplerate)
            .div_f64(4.0)
            .clamp(Duration::from_micros(50), Duration::from_millis(5))
    }

    /// Ends a run: the callback first, then the workers, then the host;
    /// puts sources and sinks back, and turns how the run ended into the
    /// deferred error.
    fn finish_run(&mut self, abort: bool) {
        if self.state != State::Active {
            return;
        }
        // The callback ends first, at its next block, and the workers drain
        // everything it produced: files are finalized before the host is
        // asked to stop, the call that some hosts (PortAudio's JACK host on
        // a server in trouble) answer by aborting the process. A host whose
        // device stopped calling back stops running by itself (it notices
        // the silence).
        if self.host.is_running() {
            if abort {
                self.stats.request_abort();
            } else {
                self.stats.request_stop();
            }
            self.wake.ring();
            // One more block at the most; the virtual device rings at its
            // end, a real one is looked at every millisecond meanwhile. A
            // host whose callback does not come within the stall limit
            // (and twice its latency) is given up: its device or server
            // stalls, and asking it to stop could block for as long.
            let (lat_in, lat_out) = self.host.latency();
            let latency =
                Duration::try_from_secs_f64(2.0 * lat_in.max(lat_out)).unwrap_or_default();
            let deadline = Instant::now() + self.stall_limit() + latency;
            let mut seen = self.wake.count();
            while self.host.is_running() {
                if Instant::now() >= deadline {
                    self.host.abandon();
                    break;
                }
                seen = self.wake.wait_past(seen, Duration::from_millis(1));
            }
        }
        self.control.stopping.store(true, Ordering::Release);
        self.wake.ring();
        self.join_workers();
        let callback = self.host.stop(!abort);
        let mut parts = None;
        let mut stop_error = None;
        match callback {
            Ok(Some(cb)) => {
                let any: Box<dyn Any> = cb;
                match any.downcast::<Engine>() {
                    Ok(engine) => parts = Some(engine.into_parts()),
                    Err(any) => {
                        if let Ok(user) = any.downcast::<UserCallback>() {
                            self.user = Some(user);
                        }
                    }
                }
            }
            Ok(None) => {}
            Err(e) => stop_error = Some(StreamError::from(e)),
        }
        let (playback, capture) = parts.unwrap_or_default();
        self.restore(playback, capture);

        let outcome = self.stats.outcome();
        let worker_error = self.control.error.lock().ok().and_then(|mut e| e.take());
        let host_error = self.host.take_error().map(StreamError::Host);
        // How the engine ended comes first: a worker's failure asks the
        // engine to abort, so an engine that ended for a reason of its own
        // (a full recording ring, say) did so before any worker failed,
        // and a broken pipe that follows does not hide it.
        let engine_error = match outcome {
            Outcome::BufferEmpty => Some(StreamError::BufferEmpty {
                played: self.stats.frame_count(),
                frames: self.transfer.frames,
            }),
            Outcome::BufferFull => Some(StreamError::BufferFull {
                frames: self.stats.frame_count(),
            }),
            Outcome::Xrun => Some(StreamError::Xrun {
                frames: self.stats.frame_count(),
                xruns: self.stats.xruns(),
            }),
            _ => None,
        };
        let error = engine_error.or(worker_error).or(host_error).or(stop_error);
        let aborted = abort || error.is_some() || outcome == Outcome::Aborted;
        self.state = State::Finished { aborted };
        if let Some(e) = error {
            self.deferred.get_or_insert(e);
        }
        if let Some(f) = self.finished.as_mut() {
            f();
        }
    }

    /// Waits until the run is over, or `timeout` passes. Returns `Ok(true)`
    /// when the run is over (or the stream never ran), `Ok(false)` on
    /// timeout.
    ///
    /// # Errors
    ///
    /// The deferred error of the run: [`StreamError::BufferEmpty`],
    /// [`StreamError::BufferFull`], a worker's error, or a host failure.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.set_frames(48000);
    /// s.start()?;
    /// let done = s.wait(Some(std::time::Duration::from_secs(60)))?;
    /// assert!(done);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, StreamError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        // The virtual device rings when its run ends; a real device's
        // callback may not (it makes no system call), so it is looked at
        // now and then: half the time the run still has to go when its
        // length is known, an eighth of the time it has run when not,
        // every 1 ms to 50 ms.
        loop {
            let seen = self.wake.count();
            if !(self.state == State::Active && self.host.is_running()) {
                break;
            }
            let mut nap = match self.run_frames {
                Some(total) => {
                    let left = total.saturating_sub(self.stats.frame_count()) as usize;
                    host::block_duration(left, self.samplerate) / 2
                }
                None => self.started.elapsed() / 8,
            }
            .clamp(Duration::from_millis(1), Duration::from_millis(50));
            // A host that notices a silent device by time is asked again
            // when it would.
            if let Some(t) = self.host.look_again() {
                nap = nap.min(t);
            }
            if let Some(d) = deadline {
                let now = Instant::now();
                if now >= d {
                    return Ok(false);
                }
                nap = nap.min(d - now);
            }
            self.wake.wait_past(seen, nap);
        }
        self.finish_run(false);
        self.take_deferred()?;
        Ok(true)
    }

    fn take_deferred(&mut self) -> Result<(), StreamError> {
        match self.deferred.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Stops the stream after the current block, letting queued output
    /// play.
    ///
    /// # Errors
    ///
    /// The deferred error of the run, if it failed before being stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::OutputStream::open(&config)?;
    /// s.start()?;
    /// s.stop()?;
    /// assert!(s.stopped() && !s.aborted());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn stop(&mut self) -> Result<(), StreamError> {
        self.finish_run(false);
        self.take_deferred()
    }

    /// Stops the stream at once; queued output may be dropped.
    ///
    /// # Errors
    ///
    /// The deferred error of the run, if it failed before being aborted.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::OutputStream::open(&config)?;
    /// s.start()?;
    /// s.abort()?;
    /// assert!(s.aborted());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn abort(&mut self) -> Result<(), StreamError> {
        if self.state == State::Active {
            self.stats.request_abort();
        }
        self.finish_run(true);
        if let State::Finished { .. } = self.state {
            self.state = State::Finished { aborted: true };
        }
        self.take_deferred()
    }

    /// Aborts the stream if it runs and closes it; a closed stream cannot
    /// be started again.
    ///
    /// # Errors
    ///
    /// The deferred error of the last run.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::OutputStream::open(&config)?;
    /// s.close()?;
    /// assert!(s.closed());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn close(&mut self) -> Result<(), StreamError> {
        if self.state == State::Closed {
            return Ok(());
        }
        let r = if self.active() {
            self.abort()
        } else {
            self.finish_run(false);
            self.take_deferred()
        };
        self.state = State::Closed;
        r
    }

    fn set_map(&mut self, tx: bool, map: Option<ChannelMap>) -> Result<(), StreamError> {
        if self.active() {
            return Err(StreamError::Active);
        }
        if tx {
            let ss = self.format.sample_size();
            FrameMapper::new(
                map.as_ref(),
                self.playback_channels,
                self.output_channels,
                ss,
                0,
            )?;
            self.tx_map = map;
        } else {
            FrameMapper::new(
                map.as_ref(),
                self.input_channels,
                self.capture_channels,
                self.input_format.sample_size(),
                0,
            )?;
            self.rx_map = map;
        }
        Ok(())
    }

    /// Frames of a playback in memory (raw bytes or samples).
    fn memory_frames(&self, data: &[u8]) -> u64 {
        (data.len() / self.format.frame_size(self.playback_channels).max(1)) as u64
    }

    /// Frames a run with playback `source` and `t` records, if bounded.
    fn recorded_frames(&self, source: Option<&Source>, t: &Transfer) -> Result<usize, StreamError> {
        let memory = match source {
            Some(Source::Memory { data, .. }) => Some(self.memory_frames(data)),
            _ => None,
        };
        let Some(total) = t.run_length(source.is_some(), memory) else {
            return Err(StreamError::invalid(
                "frames",
                "the number of frames to record is unknown: give frames (the playback is not in memory, loops, or is padded forever)",
            ));
        };
        if t.offset > total {
            return Err(StreamError::invalid(
                "offset",
                format!(
                    "offset of {} frames is more than the {total} frames of the run",
                    t.offset
                ),
            ));
        }
        Ok((total - t.offset) as usize)
    }

    /// Frames the next run takes, when that is known before it starts.
    fn run_frames(&self) -> Option<u64> {
        let memory = match &self.source {
            SourceSlot::Memory(data) => Some(self.memory_frames(data)),
            _ => None,
        };
        self.transfer
            .run_length(!matches!(self.source, SourceSlot::None), memory)
    }

    fn run(&mut self, t: &Transfer) -> Result<Option<Recording>, StreamError> {
        self.transfer = *t;
        self.start()?;
        if t.blocking {
            self.wait(None)?;
            return Ok(self.take_recording());
        }
        Ok(None)
    }
}

/// How long a worker with a ring of `ring_frames` frames waits for work
/// (see [`WorkerContext::pause`]): about a quarter of the ring, between 1 ms
/// and 100 ms; on a free-running device, until the device rings after its
/// next block (10 ms at the most).
fn idle(free_running: bool, ring_frames: usize, samplerate: f64) -> Duration {
    if free_running {
        return Duration::from_millis(10);
    }
    host::block_duration(ring_frames / 4, samplerate)
        .clamp(Duration::from_millis(1), Duration::from_millis(100))
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Clock;

    fn free() -> StreamConfig {
        StreamConfig::new()
            .device("loopback")
            .clock(Clock::FreeRunning)
            .blocksize(64)
    }

    #[test]
    fn closed_stream_cannot_start() {
        let mut s = OutputStream::open(&free()).unwrap();
        s.close().unwrap();
        assert!(s.closed());
        let e = s.start().unwrap_err();
        assert!(matches!(e, StreamError::Closed));
        assert_eq!(e.to_string(), "the stream is closed");
    }

    #[test]
    fn zero_channels_is_an_error() {
        let e = DuplexStream::open(&free().channels(0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a duplex stream needs at least one input channel"
        );
    }
}
