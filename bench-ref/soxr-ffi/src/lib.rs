//! A minimal safe wrapper over libsoxr 0.1.3 (Debian `libsoxr-dev`) for **benches only**.
//!
//! libsoxr is LGPL-2.1; keeping it in this excluded-from-shipping crate means no vl-* library
//! or binary links it. Only what the resampler benches need is wrapped: one mono `f32` stream
//! with soxr's default io spec (`SOXR_FLOAT32_I` in and out) and default quality (`SOXR_HQ`,
//! 20-bit), single-threaded (default runtime spec).
#![allow(
    unsafe_code,
    reason = "FFI to libsoxr; every unsafe block states its invariants"
)]

use std::ffi::{CStr, c_char, c_double, c_uint, c_void};
use std::ptr::{self, NonNull};

#[repr(C)]
struct SoxrOpaque {
    _private: [u8; 0],
}

type SoxrT = *mut SoxrOpaque;
type SoxrError = *const c_char;

unsafe extern "C" {
    fn soxr_create(
        input_rate: c_double,
        output_rate: c_double,
        num_channels: c_uint,
        error: *mut SoxrError,
        io_spec: *const c_void,
        quality_spec: *const c_void,
        runtime_spec: *const c_void,
    ) -> SoxrT;
    fn soxr_process(
        resampler: SoxrT,
        input: *const c_void,
        ilen: usize,
        idone: *mut usize,
        output: *mut c_void,
        olen: usize,
        odone: *mut usize,
    ) -> SoxrError;
    fn soxr_delay(resampler: SoxrT) -> c_double;
    fn soxr_clear(resampler: SoxrT) -> SoxrError;
    fn soxr_delete(resampler: SoxrT);
}

/// Converts a soxr error pointer (null = success) into a `Result`.
fn check(error: SoxrError) -> Result<(), String> {
    if error.is_null() {
        Ok(())
    } else {
        // SAFETY: a non-null soxr_error_t points to a static NUL-terminated string (soxr.h:
        // "typedef char const * soxr_error_t; 0:no-error; non-0:error").
        Err(unsafe { CStr::from_ptr(error) }
            .to_string_lossy()
            .into_owned())
    }
}

/// One mono `f32` soxr HQ resampler.
#[derive(Debug)]
pub struct Soxr {
    handle: NonNull<SoxrOpaque>,
}

impl Soxr {
    /// A mono `f32` HQ resampler from `in_hz` to `out_hz` (Hz).
    ///
    /// # Errors
    ///
    /// soxr's error text if it rejects the rates.
    pub fn new_hq(in_hz: f64, out_hz: f64) -> Result<Self, String> {
        let mut error: SoxrError = ptr::null();
        // SAFETY: `error` is a valid out-pointer; null spec pointers select soxr's documented
        // defaults (soxr.h: float32 interleaved io, SOXR_HQ quality, 1 thread).
        let handle = unsafe {
            soxr_create(
                in_hz,
                out_hz,
                1,
                &raw mut error,
                ptr::null(),
                ptr::null(),
                ptr::null(),
            )
        };
        check(error)?;
        NonNull::new(handle)
            .map(|handle| Self { handle })
            .ok_or_else(|| "soxr_create returned null".into())
    }

    /// Feeds `input` and writes up to `output.len()` samples; returns `(consumed, written)`.
    /// soxr buffers internally, so it may write fewer samples than `input` implies.
    ///
    /// # Errors
    ///
    /// soxr's error text.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) -> Result<(usize, usize), String> {
        let (mut idone, mut odone) = (0_usize, 0_usize);
        // SAFETY: the pointers and lengths describe live slices of f32 (the io type chosen in
        // `new_hq`); soxr reads at most `ilen` and writes at most `olen` samples; the handle is
        // valid until drop and `&mut self` keeps calls exclusive.
        let error = unsafe {
            soxr_process(
                self.handle.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                &raw mut idone,
                output.as_mut_ptr().cast(),
                output.len(),
                &raw mut odone,
            )
        };
        check(error)?;
        Ok((idone, odone))
    }

    /// Ends the input: writes what soxr still holds (call until it returns 0).
    ///
    /// # Errors
    ///
    /// soxr's error text.
    pub fn drain(&mut self, output: &mut [f32]) -> Result<usize, String> {
        let mut odone = 0_usize;
        // SAFETY: a null input pointer tells soxr the input has ended (soxr.h); the output
        // slice is live and writable for `olen` samples.
        let error = unsafe {
            soxr_process(
                self.handle.as_ptr(),
                ptr::null(),
                0,
                ptr::null_mut(),
                output.as_mut_ptr().cast(),
                output.len(),
                &raw mut odone,
            )
        };
        check(error)?;
        Ok(odone)
    }

    /// Current delay, in output samples.
    pub fn delay(&self) -> f64 {
        // SAFETY: the handle is valid until drop.
        unsafe { soxr_delay(self.handle.as_ptr()) }
    }

    /// Back to the initial state.
    ///
    /// # Errors
    ///
    /// soxr's error text.
    pub fn clear(&mut self) -> Result<(), String> {
        // SAFETY: the handle is valid until drop.
        check(unsafe { soxr_clear(self.handle.as_ptr()) })
    }
}

impl Drop for Soxr {
    fn drop(&mut self) {
        // SAFETY: the handle came from soxr_create and is deleted exactly once.
        unsafe { soxr_delete(self.handle.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_48k_to_16k() {
        let mut s = Soxr::new_hq(48_000.0, 16_000.0).expect("valid rates");
        let input = vec![0.25_f32; 48_000];
        let mut out = vec![0.0_f32; 20_000];
        let (used, mut written) = s.process(&input, &mut out).expect("process");
        assert_eq!(used, input.len());
        loop {
            let n = s.drain(&mut out[written..]).expect("drain");
            if n == 0 {
                break;
            }
            written += n;
        }
        assert!((15_990..=16_010).contains(&written), "{written}");
        // DC is passed at unity gain once settled.
        assert!((out[8_000] - 0.25).abs() < 1e-4, "{}", out[8_000]);
        assert!(s.delay() >= 0.0);
        s.clear().expect("clear");
    }
}
