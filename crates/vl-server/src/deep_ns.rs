//! Deep noise suppression (cargo feature `deepfilter`): `input_audio_noise_reduction: {type:
//! "azure_deep_noise_suppression"}` runs DeepFilterNet3 (crates/vl-deepfilter: libDF's
//! `libdeepfilter.so` opened at run time, the pinned ONNX model) when the server has it;
//! `near_field` / `far_field` keep vl-dsp's built-in suppressor. Without the files the deep type
//! falls back to the built-in one, with one warning at startup. At most
//! `--max-deep-ns-streams` sessions run a deep stream at once (each costs about a third of a
//! core); a session beyond that gets the built-in suppressor and a `warning`
//! (`deep_noise_suppression_unavailable`) until it asks again with a stream free.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::{info, warn};
use vl_engine::dsp::{NoiseSuppressor, NoiseSuppressorFactory};

/// The deep noise suppression flags.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct DeepNsArgs {
    /// DeepFilterNet's libdeepfilter.so for `azure_deep_noise_suppression` [default:
    /// $VL_MODELS/deepfilter/libdeepfilter.so, from `cargo xtask models --only deepfilter`]
    #[arg(long, env = "VL_DEEP_NS_LIBRARY", value_name = "FILE")]
    pub deep_ns_library: Option<PathBuf>,
    /// The DeepFilterNet3 model archive [default:
    /// $VL_MODELS/deepfilter/DeepFilterNet3_onnx.tar.gz]
    #[arg(long, env = "VL_DEEP_NS_MODEL", value_name = "FILE")]
    pub deep_ns_model: Option<PathBuf>,
    /// Sessions that may run a deep noise suppression stream at once (each costs about a third
    /// of a CPU core); beyond that a session gets the built-in suppressor and a warning. 0 turns
    /// the deep mode off [default: the number of CPU cores]
    #[arg(long, env = "VL_MAX_DEEP_NS_STREAMS", value_name = "N")]
    pub max_deep_ns_streams: Option<usize>,
}

impl DeepNsArgs {
    /// The library and model paths: the flags, else the models folder's.
    pub fn paths(&self) -> vl_deepfilter::Paths {
        let default = vl_deepfilter::Paths::in_models_dir(&crate::backends::config::models_dir());
        vl_deepfilter::Paths {
            library: self.deep_ns_library.clone().unwrap_or(default.library),
            model: self.deep_ns_model.clone().unwrap_or(default.model),
        }
    }

    /// The cap on concurrent deep streams: the flag, else the number of CPU cores.
    pub fn max_streams(&self) -> usize {
        self.max_deep_ns_streams.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }
}

/// Counts live deep streams; [`StreamSlot::take`] refuses beyond the cap.
#[derive(Debug)]
struct StreamSlots {
    live: AtomicUsize,
    max: usize,
}

/// One live deep stream's place under the cap, given back when dropped.
#[derive(Debug)]
struct StreamSlot(Arc<StreamSlots>);

impl StreamSlot {
    /// A place under the cap, or `None` when all `max` are taken.
    fn take(slots: &Arc<StreamSlots>) -> Option<Self> {
        slots
            .live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < slots.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(Arc::clone(slots)))
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A [`vl_deepfilter::DeepFilter`] stream as an engine stage, holding its place under the cap.
#[derive(Debug)]
struct Deep(
    vl_deepfilter::DeepFilter,
    #[allow(dead_code, reason = "held for its Drop")] StreamSlot,
);

impl NoiseSuppressor for Deep {
    fn process(&mut self, frame: &mut [f32]) {
        // The pipeline passes whole 10 ms frames; a wrong length leaves the frame as is.
        let _ = self.0.process(frame);
    }
}

/// Loads the library and checks the model once; the factory then builds one stream per session
/// while fewer than [`DeepNsArgs::max_streams`] are live (beyond that, and when a stream fails
/// to build, the session gets the built-in suppressor and a warning). `None` (with one warning)
/// when the files are missing or unusable, or the cap is 0.
pub fn factory(args: &DeepNsArgs) -> Option<NoiseSuppressorFactory> {
    let max = args.max_streams();
    if max == 0 {
        info!("azure_deep_noise_suppression off (--max-deep-ns-streams 0): built-in suppressor");
        return None;
    }
    let paths = args.paths();
    match vl_deepfilter::Runtime::load(&paths) {
        Ok(rt) => {
            info!(
                library = %paths.library.display(),
                model = %paths.model.display(),
                max_streams = max,
                "azure_deep_noise_suppression: DeepFilterNet3"
            );
            let slots = Arc::new(StreamSlots {
                live: AtomicUsize::new(0),
                max,
            });
            Some(NoiseSuppressorFactory::fallible(move || {
                let Some(slot) = StreamSlot::take(&slots) else {
                    warn!(
                        max,
                        "all deep noise suppression streams in use; built-in suppressor"
                    );
                    return Err(format!(
                        "all {max} deep noise suppression streams are in use"
                    ));
                };
                match off_the_runtime(|| rt.stream(vl_deepfilter::Config::default())) {
                    Ok(s) => Ok(Box::new(Deep(s, slot))),
                    Err(e) => {
                        warn!(error = %e, "DeepFilterNet3 stream failed; built-in noise suppression");
                        Err(format!("the DeepFilterNet3 stream failed: {e}"))
                    }
                }
            }))
        }
        Err(e) => {
            warn!(
                error = %e,
                "azure_deep_noise_suppression falls back to the built-in noise suppressor"
            );
            None
        }
    }
}

/// Runs `f` (building a DeepFilterNet3 stream parses the model: hundreds of ms) so that it does
/// not hold up other sessions: inside tokio's multi-threaded runtime through `block_in_place`,
/// which hands this worker's other tasks to another thread first; elsewhere directly.
fn off_the_runtime<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    fn models_dir() -> PathBuf {
        std::env::var_os("VL_MODELS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
            PathBuf::from,
        )
    }

    /// The flags for the models folder's library and model, with `max_deep_ns_streams`.
    fn real_model_args(max_deep_ns_streams: Option<usize>) -> DeepNsArgs {
        let dir = models_dir();
        DeepNsArgs {
            deep_ns_library: Some(dir.join(vl_deepfilter::LIBRARY_FILE)),
            deep_ns_model: Some(dir.join(vl_deepfilter::MODEL_FILE)),
            max_deep_ns_streams,
        }
    }

    /// Output/input power of 3 s of white noise (after the first second), in dB.
    fn noise_drop_db(ns: &mut dyn NoiseSuppressor) -> f64 {
        let mut seed = 0x1234_5678u32;
        let (mut pin, mut pout) = (0.0f64, 0.0f64);
        let mut frame = [0.0f32; 160];
        for i in 0..300 {
            for s in &mut frame {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *s = 0.05 * ((seed >> 8) as f32 / 8_388_608.0 - 1.0);
            }
            let p: f64 = frame.iter().map(|&v| f64::from(v * v)).sum();
            ns.process(&mut frame);
            if i >= 100 {
                pin += p;
                pout += frame.iter().map(|&v| f64::from(v * v)).sum::<f64>();
            }
        }
        10.0 * (pout / pin).log10()
    }

    /// The factory the server builds runs DeepFilterNet3: on white noise it attenuates far more
    /// than the built-in suppressor can (vl-dsp stops at 25 dB). Needs
    /// `cargo xtask models --only deepfilter` (fails without it).
    #[test]
    fn the_deep_factory_runs_deepfilternet() {
        let args = real_model_args(None);
        let f = factory(&args).expect("run `cargo xtask models --only deepfilter`");
        let deep = noise_drop_db(&mut *f.build().unwrap());
        let builtin = noise_drop_db(&mut *vl_engine::dsp::vl_dsp_noise_suppressor());
        assert!(deep < -35.0, "deep {deep:.1} dB");
        assert!(builtin > -30.0, "built-in {builtin:.1} dB");
    }

    #[test]
    fn missing_files_give_no_factory() {
        let args = DeepNsArgs {
            deep_ns_library: Some("/nonexistent/libdeepfilter.so".into()),
            deep_ns_model: Some("/nonexistent/model.tar.gz".into()),
            max_deep_ns_streams: None,
        };
        assert!(factory(&args).is_none());
    }

    /// With the real model and a cap of 2: a third stream is refused with the reason, and a
    /// dropped stream frees its place. Needs `cargo xtask models --only deepfilter`.
    #[test]
    fn the_factory_caps_concurrent_deep_streams() {
        let args = real_model_args(Some(2));
        let f = factory(&args).expect("run `cargo xtask models --only deepfilter`");
        let a = f.build().unwrap();
        let b = f.build().unwrap();
        let refused = f.build().map(|_| ()).unwrap_err();
        assert!(refused.contains("all 2"), "{refused}");
        drop(a);
        let c = f.build().unwrap();
        assert!(f.build().is_err());
        drop((b, c));
        assert!(f.build().is_ok());
    }

    #[test]
    fn a_cap_of_zero_turns_the_deep_mode_off() {
        let args = real_model_args(Some(0));
        assert!(factory(&args).is_none());
    }

    /// Inside the server's multi-threaded runtime the build runs via `block_in_place` (which
    /// panics on a current-thread runtime, so the flavour check matters), and plainly elsewhere.
    #[test]
    fn builds_run_off_the_runtime_in_every_context() {
        assert_eq!(off_the_runtime(|| 1), 1);
        let current = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(current.block_on(async { off_the_runtime(|| 2) }), 2);
        let multi = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let on_worker =
            multi.block_on(async { tokio::spawn(async { off_the_runtime(|| 3) }).await.unwrap() });
        assert_eq!(on_worker, 3);
    }

    #[test]
    fn slots_are_counted_and_given_back() {
        let slots = Arc::new(StreamSlots {
            live: AtomicUsize::new(0),
            max: 1,
        });
        let one = StreamSlot::take(&slots).unwrap();
        assert!(StreamSlot::take(&slots).is_none());
        drop(one);
        assert!(StreamSlot::take(&slots).is_some());
        assert_eq!(slots.live.load(Ordering::Acquire), 0);
    }
}
