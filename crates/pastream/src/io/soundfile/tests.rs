//! Round trips and failures of every kind of file.

use super::*;
use crate::sample::{I24, to_bytes};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pastream-sf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn opts(t: &str, e: Option<&str>, ch: usize) -> FileOptions {
    FileOptions {
        file_type: FileType::from_name(t),
        encoding: e.and_then(Encoding::from_name),
        samplerate: Some(48000),
        channels: Some(ch),
        ..FileOptions::default()
    }
}

fn round_trip(t: &str, e: &str, format: SampleFormat, data: &[u8], ch: usize) {
    let path = tmp(&format!("rt-{t}-{e}-{format}"));
    let target = Target::Path(path.clone());
    let mut f = SoundFile::create(&target, &opts(t, Some(e), ch)).unwrap();
    f.write_raw(data, format).unwrap();
    f.finalize().unwrap();
    let mut f = SoundFile::open_with(
        &target,
        &FileOptions {
            ..opts(t, Some(e), ch)
        },
    )
    .unwrap();
    assert_eq!(f.info().channels, ch);
    assert_eq!(f.info().encoding.unwrap().name(), e);
    let mut back = vec![0u8; data.len() + 64];
    let n = f.read_raw(&mut back, format).unwrap();
    assert_eq!(n * format.frame_size(ch), data.len(), "{t} {e} {format}");
    assert_eq!(&back[..data.len()], data, "{t} {e} {format}");
    assert_eq!(f.read_raw(&mut back, format).unwrap(), 0);
}

#[test]
fn exact_round_trips() {
    let i16s: Vec<i16> = (0..4000)
        .map(|i| (i * 16411 % 65536 - 32768) as i16)
        .collect();
    let i24s: Vec<I24> = (0..3000i64)
        .map(|i| I24::new((i * 2_796_203 % 16_777_216 - 8_388_608) as i32))
        .collect();
    let f32s: Vec<f32> = (0..3000).map(|i| (i as f32 * 0.01).sin()).collect();
    let i32s: Vec<i32> = (0..3000i32)
        .map(|i| i.wrapping_mul(1_431_655_765))
        .collect();
    round_trip("WAV", "PCM_16", SampleFormat::I16, &to_bytes(&i16s), 2);
    round_trip("WAV", "PCM_24", SampleFormat::I24, &to_bytes(&i24s), 3);
    round_trip("WAV", "PCM_32", SampleFormat::I32, &to_bytes(&i32s), 1);
    round_trip("WAV", "FLOAT", SampleFormat::F32, &to_bytes(&f32s), 2);
    round_trip("FLAC", "PCM_16", SampleFormat::I16, &to_bytes(&i16s), 2);
    round_trip("FLAC", "PCM_24", SampleFormat::I24, &to_bytes(&i24s), 1);
    round_trip("AU", "PCM_16", SampleFormat::I16, &to_bytes(&i16s), 4);
    round_trip("AIFF", "PCM_24", SampleFormat::I24, &to_bytes(&i24s), 2);
    round_trip("W64", "FLOAT", SampleFormat::F32, &to_bytes(&f32s), 1);
    round_trip("CAF", "PCM_16", SampleFormat::I16, &to_bytes(&i16s), 2);
    round_trip("RF64", "PCM_24", SampleFormat::I24, &to_bytes(&i24s), 2);
    round_trip("RAW", "PCM_16", SampleFormat::I16, &to_bytes(&i16s), 2);
    // 8-bit data through 8-bit encodings.
    let u8s: Vec<u8> = (0..=255).collect();
    round_trip("WAV", "PCM_U8", SampleFormat::U8, &u8s, 1);
    round_trip("AIFF", "PCM_S8", SampleFormat::U8, &u8s, 1);
    // 16-bit data read as int24 and written back stays the same.
    let path = tmp("widen.wav");
    let target = Target::Path(path);
    let mut f = SoundFile::create(&target, &opts("WAV", Some("PCM_16"), 1)).unwrap();
    f.write_raw(&to_bytes(&i16s), SampleFormat::I16).unwrap();
    f.finalize().unwrap();
    let mut f = SoundFile::open_with(&target, &FileOptions::default()).unwrap();
    let mut wide = vec![0u8; 4000 * 3];
    assert_eq!(f.read_raw(&mut wide, SampleFormat::I24).unwrap(), 4000);
    let back: Vec<I24> = crate::sample::from_bytes(&wide).unwrap();
    assert!(
        back.iter()
            .zip(&i16s)
            .all(|(a, b)| a.get() == i32::from(*b) << 8)
    );
}

#[test]
fn byte_order() {
    let data = to_bytes(&[0x0102i16, 0x0304]);
    for (endian, want) in [
        (Endian::Big, [1u8, 2, 3, 4]),
        (Endian::Little, [2, 1, 4, 3]),
    ] {
        let path = tmp(&format!("order-{endian:?}.raw"));
        let o = FileOptions {
            endian,
            ..opts("RAW", Some("PCM_16"), 1)
        };
        let mut f = SoundFile::create(Target::Path(path.clone()), &o).unwrap();
        f.write_raw(&data, SampleFormat::I16).unwrap();
        f.finalize().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), want, "{endian:?}");
        let mut f = SoundFile::open_with(Target::Path(path), &o).unwrap();
        let mut back = [0u8; 4];
        assert_eq!(f.read_raw(&mut back, SampleFormat::I16).unwrap(), 2);
        assert_eq!(&back[..], &data[..]);
    }
    let e = SoundFile::create(
        Target::Path(tmp("order.flac")),
        &FileOptions {
            endian: Endian::Big,
            ..opts("FLAC", Some("PCM_16"), 1)
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "FLAC files cannot hold PCM_16 samples in big byte order"
    );
}

#[test]
fn types_from_names_and_extensions() {
    assert_eq!(FileType::from_name("flac").unwrap().name(), "FLAC");
    assert_eq!(
        FileType::from_extension(Path::new("x.AIF")).unwrap().name(),
        "AIFF"
    );
    assert_eq!(Encoding::from_name("pcm_24").unwrap().name(), "PCM_24");
    assert!(FileType::from_name("mp4").is_none());
    assert_eq!(
        Encoding::from_name("PCM_16").unwrap().sample_format(),
        Some(SampleFormat::I16)
    );
}

#[test]
fn errors_name_the_problem() {
    let missing = Target::Path(tmp("does-not-exist.wav"));
    let e = SoundFile::open_with(&missing, &FileOptions::default()).unwrap_err();
    assert!(matches!(e, FileError::Open { .. }));
    assert!(e.to_string().starts_with("cannot open '"), "{e}");

    let raw = Target::Path(tmp("x.raw"));
    std::fs::write(tmp("x.raw"), [0u8; 16]).unwrap();
    let e = SoundFile::open_with(
        &raw,
        &FileOptions {
            channels: Some(1),
            ..FileOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("'{raw}' is a RAW file: give its sample rate, encoding")
    );

    // A WAV file cut short: the header promises more.
    let whole = tmp("whole.wav");
    let mut f =
        SoundFile::create(Target::Path(whole.clone()), &opts("WAV", Some("PCM_16"), 1)).unwrap();
    f.write_raw(&[0u8; 2000], SampleFormat::I16).unwrap();
    f.finalize().unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let cut = tmp("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    let e = SoundFile::open_with(Target::Path(cut), &FileOptions::default()).unwrap_err();
    assert!(
        matches!(e, FileError::Truncated { frames: 500, .. }),
        "{e:?}"
    );

    let garbage = tmp("garbage.wav");
    std::fs::write(&garbage, b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
    let e = SoundFile::open_with(Target::Path(garbage), &FileOptions::default()).unwrap_err();
    assert!(matches!(e, FileError::Open { .. }), "{e}");

    let e = SoundFile::create(Target::Path(tmp("noext")), &opts("", None, 1)).unwrap_err();
    assert!(matches!(e, FileError::UnknownType(_)));
    let e = SoundFile::create(Target::Path(tmp("x.flac")), &opts("FLAC", Some("FLOAT"), 1))
        .unwrap_err();
    assert_eq!(e.to_string(), "FLAC files cannot hold FLOAT samples");
    let e = SoundFile::create(
        Target::Path(PathBuf::from("/nonexistent-dir/x.wav")),
        &opts("WAV", None, 1),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot create '/nonexistent-dir/x.wav': directory '/nonexistent-dir' does not exist"
    );
}

/// A pipe: (read end, write end).
fn pipe() -> (c_int, c_int) {
    let mut fds = [0 as c_int; 2];
    // SAFETY: `fds` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    (fds[0], fds[1])
}

fn close_fd(fd: c_int) {
    // SAFETY: a descriptor this test opened.
    unsafe { libc::close(fd) };
}

#[test]
fn pipes() {
    // AU and RAW can be written to a pipe; WAV cannot.
    let (r, w) = pipe();
    let e = SoundFile::create(Target::Fd(w), &opts("WAV", Some("PCM_16"), 1)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "WAV files cannot be written to a pipe ('file descriptor {w}'); use a type that can, such as AU or RAW"
        )
    );
    let data = to_bytes(&(0..1000).map(|i| i as i16).collect::<Vec<_>>());
    let writer = std::thread::spawn(move || {
        let mut f = SoundFile::create(Target::Fd(w), &opts("AU", Some("PCM_16"), 1)).unwrap();
        f.write_raw(
            &to_bytes(&(0..1000).map(|i| i as i16).collect::<Vec<_>>()),
            SampleFormat::I16,
        )
        .unwrap();
        f.finalize().unwrap();
        close_fd(w);
    });
    let mut f = SoundFile::open_with(Target::Fd(r), &FileOptions::default()).unwrap();
    assert!(!f.info().seekable);
    assert_eq!(f.info().frames, None);
    let mut back = vec![0u8; 4000];
    let mut got = 0;
    loop {
        let n = f.read_raw(&mut back[got..], SampleFormat::I16).unwrap();
        if n == 0 {
            break;
        }
        got += n * 2;
    }
    writer.join().unwrap();
    assert_eq!(&back[..got], &data[..]);
    assert!(f.rewind().is_err());
    drop(f);
    close_fd(r);

    // FLAC cannot be read from a pipe.
    let path = tmp("pipe.flac");
    let mut f =
        SoundFile::create(Target::Path(path.clone()), &opts("FLAC", Some("PCM_16"), 1)).unwrap();
    f.write_raw(&data, SampleFormat::I16).unwrap();
    f.finalize().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let (r, w) = pipe();
    let writer = std::thread::spawn(move || {
        // SAFETY: writes from a live buffer to a descriptor this test owns.
        unsafe { libc::write(w, bytes.as_ptr().cast(), bytes.len()) };
        close_fd(w);
    });
    let e = SoundFile::open_with(Target::Fd(r), &FileOptions::default());
    writer.join().unwrap();
    close_fd(r);
    let e = e.unwrap_err();
    assert!(matches!(e, FileError::PipeRead { .. }), "{e:?}");
    assert!(e.to_string().contains("FLAC among them"), "{e}");
}

#[test]
fn closest_encoding_is_chosen() {
    for (t, fmt, want) in [
        ("WAV", SampleFormat::F32, "FLOAT"),
        ("FLAC", SampleFormat::F32, "PCM_24"),
        ("WAV", SampleFormat::I24, "PCM_24"),
        ("WAV", SampleFormat::I8, "PCM_U8"),
        ("AU", SampleFormat::I16, "PCM_16"),
        ("OGG", SampleFormat::F32, "VORBIS"),
    ] {
        let path = tmp(&format!("closest-{t}-{fmt}"));
        let f = SoundFile::create(
            Target::Path(path),
            &FileOptions {
                format: Some(fmt),
                ..opts(t, None, 1)
            },
        )
        .unwrap();
        assert_eq!(f.info().encoding.unwrap().name(), want, "{t} {fmt}");
    }
}

#[test]
fn float_files_read_as_integers_keep_their_level() {
    // A float file peaking at 0.5 read as int16 or int32 gives the samples
    // by the full-scale rule, not normalised to the file's peak; from a
    // pipe too.
    let half = [0.5f32, -0.5, 0.25, 0.0];
    // Integers written to a float file keep their level too.
    let path = tmp("half16.wav");
    let mut f = SoundFile::create(&path, &opts("WAV", Some("FLOAT"), 1)).unwrap();
    f.write(&[16384i16, -16384, 8192, 0]).unwrap();
    f.finalize().unwrap();
    let mut back = [0f32; 4];
    assert_eq!(SoundFile::open(&path).unwrap().read(&mut back).unwrap(), 4);
    assert_eq!(back, half);
    let path = tmp("half.wav");
    let mut f = SoundFile::create(&path, &opts("WAV", Some("FLOAT"), 1)).unwrap();
    f.write(&half).unwrap();
    f.finalize().unwrap();
    let mut f = SoundFile::open(&path).unwrap();
    let mut i16s = [0i16; 4];
    assert_eq!(f.read(&mut i16s).unwrap(), 4);
    assert_eq!(i16s, [16384, -16384, 8192, 0]);
    f.rewind().unwrap();
    let mut i32s = [0i32; 4];
    assert_eq!(f.read(&mut i32s).unwrap(), 4);
    assert_eq!(i32s, [1 << 30, -(1 << 30), 1 << 29, 0]);

    let (r, w) = pipe();
    let writer = std::thread::spawn(move || {
        let mut f = SoundFile::create(Target::Fd(w), &opts("AU", Some("FLOAT"), 1)).unwrap();
        f.write(&half).unwrap();
        f.finalize().unwrap();
        close_fd(w);
    });
    let mut f = SoundFile::open_with(Target::Fd(r), &FileOptions::default()).unwrap();
    let mut i16s = [0i16; 4];
    assert_eq!(f.read(&mut i16s).unwrap(), 4);
    assert_eq!(i16s, [16384, -16384, 8192, 0]);
    writer.join().unwrap();
    drop(f);
    close_fd(r);
}
