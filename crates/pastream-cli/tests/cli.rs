//! The `pastream` binary end to end on the virtual loopback device
//! (free-running, so that the tests take no longer than the files need).

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use pastream::SampleFormat;
use pastream::io::soundfile::{FileOptions, SoundFile, Target};
use support::*;

const DEVICE: &str = "loopback, Virtual";

fn free() -> Command {
    pastream("free")
}

#[test]
fn float_wav_round_trip() {
    file_round_trip(free, DEVICE, "WAV", "FLOAT", "wav");
}

#[test]
fn wav_16_round_trip() {
    file_round_trip(free, DEVICE, "WAV", "PCM_16", "wav");
}

#[test]
fn wav_24_round_trip() {
    file_round_trip(free, DEVICE, "WAV", "PCM_24", "wav");
}

#[test]
fn flac_round_trip() {
    file_round_trip(free, DEVICE, "FLAC", "PCM_24", "flac");
    file_round_trip(free, DEVICE, "FLAC", "PCM_16", "flac");
}

#[test]
fn au_round_trip() {
    file_round_trip(free, DEVICE, "AU", "PCM_16", "au");
}

#[test]
fn more_types_round_trip() {
    file_round_trip(free, DEVICE, "AIFF", "PCM_24", "aiff");
    file_round_trip(free, DEVICE, "W64", "PCM_32", "w64");
    file_round_trip(free, DEVICE, "CAF", "FLOAT", "caf");
    file_round_trip(free, DEVICE, "RF64", "PCM_16", "rf64");
}

/// Writes a 2-channel 16-bit WAV of the test signal and returns it.
fn input_wav(dir: &std::path::Path, frames: usize) -> (std::path::PathBuf, Vec<u8>) {
    let data = signal(3, frames, 2, SampleFormat::I16, 16);
    let p = dir.join("in.wav");
    write_file(&p, "WAV", "PCM_16", 2, SampleFormat::I16, &data);
    (p, data)
}

fn recorded(path: &std::path::Path) -> (usize, Vec<u8>) {
    let (ch, _, data) = read_file(
        &Target::Path(path.to_owned()),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    (ch, data)
}

#[test]
fn duration_offset_pad_and_blocksize_change_the_recording_exactly() {
    let dir = scratch("dop");
    let (input, data) = input_wav(&dir, 10_000);
    let out = dir.join("out.wav");
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    // The virtual loopback delays by one block: 256 frames with -b 256.
    let cases: &[(&[&str], usize, usize)] = &[
        // (options, recorded frames, first recorded frame of the input)
        (&["-b", "256"], 10_000, 0),
        (&["-b", "256", "-d", "4000s"], 4000, 0),
        (&["-b", "256", "-d", "0.05"], 2400, 0),
        (&["-b", "256", "-p", "1Ks"], 10_000 + 1024, 0),
        (&["-b", "256", "-p", "-d", "12000s"], 12_000, 0),
        (&["-b", "256", "-o", "300s"], 10_000 - 300, 300),
        (&["-b", "256", "-o", "300s", "-p", "300s"], 10_000, 300),
        (&["-b", "0", "-p", "512s"], 10_000 + 512, 0),
    ];
    for (opts, frames, from) in cases {
        let mut args = vec![i, o, "-D", DEVICE, "-c", "2", "-q"];
        args.extend_from_slice(opts);
        let (code, _, err) = run(&mut free(), &args);
        assert_eq!(code, 0, "{opts:?}: {err}");
        let (ch, rec) = recorded(&out);
        assert_eq!(ch, 2);
        assert_eq!(rec.len() / 4, *frames, "{opts:?}");
        let delay = if opts.contains(&"0") { 512 } else { 256 };
        // Recorded frame k is input frame k + from - delay.
        for k in 0..*frames {
            let src = (k + from) as i64 - delay as i64;
            let want: &[u8] = if src < 0 || src as usize >= 10_000 {
                &[0, 0, 0, 0]
            } else {
                &data[src as usize * 4..src as usize * 4 + 4]
            };
            assert_eq!(&rec[k * 4..k * 4 + 4], want, "{opts:?} frame {k}");
        }
    }
}

#[test]
fn loop_repeats_the_playback() {
    let dir = scratch("loop");
    let (input, data) = input_wav(&dir, 3000);
    let out = dir.join("out.wav");
    let (code, _, err) = run(
        &mut free(),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "2",
            "-b",
            "128",
            "--loop",
            "-d",
            "10000s",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, rec) = recorded(&out);
    assert_eq!(rec.len() / 4, 10_000);
    let want: Vec<u8> = data
        .iter()
        .copied()
        .cycle()
        .take((10_000 - 128) * 4)
        .collect();
    assert_eq!(&rec[128 * 4..], &want[..]);
}

#[test]
fn format_pairs() {
    originals::format_pairs(free, DEVICE);
}

#[test]
fn every_map_form_of_the_original() {
    originals::every_map_form_of_the_original(free, DEVICE);
}

#[test]
fn channel_select_uses_chosen_device_channels() {
    let dir = scratch("select");
    let (input, data) = input_wav(&dir, 2000);
    let out = dir.join("out.wav");
    let (code, _, err) = run(
        &mut free(),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-b",
            "64",
            "-p",
            "64s",
            "-s",
            "5,3",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("5 in / 5 out"), "{err}");
    let (ch, rec) = recorded(&out);
    assert_eq!(ch, 2);
    assert_eq!(&rec[64 * 4..], &data[..]);
}

#[test]
fn raw_files_with_byte_order() {
    let dir = scratch("raw");
    let (input, data) = input_wav(&dir, 1000);
    let out = dir.join("out.raw");
    let (code, _, err) = run(
        &mut free(),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "2",
            "-b",
            "100",
            "-p",
            "100s",
            "-t",
            "wav,raw",
            "-e",
            "null,pcm_16",
            "--endian",
            "null,big",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let raw = std::fs::read(&out).unwrap();
    assert_eq!(raw.len(), 1100 * 4);
    // Big-endian on disk: each sample's bytes swapped against the machine's.
    for (k, (r, d)) in raw[400..]
        .chunks_exact(2)
        .zip(data.chunks_exact(2))
        .enumerate()
    {
        let v = i16::from_ne_bytes([d[0], d[1]]).to_be_bytes();
        assert_eq!(r, v, "sample {k}");
    }
    // And it plays back with its settings given.
    let (code, _, err) = run(
        &mut free(),
        &[
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-t",
            "raw",
            "-e",
            "pcm_16",
            "-c",
            "2",
            "-r",
            "48k",
            "--endian",
            "big",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1100 frames ("), "{err}");
}

#[test]
fn record_only_and_play_only() {
    let dir = scratch("directions");
    let out = dir.join("rec.flac");
    let (code, _, err) = run(
        &mut free(),
        &[
            "null",
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "3",
            "-d",
            "1000s",
            "-r",
            "44.1k",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("-> '") && err.contains("1000 frames"), "{err}");
    let (ch, enc, rec) = read_file(
        &Target::Path(out),
        SampleFormat::F32,
        &FileOptions::default(),
    );
    assert_eq!((ch, enc.as_str(), rec.len()), (3, "PCM_24", 1000 * 12));
    assert!(
        rec.iter().all(|&b| b == 0),
        "a record-only loopback hears silence"
    );

    let (input, _) = input_wav(&dir, 5000);
    let (code, stdout, err) = run(&mut free(), &[input.to_str().unwrap(), "-D", DEVICE]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    assert!(err.contains("5000 frames (00:00:00.104)"), "{err}");
}

#[test]
fn int24_and_blocksize_zero_work() {
    let dir = scratch("int24");
    let data = signal(9, 8000, 2, SampleFormat::I24, 24);
    let input = dir.join("in.wav");
    write_file(&input, "WAV", "PCM_24", 2, SampleFormat::I24, &data);
    let out = dir.join("out.wav");
    let (code, _, err) = run(
        &mut free(),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "2",
            "-f",
            "int24",
            "-b",
            "0",
            "-p",
            "1Ks",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("int24, blocksize chosen by the host"), "{err}");
    let (_, enc, rec) = read_file(
        &Target::Path(out),
        SampleFormat::I24,
        &FileOptions::default(),
    );
    assert_eq!(enc, "PCM_24");
    let d = find_preamble(&rec, SampleFormat::I24, 2).unwrap();
    assert_samples_equal(&rec[d * 6..(d + 8000) * 6], &data, SampleFormat::I24, 2);
}

#[test]
fn stdin_to_stdout_with_au() {
    // blocksize 0: the virtual loopback delays by 512 frames.
    stdin_to_stdout_au(free, DEVICE, 512);
}

#[test]
fn sox_pipe_to_pastream_to_sox() {
    let dir = scratch("sox");
    let out = dir.join("out.wav");
    let script = format!(
        "set -o pipefail; sox -n -r 48000 -c 2 -b 16 -t au - synth 1 sine 440 | {} - - -t au -D '{DEVICE}' -c 2 -p 1Ks -q | sox -t au - {}",
        env!("CARGO_BIN_EXE_pastream"),
        out.display()
    );
    let status = Command::new("bash")
        .args(["-c", &script])
        .env("PASTREAM_VIRTUAL", "free")
        .status()
        .expect("bash runs");
    assert!(
        status.success(),
        "the sox pipeline failed; sox is needed: apt-get install sox (or bash run.sh test)"
    );
    let (ch, _, rec) = read_file(
        &Target::Path(out),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    assert_eq!((ch, rec.len() / 4), (2, 48000 + 1024));
}

/// A float file peaking well below full scale, at 1/8: k/32768 for k from
/// -4096 to 4095, so that int16 holds every sample exactly.
fn quiet_float() -> (Vec<u8>, Vec<u8>) {
    let levels: Vec<i16> = (0..8192).map(|k| (k - 4096) as i16).collect();
    let floats: Vec<f32> = levels.iter().map(|&v| f32::from(v) / 32768.0).collect();
    (
        pastream::sample::to_bytes(&floats),
        pastream::sample::to_bytes(&levels),
    )
}

#[test]
fn float_files_played_as_integers_keep_their_level() {
    // By the library's full-scale rule, from a file and from a pipe: not
    // normalised to the file's own peak, and not silence from a pipe.
    let dir = scratch("float-int");
    let (floats, want) = quiet_float();
    // The virtual device with blocksize 0 delays by 512 frames.
    let holds_after_delay = |path| {
        let (_, _, rec) = read_file(
            &Target::Path(path),
            SampleFormat::I16,
            &FileOptions::default(),
        );
        assert_samples_equal(&rec[1024..1024 + want.len()], &want, SampleFormat::I16, 1);
    };
    let input = dir.join("quiet.wav");
    write_file(&input, "WAV", "FLOAT", 1, SampleFormat::F32, &floats);
    let out = dir.join("out.wav");
    let (code, _, err) = run(
        &mut free(),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-f",
            "int16",
            "-c",
            "1",
            "-D",
            DEVICE,
            "-p",
            "1Ks",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{err}");
    holds_after_delay(out);

    let au = dir.join("quiet.au");
    write_file(&au, "AU", "FLOAT", 1, SampleFormat::F32, &floats);
    let mut cmd = free();
    cmd.args(["-f", "int16"]);
    let (code, stdout, err) = pipe_au_channels(&mut cmd, DEVICE, 1, std::fs::read(&au).unwrap());
    assert_eq!(code, 0, "{err}");
    let piped = dir.join("piped.au");
    std::fs::write(&piped, &stdout).unwrap();
    holds_after_delay(piped);
}

#[test]
fn a_reader_that_closes_the_pipe_ends_the_run_normally() {
    // `head` takes 10000 bytes of a minute of audio and closes the pipe:
    // the broken pipe is the end of the pipeline, not a failure.
    let script = format!(
        "set -o pipefail; {} null - -t au -c 2 -d 60 -D '{DEVICE}' -q | head -c 10000 | wc -c",
        env!("CARGO_BIN_EXE_pastream"),
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("PASTREAM_VIRTUAL", "free")
        .output()
        .expect("bash runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pastream failed: {err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "10000");
    assert_eq!(err, "", "no error line");
}

fn realtime() -> Command {
    pastream("")
}

#[test]
fn ctrl_c_stops_and_keeps_every_frame() {
    faults::a_signal_stops_and_keeps_every_frame(realtime, DEVICE, "INT");
}

#[test]
fn a_closed_terminal_kill_and_ctrl_backslash_stop_and_keep_every_frame() {
    for signal in ["HUP", "TERM", "QUIT"] {
        faults::a_signal_stops_and_keeps_every_frame(realtime, DEVICE, signal);
    }
}

#[test]
fn ctrl_c_ends_the_run_when_stdout_is_never_read() {
    faults::ctrl_c_when_stdout_is_never_read(&mut realtime(), DEVICE);
}

#[test]
fn ctrl_c_ends_the_run_when_the_playback_pipe_stalls() {
    faults::ctrl_c_when_the_playback_pipe_stalls(&mut realtime(), DEVICE);
}

#[test]
fn ctrl_c_ends_blocks_of_minutes() {
    // At 1 Hz a block of 512 frames lasts over eight minutes.
    let dir = scratch("one-hertz");
    let out = dir.join("rec.wav");
    let child = realtime()
        .args([
            "null",
            out.to_str().unwrap(),
            "-r",
            "1",
            "-c",
            "1",
            "-D",
            DEVICE,
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    faults::send(&child, "INT");
    let (code, err, _) = faults::exits_within(child, faults::EXIT_BOUND);
    assert_eq!(code, 0, "{err}");
    let reported = reported_frames(&err);
    let f = SoundFile::open(&out).unwrap();
    assert_eq!(f.info().frames, Some(reported as u64), "{err}");
}

#[test]
fn a_second_ctrl_c_ends_a_slow_drain_at_once() {
    faults::a_second_ctrl_c_ends_a_slow_drain(&mut realtime(), DEVICE);
}

#[test]
fn a_full_ring_then_a_stuck_reader_exits_1() {
    faults::a_full_ring_then_a_stuck_reader_exits_1(&mut realtime(), DEVICE);
}

#[test]
fn rotation_joins_into_the_recording() {
    faults::rotation_joins_into_the_recording(free, DEVICE);
}

#[test]
fn the_summary_locates_the_first_xruns() {
    let dir = scratch("located");
    let (input, _) = input_wav(&dir, 4800);
    let (code, _, err) = run(
        &mut pastream("free,xrun@3"),
        &[input.to_str().unwrap(), "null", "-D", DEVICE, "-b", "100"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("; first: output underflow at frame 300 (00:00:00.006)"),
        "{err}"
    );
}

#[test]
fn an_ignored_ctrl_c_stays_ignored() {
    // As a background job of a script, or under nohup: SIGINT was ignored
    // by whoever started pastream, and stays so.
    let dir = scratch("sigign");
    let mut cmd = Command::new("bash");
    cmd.args([
        "-c",
        "trap '' INT; exec \"$@\"",
        "bash",
        env!("CARGO_BIN_EXE_pastream"),
    ]);
    let (mut child, out, _) = faults::looping_playrec(&mut cmd, DEVICE, &dir);
    faults::send(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "pastream stopped on an ignored SIGINT"
    );
    faults::send(&child, "TERM");
    let (code, err, _) = faults::exits_within(child, Duration::from_secs(5));
    assert_eq!(code, 0, "{err}");
    let (_, rec) = recorded(&out);
    assert_eq!(rec.len() / 4, reported_frames(&err));
}

#[test]
fn a_buffer_larger_than_memory_is_refused_before_any_file_exists() {
    let dir = scratch("bufsize");
    let out = dir.join("rec.wav");
    let (code, _, err) = run(
        &mut free(),
        &[
            "null",
            out.to_str().unwrap(),
            "-d",
            "1",
            "-c",
            "32",
            "-D",
            DEVICE,
            "--buffersize",
            "2147483648",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(
            "pastream: --buffersize: rings of 2147483648 frames need 262144 MiB, more than half the "
        ) && err.trim_end().ends_with("MiB of memory available"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists(), "nothing is created");
}

#[test]
fn fatal_xruns_stop_with_status_3() {
    let dir = scratch("xrun");
    let (input, _) = input_wav(&dir, 10_000);
    let out = dir.join("out.wav");
    let (code, _, err) = run(
        &mut pastream("free,xrun@10"),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-c",
            "2",
            "-b",
            "256",
            "--fatal-xruns",
            "-q",
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        err.trim(),
        "pastream: stopped by an xrun after 2816 frames (output underflow) (--fatal-xruns); the recording keeps every frame up to there"
    );
    assert_eq!(recorded(&out).1.len() / 4, 2816);
    // Without the option the xrun is counted and the run goes on.
    let (code, _, err) = run(
        &mut pastream("free,xrun@10"),
        &[
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "-D",
            DEVICE,
            "-b",
            "256",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("xruns: 1 (input underflow 0, input overflow 0, output underflow 1"),
        "{err}"
    );
}

#[test]
fn list_version_and_help() {
    // On a machine with no audio at all the list holds the virtual devices,
    // and nothing is said on standard error.
    let (code, out, err) = run(&mut free(), &["-l"]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0);
    assert_eq!(err, "", "no error while listing");
    assert!(out.contains("loopback, Virtual (128 in, 128 out)"), "{out}");
    let (code, out, _) = run(&mut free(), &["--version"]);
    assert_eq!(code, 0);
    assert!(String::from_utf8(out).unwrap().starts_with("pastream 0."));
    let (code, out, _) = run(&mut free(), &["-h"]);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0);
    for opt in [
        "--list",
        "--quiet",
        "--version",
        "--buffersize",
        "--loop",
        "--duration",
        "--offset",
        "--pad",
        "--fatal-xruns",
        "--map",
        "--channel-select",
        "--blocksize",
        "--channels",
        "--device",
        "--format",
        "--rate",
        "--file-type",
        "--encoding",
        "--endian",
    ] {
        assert!(out.contains(opt), "{opt} missing from -h");
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn bad_input_gets_one_line_and_status_2() {
    let dir = scratch("bad");
    let (input, _) = input_wav(&dir, 1000);
    let i = input.to_str().unwrap().to_owned();
    let out = dir.join("out.wav").to_str().unwrap().to_owned();
    let garbage = dir.join("garbage.wav");
    std::fs::write(&garbage, b"RIFF\x24\x00\x00\x00WAVEfmt nonsense").unwrap();
    let truncated = dir.join("truncated.wav");
    let bytes = std::fs::read(&input).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // The frames of the first half: the header, then whole frames.
    let fs = SoundFile::open(&input).unwrap().bytes_per_frame().unwrap() as usize;
    let header = bytes.len() - 1000 * fs;
    let held = (bytes.len() / 2 - header) / fs;
    let raw = dir.join("take.raw");
    std::fs::write(&raw, [0u8; 400]).unwrap();
    let a_dir = dir.to_str().unwrap().to_owned();
    let (g, t, r) = (
        garbage.to_str().unwrap().to_owned(),
        truncated.to_str().unwrap().to_owned(),
        raw.to_str().unwrap().to_owned(),
    );
    let missing = dir.join("missing.wav").to_str().unwrap().to_owned();
    // A file nobody may read: run as a user who is not root (root reads
    // anything), through setpriv when the tests run as root.
    let locked = dir.join("locked.wav").to_str().unwrap().to_owned();
    std::fs::copy(&input, &locked).unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // The other user runs a copy of the binary from the scratch directory:
    // the build directory may be where only root can go.
    let own_copy = dir.join("pastream");
    std::fs::copy(env!("CARGO_BIN_EXE_pastream"), &own_copy).unwrap();
    let flac_out = dir.join("o.flac").to_str().unwrap().to_owned();
    let cases: Vec<(&str, Vec<&str>, String)> = vec![
        ("missing file", vec![&missing], format!("pastream: cannot open '{missing}': no such file")),
        ("unreadable file (a directory)", vec![&a_dir], format!("pastream: cannot open '{a_dir}': it is a directory")),
        ("unreadable file (no permission)", vec![&locked], format!("pastream: cannot open '{locked}': permission denied")),
        ("corrupt header", vec![&g], format!("pastream: cannot open '{g}': ")),
        ("truncated file", vec![&t], format!("pastream: '{t}' is truncated: its header promises more than the {held} frames it holds")),
        ("RAW without parameters", vec![&r, "-c", "1"], format!("pastream: '{r}' is a RAW file: give its sample rate, encoding (-r rate, -c channels, -e encoding)")),
        ("unknown type", vec![&i, "-t", "mp4"], "pastream: --file-type: unknown file type 'mp4' (one of WAV,".into()),
        ("unknown encoding", vec![&i, "-e", "pcm_12"], "pastream: --encoding: unknown encoding 'pcm_12' (one of PCM_S8,".into()),
        ("bad duration", vec![&i, "-d", "1:2:3:4"], "pastream: --duration: '1:2:3:4' is not a duration (hh:mm:ss.frac, e.g. 1:30, or samples, e.g. 480ks)".into()),
        ("negative offset", vec![&i, &out, "-o", "-10s"], "pastream: --offset: -10s is negative; an offset drops frames from the start".into()),
        ("bad map", vec![&i, &out, "-m", "1,1", "-D", DEVICE], "pastream: channel map names source channel 1 more than once".into()),
        ("map out of range", vec![&i, &out, "-m", "200", "-D", DEVICE], "pastream: channel map entry 1 names source channel 200, but there are only 128 channels".into()),
        ("two virtual devices", vec![&i, &out, "-D", "output only,input only"], "pastream: invalid setting for device 'loopback (output only)': recording from 'loopback (input only), Virtual' while playing to 'loopback (output only), Virtual' needs two devices of one host API (not Virtual)".into()),
        ("unknown device", vec![&i, "-D", "no such device"], "pastream: --device: no output device matching 'no such device'".into()),
        ("output directory missing", vec![&i, "/nonexistent/dir/out.wav", "-D", DEVICE], "pastream: cannot create '/nonexistent/dir/out.wav': directory '/nonexistent/dir' does not exist".into()),
        ("stdout WAV", vec![&i, "-", "-t", "wav", "-D", DEVICE], "pastream: WAV files cannot be written to a pipe ('-'); use a type that can, such as AU or RAW (-t au)".into()),
        ("stdout without type", vec![&i, "-", "-D", DEVICE], "pastream: cannot tell the file type of '-' from its name; give one with -t (e.g. -t wav)".into()),
        ("unknown option", vec![&i, "--zzz"], "pastream: unexpected argument '--zzz' found; to pass '--zzz' as a value, use '-- --zzz' (see pastream -h)".into()),
        ("nothing to do", vec!["null"], "pastream: nothing to do: give a file to play, a file to record, or both (see pastream -h)".into()),
        ("too many channels", vec![&i, "-D", DEVICE, "-c", "200"], "pastream: invalid setting for device 'loopback': 200 output channels requested, the device has at most 128".into()),
        ("bad rate", vec![&i, "-r", "fast"], "pastream: --rate: 'fast' is not a size (a number, optionally with k, K, m or M, e.g. 48k)".into()),
        ("FLAC float", vec![&i, &flac_out, "-e", "float", "-D", DEVICE], "pastream: FLAC files cannot hold FLOAT samples".into()),
        ("rate mismatch", vec![&i, "-r", "44.1k", "-D", DEVICE], format!("pastream: --rate: 44100 Hz, but '{i}' is 48000 Hz; resample it first, or leave -r out")),
        ("same file twice", vec![&i, &i, "-D", DEVICE], format!("pastream: '{i}' is both the playback and the recording: recording would destroy what is played")),
        ("unknown option with a tip", vec![&i, "--durr", "1"], "pastream: unexpected argument '--durr' found; a similar argument exists: '--duration' (see pastream -h)".into()),
    ];
    let mut table = String::from("\n| case | message | status |\n|---|---|---|\n");
    for (case, args, want) in &cases {
        let mut cmd = free();
        if case.contains("no permission") && is_root() {
            cmd = Command::new("setpriv");
            cmd.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                own_copy.to_str().unwrap(),
            ])
            .env("PASTREAM_VIRTUAL", "free");
        }
        let (code, stdout, err) = run(&mut cmd, args);
        assert_eq!(code, 2, "{case}: {err}");
        assert!(stdout.is_empty(), "{case}");
        assert_eq!(err.lines().count(), 1, "{case}: one line, got {err:?}");
        assert!(
            err.starts_with(want.as_str()),
            "{case}: {err:?} does not start with {want:?}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{case}"
        );
        table.push_str(&format!("| {case} | `{}` | {code} |\n", err.trim()));
    }
    eprintln!("{table}");
}

#[test]
fn the_originals_rules() {
    originals::originals_rules(free, DEVICE);
}

#[test]
fn the_virtual_device_is_never_the_default() {
    let dir = scratch("no-device");
    let (input, _) = input_wav(&dir, 100);
    let out = dir.join("rec.wav");
    let (code, _, err) = run(
        &mut free(),
        &[input.to_str().unwrap(), out.to_str().unwrap()],
    );
    let real = pastream::host::query_devices()
        .iter()
        .any(|d| !d.is_virtual() && d.max_input_channels > 0 && d.max_output_channels > 0);
    if real {
        // A machine with audio: its device, never the virtual one.
        assert_eq!(code, 0, "{err}");
        assert!(!err.contains(", Virtual:"), "{err}");
    } else {
        assert_eq!(code, 2, "{err}");
        assert_eq!(
            err.trim_end(),
            "pastream: no audio device found; for the built-in virtual loopback device give -D \"loopback, Virtual\""
        );
        assert!(!out.exists(), "nothing was created");
    }
}

#[test]
fn man_page_and_completions() {
    let (code, out, err) = run(&mut free(), &["--man"]);
    assert_eq!(code, 0, "{err}");
    let page = String::from_utf8(out).unwrap();
    assert!(
        page.starts_with(".ie") && page.contains(".TH pastream 1"),
        "{page}"
    );
    assert!(page.contains("rotate"), "every option is in the page");
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = run(&mut free(), &["--completions", shell]);
        assert_eq!(code, 0, "{err}");
        let script = String::from_utf8(out).unwrap();
        assert!(script.contains("fatal-xruns"), "{shell}: {script}");
    }
    let (code, _, err) = run(&mut free(), &["--completions", "cmd.exe"]);
    assert_eq!(code, 2, "{err}");
}
