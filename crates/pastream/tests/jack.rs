//! The loopback suite through PortAudio on a real JACK server.
//!
//! This binary runs its own harness: it starts a JACK server with the
//! dummy driver and 32 loopback ports under a name of its own
//! (`jackd -n NAME -S -L 32 -d dummy -r 48000 -p 256`; `-S`, synchronous
//! mode, keeps late cycles from corrupting blocks), runs itself again as a
//! child with `JACK_DEFAULT_SERVER=NAME` so that PortAudio connects to that
//! server, then stops exactly the server it started. Without jackd the
//! tests fail and say how to install it.
//!
//! Arguments that do not start with `-` select tests by substring.

mod common;

use common::jackd::{self, JACK_API, PERIOD, PORTS};

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use assert_no_alloc::AllocDisabler;
use common::*;
use pastream::host::{self, DeviceError, DeviceSelector, Direction};
use pastream::{DuplexStream, SampleFormat, Source, StreamConfig, StreamError, Transfer};

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

fn main() -> ExitCode {
    if jackd::is_child() {
        run_tests()
    } else {
        jackd::with_server()
    }
}

fn jack_config(channels: usize, format: SampleFormat, blocksize: usize) -> StreamConfig {
    StreamConfig::new()
        .device("loopback jack")
        .channels(channels)
        .format(format)
        .blocksize(blocksize)
        .samplerate(48000.0)
        .callback_guard(no_alloc_guard)
}

/// The JACK loopback: what is played comes back one period later, plus the
/// stream's block (PortAudio buffers one block when it differs from the
/// period).
const JACK: Rig = Rig {
    config: jack_config,
    realtime: jack_config,
    delay: |bs| PERIOD + bs,
    channels: PORTS,
    int32_bits: 24,
    // PortAudio's JACK host stamps a block with the time its callback
    // runs (jitter up to a few frames), and JACK's clock wanders against
    // its frames (about 30 ppm, and up to 3 frames off a straight line
    // over seconds, on the dummy driver); the smoothed clock lands within
    // 3 frames in the runs measured.
    clock_tolerance: 8.0,
};

fn run_tests() -> ExitCode {
    let mut tests: Vec<(&str, jackd::Test)> = vec![
        (
            "device_list_shows_jack_and_virtual_devices",
            Box::new(device_list),
        ),
        ("device_selection", Box::new(device_selection)),
        (
            "round_trip_latency_is_period_plus_blocksize",
            Box::new(round_trip_latency),
        ),
        (
            "stalled_callback_is_counted_as_xrun",
            Box::new(stalled_callback_xrun),
        ),
        (
            "complete_plays_the_last_block_and_abort_does_not",
            Box::new(complete_and_abort_heard),
        ),
    ];
    for (name, f) in common::suite::ALL {
        tests.push((name, Box::new(move || f(&JACK))));
    }
    jackd::run_tests("jack", tests)
}

fn device_list() {
    let list = host::query_devices();
    println!("\n{list}");
    let jack = list
        .iter()
        .find(|d| d.hostapi_name == JACK_API && d.name == "loopback")
        .expect("the JACK loopback device is listed");
    assert_eq!(
        (jack.max_input_channels, jack.max_output_channels),
        (PORTS, PORTS)
    );
    assert_eq!(jack.default_samplerate, 48000.0);
    let virtuals: Vec<_> = list
        .iter()
        .filter(|d| d.is_virtual())
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(
        virtuals,
        [
            "loopback",
            "loopback (input only)",
            "loopback (output only)"
        ]
    );
    let apis = host::query_hostapis();
    assert!(
        apis.iter()
            .any(|a| a.name == JACK_API && a.devices.contains(&jack.index))
    );
    assert!(apis.iter().any(|a| a.name == "Virtual"));
}

fn device_selection() {
    let list = host::query_devices();
    let jack = list
        .iter()
        .find(|d| d.hostapi_name == JACK_API && d.name == "loopback")
        .unwrap();
    // By substring parts, in order, any case.
    let by_query = host::find_device(Some(&"LOOPBACK jack".into()), Direction::Duplex).unwrap();
    assert_eq!(by_query.index, jack.index);
    // By index, also as a string.
    let by_index =
        host::find_device(Some(&DeviceSelector::Index(jack.index)), Direction::Duplex).unwrap();
    assert_eq!(by_index, by_query);
    let by_text =
        host::find_device(Some(&jack.index.to_string().into()), Direction::Duplex).unwrap();
    assert_eq!(by_text.index, jack.index);
    // The virtual and the JACK loopback share their name.
    match host::find_device(Some(&"loopback".into()), Direction::Duplex) {
        Err(DeviceError::Ambiguous { candidates, .. }) => {
            assert_eq!(candidates.len(), 2, "{candidates:?}");
            assert!(candidates.iter().any(|c| c.ends_with("loopback, Virtual")));
            assert!(
                candidates
                    .iter()
                    .any(|c| c.ends_with(&format!("loopback, {JACK_API}")))
            );
        }
        other => panic!("expected an ambiguous match, got {other:?}"),
    }
    let e = host::find_device(Some(&"jack loopback".into()), Direction::Duplex).unwrap_err();
    assert_eq!(e.to_string(), "no duplex device matching 'jack loopback'");
    let e = host::find_device(Some(&DeviceSelector::Index(999)), Direction::Input).unwrap_err();
    assert!(matches!(e, DeviceError::NoSuchIndex { index: 999, .. }));
    // An output-only device cannot record.
    let e = host::find_device(Some(&"output only".into()), Direction::Input).unwrap_err();
    assert_eq!(e.to_string(), "no input device matching 'output only'");
    // Settings checked without opening a stream.
    let jl = DeviceSelector::from("loopback jack");
    host::check_input_settings(Some(&jl), 2, SampleFormat::I16, Some(48000.0)).unwrap();
    host::check_output_settings(Some(&jl), PORTS, SampleFormat::F32, None).unwrap();
    let e = host::check_input_settings(Some(&jl), 2, SampleFormat::F32, Some(44100.0)).unwrap_err();
    assert!(e.to_string().contains("Invalid sample rate"), "{e}");
    let e = host::check_output_settings(Some(&jl), PORTS + 1, SampleFormat::F32, None).unwrap_err();
    assert!(e.to_string().contains("the device has at most 32"), "{e}");
    // A stream on a device with too few channels fails clearly.
    let e = DuplexStream::open(&jack_config(PORTS + 1, SampleFormat::F32, 256)).unwrap_err();
    assert!(
        matches!(e, StreamError::Device(DeviceError::InvalidSetting { .. })),
        "{e}"
    );
}

fn round_trip_latency() {
    for bs in [0usize, 64, 128, 256, 1024] {
        let play = Signal::new(seed(), SampleFormat::F32, 2).take(4800);
        let mut s = DuplexStream::open(&jack_config(2, SampleFormat::F32, bs)).unwrap();
        let rec = s
            .playrec(
                Source::raw(play.clone()),
                &Transfer::new().pad(2048).blocking(true),
            )
            .unwrap()
            .unwrap()
            .into_raw();
        let delay = find_preamble(&rec, SampleFormat::F32, 2).expect("preamble");
        println!("\n  blocksize {bs:>4}: round trip {delay} frames");
        assert_eq!(delay, PERIOD + bs, "blocksize {bs}");
        assert_samples_equal(
            &rec[delay * 8..(delay + 4800) * 8],
            &play,
            SampleFormat::F32,
            2,
        );
        let (li, lo) = s.latency();
        assert!(
            li.is_finite() && li >= 0.0 && lo.is_finite() && lo >= 0.0,
            "{li} {lo}"
        );
    }
    assert_no_violations();
}

static CALLS: AtomicUsize = AtomicUsize::new(0);

/// Sleeps for 20 periods in the 50th callback: the JACK cycle misses its
/// deadline.
fn stall_once(f: &mut dyn FnMut()) {
    if CALLS.fetch_add(1, Ordering::Relaxed) == 50 {
        std::thread::sleep(Duration::from_millis(110));
    }
    f();
}

fn stalled_callback_xrun() {
    let cfg = StreamConfig::new()
        .device("loopback jack")
        .channels(2)
        .samplerate(48000.0)
        .blocksize(PERIOD)
        .callback_guard(stall_once);
    let mut s = DuplexStream::open(&cfg).unwrap();
    CALLS.store(0, Ordering::Relaxed);
    s.playrec(
        Source::raw(vec![0u8; 48000 * 8]),
        &Transfer::new().blocking(true),
    )
    .unwrap();
    let x = s.xruns();
    println!(
        "\n  xruns after a stalled callback: {x:?}, status {:?}",
        s.status()
    );
    assert!(CALLS.load(Ordering::Relaxed) > 50);
    assert!(x.total >= 1, "{x:?}");
}

/// A second stream records the loopback while a callback stream plays ten
/// blocks and ends with complete (all ten heard) or abort (the tenth
/// dropped).
fn complete_and_abort_heard() {
    use pastream::{CallbackResult, InputStream};
    for end in [CallbackResult::Complete, CallbackResult::Abort] {
        let mut listener = InputStream::open(&jack_config(1, SampleFormat::F32, 256)).unwrap();
        listener.record(&Transfer::new().frames(24000)).unwrap();
        let mut s =
            common::callbacks::ten_blocks_then(&jack_config(1, SampleFormat::F32, 256), end);
        s.start().unwrap();
        s.wait(None).unwrap();
        assert_eq!(s.aborted(), end == CallbackResult::Abort);
        listener.wait(None).unwrap();
        let heard = listener.take_recording().unwrap().into_raw();
        common::callbacks::check_heard(&common::callbacks::blocks_heard(&heard), end);
    }
}
