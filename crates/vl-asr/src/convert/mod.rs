//! The project's CTranslate2 → ggml converter for Whisper models.
//!
//! The PyPI packages the project fetches hold CTranslate2 (`model.bin`, float16) Whisper models;
//! whisper.cpp loads the legacy ggml format. [`convert`] maps one to the other
//! (`../shared/docs/backends.md` §1.1.1):
//!
//! * names: `encoder/layer_N/self_attention/linear_0` → `encoder.blocks.N.attn.{query,key,value}`
//!   (the fused projection is split in three rows blocks, the key bias — which Whisper does not
//!   have — is checked to be all zeros and dropped), `…/ffn/linear_0|1` → `mlp.0|2`, layer norms
//!   `gamma|beta` → `weight|bias`, decoder cross-attention `attention/linear_0|1|2` →
//!   `cross_attn.query`, `cross_attn.{key,value}` (fused), `cross_attn.out`, and so on;
//! * types: 1-D tensors, conv biases (reshaped to `[n, 1]`) and positional embeddings as f32,
//!   every other matrix as f16;
//! * header: hyper-parameters read from the tensor shapes (and the `num_heads` metadata), a Slaney
//!   mel filterbank computed in Rust ([`mel`]), and the regular tokens of `vocabulary.txt`
//!   decoded from GPT-2's byte alphabet ([`vocab`]).
//!
//! The converter checks every tensor whisper.cpp needs is present with the right shape, so a bad
//! input fails here with a [`ConvertError`] rather than inside whisper.cpp.

pub mod ct2;
mod error;
pub mod ggml;
pub mod mel;
pub mod vocab;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

pub use error::ConvertError;

use ct2::{Dtype, Model, Variable};
use ggml::{Hparams, TensorType};

/// Sample rate of Whisper's front end, in Hz.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// FFT length of Whisper's front end, in samples (25 ms at 16 kHz).
pub const N_FFT: usize = 400;

/// What [`convert`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The hyper-parameters written to the header.
    pub hparams: Hparams,
    /// Regular tokens written.
    pub n_tokens: usize,
    /// Tensors written.
    pub n_tensors: usize,
    /// Size of the ggml file, in bytes.
    pub bytes: u64,
}

/// Converts a CT2 Whisper `model.bin` (in memory) plus its `vocabulary.txt` to a ggml file
/// written to `out`.
pub fn convert(
    model_bin: &[u8],
    vocabulary: &str,
    out: impl Write,
) -> Result<Summary, ConvertError> {
    let model = Model::parse(model_bin)?;
    if model.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper(model.spec));
    }
    let hparams = hparams(&model)?;
    let mut tensors: HashMap<String, Tensor<'_>> = HashMap::new();
    for var in &model.variables {
        if matches!(var.dtype, Dtype::I8 | Dtype::I16 | Dtype::I32) {
            continue; // metadata scalars (num_heads, activation, alignment_heads, ...)
        }
        let Some(targets) = map_name(&var.name) else {
            return Err(ConvertError::UnknownVariable(var.name.clone()));
        };
        for (name, part) in split(var, &targets)? {
            tensors.insert(name, part);
        }
    }
    let expected = expected_tensors(&hparams);
    let n_freqs = N_FFT / 2 + 1;
    let n_mels = usize::try_from(hparams.n_mels).map_err(|_| too_large(hparams.n_mels))?;
    let mel = mel::filterbank(SAMPLE_RATE_HZ, N_FFT, n_mels);
    let tokens = vocab::regular_tokens(vocabulary)?;
    if tokens.len() > hparams.n_vocab as usize {
        return Err(ConvertError::Vocabulary(format!(
            "{} regular tokens but the embedding has {} rows",
            tokens.len(),
            hparams.n_vocab
        )));
    }
    let mut w = ggml::Writer::new(BufWriter::with_capacity(1 << 20, out));
    w.header(&hparams, &mel, n_freqs, &tokens)?;
    for (name, shape) in &expected {
        let t = tensors
            .remove(name)
            .ok_or_else(|| ConvertError::MissingTensor(name.clone()))?;
        let mut dims: Vec<usize> = t.var_dims.iter().map(|&d| d as usize).collect();
        if name.ends_with("conv1.bias") || name.ends_with("conv2.bias") {
            dims.push(1);
        }
        if &dims != shape {
            return Err(ConvertError::BadShape {
                name: t.var_name.to_string(),
                dims: t.var_dims,
                expected: format!("{shape:?} for `{name}`"),
            });
        }
        let f32_out = dims.len() < 2
            || name.ends_with("conv1.bias")
            || name.ends_with("conv2.bias")
            || name.ends_with("positional_embedding");
        let ty = if f32_out {
            TensorType::F32
        } else {
            TensorType::F16
        };
        let data = cast(t.data, t.dtype, ty, t.var_name)?;
        w.tensor(name, &dims, ty, &data)?;
    }
    if let Some(extra) = tensors.keys().min() {
        return Err(ConvertError::UnknownVariable(extra.clone()));
    }
    let bytes = w.written();
    w.finish()?;
    Ok(Summary {
        hparams,
        n_tokens: tokens.len(),
        n_tensors: expected.len(),
        bytes,
    })
}

/// Converts files: the `model.bin` given as one or more parts that are concatenated in order
/// (the base model ships as two), plus `vocabulary.txt`. Writes `out` atomically (a temporary
/// file renamed into place), so an interrupted run leaves no half-written model.
pub fn convert_files(
    model_parts: &[&Path],
    vocabulary: &Path,
    out: &Path,
) -> Result<Summary, ConvertError> {
    let mut model = Vec::new();
    for part in model_parts {
        let bytes = std::fs::read(part).map_err(|e| ConvertError::io(part, e))?;
        model.extend_from_slice(&bytes);
    }
    let vocab = std::fs::read_to_string(vocabulary).map_err(|e| ConvertError::io(vocabulary, e))?;
    let tmp = out.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| ConvertError::io(&tmp, e))?;
    let summary = convert(&model, &vocab, file)?;
    std::fs::rename(&tmp, out).map_err(|e| ConvertError::io(out, e))?;
    Ok(summary)
}

/// One ggml tensor before type conversion: a row block of a CT2 variable.
struct Tensor<'a> {
    var_name: &'a str,
    var_dims: Vec<u32>,
    dtype: Dtype,
    data: &'a [u8],
}

fn too_large(v: i32) -> ConvertError {
    ConvertError::TooLarge(v as u64)
}

/// Splits a variable into `targets.len()` equal row blocks named by `targets`; a `None` target is
/// a key bias that must be zero and is dropped.
fn split<'a>(
    var: &'a Variable<'a>,
    targets: &[Option<String>],
) -> Result<Vec<(String, Tensor<'a>)>, ConvertError> {
    let parts = targets.len();
    let rows = var.dims.first().copied().unwrap_or(0) as usize;
    if var.dims.is_empty() || rows % parts != 0 {
        return Err(ConvertError::BadShape {
            name: var.name.clone(),
            dims: var.dims.clone(),
            expected: format!("rows divisible by {parts}"),
        });
    }
    let block = var.data.len() / parts;
    let mut dims = var.dims.clone();
    if let Some(first) = dims.first_mut() {
        *first /= parts as u32;
    }
    let mut out = Vec::with_capacity(parts);
    for (i, target) in targets.iter().enumerate() {
        let data =
            var.data
                .get(i * block..(i + 1) * block)
                .ok_or_else(|| ConvertError::SizeMismatch {
                    name: var.name.clone(),
                    dims: var.dims.clone(),
                    dtype: var.dtype.name(),
                    nbytes: var.data.len() as u32,
                })?;
        match target {
            Some(name) => out.push((
                name.clone(),
                Tensor {
                    var_name: &var.name,
                    var_dims: dims.clone(),
                    dtype: var.dtype,
                    data,
                },
            )),
            None => {
                if !all_zero(data, var.dtype) {
                    return Err(ConvertError::NonZeroKeyBias(var.name.clone()));
                }
            }
        }
    }
    Ok(out)
}

fn all_zero(data: &[u8], dtype: Dtype) -> bool {
    match dtype {
        Dtype::F16 | Dtype::Bf16 => data
            .chunks_exact(2)
            .all(|c| u16::from_le_bytes([c[0], c[1]]) & 0x7fff == 0),
        Dtype::F32 => data
            .chunks_exact(4)
            .all(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) & 0x7fff_ffff == 0),
        _ => data.iter().all(|&b| b == 0),
    }
}

/// Converts element data from the CT2 type to the ggml type (borrowing when they agree).
fn cast<'a>(
    data: &'a [u8],
    from: Dtype,
    to: TensorType,
    name: &str,
) -> Result<Cow<'a, [u8]>, ConvertError> {
    Ok(match (from, to) {
        (Dtype::F16, TensorType::F16) | (Dtype::F32, TensorType::F32) => Cow::Borrowed(data),
        (Dtype::F16, TensorType::F32) => Cow::Owned(
            data.chunks_exact(2)
                .flat_map(|c| {
                    half::f16::from_le_bytes([c[0], c[1]])
                        .to_f32()
                        .to_le_bytes()
                })
                .collect(),
        ),
        (Dtype::F32, TensorType::F16) => Cow::Owned(
            data.chunks_exact(4)
                .flat_map(|c| {
                    half::f16::from_f32(f32::from_le_bytes([c[0], c[1], c[2], c[3]])).to_le_bytes()
                })
                .collect(),
        ),
        (other, _) => {
            return Err(ConvertError::UnsupportedDtype {
                name: name.to_string(),
                dtype: other.name(),
            });
        }
    })
}

/// The ggml name(s) of a CT2 float variable: one name for a rename, several for a fused
/// projection split into equal row blocks (`None` = a zero key bias to drop).
pub fn map_name(ct2: &str) -> Option<Vec<Option<String>>> {
    let parts: Vec<&str> = ct2.split('/').collect();
    let one = |s: String| Some(vec![Some(s)]);
    match parts.as_slice() {
        [
            "encoder",
            conv @ ("conv1" | "conv2"),
            p @ ("weight" | "bias"),
        ] => one(format!("encoder.{conv}.{p}")),
        [
            side @ ("encoder" | "decoder"),
            "position_encodings",
            "encodings",
        ] => one(format!("{side}.positional_embedding")),
        ["encoder", "layer_norm", gb] => one(format!("encoder.ln_post.{}", norm_param(gb)?)),
        ["decoder", "layer_norm", gb] => one(format!("decoder.ln.{}", norm_param(gb)?)),
        ["decoder", "embeddings", "weight"] => one("decoder.token_embedding.weight".into()),
        [side @ ("encoder" | "decoder"), layer, rest @ ..] => {
            let n: u32 = layer.strip_prefix("layer_")?.parse().ok()?;
            let prefix = format!("{side}.blocks.{n}.");
            let names = map_layer(*side == "decoder", rest)?;
            Some(
                names
                    .into_iter()
                    .map(|o| o.map(|s| format!("{prefix}{s}")))
                    .collect(),
            )
        }
        _ => None,
    }
}

fn norm_param(gb: &str) -> Option<&'static str> {
    match gb {
        "gamma" => Some("weight"),
        "beta" => Some("bias"),
        _ => None,
    }
}

fn linear_param(p: &str) -> Option<&'static str> {
    match p {
        "weight" => Some("weight"),
        "bias" => Some("bias"),
        _ => None,
    }
}

fn map_layer(decoder: bool, rest: &[&str]) -> Option<Vec<Option<String>>> {
    let one = |s: String| Some(vec![Some(s)]);
    match rest {
        ["self_attention", "linear_0", p] => {
            let p = linear_param(p)?;
            let key = (p == "weight").then(|| format!("attn.key.{p}"));
            Some(vec![
                Some(format!("attn.query.{p}")),
                key,
                Some(format!("attn.value.{p}")),
            ])
        }
        ["self_attention", "linear_1", p] => one(format!("attn.out.{}", linear_param(p)?)),
        ["self_attention", "layer_norm", gb] => one(format!("attn_ln.{}", norm_param(gb)?)),
        ["ffn", "linear_0", p] => one(format!("mlp.0.{}", linear_param(p)?)),
        ["ffn", "linear_1", p] => one(format!("mlp.2.{}", linear_param(p)?)),
        ["ffn", "layer_norm", gb] => one(format!("mlp_ln.{}", norm_param(gb)?)),
        ["attention", "linear_0", p] if decoder => {
            one(format!("cross_attn.query.{}", linear_param(p)?))
        }
        ["attention", "linear_1", p] if decoder => {
            let p = linear_param(p)?;
            let key = (p == "weight").then(|| format!("cross_attn.key.{p}"));
            Some(vec![key, Some(format!("cross_attn.value.{p}"))])
        }
        ["attention", "linear_2", p] if decoder => {
            one(format!("cross_attn.out.{}", linear_param(p)?))
        }
        ["attention", "layer_norm", gb] if decoder => {
            one(format!("cross_attn_ln.{}", norm_param(gb)?))
        }
        _ => None,
    }
}

fn dim(var: Option<&Variable<'_>>, name: &str, axis: usize) -> Result<i32, ConvertError> {
    let var = var.ok_or_else(|| ConvertError::MissingTensor(name.to_string()))?;
    let d = var
        .dims
        .get(axis)
        .copied()
        .ok_or_else(|| ConvertError::BadShape {
            name: name.to_string(),
            dims: var.dims.clone(),
            expected: format!("at least {} dimensions", axis + 1),
        })?;
    i32::try_from(d).map_err(|_| ConvertError::TooLarge(u64::from(d)))
}

/// Reads the hyper-parameters from tensor shapes, layer names and `num_heads` metadata.
fn hparams(model: &Model<'_>) -> Result<Hparams, ConvertError> {
    let get = |n: &str| model.get(n);
    let emb = "decoder/embeddings/weight";
    let enc_pos = "encoder/position_encodings/encodings";
    let dec_pos = "decoder/position_encodings/encodings";
    let conv1 = "encoder/conv1/weight";
    let n_audio_state = dim(get(enc_pos), enc_pos, 1)?;
    let n_text_state = dim(get(emb), emb, 1)?;
    let layers = |side: &str| -> i32 {
        let prefix = format!("{side}/layer_");
        let max = model
            .variables
            .iter()
            .filter_map(|v| {
                v.name
                    .strip_prefix(&prefix)?
                    .split('/')
                    .next()?
                    .parse::<i32>()
                    .ok()
            })
            .max();
        max.map_or(0, |m| m.saturating_add(1))
    };
    let heads = |side: &str, state: i32| -> i32 {
        model
            .get(&format!("{side}/num_heads"))
            .and_then(Variable::as_int_scalar)
            .and_then(|h| i32::try_from(h).ok())
            .unwrap_or(state / 64)
    };
    Ok(Hparams {
        n_vocab: dim(get(emb), emb, 0)?,
        n_audio_ctx: dim(get(enc_pos), enc_pos, 0)?,
        n_audio_state,
        n_audio_head: heads("encoder", n_audio_state),
        n_audio_layer: layers("encoder"),
        n_text_ctx: dim(get(dec_pos), dec_pos, 0)?,
        n_text_state,
        n_text_head: heads("decoder", n_text_state),
        n_text_layer: layers("decoder"),
        n_mels: dim(get(conv1), conv1, 1)?,
        ftype: 1,
    })
}

/// Every tensor whisper.cpp loads, with its row-major shape, in the order the converter writes
/// them (encoder first, as OpenAI's checkpoints list them).
pub fn expected_tensors(hp: &Hparams) -> Vec<(String, Vec<usize>)> {
    let u = |v: i32| usize::try_from(v).unwrap_or(0);
    let (da, dt) = (u(hp.n_audio_state), u(hp.n_text_state));
    let mut out: Vec<(String, Vec<usize>)> = vec![
        ("encoder.conv1.weight".into(), vec![da, u(hp.n_mels), 3]),
        ("encoder.conv1.bias".into(), vec![da, 1]),
        ("encoder.conv2.weight".into(), vec![da, da, 3]),
        ("encoder.conv2.bias".into(), vec![da, 1]),
        (
            "encoder.positional_embedding".into(),
            vec![u(hp.n_audio_ctx), da],
        ),
    ];
    let block = |out: &mut Vec<(String, Vec<usize>)>, p: &str, d: usize, cross: bool| {
        let mut attn = |kind: &str| {
            for (proj, bias) in [
                ("query", true),
                ("key", false),
                ("value", true),
                ("out", true),
            ] {
                out.push((format!("{p}{kind}.{proj}.weight"), vec![d, d]));
                if bias {
                    out.push((format!("{p}{kind}.{proj}.bias"), vec![d]));
                }
            }
            out.push((format!("{p}{kind}_ln.weight"), vec![d]));
            out.push((format!("{p}{kind}_ln.bias"), vec![d]));
        };
        attn("attn");
        if cross {
            attn("cross_attn");
        }
        out.push((format!("{p}mlp.0.weight"), vec![4 * d, d]));
        out.push((format!("{p}mlp.0.bias"), vec![4 * d]));
        out.push((format!("{p}mlp.2.weight"), vec![d, 4 * d]));
        out.push((format!("{p}mlp.2.bias"), vec![d]));
        out.push((format!("{p}mlp_ln.weight"), vec![d]));
        out.push((format!("{p}mlp_ln.bias"), vec![d]));
    };
    for i in 0..hp.n_audio_layer {
        block(&mut out, &format!("encoder.blocks.{i}."), da, false);
    }
    out.push(("encoder.ln_post.weight".into(), vec![da]));
    out.push(("encoder.ln_post.bias".into(), vec![da]));
    out.push((
        "decoder.positional_embedding".into(),
        vec![u(hp.n_text_ctx), dt],
    ));
    out.push((
        "decoder.token_embedding.weight".into(),
        vec![u(hp.n_vocab), dt],
    ));
    for i in 0..hp.n_text_layer {
        block(&mut out, &format!("decoder.blocks.{i}."), dt, true);
    }
    out.push(("decoder.ln.weight".into(), vec![dt]));
    out.push(("decoder.ln.bias".into(), vec![dt]));
    out
}
