//! A stream's counters, readable from any thread while it runs.
#![forbid(unsafe_code)]

use std::sync::Arc;

use crate::rt::callback::{StatusFlags, TimeInfo};
use crate::rt::stats::{Stats, XrunEvent, Xruns};

/// The counters of a stream, readable from any thread while it runs: see
/// [`Stream::counters`](super::Stream::counters).
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
pub struct Counters(pub(super) Arc<Stats>);

impl Counters {
    /// Frames processed in the current (or last) run.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Transfer};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let counters = stream.counters();
    /// stream.record(&Transfer::new().frames(480).blocking(true))?;
    /// assert_eq!(counters.frame_count(), 480);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn frame_count(&self) -> u64 {
        self.0.frame_count()
    }

    /// Xruns of the current (or last) run, by kind.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Transfer};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let counters = stream.counters();
    /// stream.record(&Transfer::new().frames(480).blocking(true))?;
    /// assert_eq!(counters.xruns().total, 0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn xruns(&self) -> Xruns {
        self.0.xruns()
    }

    /// Where the xruns and playback underruns of the current (or last)
    /// run happened (see [`Stream::xrun_log`](crate::Stream::xrun_log)).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Transfer};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let counters = stream.counters();
    /// stream.record(&Transfer::new().frames(480).blocking(true))?;
    /// assert!(counters.xrun_log().is_empty());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn xrun_log(&self) -> Vec<XrunEvent> {
        self.0.xrun_log()
    }

    /// Status flags of the current (or last) run, OR-ed.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Transfer};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let counters = stream.counters();
    /// stream.record(&Transfer::new().frames(480).blocking(true))?;
    /// assert!(!counters.status().is_xrun());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn status(&self) -> StatusFlags {
        self.0.status()
    }

    /// Whether the playback has run out and the stream plays padding.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Transfer};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let counters = stream.counters();
    /// stream.record(&Transfer::new().frames(480).blocking(true))?;
    /// assert!(!counters.padding());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn padding(&self) -> bool {
        self.0.padding()
    }

    /// Timestamps of the last block.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{InputStream, Transfer};
    ///
    /// let mut stream = InputStream::open(&config)?;
    /// let counters = stream.counters();
    /// stream.record(&Transfer::new().frames(480).blocking(true))?;
    /// assert!(counters.last_time().current_time > 0.0);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn last_time(&self) -> TimeInfo {
        self.0.last_time()
    }
}
