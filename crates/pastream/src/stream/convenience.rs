//! python-sounddevice's convenience functions: play, record, or both, in
//! one call, on a stream of their own opened from the
//! [defaults](crate::defaults).
//!
//! One such stream exists at a time: each call stops the previous one.
//! [`wait`] waits for it and gives back the status flags of its run and
//! its recording; [`stop`] stops it, also from another thread while
//! [`wait`] waits; [`get_status`] and [`with_stream`] look at it.
//!
//! Mappings are lists of 1-based device channels, one per channel of the
//! data: `[3, 4]` plays (or records) stereo data on the device's channels
//! 3 and 4; the stream opens as many device channels as the largest entry,
//! the others silent. A playback ends after its last frame has been
//! played, the last block included (it completes; it is not cut).
//!
//! # Examples
//!
//! ```standalone_crate
//! use pastream::defaults::{self, Defaults};
//! use pastream::{Convenience, StatusFlags};
//!
//! defaults::set(Defaults { device: (Some("loopback".into()), Some("loopback".into())), ..Defaults::default() });
//! let beep: Vec<f32> = (0..4800).map(|i| (i as f32 * 0.06).sin() * 0.3).collect();
//! pastream::play(&beep, 1, &Convenience::default())?;
//! let (status, _) = pastream::wait()?;
//! assert_eq!(status, StatusFlags::NONE);
//!
//! let recording = pastream::rec::<f32>(4800, 2, &Convenience { blocking: true, ..Default::default() })?;
//! assert_eq!(recording.unwrap().frames(), 4800);
//! defaults::reset();
//! # Ok::<(), pastream::StreamError>(())
//! ```
#![forbid(unsafe_code)]

use std::sync::Mutex;

use super::{
    Direction, DuplexStream, InputStream, OutputStream, Recording, Source, StopHandle, Stream,
    StreamConfig, Transfer,
};
use crate::error::StreamError;
use crate::rt::callback::StatusFlags;
use crate::rt::mapping::ChannelMap;
use crate::sample::Sample;

/// Options of the convenience functions.
#[derive(Clone, Debug, Default)]
pub struct Convenience {
    /// The sample rate (default: the defaults', else the device's).
    pub samplerate: Option<f64>,
    /// Device channels of the played data, 1-based, one per data channel.
    pub mapping: Option<Vec<usize>>,
    /// Device channels of the recorded data, 1-based, one per data
    /// channel ([`playrec`] only; [`rec`] takes `mapping`).
    pub input_mapping: Option<Vec<usize>>,
    /// Wait until the run is over before returning.
    pub blocking: bool,
    /// Play the data over and over, with no gap, until stopped.
    pub looping: bool,
    /// The configuration to start from (device, block size, ...) instead
    /// of the defaults'.
    pub config: Option<StreamConfig>,
}

enum Last {
    Output(OutputStream),
    Input(InputStream),
    Duplex(DuplexStream),
}

impl Last {
    fn stream(&mut self) -> &mut Stream {
        match self {
            Last::Output(s) => s,
            Last::Input(s) => s,
            Last::Duplex(s) => s,
        }
    }
}

static LAST: Mutex<Option<Last>> = Mutex::new(None);
/// Kept apart so that [`stop`] reaches a stream that [`wait`] holds.
static LAST_STOP: Mutex<Option<StopHandle>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn not_called() -> StreamError {
    StreamError::invalid("stream", "play(), rec() or playrec() was not called yet")
}

/// Device channels and the map for data of `channels` channels sent to
/// (or taken from) the 1-based device channels `mapping`.
fn routed(
    channels: usize,
    mapping: Option<&[usize]>,
) -> Result<(usize, Option<Vec<usize>>), StreamError> {
    let Some(m) = mapping else {
        return Ok((channels, None));
    };
    if m.len() != channels || m.contains(&0) {
        return Err(StreamError::invalid(
            "mapping",
            format!(
                "a mapping gives a device channel from 1 for each of the {channels} data channels; got {m:?}"
            ),
        ));
    }
    Ok((m.iter().copied().max().unwrap_or(1), Some(m.to_vec())))
}

fn config(o: &Convenience, direction: Direction) -> StreamConfig {
    let mut c = o
        .config
        .clone()
        .unwrap_or_else(|| StreamConfig::from_defaults(direction));
    if let Some(r) = o.samplerate {
        c = c.samplerate(r);
    }
    c
}

/// Makes `last` the convenience stream, after stopping the previous one,
/// and starts it; waits when `blocking`.
fn launch(mut last: Last, blocking: bool, t: Transfer) -> Result<Option<Recording>, StreamError> {
    let _ = stop();
    let s = last.stream();
    s.transfer = t;
    *lock(&LAST_STOP) = Some(s.stop_handle());
    s.start()?;
    *lock(&LAST) = Some(last);
    if blocking {
        return wait().map(|(_, r)| r);
    }
    Ok(None)
}

/// Plays `data` (interleaved, `channels` channels) on a stream of its own;
/// see the [module docs](self).
///
/// # Errors
///
/// Opening and starting errors; a mapping that does not give one device
/// channel for each data channel; with `blocking`, the run's error.
///
/// # Examples
///
/// ```standalone_crate
/// use pastream::Convenience;
///
/// let config = pastream::StreamConfig::new().device("loopback");
/// // Mono data on the device's channel 2 (of 2).
/// let o = Convenience { mapping: Some(vec![2]), blocking: true, config: Some(config), ..Default::default() };
/// pastream::play(&[0.5f32; 480], 1, &o)?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn play<T: Sample>(data: &[T], channels: usize, o: &Convenience) -> Result<(), StreamError> {
    let (device_channels, map) = routed(channels, o.mapping.as_deref())?;
    let mut s = OutputStream::open(&config(o, Direction::Output).output_channels(device_channels))?;
    s.set_data_channels(0, channels)?;
    s.set_tx_map(map.map(|m| ChannelMap::placing(&m)))?;
    s.set_source(Some(Source::samples(data)))?;
    let t = Transfer::new().looping(o.looping);
    launch(Last::Output(s), o.blocking, t).map(|_| ())
}

/// Records `frames` frames of `channels` channels (`mapping`: the device
/// channels recorded, one per channel) on a stream of its own. The
/// recording comes back here with `blocking`, else from [`wait`].
///
/// # Errors
///
/// As [`play`].
///
/// # Examples
///
/// ```standalone_crate
/// use pastream::Convenience;
///
/// let config = pastream::StreamConfig::new().device("loopback");
/// let o = Convenience { mapping: Some(vec![3, 1]), blocking: true, config: Some(config), ..Default::default() };
/// let recording = pastream::rec::<i16>(480, 2, &o)?.unwrap();
/// assert_eq!(recording.samples::<i16>()?.len(), 2 * 480);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn rec<T: Sample>(
    frames: usize,
    channels: usize,
    o: &Convenience,
) -> Result<Option<Recording>, StreamError> {
    let (device_channels, map) = routed(channels, o.mapping.as_deref())?;
    let config = config(o, Direction::Input)
        .input_channels(device_channels)
        .format(T::FORMAT);
    let mut s = InputStream::open(&config)?;
    s.set_data_channels(channels, 0)?;
    s.set_rx_map(map.map(ChannelMap::new))?;
    s.set_sink(Some(super::Sink::Memory(frames)))?;
    launch(
        Last::Input(s),
        o.blocking,
        Transfer::new().frames(frames as i64),
    )
}

/// Plays `data` (`out_channels` channels) and records as many frames of
/// `in_channels` channels with one stream, sample-aligned. The recording
/// comes back here with `blocking`, else from [`wait`].
///
/// # Errors
///
/// As [`play`].
///
/// # Examples
///
/// ```standalone_crate
/// use pastream::Convenience;
///
/// let config = pastream::StreamConfig::new().device("loopback").blocksize(128);
/// let o = Convenience { blocking: true, config: Some(config), ..Default::default() };
/// let mut data = vec![0.0f32; 1000];
/// data[0] = 1.0;
/// let rec = pastream::playrec(&data, 1, 1, &o)?.unwrap();
/// // The virtual loopback's delay is one block.
/// assert_eq!(rec.samples::<f32>()?[128], 1.0);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn playrec<T: Sample>(
    data: &[T],
    out_channels: usize,
    in_channels: usize,
    o: &Convenience,
) -> Result<Option<Recording>, StreamError> {
    let (dev_out, tx) = routed(out_channels, o.mapping.as_deref())?;
    let (dev_in, rx) = routed(in_channels, o.input_mapping.as_deref())?;
    let config = config(o, Direction::Duplex)
        .output_channels(dev_out)
        .input_channels(dev_in);
    let mut s = DuplexStream::open(&config)?;
    s.set_data_channels(in_channels, out_channels)?;
    s.set_tx_map(tx.map(|m| ChannelMap::placing(&m)))?;
    s.set_rx_map(rx.map(ChannelMap::new))?;
    let frames = data.len() / out_channels.max(1);
    s.set_source(Some(Source::samples(data)))?;
    s.set_sink(Some(super::Sink::Memory(frames)))?;
    launch(
        Last::Duplex(s),
        o.blocking,
        Transfer::new().frames(frames as i64),
    )
}

/// Waits until the convenience stream's run is over; returns the status
/// flags of the run, OR-ed, and its recording (for [`rec`] and
/// [`playrec`]). The stream is closed.
///
/// # Errors
///
/// The run's error; [`StreamError::InvalidArgument`] when no convenience
/// function was called.
pub fn wait() -> Result<(StatusFlags, Option<Recording>), StreamError> {
    let mut last = lock(&LAST);
    let Some(l) = last.as_mut() else {
        return Err(not_called());
    };
    let s = l.stream();
    s.wait(None)?;
    let status = s.status();
    let recording = s.take_recording();
    s.close()?;
    Ok((status, recording))
}

/// Stops the convenience stream (its output still plays out), from any
/// thread; [`wait`] then returns.
///
/// # Errors
///
/// The run's error, when no [`wait`] collects it.
///
/// # Examples
///
/// ```standalone_crate
/// use pastream::Convenience;
///
/// let config = pastream::StreamConfig::new().device("loopback");
/// let o = Convenience { looping: true, config: Some(config), ..Default::default() };
/// pastream::play(&[0.1f32; 2 * 480], 2, &o)?; // until stopped
/// pastream::stop()?;
/// pastream::wait()?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn stop() -> Result<(), StreamError> {
    if let Some(h) = lock(&LAST_STOP).as_ref() {
        h.stop();
    }
    match lock(&LAST).as_mut() {
        Some(l) => l.stream().stop(),
        None => Ok(()),
    }
}

/// The status flags of the convenience stream's current (or last) run.
///
/// # Errors
///
/// [`StreamError::InvalidArgument`] when no convenience function was
/// called.
///
/// # Examples
///
/// ```standalone_crate
/// use pastream::Convenience;
///
/// assert!(pastream::get_status().is_err()); // nothing played yet
/// let config = pastream::StreamConfig::new().device("loopback");
/// pastream::play(&[0.0f32; 480], 1, &Convenience { blocking: true, config: Some(config), ..Default::default() })?;
/// assert_eq!(pastream::get_status()?, pastream::StatusFlags::NONE);
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn get_status() -> Result<StatusFlags, StreamError> {
    lock(&LAST)
        .as_mut()
        .map(|l| l.stream().status())
        .ok_or_else(not_called)
}

/// Runs `f` on the convenience stream (python-sounddevice's
/// `get_stream`).
///
/// # Errors
///
/// [`StreamError::InvalidArgument`] when no convenience function was
/// called.
///
/// # Examples
///
/// ```standalone_crate
/// use pastream::Convenience;
///
/// let config = pastream::StreamConfig::new().device("loopback").samplerate(44100.0);
/// pastream::rec::<i16>(441, 1, &Convenience { config: Some(config), ..Default::default() })?;
/// assert_eq!(pastream::with_stream(|s| s.samplerate())?, 44100.0);
/// pastream::wait()?;
/// # Ok::<(), pastream::StreamError>(())
/// ```
pub fn with_stream<R>(f: impl FnOnce(&mut Stream) -> R) -> Result<R, StreamError> {
    lock(&LAST)
        .as_mut()
        .map(|l| f(l.stream()))
        .ok_or_else(not_called)
}
