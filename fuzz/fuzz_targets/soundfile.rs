//! Sound files of any content, opened through the library's libsndfile
//! wrapper and read in every sample format: an error or the frames, never
//! a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pastream::SampleFormat;
use pastream::io::soundfile::{FileOptions, SoundFile, Target};

fuzz_target!(|data: &[u8]| {
    // SAFETY: memfd_create with a valid name; the descriptor is closed below.
    let fd = unsafe { libc::memfd_create(c"pastream-fuzz".as_ptr(), 0) };
    assert!(fd >= 0);
    // SAFETY: `fd` is open; `data` is valid for its length.
    let put = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
    // SAFETY: `fd` is open.
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
    if put == data.len() as isize {
        if let Ok(mut file) = SoundFile::open_with(Target::Fd(fd), &FileOptions::default()) {
            let channels = file.info().channels.clamp(1, 1024);
            for format in [SampleFormat::F32, SampleFormat::I16, SampleFormat::I24] {
                let mut buf = vec![0u8; format.frame_size(channels) * 256];
                for _ in 0..64 {
                    match file.read_raw(&mut buf, format) {
                        Ok(n) if n > 0 => {}
                        _ => break,
                    }
                }
                if file.rewind().is_err() {
                    break;
                }
            }
        }
    }
    // SAFETY: `fd` is ours and open.
    unsafe { libc::close(fd) };
});
