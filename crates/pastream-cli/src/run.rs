//! Running a plan: open the files and the stream, run until done or
//! stopped, show the status, and report.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration as Wait, Instant};

use pastream::host::{self, DeviceError, DeviceSelector, Direction};
use pastream::io::file::file_source;
use pastream::io::levels::Levels;
use pastream::io::sink::{FileSink, Rotate, SinkReport};
use pastream::io::soundfile::{FileError, FileOptions, SoundFile, Target};
use pastream::units::hms;
use pastream::{
    ChannelMap, Clock, DuplexStream, InputStream, OutputStream, Prebuffer, SampleFormat, Sink,
    Source, StatusFlags, Stream, StreamConfig, StreamError, Transfer, VirtualOptions,
};

use crate::Outcome;
use crate::args::{Cli, Plan, RotateEvery, is_null};

/// The three kinds of stream, behind one face.
enum AnyStream {
    Duplex(DuplexStream),
    Output(OutputStream),
    Input(InputStream),
}

impl AnyStream {
    fn stream(&mut self) -> &mut Stream {
        match self {
            AnyStream::Duplex(s) => s,
            AnyStream::Output(s) => s,
            AnyStream::Input(s) => s,
        }
    }

    fn set_source(&mut self, source: Source) -> Result<(), StreamError> {
        match self {
            AnyStream::Duplex(s) => s.set_source(Some(source)),
            AnyStream::Output(s) => s.set_source(Some(source)),
            AnyStream::Input(_) => Ok(()),
        }
    }

    fn set_sink(&mut self, sink: Sink) -> Result<(), StreamError> {
        match self {
            AnyStream::Duplex(s) => s.set_sink(Some(sink)),
            AnyStream::Input(s) => s.set_sink(Some(sink)),
            AnyStream::Output(_) => Ok(()),
        }
    }

    fn set_maps(
        &mut self,
        tx: Option<ChannelMap>,
        rx: Option<ChannelMap>,
    ) -> Result<(), StreamError> {
        match self {
            AnyStream::Duplex(s) => {
                s.set_tx_map(tx)?;
                s.set_rx_map(rx)
            }
            AnyStream::Output(s) => s.set_tx_map(tx),
            AnyStream::Input(s) => s.set_rx_map(rx),
        }
    }
}

fn bad(e: impl ToString) -> Outcome {
    Outcome::BadInput(e.to_string())
}

/// Whether `sig` was ignored when the program started (Linux's SigIgn in
/// /proc/self/status; elsewhere, not known, so not).
fn ignored_from_the_start(sig: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| sig >= 1 && mask >> (sig - 1) & 1 == 1)
}

/// Whether two paths name one existing file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The memory the system can give without swapping (Linux's MemAvailable),
/// if it says.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A file error in the library's words, with the option that helps.
fn file_error(e: &FileError) -> Outcome {
    bad(format!("{e}{}", file_hint(e)))
}

/// The options that help with a file error.
fn file_hint(e: &FileError) -> &'static str {
    match e {
        FileError::RawNeeds { .. } => " (-r rate, -c channels, -e encoding)",
        FileError::PipeWrite { .. } | FileError::PipeRead { .. } => " (-t au)",
        FileError::UnknownType(_) => "; give one with -t (e.g. -t wav)",
        FileError::NoEncoding { .. } => " (give one with -e)",
        FileError::Full { .. } => {
            " (-t w64 and -t caf have no such limit; or start new files with --rotate)"
        }
        _ => "",
    }
}

/// A device error in the library's words, with the option that helps.
fn device_error(e: &DeviceError) -> String {
    match e {
        DeviceError::NoSuchIndex { .. } => format!("--device: {e}; list them with -l"),
        _ => format!("--device: {e}"),
    }
}

/// Runs the command line.
pub fn run(cli: &Cli) -> Outcome {
    if cli.version {
        return print_stdout(format!(
            "pastream {} ({}, {})\n",
            env!("CARGO_PKG_VERSION"),
            host::portaudio::version().unwrap_or_else(|| "no PortAudio".into()),
            pastream::io::soundfile::version()
        ));
    }
    if cli.list {
        return print_stdout(host::query_devices().to_string());
    }
    if cli.man {
        let mut page = Vec::new();
        if let Err(e) =
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut page)
        {
            return Outcome::Failed(e.to_string());
        }
        return print_stdout(String::from_utf8_lossy(&page).into_owned());
    }
    if let Some(shell) = cli.completions {
        let mut script = Vec::new();
        clap_complete::generate(
            shell,
            &mut <Cli as clap::CommandFactory>::command(),
            "pastream",
            &mut script,
        );
        return print_stdout(String::from_utf8_lossy(&script).into_owned());
    }
    match cli.plan() {
        Ok(plan) => run_plan(&plan),
        Err(e) => Outcome::BadInput(e),
    }
}

/// Prints to standard output; a closed pipe is not an error.
fn print_stdout(text: String) -> Outcome {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Outcome::Failed(e.to_string()),
        _ => Outcome::Done,
    }
}

/// The devices: one query for both directions, or a pair
/// `playback,recording` (the device text may itself hold a comma, as in
/// "loopback, Virtual": the whole text is tried first).
type Devices = (Option<DeviceSelector>, Option<DeviceSelector>);

fn devices(plan: &Plan, direction: Direction) -> Result<Devices, Outcome> {
    let Some(text) = plan.device.as_deref() else {
        return Ok((None, None));
    };
    let whole = DeviceSelector::from(text);
    match host::find_device(Some(&whole), direction) {
        Ok(_) => Ok((Some(whole), None)),
        Err(e) => {
            let Some((a, b)) = text.split_once(',') else {
                return Err(bad(device_error(&e)));
            };
            let pick = |t: &str, d| {
                let t = t.trim();
                if is_null(t) {
                    return Ok(None);
                }
                host::find_device(Some(&DeviceSelector::from(t)), d)
                    .map(|d| Some(DeviceSelector::Index(d.index)))
                    .map_err(|e| bad(device_error(&e)))
            };
            let playback = match direction {
                Direction::Input => None,
                _ => pick(a, Direction::Output)?,
            };
            let recording = match direction {
                Direction::Output => None,
                _ => pick(b, Direction::Input)?,
            };
            Ok(match direction {
                Direction::Input => (recording, None),
                Direction::Output => (playback, None),
                Direction::Duplex => (playback, recording),
            })
        }
    }
}

/// Settings of the virtual devices, from `PASTREAM_VIRTUAL`: a comma list
/// of `free` (the free-running clock, as fast as the files allow) and
/// `xrun@N` (report an output underflow with block N). For tests and
/// demonstrations; the default is the real-time clock.
fn virtual_options() -> VirtualOptions {
    let mut o = VirtualOptions::default();
    for part in std::env::var("PASTREAM_VIRTUAL")
        .unwrap_or_default()
        .split(',')
    {
        if part == "free" {
            o.clock = Clock::FreeRunning;
        } else if let Some(n) = part.strip_prefix("xrun@").and_then(|n| n.parse().ok()) {
            o.xruns.push((n, StatusFlags::OUTPUT_UNDERFLOW));
        }
    }
    o
}

fn run_plan(plan: &Plan) -> Outcome {
    let direction = match (&plan.input, &plan.output) {
        (Some(_), Some(_)) => Direction::Duplex,
        (Some(_), None) => Direction::Output,
        _ => Direction::Input,
    };

    // The playback file decides the rate, channels and format unless told.
    // One -t/-e/--endian for both files is for the recording when the
    // playback file says what it is in its header.
    let input = match &plan.input {
        None => None,
        Some(t) => {
            let told = FileOptions {
                file_type: plan.file_type.playback,
                encoding: plan.encoding.playback,
                endian: plan.endian.playback.unwrap_or_default(),
                samplerate: plan.rate.map(|r| r.round() as u32),
                channels: plan.channels.playback,
                format: None,
            };
            let single = plan.file_type.single || plan.encoding.single || plan.endian.single;
            let by_header = match t {
                Target::Path(p) if single => SoundFile::open(p).ok(),
                _ => None,
            };
            match by_header.map_or_else(|| SoundFile::open_with(t, &told), Ok) {
                Ok(f) => Some(f),
                Err(e) => return file_error(&e),
            }
        }
    };
    if let Some(f) = &input {
        let info = f.info();
        let raw = info.file_type.is_some_and(|t| t.name() == "RAW");
        if let Some(r) = plan
            .rate
            .filter(|r| !raw && (r - f64::from(info.samplerate)).abs() >= 0.5)
        {
            return bad(format!(
                "--rate: {r} Hz, but '{}' is {} Hz; resample it first, or leave -r out",
                f.target(),
                info.samplerate
            ));
        }
        if plan.looping && !info.seekable {
            return bad(format!(
                "--loop: '{}' is a pipe, which cannot be played twice; give the file itself",
                f.target()
            ));
        }
    }
    if let (Some(Target::Path(i)), Some(Target::Path(o))) = (&plan.input, &plan.output) {
        if same_file(i, o) {
            return bad(format!(
                "'{}' is both the playback and the recording: recording would destroy what is played",
                o.display()
            ));
        }
    }
    let file_channels = input.as_ref().map(|f| f.info().channels);
    let playback_frames = input.as_ref().and_then(|f| f.info().frames);
    let format = plan
        .format
        .playback
        .or_else(|| {
            input
                .as_ref()
                .and_then(|f| f.info().encoding?.sample_format())
        })
        .unwrap_or(SampleFormat::F32);
    // The recording's format: its own, else the playback's.
    let in_format = plan.format.recording.unwrap_or(format);
    let rate = plan
        .rate
        .or_else(|| input.as_ref().map(|f| f64::from(f.info().samplerate)));

    let selected = plan.channel_select.as_ref();
    let select_max = selected.map(|s| s.iter().copied().max().unwrap_or(1));
    // Device outputs: told, or one per entry of the playback map, or one
    // per channel of the file.
    let out_ch = select_max
        .or(plan.channels.playback)
        .or(plan.tx_map.as_ref().map(|m| m.entries().len()))
        .or(file_channels);

    let (device, input_device) = match devices(plan, direction) {
        Ok(d) => d,
        Err(o) => return o,
    };
    // Device inputs: told, or every input of the device, as the original
    // records (python-sounddevice's default).
    let in_ch = match select_max.or(plan.channels.recording) {
        Some(n) => Some(n),
        None if direction == Direction::Output => None,
        None => {
            let sel = match direction {
                Direction::Duplex => input_device.as_ref().or(device.as_ref()),
                _ => device.as_ref(),
            };
            host::find_device(sel, Direction::Input)
                .ok()
                .map(|d| d.max_input_channels)
        }
    };
    let mut config = StreamConfig::new()
        .format(format)
        .input_format(in_format)
        .blocksize(plan.blocksize)
        .host_option(virtual_options());
    if let Some(d) = device {
        config = config.device(d);
    }
    if let Some(d) = input_device {
        config = config.input_device(d);
    }
    if let Some(r) = rate {
        config = config.samplerate(r);
    }
    if let Some(c) = out_ch {
        config = config.output_channels(c);
    }
    if let Some(c) = in_ch {
        config = config.input_channels(c);
    }
    let opened = match direction {
        Direction::Duplex => DuplexStream::open(&config).map(AnyStream::Duplex),
        Direction::Output => OutputStream::open(&config).map(AnyStream::Output),
        Direction::Input => InputStream::open(&config).map(AnyStream::Input),
    };
    let mut stream = match opened {
        Ok(s) => s,
        Err(e) => return bad(e),
    };
    // The virtual device is there to be asked for, never a default.
    if plan.device.is_none() && stream.stream().device().is_virtual() {
        return bad(
            "no audio device found; for the built-in virtual loopback device give -D \"loopback, Virtual\"",
        );
    }

    // Data channels and their routing to device channels.
    let (dev_in, dev_out) = stream.stream().channels();
    let (mut cap_ch, mut play_ch) = (dev_in, dev_out);
    let (mut tx_map, mut rx_map) = (plan.tx_map.clone(), plan.rx_map.clone());
    if let Some(sel) = selected {
        cap_ch = if dev_in > 0 { sel.len() } else { 0 };
        play_ch = if dev_out > 0 { sel.len() } else { 0 };
        tx_map = Some(ChannelMap::placing(sel));
        rx_map = Some(ChannelMap::new(sel.clone()));
    }
    // Recorded channels: one per entry of the recording map.
    if let Some(m) = rx_map.as_ref().filter(|_| selected.is_none() && dev_in > 0) {
        cap_ch = m.entries().len();
    }
    if let Some(fc) = file_channels {
        if selected.is_some() && fc != play_ch {
            return bad(format!(
                "the playback file has {fc} channels, but --channel-select picks {play_ch}"
            ));
        }
        if tx_map.is_none() && fc > play_ch {
            return bad(format!(
                "the playback file has {fc} channels, but the stream plays {play_ch}; choose which with --map"
            ));
        }
        play_ch = fc;
    }
    if (cap_ch, play_ch) != (dev_in, dev_out) {
        if let Err(e) = stream.stream().set_data_channels(cap_ch, play_ch) {
            return bad(e);
        }
    }
    if let Err(e) = stream.set_maps(tx_map, rx_map) {
        return bad(e);
    }

    let rate = stream.stream().samplerate();
    // The rings are allocated when the file workers are set up, after the
    // recording file exists: their size is checked before it does.
    let ring_frames = plan
        .buffersize
        .unwrap_or(pastream::io::file::DEFAULT_FILE_BUFFER);
    let (cap_fs, play_fs) = (in_format.frame_size(cap_ch), format.frame_size(play_ch));
    let ring_bytes = [(plan.output.is_some(), cap_fs), (input.is_some(), play_fs)]
        .iter()
        .filter(|(used, _)| *used)
        .try_fold(0usize, |sum, (_, fs)| {
            ring_frames.checked_mul(*fs)?.checked_add(sum)
        });
    // At most half the memory available: the rest of the system, and this
    // program, need some too.
    if let Some(available) = available_memory() {
        if ring_bytes.is_none_or(|b| b as u64 > available / 2) {
            return bad(format!(
                "--buffersize: rings of {ring_frames} frames need {} MiB, more than half the {} MiB of memory available",
                ring_bytes.map_or("too many".to_owned(), |b| (b >> 20).to_string()),
                available >> 20
            ));
        }
    }
    let levels = Levels::new(if cap_ch > 0 { cap_ch } else { play_ch });
    let output = match &plan.output {
        None => None,
        Some(t) => {
            let options = FileOptions {
                file_type: plan.file_type.recording,
                encoding: plan.encoding.recording,
                endian: plan.endian.recording.unwrap_or_default(),
                samplerate: Some(rate.round() as u32),
                channels: Some(cap_ch),
                format: Some(in_format),
            };
            let sink = match (plan.rotate, t) {
                (Some(every), Target::Path(p)) => {
                    let every = match every {
                        RotateEvery::Duration(d) => Rotate::Frames(d.frames(rate).max(1) as u64),
                        RotateEvery::Bytes(b) => Rotate::Bytes(b),
                    };
                    FileSink::rotating(&p.to_string_lossy(), &options, every, in_format)
                }
                _ => SoundFile::create(t, &options).map(|f| FileSink::new(f, in_format)),
            };
            match sink {
                Ok(f) => Some(f),
                Err(e) => return file_error(&e),
            }
        }
    };
    let quiet = plan.quiet;
    if !quiet {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "<- {}",
            input.as_ref().map_or("null".into(), |f| f.to_string())
        );
        let _ = writeln!(
            err,
            "-> {}",
            output.as_ref().map_or("null".into(), |f| f.to_string())
        );
        let s = stream.stream();
        let (d, di) = (s.device(), s.input_device());
        let name = if d.index == di.index {
            format!("{}, {}", d.name, d.hostapi_name)
        } else {
            format!("{} (in) + {} (out), {}", di.name, d.name, d.hostapi_name)
        };
        let _ = writeln!(
            err,
            "-- {}: {} Hz, {} in / {} out, {}, blocksize {}",
            name,
            s.samplerate(),
            s.channels().0,
            s.channels().1,
            match s.formats() {
                (i, o) if i == o || s.channels().0 == 0 => o.to_string(),
                (i, _) if s.channels().1 == 0 => i.to_string(),
                (i, o) => format!("{o} out, {i} in"),
            },
            if s.blocksize() == 0 {
                "chosen by the host".into()
            } else {
                s.blocksize().to_string()
            }
        );
    }
    // Levels cost time in the file threads: only kept for the status line.
    let metering = !quiet && std::io::stderr().is_terminal();
    let meter_recording = output.is_some();
    if let Some(f) = input {
        let lv = (metering && !meter_recording).then(|| levels.clone());
        if let Err(e) = stream.set_source(file_source(f, format, plan.buffersize, lv)) {
            return bad(e);
        }
    }
    let report = output.as_ref().map(FileSink::report);
    if let Some(f) = output {
        let sink = f
            .buffer_frames(plan.buffersize)
            .levels(metering.then(|| levels.clone()));
        if let Err(e) = stream.set_sink(sink.into()) {
            return bad(e);
        }
    }
    let s = stream.stream();
    let (frames, pad) = (plan.duration.frames(rate), plan.pad.frames(rate));
    // Recording only, the pad lengthens the recording, as the original's.
    let frames = if plan.input.is_none() && frames >= 0 && pad > 0 {
        frames + pad
    } else {
        frames
    };
    s.set_frames(frames);
    s.set_pad(pad);
    // The run's length, when known: for the time left on the status line.
    let total = Transfer::new()
        .frames(frames)
        .pad(pad)
        .looping(plan.looping)
        .run_length(plan.input.is_some(), playback_frames);
    s.set_offset(plan.offset.frames(rate).max(0) as u64);
    s.set_stop_on_xrun(plan.fatal_xruns);
    if let AnyStream::Duplex(d) = &mut stream {
        d.set_looping(plan.looping);
    } else if let AnyStream::Output(o) = &mut stream {
        o.set_looping(plan.looping);
    }
    supervise(stream.stream(), plan, &levels, rate, total, report.as_ref())
}

/// Watches for SIGINT, SIGTERM, SIGHUP and SIGQUIT on a thread of its own
/// and counts them: the first stops the run (the recording drains and is
/// finalized), the second hurries it (the workers end now, the file is
/// finalized with what it holds), the third ends the process at once. A
/// signal ignored by whoever started us (a background job, nohup) stays
/// ignored, as Unix tools do.
fn watch_signals(s: &Stream) -> Result<Arc<AtomicUsize>, String> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let watched: Vec<i32> = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
        .into_iter()
        .filter(|&sig| !ignored_from_the_start(sig))
        .collect();
    let count = Arc::new(AtomicUsize::new(0));
    let mut signals = signal_hook::iterator::Signals::new(&watched)
        .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
    let handle = s.stop_handle();
    let seen = count.clone();
    std::thread::Builder::new()
        .name("pastream-signals".into())
        .spawn(move || {
            for _ in signals.forever() {
                match seen.fetch_add(1, Ordering::AcqRel) + 1 {
                    1 => handle.stop(),
                    2 => handle.hurry(),
                    _ => {
                        let _ = writeln!(
                            std::io::stderr(),
                            "pastream: ended at once by a third signal"
                        );
                        std::process::exit(130);
                    }
                }
            }
        })
        .map_err(|e| format!("cannot watch for Ctrl-C: {e}"))?;
    Ok(count)
}

/// Starts the stream and watches it until it ends, is stopped by a signal,
/// or (with --fatal-xruns) meets an xrun.
fn supervise(
    s: &mut Stream,
    plan: &Plan,
    levels: &Levels,
    rate: f64,
    total: Option<u64>,
    report: Option<&SinkReport>,
) -> Outcome {
    let signals = match watch_signals(s) {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    let prebuffer = Prebuffer::Frames(
        plan.buffersize
            .unwrap_or(pastream::io::file::DEFAULT_FILE_BUFFER)
            / 2,
    );
    let mut result = s.start_with(prebuffer);
    let show = !plan.quiet && std::io::stderr().is_terminal();
    let mut last_status = Instant::now();
    while result.is_ok() {
        match s.wait(Some(Wait::from_millis(100))) {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                result = Err(e);
                break;
            }
        }
        // A signal that came before the stream started is seen here.
        if signals.load(Ordering::Acquire) > 0 {
            result = s.stop();
            break;
        }
        if show && last_status.elapsed() >= Wait::from_millis(200) {
            last_status = Instant::now();
            status_line(s, levels, rate, total);
        }
    }
    let stopped = signals.load(Ordering::Acquire);
    if show {
        eprint!("\r\x1b[K");
    }
    let frames = s.frame_count();
    let x = s.xruns();
    if !plan.quiet {
        let mut line = format!(
            "{} frames ({}){}; xruns: {} (input underflow {}, input overflow {}, output underflow {}, output overflow {})",
            frames,
            hms(frames as f64 / rate),
            match stopped {
                0 => "",
                1 => ", stopped",
                _ => ", stopped in a hurry",
            },
            x.total,
            x.input_underflows,
            x.input_overflows,
            x.output_underflows,
            x.output_overflows,
        );
        if s.channels().1 > 0 {
            line.push_str(&format!("; playback underruns: {}", x.source_underruns));
        }
        let log = s.xrun_log();
        if !log.is_empty() {
            let first: Vec<String> = log
                .iter()
                .take(5)
                .map(|e| format!("{e} ({})", hms(e.frame as f64 / rate)))
                .collect();
            line.push_str(&format!("; first: {}", first.join(", ")));
        }
        eprintln!("{line}");
        if let Some(r) = report {
            let files = r.files();
            let held = r.frames();
            eprintln!(
                "recording: {held} frames ({}) in {}",
                hms(held as f64 / rate),
                match files.as_slice() {
                    [one] => one.clone(),
                    many => format!(
                        "{} files, {} to {}",
                        many.len(),
                        many[0],
                        many[many.len() - 1]
                    ),
                }
            );
        }
    }
    match result {
        Ok(()) => Outcome::Done,
        Err(e @ StreamError::Xrun { .. }) => Outcome::Xrun(format!(
            "{e} (--fatal-xruns); the recording keeps every frame up to there"
        )),
        Err(e) if e.is_broken_pipe() => Outcome::Done,
        Err(StreamError::File(e @ FileError::Full { .. })) => {
            Outcome::Failed(format!("{e}{}", file_hint(&e)))
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// One status line on standard error: the time from the frame position
/// (and the time left when the length is known), xruns, clipped samples,
/// load, and the peak level of each channel since the last line, fitted
/// to the terminal's width.
fn status_line(s: &Stream, levels: &Levels, rate: f64, total: Option<u64>) {
    let width = terminal_size::terminal_size().map_or(80, |(w, _)| usize::from(w.0));
    let frames = s.frame_count();
    let x = s.xruns();
    let left = total.map_or(String::new(), |t| {
        format!(" -{}", hms(t.saturating_sub(frames) as f64 / rate))
    });
    let head = format!(
        "  {}{left}  xruns {}  clip {}  load {:4.1}%",
        hms(frames as f64 / rate),
        x.total + x.source_underruns,
        levels.clips(),
        100.0 * s.cpu_load(),
    );
    let line = head.clone() + &meters(&levels.take(), width.saturating_sub(head.len() + 1));
    let _ = write!(std::io::stderr(), "\r\x1b[K{line}");
    let _ = std::io::stderr().flush();
}

/// The peaks as meters in at most `room` characters: the level of each
/// channel in dBFS when they fit, else one shade per channel (from blank,
/// -60 dB and below, to '@', full scale), else as many as fit and the
/// count of the others.
pub fn meters(peaks: &[f32], room: usize) -> String {
    let db = |p: f32| {
        let d = 20.0 * f64::from(p).log10();
        // No "-0.0": what rounds to full scale is full scale.
        if d > -0.05 { 0.0 } else { d }
    };
    let numbers: String = peaks
        .iter()
        .map(|&p| match db(p) {
            d if d < -99.0 => "  -inf".to_owned(),
            d => format!(" {d:5.1}"),
        })
        .collect();
    if numbers.len() + 5 <= room {
        return format!(" dBFS{numbers}");
    }
    const SHADES: &[u8] = b" .:-=+*#%@";
    let shade = |p: f32| {
        let k = ((db(p) + 60.0) / 60.0 * (SHADES.len() - 1) as f64).round();
        SHADES[k.clamp(0.0, (SHADES.len() - 1) as f64) as usize] as char
    };
    let fit = room.saturating_sub(3);
    if peaks.len() <= fit {
        return format!(" |{}|", peaks.iter().map(|&p| shade(p)).collect::<String>());
    }
    let extra = format!(" +{}", peaks.len());
    let n = fit.saturating_sub(extra.len());
    format!(
        " |{}| +{}",
        peaks[..n].iter().map(|&p| shade(p)).collect::<String>(),
        peaks.len() - n
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meters_fit_the_room_they_have() {
        let peaks = [1.0, 0.5, 0.0, 0.99999];
        assert_eq!(meters(&peaks, 80), " dBFS   0.0  -6.0  -inf   0.0");
        assert_eq!(meters(&peaks, 10), " |@% @|");
        let many = vec![0.5f32; 128];
        for room in [10, 30, 79] {
            assert!(
                meters(&many, room).len() <= room,
                "{room}: {}",
                meters(&many, room)
            );
        }
        // The channels shown and the count of the others make all 128.
        let m = meters(&many, 30);
        let (bars, rest) = m.rsplit_once(" +").unwrap();
        assert_eq!(
            bars.matches('%').count() + rest.parse::<usize>().unwrap(),
            128,
            "{m}"
        );
    }
}
