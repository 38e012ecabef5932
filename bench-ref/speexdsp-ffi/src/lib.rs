//! A minimal safe wrapper over libspeexdsp 1.2 (Debian `libspeexdsp-dev`, BSD-3) for **benches
//! and evaluations only**: the MDF echo canceller (`speex_echo_*`) and the preprocessor's noise
//! suppressor (`speex_preprocess_*`), on 16-bit samples as the library's fixed API takes them.
#![allow(
    unsafe_code,
    reason = "FFI to libspeexdsp; every unsafe block states its invariants"
)]

use std::ffi::{c_int, c_void};
use std::ptr::NonNull;

#[repr(C)]
struct Opaque {
    _private: [u8; 0],
}

const SPEEX_ECHO_SET_SAMPLING_RATE: c_int = 24;
const SPEEX_PREPROCESS_SET_DENOISE: c_int = 0;
const SPEEX_PREPROCESS_SET_ECHO_STATE: c_int = 24;

unsafe extern "C" {
    fn speex_echo_state_init(frame_size: c_int, filter_length: c_int) -> *mut Opaque;
    fn speex_echo_state_destroy(st: *mut Opaque);
    fn speex_echo_cancellation(st: *mut Opaque, rec: *const i16, play: *const i16, out: *mut i16);
    fn speex_echo_ctl(st: *mut Opaque, request: c_int, ptr: *mut c_void) -> c_int;
    fn speex_preprocess_state_init(frame_size: c_int, sampling_rate: c_int) -> *mut Opaque;
    fn speex_preprocess_state_destroy(st: *mut Opaque);
    fn speex_preprocess_ctl(st: *mut Opaque, request: c_int, ptr: *mut c_void) -> c_int;
    fn speex_preprocess_run(st: *mut Opaque, x: *mut i16) -> c_int;
}

/// Converts ±1 floats to 16-bit samples (saturating).
pub fn to_i16(x: &[f32], out: &mut [i16]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
    }
}

/// Converts 16-bit samples to ±1 floats.
pub fn to_f32(x: &[i16], out: &mut [f32]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f32::from(v) / 32768.0;
    }
}

/// speexdsp MDF echo canceller at 16 kHz, optionally followed by the preprocessor's residual
/// echo and noise suppression.
#[derive(Debug)]
pub struct SpeexEcho {
    echo: NonNull<Opaque>,
    pre: Option<NonNull<Opaque>>,
    frame: usize,
}

// SAFETY: the states are plain heap objects owned by this value, never shared.
unsafe impl Send for SpeexEcho {}

impl SpeexEcho {
    /// `frame` samples per call, filter `tail` samples; `preprocess` adds the preprocessor with
    /// denoise on and the echo state attached (residual echo suppression).
    pub fn new(frame: usize, tail: usize, preprocess: bool) -> Option<Self> {
        // SAFETY: plain constructor; null is checked below.
        let echo = NonNull::new(unsafe { speex_echo_state_init(frame as c_int, tail as c_int) })?;
        let mut rate: c_int = 16_000;
        // SAFETY: valid state and a pointer to an int, as the request documents.
        unsafe {
            speex_echo_ctl(
                echo.as_ptr(),
                SPEEX_ECHO_SET_SAMPLING_RATE,
                (&raw mut rate).cast(),
            );
        }
        let pre = if preprocess {
            // SAFETY: plain constructor; null is checked.
            let p = NonNull::new(unsafe { speex_preprocess_state_init(frame as c_int, 16_000) });
            if let Some(p) = p {
                let mut on: c_int = 1;
                // SAFETY: valid states; SET_ECHO_STATE takes the echo state pointer itself.
                unsafe {
                    speex_preprocess_ctl(
                        p.as_ptr(),
                        SPEEX_PREPROCESS_SET_DENOISE,
                        (&raw mut on).cast(),
                    );
                    speex_preprocess_ctl(
                        p.as_ptr(),
                        SPEEX_PREPROCESS_SET_ECHO_STATE,
                        echo.as_ptr().cast(),
                    );
                }
            }
            p
        } else {
            None
        };
        Some(Self { echo, pre, frame })
    }

    /// Cancels one frame: `mic` and `far` in, `out` (all `frame` samples; shorter slices are
    /// ignored).
    pub fn process(&mut self, mic: &[i16], far: &[i16], out: &mut [i16]) {
        if mic.len() < self.frame || far.len() < self.frame || out.len() < self.frame {
            return;
        }
        // SAFETY: all three buffers hold at least `frame` samples (checked above).
        unsafe {
            speex_echo_cancellation(
                self.echo.as_ptr(),
                mic.as_ptr(),
                far.as_ptr(),
                out.as_mut_ptr(),
            );
            if let Some(p) = self.pre {
                speex_preprocess_run(p.as_ptr(), out.as_mut_ptr());
            }
        }
    }
}

impl Drop for SpeexEcho {
    fn drop(&mut self) {
        // SAFETY: created by the matching init and destroyed once.
        unsafe {
            if let Some(p) = self.pre {
                speex_preprocess_state_destroy(p.as_ptr());
            }
            speex_echo_state_destroy(self.echo.as_ptr());
        }
    }
}

/// speexdsp preprocessor with denoise on, 16 kHz.
#[derive(Debug)]
pub struct SpeexDenoise {
    st: NonNull<Opaque>,
    frame: usize,
}

// SAFETY: owned heap state, never shared.
unsafe impl Send for SpeexDenoise {}

impl SpeexDenoise {
    /// A denoiser of `frame` samples per call.
    pub fn new(frame: usize) -> Option<Self> {
        // SAFETY: plain constructor; null is checked.
        let st = NonNull::new(unsafe { speex_preprocess_state_init(frame as c_int, 16_000) })?;
        let mut on: c_int = 1;
        // SAFETY: valid state and a pointer to an int.
        unsafe {
            speex_preprocess_ctl(
                st.as_ptr(),
                SPEEX_PREPROCESS_SET_DENOISE,
                (&raw mut on).cast(),
            );
        }
        Some(Self { st, frame })
    }

    /// Denoises one frame in place (`frame` samples; shorter slices are ignored).
    pub fn process(&mut self, x: &mut [i16]) {
        if x.len() < self.frame {
            return;
        }
        // SAFETY: `x` holds at least `frame` samples.
        unsafe {
            speex_preprocess_run(self.st.as_ptr(), x.as_mut_ptr());
        }
    }
}

impl Drop for SpeexDenoise {
    fn drop(&mut self) {
        // SAFETY: created by the matching init and destroyed once.
        unsafe { speex_preprocess_state_destroy(self.st.as_ptr()) }
    }
}
