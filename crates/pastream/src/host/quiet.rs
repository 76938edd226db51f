//! Keeping what the system's audio libraries print off standard error.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether to show what the audio libraries print. Default: hidden.
static SHOW: AtomicBool = AtomicBool::new(false);

/// Shows (or hides again) what the system's audio libraries print on
/// standard error while the library scans for devices and opens streams:
/// ALSA and JACK report every device or server they do not find, a few
/// dozen lines on a machine without sound cards. Hidden by default; show
/// them to debug a device that does not appear.
///
/// While hidden, the process's standard error points at /dev/null for the
/// duration of those calls, so whatever another thread writes there in
/// that moment is lost too.
///
/// ```
/// pastream::host::show_backend_messages(true);
/// let _ = pastream::host::query_devices(); // ALSA and JACK may speak here
/// pastream::host::show_backend_messages(false);
/// ```
pub fn show_backend_messages(show: bool) {
    SHOW.store(show, Ordering::Relaxed);
}

/// Sends the process's standard error to /dev/null while it lives, unless
/// [`show_backend_messages`] asked to see it.
pub(crate) struct Muted(Option<c_int>);

impl Muted {
    pub(crate) fn stderr() -> Muted {
        if SHOW.load(Ordering::Relaxed) {
            return Muted(None);
        }
        // SAFETY: plain descriptor calls on descriptor 2 and a new one to
        // /dev/null; every descriptor opened here is closed here or in Drop.
        unsafe {
            let saved = libc::dup(2);
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if saved < 0 || null < 0 {
                for fd in [saved, null] {
                    if fd >= 0 {
                        libc::close(fd);
                    }
                }
                return Muted(None);
            }
            libc::dup2(null, 2);
            libc::close(null);
            Muted(Some(saved))
        }
    }
}

impl Drop for Muted {
    fn drop(&mut self) {
        if let Some(saved) = self.0 {
            // SAFETY: `saved` is the descriptor dup'ed in `stderr()`.
            unsafe {
                libc::dup2(saved, 2);
                libc::close(saved);
            }
        }
    }
}
