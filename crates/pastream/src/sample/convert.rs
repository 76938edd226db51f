//! Every conversion between sample formats, in one place.
//!
//! - 24-bit packing: [`i24_to_i32`] and [`i32_to_i24`], the only code that
//!   knows the byte layout of packed 24-bit samples.
//! - Integers and float32, exactly: integer formats scale by a power of two
//!   both ways (int16 by 2^15, int24 by 2^23, int32 by 2^31, int8 and uint8
//!   by 2^7), rounding to nearest and clipping on the way back, so that
//!   every value of up to 24 bits survives a round trip through float32
//!   bit for bit. This is the library's one full-scale rule: the hosts and
//!   the level meters use it.
//! - Widening for libsndfile, which reads and writes integers as 16 or 32
//!   bits: int8 and uint8 travel in the high byte of an int16, int24 in the
//!   high three bytes of an int32.
//!
//! None of these functions allocate; the float conversions run in audio
//! callbacks.
#![forbid(unsafe_code)]

use super::SampleFormat;

/// A packed native-endian 24-bit sample, sign-extended.
pub const fn i24_to_i32(b: [u8; 3]) -> i32 {
    if cfg!(target_endian = "little") {
        i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8
    } else {
        i32::from_be_bytes([b[0], b[1], b[2], 0]) >> 8
    }
}

/// The low 24 bits of `v`, packed in native byte order.
pub const fn i32_to_i24(v: i32) -> [u8; 3] {
    let b = v.to_ne_bytes();
    if cfg!(target_endian = "little") {
        [b[0], b[1], b[2]]
    } else {
        [b[1], b[2], b[3]]
    }
}

fn i24_at(s: &[u8]) -> i32 {
    i24_to_i32([s[0], s[1], s[2]])
}

/// One sample of `format` (its bytes) as float32, by the full-scale rule.
pub fn sample_to_f32(s: &[u8], format: SampleFormat) -> f32 {
    match format {
        SampleFormat::F32 => f32::from_ne_bytes([s[0], s[1], s[2], s[3]]),
        SampleFormat::I32 => {
            (f64::from(i32::from_ne_bytes([s[0], s[1], s[2], s[3]])) / 2_147_483_648.0) as f32
        }
        SampleFormat::I24 => i24_at(s) as f32 / 8_388_608.0,
        SampleFormat::I16 => f32::from(i16::from_ne_bytes([s[0], s[1]])) / 32_768.0,
        SampleFormat::I8 => f32::from(s[0] as i8) / 128.0,
        SampleFormat::U8 => (f32::from(s[0]) - 128.0) / 128.0,
    }
}

/// Samples of `format` to float32 samples (both as bytes), sample by
/// sample, as far as both buffers go.
pub fn to_f32(src: &[u8], dst: &mut [u8], format: SampleFormat) {
    let ss = format.sample_size();
    for (s, d) in src.chunks_exact(ss).zip(dst.chunks_exact_mut(4)) {
        d.copy_from_slice(&sample_to_f32(s, format).to_ne_bytes());
    }
}

/// Float32 samples to samples of `format` (both as bytes), rounding to
/// nearest and clipping; NaN becomes zero.
pub fn from_f32(src: &[u8], dst: &mut [u8], format: SampleFormat) {
    let ss = format.sample_size();
    for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(ss)) {
        let x = f32::from_ne_bytes([s[0], s[1], s[2], s[3]]);
        match format {
            SampleFormat::F32 => d.copy_from_slice(s),
            // `as` saturates: out-of-range values clip, NaN becomes 0.
            SampleFormat::I32 => {
                d.copy_from_slice(&((f64::from(x) * 2_147_483_648.0).round() as i32).to_ne_bytes())
            }
            SampleFormat::I24 => {
                let v = ((x * 8_388_608.0).round() as i32).clamp(-8_388_608, 8_388_607);
                d.copy_from_slice(&i32_to_i24(v));
            }
            SampleFormat::I16 => d.copy_from_slice(&((x * 32_768.0).round() as i16).to_ne_bytes()),
            SampleFormat::I8 => d[0] = ((x * 128.0).round() as i8) as u8,
            SampleFormat::U8 => d[0] = ((x * 128.0).round() as i32 + 128).clamp(0, 255) as u8,
        }
    }
}

/// One sample of `from` (its bytes in `src`) as a sample of `to` (into
/// `dst`), through float32 by the full-scale rule: exact for every value
/// of up to 24 bits.
pub fn convert_sample(src: &[u8], from: SampleFormat, dst: &mut [u8], to: SampleFormat) {
    from_f32(&sample_to_f32(src, from).to_ne_bytes(), dst, to);
}

/// The magnitude of one sample, 0.0 to 1.0 at full scale (NaN counts as
/// zero).
pub fn magnitude(s: &[u8], format: SampleFormat) -> f32 {
    let v = sample_to_f32(s, format);
    if v.is_nan() { 0.0 } else { v.abs() }
}

/// Appends int32 or packed int24 samples (as bytes) to `out` as int32, an
/// int24 in the high three bytes.
pub(crate) fn widen_i32(src: &[u8], format: SampleFormat, out: &mut Vec<i32>) {
    match format {
        SampleFormat::I24 => out.extend(src.chunks_exact(3).map(|b| i24_at(b) << 8)),
        _ => out.extend(
            src.chunks_exact(4)
                .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        ),
    }
}

/// The inverse of [`widen_i32`]: int32 values into int32 or packed int24
/// samples (as bytes), as far as both go.
pub(crate) fn narrow_i32(src: &[i32], format: SampleFormat, dst: &mut [u8]) {
    match format {
        SampleFormat::I24 => {
            for (o, v) in dst.chunks_exact_mut(3).zip(src) {
                o.copy_from_slice(&i32_to_i24(v >> 8));
            }
        }
        _ => {
            for (o, v) in dst.chunks_exact_mut(4).zip(src) {
                o.copy_from_slice(&v.to_ne_bytes());
            }
        }
    }
}

/// Appends int16, int8 or uint8 samples (as bytes) to `out` as int16, an
/// 8-bit sample in the high byte.
pub(crate) fn widen_i16(src: &[u8], format: SampleFormat, out: &mut Vec<i16>) {
    match format {
        SampleFormat::I8 => out.extend(src.iter().map(|&b| i16::from(b as i8) << 8)),
        SampleFormat::U8 => out.extend(src.iter().map(|&b| (i16::from(b) - 128) << 8)),
        _ => out.extend(
            src.chunks_exact(2)
                .map(|b| i16::from_ne_bytes([b[0], b[1]])),
        ),
    }
}

/// The inverse of [`widen_i16`].
pub(crate) fn narrow_i16(src: &[i16], format: SampleFormat, dst: &mut [u8]) {
    match format {
        SampleFormat::I8 => {
            for (o, v) in dst.iter_mut().zip(src) {
                *o = ((v >> 8) as i8) as u8;
            }
        }
        SampleFormat::U8 => {
            for (o, v) in dst.iter_mut().zip(src) {
                *o = ((v >> 8) + 128) as u8;
            }
        }
        _ => {
            for (o, v) in dst.chunks_exact_mut(2).zip(src) {
                o.copy_from_slice(&v.to_ne_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{I24, to_bytes};

    fn round_trip(format: SampleFormat, bytes: &[u8]) {
        let n = bytes.len() / format.sample_size();
        let mut f = vec![0u8; n * 4];
        to_f32(bytes, &mut f, format);
        let mut back = vec![0u8; bytes.len()];
        from_f32(&f, &mut back, format);
        assert!(back == bytes, "{format} changed in a float32 round trip");
    }

    #[test]
    fn every_value_survives_for_up_to_24_bits() {
        round_trip(SampleFormat::U8, &(0..=255u8).collect::<Vec<_>>());
        round_trip(
            SampleFormat::I8,
            &to_bytes(&(-128..=127i8).collect::<Vec<_>>()),
        );
        round_trip(
            SampleFormat::I16,
            &to_bytes(&(i16::MIN..=i16::MAX).collect::<Vec<_>>()),
        );
        let all24: Vec<I24> = (-8_388_608..=8_388_607)
            .step_by(7)
            .chain([8_388_607])
            .map(I24::new)
            .collect();
        round_trip(SampleFormat::I24, &to_bytes(&all24));
        // 24-bit values in int32 (low byte zero) survive too.
        let in32: Vec<i32> = (-8_388_608..=8_388_607)
            .step_by(97)
            .map(|v| v << 8)
            .collect();
        round_trip(SampleFormat::I32, &to_bytes(&in32));
    }

    #[test]
    fn scaling_is_symmetric_and_clips() {
        let mut f = [0u8; 4];
        to_f32(&i16::MIN.to_ne_bytes(), &mut f, SampleFormat::I16);
        assert_eq!(f32::from_ne_bytes(f), -1.0);
        to_f32(&16384i16.to_ne_bytes(), &mut f, SampleFormat::I16);
        assert_eq!(f32::from_ne_bytes(f), 0.5);
        let mut d = [0u8; 2];
        from_f32(&1.5f32.to_ne_bytes(), &mut d, SampleFormat::I16);
        assert_eq!(i16::from_ne_bytes(d), i16::MAX);
        from_f32(&(-3.0f32).to_ne_bytes(), &mut d, SampleFormat::I16);
        assert_eq!(i16::from_ne_bytes(d), i16::MIN);
        let mut u = [0u8; 1];
        from_f32(&0.0f32.to_ne_bytes(), &mut u, SampleFormat::U8);
        assert_eq!(u[0], 128);
    }

    #[test]
    fn one_rule_for_24_bits_everywhere() {
        for v in [-8_388_608, -1, 0, 1, 4_194_304, 8_388_607] {
            let s = I24::new(v);
            let bytes = to_bytes(&[s]);
            let wide = [v << 8];
            // A 24-bit sample and the same value widened to int32 have one
            // level.
            assert_eq!(
                magnitude(&bytes, SampleFormat::I24),
                magnitude(&to_bytes(&wide), SampleFormat::I32)
            );
            let mut w = Vec::new();
            widen_i32(&bytes, SampleFormat::I24, &mut w);
            assert_eq!(w, wide);
            let mut back = [0u8; 3];
            narrow_i32(&w, SampleFormat::I24, &mut back);
            assert_eq!(back, bytes[..]);
        }
    }

    #[test]
    fn eight_bits_travel_in_the_high_byte() {
        let mut w = Vec::new();
        widen_i16(&[0, 128, 255], SampleFormat::U8, &mut w);
        assert_eq!(w, [-32768, 0, 127 << 8]);
        let mut back = [0u8; 3];
        narrow_i16(&w, SampleFormat::U8, &mut back);
        assert_eq!(back, [0, 128, 255]);
        assert_eq!(magnitude(&[128], SampleFormat::U8), 0.0);
        assert_eq!(magnitude(&[0], SampleFormat::U8), 1.0);
    }
}
