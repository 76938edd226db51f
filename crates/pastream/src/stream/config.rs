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
    pub(super) input_format: Option<SampleFormat>,
    pub(super) blocksize: usize,
    pub(super) latency: Latency,
    pub(super) callback_guard: Option<fn(&mut dyn FnMut())>,
    pub(super) host_options: HostOptions,
}

impl StreamConfig {
    /// The defaults: default device, its sample rate, 2 channels (or the
    /// device's maximum if lower), float32, blocksize 0 (chosen by the host).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::StreamConfig;
    ///
    /// let config = StreamConfig::new(); // the default device, 2 channels, float32
    /// let _ = config;
    ///
    /// ```
    pub fn new() -> Self {
        StreamConfig::default()
    }

    /// The device, by index or query string, for input and output alike.
    /// Default: the default device.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, StreamConfig};
    ///
    /// // By query: parts of "device name, host API", in order, any case.
    /// let stream = DuplexStream::open(&StreamConfig::new().device("loopback virtual"))?;
    /// assert_eq!(stream.device().name, "loopback");
    /// // By index.
    /// let index = stream.device().index;
    /// let again = DuplexStream::open(&StreamConfig::new().device(index))?;
    /// assert_eq!(again.device().index, index);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn device(mut self, device: impl Into<DeviceSelector>) -> Self {
        self.device = Some(device.into());
        self.input_device = None;
        self
    }

    /// A different device for the input of a duplex stream: the two
    /// devices must belong to one host API (not the virtual one). Set it
    /// after [`device`](Self::device). Default: the same device.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, StreamConfig, StreamError};
    ///
    /// // Two devices of the virtual host cannot share a stream.
    /// let config = StreamConfig::new()
    ///     .device("loopback (output only)")
    ///     .input_device("loopback (input only)");
    /// assert!(matches!(DuplexStream::open(&config), Err(StreamError::Device(_))));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn input_device(mut self, device: impl Into<DeviceSelector>) -> Self {
        self.input_device = Some(device.into());
        self
    }

    /// The device this configuration names, if it names one.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DeviceSelector, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback");
    /// assert_eq!(config.device_selector(), Some(&DeviceSelector::from("loopback")));
    /// assert_eq!(StreamConfig::new().device_selector(), None);
    /// ```
    pub fn device_selector(&self) -> Option<&DeviceSelector> {
        self.device.as_ref()
    }

    /// Sample rate in Hz. Default: the device's.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{InputStream, StreamConfig};
    ///
    /// let stream = InputStream::open(&StreamConfig::new().device("loopback").samplerate(96000.0))?;
    /// assert_eq!(stream.samplerate(), 96000.0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn samplerate(mut self, rate: f64) -> Self {
        self.samplerate = Some(rate);
        self
    }

    /// Channels, for input and output alike. Default: 2.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, StreamConfig};
    ///
    /// let stream = DuplexStream::open(&StreamConfig::new().device("loopback").channels(6))?;
    /// assert_eq!(stream.channels(), (6, 6));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn channels(mut self, channels: usize) -> Self {
        self.input_channels = Some(channels);
        self.output_channels = Some(channels);
        self
    }

    /// Input channels. Default: 2.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback").input_channels(4).output_channels(2);
    /// assert_eq!(DuplexStream::open(&config)?.channels(), (4, 2));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn input_channels(mut self, channels: usize) -> Self {
        self.input_channels = Some(channels);
        self
    }

    /// Output channels. Default: 2.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{OutputStream, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback").output_channels(8);
    /// assert_eq!(OutputStream::open(&config)?.channels(), (0, 8));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn output_channels(mut self, channels: usize) -> Self {
        self.output_channels = Some(channels);
        self
    }

    /// Sample format. Default: float32.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{InputStream, SampleFormat, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback").format(SampleFormat::I16);
    /// assert_eq!(InputStream::open(&config)?.format(), SampleFormat::I16);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn format(mut self, format: SampleFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// The sample format of the input, when it differs from the output's
    /// (`format`): a duplex stream may play float32 and record int16.
    /// Default: the same as `format`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, SampleFormat, StreamConfig};
    ///
    /// let config = StreamConfig::new()
    ///     .device("loopback")
    ///     .format(SampleFormat::F32)
    ///     .input_format(SampleFormat::I16);
    /// let stream = DuplexStream::open(&config)?;
    /// assert_eq!(stream.formats(), (SampleFormat::I16, SampleFormat::F32));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn input_format(mut self, format: SampleFormat) -> Self {
        self.input_format = Some(format);
        self
    }

    /// Frames per callback; 0 lets the host choose, and may vary.
    /// Default: 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{InputStream, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback").blocksize(128);
    /// assert_eq!(InputStream::open(&config)?.blocksize(), 128);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn blocksize(mut self, frames: usize) -> Self {
        self.blocksize = frames;
        self
    }

    /// The latency to ask the device for. Default: [`Latency::High`].
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{InputStream, Latency, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback").latency(Latency::Seconds(0.01));
    /// let _stream = InputStream::open(&config)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    /// A function run around every callback invocation, on the audio
    /// thread: for checks in tests (e.g. that no callback allocates).
    /// Default: none.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use pastream::{InputStream, Transfer};
    ///
    /// static CALLS: AtomicU64 = AtomicU64::new(0);
    /// fn count(callback: &mut dyn FnMut()) {
    ///     CALLS.fetch_add(1, Ordering::Relaxed);
    ///     callback();
    /// }
    /// let mut stream = InputStream::open(&config.blocksize(100).callback_guard(count))?;
    /// stream.record(&Transfer::new().frames(1000).blocking(true))?;
    /// assert_eq!(CALLS.load(Ordering::Relaxed), 10);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn callback_guard(mut self, guard: fn(&mut dyn FnMut())) -> Self {
        self.callback_guard = Some(guard);
        self
    }

    /// A setting of one backend, read by that backend alone, e.g.
    /// [`VirtualOptions`]. Default: none.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, StreamConfig, Transfer, VirtualOptions};
    ///
    /// // The loopback device with a round trip of 1000 frames.
    /// let config = StreamConfig::new()
    ///     .device("loopback")
    ///     .channels(1)
    ///     .blocksize(100)
    ///     .host_option(VirtualOptions { latency: Some(1000), ..VirtualOptions::default() })
    ///     .clock(pastream::Clock::FreeRunning);
    /// let mut stream = DuplexStream::open(&config)?;
    /// let rec = stream.playrec(vec![0.5f32; 100], &Transfer::new().pad(1000).blocking(true))?.unwrap();
    /// let samples: Vec<f32> = rec.samples()?;
    /// assert_eq!((samples[999], samples[1000]), (0.0, 0.5));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
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
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{DuplexStream, Transfer};
///
/// let mut stream = DuplexStream::open(&config.channels(1))?;
/// // Play 1000 frames, then 500 of silence; drop the first 100 recorded.
/// let t = Transfer::new().frames(1000).pad(500).offset(100).blocking(true);
/// let rec = stream.playrec(vec![0.5f32; 2000], &t)?.unwrap();
/// assert_eq!(rec.frames(), 1400);
/// # Ok::<(), pastream::StreamError>(())
/// ```
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

impl Transfer {
    /// Frames a run of this transfer takes, when that is known before it
    /// starts: its frames (with the padding, when there is a playback), or,
    /// with no frames given, the length of the playback (`playback_frames`,
    /// when known) and its padding, unless it loops or pads forever.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// assert_eq!(Transfer::new().frames(1000).pad(500).run_length(true, None), Some(1500));
    /// assert_eq!(Transfer::new().frames(1000).pad(500).run_length(false, None), Some(1000));
    /// assert_eq!(Transfer::new().pad(500).run_length(true, Some(48000)), Some(48500));
    /// assert_eq!(Transfer::new().looping(true).run_length(true, Some(48000)), None);
    /// ```
    pub fn run_length(&self, playback: bool, playback_frames: Option<u64>) -> Option<u64> {
        let pad = if playback { self.pad.max(0) as u64 } else { 0 };
        if self.frames >= 0 {
            return Some(self.frames as u64 + pad);
        }
        playback_frames
            .filter(|_| !self.looping && self.pad >= 0)
            .map(|n| n + pad)
    }
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
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// let t = Transfer::new();
    /// assert_eq!((t.frames, t.pad, t.offset, t.looping, t.blocking), (-1, 0, 0, false, false));
    /// ```
    pub fn new() -> Self {
        Transfer::default()
    }
    /// Sets `frames`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// assert_eq!(Transfer::new().frames(4800).frames, 4800);
    /// ```
    pub fn frames(mut self, frames: i64) -> Self {
        self.frames = frames;
        self
    }
    /// Sets `pad`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// assert_eq!(Transfer::new().pad(-1).pad, -1); // pad up to frames, or forever
    /// ```
    pub fn pad(mut self, pad: i64) -> Self {
        self.pad = pad;
        self
    }
    /// Sets `offset`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// assert_eq!(Transfer::new().offset(256).offset, 256);
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }
    /// Sets `looping`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// assert!(Transfer::new().looping(true).looping);
    /// ```
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }
    /// Sets `blocking`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::Transfer;
    ///
    /// assert!(Transfer::new().blocking(true).blocking);
    /// ```
    pub fn blocking(mut self, blocking: bool) -> Self {
        self.blocking = blocking;
        self
    }
}

/// How long to wait for the first playback frames before starting.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{OutputStream, Prebuffer, Source};
///
/// let mut stream = OutputStream::open(&config)?;
/// stream.set_source(Some(Source::feeder(|ring, ctx| {
///     while !ctx.done() && ring.write(&[0f32; 2 * 64])? > 0 {}
///     Ok(())
/// })))?;
/// stream.set_frames(4800);
/// // Start only once 2048 frames wait in the ring (or the ring is full).
/// stream.start_with(Prebuffer::Frames(2048))?;
/// stream.wait(None)?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
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
