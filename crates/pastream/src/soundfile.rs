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
use std::path::{Path, PathBuf};

use sndfile_sys as sf;

use crate::format::SampleFormat;

/// A file type (libsndfile's major format).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileType(&'static str, c_int);

/// A sample encoding (libsndfile's subtype).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Encoding(&'static str, c_int);

/// Byte order of the samples in a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Endian {
    /// The file type's default.
    #[default]
    File,
    /// Little-endian.
    Little,
    /// Big-endian.
    Big,
    /// The machine's.
    Cpu,
}

const TYPES: &[(&str, c_int, &[&str])] = &[
    ("WAV", 0x01_0000, &["wav"]),
    ("AIFF", 0x02_0000, &["aiff", "aif", "aifc"]),
    ("AU", 0x03_0000, &["au", "snd"]),
    ("RAW", 0x04_0000, &["raw", "pcm"]),
    ("PAF", 0x05_0000, &["paf"]),
    ("SVX", 0x06_0000, &["svx", "8svx", "iff"]),
    ("NIST", 0x07_0000, &["nist", "sph"]),
    ("VOC", 0x08_0000, &["voc"]),
    ("IRCAM", 0x0A_0000, &["sf", "ircam"]),
    ("W64", 0x0B_0000, &["w64"]),
    ("MAT4", 0x0C_0000, &["mat4"]),
    ("MAT5", 0x0D_0000, &["mat", "mat5"]),
    ("PVF", 0x0E_0000, &["pvf"]),
    ("XI", 0x0F_0000, &["xi"]),
    ("HTK", 0x10_0000, &["htk"]),
    ("SDS", 0x11_0000, &["sds"]),
    ("AVR", 0x12_0000, &["avr"]),
    ("WAVEX", 0x13_0000, &["wavex"]),
    ("SD2", 0x16_0000, &["sd2"]),
    ("FLAC", 0x17_0000, &["flac"]),
    ("CAF", 0x18_0000, &["caf"]),
    ("WVE", 0x19_0000, &["wve"]),
    ("OGG", 0x20_0000, &["ogg", "oga", "opus"]),
    ("MPC2K", 0x21_0000, &["mpc"]),
    ("RF64", 0x22_0000, &["rf64"]),
    ("MP3", 0x23_0000, &["mp3"]),
];

const ENCODINGS: &[(&str, c_int)] = &[
    ("PCM_S8", 0x0001),
    ("PCM_16", 0x0002),
    ("PCM_24", 0x0003),
    ("PCM_32", 0x0004),
    ("PCM_U8", 0x0005),
    ("FLOAT", 0x0006),
    ("DOUBLE", 0x0007),
    ("ULAW", 0x0010),
    ("ALAW", 0x0011),
    ("IMA_ADPCM", 0x0012),
    ("MS_ADPCM", 0x0013),
    ("GSM610", 0x0020),
    ("VOX_ADPCM", 0x0021),
    ("NMS_ADPCM_16", 0x0022),
    ("NMS_ADPCM_24", 0x0023),
    ("NMS_ADPCM_32", 0x0024),
    ("G721_32", 0x0030),
    ("G723_24", 0x0031),
    ("G723_40", 0x0032),
    ("DWVW_12", 0x0040),
    ("DWVW_16", 0x0041),
    ("DWVW_24", 0x0042),
    ("DWVW_N", 0x0043),
    ("DPCM_8", 0x0050),
    ("DPCM_16", 0x0051),
    ("VORBIS", 0x0060),
    ("OPUS", 0x0064),
    ("ALAC_16", 0x0070),
    ("ALAC_20", 0x0071),
    ("ALAC_24", 0x0072),
    ("ALAC_32", 0x0073),
    ("MPEG_LAYER_I", 0x0080),
    ("MPEG_LAYER_II", 0x0081),
    ("MPEG_LAYER_III", 0x0082),
];

const TYPE_MASK: c_int = 0x0FFF_0000;
const ENCODING_MASK: c_int = 0x0000_FFFF;

impl FileType {
    /// Every file type, by name.
    pub fn all() -> impl Iterator<Item = FileType> {
        TYPES.iter().map(|(n, c, _)| FileType(n, *c))
    }

    /// The type with this name (any case), e.g. `wav`, `FLAC`.
    pub fn from_name(name: &str) -> Option<FileType> {
        FileType::all().find(|t| t.0.eq_ignore_ascii_case(name))
    }

    /// The type a file name's extension stands for.
    pub fn from_extension(path: &Path) -> Option<FileType> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        TYPES
            .iter()
            .find(|(_, _, exts)| exts.contains(&ext.as_str()))
            .map(|(n, c, _)| FileType(n, *c))
    }

    fn from_code(code: c_int) -> Option<FileType> {
        FileType::all().find(|t| t.1 == code & TYPE_MASK)
    }

    /// Its name, e.g. `WAV`.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Encoding {
    /// Every encoding, by name.
    pub fn all() -> impl Iterator<Item = Encoding> {
        ENCODINGS.iter().map(|(n, c)| Encoding(n, *c))
    }

    /// The encoding with this name (any case), e.g. `pcm_16`, `FLOAT`.
    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::all().find(|e| e.0.eq_ignore_ascii_case(name))
    }

    fn from_code(code: c_int) -> Option<Encoding> {
        Encoding::all().find(|e| e.1 == code & ENCODING_MASK)
    }

    /// Its name, e.g. `PCM_16`.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// The sample format that carries this encoding without loss, if one
    /// does.
    pub fn sample_format(self) -> Option<SampleFormat> {
        match self.0 {
            "PCM_S8" | "PCM_U8" | "PCM_16" | "ULAW" | "ALAW" | "DPCM_8" | "DPCM_16" | "DWVW_12"
            | "DWVW_16" | "ALAC_16" => Some(SampleFormat::I16),
            "PCM_24" | "DWVW_24" | "ALAC_20" | "ALAC_24" => Some(SampleFormat::I24),
            "PCM_32" | "ALAC_32" => Some(SampleFormat::I32),
            "FLOAT" => Some(SampleFormat::F32),
            _ => None,
        }
    }

    /// The encodings closest to `format`, best first.
    fn closest_to(format: SampleFormat) -> &'static [&'static str] {
        match format {
            SampleFormat::F32 => &["FLOAT", "PCM_24", "PCM_32", "PCM_16"],
            SampleFormat::I32 => &["PCM_32", "FLOAT", "PCM_24", "PCM_16"],
            SampleFormat::I24 => &["PCM_24", "PCM_32", "FLOAT", "PCM_16"],
            SampleFormat::I16 => &["PCM_16", "PCM_24", "PCM_32", "FLOAT"],
            SampleFormat::I8 => &["PCM_S8", "PCM_U8", "PCM_16", "PCM_24"],
            SampleFormat::U8 => &["PCM_U8", "PCM_S8", "PCM_16", "PCM_24"],
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Endian {
    /// `file`, `little`, `big` or `cpu` (any case).
    pub fn from_name(name: &str) -> Option<Endian> {
        match name.to_ascii_lowercase().as_str() {
            "file" => Some(Endian::File),
            "little" => Some(Endian::Little),
            "big" => Some(Endian::Big),
            "cpu" => Some(Endian::Cpu),
            _ => None,
        }
    }

    fn code(self) -> c_int {
        match self {
            Endian::File => 0,
            Endian::Little => 0x1000_0000,
            Endian::Big => 0x2000_0000,
            Endian::Cpu => 0x3000_0000,
        }
    }
}

/// Where a sound file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A file system path.
    Path(PathBuf),
    /// Standard input (reading) or standard output (writing); `-` on the
    /// command line.
    Stdio,
    /// An open file descriptor, which stays open after the file is closed.
    Fd(c_int),
}

impl Target {
    /// `-` is standard input or output; anything else a path.
    pub fn parse(s: &str) -> Target {
        if s == "-" {
            Target::Stdio
        } else {
            Target::Path(PathBuf::from(s))
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Path(p) => write!(f, "{}", p.display()),
            Target::Stdio => f.write_str("-"),
            Target::Fd(fd) => write!(f, "file descriptor {fd}"),
        }
    }
}

/// How to open a sound file. For reading, every field is optional except
/// for RAW files, which need all of `samplerate`, `channels` and
/// `encoding`. For writing, `samplerate` and `channels` are required.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileOptions {
    /// File type. Default: from the header (reading) or the file name's
    /// extension (writing).
    pub file_type: Option<FileType>,
    /// Sample encoding. Default: from the header (reading), or the one
    /// closest to `format` (writing).
    pub encoding: Option<Encoding>,
    /// Byte order. Default: the file type's.
    pub endian: Endian,
    /// Sample rate in Hz.
    pub samplerate: Option<u32>,
    /// Channels.
    pub channels: Option<usize>,
    /// For writing without an encoding: pick the encoding closest to this
    /// sample format. Default: float32.
    pub format: Option<SampleFormat>,
}

/// What can go wrong with a sound file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// libsndfile could not open the file.
    #[error("cannot open '{target}': {reason}")]
    Open {
        /// The file.
        target: String,
        /// libsndfile's reason.
        reason: String,
    },
    /// A RAW file lacks a setting.
    #[error("'{target}' is a RAW file: give its {missing} (-r rate, -c channels, -e encoding)")]
    RawNeeds {
        /// The file.
        target: String,
        /// What is missing.
        missing: String,
    },
    /// A file type cannot be written to a pipe.
    #[error(
        "{file_type} files cannot be written to a pipe ('{target}'); use a type that can, such as AU or RAW (-t au)"
    )]
    PipeWrite {
        /// The file.
        target: String,
        /// The type.
        file_type: String,
    },
    /// A pipe held no file libsndfile can read from a pipe.
    #[error(
        "cannot read '{target}' from a pipe ({reason}); some types, FLAC among them, need a seekable file: send AU or RAW through pipes (-t au)"
    )]
    PipeRead {
        /// The file.
        target: String,
        /// libsndfile's reason.
        reason: String,
    },
    /// The type of a file to write is not known.
    #[error("cannot tell the file type of '{0}' from its name; give one with -t (e.g. -t wav)")]
    UnknownType(String),
    /// The combination of type, encoding and byte order is not possible.
    #[error("{file_type} files cannot hold {encoding} samples{endian}")]
    Unsupported {
        /// The type.
        file_type: String,
        /// The encoding.
        encoding: String,
        /// The byte order, if one was asked for.
        endian: String,
    },
    /// A setting for writing is missing or impossible.
    #[error("cannot create '{target}': {problem}")]
    Setting {
        /// The file.
        target: String,
        /// What is wrong.
        problem: String,
    },
    /// A file holds less than its header promises.
    #[error("'{target}' is truncated: its header promises more than the {frames} frames it holds")]
    Truncated {
        /// The file.
        target: String,
        /// Frames the file holds.
        frames: u64,
    },
    /// Reading or writing failed.
    #[error("{op} '{target}' failed: {reason}")]
    Io {
        /// `reading` or `writing`.
        op: &'static str,
        /// The file.
        target: String,
        /// libsndfile's reason.
        reason: String,
    },
}

/// Facts about an open sound file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileInfo {
    /// Sample rate in Hz.
    pub samplerate: u32,
    /// Channels.
    pub channels: usize,
    /// Frames in the file, when known (not for a pipe being read).
    pub frames: Option<u64>,
    /// File type.
    pub file_type: Option<FileType>,
    /// Sample encoding.
    pub encoding: Option<Encoding>,
    /// Whether it can seek (a regular file; not a pipe).
    pub seekable: bool,
}

/// An open sound file; see the [module docs](self).
pub struct SoundFile {
    handle: *mut sf::SNDFILE,
    info: FileInfo,
    target: Target,
    writing: bool,
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
    pub fn open(target: &Target, options: &FileOptions) -> Result<SoundFile, FileError> {
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
    pub fn create(target: &Target, options: &FileOptions) -> Result<SoundFile, FileError> {
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
                    .ok_or_else(|| FileError::Setting {
                        target: name.clone(),
                        problem: format!(
                            "no encoding given and none known to fit {file_type} files (give one with -e)"
                        ),
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
        }
        Ok(SoundFile::wrap(handle, &info, target.clone(), true))
    }

    fn wrap(handle: *mut sf::SNDFILE, info: &sf::SF_INFO, target: Target, writing: bool) -> Self {
        if !writing {
            // Float files read as integers: scale to full range.
            // SAFETY: `handle` is open; the command takes no data pointer.
            unsafe {
                sf::sf_command(
                    handle,
                    sf::SFC_SET_SCALE_FLOAT_INT_READ,
                    std::ptr::null_mut(),
                    sf::SF_TRUE,
                );
            }
        }
        let seekable = info.seekable != 0;
        SoundFile {
            handle,
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
            scratch_i32: Vec::new(),
            scratch_i16: Vec::new(),
            scratch_f32: Vec::new(),
        }
    }

    /// Facts about the file.
    pub fn info(&self) -> &FileInfo {
        &self.info
    }

    /// Where the file is.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Reads up to `out.len() / frame size` frames in `format` and returns
    /// how many were read; 0 at the end of the file.
    ///
    /// # Errors
    ///
    /// [`FileError::Io`] when libsndfile reports an error (a truncated or
    /// corrupt file).
    pub fn read(&mut self, out: &mut [u8], format: SampleFormat) -> Result<usize, FileError> {
        let ch = self.info.channels.max(1);
        let frames = out.len() / format.frame_size(ch);
        if frames == 0 || self.handle.is_null() {
            return Ok(0);
        }
        let n = frames * ch;
        let got = match format {
            SampleFormat::F32 => {
                self.scratch_f32.resize(n, 0.0);
                // SAFETY: an open handle; the buffer holds `frames` frames.
                let got = unsafe {
                    sf::sf_readf_float(self.handle, self.scratch_f32.as_mut_ptr(), frames as i64)
                };
                for (o, v) in out
                    .chunks_exact_mut(4)
                    .zip(&self.scratch_f32[..got.max(0) as usize * ch])
                {
                    o.copy_from_slice(&v.to_ne_bytes());
                }
                got
            }
            SampleFormat::I32 | SampleFormat::I24 => {
                self.scratch_i32.resize(n, 0);
                // SAFETY: an open handle; the buffer holds `frames` frames.
                let got = unsafe {
                    sf::sf_readf_int(self.handle, self.scratch_i32.as_mut_ptr(), frames as i64)
                };
                let vals = &self.scratch_i32[..got.max(0) as usize * ch];
                if format == SampleFormat::I32 {
                    for (o, v) in out.chunks_exact_mut(4).zip(vals) {
                        o.copy_from_slice(&v.to_ne_bytes());
                    }
                } else {
                    for (o, v) in out.chunks_exact_mut(3).zip(vals) {
                        let b = (v >> 8).to_ne_bytes();
                        if cfg!(target_endian = "little") {
                            o.copy_from_slice(&b[..3]);
                        } else {
                            o.copy_from_slice(&b[1..]);
                        }
                    }
                }
                got
            }
            SampleFormat::I16 | SampleFormat::I8 | SampleFormat::U8 => {
                self.scratch_i16.resize(n, 0);
                // SAFETY: an open handle; the buffer holds `frames` frames.
                let got = unsafe {
                    sf::sf_readf_short(self.handle, self.scratch_i16.as_mut_ptr(), frames as i64)
                };
                let vals = &self.scratch_i16[..got.max(0) as usize * ch];
                match format {
                    SampleFormat::I16 => {
                        for (o, v) in out.chunks_exact_mut(2).zip(vals) {
                            o.copy_from_slice(&v.to_ne_bytes());
                        }
                    }
                    SampleFormat::I8 => {
                        for (o, v) in out.iter_mut().zip(vals) {
                            *o = ((v >> 8) as i8) as u8;
                        }
                    }
                    _ => {
                        for (o, v) in out.iter_mut().zip(vals) {
                            *o = ((v >> 8) + 128) as u8;
                        }
                    }
                }
                got
            }
        };
        // SAFETY: an open handle.
        let err = unsafe { sf::sf_error(self.handle) };
        if got < 0 || err != 0 {
            return Err(FileError::Io {
                op: "reading",
                target: self.target.to_string(),
                reason: sf_error_text(self.handle),
            });
        }
        Ok(got as usize)
    }

    /// Writes whole frames of `format` from `data`.
    ///
    /// # Errors
    ///
    /// [`FileError::Io`] when not every frame could be written (disk full,
    /// closed pipe).
    pub fn write(&mut self, data: &[u8], format: SampleFormat) -> Result<(), FileError> {
        let ch = self.info.channels.max(1);
        let frames = data.len() / format.frame_size(ch);
        if frames == 0 {
            return Ok(());
        }
        if self.handle.is_null() {
            return Err(self.io_error("writing", "the file is already closed".into()));
        }
        let n = frames * ch;
        let put = match format {
            SampleFormat::F32 => {
                self.scratch_f32.clear();
                self.scratch_f32.extend(
                    data[..n * 4]
                        .chunks_exact(4)
                        .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
                );
                // SAFETY: an open handle; the buffer holds `frames` frames.
                unsafe {
                    sf::sf_writef_float(self.handle, self.scratch_f32.as_ptr(), frames as i64)
                }
            }
            SampleFormat::I32 | SampleFormat::I24 => {
                self.scratch_i32.clear();
                if format == SampleFormat::I32 {
                    self.scratch_i32.extend(
                        data[..n * 4]
                            .chunks_exact(4)
                            .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
                    );
                } else {
                    self.scratch_i32
                        .extend(data[..n * 3].chunks_exact(3).map(|b| {
                            if cfg!(target_endian = "little") {
                                i32::from_le_bytes([0, b[0], b[1], b[2]])
                            } else {
                                i32::from_be_bytes([b[0], b[1], b[2], 0])
                            }
                        }));
                }
                // SAFETY: an open handle; the buffer holds `frames` frames.
                unsafe { sf::sf_writef_int(self.handle, self.scratch_i32.as_ptr(), frames as i64) }
            }
            SampleFormat::I16 | SampleFormat::I8 | SampleFormat::U8 => {
                self.scratch_i16.clear();
                match format {
                    SampleFormat::I16 => self.scratch_i16.extend(
                        data[..n * 2]
                            .chunks_exact(2)
                            .map(|b| i16::from_ne_bytes([b[0], b[1]])),
                    ),
                    SampleFormat::I8 => self
                        .scratch_i16
                        .extend(data[..n].iter().map(|&b| i16::from(b as i8) << 8)),
                    _ => self
                        .scratch_i16
                        .extend(data[..n].iter().map(|&b| (i16::from(b) - 128) << 8)),
                }
                // SAFETY: an open handle; the buffer holds `frames` frames.
                unsafe {
                    sf::sf_writef_short(self.handle, self.scratch_i16.as_ptr(), frames as i64)
                }
            }
        };
        if put != frames as i64 {
            return Err(self.io_error("writing", sf_error_text(self.handle)));
        }
        Ok(())
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
pub fn version() -> String {
    // SAFETY: returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sf::sf_version_string()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{I24, to_bytes};

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
        f.write(data, format).unwrap();
        f.finalize().unwrap();
        let mut f = SoundFile::open(
            &target,
            &FileOptions {
                ..opts(t, Some(e), ch)
            },
        )
        .unwrap();
        assert_eq!(f.info().channels, ch);
        assert_eq!(f.info().encoding.unwrap().name(), e);
        let mut back = vec![0u8; data.len() + 64];
        let n = f.read(&mut back, format).unwrap();
        assert_eq!(n * format.frame_size(ch), data.len(), "{t} {e} {format}");
        assert_eq!(&back[..data.len()], data, "{t} {e} {format}");
        assert_eq!(f.read(&mut back, format).unwrap(), 0);
    }

    #[test]
    fn exact_round_trips() {
        let i16s: Vec<i16> = (0..4000)
            .map(|i| (i * 16411 % 65536 - 32768) as i16)
            .collect();
        let i24s: Vec<I24> = (0..3000i64)
            .map(|i| I24((i * 2_796_203 % 16_777_216 - 8_388_608) as i32))
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
        f.write(&to_bytes(&i16s), SampleFormat::I16).unwrap();
        f.finalize().unwrap();
        let mut f = SoundFile::open(&target, &FileOptions::default()).unwrap();
        let mut wide = vec![0u8; 4000 * 3];
        assert_eq!(f.read(&mut wide, SampleFormat::I24).unwrap(), 4000);
        let back: Vec<I24> = crate::format::from_bytes(&wide);
        assert!(
            back.iter()
                .zip(&i16s)
                .all(|(a, b)| a.0 == i32::from(*b) << 8)
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
            let mut f = SoundFile::create(&Target::Path(path.clone()), &o).unwrap();
            f.write(&data, SampleFormat::I16).unwrap();
            f.finalize().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), want, "{endian:?}");
            let mut f = SoundFile::open(&Target::Path(path), &o).unwrap();
            let mut back = [0u8; 4];
            assert_eq!(f.read(&mut back, SampleFormat::I16).unwrap(), 2);
            assert_eq!(&back[..], &data[..]);
        }
        let e = SoundFile::create(
            &Target::Path(tmp("order.flac")),
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
        let e = SoundFile::open(&missing, &FileOptions::default()).unwrap_err();
        assert!(matches!(e, FileError::Open { .. }));
        assert!(e.to_string().starts_with("cannot open '"), "{e}");

        let raw = Target::Path(tmp("x.raw"));
        std::fs::write(tmp("x.raw"), [0u8; 16]).unwrap();
        let e = SoundFile::open(
            &raw,
            &FileOptions {
                channels: Some(1),
                ..FileOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "'{raw}' is a RAW file: give its sample rate, encoding (-r rate, -c channels, -e encoding)"
            )
        );

        // A WAV file cut short: the header promises more.
        let whole = tmp("whole.wav");
        let mut f = SoundFile::create(
            &Target::Path(whole.clone()),
            &opts("WAV", Some("PCM_16"), 1),
        )
        .unwrap();
        f.write(&[0u8; 2000], SampleFormat::I16).unwrap();
        f.finalize().unwrap();
        let bytes = std::fs::read(&whole).unwrap();
        let cut = tmp("cut.wav");
        std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
        let e = SoundFile::open(&Target::Path(cut), &FileOptions::default()).unwrap_err();
        assert!(
            matches!(e, FileError::Truncated { frames: 500, .. }),
            "{e:?}"
        );

        let garbage = tmp("garbage.wav");
        std::fs::write(&garbage, b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk").unwrap();
        let e = SoundFile::open(&Target::Path(garbage), &FileOptions::default()).unwrap_err();
        assert!(matches!(e, FileError::Open { .. }), "{e}");

        let e = SoundFile::create(&Target::Path(tmp("noext")), &opts("", None, 1)).unwrap_err();
        assert!(matches!(e, FileError::UnknownType(_)));
        let e = SoundFile::create(
            &Target::Path(tmp("x.flac")),
            &opts("FLAC", Some("FLOAT"), 1),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "FLAC files cannot hold FLOAT samples");
        let e = SoundFile::create(
            &Target::Path(PathBuf::from("/nonexistent-dir/x.wav")),
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
        let e = SoundFile::create(&Target::Fd(w), &opts("WAV", Some("PCM_16"), 1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "WAV files cannot be written to a pipe ('file descriptor {w}'); use a type that can, such as AU or RAW (-t au)"
            )
        );
        let data = to_bytes(&(0..1000).map(|i| i as i16).collect::<Vec<_>>());
        let writer = std::thread::spawn(move || {
            let mut f = SoundFile::create(&Target::Fd(w), &opts("AU", Some("PCM_16"), 1)).unwrap();
            f.write(
                &to_bytes(&(0..1000).map(|i| i as i16).collect::<Vec<_>>()),
                SampleFormat::I16,
            )
            .unwrap();
            f.finalize().unwrap();
            close_fd(w);
        });
        let mut f = SoundFile::open(&Target::Fd(r), &FileOptions::default()).unwrap();
        assert!(!f.info().seekable);
        assert_eq!(f.info().frames, None);
        let mut back = vec![0u8; 4000];
        let mut got = 0;
        loop {
            let n = f.read(&mut back[got..], SampleFormat::I16).unwrap();
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
        let mut f = SoundFile::create(
            &Target::Path(path.clone()),
            &opts("FLAC", Some("PCM_16"), 1),
        )
        .unwrap();
        f.write(&data, SampleFormat::I16).unwrap();
        f.finalize().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let (r, w) = pipe();
        let writer = std::thread::spawn(move || {
            // SAFETY: writes from a live buffer to a descriptor this test owns.
            unsafe { libc::write(w, bytes.as_ptr().cast(), bytes.len()) };
            close_fd(w);
        });
        let e = SoundFile::open(&Target::Fd(r), &FileOptions::default());
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
                &Target::Path(path),
                &FileOptions {
                    format: Some(fmt),
                    ..opts(t, None, 1)
                },
            )
            .unwrap();
            assert_eq!(f.info().encoding.unwrap().name(), want, "{t} {fmt}");
        }
    }
}
