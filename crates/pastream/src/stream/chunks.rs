//! Live input as a sequence of chunks.
//!
//! [`InputStream::chunks`](crate::InputStream::chunks) (and the same on a
//! duplex stream), or the function [`chunks`](crate::chunks()) that opens a stream of its
//! own, starts the stream and hands out the recorded frames in chunks of
//! `chunksize` frames, each overlapping the one before by `overlap` frames.
//! A chunk is a slice of samples of the stream's format, interleaved.
//!
//! A chunk is a view into the stream's ring buffer when it does not wrap
//! around the ring's end (no copy at all, overlap included); otherwise it is
//! copied, into the caller's `out` buffer if one was given. The last chunk
//! may be shorter.
//!
//! Chunks lend out the ring's memory, so they come from
//! [`Chunks::next_chunk`] rather than from an [`Iterator`]: each chunk is
//! valid until the next call. The stream's counters stay readable during
//! the loop through [`Chunks::counters`] (or a [`Counters`] taken before).
//!
//! ```
//! use pastream::{Clock, ChunkOptions, DuplexStream, Source, StreamConfig};
//!
//! let config = StreamConfig::new()
//!     .device("loopback, Virtual")
//!     .channels(1)
//!     .clock(Clock::FreeRunning);
//! let mut stream = DuplexStream::open(&config)?;
//! let tone: Vec<f32> = (0..4800).map(|i| (i as f32 * 0.05).sin()).collect();
//! let mut chunks = stream.chunks::<f32>(ChunkOptions {
//!     chunksize: Some(1024),
//!     overlap: 512,
//!     playback: Some(Source::samples(&tone)),
//!     pad: 0,
//!     ..ChunkOptions::default()
//! })?;
//! let mut n = 0;
//! while let Some(chunk) = chunks.next_chunk() {
//!     let samples: &[f32] = chunk?;
//!     assert!(samples.len() <= 1024);
//!     n += 1;
//! }
//! assert!(n >= 9);
//! assert_eq!(chunks.counters().xruns().total, 0);
//! # Ok::<(), pastream::StreamError>(())
//! ```
#![forbid(unsafe_code)]

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::workers::SinkSlot;
use super::{Counters, Direction, Source, State, Stream, Transfer};
use crate::error::StreamError;
use crate::rt::ring::{Consumer, Producer, RingBuffer};
use crate::sample::{Sample, SampleError, cast};

/// Options of [`Chunks`]; see the [module docs](self).
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{ChunkOptions, InputStream};
///
/// let mut stream = InputStream::open(&config.channels(1))?;
/// let mut out = vec![0f32; 256];
/// let mut chunks = stream.chunks(ChunkOptions {
///     chunksize: Some(256),
///     overlap: 128,
///     frames: 1024,
///     out: Some(&mut out), // every chunk is copied here
///     ..ChunkOptions::default()
/// })?;
/// while let Some(chunk) = chunks.next_chunk() {
///     assert!(chunk?.len() <= 256);
/// }
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Debug)]
pub struct ChunkOptions<'a, T> {
    /// Frames per chunk. Default: the stream's blocksize; with blocksize 0,
    /// whatever has arrived (variable).
    pub chunksize: Option<usize>,
    /// Frames each chunk shares with the previous one; less than
    /// `chunksize`. Default: 0.
    pub overlap: usize,
    /// Frames to record (or play, with playback). Default: -1 (no limit).
    pub frames: i64,
    /// Padding after the playback; see [`Transfer`]. Default: -1.
    pub pad: i64,
    /// Recorded frames to drop at the start. Default: 0.
    pub offset: u64,
    /// Playback for a duplex stream. Default: none.
    pub playback: Option<Source>,
    /// Loop the playback. Default: false.
    pub looping: bool,
    /// Ring buffer size in frames, a power of two. Default: four chunks or
    /// eight blocks, at least 8192 frames.
    pub buffer_frames: Option<usize>,
    /// Caller-owned memory to copy each chunk into; at least one chunk.
    /// Default: none (chunks are views into the ring where possible).
    pub out: Option<&'a mut [T]>,
}

impl<T> Default for ChunkOptions<'_, T> {
    fn default() -> Self {
        ChunkOptions {
            chunksize: None,
            overlap: 0,
            frames: -1,
            pad: -1,
            offset: 0,
            playback: None,
            looping: false,
            buffer_frames: None,
            out: None,
        }
    }
}

/// The stream a [`Chunks`] runs: borrowed from the caller, or its own.
#[derive(Debug)]
pub(super) enum StreamRef<'a> {
    Borrowed(&'a mut Stream),
    Owned(Box<Stream>),
}

impl Deref for StreamRef<'_> {
    type Target = Stream;
    fn deref(&self) -> &Stream {
        match self {
            StreamRef::Borrowed(s) => s,
            StreamRef::Owned(s) => s,
        }
    }
}

impl DerefMut for StreamRef<'_> {
    fn deref_mut(&mut self) -> &mut Stream {
        match self {
            StreamRef::Borrowed(s) => s,
            StreamRef::Owned(s) => s,
        }
    }
}

/// Live input in chunks of samples of `T`, or of raw bytes (from
/// [`raw_chunks`](crate::InputStream::raw_chunks)); see the [module
/// docs](self). Dropping it stops the stream.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// use pastream::{ChunkOptions, Chunks, InputStream};
///
/// let mut stream = InputStream::open(&config)?;
/// let mut chunks: Chunks<f32> = stream.chunks(ChunkOptions { frames: 512, ..ChunkOptions::default() })?;
/// let mut samples = 0;
/// while let Some(chunk) = chunks.next_chunk() {
///     samples += chunk?.len();
/// }
/// assert_eq!(samples, 1024);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub struct Chunks<'a, T> {
    stream: StreamRef<'a>,
    consumer: Consumer,
    draining: Arc<AtomicBool>,
    chunk: Option<usize>,
    overlap: usize,
    carried: usize,
    pending: usize,
    /// Elements of `T` in a frame: the channels, or the frame's bytes for
    /// raw chunks.
    frame_elems: usize,
    copy: Vec<T>,
    out: Option<&'a mut [T]>,
    ended: bool,
    closed: bool,
}

impl<T> std::fmt::Debug for Chunks<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunks")
            .field("chunk", &self.chunk)
            .field("overlap", &self.overlap)
            .field("ended", &self.ended)
            .finish()
    }
}

impl<'a, T: Sample> Chunks<'a, T> {
    pub(super) fn new(stream: StreamRef<'a>, o: ChunkOptions<'a, T>) -> Result<Self, StreamError> {
        SampleError::check::<T>(stream.formats().0)?;
        let channels = stream.data_channels().0;
        Chunks::start(stream, o, channels)
    }

    fn start(
        mut stream: StreamRef<'a>,
        o: ChunkOptions<'a, T>,
        frame_elems: usize,
    ) -> Result<Self, StreamError> {
        let blocksize = stream.blocksize();
        if o.chunksize == Some(0) {
            return Err(StreamError::invalid(
                "chunksize",
                "a chunk needs at least one frame",
            ));
        }
        let chunk = o.chunksize.or((blocksize > 0).then_some(blocksize));
        match chunk {
            None if o.overlap > 0 => {
                return Err(StreamError::invalid(
                    "overlap",
                    "overlap needs a chunksize (or a fixed blocksize)",
                ));
            }
            Some(c) if o.overlap >= c => {
                return Err(StreamError::invalid(
                    "overlap",
                    format!(
                        "overlap of {} frames must be less than the chunksize of {c} frames",
                        o.overlap
                    ),
                ));
            }
            _ => {}
        }
        let max_block = if blocksize == 0 { 512 } else { blocksize };
        let c = chunk.unwrap_or(0);
        let buffer_frames = o
            .buffer_frames
            .unwrap_or_else(|| (c * 4).max(max_block * 8).max(8192).next_power_of_two());
        let (producer, consumer) =
            RingBuffer::new(stream.formats().0, stream.data_channels().0, buffer_frames)?;
        if buffer_frames < c + max_block {
            return Err(StreamError::invalid(
                "buffer_frames",
                format!(
                    "a buffer of {buffer_frames} frames cannot hold a chunk of {c} frames and a block of {max_block}"
                ),
            ));
        }
        if let Some(out) = &o.out {
            let need = c.max(1) * frame_elems;
            if out.len() < need {
                return Err(StreamError::invalid(
                    "out",
                    format!(
                        "the buffer holds {} elements, a chunk needs {need}",
                        out.len()
                    ),
                ));
            }
        }
        let draining = Arc::new(AtomicBool::new(true));
        let transfer = Transfer {
            frames: o.frames,
            pad: o.pad,
            offset: o.offset,
            looping: o.looping,
            blocking: false,
        };
        stream.prepare_chunks(o.playback, transfer, producer, draining.clone())?;
        stream.start()?;
        Ok(Chunks {
            stream,
            consumer,
            draining,
            chunk,
            overlap: o.overlap,
            carried: 0,
            pending: 0,
            frame_elems,
            copy: vec![T::zeroed(); c * frame_elems],
            out: o.out,
            ended: false,
            closed: false,
        })
    }

    /// The next chunk, waiting for it to arrive; `None` after the last
    /// one. An error ends the sequence: it is the run's deferred error
    /// (e.g. [`StreamError::BufferFull`] when chunks were not taken fast
    /// enough on a real-time device).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{ChunkOptions, InputStream};
    ///
    /// let mut stream = InputStream::open(&config.blocksize(100))?;
    /// let mut chunks = stream.chunks::<f32>(ChunkOptions { frames: 250, ..ChunkOptions::default() })?;
    /// let mut lengths = Vec::new();
    /// while let Some(chunk) = chunks.next_chunk() {
    ///     lengths.push(chunk?.len() / 2);
    /// }
    /// assert_eq!(lengths, [100, 100, 50]);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn next_chunk(&mut self) -> Option<Result<&[T], StreamError>> {
        let take = match self.wait_for_chunk()? {
            Ok(take) => take,
            Err(e) => return Some(Err(e)),
        };
        let (a, b) = self.consumer.peek_raw(take);
        let a_samples = a.len() / T::FORMAT.sample_size();
        let b_samples = b.len() / T::FORMAT.sample_size();
        let n = a_samples + b_samples;
        let view = if b.is_empty() || self.chunk.is_none() {
            cast::<T>(a).ok()
        } else {
            None
        };
        let samples: &[T] = match (self.out.as_deref_mut(), view) {
            (None, Some(v)) => v,
            (out, _) => {
                let dst = match out {
                    Some(out) => out,
                    None => {
                        self.copy.resize(n, T::zeroed());
                        &mut self.copy[..]
                    }
                };
                let n = n.min(dst.len() / self.frame_elems * self.frame_elems);
                let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut dst[..n]);
                let from_a = bytes.len().min(a.len());
                bytes[..from_a].copy_from_slice(&a[..from_a]);
                let rest = bytes.len() - from_a;
                bytes[from_a..].copy_from_slice(&b[..rest]);
                &dst[..n]
            }
        };
        let frames = samples.len() / self.frame_elems;
        self.pending = if self.ended {
            frames
        } else {
            frames - self.overlap.min(frames)
        };
        self.carried = frames - self.pending;
        Some(Ok(samples))
    }
}

impl<'a> Chunks<'a, u8> {
    /// Chunks of raw bytes, whatever the stream's format.
    pub(super) fn new_raw(
        stream: StreamRef<'a>,
        o: ChunkOptions<'a, u8>,
    ) -> Result<Self, StreamError> {
        let frame_size = stream.frame_size().0;
        Chunks::start(stream, o, frame_size)
    }
}

impl<T> Chunks<'_, T> {
    /// The stream's counters (frames, xruns, status), readable between
    /// chunks.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{ChunkOptions, InputStream};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let mut chunks = stream.chunks::<f32>(ChunkOptions { frames: 1000, ..ChunkOptions::default() })?;
    /// while let Some(chunk) = chunks.next_chunk() {
    ///     chunk?;
    ///     assert_eq!(chunks.counters().xruns().total, 0);
    /// }
    /// assert_eq!(chunks.counters().frame_count(), 1000);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn counters(&self) -> Counters {
        self.stream.counters()
    }

    /// The stream the chunks come from.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{ChunkOptions, InputStream};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let chunks = stream.chunks::<f32>(ChunkOptions { frames: 100, ..ChunkOptions::default() })?;
    /// assert_eq!(chunks.stream().channels(), (2, 0));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Consumes the previous chunk and waits for the next: the frames to
    /// take, `None` after the end, or the run's error.
    fn wait_for_chunk(&mut self) -> Option<Result<usize, StreamError>> {
        if self.ended {
            return self.close().map(Err);
        }
        if self.consumer.advance(self.pending) > 0 {
            // Room for a free-running device waiting to record.
            self.stream.wake.ring();
        }
        self.pending = 0;
        let need = self.chunk.unwrap_or(1);
        let poll = self.stream.pause();
        loop {
            let seen = self.stream.wake.count();
            let avail = self.consumer.read_available();
            if avail >= need {
                return Some(Ok(self.chunk.unwrap_or(avail)));
            }
            if !self.stream.host_running() {
                // The run is over; what arrived before it ended is all.
                let avail = self.consumer.read_available();
                if avail >= need {
                    return Some(Ok(self.chunk.unwrap_or(avail)));
                }
                self.ended = true;
                if avail > self.carried {
                    return Some(Ok(avail));
                }
                return self.close().map(Err);
            }
            self.stream.wake.wait_past(seen, poll);
        }
    }

    /// Ends the run once, reporting its deferred error.
    fn close(&mut self) -> Option<StreamError> {
        if std::mem::replace(&mut self.closed, true) {
            return None;
        }
        self.draining.store(false, Ordering::Release);
        self.stream.end_chunks(true).err()
    }
}

impl<T> Drop for Chunks<'_, T> {
    fn drop(&mut self) {
        self.draining.store(false, Ordering::Release);
        if !self.closed {
            // Stopped early: any error stays with the stream for its next
            // wait, stop or close.
            self.stream.end_chunks(false).ok();
        }
    }
}

/// What [`Chunks`] needs from a stream.
impl Stream {
    fn prepare_chunks(
        &mut self,
        playback: Option<Source>,
        t: Transfer,
        producer: Producer,
        draining: Arc<AtomicBool>,
    ) -> Result<(), StreamError> {
        if playback.is_some() && self.direction != Direction::Duplex {
            return Err(StreamError::invalid(
                "playback",
                "playback with chunks needs a duplex stream",
            ));
        }
        self.set_source_slot(playback)?;
        self.set_sink_slot(None)?;
        self.sink = SinkSlot::Chunks { producer, draining };
        self.transfer = t;
        Ok(())
    }

    fn host_running(&self) -> bool {
        self.state == State::Active && self.host.is_running()
    }

    /// Ends a run of chunks; with `report`, returns its deferred error,
    /// otherwise leaves it for the next wait, stop or close.
    fn end_chunks(&mut self, report: bool) -> Result<(), StreamError> {
        self.finish_run(self.active());
        let r = if report { self.take_deferred() } else { Ok(()) };
        if let SinkSlot::Chunks { draining, .. } = &self.sink {
            draining.store(false, Ordering::Release);
        }
        self.sink = SinkSlot::None;
        r
    }
}
