//! Streams without a callback of the user's: the program reads and writes
//! frames, and waits when they are not there yet (python-sounddevice's
//! `Stream.read` and `Stream.write`).
//!
//! Between the program and the audio thread are two ring buffers of a
//! quarter of a second (at least four blocks). A read that finds the
//! input ring emptied waits for the device; a write that finds the output
//! ring full waits for room. Input the program does not read in time is
//! dropped and flagged (`overflowed`), output it does not write in time is
//! played as silence and flagged (`underflowed`), as a device's own xruns
//! are. On the free-running virtual device the stream goes at the
//! program's pace: the device waits for the program, but never for the
//! direction the program is not serving (a program stuck in a write is not
//! waited for to read).
#![forbid(unsafe_code)]

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use super::{Direction, Stream, StreamConfig};
use crate::error::StreamError;
use crate::rt::callback::{CallbackResult, StatusFlags};
use crate::rt::ring::{Consumer, Producer, RingBuffer};
use crate::rt::user::{CallbackInfo, UserCallback};
use crate::sample::{Sample, SampleError};

const IDLE: u8 = 0;
const WRITING: u8 = 1;
const READING: u8 = 2;

/// What the program and the audio thread share, all atomic.
#[derive(Debug, Default)]
struct Shared {
    /// Frames written into, and played from, the output ring.
    written: AtomicU64,
    played: AtomicU64,
    /// Frames recorded into, and read from, the input ring.
    captured: AtomicU64,
    taken: AtomicU64,
    /// What the program is doing: IDLE, WRITING or READING.
    caller: AtomicU8,
    /// Frames the program still waits for: to read, or room to write.
    need: AtomicU64,
    underflowed: AtomicBool,
    overflowed: AtomicBool,
}

/// A stream the program reads and writes; see the [module docs](self). It
/// dereferences to [`Stream`] for the lifecycle and the properties.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning).blocksize(256);
/// use pastream::BlockingStream;
///
/// let mut stream = BlockingStream::<f32>::duplex(&config.channels(1))?;
/// stream.start()?;
/// let underflowed = stream.write(&[0.5f32; 1024])?;
/// let (input, overflowed) = stream.read(1024)?;
/// assert_eq!(input.len(), 1024);
/// assert!(!underflowed && !overflowed);
/// // The loopback's delay (one block), then what was written.
/// assert_eq!(input[256..], [0.5f32; 768]);
/// stream.stop()?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub struct BlockingStream<T: Sample> {
    stream: Stream,
    playback: Option<Producer>,
    capture: Option<Consumer>,
    shared: Arc<Shared>,
    sample: PhantomData<T>,
}

impl<T: Sample> std::fmt::Debug for BlockingStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("BlockingStream").field(&self.stream).finish()
    }
}

impl<T: Sample> BlockingStream<T> {
    fn open(direction: Direction, config: &StreamConfig) -> Result<Self, StreamError> {
        if let Some(got) = config.format.filter(|f| *f != T::FORMAT) {
            return Err(SampleError::Mismatch {
                expected: got,
                got: T::FORMAT,
            }
            .into());
        }
        let config = config.clone().format(T::FORMAT).input_format(T::FORMAT);
        let mut stream = Stream::open(direction, &config)?;
        let (ins, outs) = stream.channels();
        let block = stream.blocksize.max(512);
        let frames = ((stream.samplerate / 4.0) as usize)
            .max(4 * block)
            .next_power_of_two();
        let shared = Arc::new(Shared::default());
        let (playback, mut from_program) = match outs {
            0 => (None, None),
            n => {
                let (p, c) = RingBuffer::new(T::FORMAT, n, frames)?;
                (Some(p), Some(c))
            }
        };
        let (mut to_program, capture) = match ins {
            0 => (None, None),
            n => {
                let (p, c) = RingBuffer::new(T::FORMAT, n, frames)?;
                (Some(p), Some(c))
            }
        };
        let (in_fs, out_fs) = (T::FORMAT.frame_size(ins), T::FORMAT.frame_size(outs));
        let sh = shared.clone();
        let f = move |input: &[u8], output: &mut [u8], info: &CallbackInfo| {
            if let Some(p) = to_program.as_mut() {
                let n = p.write_raw(input);
                sh.captured.fetch_add(n as u64, Ordering::AcqRel);
                let lost = n * in_fs < input.len();
                let xrun = info.status.contains(StatusFlags::INPUT_OVERFLOW)
                    || info.status.contains(StatusFlags::INPUT_UNDERFLOW);
                if lost || xrun {
                    sh.overflowed.store(true, Ordering::Release);
                }
            }
            if let Some(c) = from_program.as_mut() {
                let n = c.read_raw_into(output);
                sh.played.fetch_add(n as u64, Ordering::AcqRel);
                let short = n * out_fs < output.len();
                if short || info.status.contains(StatusFlags::OUTPUT_UNDERFLOW) {
                    sh.underflowed.store(true, Ordering::Release);
                }
            }
            CallbackResult::Continue
        };
        let sh = shared.clone();
        let capacity = frames as u64;
        // The free-running device waits for the program: for output to
        // play, and for room to record; but not for the direction the
        // program waits on: a program waiting to read gets its input even
        // with no output written, one waiting to write gets room even
        // with its input unread.
        let ready = move |n: usize| {
            let n = n as u64;
            let caller = sh.caller.load(Ordering::Acquire);
            let need = sh.need.load(Ordering::Acquire);
            let queued = sh.written.load(Ordering::Acquire) - sh.played.load(Ordering::Acquire);
            let held = sh.captured.load(Ordering::Acquire) - sh.taken.load(Ordering::Acquire);
            let reader_waits = caller == READING && held < need;
            let writer_waits = caller == WRITING && capacity - queued < need;
            let out_ok = outs == 0 || queued >= n.min(capacity) || reader_waits;
            let in_ok = ins == 0 || held + n.min(capacity) <= capacity || writer_waits;
            out_ok && in_ok
        };
        let user = UserCallback::new(Box::new(f), stream.stats.clone(), T::FORMAT.silence_byte())
            .with_ready(Box::new(ready));
        stream.user = Some(Box::new(user));
        Ok(BlockingStream {
            stream,
            playback,
            capture,
            shared,
            sample: PhantomData,
        })
    }

    /// A stream that plays and records, sample-aligned, of `T` samples
    /// (a config that names another format is an error).
    ///
    /// # Errors
    ///
    /// As [`DuplexStream::open`](crate::DuplexStream::open);
    /// [`StreamError::Sample`] when the config names a format other than
    /// `T`'s.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// let stream = pastream::BlockingStream::<i16>::duplex(&config)?;
    /// assert_eq!(stream.channels(), (2, 2));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn duplex(config: &StreamConfig) -> Result<Self, StreamError> {
        Self::open(Direction::Duplex, config)
    }

    /// A stream that records.
    ///
    /// # Errors
    ///
    /// As [`duplex`](Self::duplex).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// let mut stream = pastream::BlockingStream::<f32>::input(&config)?;
    /// stream.start()?;
    /// let (frames, _overflowed) = stream.read(480)?;
    /// assert_eq!(frames.len(), 2 * 480);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn input(config: &StreamConfig) -> Result<Self, StreamError> {
        Self::open(Direction::Input, config)
    }

    /// A stream that plays.
    ///
    /// # Errors
    ///
    /// As [`duplex`](Self::duplex).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// let mut stream = pastream::BlockingStream::<f32>::output(&config)?;
    /// stream.start()?;
    /// stream.write(&[0.1f32; 2 * 4800])?;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn output(config: &StreamConfig) -> Result<Self, StreamError> {
        Self::open(Direction::Output, config)
    }

    /// Reads `frames` frames of input (interleaved), waiting for them as
    /// needed. Returns them, and whether input was lost since the last
    /// read (the program did not read in time, or the device reported an
    /// input xrun).
    ///
    /// # Errors
    ///
    /// [`StreamError::InvalidArgument`] for an output-only stream, or when
    /// the stream is not running (or stops before the frames came).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// let mut stream = pastream::BlockingStream::<i16>::input(&config.channels(1))?;
    /// stream.start()?;
    /// let (frames, overflowed) = stream.read(100)?;
    /// assert_eq!((frames.len(), overflowed), (100, false));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn read(&mut self, frames: usize) -> Result<(Vec<T>, bool), StreamError> {
        let ch = self.stream.channels().0;
        let Some(ring) = self.capture.as_mut() else {
            return Err(StreamError::invalid(
                "read",
                "an output stream has no input to read",
            ));
        };
        let mut out = vec![T::zeroed(); frames * ch];
        let mut got = 0;
        let taken = &self.shared.taken;
        wait_while(&self.stream, &self.shared, READING, || {
            let n = ring.read_into(&mut out[got * ch..])?;
            taken.fetch_add(n as u64, Ordering::AcqRel);
            got += n;
            Ok((frames - got, n))
        })?;
        let sh = &self.shared;
        Ok((out, sh.overflowed.swap(false, Ordering::AcqRel)))
    }

    /// Writes `data` (interleaved, whole frames), waiting for room as
    /// needed. Returns whether output was missing since the last write
    /// (the program did not write in time, or the device reported an
    /// output xrun).
    ///
    /// # Errors
    ///
    /// [`StreamError::Sample`] for a partial frame;
    /// [`StreamError::InvalidArgument`] for an input-only stream, or when
    /// the stream is not running.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// let mut stream = pastream::BlockingStream::<f32>::output(&config.channels(1))?;
    /// stream.start()?;
    /// let underflowed = stream.write(&[0.25f32; 48000])?;
    /// # let _ = underflowed;
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn write(&mut self, data: &[T]) -> Result<bool, StreamError> {
        let ch = self.stream.channels().1;
        let Some(ring) = self.playback.as_mut() else {
            return Err(StreamError::invalid(
                "write",
                "an input stream has nothing to play",
            ));
        };
        crate::sample::check_frames(data.len(), ch, T::FORMAT)?;
        let mut put = 0;
        let written = &self.shared.written;
        wait_while(&self.stream, &self.shared, WRITING, || {
            let n = ring.write(&data[put..])?;
            written.fetch_add(n as u64, Ordering::AcqRel);
            put += n * ch;
            Ok(((data.len() - put) / ch.max(1), n))
        })?;
        let sh = &self.shared;
        Ok(sh.underflowed.swap(false, Ordering::AcqRel))
    }

    /// Frames that can be read without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// let stream = pastream::BlockingStream::<f32>::input(&config)?;
    /// assert_eq!(stream.read_available(), 0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn read_available(&self) -> usize {
        self.capture.as_ref().map_or(0, Consumer::read_available)
    }

    /// Frames that can be written without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// let stream = pastream::BlockingStream::<f32>::output(&config)?;
    /// assert!(stream.write_available() >= 12000); // a quarter of a second
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn write_available(&self) -> usize {
        self.playback.as_ref().map_or(0, Producer::write_available)
    }
}

/// Runs `step` (which moves what it can and says how many frames are
/// still to move, and how many it moved) until nothing is left, waiting
/// for the device whenever it moves nothing; the program is `doing`
/// READING or WRITING meanwhile, and waits for what is left.
fn wait_while(
    stream: &Stream,
    shared: &Shared,
    doing: u8,
    mut step: impl FnMut() -> Result<(usize, usize), SampleError>,
) -> Result<(), StreamError> {
    let result = loop {
        let seen = stream.wake.count();
        match step() {
            Err(e) => break Err(e.into()),
            Ok((0, _)) => break Ok(()),
            Ok((_, 0)) if !stream.host.is_running() => break Err(not_running()),
            Ok((left, 0)) => {
                shared.need.store(left as u64, Ordering::Release);
                shared.caller.store(doing, Ordering::Release);
                // A free-running device waiting for the program looks
                // again now.
                stream.wake.ring();
                stream.wake.wait_past(seen + 1, stream.pause());
            }
            Ok(_) => {}
        }
    };
    shared.caller.store(IDLE, Ordering::Release);
    shared.need.store(0, Ordering::Release);
    result
}

fn not_running() -> StreamError {
    StreamError::invalid(
        "stream",
        "the stream is not running: start it before reading or writing",
    )
}

impl<T: Sample> Deref for BlockingStream<T> {
    type Target = Stream;
    fn deref(&self) -> &Stream {
        &self.stream
    }
}

impl<T: Sample> DerefMut for BlockingStream<T> {
    fn deref_mut(&mut self) -> &mut Stream {
        &mut self.stream
    }
}
