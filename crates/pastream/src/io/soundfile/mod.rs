//! Sound files through libsndfile: every file type, encoding and byte
//! order it knows, by path, by `-` (standard input or output) or by file
//! descriptor.
//!
//! Frames move in and out in the library's [`SampleFormat`]s. Integer data
//! converts exactly between integer encodings of the same or more bits
//! (a PCM_16 file read as int16, or as int24, and written back, is the same
//! file bit for bit).
//!
//! A file opened for writing should be [finalized](SoundFile::finalize):
//! that writes its header and reports an error. Dropping it finalizes it
//! too, on a best-effort basis, silently.

use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::c_int;
use std::path::Path;

use sndfile_sys as sf;

use crate::sample::SampleFormat;

mod formats;
mod frames;
pub use crate::error::FileError;
use formats::TYPE_MASK;
pub use formats::{Encoding, Endian, FileInfo, FileOptions, FileType, Target};

/// The most sample bytes a file whose type records its sizes in 32 bits
/// takes: 4 GiB less 1 MiB, room for the header and the chunks after the
/// samples.
pub const SIZE_LIMIT: u64 = (4 << 30) - (1 << 20);

/// An open sound file; see the [module docs](self).
///
/// # Examples
///
/// ```
/// # let dir = std::env::temp_dir();
/// use pastream::io::soundfile::{FileOptions, SoundFile};
///
/// let path = dir.join("pastream-doc-soundfile.wav");
/// let mut out = SoundFile::create(&path, &FileOptions::new(48000, 1))?;
/// out.write(&[0.5f32; 480])?;
/// out.finalize()?; // writes the header; dropping finalizes too, silently
///
/// let mut file = SoundFile::open(&path)?;
/// let mut buf = [0f32; 480];
/// assert_eq!(file.read(&mut buf)?, 480);
/// # Ok::<(), pastream::io::soundfile::FileError>(())
/// ```
pub struct SoundFile {
    handle: *mut sf::SNDFILE,
    info: FileInfo,
    target: Target,
    writing: bool,
    /// The sample format whose bytes are the file's own: samples of it move
    /// in and out unconverted (see `frames.rs`).
    raw: Option<SampleFormat>,
    /// Frames written so far.
    written: u64,
    /// The most frames a file whose type has 32-bit sizes can take.
    limit: Option<u64>,
    scratch_i32: Vec<i32>,
    scratch_i16: Vec<i16>,
    scratch_f32: Vec<f32>,
}

// SAFETY: a SNDFILE handle has no thread affinity; `SoundFile` gives access
// to it only through `&mut self`, so one thread uses it at a time.
unsafe impl Send for SoundFile {}

impl fmt::Debug for SoundFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoundFile")
            .field("target", &self.target)
            .field("info", &self.info)
            .field("writing", &self.writing)
            .finish()
    }
}

impl fmt::Display for SoundFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.info;
        write!(
            f,
            "'{}': {}, {}, {} Hz, {} channel{}",
            self.target,
            i.file_type.map_or("?", |t| t.name()),
            i.encoding.map_or("?", |e| e.name()),
            i.samplerate,
            i.channels,
            if i.channels == 1 { "" } else { "s" }
        )?;
        if let Some(n) = i.frames {
            write!(
                f,
                ", {n} frames ({:.3} s)",
                n as f64 / f64::from(i.samplerate.max(1))
            )?;
        }
        Ok(())
    }
}

fn sf_error_text(handle: *mut sf::SNDFILE) -> String {
    // SAFETY: sf_strerror accepts a null handle (the last open error) or an
    // open one, and returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sf::sf_strerror(handle)) }
        .to_string_lossy()
        .trim()
        .to_owned()
}

fn is_seekable_fd(fd: c_int) -> bool {
    // SAFETY: lseek on any descriptor number is harmless; it fails on pipes.
    unsafe { libc::lseek(fd, 0, libc::SEEK_CUR) >= 0 }
}

impl SoundFile {
    /// Opens a sound file for reading.
    ///
    /// # Errors
    ///
    /// [`FileError`] naming the file and the problem: missing, unreadable,
    /// not a sound file, a RAW file without its settings, a type that
    /// cannot be read from a pipe.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileError, FileOptions, SoundFile};
    ///
    /// # let path = dir.join("pastream-doc-open.wav");
    /// # SoundFile::create(&path, &FileOptions::new(48000, 2))?.finalize()?;
    /// let file = SoundFile::open(&path)?;
    /// assert_eq!(file.info().channels, 2);
    /// let e = SoundFile::open(dir.join("no-such-file.wav")).unwrap_err();
    /// assert!(matches!(e, FileError::Open { .. }));
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<SoundFile, FileError> {
        SoundFile::open_with(path.as_ref(), &FileOptions::default())
    }

    /// Opens a sound file for reading: a path, standard input or a
    /// descriptor, with settings (RAW files need theirs).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::{Encoding, FileOptions, FileType, SoundFile};
    ///
    /// let path = std::env::temp_dir().join("pastream-doc-open.raw");
    /// std::fs::write(&path, [0u8; 8])?;
    /// let raw = FileOptions {
    ///     file_type: FileType::from_name("raw"),
    ///     encoding: Encoding::from_name("PCM_16"),
    ///     ..FileOptions::new(8000, 2)
    /// };
    /// let file = SoundFile::open_with(&path, &raw)?;
    /// assert_eq!(file.info().frames, Some(2));
    /// // Without its settings, a RAW file is refused with what it needs.
    /// assert!(SoundFile::open(&path).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_with(
        target: impl Into<Target>,
        options: &FileOptions,
    ) -> Result<SoundFile, FileError> {
        let target = &target.into();

        let name = target.to_string();
        if let Target::Path(p) = target {
            // The system says best why a file cannot be opened at all.
            let problem = match std::fs::File::open(p) {
                Err(e) => Some(match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_owned(),
                    std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
                    _ => e.to_string(),
                }),
                Ok(_) if p.is_dir() => Some("it is a directory".to_owned()),
                Ok(_) => None,
            };
            if let Some(reason) = problem {
                return Err(FileError::Open {
                    target: name,
                    reason,
                });
            }
        }
        let file_type = options.file_type.or_else(|| match target {
            Target::Path(p) if FileType::from_extension(p) == FileType::from_name("RAW") => {
                FileType::from_name("RAW")
            }
            _ => None,
        });
        let mut info = sf::SF_INFO {
            frames: 0,
            samplerate: 0,
            channels: 0,
            format: 0,
            sections: 0,
            seekable: 0,
        };
        if let Some(t) = file_type {
            if t.name() == "RAW" {
                let missing: Vec<&str> = [
                    (options.samplerate.is_none(), "sample rate"),
                    (options.channels.is_none(), "channel count"),
                    (options.encoding.is_none(), "encoding"),
                ]
                .iter()
                .filter(|(m, _)| *m)
                .map(|(_, w)| *w)
                .collect();
                if !missing.is_empty() {
                    return Err(FileError::RawNeeds {
                        target: name,
                        missing: missing.join(", "),
                    });
                }
            }
            info.format = t.1 | options.encoding.map_or(0, |e| e.1) | options.endian.code();
            info.samplerate = options.samplerate.unwrap_or(0) as c_int;
            info.channels = options.channels.unwrap_or(0) as c_int;
        }
        let handle = open_handle(target, sf::SFM_READ, &mut info)?;
        if handle.is_null() {
            let reason = sf_error_text(std::ptr::null_mut());
            let pipe = !matches!(target, Target::Path(_)) && !is_seekable_fd(fd_of(target, true));
            if pipe {
                return Err(FileError::PipeRead {
                    target: name,
                    reason,
                });
            }
            return Err(FileError::Open {
                target: name,
                reason,
            });
        }
        if header_overstates(handle) {
            // SAFETY: an open handle, closed once here.
            unsafe { sf::sf_close(handle) };
            return Err(FileError::Truncated {
                target: name,
                frames: info.frames.max(0) as u64,
            });
        }
        Ok(SoundFile::wrap(handle, &info, target.clone(), false))
    }

    /// Creates (or replaces) a sound file for writing.
    ///
    /// # Errors
    ///
    /// [`FileError`]: no type given or known from the name, a type that
    /// cannot hold the encoding, a type that cannot be written to a pipe, a
    /// directory that does not exist.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let file = SoundFile::create(dir.join("pastream-doc-create.aiff"), &FileOptions::new(44100, 2))?;
    /// assert_eq!(file.info().file_type.unwrap().name(), "AIFF");
    /// file.finalize()?;
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn create(
        target: impl Into<Target>,
        options: &FileOptions,
    ) -> Result<SoundFile, FileError> {
        let target = &target.into();
        let name = target.to_string();
        let file_type = match (options.file_type, target) {
            (Some(t), _) => t,
            (None, Target::Path(p)) => {
                FileType::from_extension(p).ok_or_else(|| FileError::UnknownType(name.clone()))?
            }
            (None, _) => return Err(FileError::UnknownType(name)),
        };
        let samplerate = options.samplerate.ok_or_else(|| FileError::Setting {
            target: name.clone(),
            problem: "no sample rate given".into(),
        })?;
        let channels = options
            .channels
            .filter(|c| *c > 0)
            .ok_or_else(|| FileError::Setting {
                target: name.clone(),
                problem: "no channels".into(),
            })?;
        let check = |enc: c_int| {
            let info = sf::SF_INFO {
                frames: 0,
                samplerate: samplerate as c_int,
                channels: channels as c_int,
                format: file_type.1 | enc | options.endian.code(),
                sections: 0,
                seekable: 0,
            };
            // SAFETY: sf_format_check only reads the struct.
            (unsafe { sf::sf_format_check(&info) } != 0).then_some(info)
        };
        let mut info = match options.encoding {
            Some(e) => check(e.1).ok_or_else(|| FileError::Unsupported {
                file_type: file_type.name().into(),
                encoding: e.name().into(),
                endian: match options.endian {
                    Endian::File => String::new(),
                    e => format!(" in {} byte order", format!("{e:?}").to_lowercase()),
                },
            })?,
            None => {
                let fmt = options.format.unwrap_or(SampleFormat::F32);
                let preferred = Encoding::closest_to(fmt).iter().copied();
                let others = ["VORBIS", "OPUS", "MPEG_LAYER_III", "ALAC_24", "ULAW"].into_iter();
                preferred
                    .chain(others)
                    .filter_map(Encoding::from_name)
                    .find_map(|e| check(e.1))
                    .ok_or_else(|| FileError::NoEncoding {
                        target: name.clone(),
                        file_type: file_type.name().into(),
                    })?
            }
        };
        if let Target::Path(p) = target {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.is_dir() {
                    return Err(FileError::Setting {
                        target: name,
                        problem: format!("directory '{}' does not exist", dir.display()),
                    });
                }
            }
        }
        // WAV files on disk are written as RF64 that stays plain WAV while
        // it is small (libsndfile's auto-downgrade): a recording goes on
        // past 4 GiB and stays readable.
        let on_disk = matches!(target, Target::Path(p) if !p.exists() || p.is_file());
        let mut rf64 = false;
        if file_type.name() == "WAV" && on_disk {
            let large = sf::SF_INFO {
                format: (info.format & !TYPE_MASK) | sf::SF_FORMAT_RF64,
                ..info
            };
            // SAFETY: sf_format_check only reads the struct.
            if unsafe { sf::sf_format_check(&large) } != 0 {
                info = large;
                rf64 = true;
            }
        }
        let handle = open_handle(target, sf::SFM_WRITE, &mut info)?;
        if handle.is_null() {
            let reason = sf_error_text(std::ptr::null_mut());
            let pipe = !matches!(target, Target::Path(_)) && !is_seekable_fd(fd_of(target, false));
            if pipe {
                return Err(FileError::PipeWrite {
                    target: name,
                    file_type: file_type.name().into(),
                });
            }
            return Err(FileError::Open {
                target: name,
                reason,
            });
        }
        // SAFETY: `handle` is open; the command takes no data pointer.
        unsafe {
            sf::sf_command(
                handle,
                sf::SFC_SET_CLIPPING,
                std::ptr::null_mut(),
                sf::SF_TRUE,
            );
            if rf64 {
                sf::sf_command(
                    handle,
                    sf::SFC_RF64_AUTO_DOWNGRADE,
                    std::ptr::null_mut(),
                    sf::SF_TRUE,
                );
            }
        }
        let mut file = SoundFile::wrap(handle, &info, target.clone(), true);
        file.info.file_type = Some(file_type);
        file.limit = (!rf64 && file_type.has_32_bit_sizes())
            .then(|| file.bytes_per_frame())
            .flatten()
            .map(|b| SIZE_LIMIT / b);
        Ok(file)
    }

    fn wrap(handle: *mut sf::SNDFILE, info: &sf::SF_INFO, target: Target, writing: bool) -> Self {
        let seekable = info.seekable != 0;
        let raw = raw_format(handle, info.format);
        SoundFile {
            handle,
            raw,
            info: FileInfo {
                samplerate: info.samplerate.max(0) as u32,
                channels: info.channels.max(0) as usize,
                frames: (!writing && seekable && info.frames >= 0).then_some(info.frames as u64),
                file_type: FileType::from_code(info.format),
                encoding: Encoding::from_code(info.format),
                seekable,
            },
            target,
            writing,
            written: 0,
            limit: None,
            scratch_i32: Vec::new(),
            scratch_i16: Vec::new(),
            scratch_f32: Vec::new(),
        }
    }

    /// Frames written so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let mut file = SoundFile::create(dir.join("pastream-doc-fw.wav"), &FileOptions::new(8000, 2))?;
    /// file.write(&[0.5f32; 2 * 10])?;
    /// assert_eq!(file.frames_written(), 10);
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn frames_written(&self) -> u64 {
        self.written
    }

    /// Bytes one frame takes in the file, for encodings of fixed size.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::SampleFormat;
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let o = FileOptions { format: Some(SampleFormat::I24), ..FileOptions::new(48000, 2) };
    /// let file = SoundFile::create(dir.join("pastream-doc-bpf.wav"), &o)?;
    /// assert_eq!(file.bytes_per_frame(), Some(6));
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn bytes_per_frame(&self) -> Option<u64> {
        let b = self.info.encoding?.bytes_per_sample()?;
        Some((b * self.info.channels) as u64)
    }

    /// Facts about the file.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let file = SoundFile::create(dir.join("pastream-doc-i.wav"), &FileOptions::new(22050, 3))?;
    /// assert_eq!((file.info().samplerate, file.info().channels), (22050, 3));
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn info(&self) -> &FileInfo {
        &self.info
    }

    /// Where the file is.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile, Target};
    ///
    /// let path = dir.join("pastream-doc-t.wav");
    /// let file = SoundFile::create(&path, &FileOptions::new(8000, 1))?;
    /// assert_eq!(file.target(), &Target::Path(path));
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn target(&self) -> &Target {
        &self.target
    }

    fn io_error(&self, op: &'static str, reason: String) -> FileError {
        FileError::Io {
            op,
            target: self.target.to_string(),
            reason,
        }
    }

    /// Goes back to the first frame (for looping).
    ///
    /// # Errors
    ///
    /// [`FileError::Io`] when the file cannot seek (a pipe).
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// # let path = dir.join("pastream-doc-rw.wav");
    /// # let mut f = SoundFile::create(&path, &FileOptions::new(8000, 1))?;
    /// # f.write(&[0.5f32, 0.25])?;
    /// # f.finalize()?;
    /// let mut file = SoundFile::open(&path)?;
    /// let mut buf = [0f32; 2];
    /// file.read(&mut buf)?;
    /// file.rewind()?;
    /// let mut again = [0f32; 2];
    /// file.read(&mut again)?;
    /// assert_eq!(buf, again);
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn rewind(&mut self) -> Result<(), FileError> {
        // SAFETY: an open handle (checked for null).
        if self.handle.is_null() || unsafe { sf::sf_seek(self.handle, 0, libc::SEEK_SET) } < 0 {
            return Err(self.io_error("rewinding", "the file cannot seek (a pipe?)".into()));
        }
        Ok(())
    }

    /// Writes the header and closes the file.
    ///
    /// # Errors
    ///
    /// [`FileError::Io`] when closing fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let path = dir.join("pastream-doc-fin.wav");
    /// let mut file = SoundFile::create(&path, &FileOptions::new(8000, 1))?;
    /// file.write(&[0.1f32; 100])?;
    /// file.finalize()?;
    /// assert_eq!(SoundFile::open(&path)?.info().frames, Some(100));
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn finalize(mut self) -> Result<(), FileError> {
        self.close()
    }

    fn close(&mut self) -> Result<(), FileError> {
        if self.handle.is_null() {
            return Ok(());
        }
        let handle = std::mem::replace(&mut self.handle, std::ptr::null_mut());
        // SAFETY: an open handle, closed once (the field is now null).
        let e = unsafe { sf::sf_close(handle) };
        if e != 0 {
            // SAFETY: sf_error_number returns a static string for any code.
            let reason = unsafe { CStr::from_ptr(sf::sf_error_number(e)) }
                .to_string_lossy()
                .into_owned();
            return Err(self.io_error(
                if self.writing {
                    "finalizing"
                } else {
                    "closing"
                },
                reason,
            ));
        }
        Ok(())
    }
}

impl Drop for SoundFile {
    /// Closes the file, finalizing it if it was being written; errors are
    /// ignored here: call [`SoundFile::finalize`] to see them.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Whether libsndfile found the header's data size larger than the file
/// (it then shortens the file to what is there, and notes "should be" in
/// its log).
/// The sample format whose bytes a file holds as they are, if any: an
/// uncompressed PCM or float encoding in a container that stores samples
/// plainly, in the machine's byte order.
fn raw_format(handle: *mut sf::SNDFILE, format: c_int) -> Option<SampleFormat> {
    let file_type = FileType::from_code(format)?.name();
    if !matches!(
        file_type,
        "WAV" | "WAVEX" | "W64" | "RF64" | "AIFF" | "AU" | "RAW" | "CAF"
    ) {
        return None;
    }
    let sample = match Encoding::from_code(format)?.name() {
        "PCM_S8" => SampleFormat::I8,
        "PCM_U8" => SampleFormat::U8,
        "PCM_16" => SampleFormat::I16,
        "PCM_24" => SampleFormat::I24,
        "PCM_32" => SampleFormat::I32,
        "FLOAT" => SampleFormat::F32,
        _ => return None,
    };
    // SAFETY: an open handle; the command takes no data.
    let swap = unsafe {
        sf::sf_command(
            handle,
            sf::SFC_RAW_DATA_NEEDS_ENDSWAP,
            std::ptr::null_mut(),
            0,
        )
    };
    (swap == sf::SF_FALSE || sample.sample_size() == 1).then_some(sample)
}

fn header_overstates(handle: *mut sf::SNDFILE) -> bool {
    let mut log = vec![0u8; 4096];
    // SAFETY: an open handle and a writable buffer of the given length.
    unsafe {
        sf::sf_command(
            handle,
            sf::SFC_GET_LOG_INFO,
            log.as_mut_ptr().cast(),
            log.len() as c_int,
        );
    }
    let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
    String::from_utf8_lossy(&log[..end])
        .lines()
        .any(|l| l.trim_start().starts_with("data") && l.contains("should be"))
}

/// The descriptor behind a target that is not a path.
fn fd_of(target: &Target, reading: bool) -> c_int {
    match target {
        Target::Fd(fd) => *fd,
        Target::Stdio if reading => 0,
        Target::Stdio => 1,
        Target::Path(_) => -1,
    }
}

fn open_handle(
    target: &Target,
    mode: c_int,
    info: &mut sf::SF_INFO,
) -> Result<*mut sf::SNDFILE, FileError> {
    match target {
        Target::Path(p) => {
            let c =
                CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| FileError::Open {
                    target: p.display().to_string(),
                    reason: "the name contains a NUL byte".into(),
                })?;
            // SAFETY: a NUL-terminated path and a valid SF_INFO.
            Ok(unsafe { sf::sf_open(c.as_ptr(), mode, info) })
        }
        Target::Stdio | Target::Fd(_) => {
            let fd = fd_of(target, mode == sf::SFM_READ);
            // libsndfile gets a duplicate to own and close: the caller's
            // descriptor stays open whatever happens.
            // SAFETY: dup on any descriptor number is harmless.
            let own = unsafe { libc::dup(fd) };
            if own < 0 {
                return Err(FileError::Open {
                    target: target.to_string(),
                    reason: std::io::Error::last_os_error().to_string(),
                });
            }
            // SAFETY: a descriptor this function owns and a valid SF_INFO;
            // close_desc = 1 hands the descriptor to libsndfile.
            Ok(unsafe { sf::sf_open_fd(own, mode, info, 1) })
        }
    }
}

/// The libsndfile version, e.g. `libsndfile-1.2.0`.
///
/// # Examples
///
/// ```
/// assert!(pastream::io::soundfile::version().starts_with("libsndfile"));
/// ```
pub fn version() -> String {
    // SAFETY: returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sf::sf_version_string()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests;
