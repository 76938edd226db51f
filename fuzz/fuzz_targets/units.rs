//! Durations and sizes as the command line reads them: any text gives a
//! value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pastream::units::{Duration, hms, parse_size};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = parse_size(text) {
        let _ = hms(v);
    }
    if let Ok(d) = Duration::parse(text) {
        for rate in [1.0, 44100.0, 48000.0, 384000.0] {
            let _ = d.frames(rate);
        }
        let _ = d.is_negative();
    }
});
