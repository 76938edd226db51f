//! The ring buffer under single- and multi-threaded use.

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
