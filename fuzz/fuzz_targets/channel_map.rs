//! Channel maps: parsed from any text and checked against any channel
//! counts, with memory in proportion to the map, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pastream::ChannelMap;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let sources = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let destinations = usize::from(u16::from_le_bytes([data[2], data[3]]));
    let Ok(text) = std::str::from_utf8(&data[4..]) else {
        return;
    };
    if let Ok(map) = text.parse::<ChannelMap>() {
        let _ = map.validate(sources, destinations);
        let _ = map.validate(usize::MAX, destinations);
    }
});
