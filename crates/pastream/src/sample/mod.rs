//! Samples: their formats, the Rust types that hold them, and (in
//! [`convert`]) every conversion between formats.
//!
//! A frame is one sample for every channel, interleaved, in the machine's
//! native byte order. Streams carry frames of one [`SampleFormat`]; the
//! [`Sample`] types (`f32`, `i32`, [`I24`], `i16`, `i8`, `u8`) are how a
//! program hands them in and gets them back, checked against the format.
#![forbid(unsafe_code)]

pub mod convert;

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

/// A Rust type that holds one sample of a [`SampleFormat`]: `f32`, `i32`,
/// [`I24`], `i16`, `i8` or `u8`.
///
/// Every sample type is plain old data with the size of its format, so a
/// slice of samples *is* the bytes a stream carries, and the library moves
/// typed slices without converting them. Wherever a stream takes or lends
/// samples, the element type must be the stream's format: an `i16` buffer
/// on a float32 stream is a [`SampleError::Mismatch`], never a
/// reinterpretation of its bytes.
///
/// The trait is sealed: the six formats are all there is.
pub trait Sample:
    bytemuck::Pod + Send + Sync + fmt::Debug + PartialEq + sealed::Sealed + 'static
{
    /// The format of this type.
    const FORMAT: SampleFormat;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! impl_sample {
    ($t:ty, $f:expr) => {
        impl sealed::Sealed for $t {}
        impl Sample for $t {
            const FORMAT: SampleFormat = $f;
        }
    };
}

impl_sample!(f32, SampleFormat::F32);
impl_sample!(i32, SampleFormat::I32);
impl_sample!(I24, SampleFormat::I24);
impl_sample!(i16, SampleFormat::I16);
impl_sample!(i8, SampleFormat::I8);
impl_sample!(u8, SampleFormat::U8);

/// A 24-bit signed sample, packed in three bytes in native byte order, as
/// [`SampleFormat::I24`] streams carry it.
///
/// ```
/// use pastream::sample::I24;
///
/// let s = I24::new(-8_388_608);
/// assert_eq!(s.get(), -8_388_608);
/// assert_eq!(std::mem::size_of::<I24>(), 3);
/// // Values beyond 24 bits keep their low 24 bits, as `as` casts do.
/// assert_eq!(I24::new(8_388_608).get(), -8_388_608);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(transparent)]
pub struct I24([u8; 3]);

impl I24 {
    /// The smallest value, -2^23.
    pub const MIN: I24 = I24::new(-8_388_608);
    /// The largest value, 2^23 - 1.
    pub const MAX: I24 = I24::new(8_388_607);

    /// The sample holding the low 24 bits of `value`.
    pub const fn new(value: i32) -> I24 {
        I24(convert::i32_to_i24(value))
    }

    /// The value, sign-extended to 32 bits.
    pub const fn get(self) -> i32 {
        convert::i24_to_i32(self.0)
    }
}

impl fmt::Debug for I24 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "I24({})", self.get())
    }
}

impl From<I24> for i32 {
    fn from(s: I24) -> i32 {
        s.get()
    }
}

/// Why samples do not fit where they were given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// The element type is not the format of the stream or buffer.
    #[error("{got} samples given where {expected} samples are carried")]
    Mismatch {
        /// The format the stream or buffer carries.
        expected: SampleFormat,
        /// The format of the samples given.
        got: SampleFormat,
    },
    /// A buffer holds a partial frame.
    #[error("{samples} samples of {format} are not a whole number of {channels}-channel frames")]
    PartialFrame {
        /// Samples in the buffer.
        samples: usize,
        /// Channels of a frame.
        channels: usize,
        /// The sample format.
        format: SampleFormat,
    },
    /// Bytes that are not a whole number of samples.
    #[error("{bytes} bytes are not a whole number of {format} samples")]
    PartialSample {
        /// Bytes given.
        bytes: usize,
        /// The sample format.
        format: SampleFormat,
    },
    /// Memory that is not aligned for the sample type; only raw access
    /// works there.
    #[error("memory at this position is not aligned for {format} samples")]
    Misaligned {
        /// The sample format.
        format: SampleFormat,
    },
    /// A raw buffer (made from bytes, with no sample format) was asked for
    /// typed samples.
    #[error("a raw buffer has no sample format: read it with the raw methods")]
    Raw,
}

impl SampleError {
    /// Checks that `T` is `expected`.
    pub(crate) fn check<T: Sample>(expected: SampleFormat) -> Result<(), SampleError> {
        SampleError::check_format(T::FORMAT, expected)
    }

    /// Checks that `got` is `expected`.
    pub(crate) fn check_format(
        got: SampleFormat,
        expected: SampleFormat,
    ) -> Result<(), SampleError> {
        if got == expected {
            Ok(())
        } else {
            Err(SampleError::Mismatch { expected, got })
        }
    }
}

/// The samples as the bytes a stream carries (no copy).
pub fn as_bytes<T: Sample>(samples: &[T]) -> &[u8] {
    bytemuck::cast_slice(samples)
}

/// Copies samples into a new byte buffer in the layout streams carry.
pub fn to_bytes<T: Sample>(samples: &[T]) -> Vec<u8> {
    as_bytes(samples).to_vec()
}

/// Views bytes as samples, without a copy.
///
/// # Errors
///
/// [`SampleError::PartialSample`] when the length is not a whole number of
/// samples; [`SampleError::Misaligned`] when the memory is not aligned
/// for `T` (then [`from_bytes`] copies).
pub fn cast<T: Sample>(bytes: &[u8]) -> Result<&[T], SampleError> {
    check_samples(bytes.len(), T::FORMAT)?;
    bytemuck::try_cast_slice(bytes).map_err(|_| SampleError::Misaligned { format: T::FORMAT })
}

/// [`cast`] for writing.
///
/// # Errors
///
/// As [`cast`].
pub fn cast_mut<T: Sample>(bytes: &mut [u8]) -> Result<&mut [T], SampleError> {
    check_samples(bytes.len(), T::FORMAT)?;
    bytemuck::try_cast_slice_mut(bytes).map_err(|_| SampleError::Misaligned { format: T::FORMAT })
}

/// Copies samples out of bytes in the layout streams carry, wherever the
/// bytes are in memory.
///
/// # Errors
///
/// [`SampleError::PartialSample`] when the length is not a whole number of
/// samples.
///
/// ```
/// use pastream::sample::{from_bytes, to_bytes};
///
/// let bytes = to_bytes(&[1i16, -2, 3]);
/// assert_eq!(from_bytes::<i16>(&bytes)?, [1, -2, 3]);
/// assert!(from_bytes::<i16>(&bytes[..5]).is_err());
/// # Ok::<(), pastream::sample::SampleError>(())
/// ```
pub fn from_bytes<T: Sample>(bytes: &[u8]) -> Result<Vec<T>, SampleError> {
    check_samples(bytes.len(), T::FORMAT)?;
    let ss = T::FORMAT.sample_size();
    Ok(bytes
        .chunks_exact(ss)
        .map(bytemuck::pod_read_unaligned)
        .collect())
}

/// Checks that `bytes` bytes are whole samples of `format`.
pub(crate) fn check_samples(bytes: usize, format: SampleFormat) -> Result<(), SampleError> {
    if bytes % format.sample_size() == 0 {
        Ok(())
    } else {
        Err(SampleError::PartialSample { bytes, format })
    }
}

/// Checks that `samples` samples are whole frames of `channels` channels.
pub(crate) fn check_frames(
    samples: usize,
    channels: usize,
    format: SampleFormat,
) -> Result<(), SampleError> {
    if channels == 0 || samples % channels == 0 {
        Ok(())
    } else {
        Err(SampleError::PartialFrame {
            samples,
            channels,
            format,
        })
    }
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
        let values = [0, 1, -1, 8_388_607, -8_388_608].map(I24::new);
        let bytes = to_bytes(&values);
        assert_eq!(bytes.len(), 15);
        assert_eq!(from_bytes::<I24>(&bytes).unwrap(), values);
        assert_eq!(values.map(I24::get), [0, 1, -1, 8_388_607, -8_388_608]);
        assert_eq!(I24::new(0x7f_ffff + 1), I24::MIN);
    }

    #[test]
    fn typed_views_check_length_and_type() {
        let bytes = to_bytes(&[1.0f32, 2.0]);
        assert!(matches!(
            from_bytes::<f32>(&bytes[..7]),
            Err(SampleError::PartialSample {
                bytes: 7,
                format: SampleFormat::F32
            })
        ));
        assert_eq!(
            SampleError::check::<i16>(SampleFormat::F32),
            Err(SampleError::Mismatch {
                expected: SampleFormat::F32,
                got: SampleFormat::I16
            })
        );
        assert!(check_frames(4801, 2, SampleFormat::I16).is_err());
        assert!(check_frames(4800, 2, SampleFormat::I16).is_ok());
    }

    #[test]
    fn typed_round_trip() {
        let v = [0.5f32, -1.0, f32::MIN_POSITIVE, -0.0];
        let back = from_bytes::<f32>(&to_bytes(&v)).unwrap();
        for (a, b) in v.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}
