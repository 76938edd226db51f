//! Recording into files: one file, or a new file every so many frames,
//! seconds or bytes with no gap between them (rotation).
//!
//! A [`FileSink`] drains the recording ring on a worker thread and writes
//! at most 1 MiB at a time (4 KiB to a pipe), so that a stop can tell a
//! slow disk or reader, which it waits for, from one that is stuck, which
//! it leaves behind (see [`WorkerContext::hurry`]). Every file is
//! finalized with every frame it was given, however the run ends. A
//! [`SinkReport`] tells, during the run and after, how many frames the
//! files hold and which files were written.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::io::file::DEFAULT_FILE_BUFFER;
use crate::io::levels::Levels;
use crate::io::soundfile::{FileError, FileOptions, SoundFile, Target};
use crate::rt::ring::Consumer;
use crate::sample::SampleFormat;
use crate::stream::{Sink, WorkerContext};

/// The most frames of `frame_size` bytes a file worker moves in one call
/// to `file`: 1 MiB on disk, 4 KiB through a pipe, so that its signs of
/// life come often and a stalled pipe is noticed within one pipe buffer
/// (see [`WorkerContext::hurry`]).
pub(crate) fn chunk_frames(file: &SoundFile, frame_size: usize) -> usize {
    let bytes = if file.info().seekable { 1 << 20 } else { 4096 };
    (bytes / frame_size.max(1)).max(1)
}

/// When a rotating [`FileSink`] starts its next file.
///
/// # Examples
///
/// ```
/// use pastream::io::sink::Rotate;
///
/// let every_ten_minutes = Rotate::Seconds(600.0);
/// let every_two_gb = Rotate::Bytes(2_000_000_000);
/// assert_ne!(every_ten_minutes, every_two_gb);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rotate {
    /// Every so many frames.
    Frames(u64),
    /// Every so many seconds of audio (rounded to whole frames at the
    /// stream's sample rate).
    Seconds(f64),
    /// Every so many bytes of samples (whole frames of the file's
    /// encoding; for encodings of no fixed size, of the stream's format).
    Bytes(u64),
}

/// How a rotating sink names its files.
///
/// A pattern holds `{n}` (the file's number from 1), `{n:3}` (the number
/// with at least three digits) or `{time}` (the UTC time of the file's
/// first frame, taken from the frame position: `20261205T230102.500Z`).
/// A pattern with none of them gets `-{n:3}` before its extension:
/// `take.wav` names `take-001.wav`, `take-002.wav`, and so on.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pastream::io::sink::NamePattern;
///
/// let plain = NamePattern::new("take.wav");
/// assert_eq!(plain.name(2, UNIX_EPOCH).to_str(), Some("take-002.wav"));
/// let timed = NamePattern::new("rec-{time}.flac");
/// let t = UNIX_EPOCH + Duration::from_millis(1_780_000_000_250);
/// assert_eq!(timed.name(1, t).to_str(), Some("rec-20260528T202640.250Z.flac"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamePattern(String);

impl NamePattern {
    /// A pattern from text (see the [type's docs](Self)).
    pub fn new(pattern: impl Into<String>) -> NamePattern {
        let p = pattern.into();
        if p.contains("{n}") || p.contains("{n:") || p.contains("{time}") {
            return NamePattern(p);
        }
        let path = Path::new(&p);
        let with_number = match (path.file_stem(), path.extension()) {
            (Some(stem), Some(ext)) => path.with_file_name(format!(
                "{}-{{n:3}}.{}",
                stem.to_string_lossy(),
                ext.to_string_lossy()
            )),
            _ => PathBuf::from(format!("{p}-{{n:3}}")),
        };
        NamePattern(with_number.to_string_lossy().into_owned())
    }

    /// The name of file number `n` (from 1), whose first frame is at
    /// `time`.
    pub fn name(&self, n: u64, time: SystemTime) -> PathBuf {
        let mut out = String::new();
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let Some(close) = after.find('}') else {
                out.push_str(after);
                rest = "";
                break;
            };
            let field = &after[1..close];
            match field {
                "n" => out.push_str(&n.to_string()),
                "time" => out.push_str(&utc_stamp(time)),
                _ => match field
                    .strip_prefix("n:")
                    .and_then(|w| w.parse::<usize>().ok())
                {
                    Some(width) => out.push_str(&format!("{n:0width$}")),
                    None => out.push_str(&after[..=close]),
                },
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        PathBuf::from(out)
    }
}

/// `20261205T230102.500Z`: a UTC time that sorts as text and is a valid
/// file name everywhere.
fn utc_stamp(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, sod) = (secs / 86400, secs % 86400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}.{:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        d.subsec_millis()
    )
}

/// What a [`FileSink`] has written: frames and files, readable during the
/// run (from another thread) and after it.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// # let dir = std::env::temp_dir();
/// use pastream::io::sink::FileSink;
/// use pastream::io::soundfile::{FileOptions, SoundFile};
/// use pastream::InputStream;
///
/// let mut stream = InputStream::open(&config)?;
/// let file = SoundFile::create(dir.join("pastream-doc-report.wav"), &FileOptions::for_stream(&stream))?;
/// let sink = FileSink::new(file, stream.format());
/// let report = sink.report();
/// stream.set_sink(Some(sink.into()))?;
/// stream.set_frames(4800);
/// stream.start()?;
/// stream.wait(None)?;
/// assert_eq!(report.frames(), 4800);
/// assert_eq!(report.files().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct SinkReport {
    frames: Arc<AtomicU64>,
    files: Arc<Mutex<Vec<String>>>,
}

impl SinkReport {
    /// Frames written to the files so far (all files together).
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Acquire)
    }

    /// The files written so far, in order.
    pub fn files(&self) -> Vec<String> {
        self.files.lock().map(|f| f.clone()).unwrap_or_default()
    }

    fn add_file(&self, name: String) {
        if let Ok(mut f) = self.files.lock() {
            f.push(name);
        }
    }
}

/// The files of a rotating sink: how to name and create the next one.
struct Rotation {
    pattern: NamePattern,
    options: FileOptions,
    every: Rotate,
    /// Wall-clock time of the run's first frame.
    started: Option<SystemTime>,
    /// Files created so far.
    count: u64,
}

/// A recording sink that writes sound files; see the [module docs](self).
///
/// # Examples
///
/// Ten-second files, numbered:
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning);
/// # let dir = std::env::temp_dir().join("pastream-doc-rotate");
/// # std::fs::create_dir_all(&dir)?;
/// use pastream::io::sink::{FileSink, Rotate};
/// use pastream::io::soundfile::FileOptions;
/// use pastream::InputStream;
///
/// let mut stream = InputStream::open(&config)?;
/// let options = FileOptions::for_stream(&stream);
/// let pattern = dir.join("take.wav");
/// let sink = FileSink::rotating(pattern.to_str().unwrap(), &options, Rotate::Seconds(10.0), stream.format())?;
/// let report = sink.report();
/// stream.set_sink(Some(sink.into()))?;
/// stream.set_frames(25 * 48000);
/// stream.start()?;
/// stream.wait(None)?;
/// let files = report.files();
/// assert_eq!(files.len(), 3); // 10 s, 10 s and 5 s
/// assert!(files[0].ends_with("take-001.wav"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FileSink {
    first: SoundFile,
    rotation: Option<Rotation>,
    format: SampleFormat,
    buffer_frames: Option<usize>,
    levels: Option<Arc<Levels>>,
    report: SinkReport,
}

impl std::fmt::Debug for FileSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileSink")
            .field("file", &self.first)
            .field("rotating", &self.rotation.as_ref().map(|r| r.every))
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for FileSink {
    /// The first file, and how often a rotating sink starts the next.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first)?;
        match self.rotation.as_ref().map(|r| r.every) {
            None => Ok(()),
            Some(Rotate::Frames(n)) => write!(f, "; a new file every {n} frames"),
            Some(Rotate::Seconds(s)) => write!(f, "; a new file every {s} s"),
            Some(Rotate::Bytes(b)) => write!(f, "; a new file every {b} bytes"),
        }
    }
}

impl FileSink {
    /// A sink that writes `file` in `format` (the stream's) and finalizes
    /// it when the run ends. One run only: a second run finds the file
    /// finalized.
    pub fn new(file: SoundFile, format: SampleFormat) -> FileSink {
        let report = SinkReport::default();
        report.add_file(file.target().to_string());
        FileSink {
            first: file,
            rotation: None,
            format,
            buffer_frames: None,
            levels: None,
            report,
        }
    }

    /// A sink that starts a new file, named by `pattern` (see
    /// [`NamePattern`]) and created with `options`, `every` so often,
    /// without a gap: the files joined are the recording. The first file
    /// is created now, so that a wrong name or setting is an error before
    /// the stream starts.
    ///
    /// # Errors
    ///
    /// What [`SoundFile::create`] returns for the first file; a rotation
    /// of no frames is a [`FileError::Setting`].
    pub fn rotating(
        pattern: &str,
        options: &FileOptions,
        every: Rotate,
        format: SampleFormat,
    ) -> Result<FileSink, FileError> {
        let pattern = NamePattern::new(pattern);
        let zero = match every {
            Rotate::Frames(n) | Rotate::Bytes(n) => n == 0,
            Rotate::Seconds(s) => s.is_nan() || s <= 0.0,
        };
        if zero {
            return Err(FileError::Setting {
                target: pattern.0,
                problem: "files of no frames cannot be rotated".into(),
            });
        }
        let now = SystemTime::now();
        let first = SoundFile::create(pattern.name(1, now), options)?;
        let mut sink = FileSink::new(first, format);
        sink.rotation = Some(Rotation {
            pattern,
            options: options.clone(),
            every,
            started: None,
            count: 1,
        });
        Ok(sink)
    }

    /// The ring's size in frames, a power of two (default
    /// [`DEFAULT_FILE_BUFFER`]).
    pub fn buffer_frames(mut self, frames: Option<usize>) -> FileSink {
        self.buffer_frames = frames;
        self
    }

    /// Keeps the peak level of each channel in `levels`, for a meter.
    pub fn levels(mut self, levels: Option<Arc<Levels>>) -> FileSink {
        self.levels = levels;
        self
    }

    /// What the sink has written; see [`SinkReport`].
    pub fn report(&self) -> SinkReport {
        self.report.clone()
    }
}

impl From<FileSink> for Sink {
    fn from(sink: FileSink) -> Sink {
        let FileSink {
            first,
            mut rotation,
            format,
            buffer_frames,
            levels,
            report,
        } = sink;
        let mut current = Some(first);
        Sink::Drainer {
            drain: Box::new(move |rx, ctx: &WorkerContext| {
                // A run ends with every file finalized: none is left open
                // for a second run.
                if current.is_none() {
                    return Err("the recording file was already finalized by an earlier run".into());
                }
                let mut w = Writer {
                    current: &mut current,
                    rotation: rotation.as_mut(),
                    format,
                    levels: levels.as_deref(),
                    report: &report,
                    done_frames: 0,
                    left: None,
                };
                let result = w.drain(rx, ctx);
                let finalized = w.finalize();
                result.and(finalized).map_err(Into::into)
            }),
            buffer_frames: Some(buffer_frames.unwrap_or(DEFAULT_FILE_BUFFER)),
        }
    }
}

/// The state of a file sink's worker during a run.
struct Writer<'a> {
    current: &'a mut Option<SoundFile>,
    rotation: Option<&'a mut Rotation>,
    format: SampleFormat,
    levels: Option<&'a Levels>,
    report: &'a SinkReport,
    /// Frames in the files finalized in this run.
    done_frames: u64,
    /// Frames the current file still takes before the next one starts.
    left: Option<u64>,
}

impl Writer<'_> {
    fn drain(&mut self, rx: &mut Consumer, ctx: &WorkerContext) -> Result<(), FileError> {
        let chunk = self
            .current
            .as_ref()
            .map_or(1, |f| chunk_frames(f, ctx.frame_size()));
        if let Some(r) = self.rotation.as_deref_mut() {
            r.started.get_or_insert_with(SystemTime::now);
        }
        if self.current.as_ref().is_some_and(|f| f.info().seekable) {
            // A file on a disk, not a pipe: a write may wait for the disk
            // (the kernel throttles writers of dirty pages) and still
            // return; a stop waits for it rather than lose the file's end.
            ctx.may_block_for(crate::stream::MAX_WORKER_PATIENCE);
        }
        self.left = self.file_frames(ctx);
        loop {
            if ctx.hurry() {
                return Ok(());
            }
            let avail = rx.read_available();
            if avail == 0 {
                if ctx.done() && rx.read_available() == 0 {
                    return Ok(());
                }
                ctx.pause();
                continue;
            }
            if self.left == Some(0) {
                self.next_file(ctx)?;
            }
            let n = avail
                .min(chunk)
                .min(self.left.map_or(usize::MAX, |l| l as usize));
            let Some(file) = self.current.as_mut() else {
                return Err(FileError::Io {
                    op: "writing",
                    target: "the recording".into(),
                    reason: "the file is already closed".into(),
                });
            };
            let r = rx.read_buffers(n);
            let (a, b) = r.as_raw_slices();
            let written = file
                .write_raw(a, self.format)
                .and_then(|()| file.write_raw(b, self.format));
            self.report
                .frames
                .store(self.done_frames + file.frames_written(), Ordering::Release);
            written?;
            if let Some(l) = self.levels {
                l.update(a, self.format);
                l.update(b, self.format);
            }
            r.advance(n);
            if let Some(l) = self.left.as_mut() {
                *l -= n as u64;
            }
        }
    }

    /// Frames in one file of a rotating sink.
    fn file_frames(&self, ctx: &WorkerContext) -> Option<u64> {
        let r = self.rotation.as_deref()?;
        let frames = match r.every {
            Rotate::Frames(n) => n,
            Rotate::Seconds(s) => (s * ctx.samplerate()).round() as u64,
            Rotate::Bytes(b) => {
                let per_frame = self
                    .current
                    .as_ref()
                    .and_then(SoundFile::bytes_per_frame)
                    .unwrap_or(ctx.frame_size() as u64);
                b / per_frame.max(1)
            }
        };
        Some(frames.max(1))
    }

    /// Finalizes the current file and creates the next one.
    fn next_file(&mut self, ctx: &WorkerContext) -> Result<(), FileError> {
        self.finalize()?;
        let Some(r) = self.rotation.as_deref_mut() else {
            return Ok(());
        };
        r.count += 1;
        let offset = self.done_frames as f64 / ctx.samplerate();
        let start = r.started.unwrap_or_else(SystemTime::now)
            + std::time::Duration::try_from_secs_f64(offset).unwrap_or_default();
        let name = r.pattern.name(r.count, start);
        let file = SoundFile::create(Target::Path(name), &r.options)?;
        self.report.add_file(file.target().to_string());
        *self.current = Some(file);
        self.left = self.file_frames(ctx);
        Ok(())
    }

    /// Finalizes the current file, if one is open.
    fn finalize(&mut self) -> Result<(), FileError> {
        match self.current.take() {
            Some(f) => {
                self.done_frames += f.frames_written();
                self.report
                    .frames
                    .store(self.done_frames, Ordering::Release);
                f.finalize()
            }
            None => Ok(()),
        }
    }
}
