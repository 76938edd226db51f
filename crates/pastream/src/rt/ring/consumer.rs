//! The reading end of a ring buffer, and its readable frames lent out.

use super::typed;
use crate::sample::{Sample, SampleError, SampleFormat, cast};

/// The reading end of a ring buffer.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::rt::ring::RingBuffer;
///
/// #[allow(unused_mut)]
/// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
/// tx.write(&[0.5f32; 4])?;
/// assert_eq!(rx.read::<f32>(10)?, [0.5; 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Consumer {
    pub(super) inner: rtrb::Consumer<u8>,
    pub(super) element_size: usize,
    pub(super) capacity: usize,
    pub(super) format: Option<SampleFormat>,
    pub(super) channels: usize,
}

impl Consumer {
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
    /// assert_eq!(rx.format(), Some(SampleFormat::F32));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn format(&self) -> Option<SampleFormat> {
        self.format
    }

    /// Reads up to `frames` frames into a new buffer (this allocates: not
    /// for real-time code).
    ///
    /// # Errors
    ///
    /// [`SampleError`] when `T` is not the ring's format, or the ring is
    /// raw.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[1f32, 2.0, 3.0, 4.0])?;
    /// assert_eq!(rx.read::<f32>(1)?, [1.0, 2.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read<T: Sample>(&mut self, frames: usize) -> Result<Vec<T>, SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        crate::sample::from_bytes(&self.read_raw(frames))
    }

    /// Reads as many whole frames as fit in `out` and returns how many
    /// frames were read.
    ///
    /// # Errors
    ///
    /// [`SampleError`] when `T` is not the ring's format (or the ring is
    /// raw), or `out` holds a partial frame.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[1f32, 2.0])?;
    /// let mut out = [0f32; 4];
    /// assert_eq!(rx.read_into(&mut out)?, 1);
    /// assert_eq!(out, [1.0, 2.0, 0.0, 0.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_into<T: Sample>(&mut self, out: &mut [T]) -> Result<usize, SampleError> {
        typed::<T>(self.format, self.channels, out.len())?;
        Ok(self.read_raw_into(bytemuck::cast_slice_mut(out)))
    }

    /// Looks at the next `min(frames, read_available())` frames without
    /// consuming them, as samples; see [`peek_raw`](Self::peek_raw).
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
    /// tx.write(&[1f32, 2.0])?;
    /// assert_eq!(rx.peek::<f32>(1)?.0, [1.0, 2.0]);
    /// assert_eq!(rx.read_available(), 1); // still there
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peek<T: Sample>(&mut self, frames: usize) -> Result<(&[T], &[T]), SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        let (a, b) = self.peek_raw(frames);
        Ok((cast(a)?, cast(b)?))
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
    /// assert_eq!(rx.element_size(), 8);
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
    /// assert_eq!(rx.capacity(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of elements that can be read now.
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
    /// assert_eq!(rx.read_available(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_available(&self) -> usize {
        self.inner.slots() / self.element_size
    }

    /// Whether the producer has been dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// drop(tx);
    /// assert!(rx.is_abandoned());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// Reads up to `frames` elements into a new buffer of bytes (this
    /// allocates: not for real-time code).
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[1f32, 2.0])?;
    /// assert_eq!(rx.read_raw(1).len(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_raw(&mut self, frames: usize) -> Vec<u8> {
        let bufs = self.read_buffers(frames);
        let (a, b) = bufs.as_raw_slices();
        let mut out = Vec::with_capacity(a.len() + b.len());
        out.extend_from_slice(a);
        out.extend_from_slice(b);
        let n = bufs.frames();
        bufs.advance(n);
        out
    }

    /// Reads as many whole elements as fit in `out` (bytes) and returns how
    /// many elements were read.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[1f32, 2.0])?;
    /// let mut out = [0u8; 8];
    /// assert_eq!(rx.read_raw_into(&mut out), 1);
    /// assert_eq!(f32::from_ne_bytes([out[0], out[1], out[2], out[3]]), 1.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_raw_into(&mut self, out: &mut [u8]) -> usize {
        let bufs = self.read_buffers(out.len() / self.element_size);
        let (a, b) = bufs.as_raw_slices();
        out[..a.len()].copy_from_slice(a);
        out[a.len()..a.len() + b.len()].copy_from_slice(b);
        let n = bufs.frames();
        bufs.advance(n);
        n
    }

    /// Lends out the next `min(frames, read_available())` elements for
    /// reading in place. They stay in the ring until
    /// [`ReadBuffers::advance`] is called.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[1f32, 2.0, 3.0, 4.0])?;
    /// let r = rx.read_buffers(2);
    /// assert_eq!(r.as_slices::<f32>()?.0, [1.0, 2.0, 3.0, 4.0]);
    /// r.advance(2);
    /// assert_eq!(rx.read_available(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_buffers(&mut self, frames: usize) -> ReadBuffers<'_> {
        let n = frames.min(self.read_available());
        let element_size = self.element_size;
        let chunk = match self.inner.read_chunk(n * element_size) {
            Ok(c) => c,
            Err(_) => unreachable!("the consumer alone shrinks the readable data"),
        };
        ReadBuffers {
            chunk,
            element_size,
            frames: n,
            format: self.format,
            channels: self.channels,
        }
    }

    /// Looks at the next `min(frames, read_available())` elements without
    /// consuming them; the slices are valid until the consumer is used
    /// again. Use [`advance`](Self::advance) to consume.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// #[allow(unused_mut)]
    /// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
    /// tx.write(&[1f32, 2.0])?;
    /// let (a, b) = rx.peek_raw(1);
    /// assert_eq!((a.len(), b.len()), (8, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn peek_raw(&mut self, frames: usize) -> (&[u8], &[u8]) {
        let bufs = self.read_buffers(frames);
        let (a, b) = bufs.as_raw_slices();
        let (pa, la, pb, lb) = (a.as_ptr(), a.len(), b.as_ptr(), b.len());
        // SAFETY: the slices point into the ring's memory, at elements that
        // stay readable until this consumer commits them. Committing needs
        // `&mut self`, which the returned slices borrow, so the producer
        // cannot overwrite them while they live. Dropping an uncommitted
        // rtrb `ReadChunk` changes nothing (it has no destructor).
        unsafe {
            (
                std::slice::from_raw_parts(pa, la),
                std::slice::from_raw_parts(pb, lb),
            )
        }
    }

    /// Consumes `frames` elements, making their room available to the
    /// producer, and returns how many were consumed (at most
    /// `read_available()`).
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
    /// assert_eq!(rx.advance(2), 2);
    /// assert_eq!(rx.read_available(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance(&mut self, frames: usize) -> usize {
        let bufs = self.read_buffers(frames);
        let n = bufs.frames();
        bufs.advance(n);
        n
    }

    /// Discards everything readable and returns the number of elements
    /// discarded.
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
    /// assert_eq!(rx.flush(), 3);
    /// assert_eq!(rx.read_available(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&mut self) -> usize {
        self.advance(usize::MAX)
    }
}

/// Readable elements of a ring lent out in place; see
/// [`Consumer::read_buffers`].
///
/// Dropping it without [`advance`](Self::advance) consumes nothing.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::rt::ring::RingBuffer;
///
/// #[allow(unused_mut)]
/// let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 8)?;
/// tx.write(&[1f32, 2.0])?;
/// let r = rx.read_buffers(1);
/// assert_eq!(r.frames(), 1);
/// r.advance(0); // nothing consumed
/// assert_eq!(rx.read_available(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ReadBuffers<'a> {
    chunk: rtrb::chunks::ReadChunk<'a, u8>,
    element_size: usize,
    frames: usize,
    format: Option<SampleFormat>,
    channels: usize,
}

impl ReadBuffers<'_> {
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
    /// tx.write(&[0f32; 4])?;
    /// assert_eq!(rx.read_buffers(10).frames(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The two regions to read, as samples of the ring's format: the
    /// second is empty unless the region wraps around the end of the ring.
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
    /// tx.write(&[1f32, 2.0])?;
    /// let r = rx.read_buffers(1);
    /// let (a, b) = r.as_slices::<f32>()?;
    /// assert_eq!((a, b), (&[1.0, 2.0][..], &[][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_slices<T: Sample>(&self) -> Result<(&[T], &[T]), SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        let (a, b) = self.as_raw_slices();
        Ok((cast(a)?, cast(b)?))
    }

    /// The two regions to read, as bytes: the second is empty unless the
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
    /// tx.write(&[1f32, 2.0])?;
    /// let r = rx.read_buffers(1);
    /// assert_eq!(r.as_raw_slices().0.len(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_raw_slices(&self) -> (&[u8], &[u8]) {
        self.chunk.as_slices()
    }

    /// Frees the first `frames` elements for the producer.
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
    /// tx.write(&[0f32; 4])?;
    /// rx.read_buffers(2).advance(1);
    /// assert_eq!(rx.read_available(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance(self, frames: usize) {
        assert!(frames <= self.frames, "advance past the lent elements");
        self.chunk.commit(frames * self.element_size);
    }
}
