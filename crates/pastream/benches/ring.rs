//! Ring buffer throughput: this crate's ring against rtrb's raw chunk API
//! and against a plain copy of the same bytes.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pastream::rt::ring::RingBuffer;
use std::hint::black_box;

/// Moves `total` bytes through a ring in blocks of `block` bytes.
fn bench_ring(c: &mut Criterion) {
    let total = 1 << 22;
    let mut g = c.benchmark_group("ring");
    g.throughput(Throughput::Bytes(total as u64));
    for block in [2048usize, 65536] {
        let data = vec![0x5Au8; block];
        let mut out = vec![0u8; block];

        g.bench_with_input(BenchmarkId::new("memcpy", block), &block, |b, &block| {
            b.iter(|| {
                for _ in 0..total / block {
                    out.copy_from_slice(black_box(&data));
                    black_box(&out);
                }
            })
        });

        g.bench_with_input(
            BenchmarkId::new("rtrb_chunks", block),
            &block,
            |b, &block| {
                let (mut p, mut cons) = rtrb::RingBuffer::<u8>::new(block * 4);
                b.iter(|| {
                    for _ in 0..total / block {
                        let mut w = p.write_chunk_uninit(block).unwrap();
                        let (a, bb) = w.as_mut_slices();
                        let (x, y) = data.split_at(a.len());
                        rtrb::CopyToUninit::copy_to_uninit(x, a);
                        rtrb::CopyToUninit::copy_to_uninit(y, bb);
                        // SAFETY: both slices were just written.
                        unsafe { w.commit_all() };
                        let r = cons.read_chunk(block).unwrap();
                        let (a, bb) = r.as_slices();
                        out[..a.len()].copy_from_slice(a);
                        out[a.len()..].copy_from_slice(bb);
                        r.commit_all();
                        black_box(&out);
                    }
                })
            },
        );

        g.bench_with_input(
            BenchmarkId::new("pastream_ring", block),
            &block,
            |b, &block| {
                // 8-byte elements: one stereo float32 frame.
                let (mut p, mut cons) = RingBuffer::new_raw(8, block * 4 / 8).unwrap();
                b.iter(|| {
                    for _ in 0..total / block {
                        assert_eq!(p.write_raw(black_box(&data)), block / 8);
                        assert_eq!(cons.read_raw_into(&mut out), block / 8);
                        black_box(&out);
                    }
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench_ring);
criterion_main!(benches);
