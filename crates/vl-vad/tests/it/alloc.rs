//! Real-time guard: the per-frame paths do not allocate after construction (style.md §5.9).
//!
//! A counting global allocator counts allocations made by the current thread only, so tests
//! running in parallel do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use vl_vad::{FRAME_SAMPLES, ServerVadConfig, Vad};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

#[allow(
    unsafe_code,
    reason = "a counting wrapper around the system allocator, test only"
)]
// SAFETY: forwards every call unchanged to `System`.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCS.with(Cell::get)
}

#[test]
fn per_frame_path_does_not_allocate() {
    let mut vad = Vad::new(
        ServerVadConfig::default().with_speech_duration_ms(0),
        16_000,
    )
    .expect("valid config");
    // A signal with speech-like bursts and silences so that every branch runs.
    let audio: Vec<f32> = (0..16_000 * 6)
        .map(|n| {
            let t = n as f32 / 16_000.0;
            let on = t as u32 % 2 == 0;
            let x = std::f32::consts::TAU * 180.0 * t;
            if on {
                0.2 * (x.sin() + 0.5 * (2.0 * x).sin())
            } else {
                0.0
            }
        })
        .collect();
    let before = allocations();
    let mut events = 0;
    for frame in audio.chunks_exact(FRAME_SAMPLES) {
        if vad.process_frame(frame).expect("whole frames").is_some() {
            events += 1;
        }
    }
    let _ = vad.process_frame(&audio[..10]);
    vad.reset();
    let after = allocations();
    assert!(
        events >= 2,
        "the signal should start and stop turns ({events} events)"
    );
    assert_eq!(after - before, 0, "allocations on the per-frame path");
}
