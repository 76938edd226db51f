//! What a stream is opened with, and what one run does.
#![forbid(unsafe_code)]

use crate::host::{Clock, DeviceSelector, HostOptions, Latency, VirtualOptions};
use crate::sample::SampleFormat;

/// Settings to open a stream with; every setting has a default.
///
/// ```
/// use pastream::{Latency, SampleFormat, StreamConfig, InputStream};
///
/// let config = StreamConfig::new()
///     .device("loopback, Virtual")
///     .samplerate(44100.0)
///     .channels(8)
///     .format(SampleFormat::I24)
///     .blocksize(128)
///     .latency(Latency::Low);
/// let stream = InputStream::open(&config)?;
/// assert_eq!(stream.channels(), (8, 0));
/// assert_eq!(stream.format(), SampleFormat::I24);
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct StreamConfig {
    pub(super) device: Option<DeviceSelector>,
    pub(super) input_device: Option<DeviceSelector>,
    pub(super) samplerate: Option<f64>,
    pub(super) input_channels: Option<usize>,
    pub(super) output_channels: Option<usize>,
    pub(super) format: Option<SampleFormat>,
    pub(super) blocksize: usize,
    pub(super) latency: Latency,
    pub(super) callback_guard: Option<fn(&mut dyn FnMut())>,
    pub(super) host_options: HostOptions,
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

    /// A setting of one backend, read by that backend alone, e.g.
    /// [`VirtualOptions`]. Default: none.
    pub fn host_option<T: std::any::Any + Send + Sync>(mut self, option: T) -> Self {
        self.host_options.set(option);
        self
    }

    /// What paces a virtual device: the [`clock`](VirtualOptions::clock)
    /// of its [`VirtualOptions`]. Default: [`Clock::RealTime`].
    ///
    /// ```
    /// use pastream::{Clock, InputStream, StreamConfig, Transfer};
    ///
    /// // Free-running: 10 s of audio recorded as fast as the CPU allows.
    /// let config = StreamConfig::new().device("loopback").clock(Clock::FreeRunning);
    /// let mut stream = InputStream::open(&config)?;
    /// let t = std::time::Instant::now();
    /// stream.record(&Transfer::new().frames(480_000).blocking(true))?;
    /// assert!(t.elapsed().as_secs_f64() < 10.0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn clock(self, clock: Clock) -> Self {
        let mut options = self
            .host_options
            .get::<VirtualOptions>()
            .cloned()
            .unwrap_or_default();
        options.clock = clock;
        self.host_option(options)
    }
}

/// Playback and recording parameters of one run; see the
/// [engine docs](crate::rt::engine) for their exact meaning.
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
