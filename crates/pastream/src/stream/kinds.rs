//! The three kinds of stream, and what each direction can do.
#![forbid(unsafe_code)]

use std::ops::{Deref, DerefMut};

use super::chunks::{ChunkOptions, Chunks, StreamRef};
use super::{Direction, Recording, Sink, Source, Stream, StreamConfig, Transfer};
use crate::error::StreamError;
use crate::rt::mapping::ChannelMap;
use crate::sample::Sample;

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
            /// cannot do the settings; [`StreamError::InvalidArgument`]
            /// for zero channels.
            ///
            /// # Examples
            ///
            /// ```
            /// use pastream::{InputStream, StreamConfig};
            ///
            /// let stream = InputStream::open(&StreamConfig::new().device("loopback"))?;
            /// assert!(stream.stopped());
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn open(config: &StreamConfig) -> Result<Self, StreamError> {
                Stream::open($dir, config).map($name)
            }

            /// The stream, without the operations of its kind.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{OutputStream, Stream};
            ///
            /// let stream: Stream = OutputStream::open(&config)?.into_stream();
            /// assert!(!stream.is_duplex());
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn into_stream(self) -> Stream {
                self.0
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
            /// [`StreamError::Active`] while running;
            /// [`StreamError::Sample`] for samples of another format or a
            /// partial frame; [`StreamError::Ring`] for a ring whose
            /// element is not an output frame.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{OutputStream, Source};
            ///
            /// let mut stream = OutputStream::open(&config)?;
            /// stream.set_source(Some(Source::samples(&[0.1f32; 2 * 480])))?;
            /// stream.start()?;
            /// stream.wait(None)?;
            /// assert_eq!(stream.frame_count(), 480);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn set_source(&mut self, source: Option<Source>) -> Result<(), StreamError> {
                self.0.set_source_slot(source)
            }

            /// Sets the playback channel map: entry k is the playback
            /// channel (1-based, 0 = silence) played on output channel k.
            ///
            /// # Errors
            ///
            /// [`StreamError::Map`] for an out-of-range or repeated channel.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{ChannelMap, DuplexStream, Transfer};
            ///
            /// let mut stream = DuplexStream::open(&config.channels(2).blocksize(64))?;
            /// stream.set_tx_map(Some(ChannelMap::new([2, 1])))?; // swap left and right
            /// let rec = stream.playrec([0.25f32, 0.5], &Transfer::new().pad(64).blocking(true))?.unwrap();
            /// assert_eq!(&rec.samples::<f32>()?[128..], [0.5, 0.25]);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn set_tx_map(&mut self, map: Option<ChannelMap>) -> Result<(), StreamError> {
                self.0.set_map(true, map)
            }

            /// The playback channel map.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{ChannelMap, OutputStream};
            ///
            /// let mut stream = OutputStream::open(&config)?;
            /// assert!(stream.tx_map().is_none());
            /// stream.set_tx_map(Some(ChannelMap::new([0, 1])))?;
            /// assert_eq!(stream.tx_map(), Some(&ChannelMap::new([0, 1])));
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn tx_map(&self) -> Option<&ChannelMap> {
                self.0.tx_map.as_ref()
            }

            /// Sets whether playback loops.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{OutputStream, Source};
            ///
            /// let mut stream = OutputStream::open(&config)?;
            /// stream.set_source(Some(Source::samples(&[0.1f32; 2 * 100])))?;
            /// stream.set_looping(true);
            /// stream.set_frames(1000); // ten times round
            /// stream.start()?;
            /// stream.wait(None)?;
            /// assert_eq!(stream.frame_count(), 1000);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
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
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::rt::ring::RingBuffer;
            /// use pastream::{InputStream, SampleFormat, Sink};
            ///
            /// let mut stream = InputStream::open(&config)?;
            /// let (producer, mut consumer) = RingBuffer::new(SampleFormat::F32, 2, 1 << 12)?;
            /// stream.set_sink(Some(Sink::Ring(producer)))?;
            /// stream.set_frames(1000);
            /// stream.start()?;
            /// stream.wait(None)?;
            /// assert_eq!(consumer.read::<f32>(usize::MAX)?.len(), 2000);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn set_sink(&mut self, sink: Option<Sink>) -> Result<(), StreamError> {
                self.0.set_sink_slot(sink)
            }

            /// Sets the recording channel map: entry k is the input channel
            /// (1-based, 0 = silence) recorded as channel k.
            ///
            /// # Errors
            ///
            /// [`StreamError::Map`] for an out-of-range or repeated channel.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{ChannelMap, DuplexStream, Transfer};
            ///
            /// let mut stream = DuplexStream::open(&config.channels(2).blocksize(64))?;
            /// stream.set_rx_map(Some(ChannelMap::new([2, 0])))?; // record input 2 as channel 1
            /// let rec = stream.playrec([0.25f32, 0.5], &Transfer::new().pad(64).blocking(true))?.unwrap();
            /// assert_eq!(&rec.samples::<f32>()?[128..], [0.5, 0.0]);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn set_rx_map(&mut self, map: Option<ChannelMap>) -> Result<(), StreamError> {
                self.0.set_map(false, map)
            }

            /// The recording channel map.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{ChannelMap, InputStream};
            ///
            /// let mut stream = InputStream::open(&config)?;
            /// stream.set_rx_map(Some(ChannelMap::new([2])))?;
            /// assert_eq!(stream.rx_map(), Some(&ChannelMap::new([2])));
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
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
            /// [`StreamError::InvalidArgument`] without frames or with an
            /// offset beyond them; start errors; when blocking, the run's
            /// error.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{InputStream, Transfer};
            ///
            /// let mut stream = InputStream::open(&config)?;
            /// let rec = stream.record(&Transfer::new().frames(4800).blocking(true))?.unwrap();
            /// assert_eq!((rec.frames(), rec.channels()), (4800, 2));
            /// // Without blocking, collect it after the run.
            /// stream.record(&Transfer::new().frames(480))?;
            /// stream.wait(None)?;
            /// assert_eq!(stream.take_recording().unwrap().frames(), 480);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn record(&mut self, t: &Transfer) -> Result<Option<Recording>, StreamError> {
                let frames = self.0.recorded_frames(None, t)?;
                self.0.set_source_slot(None)?;
                self.0.set_sink_slot(Some(Sink::Memory(frames)))?;
                self.0.run(t)
            }

            /// Reads live input as chunks of samples of `T`, the stream's
            /// format; see [`Chunks`].
            ///
            /// # Errors
            ///
            /// [`StreamError::Sample`] when `T` is not the stream's format;
            /// [`StreamError::InvalidArgument`] for impossible options.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{ChunkOptions, InputStream};
            ///
            /// let mut stream = InputStream::open(&config.channels(1))?;
            /// let mut chunks = stream.chunks::<f32>(ChunkOptions {
            ///     chunksize: Some(480),
            ///     frames: 4800,
            ///     ..ChunkOptions::default()
            /// })?;
            /// let mut n = 0;
            /// while let Some(chunk) = chunks.next_chunk() {
            ///     assert_eq!(chunk?.len(), 480);
            ///     n += 1;
            /// }
            /// assert_eq!(n, 10);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn chunks<'a, T: Sample>(
                &'a mut self,
                options: ChunkOptions<'a, T>,
            ) -> Result<Chunks<'a, T>, StreamError> {
                Chunks::new(StreamRef::Borrowed(&mut self.0), options)
            }

            /// Reads live input as chunks of raw bytes, whatever the
            /// stream's format: whole frames of it, interleaved, in native
            /// byte order. `options.out` is then bytes too.
            ///
            /// # Errors
            ///
            /// [`StreamError::InvalidArgument`] for impossible options.
            ///
            /// # Examples
            ///
            /// ```
            /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
            /// use pastream::{ChunkOptions, InputStream, SampleFormat};
            ///
            /// let mut stream = InputStream::open(&config.format(SampleFormat::I24))?;
            /// let mut chunks = stream.raw_chunks(ChunkOptions {
            ///     chunksize: Some(100),
            ///     frames: 100,
            ///     ..ChunkOptions::default()
            /// })?;
            /// assert_eq!(chunks.next_chunk().unwrap()?.len(), 100 * 2 * 3);
            /// # Ok::<(), pastream::StreamError>(())
            /// ```
            pub fn raw_chunks<'a>(
                &'a mut self,
                options: ChunkOptions<'a, u8>,
            ) -> Result<Chunks<'a, u8>, StreamError> {
                Chunks::new_raw(StreamRef::Borrowed(&mut self.0), options)
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
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{OutputStream, Transfer};
    ///
    /// let mut stream = OutputStream::open(&config)?;
    /// let tone: Vec<f32> = (0..9600).map(|i| (i as f32 * 0.03).sin() * 0.5).collect();
    /// stream.play(tone, &Transfer::new().blocking(true))?;
    /// assert_eq!(stream.frame_count(), 4800);
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{DuplexStream, Transfer};
    ///
    /// let mut stream = DuplexStream::open(&config)?;
    /// stream.play(vec![0.0f32; 2 * 480], &Transfer::new().blocking(true))?;
    /// assert!(stream.take_recording().is_none());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
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
    /// [`StreamError::Sample`] when the playback's samples are not the
    /// stream's format or not whole frames;
    /// [`StreamError::InvalidArgument`] when the recording length cannot be
    /// known; start errors; when blocking, the run's error.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::{DuplexStream, Transfer};
    ///
    /// let mut stream = DuplexStream::open(&config.channels(1).blocksize(256))?;
    /// let rec = stream.playrec(vec![0.5f32; 1000], &Transfer::new().pad(256).blocking(true))?.unwrap();
    /// let samples: Vec<f32> = rec.samples()?;
    /// assert_eq!(samples.len(), 1256);
    /// assert!(samples[256..].iter().all(|&s| s == 0.5)); // after the loopback's 256 frames
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn playrec(
        &mut self,
        playback: impl Into<Source>,
        t: &Transfer,
    ) -> Result<Option<Recording>, StreamError> {
        let playback = playback.into();
        let frames = self.0.recorded_frames(Some(&playback), t)?;
        self.0.set_source_slot(Some(playback))?;
        self.0.set_sink_slot(Some(Sink::Memory(frames)))?;
        self.0.run(t)
    }
}

/// Opens a stream with `config` and reads its input as chunks, as
/// [`InputStream::chunks`] does: a duplex stream when `options` has
/// playback, an input stream otherwise. The stream lives as long as the
/// chunks.
///
/// # Errors
///
/// Opening errors; [`StreamError::Sample`] when `T` is not the configured
/// format; [`StreamError::InvalidArgument`] for impossible options.
///
/// ```
/// use pastream::{ChunkOptions, Clock, StreamConfig};
///
/// let config = StreamConfig::new().device("loopback").channels(2).clock(Clock::FreeRunning);
/// let mut chunks = pastream::chunks::<f32>(&config, ChunkOptions {
///     chunksize: Some(256),
///     frames: 2560,
///     ..ChunkOptions::default()
/// })?;
/// let mut frames = 0;
/// while let Some(chunk) = chunks.next_chunk() {
///     frames += chunk?.len() / 2;
/// }
/// assert_eq!(frames, 2560);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn chunks<T: Sample>(
    config: &StreamConfig,
    options: ChunkOptions<'static, T>,
) -> Result<Chunks<'static, T>, StreamError> {
    let stream = if options.playback.is_some() {
        DuplexStream::open(config)?.into_stream()
    } else {
        InputStream::open(config)?.into_stream()
    };
    Chunks::new(StreamRef::Owned(Box::new(stream)), options)
}
