//! Real-time guard: after warm-up, the per-call paths allocate nothing.
//!
//! A counting global allocator counts allocations made by the current thread; each hot path runs
//! many times on reused buffers and must leave the count unchanged. A separate test binary, so
//! the allocator sees nothing but this.
#![allow(unsafe_code, reason = "a GlobalAlloc impl is unsafe by definition")]
#![allow(clippy::unwrap_used, reason = "test")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use vl_codec::base64::{Base64AudioDecoder, decode_base64_pcm16, encode_pcm16_base64};
use vl_codec::g711::{Law, alaw, ulaw};
use vl_codec::pcm16;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: defers every operation to the system allocator unchanged; counting touches only a
// const-initialised thread-local `Cell`, which needs no allocation and no destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract for `alloc` is passed through.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Runs `f` once to warm up, then 100 times, and returns the allocations of those 100 runs.
fn allocations_after_warm_up(mut f: impl FnMut()) -> u64 {
    f();
    let before = allocations();
    for _ in 0..100 {
        f();
    }
    allocations() - before
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the guard: a Vec allocation must be counted, or the zero checks below mean nothing.
    let n = allocations_after_warm_up(|| {
        std::hint::black_box(vec![1_u8; 64]);
    });
    assert_eq!(n, 100);
}

#[test]
fn hot_paths_allocate_nothing_after_warm_up() {
    let pcm: Vec<i16> = (0..4_800)
        .map(|i| ((i * 7_919) % 65_536 - 32_768) as i16)
        .collect();
    let pcm_f32: Vec<f32> = pcm.iter().map(|&s| pcm16::to_f32(s)).collect();
    let bytes: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut codes = vec![0_u8; pcm.len()];
    let mut samples = vec![0_i16; pcm.len()];
    let mut floats = vec![0.0_f32; pcm.len()];
    let mut wire = vec![0_u8; bytes.len()];

    let n = allocations_after_warm_up(|| {
        for law in [Law::Ulaw, Law::Alaw] {
            law.encode_into(&pcm, &mut codes).unwrap();
            law.decode_into(&codes, &mut samples).unwrap();
        }
        ulaw::encode_into(&pcm, &mut codes).unwrap();
        alaw::decode_into(&codes, &mut samples).unwrap();
    });
    assert_eq!(n, 0, "G.711 i16 paths allocated");

    let n = allocations_after_warm_up(|| {
        for law in [Law::Ulaw, Law::Alaw] {
            law.encode_f32_into(&pcm_f32, &mut codes).unwrap();
            law.decode_f32_into(&codes, &mut floats).unwrap();
        }
    });
    assert_eq!(n, 0, "G.711 f32 paths allocated");

    let n = allocations_after_warm_up(|| {
        pcm16::le_bytes_to_i16_into(&bytes, &mut samples).unwrap();
        pcm16::le_bytes_to_f32_into(&bytes, &mut floats).unwrap();
        pcm16::f32_to_le_bytes_into(&floats, &mut wire).unwrap();
        pcm16::i16_to_le_bytes_into(&samples, &mut wire).unwrap();
        pcm16::to_f32_into(&samples, &mut floats).unwrap();
        pcm16::from_f32_into(&floats, &mut samples).unwrap();
    });
    assert_eq!(n, 0, "PCM16 conversions allocated");
    assert_eq!(samples, pcm);
    assert_eq!(wire, bytes);

    let n = allocations_after_warm_up(|| {
        assert!(ulaw::encode_into(&pcm, &mut codes[..1]).is_err());
        assert!(pcm16::le_bytes_to_i16_into(&bytes[..3], &mut samples).is_err());
    });
    assert_eq!(n, 0, "error paths allocated");

    // Base64 in both directions, with reused String/Vec and a streaming decoder fed chunks of
    // odd sizes (splitting groups and samples).
    let mut text = String::new();
    encode_pcm16_base64(&pcm, &mut text);
    let mut text_out = String::with_capacity(text.len());
    let mut decoded: Vec<i16> = Vec::with_capacity(pcm.len());
    let mut decoder = Base64AudioDecoder::new();
    let n = allocations_after_warm_up(|| {
        text_out.clear();
        encode_pcm16_base64(&pcm, &mut text_out);
        decoded.clear();
        for chunk in text.as_bytes().chunks(333) {
            decoder.decode(chunk, &mut decoded).unwrap();
        }
        decoder.finish().unwrap();
        decoded.clear();
        decode_base64_pcm16(&text, &mut decoded).unwrap();
        let mut slice = [0_i16; 64];
        decoder
            .decode_into(&text.as_bytes()[..80], &mut slice)
            .unwrap();
        assert!(decoder.decode("*", &mut decoded).is_err());
        decoder.reset();
    });
    assert_eq!(n, 0, "base64 allocated");
    assert_eq!(decoded, pcm);
    assert_eq!(text_out, text);
}
