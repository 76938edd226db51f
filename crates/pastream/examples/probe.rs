//! probe: scan, wait for a signal file, then do `what`.
use pastream::host::{self, Direction};
use pastream::{DuplexStream, StreamConfig};
fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let wait = || {
        eprintln!("READY");
        while !std::path::Path::new("/tmp/probe-go").exists() {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    match what.as_str() {
        "scan" => {
            let d = host::query_devices();
            eprintln!("{} devices", d.devices.len());
            wait();
            let d = host::query_devices();
            eprintln!("again {} devices", d.devices.len());
        }
        "stream" => {
            let s = DuplexStream::open(&StreamConfig::new().device("loopback, JACK").channels(2))
                .unwrap();
            wait();
            drop(s);
            eprintln!("dropped");
            let _ = host::find_device(Some(&"loopback, Virtual".into()), Direction::Duplex);
            eprintln!("scanned");
        }
        _ => {}
    }
    eprintln!("done");
}
