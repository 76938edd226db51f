//! What pastream's tests share: deterministic test signals that start
//! with a preamble, the preamble search that aligns a recording, sample by
//! sample comparison, channel permutations, the no-allocation guard for
//! audio callbacks, the free-running virtual device settings, and (in
//! [`jackd`]) a JACK test server harness.
#![forbid(unsafe_code)]

pub mod jackd;

use std::sync::atomic::{AtomicU32, Ordering};

use pastream::{Clock, SampleFormat, Source, StreamConfig};

/// Frames of constant full-scale level that start every test signal, so
/// that a recording can be aligned with it by search.
pub const PREAMBLE_FRAMES: usize = 64;

/// Allocations seen inside callbacks, summed over all device threads.
pub static VIOLATIONS: AtomicU32 = AtomicU32::new(0);

/// Runs a callback with allocation forbidden, counting violations.
pub fn no_alloc_guard(f: &mut dyn FnMut()) {
    let before = assert_no_alloc::violation_count();
    assert_no_alloc::assert_no_alloc(f);
    let after = assert_no_alloc::violation_count();
    VIOLATIONS.fetch_add(after - before, Ordering::Relaxed);
}

/// Fails if any callback so far allocated.
pub fn assert_no_violations() {
    assert_eq!(
        VIOLATIONS.load(Ordering::Relaxed),
        0,
        "an audio callback allocated memory"
    );
}

/// A free-running virtual loopback device with the allocation guard.
pub fn free_config(channels: usize, format: SampleFormat, blocksize: usize) -> StreamConfig {
    StreamConfig::new()
        .device("loopback, Virtual")
        .channels(channels)
        .format(format)
        .blocksize(blocksize)
        .samplerate(48000.0)
        .clock(Clock::FreeRunning)
        .callback_guard(no_alloc_guard)
}

/// The same on the real-time clock.
pub fn realtime_config(channels: usize, format: SampleFormat, blocksize: usize) -> StreamConfig {
    free_config(channels, format, blocksize).clock(Clock::RealTime)
}

/// A loopback device to run the suite on.
pub struct Rig {
    /// Opens the loopback device with these settings.
    pub config: fn(usize, SampleFormat, usize) -> StreamConfig,
    /// The same, on a clock that runs in real time.
    pub realtime: fn(usize, SampleFormat, usize) -> StreamConfig,
    /// The round-trip delay in frames for a blocksize.
    pub delay: fn(usize) -> usize,
    /// How many loopback channels the device has.
    pub channels: usize,
    /// Bits of an int32 sample that survive the round trip (24 on hosts
    /// that carry float32).
    pub int32_bits: u32,
    /// Frames by which a time scheduled on the host's clock may start
    /// away from where that clock puts it (its timestamps jitter and
    /// drift against its frames); 0 where the clock is the frame counter.
    pub clock_tolerance: f64,
}

/// The virtual loopback: one block of delay (512 frames for blocksize 0).
pub const VIRTUAL: Rig = Rig {
    config: free_config,
    realtime: realtime_config,
    delay: |bs| if bs == 0 { 512 } else { bs },
    channels: 128,
    int32_bits: 32,
    clock_tolerance: 0.0,
};

/// A seeded pseudo-random test signal: `PREAMBLE_FRAMES` frames of the
/// preamble level on every channel, then uniformly random samples.
#[derive(Clone, Debug)]
pub struct Signal {
    state: u64,
    format: SampleFormat,
    channels: usize,
    emitted: usize,
    int32_mask: u32,
    int16_mask: u16,
}

impl Signal {
    /// A signal of `channels` channels of `format` from `seed`.
    pub fn new(seed: u64, format: SampleFormat, channels: usize) -> Self {
        Signal {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            format,
            channels,
            emitted: 0,
            int32_mask: u32::MAX,
            int16_mask: u16::MAX,
        }
    }

    /// The same, with int32 samples of only the top `bits` bits.
    pub fn int32_bits(mut self, bits: u32) -> Self {
        self.int32_mask = u32::MAX << (32 - bits);
        self
    }

    /// Keeps only the top `bits` bits of int16 and int32 samples (for files
    /// whose encoding has fewer bits than the samples).
    pub fn bits(mut self, bits: u32) -> Self {
        self.int32_mask = u32::MAX << (32 - bits.min(32));
        self.int16_mask = u16::MAX << (16 - bits.min(16));
        self
    }

    fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn random_sample(&mut self, out: &mut [u8]) {
        let r = self.next_u64();
        match self.format {
            SampleFormat::F32 => {
                let v = (r >> 40) as f32 / (1u32 << 23) as f32 - 1.0;
                out.copy_from_slice(&v.to_ne_bytes());
            }
            SampleFormat::I32 => {
                out.copy_from_slice(&((r as u32) & self.int32_mask).to_ne_bytes());
            }
            SampleFormat::I16 => {
                out.copy_from_slice(&((r as u16) & self.int16_mask).to_ne_bytes());
            }
            _ => {
                let bytes = r.to_ne_bytes();
                out.copy_from_slice(&bytes[..out.len()]);
            }
        }
    }

    /// Fills `out` (whole frames) with the next frames of the signal.
    pub fn fill(&mut self, out: &mut [u8]) {
        let ss = self.format.sample_size();
        for frame in out.chunks_exact_mut(ss * self.channels) {
            for s in frame.chunks_exact_mut(ss) {
                if self.emitted < PREAMBLE_FRAMES {
                    s.copy_from_slice(&preamble_sample(self.format));
                } else {
                    self.random_sample(s);
                }
            }
            self.emitted += 1;
        }
    }

    /// The next `frames` frames, as samples of `T` (the signal's format).
    pub fn samples<T: pastream::Sample>(&mut self, frames: usize) -> Vec<T> {
        assert_eq!(T::FORMAT, self.format, "the signal's format");
        pastream::sample::from_bytes(&self.take(frames)).expect("whole samples")
    }

    /// The next `frames` frames, as bytes.
    pub fn take(&mut self, frames: usize) -> Vec<u8> {
        let mut v = vec![0; frames * self.format.frame_size(self.channels)];
        self.fill(&mut v);
        v
    }

    /// A feeder thread that plays this signal until the stream is done.
    pub fn feeder(mut self) -> Source {
        Source::feeder(move |tx, ctx| {
            while !ctx.done() {
                let n = tx.write_available();
                if n == 0 {
                    ctx.pause();
                    continue;
                }
                let mut w = tx.write_buffers(n);
                let (a, b) = w.as_raw_mut_slices();
                self.fill(a);
                self.fill(b);
                w.advance(n);
            }
            Ok(())
        })
    }
}

/// The preamble level: the largest positive value of the format.
pub fn preamble_sample(format: SampleFormat) -> Vec<u8> {
    match format {
        SampleFormat::F32 => 0.999_999_94f32.to_ne_bytes().to_vec(),
        SampleFormat::I32 => i32::MAX.to_ne_bytes().to_vec(),
        SampleFormat::I24 => pastream::sample::to_bytes(&[pastream::sample::I24::MAX]),
        SampleFormat::I16 => i16::MAX.to_ne_bytes().to_vec(),
        SampleFormat::I8 => vec![0x7F],
        SampleFormat::U8 => vec![0xFF],
    }
}

/// The first frame whose first sample is the preamble level.
pub fn find_preamble(data: &[u8], format: SampleFormat, channels: usize) -> Option<usize> {
    let p = preamble_sample(format);
    data.chunks_exact(format.frame_size(channels))
        .position(|f| f[..p.len()] == p[..])
}

/// Compares sample by sample; the message names the first difference.
pub fn assert_samples_equal(got: &[u8], want: &[u8], format: SampleFormat, channels: usize) {
    assert_eq!(got.len(), want.len(), "lengths differ (bytes)");
    let ss = format.sample_size();
    for (i, (g, w)) in got.chunks_exact(ss).zip(want.chunks_exact(ss)).enumerate() {
        assert_eq!(
            g,
            w,
            "sample mismatch at frame {} channel {}",
            i / channels,
            i % channels
        );
    }
}

/// Rearranges channels: output channel k takes input channel `map[k] - 1`.
pub fn permute(data: &[u8], format: SampleFormat, channels: usize, map: &[usize]) -> Vec<u8> {
    let ss = format.sample_size();
    let mut out = Vec::with_capacity(data.len());
    for frame in data.chunks_exact(ss * channels) {
        for &m in map {
            out.extend_from_slice(&frame[(m - 1) * ss..m * ss]);
        }
    }
    out
}

/// A random permutation of 1..=n from a seed.
pub fn permutation(seed: u64, n: usize) -> Vec<usize> {
    let mut sig = Signal::new(seed, SampleFormat::I32, 1);
    let mut v: Vec<usize> = (1..=n).collect();
    for i in (1..n).rev() {
        let j = (sig.next_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v
}

/// A seed that differs between runs, printed so that a failure can be
/// reproduced with PASTREAM_TEST_SEED.
pub fn seed() -> u64 {
    let s = std::env::var("PASTREAM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("PASTREAM_TEST_SEED={s}");
    s
}
