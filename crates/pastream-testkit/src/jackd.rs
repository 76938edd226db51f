//! A JACK server for tests: the dummy driver with loopback ports, under a
//! name of its own, and a test binary that runs itself again as a child
//! connected to it. Shared by the library's and the command line's JACK
//! tests.

use std::fs::File;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Frames per JACK period.
pub const PERIOD: usize = 256;
/// Loopback ports (channels each way).
pub const PORTS: usize = 32;
/// PortAudio's name for the JACK host API.
pub const JACK_API: &str = "JACK Audio Connection Kit";
/// How to get jackd.
pub const INSTALL: &str = "apt-get install jackd2 (or run the whole suite with: bash run.sh test)";

/// Whether this process is the child that runs the tests.
pub fn is_child() -> bool {
    std::env::var_os("PASTREAM_JACK_CHILD").is_some()
}

/// A jackd process started by this harness; stopped on drop.
pub struct Server {
    child: Child,
    name: String,
    log: std::path::PathBuf,
}

impl Server {
    /// Starts a server named `name` (see the module docs), waiting until
    /// it answers.
    ///
    /// Names of exactly 24 characters are refused: a JACK 2 (1.9.21) client
    /// of a server so named dies in malloc as it connects.
    pub fn start(name: &str) -> Result<Server, String> {
        if name.len() == 24 {
            return Err(format!(
                "server name '{name}' has 24 characters, which crashes JACK clients; choose another"
            ));
        }
        let log = std::env::temp_dir().join(format!("{name}-jackd.log"));
        let out =
            File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new("jackd")
            .args(["-n", name, "-S", "-L", &PORTS.to_string(), "-d", "dummy"])
            .args(["-r", "48000", "-p", &PERIOD.to_string()])
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run jackd: {e}; {INSTALL}"))?;
        let mut server = Server {
            child,
            name: name.to_owned(),
            log,
        };
        let t0 = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "jackd exited ({status}) before its ports appeared; log:\n{}",
                    std::fs::read_to_string(&server.log).unwrap_or_default()
                ));
            }
            let ports = Command::new("jack_lsp")
                .args(["-s", name])
                .env("JACK_NO_START_SERVER", "1")
                .stderr(Stdio::null())
                .output();
            if let Ok(o) = ports {
                if String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l == "loopback:capture_1")
                {
                    return Ok(server);
                }
            }
            if t0.elapsed() > Duration::from_secs(15) {
                return Err(format!(
                    "jackd did not show its loopback ports within 15 s; log:\n{}",
                    std::fs::read_to_string(&server.log).unwrap_or_default()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Server {
    /// The server's process id (to stop it with SIGSTOP, say).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Makes the server quit under its clients (SIGTERM) and reaps it. A
    /// SIGKILL would leave the server's entry in JACK's registry of
    /// servers, which holds only a few: enough of those and no server
    /// starts any more.
    pub fn quit(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_file(&self.log);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("jackd '{}' ignored SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes what a client that lost the server `server` leaves behind: its
/// semaphores in /dev/shm, named after the server.
pub fn remove_semaphores(server: &str) {
    if let Ok(entries) = std::fs::read_dir("/dev/shm") {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().contains(server) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether a process named `jackd` runs on this machine.
fn a_server_runs() -> bool {
    std::fs::read_dir("/proc").is_ok_and(|procs| {
        procs.flatten().any(|p| {
            std::fs::read_to_string(p.path().join("comm")).is_ok_and(|c| c.trim() == "jackd")
        })
    })
}

/// With no JACK server running, what servers killed before they could
/// clean up left in /dev/shm is stale: their entries in JACK's registry of
/// servers (a few slots; once full, no server starts: "Too many servers
/// already active"), sockets and semaphores. It is removed.
pub fn remove_stale_servers() {
    if a_server_runs() {
        return;
    }
    if let Ok(entries) = std::fs::read_dir("/dev/shm") {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("jack-") || name.starts_with("jack_") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// The parent's part: starts a server, runs this test binary again as the
/// child connected to it, stops the server, and exits as the child did.
pub fn with_server() -> ExitCode {
    for tool in ["jackd", "jack_lsp"] {
        if !have(tool) {
            eprintln!("error: {tool} not found; the real-JACK tests need it: {INSTALL}");
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    }
    remove_stale_servers();
    let name = format!("pastream-test-{}", std::process::id());
    let server = match Server::start(&name) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            println!("0 passed, 1 failed");
            return ExitCode::FAILURE;
        }
    };
    let status = std::env::current_exe().and_then(|exe| {
        Command::new(exe)
            .args(std::env::args().skip(1))
            .env("PASTREAM_JACK_CHILD", "1")
            .env("JACK_DEFAULT_SERVER", &name)
            .env("JACK_NO_START_SERVER", "1")
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .status()
    });
    drop(server);
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot run the tests: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A test run by [`run_tests`].
pub type Test = Box<dyn Fn()>;

/// Runs the tests whose names contain one of the command line's words (all
/// without words), one after the other, and prints `suite: N passed, M
/// failed`.
pub fn run_tests(suite: &str, tests: Vec<(&str, Test)>) -> ExitCode {
    // One line per panic: some tests panic on purpose, in worker threads.
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        eprintln!("  panic in {}: {info}", thread.name().unwrap_or("?"));
    }));
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in tests {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        print!("test {suite}::{name} ... ");
        let _ = std::io::stdout().flush();
        let t0 = Instant::now();
        if catch_unwind(AssertUnwindSafe(test)).is_ok() {
            passed += 1;
            println!("ok ({:.1} s)", t0.elapsed().as_secs_f64());
        } else {
            failed += 1;
            println!("FAILED");
        }
    }
    println!("\n{suite}: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
