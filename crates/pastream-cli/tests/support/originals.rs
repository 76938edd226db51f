//! The original pastream's rules where ours once differed, on any loopback
//! device: `^` for none, the pad of a recording alone, looping a standard
//! input redirected from a file, one `-t` for the recording beside a
//! playback file with a header, a sample-rate mismatch, one file as both
//! ends.

use std::process::{Command, Stdio};

use pastream::SampleFormat;
use pastream::io::soundfile::{FileOptions, SoundFile, Target};

use super::*;

/// Runs `cmd` with `args` and standard input from `stdin`.
fn run_with_stdin(cmd: &mut Command, args: &[&str], stdin: Stdio) -> (i32, String) {
    let out = cmd
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn originals_rules(cmd: fn() -> Command, device: &str) {
    let dir = scratch(&format!("originals-{}", device.replace([' ', ','], "-")));
    let data = signal(7, 4800, 2, SampleFormat::I16, 16);
    let input = dir.join("in.wav");
    write_file(&input, "WAV", "PCM_16", 2, SampleFormat::I16, &data);
    let i = input.to_str().unwrap();
    let frames_of = |p: &std::path::Path| SoundFile::open(p).unwrap().info().frames.unwrap();

    // `^` stands for none, on either side.
    let (code, _, err) = run(&mut cmd(), &[i, "^", "-D", device]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("-> null"), "{err}");
    // Records on `device` into `name` with `extra` options; the file.
    let record = |first: &str, name: &str, extra: &[&str]| {
        let rec = dir.join(name);
        let mut args = vec![first, rec.to_str().unwrap(), "-D", device];
        args.extend_from_slice(extra);
        let (code, _, err) = run(&mut cmd(), &args);
        assert_eq!(code, 0, "{extra:?}: {err}");
        rec
    };
    let rec = record("^", "caret.wav", &["-c", "2", "-d", "1000s"]);
    assert_eq!(frames_of(&rec), 1000);

    // Without -c, a recording takes every input of its device.
    let rec = record("null", "all.wav", &["-d", "100s"]);
    let inputs =
        pastream::host::find_device(Some(&device.into()), pastream::host::Direction::Input)
            .unwrap()
            .max_input_channels;
    assert_eq!(SoundFile::open(&rec).unwrap().info().channels, inputs);

    // Recording alone, the pad lengthens the recording.
    let rec = record(
        "null",
        "padded.wav",
        &["-c", "2", "-d", "1000s", "-p", "500s"],
    );
    assert_eq!(frames_of(&rec), 1500);

    // --loop with standard input redirected from a file: it loops.
    let (code, err) = run_with_stdin(
        &mut cmd(),
        &["-", "null", "--loop", "-d", "12000s", "-D", device],
        Stdio::from(std::fs::File::open(&input).unwrap()),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(reported_frames(&err), 12000, "{err}");
    // ... and from a pipe, one line.
    let mut cat = Command::new("cat")
        .arg(&input)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, err) = run_with_stdin(
        &mut cmd(),
        &["-", "null", "--loop", "-t", "wav", "-D", device],
        Stdio::from(cat.stdout.take().unwrap()),
    );
    let _ = cat.wait();
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim_end(),
        "pastream: --loop: '-' is a pipe, which cannot be played twice; give the file itself"
    );

    // One -t (and -e) beside a playback file with a header: for the
    // recording.
    let raw = dir.join("out.raw");
    let (code, _, err) = run(
        &mut cmd(),
        &[
            i,
            raw.to_str().unwrap(),
            "-t",
            "raw",
            "-e",
            "pcm_16",
            "-D",
            device,
            "-c",
            "2",
            "-p",
            "2Ks",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, _, rec) = read_file(
        &Target::Path(raw),
        SampleFormat::I16,
        &FileOptions {
            file_type: pastream::io::soundfile::FileType::from_name("RAW"),
            encoding: pastream::io::soundfile::Encoding::from_name("PCM_16"),
            samplerate: Some(48000),
            channels: Some(2),
            ..FileOptions::default()
        },
    );
    let delay = find_preamble(&rec, SampleFormat::I16, 2).expect("the preamble came back");
    assert_samples_equal(
        &rec[delay * 4..(delay + 4800) * 4],
        &data,
        SampleFormat::I16,
        2,
    );

    // A rate that is not the file's is refused, naming both.
    let (code, _, err) = run(&mut cmd(), &[i, "-r", "44.1k", "-D", device]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("44100 Hz") && err.contains("48000 Hz"),
        "{err}"
    );

    // One file as both ends: refused, and left as it was.
    let (code, _, err) = run(&mut cmd(), &[i, i, "-D", device]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(frames_of(&input), 4800);
}

/// A map case: the playback file, its data and channels, the options,
/// and what each recorded channel holds (a channel of the file, or
/// silence).
type MapCase<'a> = (
    &'a std::path::Path,
    &'a [u8],
    usize,
    Vec<&'a str>,
    Vec<Option<usize>>,
);

/// Every form of the original's `-m`, channel by channel: one word (the
/// recording's map when there is a recording) or two (playback,
/// recording), lists or IN:OUT pairs, with and without `-c`.
pub fn every_map_form_of_the_original(cmd: fn() -> Command, device: &str) {
    let dir = scratch(&format!("maps-{}", device.replace([' ', ','], "-")));
    let frames = 3000;
    let stereo = signal(21, frames, 2, SampleFormat::I16, 16);
    let mono = signal(22, frames, 1, SampleFormat::I16, 16);
    let (st, mo) = (dir.join("stereo.wav"), dir.join("mono.wav"));
    write_file(&st, "WAV", "PCM_16", 2, SampleFormat::I16, &stereo);
    write_file(&mo, "WAV", "PCM_16", 1, SampleFormat::I16, &mono);
    let out = dir.join("out.wav");
    let o = out.to_str().unwrap();
    // The loopback's delay at this block size, from an unmapped run.
    let base = ["-D", device, "-b", "64", "-p", "2Ks", "-q"];
    let mut args = vec![st.to_str().unwrap(), o, "-c", "2"];
    args.extend_from_slice(&base);
    let (code, _, err) = run(&mut cmd(), &args);
    assert_eq!(code, 0, "{err}");
    let (_, _, rec) = read_file(
        &Target::Path(out.clone()),
        SampleFormat::I16,
        &FileOptions::default(),
    );
    let delay = find_preamble(&rec, SampleFormat::I16, 2).expect("the preamble came back");
    let cases: Vec<MapCase> = vec![
        (&st, &stereo, 2, vec!["-m", "2,1"], vec![Some(1), Some(0)]),
        (&st, &stereo, 2, vec!["-m", "2"], vec![Some(1)]),
        (&st, &stereo, 2, vec!["-m", "0,1"], vec![None, Some(0)]),
        (
            &st,
            &stereo,
            2,
            vec!["-m", "2,1", "2,1"],
            vec![Some(0), Some(1)],
        ),
        (
            &st,
            &stereo,
            2,
            vec!["-m", "2,1", "null", "-c", "2"],
            vec![Some(1), Some(0)],
        ),
        (
            &st,
            &stereo,
            2,
            vec!["-m", "null", "1:2,2:1"],
            vec![Some(1), Some(0)],
        ),
        (
            &st,
            &stereo,
            2,
            vec!["-m", "1:1,2:3", "3,1"],
            vec![Some(1), Some(0)],
        ),
        (
            &st,
            &stereo,
            2,
            vec!["-c", "2,4", "-m", "0,0,1,2"],
            vec![None, None, Some(0), Some(1)],
        ),
        (
            &mo,
            &mono,
            1,
            vec!["-c", "1,2", "-m", "0,1"],
            vec![None, Some(0)],
        ),
    ];
    for (input, data, file_ch, opts, want) in cases {
        let mut args = vec![input.to_str().unwrap(), o];
        args.extend_from_slice(&opts);
        args.extend_from_slice(&base);
        let (code, _, err) = run(&mut cmd(), &args);
        assert_eq!(code, 0, "{opts:?}: {err}");
        let (ch, _, rec) = read_file(
            &Target::Path(out.clone()),
            SampleFormat::I16,
            &FileOptions::default(),
        );
        assert_eq!(ch, want.len(), "{opts:?}: recorded channels");
        for k in 0..frames {
            for (c, w) in want.iter().enumerate() {
                let at = ((delay + k) * ch + c) * 2;
                let got = &rec[at..at + 2];
                let expected: &[u8] = match w {
                    None => &[0, 0],
                    Some(s) => &data[(k * file_ch + s) * 2..(k * file_ch + s) * 2 + 2],
                };
                assert_eq!(
                    got,
                    expected,
                    "{opts:?}: frame {k}, recorded channel {}",
                    c + 1
                );
            }
        }
    }
}

/// `-f PLAYBACK,RECORDING`: the playback in one format, the recording in
/// the other, holding the playback converted by the full-scale rule, in
/// the encoding of its own format.
pub fn format_pairs(cmd: fn() -> Command, device: &str) {
    use pastream::sample::convert::convert_sample;
    let dir = scratch(&format!("formats-{}", device.replace([' ', ','], "-")));
    for (out_fmt, in_fmt, out_enc, in_enc) in [
        (SampleFormat::F32, SampleFormat::I16, "FLOAT", "PCM_16"),
        (SampleFormat::I16, SampleFormat::F32, "PCM_16", "FLOAT"),
    ] {
        let data = signal(31, 4800, 2, out_fmt, 16);
        let input = dir.join(format!("in-{out_fmt}.wav"));
        write_file(&input, "WAV", out_enc, 2, out_fmt, &data);
        let out = dir.join(format!("out-{in_fmt}.wav"));
        let pair = format!("{out_fmt},{in_fmt}");
        let (code, _, err) = run(
            &mut cmd(),
            &[
                input.to_str().unwrap(),
                out.to_str().unwrap(),
                "-f",
                &pair,
                "-c",
                "2",
                "-b",
                "256",
                "-p",
                "2Ks",
                "-D",
                device,
            ],
        );
        assert_eq!(code, 0, "{pair}: {err}");
        assert!(
            err.contains(&format!("{out_fmt} out, {in_fmt} in")),
            "{err}"
        );
        let (ch, enc, rec) = read_file(&Target::Path(out), in_fmt, &FileOptions::default());
        assert_eq!((ch, enc.as_str()), (2, in_enc), "{pair}");
        let (oss, iss) = (out_fmt.sample_size(), in_fmt.sample_size());
        let mut want = vec![0u8; data.len() / oss * iss];
        for (o, i) in data.chunks_exact(oss).zip(want.chunks_exact_mut(iss)) {
            convert_sample(o, out_fmt, i, in_fmt);
        }
        // The converted preamble, found frame by frame.
        let fs = in_fmt.frame_size(2);
        let head = &want[..64 * fs];
        let delay = (0..rec.len() / fs)
            .find(|&d| rec[d * fs..].starts_with(head))
            .expect("the preamble came back");
        assert_samples_equal(&rec[delay * fs..delay * fs + want.len()], &want, in_fmt, 2);
    }
}
