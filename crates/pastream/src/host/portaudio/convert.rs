//! Exact integer formats on hosts whose native format is float32: the
//! callback sees the user's format, the host float32, converted by the
//! library's full-scale rule ([`crate::sample::convert`]).
#![forbid(unsafe_code)]

use crate::rt::callback::{Block, CallbackResult, StatusFlags, TimeInfo};
use crate::sample::SampleFormat;
use crate::sample::convert::{from_f32, to_f32};

/// Largest block converted at once when the host's block size may vary.
const VARIABLE_MAX: usize = 4096;

/// Buffers in the user's format, between the host's float32 buffers and
/// the callback. Allocated when the stream opens.
pub(crate) struct Converter {
    /// The user's (input, output) formats.
    user: (SampleFormat, SampleFormat),
    /// The device's (input, output) formats.
    device: (SampleFormat, SampleFormat),
    input_channels: usize,
    output_channels: usize,
    max: usize,
    /// Scratch in the user's format, in words: aligned for every sample
    /// type, so that a user's typed callback views it in place.
    inbuf: Vec<u64>,
    outbuf: Vec<u64>,
}

impl Converter {
    pub(crate) fn new(
        user: (SampleFormat, SampleFormat),
        device: (SampleFormat, SampleFormat),
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
            inbuf: vec![0; (n * user.0.frame_size(input_channels)).div_ceil(8)],
            outbuf: vec![0; (n * user.1.frame_size(output_channels)).div_ceil(8)],
        }
    }

    /// Whether the host's format differs from the user's.
    pub(crate) fn active(&self) -> bool {
        self.user != self.device
    }

    /// (input, output) frame sizes in the host's format.
    pub(crate) fn device_frame_sizes(&self) -> (usize, usize) {
        (
            self.device.0.frame_size(self.input_channels),
            self.device.1.frame_size(self.output_channels),
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
        let uin = self.user.0.frame_size(self.input_channels);
        let uout = self.user.1.frame_size(self.output_channels);
        let mut done = 0;
        while done < frames {
            let k = (frames - done).min(self.max);
            let ibuf = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut self.inbuf)[..k * uin];
            if let Some(d) = dev_in {
                from_f32(&d[done * din..(done + k) * din], ibuf, self.user.0);
            }
            let obuf = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut self.outbuf)[..k * uout];
            let r = run(Block {
                input: dev_in.map(|_| &*ibuf),
                output: dev_out.is_some().then_some(&mut *obuf),
                frames: k,
                time,
                status: if done == 0 { status } else { StatusFlags::NONE },
            });
            if let Some(d) = dev_out.as_deref_mut() {
                to_f32(obuf, &mut d[done * dout..(done + k) * dout], self.user.1);
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn splits_long_blocks_and_stops_at_the_end() {
        let (i16s, f32s) = (
            (SampleFormat::I16, SampleFormat::I16),
            (SampleFormat::F32, SampleFormat::F32),
        );
        let mut c = Converter::new(i16s, f32s, 1, 1, 0);
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
