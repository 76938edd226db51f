//! Buffered streams: a device, the engine in its callback, and the worker
//! threads that feed and drain the engine's ring buffers.
//!
//! [`InputStream`], [`OutputStream`] and [`DuplexStream`] share the
//! lifecycle of [`Stream`] (they dereference to it) and add the operations
//! of their direction. A stream is opened stopped; [`Stream::start`] runs
//! it until it completes, fails, or is stopped; it can then be started
//! again.

use std::any::Any;
use std::ops::{Deref, DerefMut};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::callback::{StatusFlags, TimeInfo};
use crate::engine::{Capture, Engine, EngineConfig, Outcome, Playback, Stats, Xruns};
use crate::error::{StreamError, WorkerError};
use crate::format::{Sample, SampleFormat, to_bytes};
use crate::host::{
    self, Clock, DeviceInfo, DeviceSelector, Direction, HostParams, HostStream, Latency,
    VirtualOptions,
};
use crate::mapping::{ChannelMap, FrameMapper};
use crate::ring::{Consumer, Producer, RingBuffer};

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
pub enum Source {
    /// Interleaved frames in the stream's format, in memory. Played by the
    /// callback directly, with no worker thread.
    Memory(Arc<[u8]>),
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

impl Source {
    /// A feeder thread with the default ring size.
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
        Source::Memory(to_bytes(samples).into())
    }
}

impl From<Vec<u8>> for Source {
    fn from(v: Vec<u8>) -> Self {
        Source::Memory(v.into())
    }
}

impl From<&[u8]> for Source {
    fn from(v: &[u8]) -> Self {
        Source::Memory(v.into())
    }
}

impl From<Arc<[u8]>> for Source {
    fn from(v: Arc<[u8]>) -> Self {
        Source::Memory(v)
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

impl From<Producer> for Sink {
    fn from(p: Producer) -> Self {
        Sink::Ring(p)
    }
}

/// What a worker thread knows about its stream.
#[derive(Clone, Debug)]
pub struct WorkerContext {
    stats: Arc<Stats>,
    control: Arc<Control>,
    looping: bool,
    samplerate: f64,
    frame_size: usize,
    pause: Duration,
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
struct Control {
    stopping: AtomicBool,
    error: Mutex<Option<StreamError>>,
}

impl Control {
    fn fail(&self, e: StreamError, stats: &Stats) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
        stats.request_abort();
    }
}

/// Settings to open a stream with; every setting has a default.
#[derive(Clone, Debug, Default)]
pub struct StreamConfig {
    device: Option<DeviceSelector>,
    input_device: Option<DeviceSelector>,
    samplerate: Option<f64>,
    input_channels: Option<usize>,
    output_channels: Option<usize>,
    format: Option<SampleFormat>,
    blocksize: usize,
    latency: Latency,
    callback_guard: Option<fn(&mut dyn FnMut())>,
    virtual_options: VirtualOptions,
}

impl StreamConfig {
    /// The defaults: default device, its sample rate, 2 channels (or the
    /// device's maximum if lower), float32, blocksize 0 (chosen by the host).
    pub fn new() -> Self {
        StreamConfig::default()
    }

    /// The device, by index or query string, for input and output alike.
    /// Default: the default device.
    pub fn device(mut self, device: impl Into<DeviceSelector>) -> Self {
        self.device = Some(device.into());
        self.input_device = None;
        self
    }

    /// A different device for the input of a duplex stream: the two
    /// devices must belong to one host API (not the virtual one). Set it
    /// after [`device`](Self::device). Default: the same device.
    pub fn input_device(mut self, device: impl Into<DeviceSelector>) -> Self {
        self.input_device = Some(device.into());
        self
    }

    /// Sample rate in Hz. Default: the device's.
    pub fn samplerate(mut self, rate: f64) -> Self {
        self.samplerate = Some(rate);
        self
    }

    /// Channels, for input and output alike. Default: 2.
    pub fn channels(mut self, channels: usize) -> Self {
        self.input_channels = Some(channels);
        self.output_channels = Some(channels);
        self
    }

    /// Input channels. Default: 2.
    pub fn input_channels(mut self, channels: usize) -> Self {
        self.input_channels = Some(channels);
        self
    }

    /// Output channels. Default: 2.
    pub fn output_channels(mut self, channels: usize) -> Self {
        self.output_channels = Some(channels);
        self
    }

    /// Sample format. Default: float32.
    pub fn format(mut self, format: SampleFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Frames per callback; 0 lets the host choose, and may vary.
    /// Default: 0.
    pub fn blocksize(mut self, frames: usize) -> Self {
        self.blocksize = frames;
        self
    }

    /// The latency to ask the device for. Default: [`Latency::High`].
    pub fn latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    /// A function run around every callback invocation, on the audio
    /// thread: for checks in tests (e.g. that no callback allocates).
    /// Default: none.
    pub fn callback_guard(mut self, guard: fn(&mut dyn FnMut())) -> Self {
        self.callback_guard = Some(guard);
        self
    }

    /// What paces a virtual device. Default: [`Clock::RealTime`].
    pub fn clock(mut self, clock: Clock) -> Self {
        self.virtual_options.clock = clock;
        self
    }

    /// All settings of virtual devices. Default: [`VirtualOptions::default`].
    pub fn virtual_options(mut self, options: VirtualOptions) -> Self {
        self.virtual_options = options;
        self
    }
}

/// Playback and recording parameters of one run; see the
/// [engine docs](crate::engine) for their exact meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Frames to play (or record, without playback); negative: until the
    /// playback runs out. Default: -1.
    pub frames: i64,
    /// Silent frames after the playback; negative: up to `frames`, or
    /// forever. Default: 0.
    pub pad: i64,
    /// Recorded frames to drop at the start. Default: 0.
    pub offset: u64,
    /// Play the playback over and over. Default: false.
    pub looping: bool,
    /// Return only when the run is over. Default: false.
    pub blocking: bool,
}

impl Default for Transfer {
    fn default() -> Self {
        Transfer {
            frames: -1,
            pad: 0,
            offset: 0,
            looping: false,
            blocking: false,
        }
    }
}

impl Transfer {
    /// The defaults.
    pub fn new() -> Self {
        Transfer::default()
    }
    /// Sets `frames`.
    pub fn frames(mut self, frames: i64) -> Self {
        self.frames = frames;
        self
    }
    /// Sets `pad`.
    pub fn pad(mut self, pad: i64) -> Self {
        self.pad = pad;
        self
    }
    /// Sets `offset`.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }
    /// Sets `looping`.
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }
    /// Sets `blocking`.
    pub fn blocking(mut self, blocking: bool) -> Self {
        self.blocking = blocking;
        self
    }
}

/// How long to wait for the first playback frames before starting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Prebuffer {
    /// Start at once.
    None,
    /// Wait for the feeder's first write. The default.
    #[default]
    FirstWrite,
    /// Wait until this many frames are buffered (or the ring is full, or
    /// the feeder finished).
    Frames(usize),
}

enum SourceSlot {
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

enum RunningSource {
    Memory(Arc<[u8]>),
    Ring,
    Feeder(JoinHandle<(Box<FeedFn>, Producer)>),
}

enum SinkSlot {
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

enum RunningSink {
    Memory,
    Ring,
    Drainer(JoinHandle<(Box<DrainFn>, Consumer)>),
    Chunks(Arc<AtomicBool>),
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
    free_running: bool,
    state: State,
    recording: Option<Vec<u8>>,
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
                return Err(StreamError::invalid(format!(
                    "{kind} stream needs at least one {what} channel"
                )));
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
            virtual_options: config.virtual_options.clone(),
        };
        let host = host::open(&params)?;
        let free_running =
            device.is_virtual() && config.virtual_options.clock == Clock::FreeRunning;
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
            free_running,
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
    /// [`StreamError::Active`] while running; [`StreamError::Invalid`] for
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
                return Err(StreamError::invalid(format!(
                    "the {what} data needs at least one channel"
                )));
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
    pub fn take_recording(&mut self) -> Option<Vec<u8>> {
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
        if let Some((mut feed, mut producer)) = feeder {
            let ctx = ctx(self.format.frame_size(self.playback_channels));
            let feeding = feeding.clone();
            let handle = std::thread::Builder::new()
                .name("pastream-source".into())
                .spawn(move || {
                    let r = catch_unwind(AssertUnwindSafe(|| feed(&mut producer, &ctx)));
                    match r {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => ctx.control.fail(StreamError::Source(e), &ctx.stats),
                        Err(_) => ctx.control.fail(
                            StreamError::Source("the source function panicked".into()),
                            &ctx.stats,
                        ),
                    }
                    feeding.store(false, Ordering::Release);
                    (feed, producer)
                })
                .map_err(|e| StreamError::Host(format!("cannot start the source thread: {e}")))?;
            self.source = SourceSlot::Running(RunningSource::Feeder(handle));
        }
        if let Some((mut drain, mut consumer)) = drainer {
            let ctx = ctx(self.format.frame_size(self.capture_channels));
            let handle = std::thread::Builder::new()
                .name("pastream-sink".into())
                .spawn(move || {
                    let r = catch_unwind(AssertUnwindSafe(|| drain(&mut consumer, &ctx)));
                    match r {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => ctx.control.fail(StreamError::Sink(e), &ctx.stats),
                        Err(_) => ctx.control.fail(
                            StreamError::Sink("the sink function panicked".into()),
                            &ctx.stats,
                        ),
                    }
                    (drain, consumer)
                })
                .map_err(|e| StreamError::Host(format!("cannot start the sink thread: {e}")))?;
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
        if self.free_running {
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

    fn take_playback(
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
                let data: Arc<[u8]> = consumer.read(usize::MAX).into();
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

    fn take_capture(&mut self) -> (Capture, Option<(Box<DrainFn>, Consumer)>) {
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

    fn restore(&mut self, playback: Playback, capture: Capture) {
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
                    self.recording = Some(buf);
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

    fn set_source_slot(&mut self, source: Option<Source>) -> Result<(), StreamError> {
        if self.active() {
            return Err(StreamError::Active);
        }
        self.finish_run(false);
        let fs = self.format.frame_size(self.playback_channels);
        self.source = match source {
            None => SourceSlot::None,
            Some(Source::Memory(d)) => SourceSlot::Memory(d),
            Some(Source::Ring(c)) => {
                check_ring("playback", c.element_size(), fs)?;
                SourceSlot::Ring(c)
            }
            Some(Source::Feeder {
                feed,
                buffer_frames,
            }) => {
                let (producer, consumer) =
                    RingBuffer::new(fs, buffer_frames.unwrap_or(DEFAULT_BUFFER_FRAMES))?;
                SourceSlot::Feeder {
                    feed,
                    producer,
                    consumer,
                }
            }
        };
        Ok(())
    }

    fn set_sink_slot(&mut self, sink: Option<Sink>) -> Result<(), StreamError> {
        if self.active() {
            return Err(StreamError::Active);
        }
        self.finish_run(false);
        let fs = self.format.frame_size(self.capture_channels);
        self.sink = match sink {
            None => SinkSlot::None,
            Some(Sink::Memory(frames)) => SinkSlot::Memory(frames),
            Some(Sink::Ring(p)) => {
                check_ring("recording", p.element_size(), fs)?;
                SinkSlot::Ring(p)
            }
            Some(Sink::Drainer {
                drain,
                buffer_frames,
            }) => {
                let (producer, consumer) =
                    RingBuffer::new(fs, buffer_frames.unwrap_or(DEFAULT_BUFFER_FRAMES))?;
                SinkSlot::Drainer {
                    drain,
                    producer,
                    consumer,
                }
            }
        };
        Ok(())
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
            Source::Memory(d) => {
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
                        "the number of frames to record is unknown: give frames (the playback is not in memory, loops, or is padded forever)",
                    ));
                }
            }
        };
        if t.offset > total {
            return Err(StreamError::invalid(format!(
                "offset of {} frames is more than the {total} frames of the run",
                t.offset
            )));
        }
        Ok((total - t.offset) as usize)
    }

    fn run(&mut self, t: &Transfer) -> Result<Option<Vec<u8>>, StreamError> {
        self.transfer = *t;
        self.start()?;
        if t.blocking {
            self.wait(None)?;
            return Ok(self.take_recording());
        }
        Ok(None)
    }
}

fn check_ring(which: &str, got: usize, want: usize) -> Result<(), StreamError> {
    if got == want {
        Ok(())
    } else {
        Err(StreamError::invalid(format!(
            "{which} ring buffer holds elements of {got} bytes, but a frame of this stream is {want} bytes"
        )))
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

macro_rules! stream_kind {
    ($(#[$doc:meta])* $name:ident, $dir:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(Stream);

        impl $name {
            /// Opens the stream, stopped.
            ///
            /// # Errors
            ///
            /// [`StreamError::Device`] when the device is not found or
            /// cannot do the settings; [`StreamError::Invalid`] for zero
            /// channels.
            pub fn open(config: &StreamConfig) -> Result<Self, StreamError> {
                Stream::open($dir, config).map($name)
            }
        }

        impl Deref for $name {
            type Target = Stream;
            fn deref(&self) -> &Stream {
                &self.0
            }
        }

        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut Stream {
                &mut self.0
            }
        }
    };
}

stream_kind!(
    /// A stream that records.
    InputStream,
    Direction::Input
);
stream_kind!(
    /// A stream that plays.
    OutputStream,
    Direction::Output
);
stream_kind!(
    /// A stream that plays and records with one callback, so that input and
    /// output are sample-aligned.
    DuplexStream,
    Direction::Duplex
);

macro_rules! output_ops {
    ($name:ident) => {
        impl $name {
            /// Sets (or clears) the playback source for the next runs.
            ///
            /// # Errors
            ///
            /// [`StreamError::Active`] while running; a ring whose element
            /// is not an output frame.
            pub fn set_source(&mut self, source: Option<Source>) -> Result<(), StreamError> {
                self.0.set_source_slot(source)
            }

            /// Sets the playback channel map: entry k is the playback
            /// channel (1-based, 0 = silence) played on output channel k.
            ///
            /// # Errors
            ///
            /// [`StreamError::Map`] for an out-of-range or repeated channel.
            pub fn set_tx_map(&mut self, map: Option<ChannelMap>) -> Result<(), StreamError> {
                self.0.set_map(true, map)
            }

            /// The playback channel map.
            pub fn tx_map(&self) -> Option<&ChannelMap> {
                self.0.tx_map.as_ref()
            }

            /// Sets whether playback loops.
            pub fn set_looping(&mut self, looping: bool) {
                self.0.transfer.looping = looping;
            }
        }
    };
}

macro_rules! input_ops {
    ($name:ident) => {
        impl $name {
            /// Sets (or clears) the recording sink for the next runs.
            ///
            /// # Errors
            ///
            /// [`StreamError::Active`] while running; a ring whose element
            /// is not an input frame.
            pub fn set_sink(&mut self, sink: Option<Sink>) -> Result<(), StreamError> {
                self.0.set_sink_slot(sink)
            }

            /// Sets the recording channel map: entry k is the input channel
            /// (1-based, 0 = silence) recorded as channel k.
            ///
            /// # Errors
            ///
            /// [`StreamError::Map`] for an out-of-range or repeated channel.
            pub fn set_rx_map(&mut self, map: Option<ChannelMap>) -> Result<(), StreamError> {
                self.0.set_map(false, map)
            }

            /// The recording channel map.
            pub fn rx_map(&self) -> Option<&ChannelMap> {
                self.0.rx_map.as_ref()
            }

            /// Records `t.frames` frames (which must be given), dropping the
            /// first `t.offset`, into memory. Returns the recording when
            /// `t.blocking`; otherwise collect it with
            /// [`take_recording`](Stream::take_recording) after
            /// [`wait`](Stream::wait).
            ///
            /// # Errors
            ///
            /// [`StreamError::Invalid`] without frames or with an offset
            /// beyond them; start errors; when blocking, the run's error.
            pub fn record(&mut self, t: &Transfer) -> Result<Option<Vec<u8>>, StreamError> {
                let frames = self.0.recorded_frames(None, t)?;
                self.0.set_source_slot(None)?;
                self.0.set_sink_slot(Some(Sink::Memory(frames)))?;
                self.0.run(t)
            }

            /// Reads live input as chunks; see [`Chunks`](crate::Chunks).
            ///
            /// # Errors
            ///
            /// [`StreamError::Invalid`] for impossible options.
            pub fn chunks<'a>(
                &'a mut self,
                options: crate::chunks::ChunkOptions<'a>,
            ) -> Result<crate::chunks::Chunks<'a>, StreamError> {
                crate::chunks::Chunks::new(&mut self.0, options)
            }
        }
    };
}

output_ops!(OutputStream);
output_ops!(DuplexStream);
input_ops!(InputStream);
input_ops!(DuplexStream);

impl OutputStream {
    /// Plays `playback` with `t.frames`, `t.pad` and `t.looping`.
    ///
    /// # Errors
    ///
    /// Start errors; when blocking, the run's error.
    pub fn play(&mut self, playback: impl Into<Source>, t: &Transfer) -> Result<(), StreamError> {
        self.0.set_source_slot(Some(playback.into()))?;
        self.0.run(t).map(|_| ())
    }
}

impl DuplexStream {
    /// Plays `playback` only; the input is not recorded.
    ///
    /// # Errors
    ///
    /// Start errors; when blocking, the run's error.
    pub fn play(&mut self, playback: impl Into<Source>, t: &Transfer) -> Result<(), StreamError> {
        self.0.set_sink_slot(None)?;
        self.0.set_source_slot(Some(playback.into()))?;
        self.0.run(t).map(|_| ())
    }

    /// Plays `playback` and records the input, sample-aligned, into
    /// memory. The recording is `frames + pad - offset` frames (or, with
    /// `frames < 0`, the playback's length plus `pad`, less `offset`).
    ///
    /// # Errors
    ///
    /// [`StreamError::Invalid`] when the recording length cannot be known;
    /// start errors; when blocking, the run's error.
    pub fn playrec(
        &mut self,
        playback: impl Into<Source>,
        t: &Transfer,
    ) -> Result<Option<Vec<u8>>, StreamError> {
        let playback = playback.into();
        let frames = self.0.recorded_frames(Some(&playback), t)?;
        self.0.set_source_slot(Some(playback))?;
        self.0.set_sink_slot(Some(Sink::Memory(frames)))?;
        self.0.run(t)
    }
}

/// What [`Chunks`](crate::Chunks) needs from a stream.
impl Stream {
    pub(crate) fn prepare_chunks(
        &mut self,
        playback: Option<Source>,
        t: Transfer,
        producer: Producer,
        draining: Arc<AtomicBool>,
    ) -> Result<(), StreamError> {
        if playback.is_some() && self.direction != Direction::Duplex {
            return Err(StreamError::invalid(
                "playback with chunks needs a duplex stream",
            ));
        }
        self.set_source_slot(playback)?;
        self.set_sink_slot(None)?;
        self.sink = SinkSlot::Chunks { producer, draining };
        self.transfer = t;
        Ok(())
    }

    pub(crate) fn host_running(&self) -> bool {
        self.state == State::Active && self.host.is_running()
    }

    /// Ends a run of chunks; with `report`, returns its deferred error,
    /// otherwise leaves it for the next wait, stop or close.
    pub(crate) fn end_chunks(&mut self, report: bool) -> Result<(), StreamError> {
        self.finish_run(self.active());
        let r = if report { self.take_deferred() } else { Ok(()) };
        if let SinkSlot::Chunks { draining, .. } = &self.sink {
            draining.store(false, Ordering::Release);
        }
        self.sink = SinkSlot::None;
        r
    }

    pub(crate) fn poll_interval(&self) -> Duration {
        self.pause()
    }

    pub(crate) fn block_frames(&self) -> usize {
        self.blocksize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free() -> StreamConfig {
        crate::host::set_quiet(true);
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
