//! Real-time audio streams: play, record, and play while recording,
//! sample-aligned, from memory, sound files, ring buffers or threads of
//! your own, on every PortAudio host API and on a built-in virtual
//! loopback device.
//!
//! # Three common tasks
//!
//! Play a file (here on the virtual device; leave `device` out for the
//! default one):
//!
//! ```
//! # use pastream::io::soundfile::FileOptions;
//! # let path = std::env::temp_dir().join("pastream-front-play.wav");
//! # let mut f = SoundFile::create(&path, &FileOptions::new(48000, 2))?;
//! # f.write(&vec![0.25f32; 2 * 4800])?;
//! # f.finalize()?;
//! use pastream::io::{file::file_source, soundfile::SoundFile};
//! use pastream::{OutputStream, StreamConfig, Transfer};
//!
//! let file = SoundFile::open(&path)?;
//! let config = StreamConfig::new().device("loopback").for_file(file.info());
//! let mut stream = OutputStream::open(&config)?;
//! let source = file_source(file, stream.format(), None, None);
//! stream.play(source, &Transfer::new().blocking(true))?;
//! assert_eq!(stream.frame_count(), 4800);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Record half a second to a file:
//!
//! ```
//! use pastream::io::file::file_sink;
//! use pastream::io::soundfile::{FileOptions, SoundFile};
//! use pastream::{InputStream, StreamConfig};
//!
//! let mut stream = InputStream::open(&StreamConfig::new().device("loopback").channels(2))?;
//! let path = std::env::temp_dir().join("pastream-front-rec.wav");
//! let file = SoundFile::create(&path, &FileOptions::for_stream(&stream))?;
//! stream.set_sink(Some(file_sink(file, stream.format(), None, None)))?;
//! stream.set_frames(24000);
//! stream.start()?;
//! stream.wait(None)?;
//! assert_eq!(SoundFile::open(&path)?.info().frames, Some(24000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Play and record in memory, sample-aligned:
//!
//! ```
//! use pastream::{Clock, DuplexStream, SampleFormat, StreamConfig, Transfer};
//!
//! // What the virtual loopback device plays comes back on its input, here
//! // after 256 frames. Free-running: as fast as the CPU allows.
//! let config = StreamConfig::new()
//!     .device("loopback, Virtual")
//!     .channels(2)
//!     .format(SampleFormat::I16)
//!     .blocksize(256)
//!     .clock(Clock::FreeRunning);
//! let mut stream = DuplexStream::open(&config)?;
//! let playback: Vec<i16> = (0..9600).map(|i| (i % 1000) as i16).collect();
//! let recording = stream
//!     .playrec(&playback, &Transfer::new().pad(256).blocking(true))?
//!     .expect("a blocking playrec returns the recording");
//! let recorded: Vec<i16> = recording.samples()?;
//! assert_eq!(&recorded[2 * 256..], &playback[..]);
//! assert_eq!(stream.xruns().total, 0);
//! # Ok::<(), pastream::StreamError>(())
//! ```
//!
//! # python-sounddevice's way
//!
//! Play, record, or both in one call, on a stream of their own:
//!
//! ```standalone_crate
//! use pastream::Convenience;
//!
//! let config = pastream::StreamConfig::new().device("loopback");
//! let o = Convenience { blocking: true, config: Some(config), ..Default::default() };
//! let tone: Vec<f32> = (0..48000).map(|i| (i as f32 * 0.0576).sin() * 0.2).collect();
//! pastream::play(&tone, 1, &o)?; // one second, mono
//! let recording = pastream::rec::<f32>(24000, 2, &o)?.unwrap(); // half a second, stereo
//! assert_eq!(recording.frames(), 24000);
//! # Ok::<(), pastream::StreamError>(())
//! ```
//!
//! A function of your own as the real-time callback (see
//! [`CallbackStream`] for its rules), here a wire from input to output:
//!
//! ```
//! use pastream::{CallbackResult, CallbackStream, StreamConfig};
//!
//! let config = StreamConfig::new().device("loopback");
//! let mut wire = CallbackStream::duplex(&config, |input: &[f32], output: &mut [f32], info| {
//!     output.copy_from_slice(input);
//!     if info.start_frame < 4800 { CallbackResult::Continue } else { CallbackResult::Complete }
//! })?;
//! wire.start()?;
//! wire.wait(None)?;
//! # Ok::<(), pastream::StreamError>(())
//! ```
//!
//! [`BlockingStream`] reads and writes without a callback; the
//! [`defaults`] are python-sounddevice's `default`.
//!
//! # The real-time contract
//!
//! Each stream runs an audio callback on the device's real-time thread.
//! That callback and everything it calls never allocates or frees memory,
//! never takes a lock, never blocks, makes no system call, does no I/O and
//! never panics (the rules are stated once, in [`rt`]). It talks to the
//! rest of the program only through lock-free ring buffers
//! ([`rt::ring`]) and atomic counters ([`Counters`]). Everything it needs
//! is allocated when a stream starts.
//!
//! Everything else may allocate and block:
//! - opening a stream, [`Stream::start`] (it allocates the run's buffers and
//!   spawns worker threads), [`Stream::wait`], [`Stream::stop`],
//!   [`Stream::close`] block or allocate, and belong on an ordinary thread;
//! - ring buffer ends never block or allocate (except the `read` methods
//!   that return a new `Vec`);
//! - counters ([`Stream::frame_count`], [`Stream::xruns`], [`Counters`])
//!   are atomic loads and return at once.
//!
//! # Samples are typed
//!
//! Streams carry one [`SampleFormat`]; programs hand samples in and get
//! them back as slices of the matching [`Sample`] type (`f32`, `i32`,
//! [`I24`](sample::I24), `i16`, `i8`, `u8`). The wrong type, or a buffer
//! that is not a whole number of frames, is a [`SampleError`], never a
//! reinterpretation. Raw bytes stay available through the methods whose
//! names say raw.
//!
//! # Quiet by default
//!
//! The system's audio libraries (ALSA, JACK) print a line for every device
//! or server they do not find while the library scans for devices; the
//! library keeps that off standard error. [`host::show_backend_messages`]
//! shows it, to debug a device that does not appear.
//!
//! # Where things are
//!
//! The modules follow the data path, front ends to the audio thread:
//! [`stream`] (streams, sources and sinks, chunks), [`io`] (sound files, as
//! sources and sinks; cargo feature `sndfile`), [`host`] (backends and
//! devices), [`rt`] (everything on the audio thread), [`sample`] (formats,
//! sample types, conversions). [`units`] parses durations and sizes.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]

mod error;
pub mod host;
#[cfg(feature = "sndfile")]
pub mod io;
pub mod rt;
pub mod sample;
pub mod stream;
pub mod units;

pub use error::{HostError, HostErrorKind, StreamError, WorkerError};
pub use host::{Clock, DeviceInfo, DeviceSelector, Latency, VirtualOptions};
pub use rt::callback::{Block, CallbackResult, StatusFlags, TimeInfo};
pub use rt::mapping::ChannelMap;
pub use rt::mixer::{
    Action, ActionKind, ActionState, Channels, MixerError, MixerStats, Shortfall, Start,
};
pub use rt::stats::{XrunEvent, Xruns};
pub use rt::user::CallbackInfo;
pub use sample::{Sample, SampleError, SampleFormat};
pub use stream::blocking::BlockingStream;
pub use stream::callback::CallbackStream;
pub use stream::convenience::{
    Convenience, get_status, play, playrec, rec, stop, wait, with_stream,
};
pub use stream::defaults;
pub use stream::mixer::{Mixer, MixerAndRecorder, Recorder};
pub use stream::{
    ChunkOptions, Chunks, Counters, DEFAULT_BUFFER_FRAMES, DrainFn, DuplexStream, FeedFn,
    InputStream, OutputStream, Prebuffer, Recording, Sink, Source, StopHandle, Stream,
    StreamConfig, Transfer, WorkerContext, chunks,
};

/// The README's examples, compiled with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeExamples;
