//! The catalogue of what libsndfile knows (file types, encodings, byte
//! orders), where a file is, and how to open it.
#![forbid(unsafe_code)]

use std::fmt;
use std::os::raw::c_int;
use std::path::{Path, PathBuf};

use crate::sample::SampleFormat;

/// A file type (libsndfile's major format).
///
/// # Examples
///
/// ```
/// use pastream::io::soundfile::FileType;
///
/// let flac = FileType::from_name("flac").unwrap();
/// assert_eq!(flac.name(), "FLAC");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileType(pub(super) &'static str, pub(super) c_int);

/// A sample encoding (libsndfile's subtype).
///
/// # Examples
///
/// ```
/// use pastream::io::soundfile::Encoding;
///
/// let pcm24 = Encoding::from_name("pcm_24").unwrap();
/// assert_eq!(pcm24.sample_format(), Some(pastream::SampleFormat::I24));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Encoding(pub(super) &'static str, pub(super) c_int);

/// Byte order of the samples in a file.
///
/// # Examples
///
/// ```
/// use pastream::io::soundfile::Endian;
///
/// assert_eq!(Endian::from_name("big"), Some(Endian::Big));
/// assert_eq!(Endian::default(), Endian::File);
/// ```
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

pub(crate) const TYPE_MASK: c_int = 0x0FFF_0000;
pub(crate) const ENCODING_MASK: c_int = 0x0000_FFFF;

impl FileType {
    /// Every file type, by name.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::FileType;
    ///
    /// assert!(FileType::all().any(|t| t.name() == "WAV"));
    /// ```
    pub fn all() -> impl Iterator<Item = FileType> {
        TYPES.iter().map(|(n, c, _)| FileType(n, *c))
    }

    /// The type with this name (any case), e.g. `wav`, `FLAC`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::FileType;
    ///
    /// assert_eq!(FileType::from_name("Aiff").unwrap().name(), "AIFF");
    /// assert!(FileType::from_name("mp4").is_none());
    /// ```
    pub fn from_name(name: &str) -> Option<FileType> {
        FileType::all().find(|t| t.0.eq_ignore_ascii_case(name))
    }

    /// The type a file name's extension stands for.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::path::Path;
    /// use pastream::io::soundfile::FileType;
    ///
    /// assert_eq!(FileType::from_extension(Path::new("take.aif")).unwrap().name(), "AIFF");
    /// assert!(FileType::from_extension(Path::new("notes.txt")).is_none());
    /// ```
    pub fn from_extension(path: &Path) -> Option<FileType> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        TYPES
            .iter()
            .find(|(_, _, exts)| exts.contains(&ext.as_str()))
            .map(|(n, c, _)| FileType(n, *c))
    }

    /// Whether the type records its sizes in 32 bits, so that a file of it
    /// holds at most 4 GiB of samples (WAV, AIFF, AU and most others; not
    /// W64, RF64, CAF, RAW, or the streamed FLAC, Ogg and MP3).
    pub(super) fn has_32_bit_sizes(self) -> bool {
        !matches!(
            self.0,
            "W64" | "RF64" | "CAF" | "RAW" | "FLAC" | "OGG" | "MP3"
        )
    }

    pub(super) fn from_code(code: c_int) -> Option<FileType> {
        FileType::all().find(|t| t.1 == code & TYPE_MASK)
    }

    /// Its name, e.g. `WAV`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::FileType;
    ///
    /// assert_eq!(FileType::from_name("w64").unwrap().name(), "W64");
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::Encoding;
    ///
    /// assert!(Encoding::all().any(|e| e.name() == "PCM_16"));
    /// ```
    pub fn all() -> impl Iterator<Item = Encoding> {
        ENCODINGS.iter().map(|(n, c)| Encoding(n, *c))
    }

    /// The encoding with this name (any case), e.g. `pcm_16`, `FLOAT`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::Encoding;
    ///
    /// assert_eq!(Encoding::from_name("float").unwrap().name(), "FLOAT");
    /// ```
    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::all().find(|e| e.0.eq_ignore_ascii_case(name))
    }

    pub(super) fn from_code(code: c_int) -> Option<Encoding> {
        Encoding::all().find(|e| e.1 == code & ENCODING_MASK)
    }

    /// Its name, e.g. `PCM_16`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::Encoding;
    ///
    /// assert_eq!(Encoding::from_name("vorbis").unwrap().name(), "VORBIS");
    /// ```
    pub fn name(self) -> &'static str {
        self.0
    }

    /// Bytes one sample takes in a file, for encodings of fixed size.
    pub(super) fn bytes_per_sample(self) -> Option<usize> {
        match self.0 {
            "PCM_S8" | "PCM_U8" | "ULAW" | "ALAW" => Some(1),
            "PCM_16" => Some(2),
            "PCM_24" => Some(3),
            "PCM_32" | "FLOAT" => Some(4),
            "DOUBLE" => Some(8),
            _ => None,
        }
    }

    /// The sample format that carries this encoding without loss, if one
    /// does.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::io::soundfile::Encoding;
    ///
    /// assert_eq!(Encoding::from_name("PCM_16").unwrap().sample_format(), Some(SampleFormat::I16));
    /// // Compressed encodings have none of their own.
    /// assert_eq!(Encoding::from_name("VORBIS").unwrap().sample_format(), None);
    /// ```
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
    pub(super) fn closest_to(format: SampleFormat) -> &'static [&'static str] {
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
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::Endian;
    ///
    /// assert_eq!(Endian::from_name("LITTLE"), Some(Endian::Little));
    /// assert_eq!(Endian::from_name("middle"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Endian> {
        match name.to_ascii_lowercase().as_str() {
            "file" => Some(Endian::File),
            "little" => Some(Endian::Little),
            "big" => Some(Endian::Big),
            "cpu" => Some(Endian::Cpu),
            _ => None,
        }
    }

    pub(super) fn code(self) -> c_int {
        match self {
            Endian::File => 0,
            Endian::Little => 0x1000_0000,
            Endian::Big => 0x2000_0000,
            Endian::Cpu => 0x3000_0000,
        }
    }
}

/// Where a sound file is.
///
/// # Examples
///
/// ```
/// use std::path::PathBuf;
/// use pastream::io::soundfile::Target;
///
/// assert_eq!(Target::from(PathBuf::from("a.wav")), Target::Path("a.wav".into()));
/// assert_eq!(Target::parse("-"), Target::Stdio);
/// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::Target;
    ///
    /// assert_eq!(Target::parse("-"), Target::Stdio);
    /// assert_eq!(Target::parse("take1.flac").to_string(), "take1.flac");
    /// ```
    pub fn parse(s: &str) -> Target {
        if s == "-" {
            Target::Stdio
        } else {
            Target::Path(PathBuf::from(s))
        }
    }
}

impl From<&Path> for Target {
    fn from(p: &Path) -> Target {
        Target::Path(p.to_owned())
    }
}

impl From<PathBuf> for Target {
    fn from(p: PathBuf) -> Target {
        Target::Path(p)
    }
}

impl From<&PathBuf> for Target {
    fn from(p: &PathBuf) -> Target {
        Target::Path(p.clone())
    }
}

/// A path, always: `"-"` is a file named `-` here; [`Target::parse`] reads
/// it as standard input or output.
impl From<&str> for Target {
    fn from(p: &str) -> Target {
        Target::Path(p.into())
    }
}

impl From<String> for Target {
    fn from(p: String) -> Target {
        Target::Path(p.into())
    }
}

impl From<&Target> for Target {
    fn from(t: &Target) -> Target {
        t.clone()
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
///
/// # Examples
///
/// ```
/// # let dir = std::env::temp_dir();
/// use pastream::SampleFormat;
/// use pastream::io::soundfile::{Encoding, FileOptions, SoundFile};
///
/// // A 24-bit FLAC file of 2 channels at 96 kHz; the type from the name.
/// let options = FileOptions {
///     encoding: Encoding::from_name("PCM_24"),
///     ..FileOptions::new(96000, 2)
/// };
/// let file = SoundFile::create(dir.join("pastream-doc-opts.flac"), &options)?;
/// assert_eq!(file.info().encoding, Encoding::from_name("PCM_24"));
/// // Or the encoding closest to a sample format.
/// let options = FileOptions { format: Some(SampleFormat::I16), ..FileOptions::new(48000, 1) };
/// let file = SoundFile::create(dir.join("pastream-doc-opts.wav"), &options)?;
/// assert_eq!(file.info().encoding, Encoding::from_name("PCM_16"));
/// # Ok::<(), pastream::io::soundfile::FileError>(())
/// ```
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

impl FileOptions {
    /// Options for writing `channels` channels at `samplerate` Hz, the
    /// rest by default (the type from the file name, float samples).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::FileOptions;
    ///
    /// let o = FileOptions::new(44100, 2);
    /// assert_eq!((o.samplerate, o.channels), (Some(44100), Some(2)));
    /// ```
    pub fn new(samplerate: u32, channels: usize) -> FileOptions {
        FileOptions {
            samplerate: Some(samplerate),
            channels: Some(channels),
            ..FileOptions::default()
        }
    }
}

/// Facts about an open sound file.
///
/// # Examples
///
/// ```
/// # let dir = std::env::temp_dir();
/// use pastream::io::soundfile::{FileOptions, SoundFile};
///
/// # let path = dir.join("pastream-doc-info.wav");
/// # let mut f = SoundFile::create(&path, &FileOptions::new(8000, 1))?;
/// # f.write(&[0f32; 8000])?;
/// # f.finalize()?;
/// let info = SoundFile::open(&path)?.info().clone();
/// assert_eq!((info.samplerate, info.channels, info.frames), (8000, 1, Some(8000)));
/// assert!(info.seekable);
/// # Ok::<(), pastream::io::soundfile::FileError>(())
/// ```
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
