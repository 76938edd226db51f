//! The errors of the library, in one place below every module that
//! returns them: streams ([`StreamError`]), hosts ([`HostError`]), devices
//! ([`DeviceError`]) and sound files ([`FileError`]); the real-time parts
//! and samples keep their small errors of their own.
#![forbid(unsafe_code)]

use crate::rt::engine::EngineError;
use crate::rt::mapping::MapError;
use crate::rt::mixer::MixerError;
use crate::rt::ring::RingError;
use crate::rt::stats::Xruns;
use crate::sample::SampleError;

/// Why a device could not be found or opened with the requested settings.
///
/// # Examples
///
/// ```
/// use pastream::host::{self, DeviceError, Direction};
///
/// let e = host::find_device(Some(&"no such device".into()), Direction::Output).unwrap_err();
/// assert!(matches!(e, DeviceError::NoMatch { .. }));
/// assert_eq!(e.to_string(), "no output device matching 'no such device'");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// No device has that index.
    #[error("no device with index {index} (there are {count} devices)")]
    NoSuchIndex {
        /// The index asked for.
        index: usize,
        /// How many devices there are.
        count: usize,
    },
    /// No device matched the query.
    #[error("no {direction} device matching '{query}'")]
    NoMatch {
        /// The query.
        query: String,
        /// `input`, `output` or `duplex`.
        direction: &'static str,
    },
    /// Several devices matched the query.
    #[error("several {direction} devices match '{query}': {}", .candidates.join("; "))]
    Ambiguous {
        /// The query.
        query: String,
        /// `input`, `output` or `duplex`.
        direction: &'static str,
        /// "index: name, host API" of each match.
        candidates: Vec<String>,
    },
    /// The device lacks the direction asked for.
    #[error("device {index} '{name}' has no {what} channels")]
    WrongDirection {
        /// Device index.
        index: usize,
        /// Device name.
        name: String,
        /// `input` or `output`.
        what: &'static str,
    },
    /// A setting the device cannot do.
    #[error("invalid setting for device '{device}': {problem}")]
    InvalidSetting {
        /// Device name.
        device: String,
        /// What is wrong.
        problem: String,
    },
    /// The backend (the system's audio library) failed.
    #[error("{0}")]
    Backend(String),
}

#[cfg(feature = "sndfile")]
/// What can go wrong with a sound file.
///
/// # Examples
///
/// ```
/// use pastream::io::soundfile::{FileError, SoundFile};
///
/// let e = SoundFile::open("/no/such/file.wav").unwrap_err();
/// assert!(matches!(e, FileError::Open { .. }));
/// assert_eq!(e.to_string(), "cannot open '/no/such/file.wav': no such file");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// libsndfile could not open the file.
    #[error("cannot open '{target}': {reason}")]
    Open {
        /// The file.
        target: String,
        /// libsndfile's reason.
        reason: String,
    },
    /// A RAW file lacks a setting.
    #[error("'{target}' is a RAW file: give its {missing}")]
    RawNeeds {
        /// The file.
        target: String,
        /// What is missing.
        missing: String,
    },
    /// A file type cannot be written to a pipe.
    #[error(
        "{file_type} files cannot be written to a pipe ('{target}'); use a type that can, such as AU or RAW"
    )]
    PipeWrite {
        /// The file.
        target: String,
        /// The type.
        file_type: String,
    },
    /// A pipe held no file libsndfile can read from a pipe.
    #[error(
        "cannot read '{target}' from a pipe ({reason}); some types, FLAC among them, need a seekable file: send AU or RAW through pipes"
    )]
    PipeRead {
        /// The file.
        target: String,
        /// libsndfile's reason.
        reason: String,
    },
    /// The type of a file to write is not known.
    #[error("cannot tell the file type of '{0}' from its name")]
    UnknownType(String),
    /// The combination of type, encoding and byte order is not possible.
    #[error("{file_type} files cannot hold {encoding} samples{endian}")]
    Unsupported {
        /// The type.
        file_type: String,
        /// The encoding.
        encoding: String,
        /// The byte order, if one was asked for.
        endian: String,
    },
    /// No encoding was given, and none the library knows fits the type.
    #[error("cannot create '{target}': no encoding given and none known to fit {file_type} files")]
    NoEncoding {
        /// The file.
        target: String,
        /// The type.
        file_type: String,
    },
    /// A setting for writing is missing or impossible.
    #[error("cannot create '{target}': {problem}")]
    Setting {
        /// The file.
        target: String,
        /// What is wrong.
        problem: String,
    },
    /// A file holds less than its header promises.
    #[error("'{target}' is truncated: its header promises more than the {frames} frames it holds")]
    Truncated {
        /// The file.
        target: String,
        /// Frames the file holds.
        frames: u64,
    },
    /// Samples that do not make whole frames of the file.
    #[error(transparent)]
    Sample(#[from] SampleError),
    /// A file whose type records its sizes in 32 bits reached its limit
    /// ([`SIZE_LIMIT`](crate::io::soundfile::SIZE_LIMIT) bytes of samples):
    /// it keeps the frames that fit and stays valid.
    #[error(
        "'{target}' is full: {file_type} files hold at most 4 GiB of samples; it keeps the {frames} frames that fit"
    )]
    Full {
        /// The file.
        target: String,
        /// Its type.
        file_type: String,
        /// Frames it holds.
        frames: u64,
    },
    /// The reader of a pipe being written closed it.
    #[error("writing '{target}' failed: the reader closed the pipe")]
    BrokenPipe {
        /// The file.
        target: String,
    },
    /// Reading or writing failed.
    #[error("{op} '{target}' failed: {reason}")]
    Io {
        /// `reading` or `writing`.
        op: &'static str,
        /// The file.
        target: String,
        /// libsndfile's reason.
        reason: String,
    },
}

/// An error a worker closure returns.
///
/// # Examples
///
/// ```
/// use pastream::{Source, WorkerError};
///
/// let _failing = Source::feeder(|_ring, _ctx| -> Result<(), WorkerError> {
///     Err("the generator ran out of ideas".into())
/// });
/// ```
pub type WorkerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of trouble a host met while a stream ran.
///
/// # Examples
///
/// ```
/// use pastream::{HostError, HostErrorKind, StreamError};
///
/// fn describe(e: &StreamError) -> &str {
///     match e {
///         StreamError::Host(h) if h.kind() == HostErrorKind::DeviceLost => "plug it back in",
///         StreamError::Host(_) => "a bug or a driver problem",
///         _ => "something else",
///     }
/// }
/// let lost = StreamError::Host(HostError::new(HostErrorKind::DeviceLost, "gone"));
/// assert_eq!(describe(&lost), "plug it back in");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostErrorKind {
    /// The device stopped calling back: unplugged, or its server quit.
    DeviceLost,
    /// The code in the audio callback panicked; the stream was aborted.
    CallbackPanicked,
    /// The backend (the system's audio library, or the thread it runs on)
    /// failed.
    Backend,
}

/// Trouble a host met while a stream ran, with its kind.
///
/// # Examples
///
/// ```
/// use pastream::{HostError, HostErrorKind};
///
/// let e = HostError::new(HostErrorKind::Backend, "the server refused");
/// assert_eq!((e.kind(), e.to_string().as_str()), (HostErrorKind::Backend, "the server refused"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HostError {
    kind: HostErrorKind,
    message: String,
}

impl HostError {
    /// An error of `kind` saying `message`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{HostError, HostErrorKind};
    ///
    /// let e = HostError::new(HostErrorKind::CallbackPanicked, "boom");
    /// assert_eq!(e.kind(), HostErrorKind::CallbackPanicked);
    /// ```
    pub fn new(kind: HostErrorKind, message: impl Into<String>) -> HostError {
        HostError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn device_lost(message: impl Into<String>) -> HostError {
        HostError::new(HostErrorKind::DeviceLost, message)
    }

    pub(crate) fn callback_panicked() -> HostError {
        HostError::new(
            HostErrorKind::CallbackPanicked,
            "the audio callback panicked; the stream was aborted",
        )
    }

    pub(crate) fn backend(message: impl Into<String>) -> HostError {
        HostError::new(HostErrorKind::Backend, message)
    }

    /// The kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::{HostError, HostErrorKind};
    ///
    /// assert_eq!(HostError::new(HostErrorKind::DeviceLost, "").kind(), HostErrorKind::DeviceLost);
    /// ```
    pub fn kind(&self) -> HostErrorKind {
        self.kind
    }
}

/// Everything that can go wrong with a stream.
///
/// Errors that happen while a stream runs (a worker failing, the playback
/// running dry, the recording buffer filling up, a panic in the callback, a
/// lost device) stop the stream and are returned once, by the next call to
/// [`wait`](crate::Stream::wait), [`stop`](crate::Stream::stop),
/// [`abort`](crate::Stream::abort) or [`close`](crate::Stream::close).
///
/// ```
/// use pastream::{Clock, OutputStream, SampleError, StreamConfig, StreamError, Transfer};
///
/// let config = StreamConfig::new().device("loopback").clock(Clock::FreeRunning);
/// let mut stream = OutputStream::open(&config)?; // float32, 2 channels
/// let e = stream.play(vec![0i16; 4800], &Transfer::new()).unwrap_err();
/// assert!(matches!(e, StreamError::Sample(SampleError::Mismatch { .. })));
/// assert_eq!(
///     e.to_string(),
///     "int16 samples given where float32 samples are carried"
/// );
/// # Ok::<(), StreamError>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The stream was closed.
    #[error("the stream is closed")]
    Closed,
    /// The stream is running and the operation needs it stopped.
    #[error("the stream is already active")]
    Active,
    /// The playback ran out before the requested number of frames, with no
    /// padding allowed.
    #[error(
        "playback ran out after {played} frames, before the {frames} frames requested (allow padding with a negative pad)"
    )]
    BufferEmpty {
        /// Frames played.
        played: u64,
        /// Frames requested.
        frames: i64,
    },
    /// The recording buffer was full: the reader did not keep up, or the
    /// memory was too small.
    #[error("recording buffer full after {frames} frames: the recording was not read fast enough")]
    BufferFull {
        /// Frames processed when it happened.
        frames: u64,
    },
    /// The run stopped at an xrun, as asked.
    #[error("stopped by an xrun after {frames} frames ({})", xrun_kinds(.xruns))]
    Xrun {
        /// Frames processed, the xrun's block included.
        frames: u64,
        /// The counts.
        xruns: Xruns,
    },
    /// The playback source thread failed.
    #[error("playback source failed: {0}")]
    Source(WorkerError),
    /// The recording sink thread failed.
    #[error("recording sink failed: {0}")]
    Sink(WorkerError),
    /// The recording's sink showed no sign of life for `waited_ms` when the
    /// run ended (blocked writing to a pipe nobody reads, or a disk that
    /// hangs) and was left behind: the frames it still held are lost.
    #[error(
        "the recording stalled: its sink wrote nothing for {waited_ms} ms and was left behind (a pipe nobody reads?)"
    )]
    Stalled {
        /// How long it was silent before it was left, in milliseconds.
        waited_ms: u64,
    },
    /// A sound file failed (a file source or sink: the file names itself).
    #[cfg(feature = "sndfile")]
    #[error(transparent)]
    File(#[from] FileError),
    /// The host stopped the stream: see the [kind](HostError::kind).
    #[error(transparent)]
    Host(#[from] HostError),
    /// A device could not be found or opened.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// Samples of the wrong type, or not whole frames.
    #[error(transparent)]
    Sample(#[from] SampleError),
    /// A channel map does not fit the stream.
    #[error(transparent)]
    Map(#[from] MapError),
    /// A ring buffer could not be made, or does not fit the stream.
    #[error(transparent)]
    Ring(#[from] RingError),
    /// The engine refused its configuration.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A mixer refused an action, or cannot finish one.
    #[error(transparent)]
    Mixer(#[from] MixerError),
    /// An argument is not possible.
    #[error("{problem}")]
    InvalidArgument {
        /// The argument, e.g. `channels`, `frames`, `offset`, `overlap`.
        argument: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl StreamError {
    pub(crate) fn invalid(argument: &'static str, problem: impl Into<String>) -> Self {
        StreamError::InvalidArgument {
            argument,
            problem: problem.into(),
        }
    }

    /// Whether this is the reader of a pipe being written closing it: for a
    /// command line, the normal end of a pipeline rather than a failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::StreamError;
    /// use pastream::io::soundfile::FileError;
    ///
    /// let e = StreamError::from(FileError::BrokenPipe { target: "-".into() });
    /// assert!(e.is_broken_pipe());
    /// assert!(!StreamError::Closed.is_broken_pipe());
    /// ```
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            #[cfg(feature = "sndfile")]
            StreamError::File(FileError::BrokenPipe { .. }) => true,
            StreamError::Sink(e) => e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe),
            _ => false,
        }
    }
}

/// "input overflow, output underflow" for the kinds that occurred.
pub(crate) fn xrun_kinds(x: &Xruns) -> String {
    [
        (x.input_underflows, "input underflow"),
        (x.input_overflows, "input overflow"),
        (x.output_underflows, "output underflow"),
        (x.output_overflows, "output overflow"),
        (x.source_underruns, "playback underrun"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(_, k)| *k)
    .collect::<Vec<_>>()
    .join(", ")
}
