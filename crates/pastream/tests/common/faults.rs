//! The loopback suite's faults: workers that stall, a stop asked for from
//! another thread, a full ring followed by a broken pipe, files rotated
//! during a run. Each takes the device as a [`Rig`].

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pastream::io::sink::{FileSink, Rotate};
use pastream::io::soundfile::{FileError, FileOptions, SoundFile};
use pastream::rt::ring::RingBuffer;
use pastream::{
    DuplexStream, InputStream, OutputStream, Prebuffer, SampleFormat, Sink, Source, StreamError,
};

use super::*;

const F32: SampleFormat = SampleFormat::F32;

/// How long a stop may take whatever stalls: the stall limit (100 ms here)
/// and the time to end a block and join the threads, with room for a
/// loaded machine.
const STOP_BOUND: Duration = Duration::from_secs(1);

/// A worker that blocks, as one writing to a pipe nobody reads, until the
/// returned sender is dropped.
fn blocker() -> (mpsc::Sender<()>, Arc<Mutex<mpsc::Receiver<()>>>) {
    let (tx, rx) = mpsc::channel();
    (tx, Arc::new(Mutex::new(rx)))
}

pub fn a_stalled_sink_does_not_hold_up_the_stop(rig: &Rig) {
    let (release, blocked) = blocker();
    let mut s = InputStream::open(&(rig.realtime)(2, F32, 256)).unwrap();
    s.set_sink(Some(Sink::drainer(move |_rx, _ctx| {
        let _ = blocked.lock().unwrap().recv();
        Ok(())
    })))
    .unwrap();
    s.start().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    let e = s.stop().unwrap_err();
    let took = t0.elapsed();
    assert!(took < STOP_BOUND, "the stop took {took:?}");
    assert!(matches!(e, StreamError::Stalled { .. }), "{e:?}");
    assert!(e.to_string().starts_with("the recording stalled"), "{e}");
    drop(release);
}

pub fn a_stalled_feeder_does_not_hold_up_the_start(rig: &Rig) {
    let (release, blocked) = blocker();
    let mut s = OutputStream::open(&(rig.realtime)(2, F32, 256)).unwrap();
    s.set_source(Some(Source::feeder(move |tx, _ctx| {
        // A little, then a pipe that stalls before the prebuffer fills.
        tx.write(&[0.25f32; 2 * 100])?;
        let _ = blocked.lock().unwrap().recv();
        Ok(())
    })))
    .unwrap();
    let handle = s.stop_handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        handle.stop();
        Instant::now()
    });
    s.start_with(Prebuffer::Frames(1 << 13)).unwrap();
    let stopped = stopper.join().unwrap();
    let took = stopped.elapsed();
    assert!(
        took < STOP_BOUND,
        "the start returned {took:?} after the stop"
    );
    assert!(s.finished() && !s.aborted());
    assert_eq!(s.frame_count(), 0, "nothing was played");
    drop(release);
}

/// A sink that writes in stretches of 80 ms (a slow disk or reader) and,
/// once the run is over, pauses for 150 ms: longer than the stall limit,
/// shorter than four of its stretches, so the stop waits for it, and it
/// gets every frame.
pub fn a_slow_sinks_long_pause_is_waited_for(rig: &Rig) {
    let fs = F32.frame_size(2);
    let got = Arc::new(Mutex::new(0usize));
    let sink = got.clone();
    let mut s = InputStream::open(&(rig.realtime)(2, F32, 256)).unwrap();
    s.set_sink(Some(Sink::drainer(move |rx, ctx| {
        let mut paused = false;
        loop {
            let n = rx.read_raw(usize::MAX).len() / fs;
            *sink.lock().unwrap() += n;
            if ctx.done() {
                if rx.read_available() == 0 && paused {
                    return Ok(());
                }
                if !paused {
                    paused = true;
                    std::thread::sleep(Duration::from_millis(150));
                    continue;
                }
            }
            std::thread::sleep(Duration::from_millis(80));
        }
    })))
    .unwrap();
    s.start().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    s.stop().unwrap();
    assert_eq!(*got.lock().unwrap() as u64, s.frame_count());
}

pub fn hurry_leaves_the_ring(rig: &Rig) {
    let fs = F32.frame_size(2);
    let got = Arc::new(Mutex::new(0usize));
    let sink = got.clone();
    let mut s = InputStream::open(&(rig.realtime)(2, F32, 256)).unwrap();
    s.set_sink(Some(Sink::drainer(move |rx, ctx| {
        // A reader far slower than the stream: 64 frames every 10 ms.
        while !ctx.hurry() {
            let n = rx.read_raw(64).len() / fs;
            *sink.lock().unwrap() += n;
            if n == 0 && ctx.done() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    })))
    .unwrap();
    let handle = s.stop_handle();
    s.start().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    handle.stop();
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    handle.hurry();
    assert!(s.wait(Some(Duration::from_secs(5))).unwrap());
    assert!(t0.elapsed() < STOP_BOUND, "{:?}", t0.elapsed());
    let got = *got.lock().unwrap() as u64;
    assert!(got < s.frame_count(), "{got} of {}", s.frame_count());
}

pub fn buffer_full_then_a_broken_pipe_reports_the_full_buffer(rig: &Rig) {
    // In real time: a free-running device waits for a sink that does not
    // read.
    let mut s = InputStream::open(&(rig.realtime)(2, F32, 256)).unwrap();
    s.set_sink(Some(Sink::Drainer {
        drain: Box::new(|_rx, ctx| {
            // Reads nothing; when the run ends, its reader goes away.
            while !ctx.done() {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(FileError::BrokenPipe { target: "-".into() }.into())
        }),
        buffer_frames: Some(1024),
    }))
    .unwrap();
    s.start().unwrap();
    let e = s.wait(None).unwrap_err();
    assert!(
        matches!(e, StreamError::BufferFull { frames: 1024 }),
        "{e:?}"
    );
    assert!(!e.is_broken_pipe());
}

pub fn buffer_full_at_the_last_frame_stored(rig: &Rig) {
    let fs = F32.frame_size(2);
    let mut s = InputStream::open(&(rig.config)(2, F32, 100)).unwrap();
    let (rxw, rx) = RingBuffer::new_raw(fs, 1024).unwrap();
    s.set_sink(Some(Sink::Ring(rxw))).unwrap();
    s.start().unwrap();
    let e = s.wait(None).unwrap_err();
    let stored = rx.read_available() as u64;
    assert!(
        matches!(e, StreamError::BufferFull { frames } if frames == stored),
        "{e:?}, {stored} frames stored"
    );
    assert_eq!(s.frame_count(), stored);
}

pub fn rotated_files_join_into_the_recording(rig: &Rig) {
    let seed = seed();
    let (total, every) = (20_000usize, 3001u64);
    let dir = std::env::temp_dir().join(format!("pastream-rotate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = DuplexStream::open(&(rig.config)(2, F32, 256)).unwrap();
    let d = (rig.delay)(256);
    let options = FileOptions::for_stream(&s);
    let pattern = dir.join("take-{n:3}.wav");
    let sink = FileSink::rotating(
        pattern.to_str().unwrap(),
        &options,
        Rotate::Frames(every),
        F32,
    )
    .unwrap();
    let report = sink.report();
    s.set_sink(Some(sink.into())).unwrap();
    let play = Signal::new(seed, F32, 2).take(total);
    s.set_source(Some(Source::raw(play.clone()))).unwrap();
    s.set_pad(d as i64);
    s.start().unwrap();
    s.wait(None).unwrap();
    let files = report.files();
    let frames = (total + d) as u64;
    assert_eq!(report.frames(), frames);
    assert_eq!(files.len() as u64, frames.div_ceil(every));
    let mut joined = Vec::new();
    for (k, name) in files.iter().enumerate() {
        assert!(name.ends_with(&format!("take-{:03}.wav", k + 1)), "{name}");
        let mut f = SoundFile::open(name).unwrap();
        let n = f.info().frames.unwrap();
        if k + 1 < files.len() {
            assert_eq!(n, every, "{name}");
        }
        let mut buf = vec![0u8; n as usize * F32.frame_size(2)];
        assert_eq!(f.read_raw(&mut buf, F32).unwrap() as u64, n);
        joined.extend_from_slice(&buf);
    }
    assert_samples_equal(&joined[d * F32.frame_size(2)..], &play, F32, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
