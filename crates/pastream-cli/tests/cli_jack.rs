//! The `pastream` binary on a real JACK server: files and pipes through
//! PortAudio's JACK host and back, bit for bit. The harness starts its own
//! server (see `pastream_testkit::jackd`).

mod support;

use pastream_testkit::jackd;

use std::process::{Command, ExitCode, Stdio};

use pastream::SampleFormat;
use pastream::io::soundfile::{FileOptions, Target};
use support::*;

const DEVICE: &str = "loopback jack";

fn jack() -> Command {
    pastream("")
}

fn main() -> ExitCode {
    if !jackd::is_child() {
        return jackd::with_server();
    }
    let tests: &[(&str, fn())] = &[
        ("float_wav_round_trip", || {
            file_round_trip(jack, DEVICE, "WAV", "FLOAT", "wav")
        }),
        ("wav_16_round_trip", || {
            file_round_trip(jack, DEVICE, "WAV", "PCM_16", "wav")
        }),
        ("wav_24_round_trip", || {
            file_round_trip(jack, DEVICE, "WAV", "PCM_24", "wav")
        }),
        ("flac_round_trip", || {
            file_round_trip(jack, DEVICE, "FLAC", "PCM_16", "flac")
        }),
        ("au_round_trip", || {
            file_round_trip(jack, DEVICE, "AU", "PCM_16", "au")
        }),
        ("stdin_to_stdout_with_au", stdin_to_stdout_with_au),
        ("record_only_and_play_only", record_only_and_play_only),
        ("two_devices_in_one_stream", two_devices_in_one_stream),
        (
            "server_that_quits_ends_the_run_cleanly",
            server_that_quits_ends_the_run_cleanly,
        ),
        ("each_signal_stops_and_keeps_every_frame", || {
            for signal in ["INT", "TERM", "HUP", "QUIT"] {
                faults::a_signal_stops_and_keeps_every_frame(jack, DEVICE, signal);
            }
        }),
        ("ctrl_c_ends_the_run_when_stdout_is_never_read", || {
            faults::ctrl_c_when_stdout_is_never_read(&mut jack(), DEVICE)
        }),
        ("ctrl_c_ends_the_run_when_the_playback_pipe_stalls", || {
            faults::ctrl_c_when_the_playback_pipe_stalls(&mut jack(), DEVICE)
        }),
        ("a_second_ctrl_c_ends_a_slow_drain_at_once", || {
            faults::a_second_ctrl_c_ends_a_slow_drain(&mut jack(), DEVICE)
        }),
        ("a_full_ring_then_a_stuck_reader_exits_1", || {
            faults::a_full_ring_then_a_stuck_reader_exits_1(&mut jack(), DEVICE)
        }),
        ("rotation_joins_into_the_recording", || {
            faults::rotation_joins_into_the_recording(jack, DEVICE)
        }),
        (
            "ctrl_c_ends_the_run_when_the_server_stalls",
            ctrl_c_ends_the_run_when_the_server_stalls,
        ),
        ("the_originals_rules", || {
            originals::originals_rules(jack, DEVICE)
        }),
        ("format_pairs", || originals::format_pairs(jack, DEVICE)),
        (
            "play_only_and_record_only_maps",
            play_only_and_record_only_maps,
        ),
        ("every_map_form_of_the_original", || {
            originals::every_map_form_of_the_original(jack, DEVICE)
        }),
    ];
    jackd::run_tests(
        "cli_jack",
        tests
            .iter()
            .map(|(n, f)| (*n, Box::new(*f) as jackd::Test))
            .collect(),
    )
}

fn stdin_to_stdout_with_au() {
    // blocksize 0: one period of delay.
    stdin_to_stdout_au(jack, DEVICE, jackd::PERIOD);
}

fn record_only_and_play_only() {
    let dir = scratch("jack-directions");
    let out = dir.join("rec.wav");
    let (code, _, err) = run(
        &mut jack(),
        &[
            "null",
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "4",
            "-d",
            "4800s",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (ch, _, rec) = read_file(
        &Target::Path(out),
        SampleFormat::F32,
        &FileOptions::default(),
    );
    assert_eq!((ch, rec.len()), (4, 4800 * 16));
    let input = dir.join("in.wav");
    write_file(
        &input,
        "WAV",
        "PCM_16",
        2,
        SampleFormat::I16,
        &signal(1, 4800, 2, SampleFormat::I16, 16),
    );
    let (code, _, err) = run(&mut jack(), &[input.to_str().unwrap(), "-D", DEVICE]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("4800 frames"), "{err}");
}

/// Starts a second JACK server of this test's own, named after `what`,
/// and `pastream` recording 16-bit stereo from it; returns once the file
/// grows. Returns the server's name, the server, the process and the file.
fn recording_from_a_server_of_its_own(
    what: &str,
) -> (
    String,
    jackd::Server,
    std::process::Child,
    std::path::PathBuf,
) {
    let dir = scratch(&format!("jack-{what}"));
    let out = dir.join("rec.wav");
    let name = format!("pastream-{what}-{}", std::process::id());
    let server = jackd::Server::start(&name).expect("a second JACK server starts");
    let child = jack()
        .args([
            "null",
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "2",
            "-f",
            "int16",
        ])
        .env("JACK_DEFAULT_SERVER", &name)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    faults::grows_past(&out, 100_000);
    (name, server, child, out)
}

/// A second server of this test's own quits while `pastream` records
/// from it: one line, exit status 1, and a finalized file that holds every
/// frame recorded before.
fn server_that_quits_ends_the_run_cleanly() {
    let (name, mut server, child, out) = recording_from_a_server_of_its_own("vanish");
    server.quit();
    let result = child.wait_with_output().unwrap();
    // The client that lost its server leaves its semaphore behind.
    jackd::remove_semaphores(&name);
    let err = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "pastream: the audio device stopped delivering audio for 2 s: it was disconnected, or its server quit"
    );
    let reported = reported_frames(&err);
    let (_, _, rec) = read_file(
        &Target::Path(out),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    assert!(reported > 0);
    assert_eq!(
        rec.len() / 4,
        reported,
        "every frame recorded is in the file"
    );
}

/// Playback on the JACK `system` device, recording from `loopback`: one
/// stream over two devices. Nothing plays into the loopback, so the
/// recording is silence, of the right length, on every input of the
/// loopback device.
fn two_devices_in_one_stream() {
    let dir = scratch("jack-two");
    let input = dir.join("in.wav");
    write_file(
        &input,
        "WAV",
        "PCM_16",
        2,
        SampleFormat::I16,
        &signal(1, 9600, 2, SampleFormat::I16, 16),
    );
    let out = dir.join("out.wav");
    let (code, _, err) = run(
        &mut jack(),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            "system jack,loopback jack",
            "-p",
            "1Ks",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("-- loopback (in) + system (out), JACK Audio Connection Kit"),
        "{err}"
    );
    let (ch, _, rec) = read_file(
        &Target::Path(out),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    // Every input of the recording device, as the original records.
    assert_eq!((ch, rec.len() / (2 * ch)), (jackd::PORTS, 9600 + 1024));
    assert!(rec.iter().all(|&b| b == 0));
}

/// A second server of this test's own stops (SIGSTOP) while `pastream`
/// records from it: Ctrl-C still ends the run within the bound, with the
/// stalled device named and the file finalized with every frame it was
/// given.
fn ctrl_c_ends_the_run_when_the_server_stalls() {
    let (name, mut server, child, out) = recording_from_a_server_of_its_own("stall");
    let pid = server.pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    faults::send(&child, "INT");
    let result = faults::exits_within(child, faults::EXIT_BOUND);
    let _ = Command::new("kill").args(["-CONT", &pid]).status();
    server.quit();
    jackd::remove_semaphores(&name);
    let (code, err, _) = result;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.lines().last().unwrap_or_default().starts_with(
            "pastream: the audio device stopped calling back while the stream was being stopped"
        ),
        "{err}"
    );
    let held = err
        .lines()
        .find_map(|l| l.strip_prefix("recording: "))
        .and_then(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        .expect("the summary names the frames the file holds");
    let f = pastream::io::soundfile::SoundFile::open(&out).unwrap();
    assert_eq!(f.info().frames, Some(held));
    assert!(held > 0);
}

/// Play-only and record-only maps, the original's way, in two processes
/// on one JACK server: a player maps the file's channels onto device
/// channels 3 and 4, a recorder maps those back, and the recording holds
/// the file's channels where the maps put them, channel by channel.
fn play_only_and_record_only_maps() {
    let dir = scratch("jack-maps-apart");
    let data = signal(41, 9600, 2, SampleFormat::I16, 16);
    let input = dir.join("in.wav");
    write_file(&input, "WAV", "PCM_16", 2, SampleFormat::I16, &data);
    // (player's map, recorder's map): both put file channel 2 first.
    for (play_map, rec_map) in [
        ("1:3,2:4", "4,3"),
        ("0,0,2,1", "3,4"),
        ("2:3,1:4", "3:1,4:2"),
    ] {
        let out = dir.join("rec.wav");
        let _ = std::fs::remove_file(&out);
        let recorder = jack()
            .args([
                "null",
                out.to_str().unwrap(),
                "-D",
                DEVICE,
                "-c",
                "4",
                "-f",
                "int16",
                "-m",
                rec_map,
                "-q",
            ])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        faults::grows_past(&out, 20_000);
        let (code, _, err) = run(
            &mut jack(),
            &[
                input.to_str().unwrap(),
                "null",
                "-D",
                DEVICE,
                "-m",
                play_map,
                "-q",
            ],
        );
        assert_eq!(code, 0, "{play_map}: {err}");
        faults::send(&recorder, "INT");
        let (code, err, _) = faults::exits_within(recorder, std::time::Duration::from_secs(5));
        assert_eq!(code, 0, "{rec_map}: {err}");
        let (ch, _, rec) = read_file(
            &Target::Path(out),
            SampleFormat::I16,
            &FileOptions::default(),
        );
        assert_eq!(ch, 2, "{rec_map}");
        let swapped = permute_i16(&data);
        let delay = find_preamble(&rec, SampleFormat::I16, 2).expect("the preamble came back");
        assert_samples_equal(
            &rec[delay * 4..(delay + 9600) * 4],
            &swapped,
            SampleFormat::I16,
            2,
        );
    }
}

/// Stereo 16-bit frames with their two channels swapped.
fn permute_i16(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(4)
        .flat_map(|f| [f[2], f[3], f[0], f[1]])
        .collect()
}
