//! The command line's arguments: any list of words is read into a plan or
//! refused with one line, never a panic. Words are separated by NUL bytes.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use pastream_cli::args::Cli;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let words = std::iter::once("pastream").chain(text.split('\0'));
    if let Ok(cli) = Cli::try_parse_from(words) {
        if let Err(e) = cli.plan() {
            assert!(!e.contains('\n'), "a multi-line error: {e:?}");
        }
    }
});
