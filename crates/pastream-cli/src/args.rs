//! The command line: its options, and their values read and checked.

use clap::Parser;

use pastream::ChannelMap;
use pastream::SampleFormat;
use pastream::io::soundfile::{Encoding, Endian, FileType, Target};
use pastream::units::{Duration, parse_size};

const ABOUT: &str = "\
Play and record sound files through audio devices, sample-aligned: the
input file is played while the output file records, through one stream.";

const AFTER: &str = "\
Durations (-d, -o, -p) are hh:mm:ss.frac by default (90, 1:30, 0:01:30.5),
or samples with an 's' suffix after an optional k (1000), K (1024), m, M:
480ks is 480000 samples, 1Ks is 1024. Sizes (-b, -r, --buffersize) take the
same multipliers without the 's': 48k, 64K.

Device and file options take a single value, or a pair 'input,output' where
the first applies to the playback (the input file) and the second to the
recording (the output file); null, ^, {} or an empty value keeps the
default.

Exit status: 0 done (also when stopped with Ctrl-C), 1 failed while
running, 2 bad arguments or files, 3 stopped by an xrun (--fatal-xruns).

Examples:
  pastream -l                                   list the audio devices
  pastream in.wav out.wav                       play and record at once
  pastream null rec.flac -r 48k -c 2 -d 10:00   record ten minutes
  pastream -c1 -r48k -e pcm_16 -t raw take.raw null     play a RAW file
  sox -n -t au - synth 5 sine 440 | pastream - - -t au,au | sox -t au - out.wav";

/// The options, as given.
#[derive(Parser, Debug)]
#[command(
    name = "pastream",
    version,
    about = ABOUT,
    after_help = AFTER,
    disable_version_flag = true,
    infer_long_args = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Playback file: '-' reads standard input; null, ^, {} or '' for none
    /// (record only).
    #[arg(value_name = "INPUT|NULL")]
    pub input: Option<String>,

    /// Recording file: '-' writes standard output; null, ^, {} or '' (or
    /// nothing) for none (play only).
    #[arg(value_name = "OUTPUT|NULL")]
    pub output: Option<String>,

    /// List the audio devices and exit (default input marked >, default
    /// output <, both *).
    #[arg(short = 'l', long = "list", help_heading = "General")]
    pub list: bool,

    /// Print nothing but errors.
    #[arg(short, long, help_heading = "General")]
    pub quiet: bool,

    /// Print the version and exit.
    #[arg(long, help_heading = "General")]
    pub version: bool,

    /// Print the manual page (roff) and exit: pastream --man > pastream.1
    #[arg(long, help_heading = "General")]
    pub man: bool,

    /// Print completions for SHELL (bash, zsh, fish, elvish, powershell)
    /// and exit.
    #[arg(long, value_name = "SHELL", help_heading = "General")]
    pub completions: Option<clap_complete::Shell>,

    /// Ring buffer size between the files and the device, in frames; a
    /// power of two. Larger values ride out slower disks. [default: 128K]
    #[arg(long, value_name = "FRAMES", help_heading = "Playback and recording")]
    pub buffersize: Option<String>,

    /// Loop the playback file until stopped (or for --duration).
    #[arg(long = "loop", help_heading = "Playback and recording")]
    pub looping: bool,

    /// Stop after this long (not counting --pad). Negative: until the
    /// playback ends, or forever when only recording. [default: -1]
    #[arg(
        short,
        long,
        allow_hyphen_values = true,
        value_name = "DURATION",
        help_heading = "Playback and recording"
    )]
    pub duration: Option<String>,

    /// Drop this much from the start of the recording.
    #[arg(
        short,
        long,
        allow_hyphen_values = true,
        value_name = "DURATION",
        help_heading = "Playback and recording"
    )]
    pub offset: Option<String>,

    /// Play this much silence after the playback (so that a duplex
    /// recording catches the end). Negative, or the option alone: pad up to
    /// --duration, or forever. [default: 0]
    #[arg(short, long, num_args = 0..=1, default_missing_value = "-1",
          allow_negative_numbers = true, value_name = "DURATION",
          help_heading = "Playback and recording")]
    pub pad: Option<String>,

    /// Start a new recording file every DURATION (as -d: 10:00, 480ks) or
    /// every SIZE bytes of samples (a size ending in B: 2GB, 500MB), with no
    /// gap: rec.wav becomes rec-001.wav, rec-002.wav, ...; a name holding
    /// {n}, {n:3} or {time} (UTC of the file's first frame) is used as it
    /// is.
    #[arg(
        long,
        value_name = "DURATION|SIZE",
        help_heading = "Playback and recording"
    )]
    pub rotate: Option<String>,

    /// Stop at the first xrun, with exit status 3.
    #[arg(long, help_heading = "Playback and recording")]
    pub fatal_xruns: bool,

    /// Channel maps, the original's way: one word or two (playback map,
    /// then recording map); one word is the recording's map when there is
    /// a recording, else the playback's. A map is a list of channels
    /// (entry k: the source channel of destination channel k; 0 is
    /// silence) or of IN:OUT pairs (source channel IN to destination
    /// channel OUT). For playback the sources are the file's channels and
    /// the destinations the device's; for recording, the device's and the
    /// file's. E.g. -m 2,1 swaps two channels; -m 1:2 puts channel 1 on 2.
    #[arg(
        short,
        long,
        num_args = 1..=2,
        value_name = "MAP",
        help_heading = "Playback and recording"
    )]
    pub map: Option<Vec<String>>,

    /// Use only these device channels (1-based, e.g. 3,4) for both playback
    /// and recording; the files have one channel per selected channel.
    #[arg(
        short = 's',
        long,
        value_name = "CHANNELS",
        help_heading = "Playback and recording"
    )]
    pub channel_select: Option<String>,

    /// Frames per callback; 0 lets the host choose (recommended).
    #[arg(short, long, value_name = "FRAMES", help_heading = "Audio device")]
    pub blocksize: Option<String>,

    /// Channels of the playback and of the recording.
    #[arg(short, long, value_name = "N[,N]", help_heading = "Audio device")]
    pub channels: Option<String>,

    /// Device(s): an index, or parts of "device name, host API" (see -l).
    #[arg(
        short = 'D',
        long,
        value_name = "DEVICE[,DEVICE]",
        help_heading = "Audio device"
    )]
    pub device: Option<String>,

    /// Sample format(s) of the device stream, for playback and recording:
    /// float32, int32, int24, int16, int8, uint8 (a pair such as
    /// float32,int16 plays one and records the other). Default: that of
    /// the playback file's encoding (so that integer files pass bit for
    /// bit), else float32; the recording's, the playback's.
    #[arg(
        short,
        long,
        value_name = "FORMAT[,FORMAT]",
        help_heading = "Audio device"
    )]
    pub format: Option<String>,

    /// Sample rate in Hz (48k = 48000). Default: the playback file's, else
    /// the device's.
    #[arg(short, long, value_name = "RATE", help_heading = "Audio device")]
    pub rate: Option<String>,

    /// File type(s): WAV, AIFF, AU, RAW, FLAC, OGG, W64, RF64, CAF, ...
    /// Needed for RAW files and for pipes. Default: from the header or the
    /// file name.
    #[arg(
        short = 't',
        long = "file-type",
        visible_alias = "file_type",
        value_name = "TYPE[,TYPE]",
        help_heading = "Audio file format"
    )]
    pub file_type: Option<String>,

    /// Sample encoding(s): PCM_S8, PCM_16, PCM_24, PCM_32, PCM_U8, FLOAT,
    /// DOUBLE, ULAW, ALAW, VORBIS, ... Default for a recording: the one
    /// closest to the device format.
    #[arg(
        short,
        long,
        value_name = "ENCODING[,ENCODING]",
        help_heading = "Audio file format"
    )]
    pub encoding: Option<String>,

    /// Byte order(s): file, little, big, cpu.
    #[arg(
        long,
        value_name = "ENDIAN[,ENDIAN]",
        help_heading = "Audio file format"
    )]
    pub endian: Option<String>,
}

/// A bad option value, with the option's name.
pub type ArgError = String;

/// `null`, `^`, `{}` and `''` stand for "none / the default".
pub fn is_null(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("null") || t == "^" || t == "{}"
}

/// A single value for both sides, or `playback,recording`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pair<T> {
    /// For the playback (input file, output side of the device).
    pub playback: Option<T>,
    /// For the recording (output file, input side of the device).
    pub recording: Option<T>,
    /// One value was given for both.
    pub single: bool,
}

fn pair<T: Clone>(
    option: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Pair<T>, ArgError> {
    let Some(text) = text else {
        return Ok(Pair {
            playback: None,
            recording: None,
            single: false,
        });
    };
    let one = |s: &str| -> Result<Option<T>, ArgError> {
        if is_null(s) {
            Ok(None)
        } else {
            parse(s.trim())
                .map(Some)
                .map_err(|e| format!("{option}: {e}"))
        }
    };
    let parts: Vec<&str> = text.split(',').collect();
    match parts.as_slice() {
        [a] => {
            let v = one(a)?;
            Ok(Pair {
                playback: v.clone(),
                recording: v,
                single: true,
            })
        }
        [a, b] => Ok(Pair {
            playback: one(a)?,
            recording: one(b)?,
            single: false,
        }),
        _ => Err(format!(
            "{option}: '{text}' is not a value or a pair of values (a,b)"
        )),
    }
}

/// How often `--rotate` starts a new file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RotateEvery {
    /// Every so long.
    Duration(Duration),
    /// Every so many bytes of samples.
    Bytes(u64),
}

/// Everything the command line asked for, read and checked.
#[derive(Debug)]
pub struct Plan {
    /// The file to play, if any.
    pub input: Option<Target>,
    /// The file to record, if any.
    pub output: Option<Target>,
    /// No status line and no summary.
    pub quiet: bool,
    /// Ring size of the file workers, in frames.
    pub buffersize: Option<usize>,
    /// Play the input over and over.
    pub looping: bool,
    /// How long to run (`-d`).
    pub duration: Duration,
    /// Recorded frames to drop at the start (`-o`).
    pub offset: Duration,
    /// Silence played after the input (`-p`).
    pub pad: Duration,
    /// Stop at the first xrun.
    pub fatal_xruns: bool,
    /// When to start a new recording file.
    pub rotate: Option<RotateEvery>,
    /// Playback channel map.
    pub tx_map: Option<ChannelMap>,
    /// Recording channel map.
    pub rx_map: Option<ChannelMap>,
    /// Device channels to play and record (`-s`).
    pub channel_select: Option<Vec<usize>>,
    /// Frames per block (0: the host chooses).
    pub blocksize: usize,
    /// Channels, for playback and recording.
    pub channels: Pair<usize>,
    /// The device text as given (it may be one device whose name holds a
    /// comma, or a pair).
    pub device: Option<String>,
    /// Sample formats, for playback and recording.
    pub format: Pair<SampleFormat>,
    /// The sample rate.
    pub rate: Option<f64>,
    /// File types, for playback and recording.
    pub file_type: Pair<FileType>,
    /// Encodings, for playback and recording.
    pub encoding: Pair<Encoding>,
    /// Byte orders, for playback and recording.
    pub endian: Pair<Endian>,
}

fn target(s: &Option<String>) -> Option<Target> {
    s.as_deref().filter(|s| !is_null(s)).map(Target::parse)
}

fn duration(option: &str, text: Option<&str>, default: Duration) -> Result<Duration, ArgError> {
    match text {
        None => Ok(default),
        Some(t) => Duration::parse(t).map_err(|e| format!("{option}: {e}")),
    }
}

fn count(option: &str, text: &str) -> Result<usize, ArgError> {
    let v = parse_size(text).map_err(|e| format!("{option}: {e}"))?;
    if v < 0.0 || v.fract() != 0.0 || v > u32::MAX as f64 {
        return Err(format!(
            "{option}: '{text}' is not a whole, non-negative number"
        ));
    }
    Ok(v as usize)
}

fn channel_list(option: &str, text: &str) -> Result<Vec<usize>, ArgError> {
    let v: Result<Vec<usize>, _> = text.split(',').map(|p| p.trim().parse::<usize>()).collect();
    match v {
        Ok(v) if !v.is_empty() && v.iter().all(|&c| c > 0) => {
            let mut seen = v.clone();
            seen.sort_unstable();
            seen.dedup();
            if seen.len() != v.len() {
                return Err(format!("{option}: '{text}' names a channel twice"));
            }
            Ok(v)
        }
        _ => Err(format!(
            "{option}: '{text}' is not a list of channel numbers from 1 (like 3,4)"
        )),
    }
}

/// A channel map in the original's words: a list of channels (entry k
/// is the source of destination k, 0 silence) or of IN:OUT pairs;
/// `null` for none.
fn map_word(word: &str) -> Result<Option<ChannelMap>, ArgError> {
    if is_null(word) {
        return Ok(None);
    }
    let bad =
        || format!("--map: '{word}' is not a list of channels (2,1) or of IN:OUT pairs (1:2,2:1)");
    let items: Vec<&str> = word.split(',').map(str::trim).collect();
    let number = |t: &str| t.parse::<usize>().map_err(|_| bad());
    if !items.iter().any(|i| i.contains(':')) {
        let entries = items
            .iter()
            .map(|i| number(i))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Some(ChannelMap::new(entries)));
    }
    let mut entries: Vec<usize> = Vec::new();
    for item in items {
        let (src, dst) = item.split_once(':').ok_or_else(bad)?;
        let (src, dst) = (number(src)?, number(dst)?);
        if src == 0 || dst == 0 {
            return Err(format!("--map: '{item}': channels count from 1"));
        }
        if dst > 1024 {
            return Err(format!("--map: '{item}': no device has {dst} channels"));
        }
        if entries.len() < dst {
            entries.resize(dst, 0);
        }
        if entries[dst - 1] != 0 {
            return Err(format!(
                "--map: '{word}' names destination channel {dst} twice"
            ));
        }
        entries[dst - 1] = src;
    }
    Ok(Some(ChannelMap::new(entries)))
}

/// A message on one line: control characters (a newline in a file name or
/// a value) are written as escapes.
pub fn one_line(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl Cli {
    /// Reads and checks every value; opens nothing. The error is one line.
    pub fn plan(&self) -> Result<Plan, ArgError> {
        self.checked_plan().map_err(|e| one_line(&e))
    }

    fn checked_plan(&self) -> Result<Plan, ArgError> {
        let input = target(&self.input);
        let output = target(&self.output);
        if input.is_none() && output.is_none() {
            return Err(
                "nothing to do: give a file to play, a file to record, or both (see pastream -h)"
                    .into(),
            );
        }
        let buffersize = match &self.buffersize {
            None => None,
            Some(t) => {
                let n = count("--buffersize", t)?;
                if !n.is_power_of_two() {
                    return Err(format!(
                        "--buffersize: {n} frames is not a power of two (try {})",
                        n.next_power_of_two()
                    ));
                }
                Some(n)
            }
        };
        let offset = duration("--offset", self.offset.as_deref(), Duration::Frames(0))?;
        if offset.is_negative() {
            return Err(format!(
                "--offset: {offset} is negative; an offset drops frames from the start"
            ));
        }
        let (tx_map, rx_map) = match self.map.as_deref() {
            None => (None, None),
            Some([one]) if output.is_some() => (None, map_word(one)?),
            Some([one]) => (map_word(one)?, None),
            Some([tx, rx]) => (map_word(tx)?, map_word(rx)?),
            Some(_) => return Err("--map: one map, or two (playback, recording)".into()),
        };
        let rotate = match self.rotate.as_deref() {
            None => None,
            Some(t) => {
                let every = match t.strip_suffix('B') {
                    Some(size) => {
                        let b = parse_size(size).map_err(|e| format!("--rotate: {e}"))?;
                        if !(b >= 1.0 && b.is_finite()) {
                            return Err(format!(
                                "--rotate: '{t}' is not a size of at least one byte"
                            ));
                        }
                        RotateEvery::Bytes(b as u64)
                    }
                    None => {
                        let d = duration("--rotate", Some(t), Duration::Frames(0))?;
                        if d.is_negative() || d.frames(1_536_000.0) == 0 {
                            return Err(format!(
                                "--rotate: '{t}' is not a length of at least one frame"
                            ));
                        }
                        RotateEvery::Duration(d)
                    }
                };
                match &output {
                    Some(Target::Path(_)) => Some(every),
                    Some(_) => {
                        return Err("--rotate: standard output cannot be split into files".into());
                    }
                    None => {
                        return Err("--rotate: there is no recording to split into files".into());
                    }
                }
            }
        };
        let channel_select = self
            .channel_select
            .as_deref()
            .map(|s| channel_list("--channel-select", s))
            .transpose()?;
        if channel_select.is_some() && (tx_map.is_some() || rx_map.is_some()) {
            return Err("--channel-select and --map both route channels: use one".into());
        }
        let formats = pair("--format", self.format.as_deref(), |s| {
            s.parse::<SampleFormat>().map_err(|e| e.to_string())
        })?;
        let rate = match &self.rate {
            None => None,
            Some(t) => {
                let r = parse_size(t).map_err(|e| format!("--rate: {e}"))?;
                if !(1.0..=1_536_000.0).contains(&r) {
                    return Err(format!("--rate: {t} Hz is not a possible sample rate"));
                }
                Some(r)
            }
        };
        let channels = pair("--channels", self.channels.as_deref(), |s| {
            match count("", s) {
                Ok(0) | Err(_) => Err(format!("'{s}' is not a channel count (1 or more)")),
                Ok(n) => Ok(n),
            }
        })?;
        Ok(Plan {
            quiet: self.quiet,
            buffersize,
            looping: self.looping,
            duration: duration("--duration", self.duration.as_deref(), Duration::Frames(-1))?,
            offset,
            pad: duration("--pad", self.pad.as_deref(), Duration::Frames(0))?,
            fatal_xruns: self.fatal_xruns,
            rotate,
            tx_map,
            rx_map,
            channel_select,
            blocksize: match &self.blocksize {
                None => 0,
                Some(t) => count("--blocksize", t)?,
            },
            channels,
            device: self.device.clone().filter(|d| !is_null(d)),
            format: formats,
            rate,
            file_type: pair("--file-type", self.file_type.as_deref(), |s| {
                FileType::from_name(s).ok_or_else(|| {
                    format!(
                        "unknown file type '{s}' (one of {})",
                        FileType::all()
                            .map(|t| t.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            })?,
            encoding: pair("--encoding", self.encoding.as_deref(), |s| {
                Encoding::from_name(s).ok_or_else(|| {
                    format!(
                        "unknown encoding '{s}' (one of {})",
                        Encoding::all()
                            .map(|e| e.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            })?,
            endian: pair("--endian", self.endian.as_deref(), |s| {
                Endian::from_name(s)
                    .ok_or_else(|| format!("unknown byte order '{s}' (file, little, big or cpu)"))
            })?,
            input,
            output,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the cli_args fuzz target: a value holding a newline made
    /// an error of two lines.
    #[test]
    fn a_value_with_a_newline_gives_a_one_line_error() {
        let cli = Cli::try_parse_from(["pastream", "\n=-", "-t-\n=-t-"]).unwrap();
        let e = cli.plan().unwrap_err();
        assert!(!e.contains('\n'), "{e:?}");
        assert!(
            e.starts_with("--file-type: unknown file type '-\\n=-t-'"),
            "{e}"
        );
    }

    fn plan(args: &[&str]) -> Result<Plan, ArgError> {
        let mut v = vec!["pastream"];
        v.extend_from_slice(args);
        Cli::try_parse_from(v).map_err(|e| e.to_string())?.plan()
    }

    #[test]
    fn positionals_and_nulls() {
        let p = plan(&["in.wav", "out.wav"]).unwrap();
        assert_eq!(p.input, Some(Target::Path("in.wav".into())));
        assert_eq!(p.output, Some(Target::Path("out.wav".into())));
        let p = plan(&["-", "-", "-t", "au"]).unwrap();
        assert_eq!(
            (p.input, p.output),
            (Some(Target::Stdio), Some(Target::Stdio))
        );
        let p = plan(&["null", "rec.wav"]).unwrap();
        assert_eq!(p.input, None);
        let p = plan(&["", "rec.wav"]).unwrap();
        assert_eq!(p.input, None);
        let p = plan(&["{}", "rec.wav"]).unwrap();
        assert_eq!(p.input, None);
        let p = plan(&["play.wav"]).unwrap();
        assert_eq!(p.output, None);
        assert!(
            plan(&["null", "null"])
                .unwrap_err()
                .starts_with("nothing to do")
        );
    }

    #[test]
    fn pad_with_and_without_value() {
        assert_eq!(plan(&["a.wav", "b.wav"]).unwrap().pad, Duration::Frames(0));
        assert_eq!(
            plan(&["a.wav", "b.wav", "-p"]).unwrap().pad,
            Duration::Seconds(-1.0)
        );
        assert_eq!(
            plan(&["a.wav", "b.wav", "-p", "1Ks"]).unwrap().pad,
            Duration::Frames(1024)
        );
        assert_eq!(
            plan(&["a.wav", "b.wav", "--pad=0:01"]).unwrap().pad,
            Duration::Seconds(1.0)
        );
    }

    #[test]
    fn pairs() {
        let p = plan(&[
            "a.wav",
            "b.wav",
            "-c",
            "1,2",
            "-t",
            "wav,flac",
            "-e",
            "null,pcm_24",
        ])
        .unwrap();
        assert_eq!(
            p.channels,
            Pair {
                playback: Some(1),
                recording: Some(2),
                single: false,
            }
        );
        assert_eq!(p.file_type.playback.unwrap().name(), "WAV");
        assert_eq!(p.file_type.recording.unwrap().name(), "FLAC");
        assert_eq!(p.encoding.playback, None);
        assert_eq!(p.encoding.recording.unwrap().name(), "PCM_24");
        let p = plan(&["a.wav", "b.wav", "-c2", "-e=pcm_16"]).unwrap();
        assert_eq!(
            p.channels,
            Pair {
                playback: Some(2),
                recording: Some(2),
                single: true,
            }
        );
        assert_eq!(p.encoding.recording.unwrap().name(), "PCM_16");
        let f = plan(&["a.wav", "-f", "float32,int16"]).unwrap().format;
        assert_eq!(
            (f.playback, f.recording),
            (Some(SampleFormat::F32), Some(SampleFormat::I16))
        );
    }

    #[test]
    fn maps_and_selection() {
        // Two words: playback, then recording.
        let p = plan(&["a.wav", "b.wav", "-m", "2,1", "0,1"]).unwrap();
        assert_eq!(p.tx_map.unwrap().entries(), &[2, 1]);
        assert_eq!(p.rx_map.unwrap().entries(), &[0, 1]);
        // One word: the recording's map when there is a recording...
        let p = plan(&["a.wav", "b.wav", "-m", "2,1"]).unwrap();
        assert!(p.tx_map.is_none());
        assert_eq!(p.rx_map.unwrap().entries(), &[2, 1]);
        // ... else the playback's.
        let p = plan(&["a.wav", "-m", "2,1"]).unwrap();
        assert_eq!(p.tx_map.unwrap().entries(), &[2, 1]);
        // IN:OUT pairs.
        let p = plan(&["a.wav", "-m", "1:2,2:1"]).unwrap();
        assert_eq!(p.tx_map.unwrap().entries(), &[2, 1]);
        let p = plan(&["a.wav", "-m", "1:3"]).unwrap();
        assert_eq!(p.tx_map.unwrap().entries(), &[0, 0, 1]);
        let p = plan(&["a.wav", "b.wav", "-m", "null", "2:1"]).unwrap();
        assert!(p.tx_map.is_none());
        assert_eq!(p.rx_map.unwrap().entries(), &[2]);
        let p = plan(&["a.wav", "-s", "3,4"]).unwrap();
        assert_eq!(p.channel_select, Some(vec![3, 4]));
    }

    #[test]
    fn bad_values_name_the_option() {
        for (args, want) in [
            (
                vec!["a.wav", "-d", "1:2:3:4"],
                "--duration: '1:2:3:4' is not a duration",
            ),
            (vec!["a.wav", "-o", "-5"], "--offset: -5 is negative"),
            (
                vec!["a.wav", "-m", "1,x"],
                "--map: '1,x' is not a list of channels (2,1) or of IN:OUT pairs",
            ),
            (
                vec!["a.wav", "-c", "0"],
                "--channels: '0' is not a channel count",
            ),
            (
                vec!["a.wav", "-f", "int12"],
                "--format: unknown sample format 'int12'",
            ),
            (
                vec!["a.wav", "-f", "int16,int12"],
                "--format: unknown sample format 'int12'",
            ),
            (
                vec!["a.wav", "-t", "mp4"],
                "--file-type: unknown file type 'mp4'",
            ),
            (
                vec!["a.wav", "-e", "pcm_12"],
                "--encoding: unknown encoding 'pcm_12'",
            ),
            (
                vec!["a.wav", "--endian", "middle"],
                "--endian: unknown byte order 'middle'",
            ),
            (
                vec!["a.wav", "--buffersize", "1000"],
                "--buffersize: 1000 frames is not a power of two",
            ),
            (
                vec!["a.wav", "-r", "0"],
                "--rate: 0 Hz is not a possible sample rate",
            ),
            (
                vec!["a.wav", "-c", "1,2,3"],
                "--channels: '1,2,3' is not a value or a pair",
            ),
            (
                vec!["a.wav", "-s", "3,3"],
                "--channel-select: '3,3' names a channel twice",
            ),
        ] {
            let e = plan(&args).unwrap_err();
            assert!(e.starts_with(want), "{args:?}: {e}");
        }
    }
}
