//! Sound files: the libsndfile wrapper ([`soundfile`]), files as the
//! sources and sinks of streams ([`file`](mod@file), and [`sink`] for
//! recordings in one file or many), and level meters ([`levels`]).
//!
//! Behind the default cargo feature `sndfile`.

pub mod file;
pub mod levels;
pub mod sink;
pub mod soundfile;
