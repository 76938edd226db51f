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
//! [`workers`] (sources, sinks, recordings, worker threads), [`kinds`]
//! (the three kinds of stream), [`chunks`](mod@chunks) (live input in chunks), and here
//! the lifecycle.
#![forbid(unsafe_code)]

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::StreamError;
use crate::host::{self, DeviceInfo, Direction, HostParams, HostStream};
use crate::rt::callback::{StatusFlags, TimeInfo};
use crate::rt::engine::{Capture, Engine, EngineConfig, Playback};
use crate::rt::mapping::{ChannelMap, FrameMapper};
use crate::rt::stats::{Outcome, Stats, Xruns};
use crate::sample::SampleFormat;

pub mod chunks;
pub mod config;
pub mod kinds;
pub mod workers;

pub use chunks::{ChunkOptions, Chunks};
pub use config::{Prebuffer, StreamConfig, Transfer};
pub use kinds::{DuplexStream, InputStream, OutputStream, chunks};
use workers::{Control, Role, RunningSink, RunningSource, SinkSlot, SourceSlot};
pub use workers::{DEFAULT_BUFFER_FRAMES, DrainFn, FeedFn, Recording, Sink, Source, WorkerContext};

/// The counters of a stream, readable from any thread while it runs: see
/// [`Stream::counters`].
///
/// ```
/// use pastream::{ChunkOptions, Clock, InputStream, StreamConfig};
///
/// let config = StreamConfig::new().device("loopback").clock(Clock::FreeRunning);
/// let mut stream = InputStream::open(&config)?;
/// let counters = stream.counters();
/// let mut chunks = stream.chunks::<f32>(ChunkOptions {
///     chunksize: Some(512),
///     frames: 4096,
///     ..ChunkOptions::default()
/// })?;
/// while let Some(chunk) = chunks.next_chunk() {
///     chunk?;
///     assert_eq!(counters.xruns().total, 0);
/// }
/// assert_eq!(counters.frame_count(), 4096);
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Counters(Arc<Stats>);

impl Counters {
    /// Frames processed in the current (or last) run.
    pub fn frame_count(&self) -> u64 {
        self.0.frame_count()
    }

    /// Xruns of the current (or last) run, by kind.
    pub fn xruns(&self) -> Xruns {
        self.0.xruns()
    }

    /// Status flags of the current (or last) run, OR-ed.
    pub fn status(&self) -> StatusFlags {
        self.0.status()
    }

    /// Whether the playback has run out and the stream plays padding.
    pub fn padding(&self) -> bool {
        self.0.padding()
    }

    /// Timestamps of the last block.
    pub fn last_time(&self) -> TimeInfo {
        self.0.last_time()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Active,
    Finished { aborted: bool },
    Closed,
}

/// A stream of any direction: the lifecycle that all streams share.
pub struct Stream {
    direction: Direction,
    host: Box<dyn HostStream>,
    device: DeviceInfo,
    input_device: DeviceInfo,
    samplerate: f64,
    input_channels: usize,
    output_channels: usize,
    playback_channels: usize,
    capture_channels: usize,
    format: SampleFormat,
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
        let params = HostParams {
            samplerate: config.samplerate.unwrap_or(device.default_samplerate),
            device: device.clone(),
            input_device: input_device.clone(),
            input_channels,
            output_channels,
            format: config.format.unwrap_or(SampleFormat::F32),
            blocksize: config.blocksize,
            latency: config.latency,
            callback_guard: config.callback_guard,
            options: config.host_options.clone(),
        };
        let host = host::open(&params)?;
        Ok(Stream {
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
        })
    }

    /// The device the stream runs on (its output device, when input and
    /// output are on two devices).
    pub fn device(&self) -> &DeviceInfo {
        &self.device
    }

    /// The device the stream records from: usually [`device`](Self::device).
    pub fn input_device(&self) -> &DeviceInfo {
        &self.input_device
    }

    /// Sample rate in Hz.
    pub fn samplerate(&self) -> f64 {
        self.samplerate
    }

    /// (input, output) channels; 0 for a direction the stream lacks.
    pub fn channels(&self) -> (usize, usize) {
        (self.input_channels, self.output_channels)
    }

    /// Sample format.
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// (recorded, played) channels of the data: the device's channels
    /// unless [`set_data_channels`](Self::set_data_channels) said otherwise.
    pub fn data_channels(&self) -> (usize, usize) {
        (self.capture_channels, self.playback_channels)
    }

    /// (recorded, played) frame sizes of the data in bytes.
    pub fn frame_size(&self) -> (usize, usize) {
        (
            self.format.frame_size(self.capture_channels),
            self.format.frame_size(self.playback_channels),
        )
    }

    /// Sets how many channels the recorded and the played data have, when
    /// they differ from the device's: channel maps then route data channels
    /// to device channels (see [`ChannelMap`]). Clears both maps and the
    /// source and sink.
    ///
    /// # Errors
    ///
    /// [`StreamError::Active`] while running; [`StreamError::InvalidArgument`] for
    /// zero channels in a direction the stream has.
    pub fn set_data_channels(
        &mut self,
        capture: usize,
        playback: usize,
    ) -> Result<(), StreamError> {
        if self.active() {
            return Err(StreamError::Active);
        }
        for (n, dev, what) in [
            (capture, self.input_channels, "recorded"),
            (playback, self.output_channels, "played"),
        ] {
            if dev > 0 && n == 0 {
                return Err(StreamError::invalid(
                    "channels",
                    format!("the {what} data needs at least one channel"),
                ));
            }
        }
        self.finish_run(false);
        self.capture_channels = if self.input_channels > 0 { capture } else { 0 };
        self.playback_channels = if self.output_channels > 0 {
            playback
        } else {
            0
        };
        self.tx_map = None;
        self.rx_map = None;
        self.source = SourceSlot::None;
        self.sink = SinkSlot::None;
        Ok(())
    }

    /// Frames per callback (0: chosen by the host).
    pub fn blocksize(&self) -> usize {
        self.blocksize
    }

    /// Whether the stream has input and output.
    pub fn is_duplex(&self) -> bool {
        self.direction == Direction::Duplex
    }

    /// The (input, output) latency in seconds.
    pub fn latency(&self) -> (f64, f64) {
        self.host.latency()
    }

    /// Fraction of the block period spent in the callback.
    pub fn cpu_load(&self) -> f64 {
        self.host.cpu_load()
    }

    /// The host's stream clock in seconds: the time base of
    /// [`last_time`](Self::last_time).
    pub fn time(&self) -> f64 {
        self.host.time()
    }

    /// Whether the callback is running.
    pub fn active(&self) -> bool {
        self.state == State::Active && self.host.is_running()
    }

    /// Whether the callback is not running.
    pub fn stopped(&self) -> bool {
        !self.active()
    }

    /// Whether the stream was started and its run is over (completed,
    /// stopped, aborted or failed).
    pub fn finished(&self) -> bool {
        match self.state {
            State::Finished { .. } => true,
            State::Active => !self.host.is_running(),
            _ => false,
        }
    }

    /// Whether the run ended by [`abort`](Self::abort) or by an error.
    pub fn aborted(&self) -> bool {
        match self.state {
            State::Finished { aborted } => aborted,
            State::Active => {
                !self.host.is_running() && !matches!(self.stats.outcome(), Outcome::Complete)
            }
            _ => false,
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Frames processed in the current (or last) run.
    pub fn frame_count(&self) -> u64 {
        self.stats.frame_count()
    }

    /// The counters of this stream's runs, as a handle that stays valid
    /// (and can move to another thread) while the stream is borrowed, for
    /// example by a [chunk loop](crate::Chunks).
    pub fn counters(&self) -> Counters {
        Counters(self.stats.clone())
    }

    /// Xruns of the current (or last) run, by kind.
    pub fn xruns(&self) -> Xruns {
        self.stats.xruns()
    }

    /// Status flags of the current (or last) run, OR-ed.
    pub fn status(&self) -> StatusFlags {
        self.stats.status()
    }

    /// Whether the playback of the current run has run out and the stream
    /// now plays padding.
    pub fn padding(&self) -> bool {
        self.stats.padding()
    }

    /// Timestamps of the last block.
    pub fn last_time(&self) -> TimeInfo {
        self.stats.last_time()
    }

    /// Makes the next runs stop at the first xrun (or playback underrun),
    /// with [`StreamError::Xrun`]. Default: off.
    pub fn set_stop_on_xrun(&mut self, stop: bool) {
        self.stop_on_xrun = stop;
    }

    /// Sets the number of frames for the next run; see [`Transfer`].
    pub fn set_frames(&mut self, frames: i64) {
        self.transfer.frames = frames;
    }

    /// Sets the padding for the next run; see [`Transfer`].
    pub fn set_pad(&mut self, pad: i64) {
        self.transfer.pad = pad;
    }

    /// Sets the recording offset for the next run; see [`Transfer`].
    pub fn set_offset(&mut self, offset: u64) {
        self.transfer.offset = offset;
    }

    /// The recording made into memory by the last run, once.
    pub fn take_recording(&mut self) -> Option<Recording> {
        self.recording.take()
    }

    /// Starts the stream, first waiting for the feeder's first write
    /// (see [`Prebuffer`]).
    ///
    /// # Errors
    ///
    /// [`StreamError::Closed`], [`StreamError::Active`], or a device error.
    pub fn start(&mut self) -> Result<(), StreamError> {
        self.start_with(Prebuffer::default())
    }

    /// Starts the stream with the given prebuffering.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn start_with(&mut self, prebuffer: Prebuffer) -> Result<(), StreamError> {
        match self.state {
            State::Closed => return Err(StreamError::Closed),
            State::Active if self.host.is_running() => return Err(StreamError::Active),
            State::Active => self.finish_run(false),
            _ => {}
        }
        // An error of the previous run that nobody collected is reported now.
        self.take_deferred()?;
        self.recording = None;
        self.control.stopping.store(false, Ordering::Release);
        if let Ok(mut e) = self.control.error.lock() {
            *e = None;
        }
        let cfg = EngineConfig {
            format: self.format,
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
            pause: self.pause(),
        };
        let ctx = |frame_size| WorkerContext {
            frame_size,
            ..base.clone()
        };
        if let Some((feed, producer)) = feeder {
            let ctx = ctx(self.format.frame_size(self.playback_channels));
            let feeding = feeding.clone();
            let handle = workers::spawn(Role::Source, ctx, feed, producer, move || {
                feeding.store(false, Ordering::Release)
            })?;
            self.source = SourceSlot::Running(RunningSource::Feeder(handle));
        }
        if let Some((drain, consumer)) = drainer {
            let ctx = ctx(self.format.frame_size(self.capture_channels));
            let handle = workers::spawn(Role::Sink, ctx, drain, consumer, || {})?;
            self.sink = SinkSlot::Running(RunningSink::Drainer(handle));
        }
        let want = match prebuffer {
            Prebuffer::None => 0,
            Prebuffer::FirstWrite => 1,
            Prebuffer::Frames(n) => n,
        };
        if want > 0 && matches!(self.source, SourceSlot::Running(RunningSource::Feeder(_))) {
            while !engine.is_ready(want) && feeding.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_micros(200));
            }
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

    fn pause(&self) -> Duration {
        // A free-running device waits for its workers: they must not sleep.
        if self.host.free_running() {
            return Duration::ZERO;
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

    /// Ends a run: stops the host, joins the workers, puts sources and
    /// sinks back, and turns how the run ended into the deferred error.
    fn finish_run(&mut self, abort: bool) {
        if self.state != State::Active {
            return;
        }
        self.control.stopping.store(true, Ordering::Release);
        let callback = self.host.stop(!abort);
        let mut parts = None;
        let mut stop_error = None;
        match callback {
            Ok(Some(cb)) => {
                let any: Box<dyn Any> = cb;
                if let Ok(engine) = any.downcast::<Engine>() {
                    parts = Some(engine.into_parts());
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
        let error = worker_error
            .or(host_error)
            .or(stop_error)
            .or(match outcome {
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
            });
        let aborted = abort || error.is_some() || outcome == Outcome::Aborted;
        self.state = State::Finished { aborted };
        if let Some(e) = error {
            self.deferred.get_or_insert(e);
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
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, StreamError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let poll = self
            .pause()
            .clamp(Duration::from_micros(100), Duration::from_millis(1));
        while self.state == State::Active && self.host.is_running() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(false);
            }
            std::thread::sleep(poll);
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
    pub fn stop(&mut self) -> Result<(), StreamError> {
        self.finish_run(false);
        self.take_deferred()
    }

    /// Stops the stream at once; queued output may be dropped.
    ///
    /// # Errors
    ///
    /// The deferred error of the run, if it failed before being aborted.
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
        let ss = self.format.sample_size();
        if tx {
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
                ss,
                0,
            )?;
            self.rx_map = map;
        }
        Ok(())
    }

    fn playback_frames(&self, source: &Source) -> Option<u64> {
        match source {
            Source::Memory { data: d, .. } => {
                Some((d.len() / self.format.frame_size(self.playback_channels)) as u64)
            }
            _ => None,
        }
    }

    /// Frames a run with playback `source` and `t` records, if bounded.
    fn recorded_frames(&self, source: Option<&Source>, t: &Transfer) -> Result<usize, StreamError> {
        let total = if t.frames >= 0 {
            let pad = if source.is_some() { t.pad.max(0) } else { 0 };
            t.frames as u64 + pad as u64
        } else {
            match source.and_then(|s| self.playback_frames(s)) {
                Some(n) if !t.looping && t.pad >= 0 => n + t.pad as u64,
                _ => {
                    return Err(StreamError::invalid(
                        "frames",
                        "the number of frames to record is unknown: give frames (the playback is not in memory, loops, or is padded forever)",
                    ));
                }
            }
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
