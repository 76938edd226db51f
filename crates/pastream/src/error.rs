//! The errors of streams.

use crate::engine::{EngineError, Xruns};
use crate::host::DeviceError;
use crate::mapping::MapError;
use crate::ring::RingError;

/// An error a worker closure returns.
pub type WorkerError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong with a stream.
///
/// Errors that happen while a stream runs (a worker failing, the playback
/// running dry, the recording buffer filling up, a panic in the callback)
/// stop the stream and are returned once, by the next call to
/// [`wait`](crate::Stream::wait), [`stop`](crate::Stream::stop),
/// [`abort`](crate::Stream::abort) or [`close`](crate::Stream::close).
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
    /// The host stopped the stream (a panic in the callback, a vanished
    /// device).
    #[error("{0}")]
    Host(String),
    /// A device could not be found or opened.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A channel map does not fit the stream.
    #[error(transparent)]
    Map(#[from] MapError),
    /// A ring buffer could not be made.
    #[error(transparent)]
    Ring(#[from] RingError),
    /// The engine refused its configuration.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// An argument is not possible.
    #[error("{0}")]
    Invalid(String),
}

impl StreamError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        StreamError::Invalid(msg.into())
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
