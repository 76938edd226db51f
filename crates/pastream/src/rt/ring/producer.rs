//! The writing end of a ring buffer, and its free space lent out.

use super::{assume_init, typed};
use crate::sample::{Sample, SampleError, SampleFormat, as_bytes, cast_mut};

/// The writing end of a ring buffer.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::rt::ring::RingBuffer;
///
/// #[allow(unused_mut)]
/// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
/// assert_eq!(tx.write(&[0.5f32, 0.5])?, 1);
/// assert_eq!(rx.read_available(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Producer {
    pub(super) inner: rtrb::Producer<u8>,
    pub(super) element_size: usize,
    pub(super) capacity: usize,
    pub(super) format: Option<SampleFormat>,
    pub(super) channels: usize,
}

impl Producer {
    /// The sample format of its frames; `None` for a raw ring.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// assert_eq!(tx.format(), Some(SampleFormat::F32));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn format(&self) -> Option<SampleFormat> {
        self.format
    }

    /// Copies whole frames of `data` while they fit and returns how many
    /// frames were written.
    ///
    /// # Errors
    ///
    /// [`SampleError`] when `T` is not the ring's format (or the ring is
    /// raw), or `data` holds a partial frame.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// assert_eq!(tx.write(&[0.1f32; 20])?, 8); // only 8 frames fit
    /// assert!(tx.write(&[1i32, 2]).is_err()); // not float32
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write<T: Sample>(&mut self, data: &[T]) -> Result<usize, SampleError> {
        typed::<T>(self.format, self.channels, data.len())?;
        Ok(self.write_raw(as_bytes(data)))
    }

    /// The size of one element in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// assert_eq!(tx.element_size(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn element_size(&self) -> usize {
        self.element_size
    }

    /// The number of elements the ring holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// assert_eq!(tx.capacity(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of elements that can be written now.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[0f32; 6])?;
    /// assert_eq!(tx.write_available(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_available(&self) -> usize {
        self.inner.slots() / self.element_size
    }

    /// Whether the consumer has been dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// drop(rx);
    /// assert!(tx.is_abandoned());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// Copies as many whole elements of `data` (raw bytes) as fit and
    /// returns how many elements were written. A trailing partial element is
    /// not written.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// assert_eq!(tx.write_raw(&[0u8; 20]), 2); // two whole 8-byte frames
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_raw(&mut self, data: &[u8]) -> usize {
        let want = data.len() / self.element_size;
        let mut bufs = self.write_buffers(want);
        let n = bufs.frames();
        let (a, b) = bufs.as_raw_mut_slices();
        let split = a.len();
        a.copy_from_slice(&data[..split]);
        b.copy_from_slice(&data[split..split + b.len()]);
        bufs.advance(n);
        n
    }

    /// Lends out the next `min(frames, write_available())` free elements
    /// for writing in place. Nothing becomes readable until
    /// [`WriteBuffers::advance`] is called.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// let mut w = tx.write_buffers(4);
    /// let (a, b) = w.as_mut_slices::<f32>()?;
    /// a.fill(0.25);
    /// b.fill(0.25);
    /// w.advance(4);
    /// assert_eq!(rx.read_available(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_buffers(&mut self, frames: usize) -> WriteBuffers<'_> {
        let n = frames.min(self.write_available());
        let element_size = self.element_size;
        let chunk = match self.inner.write_chunk_uninit(n * element_size) {
            Ok(c) => c,
            Err(_) => unreachable!("the producer alone shrinks the free space"),
        };
        WriteBuffers {
            chunk,
            element_size,
            frames: n,
            format: self.format,
            channels: self.channels,
        }
    }
}

/// Free elements of a ring lent out for writing in place; see
/// [`Producer::write_buffers`].
///
/// Dropping it without [`advance`](Self::advance) writes nothing.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::rt::ring::RingBuffer;
///
/// #[allow(unused_mut)]
/// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
/// let mut w = tx.write_buffers(3);
/// w.as_mut_slices::<f32>()?.0.fill(1.0);
/// w.advance(3);
/// assert_eq!(rx.read::<f32>(3)?, [1.0; 6]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct WriteBuffers<'a> {
    chunk: rtrb::chunks::WriteChunkUninit<'a, u8>,
    element_size: usize,
    frames: usize,
    format: Option<SampleFormat>,
    channels: usize,
}

impl WriteBuffers<'_> {
    /// The number of elements lent out (possibly fewer than requested).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[0f32; 12])?;
    /// assert_eq!(tx.write_buffers(100).frames(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The two regions to write, as samples of the ring's format: the
    /// second is empty unless the region wraps around the end of the ring.
    /// Both hold whole frames.
    ///
    /// # Errors
    ///
    /// [`SampleError`] when `T` is not the ring's format, the ring is raw,
    /// or the memory is not aligned for `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// let mut w = tx.write_buffers(2);
    /// let (a, _) = w.as_mut_slices::<f32>()?;
    /// a.copy_from_slice(&[1.0, 2.0, 3.0, 4.0]);
    /// w.advance(2);
    /// assert_eq!(rx.read::<f32>(2)?, [1.0, 2.0, 3.0, 4.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_mut_slices<T: Sample>(&mut self) -> Result<(&mut [T], &mut [T]), SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        let (a, b) = self.as_raw_mut_slices();
        Ok((cast_mut(a)?, cast_mut(b)?))
    }

    /// The two regions to write, as bytes: the second is empty unless the
    /// region wraps around the end of the ring. Both hold whole elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// let mut w = tx.write_buffers(1);
    /// w.as_raw_mut_slices().0.copy_from_slice(&[0; 8]);
    /// w.advance(1);
    /// assert_eq!(rx.read_available(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_raw_mut_slices(&mut self) -> (&mut [u8], &mut [u8]) {
        let (a, b) = self.chunk.as_mut_slices();
        // SAFETY: all slots of this ring were initialized at construction.
        unsafe { (assume_init(a), assume_init(b)) }
    }

    /// Makes the first `frames` elements readable by the consumer.
    ///
    /// # Panics
    ///
    /// If `frames` is more than [`frames`](Self::frames).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// let w = tx.write_buffers(5);
    /// w.advance(2); // only two of the five become readable
    /// assert_eq!(rx.read_available(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance(self, frames: usize) {
        assert!(frames <= self.frames, "advance past the lent elements");
        // SAFETY: all slots of this ring were initialized at construction.
        unsafe { self.chunk.commit(frames * self.element_size) }
    }
}
