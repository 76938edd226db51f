//! A doorbell between the threads around a stream's callback: the worker
//! threads, the thread that waits for the run, and a host that may make
//! system calls (the free-running virtual device). Whoever makes progress
//! rings it; whoever waits for progress sleeps until it rings or a time
//! passes. The audio callback never touches it: on a real device, the
//! others sleep by time instead.
#![forbid(unsafe_code)]

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// See the [module docs](self).
#[derive(Debug, Default)]
pub struct Wake {
    rung: Mutex<u64>,
    bell: Condvar,
}

impl Wake {
    fn count_guard(&self) -> MutexGuard<'_, u64> {
        self.rung.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How often it has rung so far.
    pub fn count(&self) -> u64 {
        *self.count_guard()
    }

    /// Rings, waking every waiter; returns the new count.
    pub fn ring(&self) -> u64 {
        let mut n = self.count_guard();
        *n += 1;
        self.bell.notify_all();
        *n
    }

    /// Waits until it has rung more than `seen` times, or `timeout`
    /// passed; returns the count.
    pub fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        let mut n = self.count_guard();
        while *n <= seen {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            n = match self.bell.wait_timeout(n, deadline - now) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
        *n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_ring_wakes_a_waiter_and_a_timeout_ends_a_wait() {
        let wake = Arc::new(Wake::default());
        let seen = wake.count();
        let t0 = Instant::now();
        assert_eq!(wake.wait_past(seen, Duration::from_millis(20)), seen);
        assert!(t0.elapsed() >= Duration::from_millis(20));
        let ringer = {
            let wake = wake.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(10));
                wake.ring();
            })
        };
        let t0 = Instant::now();
        assert_eq!(wake.wait_past(seen, Duration::from_secs(10)), seen + 1);
        assert!(t0.elapsed() < Duration::from_secs(5));
        ringer.join().unwrap();
        // Already rung: no wait at all.
        assert_eq!(wake.wait_past(seen, Duration::from_secs(10)), seen + 1);
    }
}
