//! Everything that runs on the audio thread.
//!
//! # The real-time rules
//!
//! A host calls its stream's callback once per block, on a thread that must
//! never wait. The callback and everything it calls:
//!
//! - never allocates or frees memory: every buffer, map and ring is
//!   allocated when a stream is opened or started;
//! - never takes a lock, never blocks, makes no system call and does no
//!   I/O: it talks to other threads only through lock-free ring buffers
//!   ([`ring`]) and atomics ([`stats`]);
//! - never panics: hosts catch a panic at the boundary to C, abort the
//!   stream and report it;
//! - plays silence where it has no data, and counts it.
//!
//! The code that runs there, and nothing else, lives in this module:
//! [`callback`] (the interface hosts call), [`engine`] (the state machine
//! of buffered streams), [`mapping`] (channel maps), [`mixer`] (scheduled actions), [`ring`] (the ring
//! buffers), [`stats`] (the counters). The hosts' own callback glue
//! (`host::portaudio`, `host::loopback`) and the float conversions of
//! [`crate::sample::convert`] run there too, and follow the same rules.
//! The tests run every callback of every host inside `assert_no_alloc`.

pub mod callback;
pub mod engine;
pub mod mapping;
pub mod mixer;
pub mod ring;
pub mod stats;
pub mod user;
