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

use crate::sample::{Sample, SampleError, SampleFormat, check_frames};

mod consumer;
mod producer;

pub use consumer::{Consumer, ReadBuffers};
pub use producer::{Producer, WriteBuffers};

/// The error returned when a ring buffer cannot be built.
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::rt::ring::RingBuffer;
///
/// use pastream::rt::ring::RingError;
///
/// assert_eq!(RingBuffer::new(SampleFormat::F32, 2, 1000).unwrap_err(), RingError::NotPowerOfTwo(1000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
///
/// # Examples
///
/// ```
/// use pastream::SampleFormat;
/// use pastream::rt::ring::RingBuffer;
///
/// let (producer, consumer) = RingBuffer::new(SampleFormat::I16, 1, 1024)?;
/// let writer = std::thread::spawn(move || {
///     let mut producer = producer;
///     let mut left = 10_000;
///     while left > 0 {
///         let n = producer.write(&vec![7i16; producer.write_available().min(left)]).unwrap();
///         left -= n;
///     }
/// });
/// let mut consumer = consumer;
/// let mut got = 0;
/// while got < 10_000 {
///     got += consumer.read::<i16>(usize::MAX)?.len();
/// }
/// writer.join().unwrap();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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

#[cfg(test)]
mod tests;
