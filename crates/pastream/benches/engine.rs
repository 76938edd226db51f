//! Engine cost per frame, with and without channel maps.
#![allow(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pastream::rt::engine::{Capture, Engine, EngineConfig, Playback, Stats};
use pastream::rt::ring::{Consumer, RingBuffer};
use pastream::{Block, ChannelMap, SampleFormat, StatusFlags, TimeInfo};
use std::hint::black_box;

const BLOCK: usize = 256;

fn engine(channels: usize, mapped: bool) -> (Engine, Consumer) {
    let f = SampleFormat::F32;
    let mut cfg = EngineConfig::new(f, channels, channels);
    if mapped {
        let reversed: Vec<usize> = (1..=channels).rev().collect();
        cfg.tx_map = Some(ChannelMap::new(reversed.clone()));
        cfg.rx_map = Some(ChannelMap::new(reversed));
    }
    let (p, c) = RingBuffer::new_raw(f.frame_size(channels), 4 * BLOCK).unwrap();
    let e = Engine::new(
        &cfg,
        Playback::Memory {
            data: vec![0x3Fu8; 4096 * f.frame_size(channels)].into(),
            looping: true,
        },
        Capture::Ring {
            producer: p,
            draining: Arc::new(AtomicBool::new(false)),
        },
        Stats::new(),
    )
    .unwrap();
    (e, c)
}

fn bench_engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(BLOCK as u64));
    for channels in [2usize, 32] {
        for mapped in [false, true] {
            let name = if mapped { "mapped" } else { "identity" };
            g.bench_with_input(BenchmarkId::new(name, channels), &channels, |b, &ch| {
                let (mut e, mut rx) = engine(ch, mapped);
                let fs = SampleFormat::F32.frame_size(ch);
                let input = vec![0x40u8; BLOCK * fs];
                let mut output = vec![0u8; BLOCK * fs];
                b.iter(|| {
                    e.run(Block {
                        input: Some(black_box(&input)),
                        output: Some(&mut output),
                        frames: BLOCK,
                        time: TimeInfo::default(),
                        status: StatusFlags::NONE,
                    });
                    rx.flush();
                    black_box(&output);
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
