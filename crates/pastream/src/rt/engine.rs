//! The real-time engine: what runs in the audio callback of a buffered
//! stream.
//!
//! The engine is a state machine over byte slices. Each block it takes
//! playback frames from its [`Playback`] (a ring buffer fed by another
//! thread, or memory), maps them onto the device's output channels, and
//! moves the block's input frames through the receive map into its
//! [`Capture`]. It knows nothing about devices, files or threads, so it can
//! be driven directly, block by block, in tests.
//!
//! # Frames, pad and offset
//!
//! - `frames >= 0`: play `frames` frames of playback. If the playback runs
//!   out earlier and `pad >= 0`, the stream aborts with
//!   [`Outcome::BufferEmpty`].
//! - `frames < 0`: play until the playback runs out.
//! - `pad >= 0`: then play `pad` frames of silence. The stream completes
//!   after `frames + pad` frames, or, with `frames < 0`, `pad` frames after
//!   the playback ran out (the *padding switch*: once it happens the
//!   playback is never read again).
//! - `pad < 0`: once the playback runs out, play silence up to `frames`
//!   frames, or forever if `frames < 0`.
//! - `offset`: the first `offset` input frames are not recorded. They
//!   count towards the stream's length, so a stream of `frames + pad`
//!   frames records `frames + pad - offset`.
//!
//! Without playback, `frames >= 0` is the stream's length and `pad` does
//! not apply.
//!
//! A playback ring whose feeder is still running (its flag in
//! [`Playback::Ring`] is set) has not *run out* when it is empty: the feeder
//! is late. The block then plays silence where the frames are missing and
//! counts a source underrun; playback resumes with the next frames.
//!
//! # Real-time behaviour
//!
//! [`Engine::run`] never allocates, frees, locks, blocks, makes a
//! system call or panics. Everything is allocated in [`Engine::new`].
//! Counters live in [`Stats`], atomics that other threads read while the
//! engine runs.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::rt::callback::{AudioCallback, Block, CallbackResult};
use crate::rt::mapping::{ChannelMap, FrameMapper, MapError};
use crate::rt::ring::{Consumer, Producer};
pub use crate::rt::stats::{Outcome, Stats, Xruns};
use crate::sample::SampleFormat;

/// Where the engine takes playback frames from.
#[derive(Debug, Default)]
pub enum Playback {
    /// No playback: the output plays silence.
    #[default]
    None,
    /// A ring buffer. `feeding` is true while a thread still writes to it;
    /// while it is set, an empty ring is an underrun, not the end.
    Ring {
        /// The reading end; its element size must be a playback frame.
        consumer: Consumer,
        /// Set while the ring's producer may still write.
        feeding: Arc<AtomicBool>,
    },
    /// Frames in memory, played from the start.
    Memory {
        /// The frames; a trailing partial frame is ignored.
        data: Arc<[u8]>,
        /// Start again from the beginning when the end is reached.
        looping: bool,
    },
}

/// Where the engine puts recorded frames.
#[derive(Debug, Default)]
pub enum Capture {
    /// Input is not recorded.
    #[default]
    None,
    /// A ring buffer; `draining` is true while a thread reads from it.
    Ring {
        /// The writing end; its element size must be a recorded frame.
        producer: Producer,
        /// Set while the ring's consumer may still read.
        draining: Arc<AtomicBool>,
    },
    /// Preallocated memory: recording stops with [`Outcome::BufferFull`]
    /// when it is full.
    Memory {
        /// The memory; its length is the capacity.
        buf: Vec<u8>,
        /// Bytes recorded so far.
        len: usize,
    },
}

/// The parameters of one run of a stream.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Sample format of the output and the playback.
    pub format: SampleFormat,
    /// Sample format of the input and the recording.
    pub input_format: SampleFormat,
    /// Device output channels (0: no output).
    pub output_channels: usize,
    /// Device input channels (0: no input).
    pub input_channels: usize,
    /// Channels of the playback data.
    pub playback_channels: usize,
    /// Channels of the recorded data.
    pub capture_channels: usize,
    /// Playback length; see the [module docs](self). Default: -1.
    pub frames: i64,
    /// Padding; see the [module docs](self). Default: 0.
    pub pad: i64,
    /// Input frames to drop at the start. Default: 0.
    pub offset: u64,
    /// Playback channel to feed each output channel (`None`: identity).
    pub tx_map: Option<ChannelMap>,
    /// Input channel to feed each recorded channel (`None`: identity).
    pub rx_map: Option<ChannelMap>,
    /// Abort with [`Outcome::Xrun`] at the first xrun or source underrun,
    /// after recording the block that reported it. Default: false.
    pub stop_on_xrun: bool,
}

impl EngineConfig {
    /// A configuration for `channels` in and out, with data channels equal
    /// to device channels and the defaults for everything else.
    pub fn new(format: SampleFormat, input_channels: usize, output_channels: usize) -> Self {
        EngineConfig {
            format,
            input_format: format,
            output_channels,
            input_channels,
            playback_channels: output_channels,
            capture_channels: input_channels,
            frames: -1,
            pad: 0,
            offset: 0,
            tx_map: None,
            rx_map: None,
            stop_on_xrun: false,
        }
    }
}

/// Why an engine cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A channel map does not fit the channel counts.
    #[error("{which} map: {source}")]
    Map {
        /// `"playback"` or `"recording"`.
        which: &'static str,
        /// The problem.
        source: MapError,
    },
    /// A ring buffer's element size is not the frame size it carries.
    #[error(
        "{which} ring buffer holds elements of {got} bytes, but a frame is {want} bytes ({channels} channels of {format})"
    )]
    ElementSize {
        /// `"playback"` or `"recording"`.
        which: &'static str,
        /// The ring's element size.
        got: usize,
        /// The frame size.
        want: usize,
        /// Channels of a frame.
        channels: usize,
        /// Sample format.
        format: SampleFormat,
    },
    /// Playback was given to a stream with no output, or a capture to one
    /// with no input.
    #[error("{0}")]
    Direction(&'static str),
}

/// The real-time state machine; see the [module docs](self).
#[derive(Debug)]
pub struct Engine {
    playback: Playback,
    capture: Capture,
    playback_pos: usize,
    tx: FrameMapper,
    rx: FrameMapper,
    output_silence: u8,
    frames: i64,
    pad: i64,
    /// Playback frames to read, if limited.
    limit: Option<u64>,
    /// The stream's length, once known.
    total: Option<u64>,
    offset_left: u64,
    played: u64,
    frame_count: u64,
    padding: bool,
    done: bool,
    stop_on_xrun: bool,
    stats: Arc<Stats>,
}

impl Engine {
    /// Builds an engine for one run and resets `stats`.
    ///
    /// # Errors
    ///
    /// [`EngineError`] when a map does not fit the channel counts, a ring's
    /// element size is not the frame size, or playback (capture) is given
    /// without output (input) channels.
    pub fn new(
        config: &EngineConfig,
        playback: Playback,
        capture: Capture,
        stats: Arc<Stats>,
    ) -> Result<Engine, EngineError> {
        let fmt = config.format;
        let ss = fmt.sample_size();
        let silence = fmt.silence_byte();
        let in_fmt = config.input_format;
        if !matches!(playback, Playback::None) && config.output_channels == 0 {
            return Err(EngineError::Direction(
                "playback needs a stream with output channels",
            ));
        }
        if !matches!(capture, Capture::None) && config.input_channels == 0 {
            return Err(EngineError::Direction(
                "recording needs a stream with input channels",
            ));
        }
        let tx = FrameMapper::new(
            config.tx_map.as_ref(),
            config.playback_channels,
            config.output_channels,
            ss,
            silence,
        )
        .map_err(|source| EngineError::Map {
            which: "playback",
            source,
        })?;
        let rx = FrameMapper::new(
            config.rx_map.as_ref(),
            config.input_channels,
            config.capture_channels,
            in_fmt.sample_size(),
            in_fmt.silence_byte(),
        )
        .map_err(|source| EngineError::Map {
            which: "recording",
            source,
        })?;
        if let Playback::Ring { consumer, .. } = &playback {
            check_element(
                "playback",
                consumer.element_size(),
                config.playback_channels,
                fmt,
            )?;
        }
        if let Capture::Ring { producer, .. } = &capture {
            check_element(
                "recording",
                producer.element_size(),
                config.capture_channels,
                in_fmt,
            )?;
        }
        let has_playback = !matches!(playback, Playback::None);
        let frames = config.frames;
        let pad = config.pad;
        let total = match (frames >= 0, has_playback, pad >= 0) {
            (false, _, _) => None,
            (true, true, true) => Some((frames as u64).saturating_add(pad as u64)),
            (true, _, _) => Some(frames as u64),
        };
        stats.reset();
        Ok(Engine {
            playback,
            capture,
            playback_pos: 0,
            tx,
            rx,
            output_silence: silence,
            frames,
            pad,
            limit: (frames >= 0).then_some(frames as u64),
            total,
            offset_left: config.offset,
            played: 0,
            frame_count: 0,
            padding: false,
            done: false,
            stop_on_xrun: config.stop_on_xrun,
            stats,
        })
    }

    /// The shared counters.
    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Gives back the playback and capture, e.g. to collect a recording
    /// made into memory.
    pub fn into_parts(self) -> (Playback, Capture) {
        (self.playback, self.capture)
    }

    /// Processes one block: what the host calls once per block.
    pub fn run(&mut self, block: Block<'_>) -> CallbackResult {
        let Block {
            input,
            output,
            frames,
            time,
            status,
        } = block;
        let st = &*self.stats;
        st.record_block(status, &time);

        // Never trust a host with slicing: a short buffer shortens the block.
        let mut n = frames;
        if let Some(inp) = &input {
            n = n.min(inp.len() / self.rx.src_frame().max(1));
        }
        if let Some(out) = &output {
            n = n.min(out.len() / self.tx.dst_frame().max(1));
        }

        if let Some(r) = st.requested_end(&mut self.done) {
            if let Some(out) = output {
                out.fill(self.output_silence);
            }
            return r;
        }

        let mut result = CallbackResult::Continue;
        let mut active = self.remaining(n);
        if let Some(out) = output {
            let filled = match self.fill_output(&mut out[..n * self.tx.dst_frame()], active) {
                Ok(f) => f,
                Err(f) => {
                    self.stats.finish(Outcome::BufferEmpty);
                    result = CallbackResult::Abort;
                    f
                }
            };
            out[filled * self.tx.dst_frame()..].fill(self.output_silence);
            // The padding switch may have fixed the stream's length.
            active = self.remaining(active);
        }
        if let Some(inp) = input {
            let kept = self.record(&inp[..active * self.rx.src_frame()], active);
            if kept < active {
                // The run ends at the last frame stored.
                self.stats.finish(Outcome::BufferFull);
                result = CallbackResult::Abort;
                active = kept;
            }
        }
        self.frame_count += active as u64;
        self.stats.set_frame_count(self.frame_count);
        if self.stop_on_xrun && result == CallbackResult::Continue {
            let st = &*self.stats;
            if status.is_xrun() || st.has_source_underruns() {
                st.finish(Outcome::Xrun);
                result = CallbackResult::Abort;
            }
        }
        if result == CallbackResult::Continue && self.total == Some(self.frame_count) {
            self.stats.finish(Outcome::Complete);
            result = CallbackResult::Complete;
        }
        if result != CallbackResult::Continue {
            self.done = true;
        }
        result
    }

    /// Frames of the next `n` that still belong to the stream.
    fn remaining(&self, n: usize) -> usize {
        match self.total {
            Some(t) => t.saturating_sub(self.frame_count).min(n as u64) as usize,
            None => n,
        }
    }

    /// Writes playback into the first frames of `out` and returns how many
    /// frames it wrote; `Err` carries the same count when the playback ran
    /// out with neither `frames < 0` nor padding to fall back on.
    fn fill_output(&mut self, out: &mut [u8], active: usize) -> Result<usize, usize> {
        if self.padding || matches!(self.playback, Playback::None) {
            return Ok(0);
        }
        let want = match self.limit {
            Some(l) => (l - self.played).min(active as u64) as usize,
            None => active,
        };
        let got = self.read_playback(&mut out[..want * self.tx.dst_frame()], want);
        self.played += got as u64;
        let mut ran_out = false;
        if got < want {
            match &self.playback {
                Playback::Ring { feeding, .. } if feeding.load(Ordering::Acquire) => {
                    self.stats
                        .count_source_underrun(self.frame_count + got as u64);
                }
                _ => ran_out = true,
            }
        }
        if ran_out {
            match (self.frames >= 0, self.pad >= 0) {
                (true, true) => return Err(got),
                (false, true) => {
                    self.total = Some(self.frame_count + got as u64 + self.pad as u64);
                }
                (_, false) => {}
            }
            self.start_padding();
        } else if self.limit == Some(self.played) {
            self.start_padding();
        }
        Ok(got)
    }

    fn start_padding(&mut self) {
        self.padding = true;
        self.stats.set_padding();
    }

    /// Maps up to `want` playback frames into `out`; returns frames read.
    fn read_playback(&mut self, out: &mut [u8], want: usize) -> usize {
        let tfs = self.tx.src_frame();
        let ofs = self.tx.dst_frame();
        match &mut self.playback {
            Playback::None => 0,
            Playback::Memory { data, looping } => {
                let whole = data.len() / tfs * tfs;
                let mut got = 0;
                while got < want {
                    if self.playback_pos >= whole {
                        if *looping && whole > 0 {
                            self.playback_pos = 0;
                        } else {
                            break;
                        }
                    }
                    let k = ((whole - self.playback_pos) / tfs).min(want - got);
                    let src = &data[self.playback_pos..self.playback_pos + k * tfs];
                    self.tx.apply(src, &mut out[got * ofs..(got + k) * ofs]);
                    self.playback_pos += k * tfs;
                    got += k;
                }
                got
            }
            Playback::Ring { consumer, .. } => {
                let bufs = consumer.read_buffers(want);
                let got = bufs.frames();
                let (a, b) = bufs.as_raw_slices();
                let split = a.len() / tfs * ofs;
                self.tx.apply(a, &mut out[..split]);
                self.tx.apply(b, &mut out[split..got * ofs]);
                bufs.advance(got);
                got
            }
        }
    }

    /// Records the block's `active` input frames, less the offset still to
    /// drop. Returns how many of the `active` frames were dealt with (the
    /// offset dropped and the frames stored): fewer when the capture had
    /// no room for all of them.
    fn record(&mut self, input: &[u8], active: usize) -> usize {
        let skip = self.offset_left.min(active as u64) as usize;
        self.offset_left -= skip as u64;
        let ifs = self.rx.src_frame();
        let rfs = self.rx.dst_frame();
        let src = &input[skip * ifs..];
        let want = active - skip;
        match &mut self.capture {
            Capture::None => active,
            Capture::Memory { buf, len } => {
                let k = ((buf.len() - *len) / rfs).min(want);
                self.rx
                    .apply(&src[..k * ifs], &mut buf[*len..*len + k * rfs]);
                *len += k * rfs;
                skip + k
            }
            Capture::Ring { producer, .. } => {
                let mut bufs = producer.write_buffers(want);
                let got = bufs.frames();
                let (a, b) = bufs.as_raw_mut_slices();
                let split = a.len() / rfs * ifs;
                self.rx.apply(&src[..split], a);
                self.rx.apply(&src[split..got * ifs], b);
                bufs.advance(got);
                skip + got
            }
        }
    }

    /// Whether a block of `frames` can run without a late feeder or a slow
    /// drainer; a free-running host waits for this before each block.
    pub fn is_ready(&self, frames: usize) -> bool {
        if self.done || self.stats.end_requested() {
            return true;
        }
        let active = self.remaining(frames);
        if let Playback::Ring { consumer, feeding } = &self.playback {
            if !self.padding && feeding.load(Ordering::Acquire) {
                let mut need = active.min(consumer.capacity());
                if let Some(l) = self.limit {
                    need = need.min((l - self.played) as usize);
                }
                if consumer.read_available() < need {
                    return false;
                }
            }
        }
        if let Capture::Ring { producer, draining } = &self.capture {
            if draining.load(Ordering::Acquire)
                && producer.write_available() < active.min(producer.capacity())
            {
                return false;
            }
        }
        true
    }
}

fn check_element(
    which: &'static str,
    got: usize,
    channels: usize,
    format: SampleFormat,
) -> Result<(), EngineError> {
    let want = format.frame_size(channels);
    if got == want {
        Ok(())
    } else {
        Err(EngineError::ElementSize {
            which,
            got,
            want,
            channels,
            format,
        })
    }
}

impl AudioCallback for Engine {
    fn process(&mut self, block: Block<'_>) -> CallbackResult {
        self.run(block)
    }

    fn ready(&self, frames: usize) -> bool {
        self.is_ready(frames)
    }

    fn wants_to_end(&self) -> bool {
        self.done || self.stats.end_requested()
    }
}

#[cfg(test)]
mod tests;
