//! Real-time audio streams: play, record, and play while recording,
//! sample-aligned, from memory, ring buffers or threads of your own.
//!
//! # The real-time contract
//!
//! Each stream runs an audio callback on the device's real-time thread.
//! That callback (the [`engine`]) and everything it calls never allocates
//! or frees memory, never takes a lock, never blocks, makes no system call,
//! does no I/O and never panics. It talks to the rest of the program only
//! through lock-free ring buffers ([`ring`]) and atomic counters
//! ([`engine::Stats`]). Everything it needs is allocated when a stream
//! starts.
//!
//! Everything else may allocate and block:
//! - opening a stream, [`Stream::start`] (it allocates the run's buffers and
//!   spawns worker threads), [`Stream::wait`], [`Stream::stop`],
//!   [`Stream::close`] block or allocate, and belong on an ordinary thread;
//! - [`ring::Producer`] and [`ring::Consumer`] never block or allocate
//!   (except [`ring::Consumer::read`], which returns a new `Vec`);
//! - counters ([`Stream::frame_count`], [`Stream::xruns`]) are atomic loads
//!   and return at once.
//!
//! # A quick tour
//!
//! ```
//! use pastream::{Clock, DuplexStream, SampleFormat, StreamConfig, Transfer, format};
//!
//! // The virtual loopback device needs no sound card: what it plays comes
//! // back on its input, here after 256 frames.
//! # pastream::host::set_quiet(true);
//! let config = StreamConfig::new()
//!     .device("loopback, Virtual")
//!     .channels(2)
//!     .format(SampleFormat::I16)
//!     .blocksize(256)
//!     .clock(Clock::FreeRunning);
//! let mut stream = DuplexStream::open(&config)?;
//! let playback: Vec<i16> = (0..9600).map(|i| (i % 1000) as i16).collect();
//! let recording = stream
//!     .playrec(format::to_bytes(&playback), &Transfer::new().pad(256).blocking(true))?
//!     .expect("a blocking playrec returns the recording");
//! let recorded: Vec<i16> = format::from_bytes(&recording);
//! assert_eq!(&recorded[2 * 256..], &playback[..]);
//! assert_eq!(stream.xruns().total, 0);
//! # Ok::<(), pastream::StreamError>(())
//! ```
//!
//! Streams: [`InputStream`], [`OutputStream`], [`DuplexStream`]. Devices:
//! [`host::query_devices`], [`host::find_device`]. Live input:
//! [`chunks`].
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

pub mod callback;
pub mod chunks;
pub mod engine;
mod error;
pub mod fileio;
pub mod format;
pub mod host;
pub mod mapping;
pub mod ring;
pub mod soundfile;
mod stream;
pub mod units;

pub use callback::{AudioCallback, Block, CallbackResult, StatusFlags, TimeInfo};
pub use chunks::{ChunkOptions, Chunks};
pub use engine::Xruns;
pub use error::{StreamError, WorkerError};
pub use format::SampleFormat;
pub use host::{Clock, DeviceInfo, DeviceSelector, Latency, VirtualOptions};
pub use mapping::ChannelMap;
pub use stream::{
    DEFAULT_BUFFER_FRAMES, DrainFn, DuplexStream, FeedFn, InputStream, OutputStream, Prebuffer,
    Sink, Source, Stream, StreamConfig, Transfer, WorkerContext,
};
