//! The mixer's cost per block with 1, 16 and 64 playing actions, against
//! the engine's plain copy of the same block (stereo float32, 256 frames),
//! in the same run.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pastream::rt::engine::{Capture, Engine, EngineConfig, Playback, Stats};
use pastream::rt::mixer::{MixerControl, MixerCore, Start, mixer};
use pastream::{Block, CallbackInfo, SampleFormat, StatusFlags, TimeInfo};

const BLOCK: usize = 256;
const CHANNELS: usize = 2;
/// Blocks each action lasts; a mixer is made again after that many.
const BLOCKS: usize = 2048;

fn block_info(k: usize) -> CallbackInfo {
    CallbackInfo {
        frames: BLOCK,
        start_frame: (k * BLOCK) as u64,
        time: TimeInfo::default(),
        status: StatusFlags::NONE,
    }
}

/// A mixer with `actions` stereo buffers playing from frame 0, all
/// sharing one buffer.
fn mixer_with(actions: usize, buffer: &Arc<[f32]>) -> (MixerControl, MixerCore) {
    let (mut control, core) = mixer(0, CHANNELS, 48000.0, actions);
    for _ in 0..actions {
        control
            .play_buffer(buffer.clone(), CHANNELS, Start::Frame(0), true)
            .unwrap();
    }
    (control, core)
}

fn bench_mixer(c: &mut Criterion) {
    let mut g = c.benchmark_group("mixer");
    g.throughput(Throughput::Elements(BLOCK as u64));
    let f = SampleFormat::F32;
    g.bench_function("engine copy", |b| {
        let cfg = EngineConfig::new(f, 0, CHANNELS);
        let mut e = Engine::new(
            &cfg,
            Playback::Memory {
                data: vec![0x3Fu8; 4096 * f.frame_size(CHANNELS)].into(),
                looping: true,
            },
            Capture::None,
            Stats::new(),
        )
        .unwrap();
        let mut output = vec![0u8; BLOCK * f.frame_size(CHANNELS)];
        b.iter(|| {
            e.run(Block {
                input: None,
                output: Some(&mut output),
                frames: BLOCK,
                time: TimeInfo::default(),
                status: StatusFlags::NONE,
            });
            black_box(&output);
        })
    });
    let buffer: Arc<[f32]> = vec![0.001f32; BLOCKS * BLOCK * CHANNELS].into();
    for actions in [1usize, 16, 64] {
        g.bench_with_input(BenchmarkId::new("actions", actions), &actions, |b, &n| {
            let mut output = vec![0f32; BLOCK * CHANNELS];
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                let mut done = 0u64;
                while done < iters {
                    // Fresh actions for each stretch, made untimed.
                    let (mut control, mut core) = mixer_with(n, &buffer);
                    let blocks = (iters - done).min(BLOCKS as u64) as usize;
                    let t = Instant::now();
                    for k in 0..blocks {
                        output.fill(0.0);
                        core.process(&[], &mut output, &block_info(k));
                        black_box(&output);
                    }
                    spent += t.elapsed();
                    done += blocks as u64;
                    control.collect();
                }
                spent
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_mixer);
criterion_main!(benches);
