//! Exact conversion between integer sample formats and float32, for hosts
//! whose native format is float32.
//!
//! An n-bit integer maps to float32 by dividing by 2^(n-1), and back by
//! multiplying by the same power of two and rounding: for up to 24 bits
//! every value survives the round trip. Out-of-range floats are clipped.

use crate::callback::{Block, CallbackResult, StatusFlags, TimeInfo};
use crate::format::SampleFormat;

/// Largest block converted at once when the host's block size may vary.
const VARIABLE_MAX: usize = 4096;

/// Buffers in the user's format, between the host's float32 buffers and
/// the callback. Allocated when the stream opens.
pub(crate) struct Converter {
    user: SampleFormat,
    device: SampleFormat,
    input_channels: usize,
    output_channels: usize,
    max: usize,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
}

impl Converter {
    pub(crate) fn new(
        user: SampleFormat,
        device: SampleFormat,
        input_channels: usize,
        output_channels: usize,
        blocksize: usize,
    ) -> Self {
        let active = user != device;
        let max = if blocksize > 0 {
            blocksize
        } else {
            VARIABLE_MAX
        };
        let n = if active { max } else { 0 };
        Converter {
            user,
            device,
            input_channels,
            output_channels,
            max,
            inbuf: vec![0; n * user.frame_size(input_channels)],
            outbuf: vec![0; n * user.frame_size(output_channels)],
        }
    }

    /// Whether the host's format differs from the user's.
    pub(crate) fn active(&self) -> bool {
        self.user != self.device
    }

    /// (input, output) frame sizes in the host's format.
    pub(crate) fn device_frame_sizes(&self) -> (usize, usize) {
        (
            self.device.frame_size(self.input_channels),
            self.device.frame_size(self.output_channels),
        )
    }

    /// Converts the host's buffers around `run`, in pieces of at most the
    /// scratch size.
    pub(crate) fn process(
        &mut self,
        dev_in: Option<&[u8]>,
        mut dev_out: Option<&mut [u8]>,
        frames: usize,
        time: TimeInfo,
        status: StatusFlags,
        run: &mut dyn FnMut(Block<'_>) -> CallbackResult,
    ) -> CallbackResult {
        let (din, dout) = self.device_frame_sizes();
        let uin = self.user.frame_size(self.input_channels);
        let uout = self.user.frame_size(self.output_channels);
        let mut done = 0;
        while done < frames {
            let k = (frames - done).min(self.max);
            let ibuf = &mut self.inbuf[..k * uin];
            if let Some(d) = dev_in {
                from_float(&d[done * din..(done + k) * din], ibuf, self.user);
            }
            let obuf = &mut self.outbuf[..k * uout];
            let r = run(Block {
                input: dev_in.map(|_| &*ibuf),
                output: dev_out.is_some().then_some(&mut *obuf),
                frames: k,
                time,
                status: if done == 0 { status } else { StatusFlags::NONE },
            });
            if let Some(d) = dev_out.as_deref_mut() {
                to_float(obuf, &mut d[done * dout..(done + k) * dout], self.user);
            }
            done += k;
            if r != CallbackResult::Continue {
                if let Some(d) = dev_out.as_deref_mut() {
                    d[done * dout..].fill(0);
                }
                return r;
            }
        }
        CallbackResult::Continue
    }
}

/// User samples to float32.
pub(crate) fn to_float(src: &[u8], dst: &mut [u8], format: SampleFormat) {
    let ss = format.sample_size();
    for (s, d) in src.chunks_exact(ss).zip(dst.chunks_exact_mut(4)) {
        let v = match format {
            SampleFormat::F32 => f32::from_ne_bytes([s[0], s[1], s[2], s[3]]),
            SampleFormat::I32 => {
                (f64::from(i32::from_ne_bytes([s[0], s[1], s[2], s[3]])) / 2_147_483_648.0) as f32
            }
            SampleFormat::I24 => i24(s) as f32 / 8_388_608.0,
            SampleFormat::I16 => f32::from(i16::from_ne_bytes([s[0], s[1]])) / 32_768.0,
            SampleFormat::I8 => f32::from(s[0] as i8) / 128.0,
            SampleFormat::U8 => (f32::from(s[0]) - 128.0) / 128.0,
        };
        d.copy_from_slice(&v.to_ne_bytes());
    }
}

/// Float32 to user samples, rounding to nearest and clipping.
pub(crate) fn from_float(src: &[u8], dst: &mut [u8], format: SampleFormat) {
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
                let b = v.to_ne_bytes();
                if cfg!(target_endian = "little") {
                    d.copy_from_slice(&b[..3]);
                } else {
                    d.copy_from_slice(&b[1..]);
                }
            }
            SampleFormat::I16 => d.copy_from_slice(&((x * 32_768.0).round() as i16).to_ne_bytes()),
            SampleFormat::I8 => d[0] = ((x * 128.0).round() as i8) as u8,
            SampleFormat::U8 => d[0] = ((x * 128.0).round() as i32 + 128).clamp(0, 255) as u8,
        }
    }
}

fn i24(s: &[u8]) -> i32 {
    if cfg!(target_endian = "little") {
        i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8
    } else {
        i32::from_be_bytes([s[0], s[1], s[2], 0]) >> 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{I24, to_bytes};

    fn round_trip(format: SampleFormat, bytes: &[u8]) {
        let n = bytes.len() / format.sample_size();
        let mut f = vec![0u8; n * 4];
        to_float(bytes, &mut f, format);
        let mut back = vec![0u8; bytes.len()];
        from_float(&f, &mut back, format);
        assert_eq!(back, bytes, "{format}");
    }

    #[test]
    fn every_value_survives_for_up_to_24_bits() {
        let all16: Vec<i16> = (i16::MIN..=i16::MAX).collect();
        round_trip(SampleFormat::I16, &to_bytes(&all16));
        let all8: Vec<i8> = (i8::MIN..=i8::MAX).collect();
        round_trip(SampleFormat::I8, &to_bytes(&all8));
        let allu8: Vec<u8> = (0..=255).collect();
        round_trip(SampleFormat::U8, &allu8);
        let all24: Vec<I24> = (-8_388_608..=8_388_607)
            .step_by(7)
            .chain([8_388_607])
            .map(I24)
            .collect();
        round_trip(SampleFormat::I24, &to_bytes(&all24));
        // 24-bit values in int32 (low byte zero) survive too.
        let in32: Vec<i32> = (-8_388_608..=8_388_607)
            .step_by(13)
            .map(|v| v << 8)
            .collect();
        round_trip(SampleFormat::I32, &to_bytes(&in32));
    }

    #[test]
    fn scaling_is_symmetric_and_clips() {
        let mut f = [0u8; 4];
        to_float(&i16::MIN.to_ne_bytes(), &mut f, SampleFormat::I16);
        assert_eq!(f32::from_ne_bytes(f), -1.0);
        to_float(&16384i16.to_ne_bytes(), &mut f, SampleFormat::I16);
        assert_eq!(f32::from_ne_bytes(f), 0.5);
        let mut d = [0u8; 2];
        from_float(&1.5f32.to_ne_bytes(), &mut d, SampleFormat::I16);
        assert_eq!(i16::from_ne_bytes(d), i16::MAX);
        from_float(&(-3.0f32).to_ne_bytes(), &mut d, SampleFormat::I16);
        assert_eq!(i16::from_ne_bytes(d), i16::MIN);
        let mut u = [0u8; 1];
        from_float(&0.0f32.to_ne_bytes(), &mut u, SampleFormat::U8);
        assert_eq!(u[0], 128);
    }

    #[test]
    fn splits_long_blocks_and_stops_at_the_end() {
        let mut c = Converter::new(SampleFormat::I16, SampleFormat::F32, 1, 1, 0);
        let frames = 10_000;
        let din: Vec<u8> = (0..frames)
            .flat_map(|i| (i as f32 / 32768.0).to_ne_bytes())
            .collect();
        let mut dout = vec![0xFFu8; frames * 4];
        let mut sizes = Vec::new();
        let mut first = 0i16;
        let r = c.process(
            Some(&din),
            Some(&mut dout),
            frames,
            TimeInfo::default(),
            StatusFlags::INPUT_OVERFLOW,
            &mut |b| {
                let inp = b.input.unwrap();
                if sizes.is_empty() {
                    first = i16::from_ne_bytes([inp[2], inp[3]]);
                }
                sizes.push((b.frames, b.status));
                b.output.unwrap().copy_from_slice(inp);
                if sizes.len() == 2 {
                    CallbackResult::Complete
                } else {
                    CallbackResult::Continue
                }
            },
        );
        assert_eq!(r, CallbackResult::Complete);
        assert_eq!(first, 1);
        assert_eq!(
            sizes,
            [
                (4096, StatusFlags::INPUT_OVERFLOW),
                (4096, StatusFlags::NONE)
            ]
        );
        // Output converted back for 8192 frames, silence after.
        assert_eq!(&dout[..8192 * 4], &din[..8192 * 4]);
        assert!(dout[8192 * 4..].iter().all(|&b| b == 0));
    }
}
