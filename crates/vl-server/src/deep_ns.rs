//! Deep noise suppression (cargo feature `deepfilter`): `input_audio_noise_reduction: {type:
//! "azure_deep_noise_suppression"}` runs DeepFilterNet3 (crates/vl-deepfilter: libDF's
//! `libdeepfilter.so` opened at run time, the pinned ONNX model) when the server has it;
//! `near_field` / `far_field` keep vl-dsp's built-in suppressor. Without the files the deep type
//! falls back to the built-in one, with one warning at startup.

use std::path::PathBuf;

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
}

/// A [`vl_deepfilter::DeepFilter`] stream as an engine stage.
#[derive(Debug)]
struct Deep(vl_deepfilter::DeepFilter);

impl NoiseSuppressor for Deep {
    fn process(&mut self, frame: &mut [f32]) {
        // The pipeline passes whole 10 ms frames; a wrong length leaves the frame as is.
        let _ = self.0.process(frame);
    }
}

/// Loads the library and checks the model once; the factory then builds one stream per session
/// (a stream that fails to build falls back to the built-in suppressor, with a warning).
/// `None` (with one warning) when the files are missing or unusable.
pub fn factory(args: &DeepNsArgs) -> Option<NoiseSuppressorFactory> {
    let paths = args.paths();
    match vl_deepfilter::Runtime::load(&paths) {
        Ok(rt) => {
            info!(
                library = %paths.library.display(),
                model = %paths.model.display(),
                "azure_deep_noise_suppression: DeepFilterNet3"
            );
            Some(NoiseSuppressorFactory::new(move || {
                match rt.stream(vl_deepfilter::Config::default()) {
                    Ok(s) => Box::new(Deep(s)),
                    Err(e) => {
                        warn!(error = %e, "DeepFilterNet3 stream failed; built-in noise suppression");
                        vl_engine::dsp::vl_dsp_noise_suppressor()
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
        let dir = models_dir();
        let args = DeepNsArgs {
            deep_ns_library: Some(dir.join(vl_deepfilter::LIBRARY_FILE)),
            deep_ns_model: Some(dir.join(vl_deepfilter::MODEL_FILE)),
        };
        let f = factory(&args).expect("run `cargo xtask models --only deepfilter`");
        let deep = noise_drop_db(&mut *f.build());
        let builtin = noise_drop_db(&mut *vl_engine::dsp::vl_dsp_noise_suppressor());
        assert!(deep < -35.0, "deep {deep:.1} dB");
        assert!(builtin > -30.0, "built-in {builtin:.1} dB");
    }

    #[test]
    fn missing_files_give_no_factory() {
        let args = DeepNsArgs {
            deep_ns_library: Some("/nonexistent/libdeepfilter.so".into()),
            deep_ns_model: Some("/nonexistent/model.tar.gz".into()),
        };
        assert!(factory(&args).is_none());
    }
}
