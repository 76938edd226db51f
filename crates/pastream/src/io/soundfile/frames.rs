//! Frames in and out of a sound file: typed samples, or raw bytes of a
//! sample format, converted to and from the file's encoding.

use sndfile_sys as sf;

use super::{FileError, SoundFile, sf_error_text};
use crate::sample::{Sample, SampleFormat, as_bytes, check_frames, convert};

impl SoundFile {
    /// Reads up to `out.len() / channels` frames into `out`, interleaved
    /// samples of `T`, converted from the file's encoding; returns the
    /// frames read, 0 at the end of the file.
    ///
    /// # Errors
    ///
    /// [`FileError::Sample`] when `out` is not a whole number of frames;
    /// [`FileError::Io`] when libsndfile reports an error (a truncated or
    /// corrupt file).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let path = std::env::temp_dir().join("pastream-doc-read.wav");
    /// let mut file = SoundFile::create(&path, &FileOptions::new(48000, 2))?;
    /// file.write(&[0.5f32, -0.5, 0.25, -0.25])?;
    /// file.finalize()?;
    ///
    /// let mut file = SoundFile::open(&path)?;
    /// let mut frames = [0f32; 4];
    /// assert_eq!(file.read(&mut frames)?, 2);
    /// assert_eq!(frames, [0.5, -0.5, 0.25, -0.25]);
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn read<T: Sample>(&mut self, out: &mut [T]) -> Result<usize, FileError> {
        check_frames(out.len(), self.info.channels, T::FORMAT)?;
        self.read_raw(bytemuck::cast_slice_mut(out), T::FORMAT)
    }

    /// Writes `data`, interleaved frames of `T`, converted to the file's
    /// encoding.
    ///
    /// # Errors
    ///
    /// [`FileError::Sample`] when `data` is not a whole number of frames;
    /// [`FileError::BrokenPipe`] when the reader of a pipe closed it;
    /// [`FileError::Io`] when not every frame could be written (disk
    /// full).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let path = std::env::temp_dir().join("pastream-doc-write.wav");
    /// let mut file = SoundFile::create(&path, &FileOptions::new(44100, 1))?;
    /// file.write(&[0i16, 1000, -1000])?;
    /// file.finalize()?;
    /// assert_eq!(SoundFile::open(&path)?.info().frames, Some(3));
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn write<T: Sample>(&mut self, data: &[T]) -> Result<(), FileError> {
        check_frames(data.len(), self.info.channels, T::FORMAT)?;
        self.write_raw(as_bytes(data), T::FORMAT)
    }

    /// Reads up to `out.len() / frame size` frames of `format` (raw bytes)
    /// and returns how many were read; 0 at the end of the file.
    ///
    /// # Errors
    ///
    /// [`FileError::Io`] when libsndfile reports an error (a truncated or
    /// corrupt file).
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::SampleFormat;
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// # let path = dir.join("pastream-doc-rr.wav");
    /// # let mut f = SoundFile::create(&path, &FileOptions::new(8000, 1))?;
    /// # f.write(&[1000i16, -1000])?;
    /// # f.finalize()?;
    /// let mut file = SoundFile::open(&path)?;
    /// let mut bytes = [0u8; 4];
    /// assert_eq!(file.read_raw(&mut bytes, SampleFormat::I16)?, 2);
    /// assert_eq!(i16::from_ne_bytes([bytes[0], bytes[1]]), 1000);
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn read_raw(&mut self, out: &mut [u8], format: SampleFormat) -> Result<usize, FileError> {
        let ch = self.info.channels.max(1);
        let frames = out.len() / format.frame_size(ch);
        if frames == 0 || self.handle.is_null() {
            return Ok(0);
        }
        let n = frames * ch;
        if self.raw == Some(format) {
            let bytes = frames * format.frame_size(ch);
            // SAFETY: an open handle; `out` holds `bytes` bytes.
            let got =
                unsafe { sf::sf_read_raw(self.handle, out.as_mut_ptr().cast(), bytes as i64) };
            return self.read_result(got.max(0) / format.frame_size(ch) as i64);
        }
        let float_data = self.float_data();
        let got = match format {
            // Float data read as integers: by the library's full-scale rule
            // (libsndfile's own scaling would normalise to the file's peak).
            _ if float_data && format != SampleFormat::F32 => {
                self.scratch_f32.resize(n, 0.0);
                // SAFETY: an open handle; the buffer holds `frames` frames.
                let got = unsafe {
                    sf::sf_readf_float(self.handle, self.scratch_f32.as_mut_ptr(), frames as i64)
                };
                let vals = &self.scratch_f32[..got.max(0) as usize * ch];
                convert::from_f32(as_bytes(vals), out, format);
                got
            }
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
                convert::narrow_i32(vals, format, out);
                got
            }
            SampleFormat::I16 | SampleFormat::I8 | SampleFormat::U8 => {
                self.scratch_i16.resize(n, 0);
                // SAFETY: an open handle; the buffer holds `frames` frames.
                let got = unsafe {
                    sf::sf_readf_short(self.handle, self.scratch_i16.as_mut_ptr(), frames as i64)
                };
                let vals = &self.scratch_i16[..got.max(0) as usize * ch];
                convert::narrow_i16(vals, format, out);
                got
            }
        };
        self.read_result(got)
    }

    /// `got` frames read, or the error libsndfile reports.
    fn read_result(&self, got: i64) -> Result<usize, FileError> {
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

    /// Writes the whole frames of `format` in `data` (raw bytes).
    ///
    /// # Errors
    ///
    /// [`FileError::Io`] when not every frame could be written (disk full),
    /// [`FileError::BrokenPipe`] when the reader of a pipe closed it,
    /// [`FileError::Full`] when a file whose type has 32-bit sizes reached
    /// 4 GiB (the frames that fit are written; the file stays valid).
    ///
    /// # Examples
    ///
    /// ```
    /// # let dir = std::env::temp_dir();
    /// use pastream::SampleFormat;
    /// use pastream::io::soundfile::{FileOptions, SoundFile};
    ///
    /// let mut file = SoundFile::create(dir.join("pastream-doc-wr.wav"), &FileOptions::new(8000, 1))?;
    /// file.write_raw(&[0, 0, 128], SampleFormat::U8)?; // three 8-bit samples
    /// file.finalize()?;
    /// # Ok::<(), pastream::io::soundfile::FileError>(())
    /// ```
    pub fn write_raw(&mut self, data: &[u8], format: SampleFormat) -> Result<(), FileError> {
        let ch = self.info.channels.max(1);
        let frames = data.len() / format.frame_size(ch);
        if let Some(limit) = self.limit {
            let room = limit.saturating_sub(self.written);
            if frames as u64 > room {
                // What fits goes in; the file stays valid at its limit.
                self.write_frames(&data[..room as usize * format.frame_size(ch)], format)?;
                return Err(FileError::Full {
                    target: self.target.to_string(),
                    file_type: self.info.file_type.map_or("?", |t| t.name()).to_owned(),
                    frames: self.written,
                });
            }
        }
        self.write_frames(data, format)
    }

    /// Writes whole frames of `data`, with no limit.
    fn write_frames(&mut self, data: &[u8], format: SampleFormat) -> Result<(), FileError> {
        let ch = self.info.channels.max(1);
        let frames = data.len() / format.frame_size(ch);
        if frames == 0 {
            return Ok(());
        }
        if self.handle.is_null() {
            return Err(self.io_error("writing", "the file is already closed".into()));
        }
        let n = frames * ch;
        if self.raw == Some(format) {
            let bytes = frames * format.frame_size(ch);
            // SAFETY: an open handle; `data` holds `bytes` bytes.
            let put = unsafe { sf::sf_write_raw(self.handle, data.as_ptr().cast(), bytes as i64) };
            return self.write_result(put == bytes as i64, frames);
        }
        let float_data = self.float_data();
        let put = match format {
            // Integers into a float file: by the library's full-scale rule.
            _ if float_data && format != SampleFormat::F32 => {
                self.scratch_f32.clear();
                self.scratch_f32.resize(n, 0.0);
                convert::to_f32(
                    &data[..n * format.sample_size()],
                    bytemuck::cast_slice_mut(&mut self.scratch_f32),
                    format,
                );
                // SAFETY: an open handle; the buffer holds `frames` frames.
                unsafe {
                    sf::sf_writef_float(self.handle, self.scratch_f32.as_ptr(), frames as i64)
                }
            }
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
                convert::widen_i32(
                    &data[..n * format.sample_size()],
                    format,
                    &mut self.scratch_i32,
                );
                // SAFETY: an open handle; the buffer holds `frames` frames.
                unsafe { sf::sf_writef_int(self.handle, self.scratch_i32.as_ptr(), frames as i64) }
            }
            SampleFormat::I16 | SampleFormat::I8 | SampleFormat::U8 => {
                self.scratch_i16.clear();
                convert::widen_i16(
                    &data[..n * format.sample_size()],
                    format,
                    &mut self.scratch_i16,
                );
                // SAFETY: an open handle; the buffer holds `frames` frames.
                unsafe {
                    sf::sf_writef_short(self.handle, self.scratch_i16.as_ptr(), frames as i64)
                }
            }
        };
        self.write_result(put == frames as i64, frames)
    }

    /// Ok when every frame was written (`whole`), else the error:
    /// [`FileError::BrokenPipe`] when the reader of a pipe closed it.
    fn write_result(&mut self, whole: bool, frames: usize) -> Result<(), FileError> {
        if whole {
            self.written += frames as u64;
            return Ok(());
        }
        let errno = std::io::Error::last_os_error().raw_os_error();
        let reason = sf_error_text(self.handle);
        if errno == Some(libc::EPIPE) || reason.contains("Broken pipe") {
            return Err(FileError::BrokenPipe {
                target: self.target.to_string(),
            });
        }
        Err(self.io_error("writing", reason))
    }

    /// Whether the file holds float samples, which integer formats reach
    /// through the library's full-scale rule rather than libsndfile's.
    fn float_data(&self) -> bool {
        self.info
            .encoding
            .is_some_and(|e| matches!(e.name(), "FLOAT" | "DOUBLE"))
    }
}
