//! Sound files as playback sources and recording sinks.
//!
//! A file source is a worker thread that reads the file straight into the
//! stream's playback ring; a file sink drains the recording ring into the
//! file. The ring (default [`DEFAULT_FILE_BUFFER`] frames) is what absorbs
//! slow disks: the callback never waits for a file. Both workers can keep
//! [`Levels`], the peak level of each channel, for a meter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::format::SampleFormat;
use crate::soundfile::{FileError, FileInfo, FileOptions, SoundFile};
use crate::stream::{Sink, Source, Stream, StreamConfig, WorkerContext};

/// Default ring size of file workers, in frames: about 2.7 s at 48 kHz.
pub const DEFAULT_FILE_BUFFER: usize = 1 << 17;

/// Peak levels per channel since they were last taken, shared between a
/// worker that updates them and a thread that shows them.
#[derive(Debug)]
pub struct Levels {
    peaks: Vec<AtomicU32>,
}

impl Levels {
    /// Levels for `channels` channels, all zero.
    pub fn new(channels: usize) -> Arc<Levels> {
        Arc::new(Levels {
            peaks: (0..channels).map(|_| AtomicU32::new(0)).collect(),
        })
    }

    /// The peak magnitude of each channel (1.0 = full scale) since the
    /// last call, and resets them.
    pub fn take(&self) -> Vec<f32> {
        self.peaks
            .iter()
            .map(|p| f32::from_bits(p.swap(0, Ordering::Relaxed)))
            .collect()
    }

    /// Takes the peaks of interleaved frames in `format`.
    pub fn update(&self, data: &[u8], format: SampleFormat) {
        let ch = self.peaks.len();
        if ch == 0 {
            return;
        }
        let ss = format.sample_size();
        let mut peak = vec![0f32; ch];
        for frame in data.chunks_exact(ss * ch) {
            for (p, s) in peak.iter_mut().zip(frame.chunks_exact(ss)) {
                *p = p.max(magnitude(s, format));
            }
        }
        for (slot, p) in self.peaks.iter().zip(peak) {
            slot.fetch_max(p.to_bits(), Ordering::Relaxed);
        }
    }
}

/// |sample| with full scale at 1.0.
fn magnitude(s: &[u8], format: SampleFormat) -> f32 {
    let v = match format {
        SampleFormat::F32 => f32::from_ne_bytes([s[0], s[1], s[2], s[3]]),
        SampleFormat::I32 => i32::from_ne_bytes([s[0], s[1], s[2], s[3]]) as f32 / 2_147_483_648.0,
        SampleFormat::I24 => {
            let v = if cfg!(target_endian = "little") {
                i32::from_le_bytes([0, s[0], s[1], s[2]])
            } else {
                i32::from_be_bytes([s[0], s[1], s[2], 0])
            };
            v as f32 / 2_147_483_648.0
        }
        SampleFormat::I16 => f32::from(i16::from_ne_bytes([s[0], s[1]])) / 32768.0,
        SampleFormat::I8 => f32::from(s[0] as i8) / 128.0,
        SampleFormat::U8 => (f32::from(s[0]) - 128.0) / 128.0,
    };
    // Positive floats order like their bits, which `fetch_max` relies on.
    if v.is_nan() { 0.0 } else { v.abs() }
}

/// A playback source that reads `file` in `format`, looping when the
/// stream loops (a pipe cannot loop: it ends). `buffer_frames`: the ring
/// size, a power of two (default [`DEFAULT_FILE_BUFFER`]).
pub fn file_source(
    mut file: SoundFile,
    format: SampleFormat,
    buffer_frames: Option<usize>,
    levels: Option<Arc<Levels>>,
) -> Source {
    let mut runs = 0u32;
    Source::Feeder {
        feed: Box::new(move |tx, ctx: &WorkerContext| {
            runs += 1;
            if runs > 1 {
                file.rewind()?;
            }
            let fs = ctx.frame_size();
            let expected = file.info().frames;
            let mut fresh = true;
            let mut this_pass = 0u64;
            while !ctx.done() {
                let space = tx.write_available();
                if space == 0 {
                    ctx.pause();
                    continue;
                }
                let mut w = tx.write_buffers(space);
                let (a, b) = w.as_mut_slices();
                let mut n = file.read(a, format)?;
                if n * fs == a.len() && !b.is_empty() {
                    n += file.read(b, format)?;
                }
                if let Some(l) = &levels {
                    let split = (n * fs).min(a.len());
                    l.update(&a[..split], format);
                    l.update(&b[..n * fs - split], format);
                }
                w.advance(n);
                this_pass += n as u64;
                if n == 0 {
                    // The end of the file: all of it, or a truncated file.
                    if expected.is_some_and(|t| this_pass < t) {
                        return Err(FileError::Truncated {
                            target: file.target().to_string(),
                            frames: this_pass,
                        }
                        .into());
                    }
                    if ctx.looping() && file.info().seekable && !fresh {
                        file.rewind()?;
                        fresh = true;
                        this_pass = 0;
                        continue;
                    }
                    return Ok(());
                }
                fresh = false;
            }
            Ok(())
        }),
        buffer_frames: Some(buffer_frames.unwrap_or(DEFAULT_FILE_BUFFER)),
    }
}

/// A recording sink that writes to `file` in `format` and finalizes it
/// when the run ends, with every frame recorded, also when the run fails
/// or is stopped. One run only: a second run finds the file closed.
pub fn file_sink(
    file: SoundFile,
    format: SampleFormat,
    buffer_frames: Option<usize>,
    levels: Option<Arc<Levels>>,
) -> Sink {
    let mut file = Some(file);
    Sink::Drainer {
        drain: Box::new(move |rx, ctx: &WorkerContext| {
            let Some(f) = file.as_mut() else {
                return Err("the recording file was already finalized by an earlier run".into());
            };
            let result = (|| -> Result<(), FileError> {
                loop {
                    let avail = rx.read_available();
                    if avail == 0 {
                        if ctx.done() && rx.read_available() == 0 {
                            return Ok(());
                        }
                        ctx.pause();
                        continue;
                    }
                    let r = rx.read_buffers(avail);
                    let (a, b) = r.as_slices();
                    f.write(a, format)?;
                    f.write(b, format)?;
                    if let Some(l) = &levels {
                        l.update(a, format);
                        l.update(b, format);
                    }
                    r.advance(avail);
                }
            })();
            let finalized = file.take().map_or(Ok(()), SoundFile::finalize);
            result.and(finalized).map_err(Into::into)
        }),
        buffer_frames: Some(buffer_frames.unwrap_or(DEFAULT_FILE_BUFFER)),
    }
}

impl StreamConfig {
    /// Takes the sample rate and channel count of a file (the original's
    /// `from_file`).
    pub fn for_file(self, info: &FileInfo) -> Self {
        self.samplerate(f64::from(info.samplerate))
            .channels(info.channels)
    }
}

impl FileOptions {
    /// Options to create a file that records `stream`: its sample rate,
    /// recorded channels, and the encoding closest to its sample format
    /// (the original's `to_file`).
    pub fn for_stream(stream: &Stream) -> FileOptions {
        FileOptions {
            samplerate: Some(stream.samplerate().round() as u32),
            channels: Some(stream.data_channels().0),
            format: Some(stream.format()),
            ..FileOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::to_bytes;

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
