//! `DeepFilter::process` does not allocate (cargo feature `real-model`: needs the real library
//! and model). The counting allocator sees every allocation of this test binary, libDF's too.

#![cfg(feature = "real-model")]
#![allow(clippy::unwrap_used, reason = "test code: a failure should panic")]
#![allow(unsafe_code, reason = "a counting global allocator")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn process_does_not_allocate_in_our_code() {
    let dir = std::env::var_os("VL_MODELS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        PathBuf::from,
    );
    let rt = vl_deepfilter::Runtime::load(&vl_deepfilter::Paths::in_models_dir(&dir)).unwrap();
    let mut ns = rt.stream(vl_deepfilter::Config::default()).unwrap();
    let mut frame = [0.0f32; vl_deepfilter::FRAME_LEN];
    // Warm-up (libDF may size its own buffers on the first frames).
    for i in 0..50 {
        frame
            .iter_mut()
            .enumerate()
            .for_each(|(k, s)| *s = ((i * 160 + k) as f32 * 0.03).sin() * 0.1);
        ns.process(&mut frame).unwrap();
    }
    let before = ALLOCS.load(Ordering::Relaxed);
    for i in 0..200 {
        frame
            .iter_mut()
            .enumerate()
            .for_each(|(k, s)| *s = ((i * 160 + k) as f32 * 0.03).sin() * 0.1);
        ns.process(&mut frame).unwrap();
    }
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    println!("allocations in 200 frames: {n}");
    assert_eq!(n, 0, "{n} allocations in 200 frames");
}
