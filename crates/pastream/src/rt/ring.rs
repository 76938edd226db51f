//! A lock-free single-producer single-consumer ring buffer of audio frames.
//!
//! [`RingBuffer::new`] returns a [`Producer`] and a [`Consumer`]; each may be
//! moved to a different thread, and the types make sure that there is only
//! ever one of each. Sizes and positions are counted in elements: an element
//! is one frame of interleaved samples of the ring's [`SampleFormat`] (or,
//! for a ring made with [`RingBuffer::new_raw`], any fixed number of bytes).
//!
//! None of the methods of [`Producer`] and [`Consumer`] allocate, lock or
//! block, except [`Consumer::read`] and [`Consumer::read_raw`], which return
//! a new `Vec`. They are safe to call from a real-time callback.
//!
//! Two ways to move data:
//! - copying: [`Producer::write`], [`Consumer::read_into`];
//! - in place: [`Producer::write_buffers`] and [`Consumer::read_buffers`] lend
//!   out the ring's memory as up to two slices (two when the region wraps
//!   around the end), and the data becomes visible to the other side only when
//!   the lender is advanced.
//!
//! Both come typed, as slices of the ring's [`Sample`] type (checked: the
//! wrong type is a [`SampleError`]), and raw, as bytes (the methods whose
//! names say raw). Typed views of the ring's memory need it aligned for the
//! sample type; the memory comes from the global allocator, which aligns
//! every block for any sample type on the platforms the library runs on, and
//! elements are whole frames, so views are aligned. Should they not be,
//! the typed in-place methods say so with [`SampleError::Misaligned`] and
//! the raw ones still work.
//!
//! ```
//! use pastream::SampleFormat;
//! use pastream::rt::ring::RingBuffer;
//!
//! // 1024 frames of stereo float32.
//! let (mut tx, mut rx) = RingBuffer::new(SampleFormat::F32, 2, 1024)?;
//! assert_eq!(tx.write(&[0.5f32, -0.5, 0.25, -0.25])?, 2);
//! let mut out = [0f32; 4];
//! assert_eq!(rx.read_into(&mut out)?, 2);
//! assert_eq!(out, [0.5, -0.5, 0.25, -0.25]);
//! // The wrong sample type is refused, not reinterpreted.
//! assert!(tx.write(&[1i16, 2]).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::mem::MaybeUninit;

use crate::sample::{Sample, SampleError, SampleFormat, as_bytes, cast, cast_mut, check_frames};

/// The error returned when a ring buffer cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RingError {
    /// The element size was zero.
    #[error("ring buffer element size must be at least one byte")]
    ZeroElementSize,
    /// The capacity was not a power of two.
    #[error("ring buffer size must be a power of two, got {0} elements")]
    NotPowerOfTwo(usize),
    /// A ring's elements are not the frames they should carry.
    #[error("ring buffer holds elements of {got} bytes, but a frame is {want} bytes")]
    ElementSize {
        /// The ring's element size.
        got: usize,
        /// The frame size.
        want: usize,
    },
    /// The capacity in bytes does not fit the address space.
    #[error("ring buffer of {elements} elements of {element_size} bytes is too large")]
    TooLarge {
        /// The requested number of elements.
        elements: usize,
        /// The requested element size.
        element_size: usize,
    },
}

/// Constructor of a ring buffer: see [`RingBuffer::new`].
#[derive(Debug)]
pub struct RingBuffer;

impl RingBuffer {
    /// Creates a ring buffer of `capacity` frames of `channels` channels of
    /// `format` and returns its two ends.
    ///
    /// The memory is allocated and zeroed here, once.
    ///
    /// # Errors
    ///
    /// [`RingError`] when `channels` is zero, `capacity` is not a power of
    /// two, or the size in bytes overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::SampleFormat;
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// let (tx, rx) = RingBuffer::new(SampleFormat::I16, 2, 8)?;
    /// assert_eq!((tx.capacity(), tx.element_size()), (8, 4));
    /// assert_eq!(rx.format(), Some(SampleFormat::I16));
    /// assert!(RingBuffer::new(SampleFormat::I16, 2, 1000).is_err());
    /// # Ok::<(), pastream::rt::ring::RingError>(())
    /// ```
    pub fn new(
        format: SampleFormat,
        channels: usize,
        capacity: usize,
    ) -> Result<(Producer, Consumer), RingError> {
        let (mut p, mut c) = RingBuffer::new_raw(format.frame_size(channels), capacity)?;
        p.format = Some(format);
        c.format = Some(format);
        p.channels = channels;
        c.channels = channels;
        Ok((p, c))
    }

    /// Creates a ring buffer of `capacity` elements of `element_size` bytes
    /// each, with no sample format: only the raw methods move its data.
    ///
    /// # Errors
    ///
    /// [`RingError`] when `element_size` is zero, `capacity` is not a power
    /// of two, or the size in bytes overflows.
    ///
    /// # Examples
    ///
    /// ```
    /// use pastream::rt::ring::RingBuffer;
    ///
    /// let (mut tx, mut rx) = RingBuffer::new_raw(4, 8)?; // 8 elements of 4 bytes
    /// assert_eq!(tx.write_raw(&[1, 2, 3, 4, 5, 6, 7, 8]), 2);
    /// let mut out = [0u8; 8];
    /// assert_eq!(rx.read_raw_into(&mut out), 2);
    /// assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8]);
    /// // A raw ring has no sample type.
    /// assert!(rx.read::<f32>(1).is_err());
    /// # Ok::<(), pastream::rt::ring::RingError>(())
    /// ```
    pub fn new_raw(
        element_size: usize,
        capacity: usize,
    ) -> Result<(Producer, Consumer), RingError> {
        if element_size == 0 {
            return Err(RingError::ZeroElementSize);
        }
        if !capacity.is_power_of_two() {
            return Err(RingError::NotPowerOfTwo(capacity));
        }
        let bytes = capacity
            .checked_mul(element_size)
            .filter(|b| *b <= isize::MAX as usize / 2)
            .ok_or(RingError::TooLarge {
                elements: capacity,
                element_size,
            })?;
        let (mut p, mut c) = rtrb::RingBuffer::<u8>::new(bytes);
        // Write every slot once, so that all of the ring's memory is
        // initialized from here on and can be lent out as `&mut [u8]`.
        match p.write_chunk_uninit(bytes) {
            Ok(mut chunk) => {
                let (a, b) = chunk.as_mut_slices();
                a.fill(MaybeUninit::new(0));
                b.fill(MaybeUninit::new(0));
                // SAFETY: both slices were just filled.
                unsafe { chunk.commit_all() };
            }
            Err(_) => unreachable!("a new ring buffer has all its slots free"),
        }
        if let Ok(chunk) = c.read_chunk(bytes) {
            chunk.commit_all();
        }
        Ok((
            Producer {
                inner: p,
                element_size,
                capacity,
                format: None,
                channels: 0,
            },
            Consumer {
                inner: c,
                element_size,
                capacity,
                format: None,
                channels: 0,
            },
        ))
    }
}

/// Checks typed access to a ring of `format` with `channels` channels by
/// `samples` samples of `T`.
fn typed<T: Sample>(
    format: Option<SampleFormat>,
    channels: usize,
    samples: usize,
) -> Result<(), SampleError> {
    let format = format.ok_or(SampleError::Raw)?;
    SampleError::check_format(T::FORMAT, format)?;
    check_frames(samples, channels, format)
}

/// Views slots of the ring as initialized bytes.
///
/// # Safety
///
/// Every byte of `s` must have been written at least once. That holds for
/// all slots of a ring made by [`RingBuffer::new`], which writes each slot at
/// construction; `u8` has no drop glue, so rtrb never de-initializes a slot.
unsafe fn assume_init(s: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and the caller
    // promises the bytes are initialized.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<u8>(), s.len()) }
}

/// The writing end of a ring buffer.
#[derive(Debug)]
pub struct Producer {
    inner: rtrb::Producer<u8>,
    element_size: usize,
    capacity: usize,
    format: Option<SampleFormat>,
    channels: usize,
}

impl Producer {
    /// The sample format of its frames; `None` for a raw ring.
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
    pub fn write<T: Sample>(&mut self, data: &[T]) -> Result<usize, SampleError> {
        typed::<T>(self.format, self.channels, data.len())?;
        Ok(self.write_raw(as_bytes(data)))
    }

    /// The size of one element in bytes.
    pub fn element_size(&self) -> usize {
        self.element_size
    }

    /// The number of elements the ring holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of elements that can be written now.
    pub fn write_available(&self) -> usize {
        self.inner.slots() / self.element_size
    }

    /// Whether the consumer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// Copies as many whole elements of `data` (raw bytes) as fit and
    /// returns how many elements were written. A trailing partial element is
    /// not written.
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
    pub fn as_mut_slices<T: Sample>(&mut self) -> Result<(&mut [T], &mut [T]), SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        let (a, b) = self.as_raw_mut_slices();
        Ok((cast_mut(a)?, cast_mut(b)?))
    }

    /// The two regions to write, as bytes: the second is empty unless the
    /// region wraps around the end of the ring. Both hold whole elements.
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
    pub fn advance(self, frames: usize) {
        assert!(frames <= self.frames, "advance past the lent elements");
        // SAFETY: all slots of this ring were initialized at construction.
        unsafe { self.chunk.commit(frames * self.element_size) }
    }
}

/// The reading end of a ring buffer.
#[derive(Debug)]
pub struct Consumer {
    inner: rtrb::Consumer<u8>,
    element_size: usize,
    capacity: usize,
    format: Option<SampleFormat>,
    channels: usize,
}

impl Consumer {
    /// The sample format of its frames; `None` for a raw ring.
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
    pub fn peek<T: Sample>(&mut self, frames: usize) -> Result<(&[T], &[T]), SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        let (a, b) = self.peek_raw(frames);
        Ok((cast(a)?, cast(b)?))
    }

    /// The size of one element in bytes.
    pub fn element_size(&self) -> usize {
        self.element_size
    }

    /// The number of elements the ring holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of elements that can be read now.
    pub fn read_available(&self) -> usize {
        self.inner.slots() / self.element_size
    }

    /// Whether the producer has been dropped.
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// Reads up to `frames` elements into a new buffer of bytes (this
    /// allocates: not for real-time code).
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
    pub fn advance(&mut self, frames: usize) -> usize {
        let bufs = self.read_buffers(frames);
        let n = bufs.frames();
        bufs.advance(n);
        n
    }

    /// Discards everything readable and returns the number of elements
    /// discarded.
    pub fn flush(&mut self) -> usize {
        self.advance(usize::MAX)
    }
}

/// Readable elements of a ring lent out in place; see
/// [`Consumer::read_buffers`].
///
/// Dropping it without [`advance`](Self::advance) consumes nothing.
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
    pub fn as_slices<T: Sample>(&self) -> Result<(&[T], &[T]), SampleError> {
        typed::<T>(self.format, self.channels, 0)?;
        let (a, b) = self.as_raw_slices();
        Ok((cast(a)?, cast(b)?))
    }

    /// The two regions to read, as bytes: the second is empty unless the
    /// region wraps around the end of the ring. Both hold whole elements.
    pub fn as_raw_slices(&self) -> (&[u8], &[u8]) {
        self.chunk.as_slices()
    }

    /// Frees the first `frames` elements for the producer.
    ///
    /// # Panics
    ///
    /// If `frames` is more than [`frames`](Self::frames).
    pub fn advance(self, frames: usize) {
        assert!(frames <= self.frames, "advance past the lent elements");
        self.chunk.commit(frames * self.element_size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_sizes() {
        assert_eq!(
            RingBuffer::new_raw(4, 1000).unwrap_err(),
            RingError::NotPowerOfTwo(1000)
        );
        assert_eq!(
            RingBuffer::new_raw(0, 8).unwrap_err(),
            RingError::ZeroElementSize
        );
        assert_eq!(
            RingBuffer::new_raw(4, 0).unwrap_err(),
            RingError::NotPowerOfTwo(0)
        );
        assert!(matches!(
            RingBuffer::new_raw(usize::MAX / 2, 1 << 20),
            Err(RingError::TooLarge { .. })
        ));
        let msg = RingBuffer::new_raw(4, 1000).unwrap_err().to_string();
        assert!(
            msg.contains("power of two") && msg.contains("1000"),
            "{msg}"
        );
    }

    #[test]
    fn counts_in_elements() {
        let (mut p, mut c) = RingBuffer::new_raw(3, 4).unwrap();
        assert_eq!(
            (p.capacity(), p.write_available(), c.read_available()),
            (4, 4, 0)
        );
        // 7 bytes = 2 whole elements; the trailing byte is not written.
        assert_eq!(p.write_raw(&[1, 2, 3, 4, 5, 6, 7]), 2);
        assert_eq!((p.write_available(), c.read_available()), (2, 2));
        assert_eq!(c.read_raw(1), vec![1, 2, 3]);
        assert_eq!(p.write_raw(&[9; 12]), 3);
        assert_eq!(p.write_available(), 0);
        assert_eq!(c.read_raw(10), vec![4, 5, 6, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    }

    #[test]
    fn two_regions_when_wrapping() {
        let (mut p, mut c) = RingBuffer::new_raw(2, 8).unwrap();
        p.write_raw(&[0; 12]); // 6 elements
        assert_eq!(c.flush(), 6);
        let mut w = p.write_buffers(5);
        assert_eq!(w.frames(), 5);
        let (a, b) = w.as_raw_mut_slices();
        assert_eq!((a.len(), b.len()), (4, 6));
        for (i, x) in a.iter_mut().chain(b.iter_mut()).enumerate() {
            *x = i as u8;
        }
        // Nothing is visible before the advance.
        assert_eq!(c.read_available(), 0);
        w.advance(4);
        assert_eq!(c.read_available(), 4);
        let r = c.read_buffers(100);
        assert_eq!(r.frames(), 4);
        let (a, b) = r.as_raw_slices();
        assert_eq!(a, &[0, 1, 2, 3]);
        assert_eq!(b, &[4, 5, 6, 7]);
        // Not advanced: the data stays.
        let (a, b) = c.peek_raw(3);
        assert_eq!((a, b), (&[0, 1, 2, 3][..], &[4, 5][..]));
        assert_eq!(c.read_available(), 4);
        let r = c.read_buffers(1);
        r.advance(1);
        assert_eq!(c.read_available(), 3);
        assert_eq!(p.write_available(), 5);
    }

    #[test]
    fn typed_access_checks_the_format_and_whole_frames() {
        let (mut p, mut c) = RingBuffer::new(SampleFormat::I16, 2, 8).unwrap();
        assert_eq!(
            p.write(&[1.0f32, 2.0]),
            Err(SampleError::Mismatch {
                expected: SampleFormat::I16,
                got: SampleFormat::F32
            })
        );
        assert!(matches!(
            p.write(&[1i16, 2, 3]),
            Err(SampleError::PartialFrame {
                samples: 3,
                channels: 2,
                ..
            })
        ));
        assert_eq!(p.write(&[1i16, 2, 3, 4]), Ok(2));
        let mut w = p.write_buffers(1);
        w.as_mut_slices::<i16>().unwrap().0.copy_from_slice(&[5, 6]);
        w.advance(1);
        assert_eq!(c.peek::<i16>(3).unwrap().0, [1, 2, 3, 4, 5, 6]);
        assert!(c.peek::<u8>(1).is_err());
        let r = c.read_buffers(1);
        assert_eq!(r.as_slices::<i16>().unwrap().0, [1, 2]);
        r.advance(1);
        let mut out = [0i16; 3];
        assert!(c.read_into(&mut out).is_err());
        assert_eq!(c.read_into(&mut out[..2]), Ok(1));
        assert_eq!(c.read::<i16>(5).unwrap(), [5, 6]);
        let (mut raw, _) = RingBuffer::new_raw(2, 4).unwrap();
        assert_eq!(raw.write(&[1i16]), Err(SampleError::Raw));
    }

    #[test]
    fn write_buffers_limited_by_space() {
        let (mut p, c) = RingBuffer::new_raw(1, 4).unwrap();
        p.write_raw(&[1, 2, 3]);
        assert_eq!(p.write_buffers(10).frames(), 1);
        drop(c);
        assert!(p.is_abandoned());
    }

    #[test]
    fn threaded_stream_is_exact() {
        let (mut p, mut c) = RingBuffer::new_raw(4, 64).unwrap();
        let total: u32 = if cfg!(miri) { 500 } else { 200_000 };
        let writer = std::thread::spawn(move || {
            let mut next = 0u32;
            while next < total {
                let mut w = p.write_buffers(17);
                let n = w.frames().min((total - next) as usize);
                let (a, b) = w.as_raw_mut_slices();
                for x in a.chunks_exact_mut(4).chain(b.chunks_exact_mut(4)).take(n) {
                    x.copy_from_slice(&next.to_ne_bytes());
                    next += 1;
                }
                w.advance(n);
                std::thread::yield_now();
            }
        });
        let mut expect = 0u32;
        let mut buf = [0u8; 4 * 13];
        while expect < total {
            let n = c.read_raw_into(&mut buf);
            for x in buf[..n * 4].chunks_exact(4) {
                assert_eq!(u32::from_ne_bytes(x.try_into().unwrap()), expect);
                expect += 1;
            }
            if n == 0 {
                std::thread::yield_now();
            }
        }
        writer.join().unwrap();
    }
}
