//! Sound files as playback sources and recording sinks.
//!
//! A file source is a worker thread that reads the file straight into the
//! stream's playback ring; a file sink drains the recording ring into the
//! file. The ring (default [`DEFAULT_FILE_BUFFER`] frames) is what absorbs
//! slow disks: the callback never waits for a file. Both workers can keep
//! [`Levels`], the peak level of each channel, for a meter.
#![forbid(unsafe_code)]

use std::sync::Arc;

use crate::io::levels::Levels;
use crate::io::sink::{FileSink, chunk_frames};
use crate::io::soundfile::{FileError, FileInfo, FileOptions, SoundFile};
use crate::sample::SampleFormat;
use crate::stream::{Sink, Source, Stream, StreamConfig, WorkerContext};

/// Default ring size of file workers, in frames: about 2.7 s at 48 kHz.
///
/// # Examples
///
/// ```
/// assert!(pastream::io::file::DEFAULT_FILE_BUFFER.is_power_of_two());
/// ```
pub const DEFAULT_FILE_BUFFER: usize = 1 << 17;

/// A playback source that reads `file` in `format`, looping when the
/// stream loops (a pipe cannot loop: it ends). `buffer_frames`: the ring
/// size, a power of two (default [`DEFAULT_FILE_BUFFER`]).
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// # let dir = std::env::temp_dir();
/// use pastream::io::file::file_source;
/// use pastream::io::soundfile::{FileOptions, SoundFile};
/// use pastream::{OutputStream, Transfer};
///
/// # let path = dir.join("pastream-doc-src.wav");
/// # let mut f = SoundFile::create(&path, &FileOptions::new(48000, 2))?;
/// # f.write(&[0.1f32; 2 * 1000])?;
/// # f.finalize()?;
/// let file = SoundFile::open(&path)?;
/// let mut stream = OutputStream::open(&config.for_file(file.info()))?;
/// let source = file_source(file, stream.format(), None, None);
/// stream.play(source, &Transfer::new().blocking(true))?;
/// assert_eq!(stream.frame_count(), 1000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn file_source(
    mut file: SoundFile,
    format: SampleFormat,
    buffer_frames: Option<usize>,
    levels: Option<Arc<Levels>>,
) -> Source {
    let mut runs = 0u32;
    Source::Feeder {
        feed: Box::new(move |tx, ctx: &WorkerContext| {
            runs += 1;
            if runs > 1 {
                file.rewind()?;
            }
            let fs = ctx.frame_size();
            let chunk = chunk_frames(&file, fs);
            let expected = file.info().frames;
            let mut fresh = true;
            let mut this_pass = 0u64;
            while !ctx.done() {
                let space = tx.write_available().min(chunk);
                if space == 0 {
                    ctx.pause();
                    continue;
                }
                let mut w = tx.write_buffers(space);
                let (a, b) = w.as_raw_mut_slices();
                let mut n = file.read_raw(a, format)?;
                if n * fs == a.len() && !b.is_empty() {
                    n += file.read_raw(b, format)?;
                }
                if let Some(l) = &levels {
                    let split = (n * fs).min(a.len());
                    l.update(&a[..split], format);
                    l.update(&b[..n * fs - split], format);
                }
                w.advance(n);
                this_pass += n as u64;
                if n == 0 {
                    // The end of the file: all of it, or a truncated file.
                    if expected.is_some_and(|t| this_pass < t) {
                        return Err(FileError::Truncated {
                            target: file.target().to_string(),
                            frames: this_pass,
                        }
                        .into());
                    }
                    if ctx.looping() && file.info().seekable && !fresh {
                        file.rewind()?;
                        fresh = true;
                        this_pass = 0;
                        continue;
                    }
                    return Ok(());
                }
                fresh = false;
            }
            Ok(())
        }),
        buffer_frames: Some(buffer_frames.unwrap_or(DEFAULT_FILE_BUFFER)),
    }
}

/// A recording sink that writes to `file` in `format` and finalizes it
/// when the run ends, with every frame recorded, also when the run fails
/// or is stopped. One run only: a second run finds the file closed. The
/// short form of [`FileSink`], which also rotates files and reports what
/// it wrote.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// # let dir = std::env::temp_dir();
/// use pastream::io::file::file_sink;
/// use pastream::io::soundfile::{FileOptions, SoundFile};
/// use pastream::InputStream;
///
/// let mut stream = InputStream::open(&config)?;
/// let path = dir.join("pastream-doc-sink.wav");
/// let file = SoundFile::create(&path, &FileOptions::for_stream(&stream))?;
/// stream.set_sink(Some(file_sink(file, stream.format(), None, None)))?;
/// stream.set_frames(4800);
/// stream.start()?;
/// stream.wait(None)?; // the file is finalized
/// assert_eq!(SoundFile::open(&path)?.info().frames, Some(4800));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn file_sink(
    file: SoundFile,
    format: SampleFormat,
    buffer_frames: Option<usize>,
    levels: Option<Arc<Levels>>,
) -> Sink {
    FileSink::new(file, format)
        .buffer_frames(buffer_frames)
        .levels(levels)
        .into()
}

impl StreamConfig {
    /// Takes the sample rate, channel count and sample format of a file
    /// (the original's `from_file`): a 16-bit file makes an int16 stream,
    /// so its samples pass unchanged. Encodings with no sample format of
    /// their own (compressed ones) leave the format as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    /// use pastream::{SampleFormat, StreamConfig};
    ///
    /// # let path = dir.join("pastream-doc-ff.wav");
    /// # let o = FileOptions { format: Some(SampleFormat::I16), ..FileOptions::new(44100, 1) };
    /// # SoundFile::create(&path, &o)?.finalize()?;
    /// let file = SoundFile::open(&path)?;
    /// let config = StreamConfig::new().device("loopback").for_file(file.info());
    /// let stream = pastream::OutputStream::open(&config)?;
    /// assert_eq!((stream.samplerate(), stream.format()), (44100.0, SampleFormat::I16));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_file(self, info: &FileInfo) -> Self {
        let config = self
            .samplerate(f64::from(info.samplerate))
            .channels(info.channels);
        match info.encoding.and_then(|e| e.sample_format()) {
            Some(format) => config.format(format),
            None => config,
        }
    }
}

impl FileOptions {
    /// Options to create a file that records `stream`: its sample rate,
    /// recorded channels, and the encoding closest to its sample format
    /// (the original's `to_file`).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
    /// use pastream::io::soundfile::FileOptions;
    /// use pastream::{InputStream, SampleFormat};
    ///
    /// let stream = InputStream::open(&config.channels(4).format(SampleFormat::I24))?;
    /// let options = FileOptions::for_stream(&stream);
    /// assert_eq!((options.channels, options.format), (Some(4), Some(SampleFormat::I24)));
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn for_stream(stream: &Stream) -> FileOptions {
        FileOptions {
            samplerate: Some(stream.samplerate().round() as u32),
            channels: Some(stream.data_channels().0),
            format: Some(stream.formats().0),
            ..FileOptions::default()
        }
    }
}
