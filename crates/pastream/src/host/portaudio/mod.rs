//! The PortAudio host: every host API of the system's PortAudio library
//! (ALSA, JACK, OSS; CoreAudio; WASAPI, ASIO, ...).
//!
//! PortAudio is initialised once per process, at its first use, and never
//! terminated on its own: its JACK host answers a failed client close with
//! an assertion that aborts the process, and a JACK server in trouble fails
//! it. All of PortAudio's global calls are serialised by one lock, so that
//! queries and streams can be used from any thread. PortAudio scans the
//! system when it starts; [`super::refresh_devices`] lets it scan again.
//!
//! On its JACK host, the server is asked whether it is still there (by a
//! client of our own, see `jack.rs`) before a stream is stopped or closed;
//! a stream whose server has quit is left alone, as a lost one.
//!
//! On hosts whose native format is float32 (JACK, CoreAudio), PortAudio's
//! own integer conversions are not exact (int16 input loses a step toward
//! zero). There the library asks PortAudio for float32 and converts in the
//! callback, scaling symmetrically by a power of two: int8, uint8, int16,
//! int24 and 24-bit values in int32 survive a round trip bit for bit.

mod convert;
mod ffi;
mod jack;

use std::cell::{Cell, UnsafeCell};
use std::ffi::CStr;
use std::mem::ManuallyDrop;
use std::os::raw::{c_int, c_ulong, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{Backend, DeviceError, DeviceInfo, HostParams, HostStream, Latency, Muted, Scan};
use crate::error::HostError;
use crate::rt::callback::{
    AudioCallback, Block, CallbackResult, StatusFlags, TimeInfo, run_guarded,
};
use crate::sample::SampleFormat;
use convert::Converter;

/// Serialises PortAudio's global calls (initialise, terminate, queries,
/// open, close), which are not thread-safe.
static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn error_text(e: ffi::PaError) -> String {
    // SAFETY: Pa_GetErrorText returns a static C string for any code.
    unsafe { CStr::from_ptr(ffi::Pa_GetErrorText(e)) }
        .to_string_lossy()
        .into_owned()
}

fn c_text(p: *const std::os::raw::c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: PortAudio's names are NUL-terminated strings it owns, valid
    // while it is initialised (the caller holds a session).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Whether PortAudio is initialised. It is, once per process, at its
/// first use, and stays so: terminating it closes the JACK host's client,
/// which PortAudio's JACK host answers with an assertion (aborting the
/// process) when the server is in trouble. Only [`refresh`] terminates it,
/// when no stream is open and the JACK server, if any, answers.
static INITIALISED: AtomicBool = AtomicBool::new(false);

/// PortAudio streams open, lost ones included (they are never closed).
static OPEN_STREAMS: AtomicUsize = AtomicUsize::new(0);

/// PortAudio, initialised, and its lock held: every PortAudio call that is
/// not a stream's own goes through this.
fn session() -> Result<MutexGuard<'static, ()>, String> {
    let guard = lock();
    if !INITIALISED.load(Ordering::Acquire) {
        let _m = Muted::stderr();
        // SAFETY: serialised by LOCK; PortAudio is not initialised.
        let e = unsafe { ffi::Pa_Initialize() };
        if e != ffi::paNoError {
            return Err(format!("PortAudio failed to start: {}", error_text(e)));
        }
        INITIALISED.store(true, Ordering::Release);
    }
    Ok(guard)
}

/// Whether PortAudio has a JACK host API, connected to a server.
///
/// # Safety
///
/// PortAudio is initialised and its global calls are serialised by the
/// caller.
unsafe fn has_jack_host() -> bool {
    // SAFETY: initialised and serialised by the caller; pointers are checked
    // for null and read at once.
    unsafe {
        (0..ffi::Pa_GetHostApiCount().max(0)).any(|a| {
            ffi::Pa_GetHostApiInfo(a)
                .as_ref()
                .is_some_and(|i| i.type_ == ffi::paJACK)
        })
    }
}

/// Lets PortAudio scan the system again at its next use, so that devices
/// plugged in (or a JACK server started) since it started show up.
pub(crate) fn refresh() -> Result<(), DeviceError> {
    let _g = lock();
    if !INITIALISED.load(Ordering::Acquire) {
        return Ok(());
    }
    // SAFETY: initialised, serialised by `_g`.
    if unsafe { has_jack_host() } && !jack::server_alive() {
        return Err(DeviceError::Backend(
            "the JACK server PortAudio connected to has quit, and PortAudio cannot let go of it without ending the program: restart the program to see the devices again".into(),
        ));
    }
    if OPEN_STREAMS.load(Ordering::Acquire) > 0 {
        return Err(DeviceError::Backend(
            "the device list cannot be refreshed while a stream is open (or was lost with its device); close every stream first".into(),
        ));
    }
    let _m = Muted::stderr();
    // SAFETY: initialised and serialised; no stream is open.
    unsafe { ffi::Pa_Terminate() };
    INITIALISED.store(false, Ordering::Release);
    Ok(())
}

/// The PortAudio backend.
pub(crate) struct PortAudio;

impl Backend for PortAudio {
    fn scan(&self, id: usize, scan: &mut Scan) {
        append_devices(id, scan);
    }

    fn split_duplex(&self) -> bool {
        true
    }

    fn check(&self, params: &HostParams) -> Result<(), DeviceError> {
        check(params)
    }

    fn open(&self, params: &HostParams) -> Result<Box<dyn HostStream>, DeviceError> {
        Ok(Box::new(PaHostStream::open(params)?))
    }

    fn refresh(&self) -> Result<(), DeviceError> {
        refresh()
    }
}

/// The type of the host API of PortAudio's device `index`.
///
/// # Safety
///
/// PortAudio is initialised and its global calls are serialised by the
/// caller.
unsafe fn host_type(index: c_int) -> Option<ffi::PaHostApiTypeId> {
    // SAFETY: initialised and serialised by the caller; pointers are
    // checked for null and read at once.
    unsafe {
        let d = ffi::Pa_GetDeviceInfo(index).as_ref()?;
        ffi::Pa_GetHostApiInfo(d.hostApi).as_ref().map(|a| a.type_)
    }
}

/// Whether a host API of type `t` has float32 as its native format (JACK,
/// CoreAudio): there the library converts integer formats itself.
fn is_float_host(t: Option<ffi::PaHostApiTypeId>) -> bool {
    t == Some(ffi::paJACK) || t == Some(ffi::paCoreAudio)
}

/// Appends the PortAudio devices and host APIs to `scan`, and its
/// defaults. With PortAudio failing to start, none.
fn append_devices(id: usize, scan: &mut Scan) {
    let Ok(_g) = session() else {
        return;
    };
    let list = &mut scan.devices;
    let hostapi_base = scan.hostapis;
    let base = list.len();
    // SAFETY: PortAudio is initialised and its global calls are serialised
    // by `_g` (this holds for all the calls below); every returned pointer
    // is checked for null and read at once.
    let apis = unsafe { ffi::Pa_GetHostApiCount() }.max(0);
    let mut api_names = Vec::new();
    for a in 0..apis {
        // SAFETY: see above.
        let info = unsafe { ffi::Pa_GetHostApiInfo(a) };
        // SAFETY: checked for null; owned by PortAudio while initialised.
        match unsafe { info.as_ref() } {
            Some(i) => api_names.push(c_text(i.name)),
            None => api_names.push(format!("host API {a}")),
        }
    }
    // SAFETY: see above.
    let count = unsafe { ffi::Pa_GetDeviceCount() }.max(0);
    for d in 0..count {
        // SAFETY: see above.
        let info = unsafe { ffi::Pa_GetDeviceInfo(d) };
        // SAFETY: checked for null; owned by PortAudio while initialised.
        let Some(i) = (unsafe { info.as_ref() }) else {
            continue;
        };
        let api = i.hostApi.max(0) as usize;
        list.push(DeviceInfo {
            index: list.len(),
            name: c_text(i.name),
            hostapi: hostapi_base + api,
            hostapi_name: api_names.get(api).cloned().unwrap_or_default(),
            max_input_channels: i.maxInputChannels.max(0) as usize,
            max_output_channels: i.maxOutputChannels.max(0) as usize,
            default_low_input_latency: i.defaultLowInputLatency,
            default_low_output_latency: i.defaultLowOutputLatency,
            default_high_input_latency: i.defaultHighInputLatency,
            default_high_output_latency: i.defaultHighOutputLatency,
            default_samplerate: i.defaultSampleRate,
            backend: id,
            native: d,
        });
    }
    let to_list = |d: ffi::PaDeviceIndex| {
        (d >= 0 && d < count)
            .then(|| list[base..].iter().position(|x| x.native == d))
            .flatten()
            .map(|p| base + p)
    };
    // SAFETY: see above.
    let (din, dout) = unsafe {
        (
            ffi::Pa_GetDefaultInputDevice(),
            ffi::Pa_GetDefaultOutputDevice(),
        )
    };
    let (din, dout) = (to_list(din), to_list(dout));
    scan.hostapis += apis as usize;
    scan.default_input = scan.default_input.or(din);
    scan.default_output = scan.default_output.or(dout);
}

/// The PortAudio version text, if the library starts.
///
/// # Examples
///
/// ```
/// let v = pastream::host::portaudio::version().unwrap();
/// assert!(v.starts_with("PortAudio"));
/// ```
pub fn version() -> Option<String> {
    // SAFETY: Pa_GetVersionText returns a static string and needs no
    // initialisation.
    Some(c_text(unsafe { ffi::Pa_GetVersionText() }))
}

fn pa_format(f: SampleFormat) -> ffi::PaSampleFormat {
    match f {
        SampleFormat::F32 => ffi::paFloat32,
        SampleFormat::I32 => ffi::paInt32,
        SampleFormat::I24 => ffi::paInt24,
        SampleFormat::I16 => ffi::paInt16,
        SampleFormat::I8 => ffi::paInt8,
        SampleFormat::U8 => ffi::paUInt8,
    }
}

/// Asks PortAudio whether the device takes the settings (the format it
/// would be asked for: float32 on float hosts).
fn check(p: &HostParams) -> Result<(), DeviceError> {
    let _g = session().map_err(DeviceError::Backend)?;
    let index = p.device.native;
    // SAFETY: initialised and serialised by `_g`.
    let float_host = is_float_host(unsafe { host_type(index) });
    let host_format = |f| if float_host { SampleFormat::F32 } else { f };
    let params = |channels: usize, format, latency: f64| ffi::PaStreamParameters {
        device: index,
        channelCount: channels as c_int,
        sampleFormat: pa_format(host_format(format)),
        suggestedLatency: latency,
        hostApiSpecificStreamInfo: std::ptr::null_mut(),
    };
    let inp = (p.input_channels > 0).then(|| {
        params(
            p.input_channels,
            p.input_format,
            p.device.default_high_input_latency,
        )
    });
    let out = (p.output_channels > 0).then(|| {
        params(
            p.output_channels,
            p.format,
            p.device.default_high_output_latency,
        )
    });
    let ptr = |x: &Option<ffi::PaStreamParameters>| {
        x.as_ref().map_or(std::ptr::null(), |x| x as *const _)
    };
    // SAFETY: initialised and serialised by `_g`; the parameters live on
    // this stack frame during the call.
    let e = unsafe { ffi::Pa_IsFormatSupported(ptr(&inp), ptr(&out), p.samplerate) };
    drop(_g);
    if e == ffi::paNoError {
        Ok(())
    } else {
        Err(DeviceError::InvalidSetting {
            device: p.device.name.clone(),
            problem: format!(
                "{} ({} Hz, {} in, {} out, {})",
                error_text(e),
                p.samplerate,
                p.input_channels,
                p.output_channels,
                p.format
            ),
        })
    }
}

/// What the callback thread and the stream's owner share.
struct Shared {
    /// Set between start and stop; only the callback touches it then.
    callback: UnsafeCell<Option<Box<dyn AudioCallback>>>,
    /// Scratch buffers for format conversion; only the callback touches
    /// them while the stream runs.
    convert: UnsafeCell<Converter>,
    running: AtomicBool,
    panicked: AtomicBool,
    /// Counts callbacks, so that the owner sees whether audio still flows.
    beats: AtomicU64,
    guard: Option<fn(&mut dyn FnMut())>,
}

// SAFETY: the UnsafeCell fields are used by the callback thread only while
// the stream is started, and by the owning thread only while it is stopped
// (PortAudio guarantees no callback runs after Pa_StopStream or
// Pa_AbortStream returns); the rest are atomics.
unsafe impl Sync for Shared {}

impl Shared {
    /// The body of the PortAudio callback.
    ///
    /// # Safety
    ///
    /// `input` and `output` are null or hold `frames` frames of the
    /// device format, as PortAudio promises; only the callback thread calls
    /// this, while the stream is started.
    unsafe fn process(
        &self,
        input: *const c_void,
        output: *mut c_void,
        frames: usize,
        time: TimeInfo,
        status: StatusFlags,
    ) -> CallbackResult {
        // SAFETY: only the callback thread uses these while the stream runs.
        let (slot, conv) = unsafe { (&mut *self.callback.get(), &mut *self.convert.get()) };
        let (in_fs, out_fs) = conv.device_frame_sizes();
        let dev_in = (!input.is_null()).then(|| {
            // SAFETY: PortAudio passes `frames` frames of input.
            unsafe { std::slice::from_raw_parts(input.cast::<u8>(), frames * in_fs) }
        });
        let dev_out = (!output.is_null()).then(|| {
            // SAFETY: PortAudio passes room for `frames` frames of output.
            unsafe { std::slice::from_raw_parts_mut(output.cast::<u8>(), frames * out_fs) }
        });
        let Some(cb) = slot.as_mut() else {
            if let Some(out) = dev_out {
                out.fill(0);
            }
            return CallbackResult::Abort;
        };
        let guard = self.guard;
        let result = if !conv.active() {
            run_guarded(
                guard,
                cb.as_mut(),
                Block {
                    input: dev_in,
                    output: dev_out,
                    frames,
                    time,
                    status,
                },
            )
        } else {
            conv.process(dev_in, dev_out, frames, time, status, &mut |b| {
                run_guarded(guard, cb.as_mut(), b)
            })
        };
        if result != CallbackResult::Continue {
            self.running.store(false, Ordering::Release);
        }
        result
    }
}

unsafe extern "C" fn on_block(
    input: *const c_void,
    output: *mut c_void,
    frames: c_ulong,
    time_info: *const ffi::PaStreamCallbackTimeInfo,
    flags: ffi::PaStreamCallbackFlags,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: user_data is the stream's boxed Shared, which outlives the
    // PortAudio stream (it is dropped after Pa_CloseStream, or never).
    let shared = unsafe { &*user_data.cast::<Shared>() };
    shared.beats.fetch_add(1, Ordering::Relaxed);
    // SAFETY: PortAudio passes a valid time info pointer (checked for null).
    let time = match unsafe { time_info.as_ref() } {
        Some(t) => TimeInfo {
            input_adc_time: t.inputBufferAdcTime,
            current_time: t.currentTime,
            output_dac_time: t.outputBufferDacTime,
        },
        None => TimeInfo::default(),
    };
    let status = StatusFlags(flags as u32);
    let r = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: called from the PortAudio callback with its buffers.
        unsafe { shared.process(input, output, frames as usize, time, status) }
    }));
    match r {
        Ok(CallbackResult::Continue) => ffi::paContinue,
        Ok(CallbackResult::Complete) => ffi::paComplete,
        Ok(CallbackResult::Abort) => ffi::paAbort,
        Err(_) => {
            shared.panicked.store(true, Ordering::Release);
            shared.running.store(false, Ordering::Release);
            ffi::paAbort
        }
    }
}

unsafe extern "C" fn on_finished(user_data: *mut c_void) {
    // SAFETY: as in on_block.
    let shared = unsafe { &*user_data.cast::<Shared>() };
    shared.running.store(false, Ordering::Release);
}

/// An open PortAudio stream.
///
/// If the device stops calling back while the stream runs (unplugged, or
/// its server quit), or its JACK server is found gone before it is stopped
/// or closed, the stream is *lost*: PortAudio cannot be trusted to stop or
/// close it (its JACK host asserts, which aborts the process), so a lost
/// stream is left open and its memory is never freed.
/// PortAudio's stream flags, as a host option
/// ([`StreamConfig::host_option`](crate::StreamConfig::host_option)). The
/// defaults keep samples exact: no clipping and no dithering by PortAudio,
/// the first output buffers from the callback, and input never dropped
/// where PortAudio allows it (full duplex with the block size left to the
/// host). python-sounddevice's `clip_off`, `dither_off`,
/// `never_drop_input` and `prime_output_buffers_using_stream_callback`.
///
/// # Examples
///
/// ```
/// use pastream::StreamConfig;
/// use pastream::host::portaudio::StreamFlags;
///
/// // Let PortAudio clip and dither, as it does by default.
/// let flags = StreamFlags { clip_off: false, dither_off: false, ..StreamFlags::default() };
/// let config = StreamConfig::new().host_option(flags);
/// # let _ = config;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamFlags {
    /// PortAudio does not clip out-of-range samples.
    pub clip_off: bool,
    /// PortAudio does not dither.
    pub dither_off: bool,
    /// Input is never dropped to keep a full-duplex stream in time.
    pub never_drop_input: bool,
    /// The first output buffers come from the callback, not silence.
    pub prime_output_buffers: bool,
}

impl Default for StreamFlags {
    fn default() -> Self {
        StreamFlags {
            clip_off: true,
            dither_off: true,
            never_drop_input: true,
            prime_output_buffers: true,
        }
    }
}

pub(crate) struct PaHostStream {
    stream: *mut ffi::PaStream,
    shared: ManuallyDrop<Box<Shared>>,
    started: bool,
    /// (callbacks seen, when that count last changed).
    watch: Cell<(u64, Instant)>,
    /// How long without a callback means the device is gone.
    silence_limit: Duration,
    lost: Cell<bool>,
    /// Given up during a stop (see [`HostStream::abandon`]).
    abandoned: bool,
    lost_reported: bool,
    /// Whether the stream is on PortAudio's JACK host, whose server is
    /// asked whether it is there before the stream is stopped or closed.
    jack: bool,
    /// Set when the JACK server was found gone: the stream is then left
    /// alone, as a lost one.
    server_gone: bool,
}

// SAFETY: a PortAudio stream handle may be used from any thread, one call
// at a time; `PaHostStream` is only used through `&mut self` or for reads
// PortAudio allows concurrently (time, CPU load, info).
unsafe impl Send for PaHostStream {}

impl PaHostStream {
    fn open(p: &HostParams) -> Result<Self, DeviceError> {
        let _g = session().map_err(DeviceError::Backend)?;
        let mut indexes = [0 as c_int; 2];
        for (slot, d) in indexes.iter_mut().zip([&p.input_device, &p.device]) {
            let index = d.native;
            // The device list may have changed since it was read.
            // SAFETY: initialised and serialised by `_g`.
            let info = unsafe { ffi::Pa_GetDeviceInfo(index).as_ref() };
            let name_now = info.map(|i| c_text(i.name));
            if name_now.as_deref() != Some(d.name.as_str()) {
                return Err(DeviceError::Backend(format!(
                    "device '{}' is gone (the device list changed); list the devices again",
                    d.name
                )));
            }
            *slot = index;
        }
        let user = (p.input_format, p.format);
        // SAFETY: initialised and serialised by `_g`.
        let host = unsafe { host_type(indexes[1]) };
        let (float_host, jack) = (is_float_host(host), host == Some(ffi::paJACK));
        let params = |index: c_int, channels: usize, format: SampleFormat, low: f64, high: f64| {
            ffi::PaStreamParameters {
                device: index,
                channelCount: channels as c_int,
                sampleFormat: pa_format(format),
                suggestedLatency: match p.latency {
                    Latency::Low => low,
                    Latency::High => high,
                    Latency::Seconds(s) => s,
                },
                hostApiSpecificStreamInfo: std::ptr::null_mut(),
            }
        };
        let (di, d) = (&p.input_device, &p.device);
        let make = |(in_format, out_format): (SampleFormat, SampleFormat)| {
            (
                (p.input_channels > 0).then(|| {
                    params(
                        indexes[0],
                        p.input_channels,
                        in_format,
                        di.default_low_input_latency,
                        di.default_high_input_latency,
                    )
                }),
                (p.output_channels > 0).then(|| {
                    params(
                        indexes[1],
                        p.output_channels,
                        out_format,
                        d.default_low_output_latency,
                        d.default_high_output_latency,
                    )
                }),
            )
        };
        let ptr = |x: &Option<ffi::PaStreamParameters>| {
            x.as_ref().map_or(std::ptr::null(), |x| x as *const _)
        };
        // Float hosts get float32; elsewhere the user's format if the host
        // takes it, float32 otherwise.
        let native = !float_host && {
            let (i, o) = make(user);
            // SAFETY: initialised and serialised; the parameters live on
            // this stack frame during the call.
            unsafe { ffi::Pa_IsFormatSupported(ptr(&i), ptr(&o), p.samplerate) == 0 }
        };
        let f32_both = (SampleFormat::F32, SampleFormat::F32);
        let device_format = if native || user == f32_both {
            user
        } else {
            f32_both
        };
        let (inp, out) = make(device_format);
        let f = p.options.get::<StreamFlags>().copied().unwrap_or_default();
        let mut flags = 0;
        for (on, flag) in [
            (f.clip_off, ffi::paClipOff),
            (f.dither_off, ffi::paDitherOff),
            (
                f.prime_output_buffers,
                ffi::paPrimeOutputBuffersUsingStreamCallback,
            ),
            // PortAudio takes it only in full duplex, blocks left to it.
            (
                f.never_drop_input
                    && p.input_channels > 0
                    && p.output_channels > 0
                    && p.blocksize == 0,
                ffi::paNeverDropInput,
            ),
        ] {
            if on {
                flags |= flag;
            }
        }
        let shared = Box::new(Shared {
            callback: UnsafeCell::new(None),
            convert: UnsafeCell::new(Converter::new(
                user,
                device_format,
                p.input_channels,
                p.output_channels,
                p.blocksize,
            )),
            running: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            beats: AtomicU64::new(0),
            guard: p.callback_guard,
        });
        let mut stream: *mut ffi::PaStream = std::ptr::null_mut();
        let muted = Muted::stderr();
        // SAFETY: initialised and serialised; the parameters outlive the
        // call; user_data points to `shared`, whose box lives until after
        // Pa_CloseStream (see Drop).
        let e = unsafe {
            ffi::Pa_OpenStream(
                &mut stream,
                ptr(&inp),
                ptr(&out),
                p.samplerate,
                p.blocksize as c_ulong,
                flags,
                Some(on_block),
                (&*shared as *const Shared).cast_mut().cast::<c_void>(),
            )
        };
        drop(muted);
        if e != ffi::paNoError {
            return Err(DeviceError::InvalidSetting {
                device: p.device.name.clone(),
                problem: format!(
                    "{} ({} Hz, {} in, {} out, {}, blocksize {})",
                    error_text(e),
                    p.samplerate,
                    p.input_channels,
                    p.output_channels,
                    if device_format.0 == device_format.1 || p.output_channels == 0 {
                        device_format.1.to_string()
                    } else {
                        format!("{} in, {} out", device_format.0, device_format.1)
                    },
                    p.blocksize
                ),
            });
        }
        // SAFETY: `stream` was just opened.
        unsafe { ffi::Pa_SetStreamFinishedCallback(stream, Some(on_finished)) };
        // SAFETY: `stream` is open; the info is read at once.
        let latency = unsafe { ffi::Pa_GetStreamInfo(stream).as_ref() }
            .map_or(0.0, |i| i.inputLatency.max(i.outputLatency));
        let block = p.blocksize as f64 / p.samplerate;
        let silence_limit = Duration::from_secs_f64((8.0 * (latency + block)).max(2.0));
        OPEN_STREAMS.fetch_add(1, Ordering::AcqRel);
        Ok(PaHostStream {
            stream,
            shared: ManuallyDrop::new(shared),
            started: false,
            watch: Cell::new((0, Instant::now())),
            silence_limit,
            lost: Cell::new(false),
            abandoned: false,
            lost_reported: false,
            jack,
            server_gone: false,
        })
    }
}

impl HostStream for PaHostStream {
    fn start(&mut self, callback: Box<dyn AudioCallback>) -> Result<(), DeviceError> {
        if self.started {
            return Err(DeviceError::Backend("the stream is already started".into()));
        }
        // SAFETY: the stream is stopped, so the callback thread does not
        // touch the slot.
        unsafe { *self.shared.callback.get() = Some(callback) };
        self.shared.running.store(true, Ordering::Release);
        self.shared.panicked.store(false, Ordering::Release);
        // SAFETY: an open stream.
        let e = unsafe { ffi::Pa_StartStream(self.stream) };
        if e != ffi::paNoError {
            self.shared.running.store(false, Ordering::Release);
            // SAFETY: the stream did not start; no callback runs.
            unsafe { (*self.shared.callback.get()).take() };
            return Err(DeviceError::Backend(format!(
                "cannot start the stream: {}",
                error_text(e)
            )));
        }
        self.started = true;
        self.watch
            .set((self.shared.beats.load(Ordering::Relaxed), Instant::now()));
        Ok(())
    }

    fn is_running(&self) -> bool {
        if self.lost.get() || !self.shared.running.load(Ordering::Acquire) {
            return false;
        }
        let beats = self.shared.beats.load(Ordering::Relaxed);
        let (seen, since) = self.watch.get();
        if beats != seen {
            self.watch.set((beats, Instant::now()));
        } else if since.elapsed() > self.silence_limit {
            self.lost.set(true);
            return false;
        }
        true
    }

    fn stop(&mut self, drain: bool) -> Result<Option<Box<dyn AudioCallback>>, DeviceError> {
        if !self.started {
            return Ok(None);
        }
        if self.lost.get() {
            // The callback stays where it is: it might still be called.
            self.started = false;
            return Ok(None);
        }
        if self.jack && !jack::server_alive() {
            // PortAudio's JACK host would assert on stopping a stream whose
            // server has quit: the stream is left alone, as a lost one.
            self.started = false;
            self.server_gone = true;
            return Ok(None);
        }
        // SAFETY: an open, started stream. Stopping one whose callback
        // already completed is allowed and returns at once.
        let e = unsafe {
            if drain {
                ffi::Pa_StopStream(self.stream)
            } else {
                ffi::Pa_AbortStream(self.stream)
            }
        };
        self.started = false;
        self.shared.running.store(false, Ordering::Release);
        // SAFETY: after Pa_StopStream/Pa_AbortStream no callback runs.
        let cb = unsafe { (*self.shared.callback.get()).take() };
        // -9983 is paStreamIsStopped: the stream had already stopped itself.
        if e != ffi::paNoError && e != -9983 {
            return Err(DeviceError::Backend(format!(
                "stopping the stream failed: {}",
                error_text(e)
            )));
        }
        Ok(cb)
    }

    fn latency(&self) -> (f64, f64) {
        // SAFETY: an open stream; the info is read at once.
        match unsafe { ffi::Pa_GetStreamInfo(self.stream).as_ref() } {
            Some(i) => (i.inputLatency, i.outputLatency),
            None => (0.0, 0.0),
        }
    }

    fn cpu_load(&self) -> f64 {
        // SAFETY: an open stream.
        unsafe { ffi::Pa_GetStreamCpuLoad(self.stream) }
    }

    fn time(&self) -> f64 {
        // SAFETY: an open stream.
        unsafe { ffi::Pa_GetStreamTime(self.stream) }
    }

    fn look_again(&self) -> Option<Duration> {
        let (_, since) = self.watch.get();
        Some(
            self.silence_limit
                .saturating_sub(since.elapsed())
                .saturating_add(Duration::from_millis(1)),
        )
    }

    fn abandon(&mut self) {
        // Left alone like a lost stream: Pa_StopStream on a stalled JACK
        // server blocks until the server resumes.
        self.lost.set(true);
        self.abandoned = true;
    }

    fn take_error(&mut self) -> Option<HostError> {
        if self.abandoned && !self.lost_reported {
            self.lost_reported = true;
            return Some(HostError::device_lost(
                "the audio device stopped calling back while the stream was being stopped (a stalled device or server); it was left running",
            ));
        }
        if self.server_gone && !self.lost_reported {
            self.lost_reported = true;
            return Some(HostError::device_lost("the JACK server quit"));
        }
        if self.lost.get() && !self.lost_reported {
            self.lost_reported = true;
            return Some(HostError::device_lost(format!(
                "the audio device stopped delivering audio for {:.0} s: it was disconnected, or its server quit",
                self.silence_limit.as_secs_f64()
            )));
        }
        self.shared
            .panicked
            .swap(false, Ordering::AcqRel)
            .then(HostError::callback_panicked)
    }
}

impl Drop for PaHostStream {
    fn drop(&mut self) {
        if self.lost.get() || self.server_gone {
            // Left open on purpose (see the type's docs): `shared` is never
            // dropped, and the stream stays counted as open.
            return;
        }
        let _ = self.stop(false);
        if self.server_gone {
            return;
        }
        if self.jack && !jack::server_alive() {
            // The server quit while the stream was idle: PortAudio's JACK
            // host would assert on closing it.
            return;
        }
        {
            let _g = lock();
            // SAFETY: an open stream, stopped; closed once.
            unsafe { ffi::Pa_CloseStream(self.stream) };
        }
        OPEN_STREAMS.fetch_sub(1, Ordering::AcqRel);
        // SAFETY: dropped once, here, after the stream is closed, when no
        // callback can run any more; not used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.shared) };
    }
}
