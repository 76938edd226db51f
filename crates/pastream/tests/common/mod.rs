//! The shared parts of the library's integration tests: the test kit, and
//! the loopback suite that runs on every loopback device.
#![allow(dead_code)]

pub use pastream_testkit::*;

pub mod callbacks;
pub mod faults;
pub mod mixer;
pub mod suite;
