//! Real-time audio streams.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod callback;
pub mod engine;
pub mod format;
pub mod mapping;
pub mod ring;
