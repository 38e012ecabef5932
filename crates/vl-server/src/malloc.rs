//! glibc malloc: the arena cap set at start-up and the heap figures of `/metrics`.
//!
//! glibc gives each thread that meets a locked arena a new one, up to 8 per core, and keeps
//! every arena's freed memory for reuse by that arena. Under session churn the blocking pool's
//! threads come and go (the scripted and embedded backends run there), so the server's RSS
//! climbed in steps with the number of arenas in the 30-minute soak while the allocated heap
//! stayed flat. Two arenas keep it flat at no measurable latency cost (docs/deployment.md).
//!
//! Elsewhere than Linux with glibc both functions do nothing.

/// Arenas the server allows unless `MALLOC_ARENA_MAX` is set in the environment.
pub const DEFAULT_ARENAS: usize = 2;

/// Caps glibc's malloc arenas at `arenas` unless `MALLOC_ARENA_MAX` is set (glibc then applies
/// that itself). Returns the cap applied by this call, `None` when it left glibc alone.
/// Call it first thing in `main`, before any thread is started.
pub fn cap_arenas(arenas: usize) -> Option<usize> {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() || arenas == 0 {
        return None;
    }
    imp::set_arena_max(arenas).then_some(arenas)
}

/// The heap as malloc sees it, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapFigures {
    /// Bytes handed out and not yet freed (in arenas plus mmapped chunks).
    pub allocated: u64,
    /// Bytes freed but kept by the arenas for reuse.
    pub free: u64,
}

/// The heap figures now (`mallinfo2`), or `None` without glibc.
pub fn heap_figures() -> Option<HeapFigures> {
    imp::heap_figures()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "two glibc calls: mallopt and mallinfo2")]
mod imp {
    use super::HeapFigures;

    pub(super) fn set_arena_max(arenas: usize) -> bool {
        let Ok(value) = libc::c_int::try_from(arenas) else {
            return false;
        };
        // SAFETY: mallopt only adjusts malloc's parameters; M_ARENA_MAX takes any positive int.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, value) == 1 }
    }

    pub(super) fn heap_figures() -> Option<HeapFigures> {
        // SAFETY: mallinfo2 takes each arena's lock in turn and returns a plain struct by value.
        let info = unsafe { libc::mallinfo2() };
        Some(HeapFigures {
            allocated: (info.uordblks + info.hblkhd) as u64,
            free: info.fordblks as u64,
        })
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    use super::HeapFigures;

    pub(super) fn set_arena_max(_arenas: usize) -> bool {
        false
    }

    pub(super) fn heap_figures() -> Option<HeapFigures> {
        None
    }
}

/// Serializes the tests that compare heap figures around a big block (they are process-wide).
#[cfg(test)]
pub(crate) static HEAP_TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn allocated_bytes_follow_a_live_allocation() {
        let _one_at_a_time = HEAP_TEST_LOCK.lock();
        let before = heap_figures().map(|h| h.allocated);
        let block = vec![1_u8; 64 << 20];
        let during = heap_figures().map(|h| h.allocated);
        std::hint::black_box(&block);
        drop(block);
        let (Some(before), Some(during)) = (before, during) else {
            panic!("mallinfo2 gave no figures on glibc");
        };
        // Other test threads allocate too; 64 MiB dwarfs them.
        assert!(
            during >= before + (60 << 20),
            "allocated {before} -> {during} bytes around a 64 MiB block"
        );
    }

    #[test]
    fn the_cap_applies_unless_zero_or_set_in_the_environment() {
        assert_eq!(cap_arenas(0), None);
        let glibc = cfg!(all(target_os = "linux", target_env = "gnu"));
        let expected = (glibc && std::env::var_os("MALLOC_ARENA_MAX").is_none()).then_some(2);
        assert_eq!(cap_arenas(2), expected);
    }
}
