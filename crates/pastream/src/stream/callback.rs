//! Streams whose callback is a function of the user's, as
//! python-sounddevice's `Stream(callback=...)`.
//!
//! The function runs on the audio thread once per block. It gets the
//! block's input and output as interleaved samples of the stream's format
//! (`&[T]`, `&mut [T]`; bytes in the raw forms, which also carry packed
//! 24-bit samples), and a [`CallbackInfo`]: the frames, where the block
//! starts in the run, its timestamps (input ADC, now, output DAC) and its
//! status flags. The output starts as silence: what the function leaves
//! unwritten is silent. It answers:
//!
//! - [`CallbackResult::Continue`]: call again with the next block;
//! - [`CallbackResult::Complete`]: this block is the last; the output the
//!   host holds still plays, then the run finishes;
//! - [`CallbackResult::Abort`]: the run ends now; this block's output is
//!   dropped.
//!
//! A panic in the function is caught: the run aborts and the panic comes
//! back as the run's error ([`HostErrorKind::CallbackPanicked`]).
//!
//! **The function runs under the real-time rules**: no allocation or
//! freeing, no lock, no blocking call, no system call, no I/O (no
//! `println!`). Move data to and from other threads through ring buffers
//! ([`RingBuffer`](crate::rt::ring::RingBuffer)) and atomics. The library's
//! own part of the callback keeps these rules (the tests run every
//! callback with allocation forbidden).
//!
//! [`HostErrorKind::CallbackPanicked`]: crate::HostErrorKind::CallbackPanicked
#![forbid(unsafe_code)]

use std::ops::{Deref, DerefMut};

use super::{Direction, Stream, StreamConfig};
use crate::error::StreamError;
use crate::rt::callback::CallbackResult;
use crate::rt::user::{CallbackInfo, RawCallbackFn, UserCallback};
use crate::sample::{Sample, SampleError};

/// A stream whose callback is a function of the user's; see the [module
/// docs](self). It dereferences to [`Stream`] for the lifecycle (start,
/// stop, abort, wait, close) and the properties.
///
/// # Examples
///
/// A sine wave, played until stopped:
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{CallbackResult, CallbackStream};
///
/// let mut phase = 0.0f32;
/// let step = 440.0 * std::f32::consts::TAU / 48000.0;
/// let mut stream = CallbackStream::output(&config.channels(1), move |out: &mut [f32], _info| {
///     for s in out.iter_mut() {
///         *s = 0.2 * phase.sin();
///         phase = (phase + step) % std::f32::consts::TAU;
///     }
///     CallbackResult::Continue
/// })?;
/// stream.start()?;
/// std::thread::sleep(std::time::Duration::from_millis(10));
/// stream.stop()?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub struct CallbackStream(Stream);

impl std::fmt::Debug for CallbackStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CallbackStream").field(&self.0).finish()
    }
}

/// Views `bytes` as samples of `T`; `None` when they are not aligned for
/// it (no host here hands out such buffers). A direction a stream lacks
/// comes as no bytes, whatever their address: no samples.
pub(super) fn view<T: Sample>(bytes: &[u8]) -> Option<&[T]> {
    match bytes {
        [] => Some(&[]),
        b => bytemuck::try_cast_slice(b).ok(),
    }
}

pub(super) fn view_mut<T: Sample>(bytes: &mut [u8]) -> Option<&mut [T]> {
    match bytes {
        [] => Some(&mut []),
        b => bytemuck::try_cast_slice_mut(b).ok(),
    }
}

impl CallbackStream {
    fn open(
        direction: Direction,
        config: &StreamConfig,
        format: Option<crate::SampleFormat>,
        f: Box<RawCallbackFn>,
    ) -> Result<CallbackStream, StreamError> {
        let config = match format {
            Some(want) => match config.format {
                Some(got) if got != want => {
                    return Err(SampleError::Mismatch {
                        expected: got,
                        got: want,
                    }
                    .into());
                }
                _ => config.clone().format(want).input_format(want),
            },
            // One format both ways: the function sees one.
            None => match config.format {
                Some(f) => config.clone().input_format(f),
                None => config.clone(),
            },
        };
        let mut s = Stream::open(direction, &config)?;
        s.user = Some(Box::new(UserCallback::new(
            f,
            s.stats.clone(),
            s.format.silence_byte(),
        )));
        Ok(CallbackStream(s))
    }

    /// A duplex stream: `f` gets each block's input and fills its output,
    /// both of the stream's channels, interleaved. The stream's sample
    /// format is `T`'s (a config that names another is an error).
    ///
    /// # Errors
    ///
    /// As [`DuplexStream::open`](crate::DuplexStream::open);
    /// [`StreamError::Sample`] when the config names a format other
    /// than `T`'s.
    ///
    /// # Examples
    ///
    /// A wire: the input played back.
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream};
    ///
    /// let mut wire = CallbackStream::duplex(&config, |input: &[f32], output: &mut [f32], info| {
    ///     output.copy_from_slice(input);
    ///     if info.start_frame > 48000 { CallbackResult::Complete } else { CallbackResult::Continue }
    /// })?;
    /// wire.start()?;
    /// wire.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn duplex<T: Sample>(
        config: &StreamConfig,
        mut f: impl FnMut(&[T], &mut [T], &CallbackInfo) -> CallbackResult + Send + 'static,
    ) -> Result<CallbackStream, StreamError> {
        let raw = move |i: &[u8], o: &mut [u8], info: &CallbackInfo| match (
            view::<T>(i),
            view_mut::<T>(o),
        ) {
            (Some(i), Some(o)) => f(i, o, info),
            _ => CallbackResult::Abort,
        };
        Self::open(Direction::Duplex, config, Some(T::FORMAT), Box::new(raw))
    }

    /// An input stream: `f` gets each block's input.
    ///
    /// # Errors
    ///
    /// As [`duplex`](Self::duplex).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream};
    ///
    /// let mut stream = CallbackStream::input(&config, |input: &[i16], info| {
    ///     assert_eq!(input.len(), 2 * info.frames);
    ///     CallbackResult::Complete
    /// })?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn input<T: Sample>(
        config: &StreamConfig,
        mut f: impl FnMut(&[T], &CallbackInfo) -> CallbackResult + Send + 'static,
    ) -> Result<CallbackStream, StreamError> {
        let raw = move |i: &[u8], _o: &mut [u8], info: &CallbackInfo| match view::<T>(i) {
            Some(i) => f(i, info),
            None => CallbackResult::Abort,
        };
        Self::open(Direction::Input, config, Some(T::FORMAT), Box::new(raw))
    }

    /// An output stream: `f` fills each block's output (silent when
    /// called).
    ///
    /// # Errors
    ///
    /// As [`duplex`](Self::duplex).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream};
    ///
    /// let mut stream = CallbackStream::output(&config, |out: &mut [f32], _info| {
    ///     out.fill(0.1);
    ///     CallbackResult::Complete
    /// })?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn output<T: Sample>(
        config: &StreamConfig,
        mut f: impl FnMut(&mut [T], &CallbackInfo) -> CallbackResult + Send + 'static,
    ) -> Result<CallbackStream, StreamError> {
        let raw = move |_i: &[u8], o: &mut [u8], info: &CallbackInfo| match view_mut::<T>(o) {
            Some(o) => f(o, info),
            None => CallbackResult::Abort,
        };
        Self::open(Direction::Output, config, Some(T::FORMAT), Box::new(raw))
    }

    /// A duplex stream on bytes, in the config's sample format (packed
    /// 24-bit samples are 3 bytes each).
    ///
    /// # Errors
    ///
    /// As [`DuplexStream::open`](crate::DuplexStream::open).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream, SampleFormat};
    ///
    /// let config = config.format(SampleFormat::I24);
    /// let mut stream = CallbackStream::raw_duplex(&config, |input, output, info| {
    ///     assert_eq!(input.len(), 2 * 3 * info.frames);
    ///     output.copy_from_slice(input);
    ///     CallbackResult::Complete
    /// })?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn raw_duplex(
        config: &StreamConfig,
        f: impl FnMut(&[u8], &mut [u8], &CallbackInfo) -> CallbackResult + Send + 'static,
    ) -> Result<CallbackStream, StreamError> {
        Self::open(Direction::Duplex, config, None, Box::new(f))
    }

    /// An input stream on bytes.
    ///
    /// # Errors
    ///
    /// As [`InputStream::open`](crate::InputStream::open).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream};
    ///
    /// let mut stream = CallbackStream::raw_input(&config, |input, info| {
    ///     assert_eq!(input.len(), 8 * info.frames); // two float32 channels
    ///     CallbackResult::Complete
    /// })?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn raw_input(
        config: &StreamConfig,
        mut f: impl FnMut(&[u8], &CallbackInfo) -> CallbackResult + Send + 'static,
    ) -> Result<CallbackStream, StreamError> {
        let raw = move |i: &[u8], _o: &mut [u8], info: &CallbackInfo| f(i, info);
        Self::open(Direction::Input, config, None, Box::new(raw))
    }

    /// An output stream on bytes.
    ///
    /// # Errors
    ///
    /// As [`OutputStream::open`](crate::OutputStream::open).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream};
    ///
    /// let mut stream = CallbackStream::raw_output(&config, |output, _info| {
    ///     assert!(output.iter().all(|&b| b == 0)); // silence when called
    ///     CallbackResult::Complete
    /// })?;
    /// stream.start()?;
    /// stream.wait(None)?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn raw_output(
        config: &StreamConfig,
        mut f: impl FnMut(&mut [u8], &CallbackInfo) -> CallbackResult + Send + 'static,
    ) -> Result<CallbackStream, StreamError> {
        let raw = move |_i: &[u8], o: &mut [u8], info: &CallbackInfo| f(o, info);
        Self::open(Direction::Output, config, None, Box::new(raw))
    }

    /// Sets a function called whenever a run ends (completed, aborted,
    /// stopped or failed), on the thread that ends it: the one in
    /// [`wait`](Stream::wait), [`stop`](Stream::stop) or
    /// [`abort`](Stream::abort). It may allocate and block.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use pastream::{CallbackResult, CallbackStream};
    ///
    /// let ended = Arc::new(AtomicBool::new(false));
    /// let mut stream = CallbackStream::output(&config, |_out: &mut [f32], _info| CallbackResult::Complete)?;
    /// let flag = ended.clone();
    /// stream.set_finished_callback(Some(move || flag.store(true, Ordering::Release)));
    /// stream.start()?;
    /// stream.wait(None)?;
    /// assert!(ended.load(Ordering::Acquire));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn set_finished_callback(&mut self, f: Option<impl FnMut() + Send + 'static>) {
        self.0.finished = f.map(|f| Box::new(f) as Box<dyn FnMut() + Send>);
    }

    /// The stream, without the callback's own operations.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{CallbackResult, CallbackStream, Stream};
    ///
    /// let s = CallbackStream::output(&config, |_o: &mut [f32], _i| CallbackResult::Complete)?;
    /// let stream: Stream = s.into_stream();
    /// assert!(stream.stopped());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn into_stream(self) -> Stream {
        self.0
    }
}

impl Deref for CallbackStream {
    type Target = Stream;
    fn deref(&self) -> &Stream {
        &self.0
    }
}

impl DerefMut for CallbackStream {
    fn deref_mut(&mut self) -> &mut Stream {
        &mut self.0
    }
}
