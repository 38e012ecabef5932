//! The libDF C API (`libDF/src/capi.rs` of DeepFilterNet commit
//! d375b2d8309e0935d165700c91da9de862a99c31), opened at run time with `libloading`.

#![allow(
    unsafe_code,
    reason = "FFI to libdeepfilter.so: every call is wrapped and documented here"
)]

use std::ffi::{CStr, CString, c_char, c_float, c_void};
use std::path::Path;
use std::ptr::NonNull;

use crate::Error;

type CreateFn = unsafe extern "C" fn(*const c_char, c_float, *const c_char) -> *mut c_void;
type FrameLengthFn = unsafe extern "C" fn(*mut c_void) -> usize;
type ProcessFrameFn = unsafe extern "C" fn(*mut c_void, *mut c_float, *mut c_float) -> c_float;
type SetFloatFn = unsafe extern "C" fn(*mut c_void, c_float);
type FreeFn = unsafe extern "C" fn(*mut c_void);
type NextLogFn = unsafe extern "C" fn(*mut c_void) -> *mut c_char;
type FreeLogFn = unsafe extern "C" fn(*mut c_char);

/// The opened library and its function pointers (valid while `_lib` is alive).
#[derive(Debug)]
pub(crate) struct Api {
    create: CreateFn,
    frame_length: FrameLengthFn,
    process_frame: ProcessFrameFn,
    set_atten_lim: SetFloatFn,
    set_post_filter_beta: SetFloatFn,
    free: FreeFn,
    next_log_msg: NextLogFn,
    free_log_msg: FreeLogFn,
    _lib: libloading::Library,
}

/// Copies one symbol's function pointer out of the library.
fn symbol<T: Copy>(lib: &libloading::Library, path: &Path, name: &'static str) -> Result<T, Error> {
    let mut cname = name.as_bytes().to_vec();
    cname.push(0);
    // SAFETY: `T` is the function-pointer type of `name` in libDF's C API (see the type
    // aliases above); the pointer is only used while the library stays loaded (`Api::_lib`).
    let sym = unsafe { lib.get::<T>(&cname) }.map_err(|source| Error::SymbolMissing {
        path: path.to_path_buf(),
        symbol: name,
        source,
    })?;
    Ok(*sym)
}

impl Api {
    /// Opens `path` and resolves the eight libDF functions.
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        if !path.is_file() {
            return Err(Error::LibraryMissing {
                path: path.to_path_buf(),
                reason: "no such file".to_owned(),
            });
        }
        // SAFETY: loading runs the library's initialisers; libdeepfilter.so is a Rust cdylib
        // whose initialisers only set up its own runtime.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| Error::LibraryMissing {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            create: symbol(&lib, path, "df_create")?,
            frame_length: symbol(&lib, path, "df_get_frame_length")?,
            process_frame: symbol(&lib, path, "df_process_frame")?,
            set_atten_lim: symbol(&lib, path, "df_set_atten_lim")?,
            set_post_filter_beta: symbol(&lib, path, "df_set_post_filter_beta")?,
            free: symbol(&lib, path, "df_free")?,
            next_log_msg: symbol(&lib, path, "df_next_log_msg")?,
            free_log_msg: symbol(&lib, path, "df_free_log_msg")?,
            _lib: lib,
        })
    }
}

/// One `DFState` (a model instance with its streaming state), freed on drop.
#[derive(Debug)]
pub(crate) struct State {
    ptr: NonNull<c_void>,
}

// SAFETY: a DFState is owned by exactly one `State` and only touched through `&mut self`
// (or in `drop`); libDF keeps no thread-local references to it.
unsafe impl Send for State {}

impl State {
    /// `df_create(model, atten_lim_db, log_level)`. The model must exist and be the pinned
    /// archive (libDF aborts the process on a malformed one; the caller checks the hash).
    pub(crate) fn create(api: &Api, model: &Path, atten_lim_db: f32) -> Result<Self, Error> {
        let cpath = model
            .to_str()
            .and_then(|s| CString::new(s).ok())
            .ok_or_else(|| Error::BadPath {
                path: model.to_path_buf(),
            })?;
        // A null log level: no logger (with one, libDF prints "DF logger disconnected" on
        // stderr when the state is freed).
        // SAFETY: the path is NUL-terminated and outlives the call; libDF copies what it keeps
        // and accepts a null log level.
        let ptr = unsafe { (api.create)(cpath.as_ptr(), atten_lim_db, std::ptr::null()) };
        let state =
            NonNull::new(ptr)
                .map(|ptr| Self { ptr })
                .ok_or_else(|| Error::CreateFailed {
                    path: model.to_path_buf(),
                })?;
        state.drain_log(api);
        Ok(state)
    }

    /// `df_get_frame_length`: samples per frame at 48 kHz.
    pub(crate) fn frame_length(&self, api: &Api) -> usize {
        // SAFETY: `ptr` is a live DFState from `df_create`.
        unsafe { (api.frame_length)(self.ptr.as_ptr()) }
    }

    /// `df_set_atten_lim`, in dB.
    pub(crate) fn set_atten_lim(&mut self, api: &Api, db: f32) {
        // SAFETY: as above.
        unsafe { (api.set_atten_lim)(self.ptr.as_ptr(), db) }
    }

    /// `df_set_post_filter_beta` (0 = off).
    pub(crate) fn set_post_filter_beta(&mut self, api: &Api, beta: f32) {
        // SAFETY: as above.
        unsafe { (api.set_post_filter_beta)(self.ptr.as_ptr(), beta) }
    }

    /// `df_process_frame`: one frame of [`Self::frame_length`] samples; returns the local SNR
    /// estimate in dB.
    pub(crate) fn process(&mut self, api: &Api, input: &mut [f32], output: &mut [f32]) -> f32 {
        debug_assert!(input.len() == output.len() && input.len() == self.frame_length(api));
        // SAFETY: both buffers hold exactly one frame (checked against `df_get_frame_length`
        // when the stream was built; the callers pass fixed-size buffers of that length).
        let snr = unsafe {
            (api.process_frame)(self.ptr.as_ptr(), input.as_mut_ptr(), output.as_mut_ptr())
        };
        self.drain_log(api);
        snr
    }

    /// Frees pending log messages (libDF queues them at the level given to `df_create`).
    fn drain_log(&self, api: &Api) {
        loop {
            // SAFETY: as above; a non-null result is a message libDF allocated, freed right
            // after with `df_free_log_msg`.
            let msg = unsafe { (api.next_log_msg)(self.ptr.as_ptr()) };
            if msg.is_null() {
                break;
            }
            // SAFETY: a non-null message is a NUL-terminated C string.
            let text = unsafe { CStr::from_ptr(msg) }
                .to_string_lossy()
                .into_owned();
            // SAFETY: `msg` came from `df_next_log_msg` and is freed once.
            unsafe { (api.free_log_msg)(msg) };
            eprintln!("libDF: {text}");
        }
    }

    /// `df_free`.
    pub(crate) fn free(&mut self, api: &Api) {
        // SAFETY: called once, from the owner's `drop`; the pointer is not used afterwards.
        unsafe { (api.free)(self.ptr.as_ptr()) }
    }
}
