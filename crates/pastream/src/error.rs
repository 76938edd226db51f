//! The errors of streams.
#![forbid(unsafe_code)]

use crate::host::DeviceError;
#[cfg(feature = "sndfile")]
use crate::io::soundfile::FileError;
use crate::rt::engine::EngineError;
use crate::rt::mapping::MapError;
use crate::rt::ring::RingError;
use crate::rt::stats::Xruns;
use crate::sample::SampleError;

/// An error a worker closure returns.
pub type WorkerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of trouble a host met while a stream ran.
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
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HostError {
    kind: HostErrorKind,
    message: String,
}

impl HostError {
    /// An error of `kind` saying `message`.
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
