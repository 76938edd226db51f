//! What a device is, and how one is chosen: device and host API facts, the
//! device list, selectors, latencies, and the errors of finding and
//! opening devices. Nothing here knows a backend.
#![forbid(unsafe_code)]

use std::fmt;

pub use crate::error::DeviceError;

/// Which way audio flows through a device.
///
/// # Examples
///
/// ```
/// use pastream::host::{self, Direction};
///
/// // The output-only loopback has no input.
/// assert!(host::find_device(Some(&"loopback (output only)".into()), Direction::Input).is_err());
/// assert!(host::find_device(Some(&"loopback (output only)".into()), Direction::Output).is_ok());
/// ```
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
    pub(crate) fn needs_input(self) -> bool {
        matches!(self, Direction::Input | Direction::Duplex)
    }
    pub(crate) fn needs_output(self) -> bool {
        matches!(self, Direction::Output | Direction::Duplex)
    }
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
            Direction::Duplex => "duplex",
        }
    }
}

/// A host API (a driver family) and its devices.
///
/// # Examples
///
/// ```
/// use pastream::host;
///
/// let apis = host::query_hostapis();
/// let virt = apis.iter().find(|a| a.name == "Virtual").unwrap();
/// assert_eq!(virt.devices.len(), 3);
/// assert!(virt.default_input_device.is_some());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HostApiInfo {
    /// Position in [`query_hostapis`](super::query_hostapis).
    pub index: usize,
    /// Name, e.g. "Virtual" or "JACK Audio Connection Kit".
    pub name: String,
    /// Indexes of its devices in [`query_devices`](super::query_devices).
    pub devices: Vec<usize>,
    /// Its default input device, if any.
    pub default_input_device: Option<usize>,
    /// Its default output device, if any.
    pub default_output_device: Option<usize>,
}

/// One device and its capabilities.
///
/// # Examples
///
/// ```
/// use pastream::host::{self, Direction};
///
/// let d = host::find_device(Some(&"loopback".into()), Direction::Duplex)?;
/// assert_eq!((d.name.as_str(), d.hostapi_name.as_str()), ("loopback", "Virtual"));
/// assert_eq!(d.default_samplerate, 48000.0);
/// # Ok::<(), pastream::host::DeviceError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceInfo {
    /// Position in [`query_devices`](super::query_devices).
    pub index: usize,
    /// Name as the host API gives it.
    pub name: String,
    /// Index of its host API in [`query_hostapis`](super::query_hostapis).
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
    /// Which backend of the registry the device belongs to.
    pub(crate) backend: usize,
    /// The backend's own number for the device.
    pub(crate) native: i32,
}

/// The latency to ask a device for.
///
/// # Examples
///
/// ```
/// use pastream::{InputStream, Latency, StreamConfig};
///
/// for latency in [Latency::Low, Latency::High, Latency::Seconds(0.05)] {
///     InputStream::open(&StreamConfig::new().device("loopback").latency(latency))?;
/// }
/// # Ok::<(), pastream::StreamError>(())
/// ```
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
///
/// # Examples
///
/// ```
/// use pastream::DeviceSelector;
///
/// assert_eq!(DeviceSelector::from("3"), DeviceSelector::Index(3));
/// assert_eq!(DeviceSelector::from("loopback, Virtual"), DeviceSelector::Query("loopback, Virtual".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceSelector {
    /// The index in [`query_devices`](super::query_devices).
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

/// The list of all devices with the defaults; its `Display` prints one
/// line per device with the default input marked `>`, the default output
/// `<`, a default of both `*`.
///
/// # Examples
///
/// ```
/// let list = pastream::host::query_devices();
/// // One line per device; > marks the default input, < the output, * both.
/// println!("{list}");
/// assert!(list.to_string().contains("loopback, Virtual (128 in, 128 out)"));
/// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// let list = pastream::host::query_devices();
    /// assert_eq!(list.iter().filter(|d| d.is_virtual()).count(), 3);
    /// ```
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

/// The host APIs of `devices`, with their devices.
pub(crate) fn hostapis(devices: &DeviceList) -> Vec<HostApiInfo> {
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

/// Picks the device for `direction` from `devices`; see
/// [`find_device`](super::find_device).
pub(crate) fn select(
    devices: &DeviceList,
    selector: Option<&DeviceSelector>,
    direction: Direction,
) -> Result<DeviceInfo, DeviceError> {
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
            let idx = idx.ok_or_else(|| DeviceError::Backend("no default device".into()))?;
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
