//! Hosts and devices: what can be opened, and the queries to find it.
//!
//! The device list holds every device of every host API, in one numbering:
//! the virtual host ("Virtual", always present, see [`loopback`]) and the
//! host APIs of the machine's audio library. Devices are selected by index
//! or by a query string (see [`find_device`]).

use std::fmt;
use std::time::Duration;

use crate::callback::AudioCallback;
use crate::format::SampleFormat;

pub mod loopback;
#[cfg(feature = "portaudio")]
pub mod portaudio;

pub use loopback::{Clock, VirtualOptions};

/// Which way audio flows through a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Capture.
    Input,
    /// Playback.
    Output,
    /// Both, with one callback.
    Duplex,
}

impl Direction {
    fn needs_input(self) -> bool {
        matches!(self, Direction::Input | Direction::Duplex)
    }
    fn needs_output(self) -> bool {
        matches!(self, Direction::Output | Direction::Duplex)
    }
    fn noun(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
            Direction::Duplex => "duplex",
        }
    }
}

/// A host API (a driver family) and its devices.
#[derive(Clone, Debug, PartialEq)]
pub struct HostApiInfo {
    /// Position in [`query_hostapis`].
    pub index: usize,
    /// Name, e.g. "Virtual" or "JACK Audio Connection Kit".
    pub name: String,
    /// Indexes of its devices in [`query_devices`].
    pub devices: Vec<usize>,
    /// Its default input device, if any.
    pub default_input_device: Option<usize>,
    /// Its default output device, if any.
    pub default_output_device: Option<usize>,
}

/// One device and its capabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// Position in [`query_devices`].
    pub index: usize,
    /// Name as the host API gives it.
    pub name: String,
    /// Index of its host API in [`query_hostapis`].
    pub hostapi: usize,
    /// Name of its host API.
    pub hostapi_name: String,
    /// Most input channels it can open.
    pub max_input_channels: usize,
    /// Most output channels it can open.
    pub max_output_channels: usize,
    /// Input latency for interactive use, in seconds.
    pub default_low_input_latency: f64,
    /// Output latency for interactive use, in seconds.
    pub default_low_output_latency: f64,
    /// Input latency for robust playback and recording, in seconds.
    pub default_high_input_latency: f64,
    /// Output latency for robust playback and recording, in seconds.
    pub default_high_output_latency: f64,
    /// The sample rate it runs at unless told otherwise.
    pub default_samplerate: f64,
    pub(crate) backend: Backend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    Virtual(loopback::Kind),
    #[cfg(feature = "portaudio")]
    PortAudio {
        index: i32,
        float_host: bool,
    },
}

impl DeviceInfo {
    /// The device's index in PortAudio's own numbering, if it is a
    /// PortAudio device.
    pub(crate) fn backend_index(&self) -> Option<i32> {
        match self.backend {
            #[cfg(feature = "portaudio")]
            Backend::PortAudio { index, .. } => Some(index),
            _ => None,
        }
    }

    /// Whether the device belongs to the virtual host.
    pub fn is_virtual(&self) -> bool {
        matches!(self.backend, Backend::Virtual(_))
    }
}

/// The latency to ask a device for.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Latency {
    /// The device's low latency, for interactive use.
    Low,
    /// The device's high latency, for robust playback and recording.
    #[default]
    High,
    /// This many seconds.
    Seconds(f64),
}

/// Picks a device: by index, or by a query string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceSelector {
    /// The index in [`query_devices`].
    Index(usize),
    /// Space-separated parts that must all appear, in order and ignoring
    /// case, in "device name, host API name".
    Query(String),
}

impl From<usize> for DeviceSelector {
    fn from(i: usize) -> Self {
        DeviceSelector::Index(i)
    }
}

impl From<&str> for DeviceSelector {
    fn from(s: &str) -> Self {
        match s.trim().parse::<usize>() {
            Ok(i) => DeviceSelector::Index(i),
            Err(_) => DeviceSelector::Query(s.to_owned()),
        }
    }
}

impl From<String> for DeviceSelector {
    fn from(s: String) -> Self {
        DeviceSelector::from(s.as_str())
    }
}

/// Why a device could not be found or opened with the requested settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// No device has that index.
    #[error("no device with index {index} (there are {count} devices; list them with -l)")]
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
    /// The host failed.
    #[error("{0}")]
    Host(String),
}

/// Every host API, with its devices.
pub fn query_hostapis() -> Vec<HostApiInfo> {
    let devices = query_devices();
    let mut apis: Vec<HostApiInfo> = Vec::new();
    for d in devices.iter() {
        while apis.len() <= d.hostapi {
            apis.push(HostApiInfo {
                index: apis.len(),
                name: String::new(),
                devices: Vec::new(),
                default_input_device: None,
                default_output_device: None,
            });
        }
        let api = &mut apis[d.hostapi];
        api.name.clone_from(&d.hostapi_name);
        api.devices.push(d.index);
        let is_default = |x: Option<usize>| x == Some(d.index);
        if is_default(devices.default_input)
            || (api.default_input_device.is_none() && d.max_input_channels > 0)
        {
            api.default_input_device = Some(d.index);
        }
        if is_default(devices.default_output)
            || (api.default_output_device.is_none() && d.max_output_channels > 0)
        {
            api.default_output_device = Some(d.index);
        }
    }
    apis.retain(|a| !a.devices.is_empty());
    apis
}

/// The list of all devices with the defaults; its `Display` prints one
/// line per device with the default input marked `>`, the default output
/// `<`, a default of both `*`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceList {
    /// The devices, in index order.
    pub devices: Vec<DeviceInfo>,
    /// The default input device.
    pub default_input: Option<usize>,
    /// The default output device.
    pub default_output: Option<usize>,
}

impl DeviceList {
    /// The devices.
    pub fn iter(&self) -> impl Iterator<Item = &DeviceInfo> {
        self.devices.iter()
    }
}

impl fmt::Display for DeviceList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.devices {
            let mark = match (
                Some(d.index) == self.default_input,
                Some(d.index) == self.default_output,
            ) {
                (true, true) => '*',
                (true, false) => '>',
                (false, true) => '<',
                (false, false) => ' ',
            };
            writeln!(
                f,
                "{mark} {:>2} {}, {} ({} in, {} out)",
                d.index, d.name, d.hostapi_name, d.max_input_channels, d.max_output_channels
            )?;
        }
        Ok(())
    }
}

/// All devices of all host APIs: those of the audio library first, then
/// the virtual ones. The defaults are the audio library's, or the virtual
/// `loopback` where it has none.
pub fn query_devices() -> DeviceList {
    let mut devices = Vec::new();
    #[cfg(feature = "portaudio")]
    let (apis, din, dout) = portaudio::append_devices(&mut devices);
    #[cfg(not(feature = "portaudio"))]
    let (apis, din, dout) = (0, None, None);
    let first_virtual = devices.len();
    loopback::append_devices(&mut devices, apis);
    DeviceList {
        devices,
        default_input: din.or(Some(first_virtual)),
        default_output: dout.or(Some(first_virtual)),
    }
}

/// Hides (or shows again) what the system's audio libraries print on
/// standard error while the library scans for devices and opens streams:
/// ALSA and JACK report every device they do not find. While hidden, the
/// process's standard error is redirected for the duration of those calls,
/// so other threads' messages in that moment are lost too. Default: shown.
pub fn set_quiet(quiet: bool) {
    #[cfg(feature = "portaudio")]
    portaudio::set_quiet(quiet);
    #[cfg(not(feature = "portaudio"))]
    let _ = quiet;
}

/// The default (input, output) device indexes.
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
pub fn find_device(
    selector: Option<&DeviceSelector>,
    direction: Direction,
) -> Result<DeviceInfo, DeviceError> {
    let devices = query_devices();
    let fits = |d: &DeviceInfo| {
        (!direction.needs_input() || d.max_input_channels > 0)
            && (!direction.needs_output() || d.max_output_channels > 0)
    };
    let chosen = match selector {
        None => {
            let idx = match direction {
                Direction::Output => devices.default_output,
                _ => devices.default_input,
            };
            let idx = idx.ok_or_else(|| DeviceError::Host("no default device".into()))?;
            devices.devices[idx].clone()
        }
        Some(DeviceSelector::Index(i)) => {
            devices
                .devices
                .get(*i)
                .cloned()
                .ok_or(DeviceError::NoSuchIndex {
                    index: *i,
                    count: devices.devices.len(),
                })?
        }
        Some(DeviceSelector::Query(q)) => {
            let parts: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
            let matches: Vec<&DeviceInfo> = devices
                .iter()
                .filter(|d| fits(d))
                .filter(|d| {
                    let full = format!("{}, {}", d.name, d.hostapi_name).to_lowercase();
                    let mut pos = 0;
                    parts.iter().all(|p| match full[pos..].find(p.as_str()) {
                        Some(at) => {
                            pos += at + p.len();
                            true
                        }
                        None => false,
                    })
                })
                .collect();
            let exact: Vec<&&DeviceInfo> = matches
                .iter()
                .filter(|d| d.name.eq_ignore_ascii_case(q.trim()))
                .collect();
            match (matches.len(), exact.len()) {
                (0, _) => {
                    return Err(DeviceError::NoMatch {
                        query: q.clone(),
                        direction: direction.noun(),
                    });
                }
                (1, _) => matches[0].clone(),
                (_, 1) => (*exact[0]).clone(),
                _ => {
                    return Err(DeviceError::Ambiguous {
                        query: q.clone(),
                        direction: direction.noun(),
                        candidates: matches
                            .iter()
                            .map(|d| format!("{}: {}, {}", d.index, d.name, d.hostapi_name))
                            .collect(),
                    });
                }
            }
        }
    };
    for (need, have, what) in [
        (direction.needs_input(), chosen.max_input_channels, "input"),
        (
            direction.needs_output(),
            chosen.max_output_channels,
            "output",
        ),
    ] {
        if need && have == 0 {
            return Err(DeviceError::WrongDirection {
                index: chosen.index,
                name: chosen.name.clone(),
                what,
            });
        }
    }
    Ok(chosen)
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
    pub format: SampleFormat,
    pub samplerate: f64,
    pub blocksize: usize,
    pub latency: Latency,
    pub callback_guard: Option<fn(&mut dyn FnMut())>,
    pub virtual_options: VirtualOptions,
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
        if p.device.is_virtual() || p.input_device.is_virtual() || !same_api {
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
    match p.device.backend {
        Backend::Virtual(_) => loopback::check(p).map_err(invalid),
        #[cfg(feature = "portaudio")]
        Backend::PortAudio { .. } => Ok(()),
    }
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
    fn take_error(&mut self) -> Option<String>;
}

/// Checks that `device` (default: the default input) can record
/// `channels` channels of `format` at `samplerate` (default: the device's),
/// without opening a stream.
///
/// # Errors
///
/// [`DeviceError`] naming the device and what it cannot do.
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
        blocksize: 0,
        latency: Latency::High,
        callback_guard: None,
        virtual_options: VirtualOptions::default(),
    };
    if channels == 0 {
        return Err(DeviceError::InvalidSetting {
            device: p.device.name.clone(),
            problem: format!("0 {} channels", direction.noun()),
        });
    }
    check_settings(&p)?;
    match p.device.backend {
        Backend::Virtual(_) => Ok(()),
        #[cfg(feature = "portaudio")]
        Backend::PortAudio { float_host, .. } => portaudio::check(&p, float_host),
    }
}

/// Opens a host stream.
pub(crate) fn open(params: &HostParams) -> Result<Box<dyn HostStream>, DeviceError> {
    check_settings(params)?;
    match params.device.backend {
        Backend::Virtual(kind) => Ok(Box::new(loopback::VirtualStream::new(params.clone(), kind))),
        #[cfg(feature = "portaudio")]
        Backend::PortAudio { float_host, .. } => {
            Ok(Box::new(portaudio::PaHostStream::open(params, float_host)?))
        }
    }
}

/// How long a block of `frames` lasts at `samplerate`.
pub(crate) fn block_duration(frames: usize, samplerate: f64) -> Duration {
    Duration::from_secs_f64(frames as f64 / samplerate)
}
