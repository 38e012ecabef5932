//! Per-frame cost of the avatar media pipeline at 512×512: render (tiny-skia + RGBA→I420),
//! H.264 encode (OpenH264, Baseline, 2 Mbit/s, gop 10), both together, and one 20 ms Opus frame.
//! At 25 fps one core has 40 ms per frame: load % = 2.5 × (ms per frame) (+ Opus × 5 per 100 ms).

#![allow(clippy::unwrap_used, reason = "bench setup")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vl_avatar::audio::OpusEncoder;
use vl_avatar::renderer::{RenderConfig, Renderer, Rgb, fill_ellipse};
use vl_avatar::rig::Rig;
use vl_avatar::video::{H264Encoder, VideoConfig};

/// A talking viseme pattern so the mouth moves every frame (the worst case for the encoder).
fn viseme(i: u32) -> u32 {
    [0, 2, 2, 21, 7, 7, 15, 1][(i % 8) as usize]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("avatar_512");
    let mut renderer = Renderer::new(RenderConfig::default()).unwrap();
    let mut rig = Rig::default();
    let mut i = 0u32;
    g.bench_function("render", |b| {
        b.iter(|| {
            i += 1;
            let s = *rig.advance(40.0, viseme(i));
            black_box(renderer.render(&s).y()[0])
        })
    });

    // The renderer's own ellipse filler against tiny-skia's path filler (its first version; it
    // allocates per fill) as the anchor: the same 20 anti-aliased ovals at 512×512.
    let ovals: Vec<(f32, f32)> = (0..20u8)
        .map(|n| (20.0 + 8.0 * f32::from(n), 0.8))
        .collect();
    let mut data = vec![0u8; 512 * 512 * 4];
    g.bench_function("ovals_own", |b| {
        b.iter(|| {
            for (n, &(r, k)) in ovals.iter().enumerate() {
                let c = Rgb(200 - n as u8, 100 + n as u8, 90);
                fill_ellipse(&mut data, (512, 512), (256.0, 256.0), (r, r * k), c);
            }
            black_box(data[0])
        })
    });
    let mut pixmap = tiny_skia::Pixmap::new(512, 512).unwrap();
    g.bench_function("ovals_tiny_skia_anchor", |b| {
        b.iter(|| {
            for (n, &(r, k)) in ovals.iter().enumerate() {
                let rect =
                    tiny_skia::Rect::from_ltrb(256.0 - r, 256.0 - r * k, 256.0 + r, 256.0 + r * k)
                        .unwrap();
                let path = tiny_skia::PathBuilder::from_oval(rect).unwrap();
                let mut paint = tiny_skia::Paint::default();
                paint.set_color_rgba8(200 - n as u8, 100 + n as u8, 90, 255);
                paint.anti_alias = true;
                pixmap.fill_path(
                    &path,
                    &paint,
                    tiny_skia::FillRule::Winding,
                    tiny_skia::Transform::identity(),
                    None,
                );
            }
            black_box(pixmap.data()[0])
        })
    });

    let mut enc = H264Encoder::new(VideoConfig::default()).unwrap();
    let mut frames = Vec::new();
    for k in 0..16 {
        let s = *rig.advance(40.0, viseme(k));
        frames.push(renderer.render(&s).clone());
    }
    let mut k = 0usize;
    g.bench_function("encode", |b| {
        b.iter(|| {
            k += 1;
            black_box(enc.encode(&frames[k % frames.len()]).unwrap().data.len())
        })
    });

    g.bench_function("render_encode", |b| {
        b.iter(|| {
            i += 1;
            let s = *rig.advance(40.0, viseme(i));
            let f = renderer.render(&s);
            black_box(enc.encode(f).unwrap().data.len())
        })
    });

    let mut opus = OpusEncoder::new(24_000, 32_000).unwrap();
    let pcm: Vec<i16> = (0..480)
        .map(|n| ((n as f64 * 0.07).sin() * 9000.0) as i16)
        .collect();
    g.bench_function("opus_20ms", |b| {
        b.iter(|| black_box(opus.encode(&pcm).unwrap().len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
