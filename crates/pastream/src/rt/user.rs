//! A user's function as a stream's callback: the real-time side of
//! [`CallbackStream`](crate::stream::callback::CallbackStream).
//!
//! The function gets the block's input and output as bytes (the typed
//! forms are views of them) with the output already silent, and answers
//! continue, complete or abort. Around it this keeps the stream's
//! counters (frames, xruns, status, timestamps) and honours the stream's
//! stop and abort requests, as the engine does. It runs under the
//! real-time rules of the [module docs](super): nothing here allocates,
//! locks or waits, and the user's function must not either.
#![forbid(unsafe_code)]

use std::sync::Arc;

use super::callback::{AudioCallback, Block, CallbackResult, StatusFlags, TimeInfo};
use super::stats::{Outcome, Stats};

/// What a callback function knows of its block.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback").clock(pastream::Clock::FreeRunning).blocksize(100);
/// use pastream::{CallbackInfo, CallbackResult, CallbackStream};
///
/// let mut stream = CallbackStream::input(&config, |_input: &[f32], info: &CallbackInfo| {
///     if info.start_frame + info.frames as u64 >= 1000 {
///         CallbackResult::Complete
///     } else {
///         CallbackResult::Continue
///     }
/// })?;
/// stream.start()?;
/// stream.wait(None)?;
/// assert_eq!(stream.frame_count(), 1000);
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallbackInfo {
    /// Frames in this block.
    pub frames: usize,
    /// Frames the run has processed before this block.
    pub start_frame: u64,
    /// The block's timestamps: when its input was captured, now, and when
    /// its output will be heard (the host's stream clock, in seconds).
    pub time: TimeInfo,
    /// Xruns and priming since the previous block.
    pub status: StatusFlags,
}

/// A callback function on bytes: input, output (silent when called),
/// what is known of the block.
pub type RawCallbackFn =
    dyn FnMut(&[u8], &mut [u8], &CallbackInfo) -> CallbackResult + Send + 'static;

/// Whether a block of so many frames can run now (see
/// [`AudioCallback::ready`]).
pub(crate) type ReadyFn = dyn Fn(usize) -> bool + Send + 'static;

/// A user's function and the counters kept around it.
pub(crate) struct UserCallback {
    f: Box<RawCallbackFn>,
    ready: Option<Box<ReadyFn>>,
    stats: Arc<Stats>,
    silence: u8,
    frame_count: u64,
    done: bool,
}

impl UserCallback {
    pub(crate) fn new(f: Box<RawCallbackFn>, stats: Arc<Stats>, silence: u8) -> UserCallback {
        UserCallback {
            f,
            ready: None,
            stats,
            silence,
            frame_count: 0,
            done: false,
        }
    }

    /// Paces a free-running host by `ready`.
    pub(crate) fn with_ready(mut self, ready: Box<ReadyFn>) -> UserCallback {
        self.ready = Some(ready);
        self
    }

    /// Gets ready for a new run: counters from zero.
    pub(crate) fn restart(&mut self) {
        self.stats.reset();
        self.frame_count = 0;
        self.done = false;
    }

    fn end(&mut self, outcome: Outcome) {
        self.done = true;
        self.stats.finish(outcome);
    }
}

impl AudioCallback for UserCallback {
    fn process(&mut self, block: Block<'_>) -> CallbackResult {
        let Block {
            input,
            output,
            frames,
            time,
            status,
        } = block;
        let st = &*self.stats;
        st.record_block(status, &time);
        let out: &mut [u8] = match output {
            Some(o) => {
                o.fill(self.silence);
                o
            }
            None => &mut [],
        };
        if let Some(r) = st.requested_end(&mut self.done) {
            return r;
        }
        let info = CallbackInfo {
            frames,
            start_frame: self.frame_count,
            time,
            status,
        };
        let result = (self.f)(input.unwrap_or(&[]), &mut *out, &info);
        self.frame_count += frames as u64;
        self.stats.set_frame_count(self.frame_count);
        match result {
            CallbackResult::Continue => {}
            CallbackResult::Complete => self.end(Outcome::Complete),
            CallbackResult::Abort => {
                // The block's output is dropped: pending output is not
                // heard, on every host.
                out.fill(self.silence);
                self.end(Outcome::Aborted);
            }
        }
        result
    }

    fn ready(&self, frames: usize) -> bool {
        self.wants_to_end() || self.ready.as_ref().is_none_or(|r| r(frames))
    }

    fn wants_to_end(&self) -> bool {
        self.done || self.stats.end_requested()
    }
}
