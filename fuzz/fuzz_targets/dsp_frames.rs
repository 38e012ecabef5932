//! Arbitrary bytes as f32 frames (any bit pattern, NaN/Inf included) into the echo canceller
//! (mic, far end, and a separate far-end push of arbitrary length) and the noise suppressor:
//! no panic, finite and bounded output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vl_dsp::{EchoCanceller, EchoCancellerConfig, FRAME_LEN, NoiseSuppressor};

fuzz_target!(|data: &[u8]| {
    let samples: Vec<f32> = data
        .chunks_exact(4)
        .map(|c| {
            let v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            // Mostly bounded audio, but keep raw patterns (NaN/Inf/huge) reachable.
            if c[0] & 1 == 0 && v.is_finite() {
                v.clamp(-1.0, 1.0)
            } else {
                v
            }
        })
        .collect();
    let mut aec = EchoCanceller::new(EchoCancellerConfig {
        tail_ms: 100,
        max_delay_ms: 300,
        far_fifo_ms: 500,
        suppressor: true,
    });
    let mut ns = NoiseSuppressor::default();
    let mut out = [0.0f32; FRAME_LEN];
    for chunk in samples.chunks(2 * FRAME_LEN) {
        if chunk.len() < 2 * FRAME_LEN {
            aec.push_far_end(chunk);
            let mut short = chunk.to_vec();
            assert!(ns.process(&mut short).is_err() || short.len() == FRAME_LEN);
            break;
        }
        let (mic, far) = chunk.split_at(FRAME_LEN);
        aec.process(mic, far, &mut out).unwrap_or(());
        assert!(
            out.iter().all(|v| v.is_finite() && v.abs() < 1e3),
            "aec {out:?}"
        );
        let mut frame = [0.0f32; FRAME_LEN];
        frame.copy_from_slice(mic);
        ns.process(&mut frame).unwrap_or(());
        assert!(
            frame.iter().all(|v| v.is_finite() && v.abs() < 1e3),
            "ns {frame:?}"
        );
    }
});
