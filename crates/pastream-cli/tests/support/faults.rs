//! The command line under faults, on any loopback device: signals, stalled
//! pipes, a slow reader, a full ring, rotation.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use pastream::SampleFormat;
use pastream::io::soundfile::{FileOptions, SoundFile, Target};

use super::*;

/// How long pastream may take to exit after the signal that ends it,
/// whatever stalls: the stall limit (100 ms), a block, and the process's
/// own end, with room for a loaded machine.
pub const EXIT_BOUND: Duration = Duration::from_secs(1);

/// Sends `signal` (a name: INT, TERM, ...) to `child`.
pub fn send(child: &Child, signal: &str) {
    assert!(
        Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
}

/// Waits for `child` to exit, at most `bound`; returns its status code,
/// its standard error and how long it took. Standard error is read all
/// along, so that the child never waits for room in the pipe.
pub fn exits_within(mut child: Child, bound: Duration) -> (i32, String, Duration) {
    let t0 = Instant::now();
    let reader = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = e.read_to_string(&mut text);
            text
        })
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let took = t0.elapsed();
            let err = reader.map(|r| r.join().unwrap()).unwrap_or_default();
            return (status.code().unwrap_or(-1), err, took);
        }
        if t0.elapsed() > bound {
            let _ = child.kill();
            let _ = child.wait();
            let err = reader.map(|r| r.join().unwrap()).unwrap_or_default();
            panic!("pastream did not exit within {bound:?} of the signal; it said: {err}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits until `path` holds more than `bytes` bytes.
pub fn grows_past(path: &Path, bytes: u64) {
    let t0 = Instant::now();
    while std::fs::metadata(path).map_or(0, |m| m.len()) <= bytes {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "nothing was recorded"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Plays a one-second 16-bit stereo signal over and over on `device` in
/// real time while recording it; returns the process, the recording and
/// the signal.
pub fn looping_playrec(cmd: &mut Command, device: &str, dir: &Path) -> (Child, PathBuf, Vec<u8>) {
    let data = signal(11, 48000, 2, SampleFormat::I16, 16);
    let input = dir.join("in.wav");
    write_file(&input, "WAV", "PCM_16", 2, SampleFormat::I16, &data);
    let out = dir.join("rec.wav");
    let child = cmd
        .args([
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--loop",
            "-D",
            device,
            "-c",
            "2",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    grows_past(&out, 48000 * 4);
    (child, out, data)
}

/// `signal` stops a looping play-and-record run: status 0, and the file
/// holds every frame processed, the looping signal sample for sample
/// after the loopback delay.
pub fn a_signal_stops_and_keeps_every_frame(cmd: fn() -> Command, device: &str, signal: &str) {
    let dir = scratch(&format!("sig{signal}-{}", device.replace([' ', ','], "-")));
    let (child, out, data) = looping_playrec(&mut cmd(), device, &dir);
    send(&child, signal);
    let (code, err, _) = exits_within(child, Duration::from_secs(5));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(", stopped;"), "{err}");
    let reported = reported_frames(&err);
    let (ch, _, rec) = read_file(
        &Target::Path(out),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    assert_eq!(ch, 2);
    let fs = 4;
    assert_eq!(
        rec.len() / fs,
        reported,
        "every frame processed is in the file"
    );
    assert!(reported > 48000, "{reported}");
    let delay = find_preamble(&rec, SampleFormat::I16, 2).expect("the preamble came back");
    let looped: Vec<u8> = data
        .iter()
        .copied()
        .cycle()
        .take(rec.len() - delay * fs)
        .collect();
    assert_samples_equal(&rec[delay * fs..], &looped, SampleFormat::I16, 2);
}

/// Starts recording two channels at 48 kHz from `device` to standard
/// output as AU (`extra`: more options); returns the process and its
/// standard output, which the caller reads, or not.
fn record_to_stdout(cmd: &mut Command, device: &str, extra: &[&str]) -> (Child, ChildStdout) {
    let mut child = cmd
        .args([
            "null", "-", "-t", "au", "-D", device, "-c", "2", "-r", "48k",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    (child, stdout)
}

/// Records to standard output, which nobody reads: Ctrl-C ends the run
/// within the bound, with status 1 and the stalled recording named.
pub fn ctrl_c_when_stdout_is_never_read(cmd: &mut Command, device: &str) {
    let (child, stdout) = record_to_stdout(cmd, device, &[]);
    std::thread::sleep(Duration::from_millis(1000));
    send(&child, "INT");
    let (code, err, took) = exits_within(child, EXIT_BOUND);
    drop(stdout);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("pastream: the recording stalled: its sink wrote nothing for"),
        "{err}"
    );
    assert!(took < EXIT_BOUND, "{took:?}");
}

/// Plays a pipe that stalls before the prebuffer fills: Ctrl-C ends the
/// run within the bound, with status 0, having played nothing.
pub fn ctrl_c_when_the_playback_pipe_stalls(cmd: &mut Command, device: &str) {
    let dir = scratch(&format!("stall-in-{}", device.replace([' ', ','], "-")));
    let au = dir.join("in.au");
    let data = signal(5, 9600, 2, SampleFormat::I16, 16);
    write_file(&au, "AU", "PCM_16", 2, SampleFormat::I16, &data);
    let mut child = cmd
        .args(["-", "null", "-t", "au", "-D", device])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&std::fs::read(&au).unwrap()).unwrap();
    // The pipe stays open, and nothing more comes.
    std::thread::sleep(Duration::from_millis(1000));
    send(&child, "INT");
    let (code, err, _) = exits_within(child, EXIT_BOUND);
    drop(stdin);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(", stopped;"), "{err}");
}

/// A reader that takes 4 KiB every 100 ms: after the first Ctrl-C the
/// recording is still being written out; the second ends the run within
/// the bound, the file finalized with what it holds.
pub fn a_second_ctrl_c_ends_a_slow_drain(cmd: &mut Command, device: &str) {
    let (mut child, mut stdout) = record_to_stdout(cmd, device, &[]);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut total = 0;
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n;
            std::thread::sleep(Duration::from_millis(100));
        }
        total
    });
    std::thread::sleep(Duration::from_millis(1000));
    send(&child, "INT");
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        child.try_wait().unwrap().is_none(),
        "after one Ctrl-C the recording is still being written out"
    );
    send(&child, "INT");
    let (code, err, _) = exits_within(child, EXIT_BOUND);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(", stopped in a hurry;"), "{err}");
    assert!(reader.join().unwrap() > 0);
}

/// The reader stops reading: the ring fills, then the sink is stuck in
/// the pipe. The full ring came first and is what the exit says: status 1.
pub fn a_full_ring_then_a_stuck_reader_exits_1(cmd: &mut Command, device: &str) {
    let (child, stdout) = record_to_stdout(cmd, device, &["--buffersize", "1024"]);
    let (code, err, _) = exits_within(child, Duration::from_secs(5));
    drop(stdout);
    assert_eq!(code, 1, "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("pastream: recording buffer full after"),
        "{err}"
    );
}

/// `--rotate` by frames and by bytes: the files, joined, are the recording
/// of the playback, sample for sample.
pub fn rotation_joins_into_the_recording(cmd: fn() -> Command, device: &str) {
    let dir = scratch(&format!("rotate-{}", device.replace([' ', ','], "-")));
    let data = signal(13, 30_000, 2, SampleFormat::I16, 16);
    let input = dir.join("in.wav");
    write_file(&input, "WAV", "PCM_16", 2, SampleFormat::I16, &data);
    // 7000 frames, and 28000 bytes: 7000 frames of 16-bit stereo.
    for (k, every) in ["7000s", "28000B"].into_iter().enumerate() {
        let out = dir.join(format!("take{k}.wav"));
        let (code, _, err) = run(
            &mut cmd(),
            &[
                input.to_str().unwrap(),
                out.to_str().unwrap(),
                "-D",
                device,
                "-c",
                "2",
                "-p",
                "2Ks",
                "--rotate",
                every,
            ],
        );
        assert_eq!(code, 0, "{err}");
        let mut joined = Vec::new();
        let mut n = 1;
        loop {
            let part = dir.join(format!("take{k}-{n:03}.wav"));
            if !part.exists() {
                break;
            }
            let mut f = SoundFile::open(&part).unwrap();
            let frames = f.info().frames.unwrap() as usize;
            let mut buf = vec![0u8; frames * 4];
            assert_eq!(f.read_raw(&mut buf, SampleFormat::I16).unwrap(), frames);
            joined.extend_from_slice(&buf);
            n += 1;
        }
        let frames = reported_frames(&err);
        assert_eq!(n - 1, frames.div_ceil(7000), "{err}");
        assert_eq!(joined.len() / 4, frames, "{err}");
        assert!(
            err.contains(&format!("recording: {frames} frames")),
            "{err}"
        );
        let delay = find_preamble(&joined, SampleFormat::I16, 2).expect("the preamble came back");
        assert_samples_equal(
            &joined[delay * 4..(delay + 30_000) * 4],
            &data,
            SampleFormat::I16,
            2,
        );
    }
}
