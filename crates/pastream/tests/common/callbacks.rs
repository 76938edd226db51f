//! The loopback suite's callback streams: a user's function as the
//! callback, typed and raw. Every callback runs with allocation forbidden
//! (the rigs' callback guard), the user's function included: it works in
//! memory allocated before the run.

use pastream::rt::ring::RingBuffer;
use pastream::{
    BlockingStream, CallbackResult, CallbackStream, HostErrorKind, Sample, SampleFormat,
    StreamError,
};

use super::*;

/// Plays `play` (interleaved bytes of `format`, `ch` channels) through a
/// duplex callback on the rig and returns what came back, `extra` frames
/// longer than the playback. `raw`: the raw (byte) form of the callback.
fn callback_playrec(
    rig: &Rig,
    format: SampleFormat,
    ch: usize,
    play: Vec<u8>,
    extra: usize,
    raw: bool,
) -> Vec<u8> {
    let fs = format.frame_size(ch);
    let total = play.len() / fs + extra;
    // The recording leaves the callback through a ring: no lock.
    let (mut tx, mut rx) = RingBuffer::new_raw(fs, total.next_power_of_two()).unwrap();
    let mut pos = 0usize;
    let mut step = move |input: &[u8], output: &mut [u8], frames: usize| {
        let n = frames.min(total - pos);
        let (a, b) = (pos * fs, (pos + n) * fs);
        tx.write_raw(&input[..n * fs]);
        let from = a.min(play.len());
        let to = b.min(play.len());
        output[..to - from].copy_from_slice(&play[from..to]);
        pos += n;
        if pos == total {
            CallbackResult::Complete
        } else {
            CallbackResult::Continue
        }
    };
    let config = (rig.config)(ch, format, 128);
    let mut s = if raw {
        CallbackStream::raw_duplex(&config, move |i, o, info| step(i, o, info.frames)).unwrap()
    } else {
        typed_duplex(&config, format, move |i, o, n| step(i, o, n))
    };
    s.start().unwrap();
    assert!(s.wait(None).unwrap());
    assert_eq!(s.frame_count(), total as u64);
    let rec = rx.read_raw(usize::MAX);
    assert_eq!(rec.len(), total * fs);
    rec
}

/// A typed duplex callback of the format's own sample type, over a step
/// on bytes.
fn typed_duplex(
    config: &pastream::StreamConfig,
    format: SampleFormat,
    step: impl FnMut(&[u8], &mut [u8], usize) -> CallbackResult + Send + 'static,
) -> CallbackStream {
    fn make<T: Sample>(
        config: &pastream::StreamConfig,
        mut step: impl FnMut(&[u8], &mut [u8], usize) -> CallbackResult + Send + 'static,
    ) -> CallbackStream {
        CallbackStream::duplex(config, move |i: &[T], o: &mut [T], info| {
            step(
                pastream::sample::as_bytes(i),
                bytemuck::cast_slice_mut(o),
                info.frames,
            )
        })
        .unwrap()
    }
    match format {
        SampleFormat::F32 => make::<f32>(config, step),
        SampleFormat::I16 => make::<i16>(config, step),
        SampleFormat::I32 => make::<i32>(config, step),
        other => panic!("no typed test for {other}"),
    }
}

pub fn callback_round_trip_bit_exact(rig: &Rig) {
    let seed = seed();
    for (format, raw) in [
        (SampleFormat::F32, false),
        (SampleFormat::I16, false),
        (SampleFormat::I24, true),
    ] {
        let ch = 2;
        let fs = format.frame_size(ch);
        let play = Signal::new(seed, format, ch).take(9600);
        let d = (rig.delay)(128);
        let rec = callback_playrec(rig, format, ch, play.clone(), d, raw);
        let delay = find_preamble(&rec, format, ch).expect("the preamble came back");
        assert_eq!(delay, d, "{format}");
        assert_samples_equal(&rec[delay * fs..], &play, format, ch);
    }
    assert_no_violations();
}

pub fn callback_output_left_unwritten_is_silence(rig: &Rig) {
    // Even blocks write 0x55, odd blocks leave the output alone: what
    // comes back after the delay alternates between 0x55 and silence (128
    // in uint8), block by block.
    let format = SampleFormat::U8;
    let lag = ((rig.delay)(64) / 64) as u64;
    let mut s = CallbackStream::raw_duplex(&(rig.config)(1, format, 64), {
        let mut wrong = 0u32;
        move |input, output, info| {
            let block = info.start_frame / 64;
            if block % 2 == 0 {
                output.fill(0x55);
            }
            if block >= lag {
                let want = if (block - lag) % 2 == 0 { 0x55 } else { 128 };
                if input.iter().any(|&b| b != want) {
                    wrong += 1;
                }
            }
            match (wrong, block) {
                (1.., _) => CallbackResult::Abort,
                (_, 40) => CallbackResult::Complete,
                _ => CallbackResult::Continue,
            }
        }
    })
    .unwrap();
    s.start().unwrap();
    s.wait(None).unwrap();
    assert!(!s.aborted(), "a block came back other than written");
    assert_eq!(s.frame_count(), 41 * 64);
}

pub fn callback_abort_and_stop_end_the_run(rig: &Rig) {
    let mut s = CallbackStream::output(&(rig.config)(2, SampleFormat::F32, 64), {
        let mut blocks = 0;
        move |_out: &mut [f32], _info| {
            blocks += 1;
            if blocks == 5 {
                CallbackResult::Abort
            } else {
                CallbackResult::Continue
            }
        }
    })
    .unwrap();
    s.start().unwrap();
    assert!(s.wait(None).unwrap());
    assert!(s.aborted());
    assert_eq!(s.frame_count(), 5 * 64);
    // It runs again, from frame 0, until stopped.
    s.start().unwrap();
    s.stop().unwrap();
    assert!(s.stopped() && !s.aborted());
}

pub fn callback_panic_comes_back(rig: &Rig) {
    let mut s = CallbackStream::output(&(rig.config)(2, SampleFormat::F32, 64), {
        let mut blocks = 0;
        move |_out: &mut [f32], _info| {
            blocks += 1;
            if blocks == 3 {
                panic!("a bug in the user's callback");
            }
            CallbackResult::Continue
        }
    })
    .unwrap();
    s.start().unwrap();
    let e = s.wait(None).unwrap_err();
    match &e {
        StreamError::Host(h) => assert_eq!(h.kind(), HostErrorKind::CallbackPanicked, "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(s.aborted());
}

pub fn a_typed_callback_of_another_format_is_refused(rig: &Rig) {
    let config = (rig.config)(2, SampleFormat::I16, 64);
    let e =
        CallbackStream::output(&config, |_o: &mut [f32], _i| CallbackResult::Complete).unwrap_err();
    assert!(matches!(e, StreamError::Sample(_)), "{e:?}");
}

pub fn blocking_round_trip_bit_exact(rig: &Rig) {
    let seed = seed();
    let (ch, chunk, chunks) = (2, 4096, 12);
    let mut play: Vec<f32> = Signal::new(seed, SampleFormat::F32, ch).samples(chunk * chunks);
    // A silent piece after the signal: the reads that take the loopback's
    // delay never find the output empty.
    play.extend(std::iter::repeat_n(0.0, chunk * ch));
    let mut s = BlockingStream::<f32>::duplex(&(rig.config)(ch, SampleFormat::F32, 256)).unwrap();
    // Two pieces ahead, written before the start: a real-time device
    // never waits for the program.
    let mut flags = (false, false);
    flags.0 |= s.write(&play[..2 * chunk * ch]).unwrap();
    s.start().unwrap();
    let mut rec = Vec::new();
    for k in 2..chunks + 2 {
        if k <= chunks {
            flags.0 |= s
                .write(&play[k * chunk * ch..(k + 1) * chunk * ch])
                .unwrap();
        }
        let (got, overflowed) = s.read(chunk).unwrap();
        flags.1 |= overflowed;
        rec.extend_from_slice(pastream::sample::as_bytes(&got));
    }
    s.stop().unwrap();
    assert_eq!(flags, (false, false), "(underflowed, overflowed)");
    let fs = SampleFormat::F32.frame_size(ch);
    let delay = find_preamble(&rec, SampleFormat::F32, ch).expect("the preamble came back");
    assert_eq!(delay, (rig.delay)(256));
    let n = chunk * chunks - delay;
    assert_samples_equal(
        &rec[delay * fs..(delay + n) * fs],
        &pastream::sample::as_bytes(&play)[..n * fs],
        SampleFormat::F32,
        ch,
    );
    assert_no_violations();
}

pub fn blocking_flags_when_starved_or_flooded(rig: &Rig) {
    // Output the program does not write in time: underflowed.
    let mut out =
        BlockingStream::<f32>::output(&(rig.realtime)(2, SampleFormat::F32, 256)).unwrap();
    out.start().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(
        out.write(&[0.1f32; 2 * 256]).unwrap(),
        "a starved output is flagged"
    );
    out.stop().unwrap();
    // Input the program does not read in time: overflowed, then not.
    let mut inp = BlockingStream::<f32>::input(&(rig.realtime)(2, SampleFormat::F32, 256)).unwrap();
    inp.start().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    // The device's xrun count before the read whose flag the next read
    // resets.
    let mut before = inp.xruns().total;
    let (_, overflowed) = inp.read(256).unwrap();
    assert!(overflowed, "a flooded input is flagged");
    while inp.read_available() > 256 {
        before = inp.xruns().total;
        inp.read(256).unwrap();
    }
    // Reset by a read: no input is lost now, unless the device itself
    // reported an xrun meanwhile (a loaded machine can make it late).
    let (_, overflowed) = inp.read(256).unwrap();
    if inp.xruns().total == before {
        assert!(!overflowed, "the flag is reset by a read");
    }
    inp.stop().unwrap();
    // What the device delivered before the stop can still be read; then
    // a read does not wait on a stopped stream.
    let left = inp.read_available();
    assert_eq!(inp.read(left).unwrap().0.len(), 2 * left);
    assert!(inp.read(1).is_err());
}

/// The convenience functions, in one test: they share one stream per
/// process.
pub fn convenience_play_rec_playrec_and_defaults(rig: &Rig) {
    use pastream::Convenience;
    use pastream::defaults::{self, Defaults};
    let seed = seed();
    let format = SampleFormat::F32;
    let base = (rig.config)(2, format, 128);
    let d = (rig.delay)(128);
    let o = |mapping: Option<Vec<usize>>, input_mapping: Option<Vec<usize>>| Convenience {
        mapping,
        input_mapping,
        blocking: true,
        config: Some(base.clone()),
        ..Convenience::default()
    };
    // playrec with both mappings: stereo data played swapped, recorded
    // straight, comes back swapped.
    let data: Vec<f32> = Signal::new(seed, format, 2).samples(4800);
    let mut padded = data.clone();
    padded.extend(std::iter::repeat_n(0.0, 2 * d));
    let rec = pastream::playrec(&padded, 2, 2, &o(Some(vec![2, 1]), Some(vec![1, 2])))
        .unwrap()
        .unwrap()
        .into_raw();
    let fs = format.frame_size(2);
    let want = permute(pastream::sample::as_bytes(&data), format, 2, &[2, 1]);
    assert_samples_equal(&rec[d * fs..], &want, format, 2);
    // Mono played on device channel 2 and recorded from it.
    let mono: Vec<f32> = Signal::new(seed, format, 1).samples(2000);
    let mut padded = mono.clone();
    padded.extend(std::iter::repeat_n(0.0, d));
    let rec = pastream::playrec(&padded, 1, 1, &o(Some(vec![2]), Some(vec![2])))
        .unwrap()
        .unwrap()
        .into_raw();
    assert_samples_equal(&rec[d * 4..], pastream::sample::as_bytes(&mono), format, 1);
    // rec with a mapping: one channel per entry.
    let r = pastream::rec::<f32>(1000, 2, &o(Some(vec![3, 1]), None))
        .unwrap()
        .unwrap();
    assert_eq!(r.samples::<f32>().unwrap().len(), 2000);
    assert_eq!(pastream::with_stream(|s| s.channels()).unwrap(), (3, 0));
    // play loops until stopped; wait returns then.
    let looping = Convenience {
        looping: true,
        blocking: false,
        ..o(None, None)
    };
    pastream::play(&data, 2, &looping).unwrap();
    while pastream::with_stream(|s| s.frame_count()).unwrap() < 3 * 4800 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    pastream::stop().unwrap();
    let (status, recording) = pastream::wait().unwrap();
    assert!(recording.is_none());
    assert_eq!(status, pastream::get_status().unwrap());
    // Defaults, applied and reset.
    let from_defaults = Convenience {
        config: None,
        ..o(None, None)
    };
    let dev = base.clone();
    defaults::set(Defaults {
        device: (dev_selector(&dev), dev_selector(&dev)),
        blocksize: 64,
        ..Defaults::default()
    });
    pastream::rec::<f32>(480, 1, &from_defaults).unwrap();
    assert_eq!(pastream::with_stream(|s| s.blocksize()).unwrap(), 64);
    defaults::reset();
    assert_eq!(defaults::get(), Defaults::default());
}

/// The device a rig's configuration names.
fn dev_selector(config: &pastream::StreamConfig) -> Option<pastream::DeviceSelector> {
    config.device_selector().cloned()
}

/// An output stream whose block k (from 0) holds (k + 1) / 64 on every
/// sample, and whose tenth block answers `end`.
pub fn ten_blocks_then(config: &pastream::StreamConfig, end: CallbackResult) -> CallbackStream {
    CallbackStream::output(config, move |out: &mut [f32], info| {
        let k = info.start_frame / info.frames.max(1) as u64;
        out.fill((k + 1) as f32 / 64.0);
        if k == 9 {
            end
        } else {
            CallbackResult::Continue
        }
    })
    .unwrap()
}

/// The blocks a listener heard from [`ten_blocks_then`]: the values in
/// order, each once, silence left out.
pub fn blocks_heard(heard: &[u8]) -> Vec<f32> {
    let mut values: Vec<f32> = Vec::new();
    for s in heard
        .chunks_exact(4)
        .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    {
        if s != 0.0 && values.last() != Some(&s) {
            values.push(s);
        }
    }
    values
}

/// What a listener must hear: every block with complete, all but the last
/// with abort.
pub fn check_heard(values: &[f32], end: CallbackResult) {
    let blocks = if end == CallbackResult::Complete {
        10
    } else {
        9
    };
    let want: Vec<f32> = (1..=blocks).map(|k| k as f32 / 64.0).collect();
    assert_eq!(values, want, "{end:?}");
}

/// A duplex stream that plays one sample format and records another:
/// what comes back is the playback converted by the library's full-scale
/// rule, sample for sample.
pub fn two_formats_round_trip(rig: &Rig) {
    use pastream::sample::convert::convert_sample;
    let seed = seed();
    for (out_fmt, in_fmt) in [
        (SampleFormat::F32, SampleFormat::I16),
        (SampleFormat::I16, SampleFormat::F32),
        (SampleFormat::I24, SampleFormat::I16),
    ] {
        let ch = 2;
        let config = (rig.config)(ch, out_fmt, 256).input_format(in_fmt);
        let mut s = pastream::DuplexStream::open(&config).unwrap();
        assert_eq!(s.formats(), (in_fmt, out_fmt));
        let play = Signal::new(seed, out_fmt, ch).take(4800);
        let d = (rig.delay)(256);
        let rec = s
            .playrec(
                pastream::Source::raw(play.clone()),
                &pastream::Transfer::new().pad(d as i64).blocking(true),
            )
            .unwrap()
            .unwrap();
        assert_eq!(rec.format(), in_fmt);
        let rec = rec.into_raw();
        let (oss, iss) = (out_fmt.sample_size(), in_fmt.sample_size());
        let mut want = vec![0u8; play.len() / oss * iss];
        for (o, i) in play.chunks_exact(oss).zip(want.chunks_exact_mut(iss)) {
            convert_sample(o, out_fmt, i, in_fmt);
        }
        let fs = in_fmt.frame_size(ch);
        assert_samples_equal(&rec[d * fs..], &want, in_fmt, ch);
    }
    assert_no_violations();
}
