//! Heap held by an idle session (reliability.md §1: an idle session costs ≤ 64 KiB of server
//! RSS in all; the engine's share is budgeted here). Its own test binary, because it installs a
//! counting global allocator.
#![allow(
    unsafe_code,
    reason = "the counting global allocator forwards to `System`; test only"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use vl_engine::{Session, SessionConfig};

/// Bytes currently allocated through the global allocator, process-wide.
static LIVE: AtomicIsize = AtomicIsize::new(0);

struct Counting;

// SAFETY: every call is forwarded to `System` unchanged; only a counter is updated on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The engine's budget for one idle session, in bytes: the input resampler's history, the VAD's
/// per-stream state and the session object. The rest of the 64 KiB goes to the server's
/// WebSocket buffers, channels and tasks.
const IDLE_SESSION_BUDGET: isize = 32 * 1024;

/// Sessions measured together, so one-time process tables (FFT plans, resampler kernels) are
/// not charged to each of them.
const SESSIONS: usize = 64;

#[test]
fn an_idle_session_holds_at_most_its_heap_budget() {
    let now = Instant::now();
    // One session first: it builds the process-wide tables.
    let mut warm = Session::new(SessionConfig::new("gpt-4o"), now);
    while warm.poll_event().is_some() {}

    let before = LIVE.load(Ordering::Relaxed);
    let mut sessions = Vec::with_capacity(SESSIONS);
    let vec_bytes = (SESSIONS * std::mem::size_of::<Session>()) as isize;
    for _ in 0..SESSIONS {
        let mut s = Session::new(SessionConfig::new("gpt-4o"), now);
        // Hand out `session.created`, as the server does at once.
        while s.poll_event().is_some() {}
        sessions.push(s);
    }
    let per_session = (LIVE.load(Ordering::Relaxed) - before - vec_bytes) / SESSIONS as isize
        + std::mem::size_of::<Session>() as isize;
    assert!(
        per_session > 0,
        "the counting allocator saw nothing ({per_session} bytes per session)"
    );
    assert!(
        per_session <= IDLE_SESSION_BUDGET,
        "an idle session holds {per_session} bytes of heap (with its own struct), over the \
         {IDLE_SESSION_BUDGET}-byte budget"
    );
    eprintln!("idle session: {per_session} bytes");
    drop(sessions);
    drop(warm);
}
