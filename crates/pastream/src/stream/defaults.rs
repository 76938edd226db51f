//! Process-wide defaults for the streams that the convenience functions
//! ([`play`](crate::play), [`rec`](crate::rec), [`playrec`](crate::playrec))
//! open, and for [`StreamConfig::from_defaults`]: python-sounddevice's
//! `default`. Pairs are (input, output); `None` leaves the choice to the
//! device (its default device, its maximum channels, float32, its default
//! rate).
//!
//! # Examples
//!
//! ```standalone_crate
//! use pastream::defaults::{self, Defaults};
//!
//! defaults::set(Defaults { samplerate: Some(44100.0), ..defaults::get() });
//! assert_eq!(defaults::get().samplerate, Some(44100.0));
//! defaults::reset();
//! assert_eq!(defaults::get(), Defaults::default());
//! ```
#![forbid(unsafe_code)]

use std::sync::Mutex;

use super::{Direction, StreamConfig};
#[cfg(feature = "portaudio")]
use crate::host::portaudio::StreamFlags;
use crate::host::{DeviceSelector, Latency};
use crate::sample::SampleFormat;

/// The defaults; see the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defaults {
    /// Devices (input, output).
    pub device: (Option<DeviceSelector>, Option<DeviceSelector>),
    /// Channels (input, output).
    pub channels: (Option<usize>, Option<usize>),
    /// Sample formats (input, output).
    pub format: (Option<SampleFormat>, Option<SampleFormat>),
    /// The sample rate.
    pub samplerate: Option<f64>,
    /// Frames per block; 0 leaves it to the host.
    pub blocksize: usize,
    /// The latency asked for.
    pub latency: Option<Latency>,
    /// PortAudio's flags: `None` keeps the default of
    /// `host::portaudio::StreamFlags`.
    pub clip_off: Option<bool>,
    /// See [`clip_off`](Self::clip_off).
    pub dither_off: Option<bool>,
    /// See [`clip_off`](Self::clip_off).
    pub never_drop_input: Option<bool>,
    /// See [`clip_off`](Self::clip_off).
    pub prime_output_buffers: Option<bool>,
}

static DEFAULTS: Mutex<Option<Defaults>> = Mutex::new(None);

/// The defaults in force.
pub fn get() -> Defaults {
    DEFAULTS
        .lock()
        .map(|d| d.clone().unwrap_or_default())
        .unwrap_or_default()
}

/// Sets the defaults.
pub fn set(defaults: Defaults) {
    if let Ok(mut d) = DEFAULTS.lock() {
        *d = Some(defaults);
    }
}

/// Puts every default back to its initial value.
pub fn reset() {
    if let Ok(mut d) = DEFAULTS.lock() {
        *d = None;
    }
}

impl StreamConfig {
    /// A configuration from the [defaults](crate::defaults) for a stream
    /// of `direction`: a duplex stream takes the output device and the
    /// input device, the output format (else the input's).
    ///
    /// # Examples
    ///
    /// ```standalone_crate
    /// use pastream::defaults::{self, Defaults};
    /// use pastream::host::Direction;
    /// use pastream::{InputStream, StreamConfig};
    ///
    /// defaults::set(Defaults {
    ///     device: (Some("loopback".into()), Some("loopback".into())),
    ///     channels: (Some(3), Some(1)),
    ///     ..Defaults::default()
    /// });
    /// let stream = InputStream::open(&StreamConfig::from_defaults(Direction::Input))?;
    /// assert_eq!(stream.channels(), (3, 0));
    /// defaults::reset();
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn from_defaults(direction: Direction) -> StreamConfig {
        let d = get();
        let mut c = StreamConfig::new().blocksize(d.blocksize);
        let (device, format) = match direction {
            Direction::Input => (d.device.0.clone(), d.format.0),
            Direction::Output => (d.device.1.clone(), d.format.1),
            Direction::Duplex => {
                if let Some(i) = d.device.0.clone() {
                    c = c.input_device(i);
                }
                (d.device.1.clone(), d.format.1.or(d.format.0))
            }
        };
        if let Some(dev) = device {
            c = c.device(dev);
        }
        if let Some(f) = format {
            c = c.format(f);
        }
        if let Some(n) = d.channels.0.filter(|_| direction != Direction::Output) {
            c = c.input_channels(n);
        }
        if let Some(n) = d.channels.1.filter(|_| direction != Direction::Input) {
            c = c.output_channels(n);
        }
        if let Some(r) = d.samplerate {
            c = c.samplerate(r);
        }
        if let Some(l) = d.latency {
            c = c.latency(l);
        }
        #[cfg(feature = "portaudio")]
        {
            let base = StreamFlags::default();
            c = c.host_option(StreamFlags {
                clip_off: d.clip_off.unwrap_or(base.clip_off),
                dither_off: d.dither_off.unwrap_or(base.dither_off),
                never_drop_input: d.never_drop_input.unwrap_or(base.never_drop_input),
                prime_output_buffers: d.prime_output_buffers.unwrap_or(base.prime_output_buffers),
            });
        }
        c
    }
}
