//! Peak levels per channel, for meters: kept by the file workers, read by
//! whoever shows them.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

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
}

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
        for frame in data.chunks_exact(ss * ch) {
            for (p, s) in peak.iter_mut().zip(frame.chunks_exact(ss)) {
                *p = p.max(convert::magnitude(s, format));
            }
        }
        for (slot, p) in self.peaks.iter().zip(peak) {
            slot.fetch_max(p.to_bits(), Ordering::Relaxed);
        }
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
