//! Real-time guard: after construction, `process`, `flush` and `reset` never allocate (style.md
//! §5 item 9), for every rate pair and for chunks from 1 sample to 1 s. Its own test binary so
//! that the counting global allocator sees no other test's allocations.
#![allow(
    unsafe_code,
    reason = "a counting GlobalAlloc must implement an unsafe trait"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use vl_codec::Resampler;
use vl_codec::resample::SUPPORTED_RATES_HZ;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: defers every operation to `System` unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn process_flush_and_reset_do_not_allocate() {
    for &fi in &SUPPORTED_RATES_HZ {
        for &fo in &SUPPORTED_RATES_HZ {
            // A clone must keep the no-allocation guarantee too.
            let mut r = Resampler::new(fi, fo).expect("supported").clone();
            let input: Vec<f32> = (0..fi as usize).map(|i| (i as f32 * 0.01).sin()).collect();
            let mut out = vec![0.0_f32; r.max_output_len(input.len()) + r.flush_len() + 16];
            let mut into = Vec::with_capacity(out.len());
            let sizes = [1, 7, fi as usize / 100, 4_095, 4_096, 4_097, fi as usize];
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for &n in &sizes {
                let written = r.process(&input[..n], &mut out).expect("sized");
                assert!(written <= out.len());
                into.clear();
                r.process_into(&input[..n], &mut into);
            }
            // Silence (the zero fast path) and the tail.
            let zeros = [0.0_f32; 480];
            r.process(&zeros, &mut out).expect("sized");
            r.flush(&mut out).expect("sized");
            r.reset();
            let after = ALLOCATIONS.load(Ordering::SeqCst);
            assert_eq!(
                after - before,
                0,
                "{fi}->{fo}: {} allocations",
                after - before
            );
        }
    }
}

/// The counter works: a `Vec` growing past its capacity is counted (so the test above can fail).
#[test]
fn the_counter_sees_allocations() {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let v: Vec<u64> = std::hint::black_box(vec![1, 2, 3]);
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before);
    drop(v);
}
