//! A program that uses the library writes nothing to standard error of its
//! own accord: scanning for devices makes ALSA and JACK report every card
//! and server they do not find (dozens of lines on a machine with no sound
//! card), and the library keeps that off standard error unless asked.
//!
//! Each test runs this binary again as a child that does the work, and
//! reads the child's standard error.

use std::process::Command;

use pastream::{Clock, DuplexStream, StreamConfig, Transfer};

const CHILD: &str = "PASTREAM_QUIET_CHILD";

/// What a program does: list the devices, find one, play and record on
/// the virtual device.
fn program(show: bool) {
    pastream::host::show_backend_messages(show);
    let list = pastream::host::query_devices();
    assert!(list.to_string().contains("loopback, Virtual"));
    let config = StreamConfig::new()
        .device("loopback, Virtual")
        .channels(2)
        .clock(Clock::FreeRunning);
    let mut s = DuplexStream::open(&config).unwrap();
    let rec = s
        .playrec(vec![0.5f32; 2 * 4800], &Transfer::new().blocking(true))
        .unwrap()
        .unwrap();
    assert_eq!(rec.frames(), 4800);
}

/// Runs `test` in a child and returns its standard error.
fn stderr_of(test: &str) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the child failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_program_writes_nothing_to_stderr() {
    if std::env::var_os(CHILD).is_some() {
        return program(false);
    }
    let err = stderr_of("a_program_writes_nothing_to_stderr");
    assert_eq!(err, "", "standard error should be empty");
}

#[test]
fn backend_messages_show_when_asked() {
    if std::env::var_os(CHILD).is_some() {
        return program(true);
    }
    // The same program, with the audio libraries' messages shown: on a
    // machine with no sound card and no JACK server they have plenty to
    // say, which is what the test above keeps quiet.
    let err = stderr_of("backend_messages_show_when_asked");
    assert!(
        err.lines().count() >= 5,
        "the audio libraries said only {err:?}"
    );
}
