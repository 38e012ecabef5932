//! Resampler chunking invariance: an arbitrary rate pair, arbitrary samples and arbitrary chunk
//! boundaries must give output bit-identical to one-shot processing, never panic, and produce
//! exactly `output_len` samples per call (no drift).
//!
//! Input layout: byte 0 = input rate index, byte 1 = output rate index (mod 8), bytes 2..66 =
//! up to 32 chunk lengths (u16 LE, taken mod 4097, so 0…4096 samples, cycled), the rest = PCM16
//! LE samples (÷32768).
#![no_main]

use std::cell::RefCell;
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use vl_codec::Resampler;
use vl_codec::resample::SUPPORTED_RATES_HZ;

thread_local! {
    /// One constructed resampler per pair, cloned (and reset) per input: construction computes
    /// up to 441 × 48 kernel values, which would otherwise dominate each run.
    static CACHE: RefCell<HashMap<(u32, u32), Resampler>> = RefCell::new(HashMap::new());
}

/// A fresh resampler for `fi → fo` (a reset clone of the cached one).
fn fresh(fi: u32, fo: u32) -> Resampler {
    CACHE.with(|cache| {
        let mut r = cache
            .borrow_mut()
            .entry((fi, fo))
            .or_insert_with(|| Resampler::new(fi, fo).expect("supported pair"))
            .clone();
        r.reset();
        r
    })
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let fi = SUPPORTED_RATES_HZ[usize::from(data[0] % 8)];
    let fo = SUPPORTED_RATES_HZ[usize::from(data[1] % 8)];
    let header = data.len().min(66);
    let cuts: Vec<usize> = data[2..header]
        .chunks_exact(2)
        .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])) % 4097)
        .collect();
    let samples: Vec<f32> = data[header..]
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0)
        .collect();

    let mut whole = fresh(fi, fo);
    let mut expected = Vec::new();
    whole.process_into(&samples, &mut expected);
    let mut tail = vec![0.0; whole.flush_len()];
    let n = whole.flush(&mut tail).expect("sized");
    assert_eq!(n, tail.len());
    expected.extend_from_slice(&tail);

    // Dirty the cached object's clone first, so a reset that forgot some state would show.
    let mut r = fresh(fi, fo);
    r.process_into(&samples[..samples.len().min(37)], &mut Vec::new());
    r.reset();
    let mut got = Vec::new();
    let mut buf = vec![0.0; r.max_output_len(4096)];
    let mut rest = &samples[..];
    let mut i = 0;
    while !rest.is_empty() {
        let n = if cuts.is_empty() {
            rest.len()
        } else {
            cuts[i % cuts.len()].min(rest.len())
        };
        i += 1;
        let n = n.min(4096);
        let predicted = r.output_len(n);
        let w = r
            .process(&rest[..n], &mut buf)
            .expect("sized by max_output_len");
        assert_eq!(w, predicted);
        got.extend_from_slice(&buf[..w]);
        rest = &rest[n..];
        if i > 100_000 {
            return; // only zero-length cuts: nothing left to check
        }
    }
    let mut tail = vec![0.0; r.flush_len()];
    let n = r.flush(&mut tail).expect("sized");
    got.extend_from_slice(&tail[..n]);

    assert_eq!(got.len(), expected.len());
    for (a, b) in got.iter().zip(&expected) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    // Length contract: ceil(n·fo/fi) from process, plus the flushed tail.
    let n_in = samples.len() as u64;
    let from_process = (n_in * u64::from(fo)).div_ceil(u64::from(fi));
    assert_eq!(got.len() as u64, from_process + n as u64);
});
