//! Hosts and devices: what can be opened, and the queries to find it.
//!
//! A *backend* is a source of devices: the system's audio library
//! (PortAudio, behind the default cargo feature `portaudio`, with every
//! host API it has: ALSA, JACK, OSS, CoreAudio, WASAPI, ASIO, ...) and the
//! virtual host ([`loopback`], always there). The device list holds every
//! device of every backend in one numbering, the backends in the order of
//! the registry. Devices are selected by index or by a query string (see
//! [`find_device`]).
//!
//! A new backend is a folder beside `loopback` and `portaudio` that
//! implements the crate's `Backend` trait, one line in the registry below,
//! and a cargo feature.
//!
//! The audio libraries print a line for every card or server they do not
//! find; the library keeps that off standard error unless asked (see
//! [`show_backend_messages`]).
//!
//! ```
//! use pastream::host::{self, Direction};
//!
//! let devices = host::query_devices();
//! let loopback = host::find_device(Some(&"loopback, Virtual".into()), Direction::Duplex)?;
//! assert_eq!(devices.devices[loopback.index], loopback);
//! assert!(loopback.is_virtual());
//! # Ok::<(), pastream::host::DeviceError>(())
//! ```

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::HostError;
use crate::rt::callback::AudioCallback;
use crate::sample::SampleFormat;

mod devices;
pub mod loopback;
#[cfg(feature = "portaudio")]
pub mod portaudio;
mod quiet;
mod wake;

pub use devices::{
    DeviceError, DeviceInfo, DeviceList, DeviceSelector, Direction, HostApiInfo, Latency,
};
pub use loopback::{Clock, VirtualOptions};
pub(crate) use quiet::Muted;
pub use quiet::show_backend_messages;
pub(crate) use wake::Wake;

/// A source of devices: it lists them, checks settings, and opens
/// streams on them.
pub(crate) trait Backend: Sync {
    /// Appends the backend's host APIs and devices to `scan`, the devices
    /// numbered on from `scan.devices.len()`, host APIs from
    /// `scan.hostapis`; `id` is the backend's place in the registry.
    fn scan(&self, id: usize, scan: &mut Scan);
    /// Whether input and output of one duplex stream may be two different
    /// devices of one of its host APIs.
    fn split_duplex(&self) -> bool;
    /// Checks settings without opening a stream (formats, rates, the
    /// backend's limits), for [`check_input_settings`] and
    /// [`check_output_settings`].
    fn check(&self, params: &HostParams) -> Result<(), DeviceError>;
    /// Opens a stream, stopped.
    fn open(&self, params: &HostParams) -> Result<Box<dyn HostStream>, DeviceError>;
    /// Lets the backend look for devices afresh at its next scan.
    fn refresh(&self) -> Result<(), DeviceError> {
        Ok(())
    }
}

/// The backends, in the order their devices are numbered.
static BACKENDS: &[&dyn Backend] = &[
    #[cfg(feature = "portaudio")]
    &portaudio::PortAudio,
    &loopback::Virtual,
];

fn backend(device: &DeviceInfo) -> &'static dyn Backend {
    BACKENDS[device.backend]
}

/// A device list being built by the backends.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub devices: Vec<DeviceInfo>,
    /// Host APIs numbered so far.
    pub hostapis: usize,
    pub default_input: Option<usize>,
    pub default_output: Option<usize>,
}

/// All devices of all backends: those of the audio library first, then
/// the virtual ones. The defaults are the audio library's, or the virtual
/// `loopback` where it has none.
///
/// # Examples
///
/// ```
/// let devices = pastream::host::query_devices();
/// for d in devices.iter() {
///     assert_eq!(devices.devices[d.index].name, d.name);
/// }
/// ```
pub fn query_devices() -> DeviceList {
    let mut scan = Scan::default();
    for (id, b) in BACKENDS.iter().enumerate() {
        b.scan(id, &mut scan);
    }
    DeviceList {
        devices: scan.devices,
        default_input: scan.default_input,
        default_output: scan.default_output,
    }
}

/// Looks for devices afresh: those plugged in, or a JACK server started,
/// since the audio library started (it scans the system once, when it is
/// first used). The next [`query_devices`] sees them.
///
/// # Errors
///
/// [`DeviceError::Backend`] while a stream of the audio library is open
/// (close them first), or when the JACK server the audio library connected
/// to has quit (the library cannot let go of it without ending the
/// program; the devices it knows stay as they are).
///
/// # Examples
///
/// ```
/// pastream::host::refresh_devices()?;
/// assert!(pastream::host::query_devices().iter().any(|d| d.is_virtual()));
/// # Ok::<(), pastream::host::DeviceError>(())
/// ```
pub fn refresh_devices() -> Result<(), DeviceError> {
    BACKENDS.iter().try_for_each(|b| b.refresh())
}

/// Every host API, with its devices.
///
/// # Examples
///
/// ```
/// for api in pastream::host::query_hostapis() {
///     assert!(!api.devices.is_empty());
/// }
/// ```
pub fn query_hostapis() -> Vec<HostApiInfo> {
    devices::hostapis(&query_devices())
}

/// The default (input, output) device indexes.
///
/// # Examples
///
/// ```
/// let (input, output) = pastream::host::default_devices();
/// // The virtual loopback when the machine has nothing else.
/// assert!(input.is_some() && output.is_some());
/// ```
pub fn default_devices() -> (Option<usize>, Option<usize>) {
    let d = query_devices();
    (d.default_input, d.default_output)
}

/// Finds the device for `direction`: the default device when `selector` is
/// `None`.
///
/// A query matches a device when each of its space-separated parts appears,
/// in order and ignoring case, in "device name, host API name", and the
/// device has the channels `direction` needs. When several match, one whose
/// name equals the whole query wins.
///
/// # Errors
///
/// [`DeviceError`] naming the problem; for an ambiguous query, the
/// candidates.
///
/// # Examples
///
/// ```
/// use pastream::host::{self, DeviceError, Direction};
///
/// let d = host::find_device(Some(&"LOOPBACK virt".into()), Direction::Duplex)?;
/// assert_eq!(d.name, "loopback");
/// // Several match: the candidates are named.
/// let e = host::find_device(Some(&"loopback".into()), Direction::Input);
/// assert!(e.is_ok()); // the exact name wins
/// let e = host::find_device(Some(&"only".into()), Direction::Output).err();
/// assert!(e.is_none() || matches!(e, Some(DeviceError::Ambiguous { .. })));
/// # Ok::<(), pastream::host::DeviceError>(())
/// ```
pub fn find_device(
    selector: Option<&DeviceSelector>,
    direction: Direction,
) -> Result<DeviceInfo, DeviceError> {
    devices::select(&query_devices(), selector, direction)
}

/// Settings of one backend, set on a stream's configuration and read by
/// that backend alone (for example [`VirtualOptions`]): one value of each
/// type.
///
/// # Examples
///
/// ```
/// use pastream::host::{Clock, HostOptions, VirtualOptions};
///
/// let mut options = HostOptions::default();
/// options.set(VirtualOptions { clock: Clock::FreeRunning, ..VirtualOptions::default() });
/// assert_eq!(options.get::<VirtualOptions>().unwrap().clock, Clock::FreeRunning);
/// ```
#[derive(Clone, Default)]
pub struct HostOptions(Vec<Arc<dyn Any + Send + Sync>>);

impl HostOptions {
    /// Sets `value`, replacing the one of the same type.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::host::HostOptions;
    ///
    /// let mut options = HostOptions::default();
    /// options.set(1u32);
    /// options.set(2u32); // replaces
    /// assert_eq!(options.get::<u32>(), Some(&2));
    /// ```
    pub fn set<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.retain(|v| !v.is::<T>());
        self.0.push(Arc::new(value));
    }

    /// The value of type `T`, if one was set.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::host::HostOptions;
    ///
    /// let options = HostOptions::default();
    /// assert!(options.get::<String>().is_none());
    /// ```
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.iter().find_map(|v| v.downcast_ref::<T>())
    }
}

impl fmt::Debug for HostOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostOptions({} set)", self.0.len())
    }
}

/// Settings to open a host stream with.
#[derive(Clone, Debug)]
pub(crate) struct HostParams {
    /// The output device (or the input device, for an input stream).
    pub device: DeviceInfo,
    /// The input device: usually the same as `device`.
    pub input_device: DeviceInfo,
    pub input_channels: usize,
    pub output_channels: usize,
    /// The output's sample format (and the input's, for an input stream).
    pub format: SampleFormat,
    /// The input's sample format.
    pub input_format: SampleFormat,
    pub samplerate: f64,
    pub blocksize: usize,
    pub latency: Latency,
    pub callback_guard: Option<fn(&mut dyn FnMut())>,
    pub options: HostOptions,
    /// Rung by a host that may make system calls after each block, and by
    /// every host when its stream stops calling back.
    pub wake: Arc<Wake>,
}

/// Checks `params` against the device and fills in nothing: every value
/// must be possible.
pub(crate) fn check_settings(p: &HostParams) -> Result<(), DeviceError> {
    let invalid = |problem: String| DeviceError::InvalidSetting {
        device: p.device.name.clone(),
        problem,
    };
    for (ch, dev, what) in [
        (p.input_channels, &p.input_device, "input"),
        (p.output_channels, &p.device, "output"),
    ] {
        let max = if what == "input" {
            dev.max_input_channels
        } else {
            dev.max_output_channels
        };
        if ch > max {
            return Err(DeviceError::InvalidSetting {
                device: dev.name.clone(),
                problem: format!("{ch} {what} channels requested, the device has at most {max}"),
            });
        }
    }
    if p.input_device.index != p.device.index {
        let same_api = p.input_device.hostapi == p.device.hostapi;
        let split = same_api
            && p.device.backend == p.input_device.backend
            && backend(&p.device).split_duplex();
        if !split {
            return Err(invalid(format!(
                "recording from '{}, {}' while playing to '{}, {}' needs two devices of one host API (not Virtual)",
                p.input_device.name,
                p.input_device.hostapi_name,
                p.device.name,
                p.device.hostapi_name
            )));
        }
    }
    if p.input_channels == 0 && p.output_channels == 0 {
        return Err(invalid("a stream needs at least one channel".into()));
    }
    if !(p.samplerate.is_finite() && p.samplerate >= 1.0 && p.samplerate <= 1_536_000.0) {
        return Err(invalid(format!(
            "sample rate {} Hz is out of range (1 to 1536000)",
            p.samplerate
        )));
    }
    if let Latency::Seconds(s) = p.latency {
        if !(s.is_finite() && s >= 0.0) {
            return Err(invalid(format!("latency of {s} s is not possible")));
        }
    }
    Ok(())
}

/// A stream opened on a host: it runs a callback between `start` and
/// `stop`.
pub(crate) trait HostStream: Send {
    /// Starts calling `callback` once per block.
    fn start(&mut self, callback: Box<dyn AudioCallback>) -> Result<(), DeviceError>;
    /// Whether the callback may still be called (it has not returned
    /// complete or abort, and the stream was not stopped).
    fn is_running(&self) -> bool;
    /// Stops after the current block and gives the callback back; `None`
    /// if it was never started. `drain`: let queued output play first.
    fn stop(&mut self, drain: bool) -> Result<Option<Box<dyn AudioCallback>>, DeviceError>;
    /// The (input, output) latency in seconds.
    fn latency(&self) -> (f64, f64);
    /// Fraction of the block period spent in the callback, 0.0 to 1.0.
    fn cpu_load(&self) -> f64;
    /// The host's stream clock, in seconds (the time base of the blocks'
    /// [`TimeInfo`](crate::TimeInfo)).
    fn time(&self) -> f64;
    /// A problem the host met while running (a panic in the callback, a
    /// vanished device), once.
    fn take_error(&mut self) -> Option<HostError>;
    /// Whether the host runs free, as fast as its callback is
    /// [ready](AudioCallback::ready), rather than by a clock: the threads
    /// that feed and drain the callback then must not sleep.
    fn free_running(&self) -> bool {
        false
    }
    /// How long until the host should be asked again whether it runs
    /// ([`is_running`](Self::is_running)), if it knows: a host that notices
    /// a silent device by time tells when it would.
    fn look_again(&self) -> Option<Duration> {
        None
    }
    /// Gives up on a callback that did not end when asked (its device or
    /// server stalls): the host stops running at once, and
    /// [`stop`](Self::stop) must not wait for the device either.
    fn abandon(&mut self);
}

/// Checks that `device` (default: the default input) can record
/// `channels` channels of `format` at `samplerate` (default: the device's),
/// without opening a stream.
///
/// # Errors
///
/// [`DeviceError`] naming the device and what it cannot do.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::host::check_input_settings;
///
/// let loopback = Some("loopback".into());
/// check_input_settings(loopback.as_ref(), 2, SampleFormat::I24, Some(96000.0))?;
/// assert!(check_input_settings(loopback.as_ref(), 129, SampleFormat::F32, None).is_err());
/// # Ok::<(), pastream::host::DeviceError>(())
/// ```
pub fn check_input_settings(
    device: Option<&DeviceSelector>,
    channels: usize,
    format: SampleFormat,
    samplerate: Option<f64>,
) -> Result<(), DeviceError> {
    check_direction(device, Direction::Input, channels, format, samplerate)
}

/// Checks that `device` (default: the default output) can play `channels`
/// channels of `format` at `samplerate` (default: the device's), without
/// opening a stream.
///
/// # Errors
///
/// [`DeviceError`] naming the device and what it cannot do.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::host::check_output_settings;
///
/// let output_only = Some("loopback (output only)".into());
/// check_output_settings(output_only.as_ref(), 8, SampleFormat::F32, None)?;
/// assert!(check_output_settings(output_only.as_ref(), 2, SampleFormat::F32, Some(0.5)).is_err());
/// # Ok::<(), pastream::host::DeviceError>(())
/// ```
pub fn check_output_settings(
    device: Option<&DeviceSelector>,
    channels: usize,
    format: SampleFormat,
    samplerate: Option<f64>,
) -> Result<(), DeviceError> {
    check_direction(device, Direction::Output, channels, format, samplerate)
}

fn check_direction(
    device: Option<&DeviceSelector>,
    direction: Direction,
    channels: usize,
    format: SampleFormat,
    samplerate: Option<f64>,
) -> Result<(), DeviceError> {
    let d = find_device(device, direction)?;
    let input = direction == Direction::Input;
    let p = HostParams {
        samplerate: samplerate.unwrap_or(d.default_samplerate),
        input_device: d.clone(),
        device: d,
        input_channels: if input { channels } else { 0 },
        output_channels: if input { 0 } else { channels },
        format,
        input_format: format,
        blocksize: 0,
        latency: Latency::High,
        callback_guard: None,
        options: HostOptions::default(),
        wake: Arc::default(),
    };
    if channels == 0 {
        return Err(DeviceError::InvalidSetting {
            device: p.device.name.clone(),
            problem: format!("0 {} channels", direction.noun()),
        });
    }
    check_settings(&p)?;
    backend(&p.device).check(&p)
}
/// Opens a host stream.
pub(crate) fn open(params: &HostParams) -> Result<Box<dyn HostStream>, DeviceError> {
    check_settings(params)?;
    backend(&params.device).open(params)
}

/// How long a block of `frames` lasts at `samplerate`.
pub(crate) fn block_duration(frames: usize, samplerate: f64) -> Duration {
    Duration::from_secs_f64(frames as f64 / samplerate)
}
