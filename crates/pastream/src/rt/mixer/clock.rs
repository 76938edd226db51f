//! Block times smoothed against the frame counter.
#![forbid(unsafe_code)]

/// A host's block timestamps, smoothed against the frame counter.
///
/// Some hosts read the clock when the callback runs (PortAudio's JACK
/// host does): their block times jitter by some frames, and times would
/// map to frames a few frames apart from block to block. The frame
/// counter is exact; the host's time less the counter's time is a phase
/// that moves only as the two clocks drift apart. It is followed by a
/// straight line fitted to the first blocks, then by a second-order loop:
/// jitter filtered out, drift followed. A jump larger than a block (an
/// xrun, a clock that was reset) starts it again from the host's time. On
/// a host whose timestamps are exact, the smoothed times are the host's.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Smoothed {
    /// The phase at `last_frame` and its change per frame, in seconds.
    pub(super) phase: f64,
    pub(super) drift: f64,
    pub(super) last_frame: u64,
    /// The frame the fit counts from, and its sums: blocks, x, y, xy, xx.
    pub(super) origin: u64,
    pub(super) sums: [f64; 5],
    pub(super) locked: bool,
}

impl Smoothed {
    /// Blocks fitted before the loop takes over.
    const FIT_BLOCKS: f64 = 500.0;
    /// The loop's phase gain per block (a time constant of 500 blocks),
    /// and its drift gain (critically damped: half the square).
    const PHASE_GAIN: f64 = 1.0 / Self::FIT_BLOCKS;
    const DRIFT_GAIN: f64 = Self::PHASE_GAIN * Self::PHASE_GAIN / 2.0;

    /// The smoothed time of the block at `frame` (of `frames` frames)
    /// whose host time is `host`.
    pub(super) fn time(&mut self, host: f64, frame: u64, frames: usize, rate: f64) -> f64 {
        let nominal = frame as f64 / rate;
        let phase = host - nominal;
        let step = frame.saturating_sub(self.last_frame) as f64;
        let predicted = self.phase + self.drift * step;
        let error = phase - predicted;
        let limit = (frames as f64 / rate).max(0.002);
        let reset = !self.locked || frame == 0 || frame < self.last_frame;
        if reset || !error.is_finite() || error.abs() > limit {
            *self = Smoothed {
                phase,
                last_frame: frame,
                origin: frame,
                sums: [1.0, 0.0, phase, 0.0, 0.0],
                locked: phase.is_finite(),
                ..Smoothed::default()
            };
            return host;
        }
        if self.sums[0] < Self::FIT_BLOCKS {
            let x = (frame - self.origin) as f64;
            let [n, sx, sy, sxy, sxx] = &mut self.sums;
            *n += 1.0;
            *sx += x;
            *sy += phase;
            *sxy += x * phase;
            *sxx += x * x;
            let d = *n * *sxx - *sx * *sx;
            self.drift = if d > 0.0 {
                (*n * *sxy - *sx * *sy) / d
            } else {
                0.0
            };
            self.phase = (*sy - self.drift * *sx) / *n + self.drift * x;
        } else {
            self.phase = predicted + Self::PHASE_GAIN * error;
            if step > 0.0 {
                self.drift += Self::DRIFT_GAIN * error / step;
            }
        }
        self.last_frame = frame;
        nominal + self.phase
    }
}
