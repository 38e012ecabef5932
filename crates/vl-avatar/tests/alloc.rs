//! The render path allocates nothing per frame after warm-up (counting global allocator).
#![allow(unsafe_code, reason = "a counting GlobalAlloc wrapper around System")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System` unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn render_and_rig_do_not_allocate_per_frame() {
    use vl_avatar::playout::Playout;
    use vl_avatar::renderer::{RenderConfig, Renderer};
    use vl_avatar::rig::Rig;

    let mut renderer = Renderer::new(RenderConfig::default()).unwrap();
    let mut rig = Rig::default();
    let mut playout = Playout::new(24_000, 10_000);
    playout.start_item();
    playout.push_audio(&vec![100i16; 24_000 * 4]);
    for k in 0..200 {
        playout.push_viseme(k * 20, k % 22);
    }
    let mut pcm = [0i16; 480];
    // Warm-up.
    for _ in 0..10 {
        playout.next_frame(&mut pcm);
        let s = *rig.advance(40.0, playout.viseme_now());
        renderer.render(&s);
    }
    COUNTING.store(true, Ordering::SeqCst);
    let mut sum = 0u64;
    for _ in 0..100 {
        playout.next_frame(&mut pcm);
        playout.next_frame(&mut pcm);
        let s = *rig.advance(40.0, playout.viseme_now());
        sum += u64::from(renderer.render(&s).y()[1000]);
    }
    COUNTING.store(false, Ordering::SeqCst);
    assert!(sum > 0);
    assert_eq!(
        ALLOCS.load(Ordering::SeqCst),
        0,
        "allocations in 100 frames"
    );
}
