//! Channel maps: which source channel feeds each destination channel.
//!
//! A map lists, for destination channel 1, 2, ..., the 1-based source
//! channel that feeds it, or 0 for silence. For playback (`tx`) the source
//! is the playback data and the destination the device's output channels;
//! for recording (`rx`) the source is the device's input channels and the
//! destination the recorded data. Destination channels past the end of the
//! map are silent. Each source channel may feed at most one destination:
//! a map moves channels, it never mixes or duplicates them.
#![forbid(unsafe_code)]

use std::fmt;
use std::str::FromStr;

/// A channel map; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ChannelMap(Vec<usize>);

/// Why a channel map cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A source channel is beyond the source's channel count.
    #[error(
        "channel map entry {position} names source channel {channel}, but there are only {available} channels"
    )]
    OutOfRange {
        /// 1-based position of the entry in the map.
        position: usize,
        /// The channel it names.
        channel: usize,
        /// How many source channels there are.
        available: usize,
    },
    /// A source channel appears twice.
    #[error("channel map names source channel {0} more than once")]
    Repeated(usize),
    /// The map has more entries than there are destination channels.
    #[error("channel map has {len} entries, but there are only {available} destination channels")]
    TooLong {
        /// Number of entries.
        len: usize,
        /// Number of destination channels.
        available: usize,
    },
    /// The map text could not be read.
    #[error("channel map '{0}' is not a list of channel numbers (like 2,1,0)")]
    Syntax(String),
}

impl ChannelMap {
    /// Builds a map from its entries (1-based source channels, 0 = silence).
    /// It is checked against channel counts when a stream uses it.
    pub fn new(entries: impl Into<Vec<usize>>) -> Self {
        ChannelMap(entries.into())
    }

    /// The map that feeds destination channel k from source channel k.
    pub fn identity(channels: usize) -> Self {
        ChannelMap((1..=channels).collect())
    }

    /// The map that places source channel j on destination channel
    /// `destinations[j]` (1-based), over as many destination channels as
    /// the largest of them; the others are silent. A playback that names
    /// the device channel of each of its channels.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::ChannelMap;
    ///
    /// // Stereo on device channels 3 and 2.
    /// assert_eq!(ChannelMap::placing(&[3, 2]).entries(), &[0, 2, 1]);
    /// ```
    pub fn placing(destinations: &[usize]) -> Self {
        let channels = destinations.iter().copied().max().unwrap_or(0);
        ChannelMap(
            (1..=channels)
                .map(|k| {
                    destinations
                        .iter()
                        .position(|&d| d == k)
                        .map_or(0, |j| j + 1)
                })
                .collect(),
        )
    }

    /// The entries.
    pub fn entries(&self) -> &[usize] {
        &self.0
    }

    /// Checks the map against `sources` source and `destinations`
    /// destination channels.
    ///
    /// # Errors
    ///
    /// [`MapError`] for an entry out of range, a repeated source channel, or
    /// more entries than destination channels.
    pub fn validate(&self, sources: usize, destinations: usize) -> Result<(), MapError> {
        if self.0.len() > destinations {
            return Err(MapError::TooLong {
                len: self.0.len(),
                available: destinations,
            });
        }
        // Memory in proportion to the map, whatever the count of sources.
        let mut seen: Vec<usize> = Vec::with_capacity(self.0.len());
        for (i, &ch) in self.0.iter().enumerate() {
            if ch == 0 {
                continue;
            }
            if ch > sources {
                return Err(MapError::OutOfRange {
                    position: i + 1,
                    channel: ch,
                    available: sources,
                });
            }
            seen.push(ch);
        }
        seen.sort_unstable();
        match seen.windows(2).find(|w| w[0] == w[1]) {
            Some(w) => Err(MapError::Repeated(w[0])),
            None => Ok(()),
        }
    }
}

impl FromStr for ChannelMap {
    type Err = MapError;

    /// Reads `2,1,0` or `2 1 0`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let entries: Result<Vec<usize>, _> = s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(str::parse)
            .collect();
        match entries {
            Ok(e) if !e.is_empty() => Ok(ChannelMap(e)),
            _ => Err(MapError::Syntax(s.to_owned())),
        }
    }
}

impl fmt::Display for ChannelMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, ch) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{ch}")?;
        }
        Ok(())
    }
}

/// A validated map turned into byte offsets, ready to apply to frames
/// without allocation.
#[derive(Clone, Debug)]
pub(crate) struct FrameMapper {
    /// (source, destination) byte offsets of the samples to copy.
    pairs: Vec<(usize, usize)>,
    /// Byte offsets of the silent destination samples.
    silent: Vec<usize>,
    src_frame: usize,
    dst_frame: usize,
    sample_size: usize,
    silence: u8,
    identity: bool,
}

impl FrameMapper {
    /// Resolves `map` (or the identity, with silence for extra destination
    /// channels, when `map` is `None`).
    pub(crate) fn new(
        map: Option<&ChannelMap>,
        sources: usize,
        destinations: usize,
        sample_size: usize,
        silence: u8,
    ) -> Result<Self, MapError> {
        let entries: Vec<usize> = match map {
            Some(m) => {
                m.validate(sources, destinations)?;
                m.entries().to_vec()
            }
            None => (1..=destinations)
                .map(|k| if k <= sources { k } else { 0 })
                .collect(),
        };
        let identity = sources == destinations
            && entries.len() == destinations
            && entries.iter().enumerate().all(|(i, &c)| c == i + 1);
        let offsets: Vec<Option<usize>> = (0..destinations)
            .map(|k| match entries.get(k) {
                Some(&c) if c > 0 => Some((c - 1) * sample_size),
                _ => None,
            })
            .collect();
        let pairs = offsets
            .iter()
            .enumerate()
            .filter_map(|(k, o)| o.map(|o| (o, k * sample_size)))
            .collect();
        let silent = offsets
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_none())
            .map(|(k, _)| k * sample_size)
            .collect();
        Ok(FrameMapper {
            pairs,
            silent,
            src_frame: sources * sample_size,
            dst_frame: destinations * sample_size,
            sample_size,
            silence,
            identity,
        })
    }

    /// Bytes in one source frame.
    pub(crate) fn src_frame(&self) -> usize {
        self.src_frame
    }

    /// Bytes in one destination frame.
    pub(crate) fn dst_frame(&self) -> usize {
        self.dst_frame
    }

    /// Maps whole frames of `src` into `dst`; both must hold the same number
    /// of frames.
    #[inline]
    pub(crate) fn apply(&self, src: &[u8], dst: &mut [u8]) {
        debug_assert_eq!(src.len() / self.src_frame, dst.len() / self.dst_frame);
        if self.identity {
            dst.copy_from_slice(src);
            return;
        }
        debug_assert!((1..=4).contains(&self.sample_size));
        match self.sample_size {
            1 => self.apply_n::<1>(src, dst),
            2 => self.apply_n::<2>(src, dst),
            3 => self.apply_n::<3>(src, dst),
            _ => self.apply_n::<4>(src, dst),
        }
    }

    /// Copies column by column: the inner loop walks the frames with fixed
    /// offsets, which keeps it short and free of branches.
    #[inline]
    fn apply_n<const N: usize>(&self, src: &[u8], dst: &mut [u8]) {
        let (sf, df) = (self.src_frame, self.dst_frame);
        for &(from, to) in &self.pairs {
            if from + N > sf || to + N > df {
                continue;
            }
            for (s, d) in src.chunks_exact(sf).zip(dst.chunks_exact_mut(df)) {
                d[to..to + N].copy_from_slice(&s[from..from + N]);
            }
        }
        for &to in &self.silent {
            if to + N > df {
                continue;
            }
            for d in dst.chunks_exact_mut(df) {
                d[to..to + N].fill(self.silence);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the channel_map fuzz target: a huge count of sources made
    /// validation allocate that many flags (and panic past isize::MAX).
    #[test]
    fn a_huge_source_count_takes_no_memory_of_its_size() {
        let map: ChannelMap = "3".parse().unwrap();
        assert_eq!(map.validate(usize::MAX, 4), Ok(()));
        let map: ChannelMap = "5,0,5".parse().unwrap();
        assert_eq!(map.validate(usize::MAX, 4), Err(MapError::Repeated(5)));
    }

    #[test]
    fn validation_errors() {
        let m = ChannelMap::new([1, 3]);
        assert_eq!(
            m.validate(2, 2),
            Err(MapError::OutOfRange {
                position: 2,
                channel: 3,
                available: 2
            })
        );
        assert_eq!(
            ChannelMap::new([2, 2]).validate(2, 2),
            Err(MapError::Repeated(2))
        );
        assert_eq!(
            ChannelMap::new([1, 2, 0]).validate(3, 2),
            Err(MapError::TooLong {
                len: 3,
                available: 2
            })
        );
        assert_eq!(ChannelMap::new([0, 0, 1]).validate(1, 3), Ok(()));
        let msg = ChannelMap::new([2, 2])
            .validate(2, 2)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("channel 2 more than once"), "{msg}");
    }

    #[test]
    fn parse_and_display() {
        let m: ChannelMap = "2,1, 0".parse().unwrap();
        assert_eq!(m.entries(), &[2, 1, 0]);
        assert_eq!(m.to_string(), "2,1,0");
        assert!(matches!(
            "a,b".parse::<ChannelMap>(),
            Err(MapError::Syntax(_))
        ));
        assert!(matches!("".parse::<ChannelMap>(), Err(MapError::Syntax(_))));
    }

    #[test]
    fn applies_permutation_and_silence() {
        // 3 source channels of 2-byte samples, 4 destination channels.
        let m = ChannelMap::new([3, 0, 1]);
        let fm = FrameMapper::new(Some(&m), 3, 4, 2, 0x80).unwrap();
        let src = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6];
        let mut dst = [0u8; 16];
        fm.apply(&src, &mut dst);
        assert_eq!(
            dst,
            [
                3, 3, 0x80, 0x80, 1, 1, 0x80, 0x80, 6, 6, 0x80, 0x80, 4, 4, 0x80, 0x80
            ]
        );
    }

    #[test]
    fn identity_default_pads_extra_channels() {
        let fm = FrameMapper::new(None, 1, 2, 3, 0).unwrap();
        let mut dst = [9u8; 12];
        fm.apply(&[1, 2, 3, 4, 5, 6], &mut dst);
        assert_eq!(dst, [1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0]);
        let same = FrameMapper::new(None, 2, 2, 4, 0).unwrap();
        assert!(same.identity);
    }
}
