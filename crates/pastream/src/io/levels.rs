//! Peak levels per channel, for meters: kept by the file workers, read by
//! whoever shows them.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::sample::{SampleFormat, convert};

/// Peak levels per channel since they were last taken, shared between a
/// worker that updates them and a thread that shows them.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::io::levels::Levels;
/// use pastream::sample::as_bytes;
///
/// let levels = Levels::new(2);
/// levels.update(as_bytes(&[0.5f32, -0.25, -1.0, 0.0]), SampleFormat::F32);
/// assert_eq!(levels.take(), [1.0, 0.25]);
/// ```
#[derive(Debug)]
pub struct Levels {
    peaks: Vec<AtomicU32>,
    clips: AtomicU64,
}

/// The magnitude from which a sample counts as clipped: full scale, to
/// within the resolution of 16-bit samples (whose largest positive value
/// is a step short of it).
pub const CLIP_LEVEL: f32 = 1.0 - 1.0 / 32768.0;

impl Levels {
    /// Levels for `channels` channels, all zero.
    ///
    /// # Examples
    ///
    /// ```
    /// let levels = pastream::io::levels::Levels::new(8);
    /// assert_eq!(levels.take(), [0.0; 8]);
    /// ```
    pub fn new(channels: usize) -> Arc<Levels> {
        Arc::new(Levels {
            peaks: (0..channels).map(|_| AtomicU32::new(0)).collect(),
            clips: AtomicU64::new(0),
        })
    }

    /// The peak magnitude of each channel (1.0 = full scale) since the
    /// last call, and resets them.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::io::levels::Levels;
    ///
    /// let levels = Levels::new(1);
    /// levels.update(&[0, 64], SampleFormat::I8);
    /// assert_eq!(levels.take(), [0.5]);
    /// assert_eq!(levels.take(), [0.0]); // taken
    /// ```
    pub fn take(&self) -> Vec<f32> {
        self.peaks
            .iter()
            .map(|p| f32::from_bits(p.swap(0, Ordering::Relaxed)))
            .collect()
    }

    /// Takes the peaks of interleaved frames in `format`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::io::levels::Levels;
    /// use pastream::sample::as_bytes;
    ///
    /// let levels = Levels::new(1);
    /// levels.update(as_bytes(&[i16::MIN]), SampleFormat::I16);
    /// assert_eq!(levels.take(), [1.0]);
    /// ```
    pub fn update(&self, data: &[u8], format: SampleFormat) {
        let ch = self.peaks.len();
        if ch == 0 {
            return;
        }
        let ss = format.sample_size();
        let mut peak = vec![0f32; ch];
        let mut clips = 0;
        for frame in data.chunks_exact(ss * ch) {
            for (p, s) in peak.iter_mut().zip(frame.chunks_exact(ss)) {
                let m = convert::magnitude(s, format);
                clips += u64::from(m >= CLIP_LEVEL);
                *p = p.max(m);
            }
        }
        for (slot, p) in self.peaks.iter().zip(peak) {
            slot.fetch_max(p.to_bits(), Ordering::Relaxed);
        }
        self.clips.fetch_add(clips, Ordering::Relaxed);
    }

    /// Samples at full scale seen so far (see [`CLIP_LEVEL`]), all
    /// channels together.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::io::levels::Levels;
    /// use pastream::sample::as_bytes;
    ///
    /// let levels = Levels::new(2);
    /// levels.update(as_bytes(&[1.0f32, 0.5, -1.2, 0.0]), SampleFormat::F32);
    /// levels.update(as_bytes(&[i16::MAX, i16::MIN]), SampleFormat::I16);
    /// assert_eq!(levels.clips(), 4);
    /// ```
    pub fn clips(&self) -> u64 {
        self.clips.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::to_bytes;

    #[test]
    fn levels_are_peaks_per_channel() {
        let l = Levels::new(2);
        l.update(&to_bytes(&[0.25f32, -0.5, -0.75, 0.1]), SampleFormat::F32);
        assert_eq!(l.take(), [0.75, 0.5]);
        assert_eq!(l.take(), [0.0, 0.0]);
        l.update(&to_bytes(&[i16::MIN, 16384]), SampleFormat::I16);
        assert_eq!(l.take(), [1.0, 0.5]);
        l.update(&[128, 0], SampleFormat::U8);
        assert_eq!(l.take(), [0.0, 1.0]);
    }
}
