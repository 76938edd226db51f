//! Sample formats and the byte layout of frames.
//!
//! Audio moves through the library as bytes: a frame is one sample for every
//! channel, interleaved, in the machine's native byte order. A sample format
//! fixes the size of one sample and the bytes of silence.

use std::fmt;
use std::str::FromStr;

/// The encoding of one sample, as a device or stream carries it.
///
/// All formats are in native byte order. `I24` is packed: three bytes a
/// sample, no padding byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// 32-bit IEEE float, full scale is -1.0..=1.0.
    F32,
    /// 32-bit signed integer.
    I32,
    /// 24-bit signed integer packed in three bytes.
    I24,
    /// 16-bit signed integer.
    I16,
    /// 8-bit signed integer.
    I8,
    /// 8-bit unsigned integer; 128 is silence.
    U8,
}

impl SampleFormat {
    /// Every format, in order of decreasing size.
    pub const ALL: [SampleFormat; 6] = [
        SampleFormat::F32,
        SampleFormat::I32,
        SampleFormat::I24,
        SampleFormat::I16,
        SampleFormat::I8,
        SampleFormat::U8,
    ];

    /// The size of one sample in bytes.
    pub const fn sample_size(self) -> usize {
        match self {
            SampleFormat::F32 | SampleFormat::I32 => 4,
            SampleFormat::I24 => 3,
            SampleFormat::I16 => 2,
            SampleFormat::I8 | SampleFormat::U8 => 1,
        }
    }

    /// The size of one frame of `channels` channels, in bytes.
    pub const fn frame_size(self, channels: usize) -> usize {
        self.sample_size() * channels
    }

    /// The byte every byte of silence holds in this format.
    ///
    /// Silence is all zero bytes, except for `U8`, whose zero level is 128.
    pub const fn silence_byte(self) -> u8 {
        match self {
            SampleFormat::U8 => 0x80,
            _ => 0,
        }
    }

    /// The name used in option values and messages (`float32`, `int24`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            SampleFormat::F32 => "float32",
            SampleFormat::I32 => "int32",
            SampleFormat::I24 => "int24",
            SampleFormat::I16 => "int16",
            SampleFormat::I8 => "int8",
            SampleFormat::U8 => "uint8",
        }
    }
}

impl fmt::Display for SampleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error returned when a sample format name is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sample format '{0}' (expected one of float32, int32, int24, int16, int8, uint8)")]
pub struct UnknownFormat(pub String);

impl FromStr for SampleFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SampleFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// A Rust sample type that has a [`SampleFormat`], for moving typed samples
/// in and out of byte buffers.
pub trait Sample: Copy + Send + 'static {
    /// The format of this type.
    const FORMAT: SampleFormat;
    /// Appends the native-endian bytes of `self` to `out`.
    fn extend_bytes(self, out: &mut Vec<u8>);
    /// Reads one sample from exactly `FORMAT.sample_size()` bytes.
    fn from_bytes(bytes: &[u8]) -> Self;
}

macro_rules! impl_sample {
    ($t:ty, $f:expr) => {
        impl Sample for $t {
            const FORMAT: SampleFormat = $f;
            fn extend_bytes(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_ne_bytes());
            }
            fn from_bytes(bytes: &[u8]) -> Self {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_ne_bytes(b)
            }
        }
    };
}

impl_sample!(f32, SampleFormat::F32);
impl_sample!(i32, SampleFormat::I32);
impl_sample!(i16, SampleFormat::I16);
impl_sample!(i8, SampleFormat::I8);
impl_sample!(u8, SampleFormat::U8);

/// A 24-bit sample held in an `i32` (range -8388608..=8388607), stored
/// packed in three bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct I24(pub i32);

impl Sample for I24 {
    const FORMAT: SampleFormat = SampleFormat::I24;
    fn extend_bytes(self, out: &mut Vec<u8>) {
        let b = self.0.to_ne_bytes();
        if cfg!(target_endian = "little") {
            out.extend_from_slice(&b[..3]);
        } else {
            out.extend_from_slice(&b[1..]);
        }
    }
    fn from_bytes(bytes: &[u8]) -> Self {
        let v = if cfg!(target_endian = "little") {
            i32::from_le_bytes([0, bytes[0], bytes[1], bytes[2]]) >> 8
        } else {
            i32::from_be_bytes([bytes[0], bytes[1], bytes[2], 0]) >> 8
        };
        I24(v)
    }
}

/// Copies typed samples into a new byte buffer in the layout streams use.
pub fn to_bytes<T: Sample>(samples: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * T::FORMAT.sample_size());
    for &s in samples {
        s.extend_bytes(&mut out);
    }
    out
}

/// Reads typed samples out of a byte buffer. Trailing bytes that do not make
/// a whole sample are ignored.
pub fn from_bytes<T: Sample>(bytes: &[u8]) -> Vec<T> {
    bytes
        .chunks_exact(T::FORMAT.sample_size())
        .map(T::from_bytes)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_silence() {
        let sizes: Vec<usize> = SampleFormat::ALL.iter().map(|f| f.sample_size()).collect();
        assert_eq!(sizes, [4, 4, 3, 2, 1, 1]);
        assert_eq!(SampleFormat::I24.frame_size(32), 96);
        assert_eq!(SampleFormat::U8.silence_byte(), 128);
        assert_eq!(SampleFormat::I8.silence_byte(), 0);
    }

    #[test]
    fn names_round_trip() {
        for f in SampleFormat::ALL {
            assert_eq!(f.name().parse::<SampleFormat>(), Ok(f));
        }
        let err = "int12".parse::<SampleFormat>().unwrap_err();
        assert!(err.to_string().contains("'int12'"));
    }

    #[test]
    fn i24_packs_and_sign_extends() {
        let values = [I24(0), I24(1), I24(-1), I24(8_388_607), I24(-8_388_608)];
        let bytes = to_bytes(&values);
        assert_eq!(bytes.len(), 15);
        assert_eq!(from_bytes::<I24>(&bytes), values);
    }

    #[test]
    fn typed_round_trip() {
        let v = [0.5f32, -1.0, f32::MIN_POSITIVE, -0.0];
        let back = from_bytes::<f32>(&to_bytes(&v));
        for (a, b) in v.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}
