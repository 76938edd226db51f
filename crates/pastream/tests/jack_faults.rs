//! PortAudio's own assertions never kill a run: a JACK server that quits
//! under a program that scanned it, or under a stream of it that is idle or
//! finished, leaves the program running (PortAudio's JACK host answers a
//! failed client close or port unregistration with an assertion that
//! aborts the process), and the program records a file whole afterwards.
//!
//! Each test starts a JACK server of its own and runs this binary again as
//! a program connected to it (`PASTREAM_FAULT_SCENARIO`); the program says
//! `ready`, the test makes the server quit and says `go`, and the program
//! goes on: it drops what it held, scans again, and records 4800 frames
//! from the virtual device into a WAV file. The test checks that it exited
//! 0 and that the file holds every frame. The harness runs inside a JACK
//! server of its own too (`pastream_testkit::jackd`); without jackd the
//! tests fail with the install command.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use pastream::host::{self, Direction};
use pastream::io::file::file_sink;
use pastream::io::soundfile::{FileOptions, SoundFile};
use pastream::{Clock, DuplexStream, InputStream, StreamConfig, Transfer};
use pastream_testkit::jackd;

const SCENARIO: &str = "PASTREAM_FAULT_SCENARIO";
const FILE: &str = "PASTREAM_FAULT_FILE";
const FRAMES: u64 = 4800;

fn main() -> ExitCode {
    if let Ok(scenario) = std::env::var(SCENARIO) {
        return program(&scenario);
    }
    if !jackd::is_child() {
        return jackd::with_server();
    }
    let scenarios = ["scan", "idle_stream", "finished_stream"];
    let tests: Vec<(&str, jackd::Test)> = scenarios
        .iter()
        .map(|&s| {
            let name: &str = match s {
                "scan" => "a_scan_outlives_its_server",
                "idle_stream" => "an_idle_stream_outlives_its_server",
                _ => "a_finished_stream_outlives_its_server",
            };
            (name, Box::new(move || server_quits_under(s)) as jackd::Test)
        })
        .collect();
    jackd::run_tests("jack_faults", tests)
}

/// Runs `scenario` as a program on a server of its own, which quits while
/// the program holds what the scenario opened.
fn server_quits_under(scenario: &str) {
    // Short: a server name of 24 characters crashes JACK clients.
    let name = format!("pf-{}-{}", std::process::id(), &scenario[..4]);
    let file = std::env::temp_dir().join(format!("{name}.wav"));
    let mut server = jackd::Server::start(&name).expect("a second JACK server starts");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(SCENARIO, scenario)
        .env(FILE, &file)
        .env("JACK_DEFAULT_SERVER", &name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready", "the program did not get ready");
    server.quit();
    writeln!(child.stdin.take().unwrap(), "go").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let result = child.wait_with_output().unwrap();
    // The program's client lost its server and left its semaphore behind.
    jackd::remove_semaphores(&name);
    let err = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(0),
        "the program died ({:?}); it said: {rest}{err}",
        result.status
    );
    assert_eq!(rest.trim(), "done");
    let frames = SoundFile::open(&file).unwrap().info().frames;
    assert_eq!(frames, Some(FRAMES), "the file holds every frame");
    std::fs::remove_file(&file).ok();
}

/// The program: opens what `scenario` says, waits for the server to quit,
/// lets go of it, scans again, and records a file.
fn program(scenario: &str) -> ExitCode {
    let jack_loopback = || {
        host::find_device(Some(&"loopback jack".into()), Direction::Duplex)
            .expect("the JACK server's loopback device")
    };
    let config = StreamConfig::new()
        .device(jack_loopback().index)
        .channels(2);
    let mut held: Option<DuplexStream> = None;
    match scenario {
        "scan" => {
            jack_loopback();
        }
        "idle_stream" => held = Some(DuplexStream::open(&config).unwrap()),
        _ => {
            let mut s = DuplexStream::open(&config).unwrap();
            let rec = s
                .playrec(
                    vec![0.25f32; 2 * 4800],
                    &Transfer::new().pad(1024).blocking(true),
                )
                .unwrap()
                .unwrap();
            assert_eq!(rec.frames(), 5824);
            held = Some(s);
        }
    }
    println!("ready");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    // The server has quit. Let go of the stream: PortAudio is not asked to
    // close it (its JACK host would assert).
    drop(held);
    // Scanning again does not terminate PortAudio (its JACK host would
    // assert on closing its client); refreshing is refused with a reason.
    assert!(host::query_devices().iter().any(|d| d.is_virtual()));
    let e = host::refresh_devices().unwrap_err();
    assert!(e.to_string().contains("JACK server"), "{e}");
    record(Path::new(&PathBuf::from(std::env::var(FILE).unwrap())));
    println!("done");
    ExitCode::SUCCESS
}

fn record(path: &Path) {
    let config = StreamConfig::new()
        .device("loopback, Virtual")
        .channels(2)
        .clock(Clock::FreeRunning);
    let mut s = InputStream::open(&config).unwrap();
    let file = SoundFile::create(path, &FileOptions::for_stream(&s)).unwrap();
    s.set_sink(Some(file_sink(file, s.format(), None, None)))
        .unwrap();
    s.set_frames(FRAMES as i64);
    s.start().unwrap();
    s.wait(None).unwrap();
}
