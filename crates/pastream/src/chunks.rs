//! Live input as a sequence of chunks.
//!
//! [`InputStream::chunks`](crate::InputStream::chunks) (and the same on a
//! duplex stream) starts the stream and hands out the recorded frames in
//! chunks of `chunksize` frames, each overlapping the one before by
//! `overlap` frames. A chunk is a view into the stream's ring buffer when
//! it does not wrap around the ring's end (no copy at all, overlap
//! included); otherwise it is copied, into the caller's `out` buffer if one
//! was given. The last chunk may be shorter.
//!
//! Chunks lend out the ring's memory, so they come from
//! [`Chunks::next_chunk`] rather than from an [`Iterator`]: each chunk is
//! valid until the next call.
//!
//! ```
//! use pastream::{Clock, ChunkOptions, DuplexStream, Source, StreamConfig, format};
//!
//! # pastream::host::set_quiet(true);
//! let config = StreamConfig::new()
//!     .device("loopback, Virtual")
//!     .channels(1)
//!     .clock(Clock::FreeRunning);
//! let mut stream = DuplexStream::open(&config)?;
//! let tone: Vec<f32> = (0..4800).map(|i| (i as f32 * 0.05).sin()).collect();
//! let mut chunks = stream.chunks(ChunkOptions {
//!     chunksize: Some(1024),
//!     overlap: 512,
//!     playback: Some(Source::samples(&tone)),
//!     pad: 0,
//!     ..ChunkOptions::default()
//! })?;
//! let mut n = 0;
//! while let Some(chunk) = chunks.next_chunk() {
//!     let samples: Vec<f32> = format::from_bytes(chunk?);
//!     assert!(samples.len() <= 1024);
//!     n += 1;
//! }
//! assert!(n >= 9);
//! # Ok::<(), pastream::StreamError>(())
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::StreamError;
use crate::ring::{Consumer, RingBuffer};
use crate::stream::{Source, Stream, Transfer};

/// Options of [`Chunks`]; see the [module docs](self).
pub struct ChunkOptions<'a> {
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
    pub out: Option<&'a mut [u8]>,
}

impl Default for ChunkOptions<'_> {
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

/// Live input in chunks; see the [module docs](self). Dropping it stops
/// the stream.
pub struct Chunks<'a> {
    stream: &'a mut Stream,
    consumer: Consumer,
    draining: Arc<AtomicBool>,
    chunk: Option<usize>,
    overlap: usize,
    carried: usize,
    pending: usize,
    frame_size: usize,
    copy: Vec<u8>,
    out: Option<&'a mut [u8]>,
    ended: bool,
    closed: bool,
}

impl std::fmt::Debug for Chunks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunks")
            .field("chunk", &self.chunk)
            .field("overlap", &self.overlap)
            .field("ended", &self.ended)
            .finish()
    }
}

impl<'a> Chunks<'a> {
    pub(crate) fn new(stream: &'a mut Stream, o: ChunkOptions<'a>) -> Result<Self, StreamError> {
        let blocksize = stream.block_frames();
        if o.chunksize == Some(0) {
            return Err(StreamError::invalid("chunksize must be at least one frame"));
        }
        let chunk = o.chunksize.or((blocksize > 0).then_some(blocksize));
        match chunk {
            None if o.overlap > 0 => {
                return Err(StreamError::invalid(
                    "overlap needs a chunksize (or a fixed blocksize)",
                ));
            }
            Some(c) if o.overlap >= c => {
                return Err(StreamError::invalid(format!(
                    "overlap of {} frames must be less than the chunksize of {c} frames",
                    o.overlap
                )));
            }
            _ => {}
        }
        let max_block = if blocksize == 0 { 512 } else { blocksize };
        let c = chunk.unwrap_or(0);
        let buffer_frames = o
            .buffer_frames
            .unwrap_or_else(|| (c * 4).max(max_block * 8).max(8192).next_power_of_two());
        let fs = stream.frame_size().0;
        let (producer, consumer) = RingBuffer::new(fs, buffer_frames)?;
        if buffer_frames < c + max_block {
            return Err(StreamError::invalid(format!(
                "a buffer of {buffer_frames} frames cannot hold a chunk of {c} frames and a block of {max_block}"
            )));
        }
        if let Some(out) = &o.out {
            let need = c.max(1) * fs;
            if out.len() < need {
                return Err(StreamError::invalid(format!(
                    "the output buffer has {} bytes, a chunk needs {need}",
                    out.len()
                )));
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
            frame_size: fs,
            copy: vec![0; c * fs],
            out: o.out,
            ended: false,
            closed: false,
        })
    }

    /// The next chunk, waiting for it to arrive; `None` after the last
    /// one. An error ends the sequence: it is the run's deferred error
    /// (e.g. [`StreamError::BufferFull`] when chunks were not taken fast
    /// enough on a real-time device).
    #[allow(clippy::should_implement_trait)]
    pub fn next_chunk(&mut self) -> Option<Result<&[u8], StreamError>> {
        if self.ended {
            return self.close();
        }
        self.consumer.advance(self.pending);
        self.pending = 0;
        let need = self.chunk.unwrap_or(1);
        let poll = self.stream.poll_interval();
        let mut spins = 0u32;
        let take = loop {
            let avail = self.consumer.read_available();
            if avail >= need {
                break self.chunk.unwrap_or(avail);
            }
            if !self.stream.host_running() {
                // The run is over; what arrived before it ended is all.
                let avail = self.consumer.read_available();
                if avail >= need {
                    break self.chunk.unwrap_or(avail);
                }
                self.ended = true;
                if avail > self.carried {
                    break avail;
                }
                return self.close();
            }
            spins += 1;
            if spins < 32 {
                std::thread::yield_now();
            } else {
                std::thread::sleep(poll);
            }
        };
        let fs = self.frame_size;
        let (a, b) = self.consumer.peek(take);
        let (bytes, frames): (&[u8], usize) = match self.out.as_deref_mut() {
            Some(out) => {
                let n = (a.len() + b.len()).min(out.len() / fs * fs);
                let from_a = n.min(a.len());
                out[..from_a].copy_from_slice(&a[..from_a]);
                out[from_a..n].copy_from_slice(&b[..n - from_a]);
                (&out[..n], n / fs)
            }
            None if b.is_empty() || self.chunk.is_none() => (a, a.len() / fs),
            None => {
                let n = a.len() + b.len();
                self.copy.resize(n, 0);
                self.copy[..a.len()].copy_from_slice(a);
                self.copy[a.len()..n].copy_from_slice(b);
                (&self.copy[..n], n / fs)
            }
        };
        self.pending = if self.ended {
            frames
        } else {
            frames - self.overlap.min(frames)
        };
        self.carried = frames - self.pending;
        Some(Ok(bytes))
    }
}

impl Chunks<'_> {
    /// Ends the run once, reporting its deferred error.
    fn close(&mut self) -> Option<Result<&[u8], StreamError>> {
        if std::mem::replace(&mut self.closed, true) {
            return None;
        }
        self.draining.store(false, Ordering::Release);
        self.stream.end_chunks(true).err().map(Err)
    }
}

impl Drop for Chunks<'_> {
    fn drop(&mut self) {
        self.draining.store(false, Ordering::Release);
        if !self.closed {
            // Stopped early: any error stays with the stream for its next
            // wait, stop or close.
            self.stream.end_chunks(false).ok();
        }
    }
}
