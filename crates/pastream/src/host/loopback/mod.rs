//! The virtual host: loopback devices that need no sound card.
//!
//! The host API "Virtual" is always present and has three devices:
//! - `loopback`: duplex, up to 128 channels each way. What the stream plays
//!   on output channel k comes back on input channel k after a fixed
//!   latency, bit for bit, in any sample format. Input channels with no
//!   output channel behind them capture silence.
//! - `loopback (input only)`: captures silence.
//! - `loopback (output only)`: discards what it plays.
//!
//! Two clocks drive the callback (see [`Clock`]): the sample clock, in real
//! time, or as fast as the callback's feeders and drainers allow. In real
//! time, a deadline missed by more than the device buffers (its latency,
//! at least its largest block: the callback, or the whole process, held
//! up) is reported as a real device reports it, an input
//! overflow and an output underflow with the next block, and the clock goes
//! on from then instead of catching up in a burst. With
//! blocksize 0 the device picks varying block sizes, up to 512 frames, as
//! some real hosts do.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Backend, DeviceError, DeviceInfo, HostParams, HostStream, Scan, block_duration};
use crate::error::HostError;
use crate::rt::callback::{
    AudioCallback, Block, CallbackResult, StatusFlags, TimeInfo, run_guarded,
};
use crate::sample::{SampleFormat, convert};

/// Most channels a virtual device opens.
///
/// # Examples
///
/// ```
/// use pastream::host::{self, loopback::MAX_CHANNELS};
///
/// let d = host::find_device(Some(&"loopback".into()), host::Direction::Duplex)?;
/// assert_eq!(d.max_input_channels, MAX_CHANNELS);
/// # Ok::<(), pastream::host::DeviceError>(())
/// ```
pub const MAX_CHANNELS: usize = 128;

/// Largest fixed block size the virtual devices accept.
///
/// # Examples
///
/// ```
/// use pastream::host::loopback::MAX_BLOCKSIZE;
/// use pastream::{InputStream, StreamConfig};
///
/// let config = StreamConfig::new().device("loopback").blocksize(MAX_BLOCKSIZE + 1);
/// assert!(InputStream::open(&config).is_err());
/// ```
pub const MAX_BLOCKSIZE: usize = 1 << 16;

/// Frames the free-running device plays between two rings of its wake.
const RING_FRAMES: usize = 4096;

/// Block sizes the virtual device cycles through when blocksize is 0.
const VARIABLE_BLOCKS: [usize; 8] = [256, 64, 512, 1, 333, 128, 480, 17];

/// What paces the virtual device's callback.
///
/// # Examples
///
/// ```
/// use pastream::{Clock, InputStream, StreamConfig, Transfer};
///
/// // Real time: 0.1 s of audio takes 0.1 s.
/// let mut stream = InputStream::open(&StreamConfig::new().device("loopback").clock(Clock::RealTime))?;
/// let t = std::time::Instant::now();
/// stream.record(&Transfer::new().frames(4800).blocking(true))?;
/// assert!(t.elapsed().as_secs_f64() >= 0.09);
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    /// Blocks come at the pace of the sample rate, on a thread with
    /// real-time priority where the system allows it.
    #[default]
    RealTime,
    /// Blocks come as fast as the CPU allows; before each block the device
    /// waits until the callback is ready for the next block, so that it
    /// never runs ahead of the threads that feed and drain it. For tests and
    /// benchmarks.
    FreeRunning,
}

/// Settings that apply to virtual devices only.
///
/// # Examples
///
/// ```
/// use pastream::{Clock, OutputStream, StatusFlags, StreamConfig, Transfer, VirtualOptions};
///
/// // Report an output underflow with the third block.
/// let options = VirtualOptions {
///     clock: Clock::FreeRunning,
///     xruns: vec![(2, StatusFlags::OUTPUT_UNDERFLOW)],
///     ..VirtualOptions::default()
/// };
/// let config = StreamConfig::new().device("loopback").blocksize(64).host_option(options);
/// let mut stream = OutputStream::open(&config)?;
/// stream.play(vec![0f32; 2 * 640], &Transfer::new().blocking(true))?;
/// assert_eq!(stream.xruns().output_underflows, 1);
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct VirtualOptions {
    /// What paces the callback. Default: [`Clock::RealTime`].
    pub clock: Clock,
    /// Frames between playing a frame and capturing it on the loopback
    /// device; at least the largest block. Default: the largest block
    /// (the blocksize, or 512 for blocksize 0).
    pub latency: Option<usize>,
    /// Xrun flags to report with chosen blocks: (block index from 0, flags).
    pub xruns: Vec<(u64, StatusFlags)>,
    /// Keeps what the device plays, as a listener would hear it: every
    /// block the callback answers continue or complete for; not the block
    /// of an abort (a real device drops its pending output). For tests:
    /// it allocates on the device's thread.
    pub monitor: Option<Monitor>,
}

/// What a virtual device played (see [`VirtualOptions::monitor`]).
///
/// # Examples
///
/// ```
/// use pastream::host::loopback::Monitor;
/// use pastream::{Clock, OutputStream, StreamConfig, Transfer, VirtualOptions};
///
/// let monitor = Monitor::default();
/// let options = VirtualOptions { clock: Clock::FreeRunning, monitor: Some(monitor.clone()), ..Default::default() };
/// let config = StreamConfig::new().device("loopback").channels(1).host_option(options);
/// let mut stream = OutputStream::open(&config)?;
/// stream.play(vec![0.5f32; 300], &Transfer::new().blocking(true))?;
/// let heard = monitor.take();
/// assert_eq!(&heard[..300 * 4], pastream::sample::as_bytes(&[0.5f32; 300]));
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Monitor(Arc<Mutex<Vec<u8>>>);

impl Monitor {
    /// Takes what was played so far (bytes of the stream's format).
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }

    fn hear(&self, block: &[u8]) {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(block);
        }
    }
}

/// The name of the virtual host API.
///
/// # Examples
///
/// ```
/// use pastream::host::{self, loopback::HOSTAPI};
///
/// assert!(host::query_hostapis().iter().any(|api| api.name == HOSTAPI));
/// ```
pub const HOSTAPI: &str = "Virtual";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Duplex,
    Input,
    Output,
}

const KINDS: [Kind; 3] = [Kind::Duplex, Kind::Input, Kind::Output];

impl DeviceInfo {
    /// Whether the device belongs to the virtual host (the built-in
    /// loopback devices).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::host::{self, Direction};
    ///
    /// let d = host::find_device(Some(&"loopback, Virtual".into()), Direction::Input)?;
    /// assert!(d.is_virtual());
    /// # Ok::<(), pastream::host::DeviceError>(())
    /// ```
    pub fn is_virtual(&self) -> bool {
        self.hostapi_name == HOSTAPI
    }
}

/// The virtual backend.
pub(crate) struct Virtual;

impl Backend for Virtual {
    fn scan(&self, id: usize, scan: &mut Scan) {
        let first = scan.devices.len();
        append_devices(id, scan);
        scan.default_input = scan.default_input.or(Some(first));
        scan.default_output = scan.default_output.or(Some(first));
    }

    fn split_duplex(&self) -> bool {
        false
    }

    fn check(&self, params: &HostParams) -> Result<(), DeviceError> {
        check(params, &options(params)).map_err(|problem| DeviceError::InvalidSetting {
            device: params.device.name.clone(),
            problem,
        })
    }

    fn open(&self, params: &HostParams) -> Result<Box<dyn HostStream>, DeviceError> {
        self.check(params)?;
        let kind = KINDS[params.device.native as usize % KINDS.len()];
        Ok(Box::new(VirtualStream::new(params.clone(), kind)))
    }
}

/// The virtual options of a stream: its own, or the defaults.
fn options(p: &HostParams) -> VirtualOptions {
    p.options
        .get::<VirtualOptions>()
        .cloned()
        .unwrap_or_default()
}

fn append_devices(id: usize, scan: &mut Scan) {
    let hostapi = scan.hostapis;
    scan.hostapis += 1;
    let list = &mut scan.devices;
    for (name, kind, ins, outs) in [
        ("loopback", Kind::Duplex, MAX_CHANNELS, MAX_CHANNELS),
        ("loopback (input only)", Kind::Input, MAX_CHANNELS, 0),
        ("loopback (output only)", Kind::Output, 0, MAX_CHANNELS),
    ] {
        let latency = 512.0 / 48000.0;
        list.push(DeviceInfo {
            index: list.len(),
            name: name.to_owned(),
            hostapi,
            hostapi_name: HOSTAPI.to_owned(),
            max_input_channels: ins,
            max_output_channels: outs,
            default_low_input_latency: latency,
            default_low_output_latency: latency,
            default_high_input_latency: latency,
            default_high_output_latency: latency,
            default_samplerate: 48000.0,
            backend: id,
            native: KINDS.iter().position(|k| *k == kind).unwrap_or(0) as i32,
        });
    }
}

fn max_block(p: &HostParams) -> usize {
    if p.blocksize == 0 {
        VARIABLE_BLOCKS.iter().copied().max().unwrap_or(1)
    } else {
        p.blocksize
    }
}

fn latency_frames(p: &HostParams, opts: &VirtualOptions) -> usize {
    opts.latency.unwrap_or_else(|| max_block(p))
}

fn check(p: &HostParams, opts: &VirtualOptions) -> Result<(), String> {
    if p.blocksize > MAX_BLOCKSIZE {
        return Err(format!(
            "blocksize {} is larger than {MAX_BLOCKSIZE} frames",
            p.blocksize
        ));
    }
    let latency = latency_frames(p, opts);
    if latency < max_block(p) {
        return Err(format!(
            "latency of {latency} frames is shorter than a block of {} frames",
            max_block(p)
        ));
    }
    if latency > 1 << 24 {
        return Err(format!("latency of {latency} frames is too long"));
    }
    Ok(())
}

/// A stream on a virtual device: a thread that plays the device's part.
struct VirtualStream {
    params: HostParams,
    options: VirtualOptions,
    kind: Kind,
    thread: Option<JoinHandle<Box<dyn AudioCallback>>>,
    stop: Arc<AtomicBool>,
    running: Arc<AtomicBool>,
    load: Arc<AtomicU64>,
    clock: Arc<AtomicU64>,
    error: Arc<Mutex<Option<HostError>>>,
}

impl VirtualStream {
    fn new(params: HostParams, kind: Kind) -> Self {
        VirtualStream {
            options: options(&params),
            params,
            kind,
            thread: None,
            stop: Arc::new(AtomicBool::new(false)),
            running: Arc::new(AtomicBool::new(false)),
            load: Arc::new(AtomicU64::new(0)),
            clock: Arc::new(AtomicU64::new(0)),
            error: Arc::new(Mutex::new(None)),
        }
    }
}

impl HostStream for VirtualStream {
    fn start(&mut self, callback: Box<dyn AudioCallback>) -> Result<(), DeviceError> {
        if self.thread.is_some() {
            return Err(DeviceError::Backend(
                "the virtual stream is already started".into(),
            ));
        }
        self.stop.store(false, Ordering::Release);
        self.running.store(true, Ordering::Release);
        let device = Device {
            params: self.params.clone(),
            options: self.options.clone(),
            kind: self.kind,
            stop: self.stop.clone(),
            load: self.load.clone(),
            clock: self.clock.clone(),
            error: self.error.clone(),
        };
        let running = self.running.clone();
        let wake = self.params.wake.clone();
        let handle = std::thread::Builder::new()
            .name("pastream-virtual".into())
            .spawn(move || {
                let cb = device.run(callback);
                running.store(false, Ordering::Release);
                wake.ring();
                cb
            })
            .map_err(|e| {
                DeviceError::Backend(format!("cannot start the virtual device thread: {e}"))
            })?;
        self.thread = Some(handle);
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    fn stop(&mut self, _drain: bool) -> Result<Option<Box<dyn AudioCallback>>, DeviceError> {
        self.stop.store(true, Ordering::Release);
        self.params.wake.ring();
        match self.thread.take() {
            None => Ok(None),
            Some(h) => h
                .join()
                .map(Some)
                .map_err(|_| DeviceError::Backend("the virtual device thread failed".into())),
        }
    }

    fn latency(&self) -> (f64, f64) {
        // Half the round trip on each side: input and output latency add
        // up to the delay of the loopback, as through a cable.
        let l = latency_frames(&self.params, &self.options) as f64 / self.params.samplerate;
        (l / 2.0, l / 2.0)
    }

    fn cpu_load(&self) -> f64 {
        f64::from_bits(self.load.load(Ordering::Relaxed))
    }

    fn time(&self) -> f64 {
        f64::from_bits(self.clock.load(Ordering::Relaxed))
    }

    fn take_error(&mut self) -> Option<HostError> {
        self.error.lock().ok().and_then(|mut e| e.take())
    }

    fn free_running(&self) -> bool {
        self.options.clock == Clock::FreeRunning
    }

    fn abandon(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.params.wake.ring();
    }
}

impl Drop for VirtualStream {
    fn drop(&mut self) {
        let _ = self.stop(false);
    }
}

/// The device side of a virtual stream, run on its own thread.
struct Device {
    params: HostParams,
    options: VirtualOptions,
    kind: Kind,
    stop: Arc<AtomicBool>,
    load: Arc<AtomicU64>,
    clock: Arc<AtomicU64>,
    error: Arc<Mutex<Option<HostError>>>,
}

impl Device {
    fn run(self, mut cb: Box<dyn AudioCallback>) -> Box<dyn AudioCallback> {
        let p = &self.params;
        let opts = &self.options;
        if opts.clock == Clock::RealTime {
            raise_priority();
        }
        let (in_silence, silence) = (p.input_format.silence_byte(), p.format.silence_byte());
        let in_fs = p.input_format.frame_size(p.input_channels);
        let out_fs = p.format.frame_size(p.output_channels);
        let loops = self.kind == Kind::Duplex && p.input_channels > 0 && p.output_channels > 0;
        let max_block = max_block(p);
        let latency = latency_frames(p, opts);
        // Blocks in memory aligned for every sample type, as a real host's
        // are: a user's typed callback views them in place.
        let mut input_words =
            vec![u64::from_ne_bytes([in_silence; 8]); (max_block * in_fs).div_ceil(8)];
        let mut output_words =
            vec![u64::from_ne_bytes([silence; 8]); (max_block * out_fs).div_ceil(8)];
        let input: &mut [u8] = bytemuck::cast_slice_mut(&mut input_words);
        let output: &mut [u8] = bytemuck::cast_slice_mut(&mut output_words);
        let mut line = DelayLine::new(latency, max_block, in_fs, in_silence);
        let copied = Copied {
            channels: p.input_channels.min(p.output_channels),
            from: p.format,
            to: p.input_format,
        };

        let mut start = Instant::now();
        let mut late = StatusFlags::NONE;
        let mut unrung = 0usize;
        let mut frames_done: u64 = 0;
        let mut block: u64 = 0;
        'blocks: loop {
            let n = if p.blocksize == 0 {
                VARIABLE_BLOCKS[(block % VARIABLE_BLOCKS.len() as u64) as usize]
            } else {
                p.blocksize
            };
            match opts.clock {
                Clock::FreeRunning => {
                    // Not a real-time thread: when its callback's rings
                    // are not ready it wakes the workers and sleeps until
                    // they ring (or the stream is stopped, which rings).
                    let mut seen = p.wake.count();
                    while !cb.ready(n) {
                        if self.stop.load(Ordering::Acquire) {
                            break 'blocks;
                        }
                        if unrung > 0 {
                            unrung = 0;
                            seen = p.wake.ring();
                        }
                        seen = p.wake.wait_past(seen, Duration::from_millis(10));
                    }
                }
                Clock::RealTime => {
                    let due = start + block_duration(frames_done as usize, p.samplerate);
                    let mut now = Instant::now();
                    // Sleeps on the doorbell, so that a stop ends even a
                    // block of minutes (a sample rate of 1 Hz) at once: a
                    // stream that asks to end gets its last block now.
                    let mut seen = p.wake.count();
                    while due > now && !cb.wants_to_end() {
                        if self.stop.load(Ordering::Acquire) {
                            break 'blocks;
                        }
                        seen = p.wake.wait_past(seen, due - now);
                        now = Instant::now();
                    }
                    if due > now {
                        // Asked to end early: the clock does not jump.
                    } else if now - due > block_duration(max_block.max(latency), p.samplerate) {
                        // A deadline missed by more than the device buffers
                        // (its latency, at least its largest block): a real
                        // device would have lost input and played a gap.
                        // The clock goes on from now, with no burst of
                        // blocks to catch up.
                        if p.input_channels > 0 {
                            late |= StatusFlags::INPUT_OVERFLOW;
                        }
                        if p.output_channels > 0 {
                            late |= StatusFlags::OUTPUT_UNDERFLOW;
                        }
                        start = now - block_duration(frames_done as usize, p.samplerate);
                    }
                }
            }
            if self.stop.load(Ordering::Acquire) {
                break;
            }
            let inp = &mut input[..n * in_fs];
            if loops {
                line.pop(inp);
            } else {
                inp.fill(in_silence);
            }
            let status = opts
                .xruns
                .iter()
                .filter(|(k, _)| *k == block)
                .fold(std::mem::take(&mut late), |acc, (_, f)| acc | *f);
            let now = frames_done as f64 / p.samplerate;
            // Half the round trip on each side: a frame comes back with
            // the capture time it was played at, as through a cable.
            let half = latency as f64 / p.samplerate / 2.0;
            let time = TimeInfo {
                input_adc_time: now - half,
                current_time: now,
                output_dac_time: now + half,
            };
            let t0 = Instant::now();
            let blk = Block {
                input: (p.input_channels > 0).then_some(&input[..n * in_fs]),
                output: (p.output_channels > 0).then_some(&mut output[..n * out_fs]),
                frames: n,
                time,
                status,
            };
            let result = match catch_unwind(AssertUnwindSafe(|| {
                run_guarded(p.callback_guard, cb.as_mut(), blk)
            })) {
                Ok(r) => r,
                Err(_) => {
                    if let Ok(mut e) = self.error.lock() {
                        *e = Some(HostError::callback_panicked());
                    }
                    CallbackResult::Abort
                }
            };
            let spent = t0.elapsed().as_secs_f64() / (n as f64 / p.samplerate);
            self.load.store(spent.min(1.0).to_bits(), Ordering::Relaxed);
            if let Some(m) = opts
                .monitor
                .as_ref()
                .filter(|_| result != CallbackResult::Abort)
            {
                m.hear(&output[..n * out_fs]);
            }
            if loops {
                line.push(&output[..n * out_fs], out_fs, &copied);
            }
            frames_done += n as u64;
            block += 1;
            if opts.clock == Clock::FreeRunning {
                // The workers are woken for a useful amount of work: every
                // RING_FRAMES frames, or when the device must wait.
                unrung += n;
                if unrung >= RING_FRAMES {
                    unrung = 0;
                    p.wake.ring();
                }
            }
            self.clock.store(
                (frames_done as f64 / p.samplerate).to_bits(),
                Ordering::Relaxed,
            );
            if result != CallbackResult::Continue {
                break;
            }
        }
        cb
    }
}

/// Which output channels come back on the input, and in which formats.
struct Copied {
    channels: usize,
    from: SampleFormat,
    to: SampleFormat,
}

/// Frames on their way from the device's output back to its input, kept
/// in the input's frame layout.
struct DelayLine {
    buf: Vec<u8>,
    frame: usize,
    frames: usize,
    head: usize,
    len: usize,
    silence: u8,
}

impl DelayLine {
    fn new(latency: usize, max_block: usize, frame: usize, silence: u8) -> Self {
        let frames = latency + max_block;
        DelayLine {
            buf: vec![silence; frames * frame],
            frame,
            frames,
            head: 0,
            len: latency,
            silence,
        }
    }

    /// Takes the oldest `out.len() / frame` frames.
    fn pop(&mut self, out: &mut [u8]) {
        let n = out.len() / self.frame;
        debug_assert!(n <= self.len);
        // At most two runs: up to the end of the buffer, then from its start.
        let first = n.min(self.frames - self.head);
        let at = self.head * self.frame;
        out[..first * self.frame].copy_from_slice(&self.buf[at..at + first * self.frame]);
        out[first * self.frame..n * self.frame]
            .copy_from_slice(&self.buf[..(n - first) * self.frame]);
        self.head = (self.head + n) % self.frames;
        self.len -= n;
    }

    /// Appends output frames, keeping the first channels of each (see
    /// [`Copied`]) and silencing the rest of the input frame.
    fn push(&mut self, output: &[u8], out_frame: usize, c: &Copied) {
        let (iss, oss) = (c.to.sample_size(), c.from.sample_size());
        let copied = c.channels * iss;
        let n = output.len() / out_frame;
        let tail = (self.head + self.len) % self.frames;
        let first = n.min(self.frames - tail);
        for (start, frames, from) in [(tail, first, 0), (0, n - first, first)] {
            let dst = &mut self.buf[start * self.frame..(start + frames) * self.frame];
            let src = &output[from * out_frame..(from + frames) * out_frame];
            if c.from != c.to {
                // Another format on the way back: sample by sample.
                for (d, o) in dst
                    .chunks_exact_mut(self.frame)
                    .zip(src.chunks_exact(out_frame))
                {
                    for (ds, os) in d[..copied].chunks_exact_mut(iss).zip(o.chunks_exact(oss)) {
                        convert::convert_sample(os, c.from, ds, c.to);
                    }
                    d[copied..].fill(self.silence);
                }
            } else if out_frame == self.frame && copied == self.frame {
                // The same frames each way: one copy.
                dst.copy_from_slice(src);
            } else {
                for (d, o) in dst
                    .chunks_exact_mut(self.frame)
                    .zip(src.chunks_exact(out_frame))
                {
                    d[..copied].copy_from_slice(&o[..copied]);
                    d[copied..].fill(self.silence);
                }
            }
        }
        self.len += n;
    }
}

/// Asks for real-time scheduling for the calling thread; without the
/// rights for it the thread keeps its normal priority.
fn raise_priority() {
    #[cfg(unix)]
    {
        let param = libc::sched_param { sched_priority: 10 };
        // SAFETY: pthread_self() is always a valid handle for the calling
        // thread, and `param` is a valid sched_param for SCHED_FIFO. The
        // call only changes this thread's scheduling; failure is harmless.
        unsafe {
            libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param);
        }
    }
}
