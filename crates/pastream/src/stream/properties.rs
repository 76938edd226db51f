//! What a stream is and how its run goes: its settings, state and
//! counters, and the settings of its next run.
#![forbid(unsafe_code)]

use super::workers::{SinkSlot, SourceSlot};
use super::{Counters, Recording, State, Stream};
use crate::error::StreamError;
use crate::host::{DeviceInfo, Direction};
use crate::rt::callback::{StatusFlags, TimeInfo};
use crate::rt::stats::{Outcome, XrunEvent, Xruns};
use crate::sample::SampleFormat;

impl Stream {
    /// The device the stream runs on (its output device, when input and
    /// output are on two devices).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert_eq!(s.device().name, "loopback");
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn device(&self) -> &DeviceInfo {
        &self.device
    }

    /// The device the stream records from: usually [`device`](Self::device).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::DuplexStream::open(&config)?;
    /// assert_eq!(s.input_device(), s.device());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn input_device(&self) -> &DeviceInfo {
        &self.input_device
    }

    /// Sample rate in Hz.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert_eq!(s.samplerate(), 48000.0); // the default of the device
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn samplerate(&self) -> f64 {
        self.samplerate
    }

    /// (input, output) channels; 0 for a direction the stream lacks.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::OutputStream::open(&config)?;
    /// assert_eq!(s.channels(), (0, 2));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn channels(&self) -> (usize, usize) {
        (self.input_channels, self.output_channels)
    }

    /// Sample format: the output's (the input's for an input stream); see
    /// [`formats`](Self::formats) for a duplex stream with two.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert_eq!(s.format(), pastream::SampleFormat::F32);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// The (input, output) sample formats: what is recorded and what is
    /// played.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{DuplexStream, SampleFormat, StreamConfig};
    ///
    /// let config = StreamConfig::new().device("loopback").format(SampleFormat::I24);
    /// let s = DuplexStream::open(&config)?;
    /// assert_eq!(s.formats(), (SampleFormat::I24, SampleFormat::I24));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn formats(&self) -> (SampleFormat, SampleFormat) {
        (self.input_format, self.format)
    }

    /// Bytes in one sample of the stream's format (3 for packed int24).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// use pastream::{InputStream, SampleFormat};
    ///
    /// let s = InputStream::open(&config.format(SampleFormat::I24))?;
    /// assert_eq!(s.sample_size(), 3);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn sample_size(&self) -> usize {
        self.format.sample_size()
    }

    /// (recorded, played) channels of the data: the device's channels
    /// unless [`set_data_channels`](Self::set_data_channels) said otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::DuplexStream::open(&config)?;
    /// s.set_data_channels(1, 3)?;
    /// assert_eq!(s.data_channels(), (1, 3));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn data_channels(&self) -> (usize, usize) {
        (self.capture_channels, self.playback_channels)
    }

    /// (recorded, played) frame sizes of the data in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::DuplexStream::open(&config)?;
    /// assert_eq!(s.frame_size(), (8, 8)); // two float32 samples each way
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn frame_size(&self) -> (usize, usize) {
        (
            self.input_format.frame_size(self.capture_channels),
            self.format.frame_size(self.playback_channels),
        )
    }

    /// Sets how many channels the recorded and the played data have, when
    /// they differ from the device's: channel maps then route data channels
    /// to device channels (see [`ChannelMap`](crate::ChannelMap)). Clears both maps and the
    /// source and sink.
    ///
    /// # Errors
    ///
    /// [`StreamError::Active`] while running; [`StreamError::InvalidArgument`] for
    /// zero channels in a direction the stream has.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::DuplexStream::open(&config)?;
    /// // Play a mono buffer on output 2 of the stereo device.
    /// s.set_data_channels(2, 1)?;
    /// s.set_tx_map(Some(pastream::ChannelMap::new([0, 1])))?;
    /// s.play(vec![0.5f32; 480], &pastream::Transfer::new().blocking(true))?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert_eq!(s.blocksize(), 0); // chosen by the host
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn blocksize(&self) -> usize {
        self.blocksize
    }

    /// Whether the stream has input and output.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::DuplexStream::open(&config)?;
    /// assert!(s.is_duplex());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn is_duplex(&self) -> bool {
        self.direction == Direction::Duplex
    }

    /// The (input, output) latency in seconds.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::DuplexStream::open(&config)?;
    /// let (input, output) = s.latency();
    /// // The virtual loopback's round trip is one block of 512 frames.
    /// assert_eq!(input + output, 512.0 / 48000.0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn latency(&self) -> (f64, f64) {
        self.host.latency()
    }

    /// Fraction of the block period spent in the callback.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert!((0.0..=1.0).contains(&s.cpu_load()));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn cpu_load(&self) -> f64 {
        self.host.cpu_load()
    }

    /// The host's stream clock in seconds: the time base of
    /// [`last_time`](Self::last_time).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.record(&pastream::Transfer::new().frames(4800).blocking(true))?;
    /// assert!(s.time() > 0.09);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn time(&self) -> f64 {
        self.host.time()
    }

    /// Whether the callback is running.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert!(!s.active());
    /// s.start()?; // no frames given: runs until stopped
    /// assert!(s.active());
    /// s.stop()?;
    /// assert!(!s.active());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn active(&self) -> bool {
        self.state == State::Active && self.host.is_running()
    }

    /// Whether the callback is not running.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert!(s.stopped());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn stopped(&self) -> bool {
        !self.active()
    }

    /// Whether the stream was started and its run is over (completed,
    /// stopped, aborted or failed).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// assert!(!s.finished());
    /// s.record(&pastream::Transfer::new().frames(480).blocking(true))?;
    /// assert!(s.finished());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn finished(&self) -> bool {
        match self.state {
            State::Finished { .. } => true,
            State::Active => !self.host.is_running(),
            _ => false,
        }
    }

    /// Whether the run ended by [`abort`](Self::abort) or by an error.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.start()?;
    /// s.abort()?;
    /// assert!(s.aborted());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn aborted(&self) -> bool {
        match self.state {
            State::Finished { aborted } => aborted,
            State::Active => {
                !self.host.is_running()
                    && !matches!(self.stats.outcome(), Outcome::Complete | Outcome::Stopped)
            }
            _ => false,
        }
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.close()?;
    /// assert!(s.closed());
    /// assert!(s.start().is_err());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Frames processed in the current (or last) run.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.record(&pastream::Transfer::new().frames(480).blocking(true))?;
    /// assert_eq!(s.frame_count(), 480);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn frame_count(&self) -> u64 {
        self.stats.frame_count()
    }

    /// The counters of this stream's runs, as a handle that stays valid
    /// (and can move to another thread) while the stream is borrowed, for
    /// example by a [chunk loop](crate::Chunks).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// let counters = s.counters();
    /// let watcher = std::thread::spawn(move || counters.xruns().total);
    /// s.record(&pastream::Transfer::new().frames(480).blocking(true))?;
    /// assert_eq!(watcher.join().unwrap(), 0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn counters(&self) -> Counters {
        Counters(self.stats.clone())
    }

    /// Xruns of the current (or last) run, by kind.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.record(&pastream::Transfer::new().frames(480).blocking(true))?;
    /// assert_eq!(s.xruns(), pastream::Xruns::default());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn xruns(&self) -> Xruns {
        self.stats.xruns()
    }

    /// Where the xruns and playback underruns of the current (or last)
    /// run happened, the first
    /// [`XRUN_LOG_SIZE`](crate::rt::stats::XRUN_LOG_SIZE) of them.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{Clock, InputStream, StatusFlags, StreamConfig, Transfer, VirtualOptions};
    ///
    /// // The virtual device reports an input overflow with its block 3.
    /// let xrun = VirtualOptions {
    ///     clock: Clock::FreeRunning,
    ///     xruns: vec![(3, StatusFlags::INPUT_OVERFLOW)],
    ///     ..Default::default()
    /// };
    /// let config = StreamConfig::new().device("loopback").blocksize(100).host_option(xrun);
    /// let mut s = InputStream::open(&config)?;
    /// s.record(&Transfer::new().frames(1000).blocking(true))?;
    /// assert_eq!(s.xrun_log()[0].frame, 300);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn xrun_log(&self) -> Vec<XrunEvent> {
        self.stats.xrun_log()
    }

    /// Status flags of the current (or last) run, OR-ed.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.record(&pastream::Transfer::new().frames(480).blocking(true))?;
    /// assert!(!s.status().is_xrun());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn status(&self) -> StatusFlags {
        self.stats.status()
    }

    /// Whether the playback of the current run has run out and the stream
    /// now plays padding.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::OutputStream::open(&config)?;
    /// s.play(vec![0f32; 2 * 100], &pastream::Transfer::new().pad(100).blocking(true))?;
    /// assert!(s.padding());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn padding(&self) -> bool {
        self.stats.padding()
    }

    /// Timestamps of the last block.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.record(&pastream::Transfer::new().frames(4800).blocking(true))?;
    /// assert!(s.last_time().current_time > 0.0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn last_time(&self) -> TimeInfo {
        self.stats.last_time()
    }

    /// Makes the next runs stop at the first xrun (or playback underrun),
    /// with [`StreamError::Xrun`]. Default: off.
    ///
    /// # Examples
    ///
    /// ```
    /// # let xrun = pastream::VirtualOptions { xruns: vec![(3, pastream::StatusFlags::OUTPUT_UNDERFLOW)], ..Default::default() };
    /// # let config = pastream::StreamConfig::new().device("loopback").blocksize(64).host_option(xrun).clock(pastream::Clock::FreeRunning);
    /// # let mut s = pastream::OutputStream::open(&config)?;
    /// s.set_stop_on_xrun(true);
    /// let e = s.play(vec![0f32; 2 * 4800], &pastream::Transfer::new().blocking(true)).unwrap_err();
    /// assert!(matches!(e, pastream::StreamError::Xrun { .. }));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn set_stop_on_xrun(&mut self, stop: bool) {
        self.stop_on_xrun = stop;
    }

    /// Sets the number of frames for the next run; see [`Transfer`](crate::Transfer).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.set_frames(960);
    /// s.start()?;
    /// s.wait(None)?;
    /// assert_eq!(s.frame_count(), 960);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn set_frames(&mut self, frames: i64) {
        self.transfer.frames = frames;
    }

    /// Sets the padding for the next run; see [`Transfer`](crate::Transfer).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::OutputStream::open(&config)?;
    /// s.set_source(Some(pastream::Source::samples(&[0f32; 2 * 100])))?;
    /// s.set_pad(50);
    /// s.start()?;
    /// s.wait(None)?;
    /// assert_eq!(s.frame_count(), 150);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn set_pad(&mut self, pad: i64) {
        self.transfer.pad = pad;
    }

    /// Sets the recording offset for the next run; see [`Transfer`](crate::Transfer).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.set_sink(Some(pastream::Sink::Memory(400)))?;
    /// s.set_frames(500);
    /// s.set_offset(100);
    /// s.start()?;
    /// s.wait(None)?;
    /// assert_eq!(s.take_recording().unwrap().frames(), 400);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn set_offset(&mut self, offset: u64) {
        self.transfer.offset = offset;
    }

    /// The recording made into memory by the last run, once.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # #[allow(unused_mut)] let mut s = pastream::InputStream::open(&config)?;
    /// s.record(&pastream::Transfer::new().frames(480))?;
    /// s.wait(None)?;
    /// assert_eq!(s.take_recording().unwrap().frames(), 480);
    /// assert!(s.take_recording().is_none()); // once
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn take_recording(&mut self) -> Option<Recording> {
        self.recording.take()
    }
}
