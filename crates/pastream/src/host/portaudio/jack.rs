//! Whether the JACK server is still there, asked before any PortAudio call
//! that its JACK host answers with an assertion (aborting the process) when
//! the server has quit: stopping or closing a stream, terminating.
//!
//! The question goes to the server's own socket, which a server that quit
//! removes (or leaves with no one listening), and which a server that is
//! merely stalled still accepts: it takes no time, prints nothing and does
//! not wait for the server. Both layouts are known: JACK 2's
//! `/dev/shm/jack_NAME_UID_0` and JACK 1's `/dev/shm/jack-UID/NAME/jack_0`,
//! the server named by `JACK_DEFAULT_SERVER` or `default`, as clients name
//! it.

#[cfg(target_os = "linux")]
pub(super) fn server_alive() -> bool {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::net::UnixStream;

    let name = std::env::var("JACK_DEFAULT_SERVER")
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_owned());
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return true;
    };
    [
        format!("/dev/shm/jack_{name}_{uid}_0"),
        format!("/dev/shm/jack-{uid}/{name}/jack_0"),
    ]
    .iter()
    .any(|socket| UnixStream::connect(socket).is_ok())
}

#[cfg(not(target_os = "linux"))]
pub(super) fn server_alive() -> bool {
    true
}
