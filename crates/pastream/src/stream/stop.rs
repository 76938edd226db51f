//! Stopping a stream from another thread: a signal handler's thread, a
//! user interface, a watchdog.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Stream;
use super::workers::Control;
use crate::host::Wake;
use crate::rt::stats::Stats;

/// Stops a stream's run from any thread, while the stream's owner is
/// blocked in [`start`](Stream::start) (filling the prebuffer),
/// [`wait`](Stream::wait) or [`stop`](Stream::stop).
///
/// [`stop`](Self::stop) ends the run as [`Stream::stop`] does: the
/// callback ends at its next block, the workers drain the rings, a file
/// sink finalizes its file; the owner's `wait` returns. Asked while the
/// prebuffer fills, the run ends before the device starts.
/// [`hurry`](Self::hurry) also tells the workers to end now, leaving what
/// their rings hold (a second Ctrl-C while a slow reader takes the end of
/// a recording). Between runs, neither does anything.
///
/// # Examples
///
/// ```
/// # let config = pastream::StreamConfig::new().device("loopback");
/// use std::time::Duration;
/// use pastream::InputStream;
///
/// let mut stream = InputStream::open(&config)?;
/// let handle = stream.stop_handle();
/// stream.start()?; // no length: runs until stopped
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(50));
///     handle.stop();
/// });
/// stream.wait(None)?; // returns once the handle stopped the run
/// assert!(stream.stopped() && !stream.aborted());
/// # Ok::<(), pastream::StreamError>(())
/// ```
#[derive(Clone, Debug)]
pub struct StopHandle {
    stats: Arc<Stats>,
    control: Arc<Control>,
    wake: Arc<Wake>,
}

impl StopHandle {
    /// Ends the current run: see the [type's docs](Self).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// # let mut stream = pastream::OutputStream::open(&config)?;
    /// let handle = stream.stop_handle();
    /// stream.start()?;
    /// handle.stop();
    /// stream.wait(None)?;
    /// assert!(stream.finished());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn stop(&self) {
        self.control.stop_requested.store(true, Ordering::Release);
        self.stats.request_stop();
        self.wake.ring();
    }

    /// Ends the current run and tells its workers to end now, without
    /// draining their rings: a file sink finalizes its file with what it
    /// has written (see [`WorkerContext::hurry`](crate::WorkerContext::hurry)).
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// # let mut stream = pastream::InputStream::open(&config)?;
    /// let handle = stream.stop_handle();
    /// stream.start()?;
    /// handle.hurry();
    /// stream.wait(None)?;
    /// assert!(stream.finished());
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn hurry(&self) {
        self.control.hurry.store(true, Ordering::Release);
        self.stop();
    }
}

impl Stream {
    /// A handle that stops this stream's runs from another thread.
    ///
    /// # Examples
    ///
    /// ```
    /// # let config = pastream::StreamConfig::new().device("loopback");
    /// # let stream = pastream::InputStream::open(&config)?;
    /// let handle = stream.stop_handle();
    /// handle.stop(); // between runs: nothing happens
    /// # Ok::<(), pastream::StreamError>(())
    /// ```
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            stats: self.stats.clone(),
            control: self.control.clone(),
            wake: self.wake.clone(),
        }
    }
}
