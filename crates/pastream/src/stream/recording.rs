//! Recordings made into memory.
#![forbid(unsafe_code)]

use crate::sample::{Sample, SampleError, SampleFormat};

/// A recording made into memory: interleaved frames of the stream's
/// format.
///
/// ```
/// use pastream::{Clock, DuplexStream, StreamConfig, Transfer};
///
/// let config = StreamConfig::new().device("loopback").channels(1).clock(Clock::FreeRunning);
/// let mut stream = DuplexStream::open(&config)?;
/// let rec = stream
///     .playrec(vec![0.5f32; 1000], &Transfer::new().blocking(true))?
///     .expect("a blocking playrec returns the recording");
/// assert_eq!((rec.frames(), rec.channels()), (1000, 1));
/// let samples: Vec<f32> = rec.samples()?;
/// // An int16 view of float32 samples is refused, not reinterpreted.
/// assert!(rec.samples::<i16>().is_err());
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    data: Vec<u8>,
    format: SampleFormat,
    channels: usize,
}

impl Recording {
    pub(crate) fn new(data: Vec<u8>, format: SampleFormat, channels: usize) -> Recording {
        Recording {
            data,
            format,
            channels,
        }
    }

    /// The sample format.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # let mut stream = pastream::DuplexStream::open(&config.channels(1))?;
    /// # let rec = stream.playrec(vec![0.5f32; 100], &pastream::Transfer::new().blocking(true))?.unwrap();
    /// assert_eq!(rec.format(), pastream::SampleFormat::F32);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// Channels of a frame.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # let mut stream = pastream::DuplexStream::open(&config.channels(1))?;
    /// # let rec = stream.playrec(vec![0.5f32; 100], &pastream::Transfer::new().blocking(true))?.unwrap();
    /// assert_eq!(rec.channels(), 1);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Frames recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # let mut stream = pastream::DuplexStream::open(&config.channels(1))?;
    /// # let rec = stream.playrec(vec![0.5f32; 100], &pastream::Transfer::new().blocking(true))?.unwrap();
    /// assert_eq!(rec.frames(), 100);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn frames(&self) -> usize {
        self.data.len() / self.format.frame_size(self.channels).max(1)
    }

    /// The samples, copied out as `T`.
    ///
    /// # Errors
    ///
    /// [`SampleError::Mismatch`] when `T` is not the recording's format.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # let mut stream = pastream::DuplexStream::open(&config.channels(1))?;
    /// # let rec = stream.playrec(vec![0.5f32; 100], &pastream::Transfer::new().blocking(true))?.unwrap();
    /// let samples: Vec<f32> = rec.samples()?;
    /// assert_eq!(samples.len(), 100);
    /// assert!(rec.samples::<i32>().is_err());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn samples<T: Sample>(&self) -> Result<Vec<T>, SampleError> {
        SampleError::check::<T>(self.format)?;
        crate::sample::from_bytes(&self.data)
    }

    /// The raw bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # let mut stream = pastream::DuplexStream::open(&config.channels(1))?;
    /// # let rec = stream.playrec(vec![0.5f32; 100], &pastream::Transfer::new().blocking(true))?.unwrap();
    /// assert_eq!(rec.as_raw().len(), 100 * 4);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn as_raw(&self) -> &[u8] {
        &self.data
    }

    /// The raw bytes, taken out.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// # let mut stream = pastream::DuplexStream::open(&config.channels(1))?;
    /// # let rec = stream.playrec(vec![0.5f32; 100], &pastream::Transfer::new().blocking(true))?.unwrap();
    /// let bytes: Vec<u8> = rec.into_raw();
    /// assert_eq!(bytes.len(), 400);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }
}
