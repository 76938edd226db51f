//! Sound files: the libsndfile wrapper ([`soundfile`]), files as the
//! sources and sinks of streams ([`file`](mod@file)), and level meters ([`levels`]).
//!
//! Behind the default cargo feature `sndfile`.

pub mod file;
pub mod levels;
pub mod soundfile;
