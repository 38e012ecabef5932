//! The legacy ggml Whisper model file that whisper.cpp loads (`ggml-*.bin`).
//!
//! ```text
//! u32 magic 0x67676d6c ("ggml")
//! 11 × i32 hparams: n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
//!                   n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype
//! i32 n_mel, i32 n_fft, f32[n_mel × n_fft] mel filterbank
//! i32 n_tokens, n_tokens × { u32 len, u8 bytes[len] }
//! tensors: { i32 n_dims, i32 name_len, i32 ftype (0 = f32, 1 = f16), i32 ne[n_dims]
//!            (innermost dimension first), name, data }
//! ```

use std::io::Write;

use super::ConvertError;
use super::ct2::Reader;

/// The file magic, `"ggml"` read as a little-endian `u32`.
pub const MAGIC: u32 = 0x6767_6d6c;

/// Whisper hyper-parameters in the order of the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hparams {
    /// Rows of the token embedding (51 864 for English-only models, 51 865 multilingual).
    pub n_vocab: i32,
    /// Encoder positions (1500 = 30 s of 20 ms frames).
    pub n_audio_ctx: i32,
    /// Encoder width.
    pub n_audio_state: i32,
    /// Encoder attention heads.
    pub n_audio_head: i32,
    /// Encoder layers.
    pub n_audio_layer: i32,
    /// Decoder positions (448 tokens).
    pub n_text_ctx: i32,
    /// Decoder width.
    pub n_text_state: i32,
    /// Decoder attention heads.
    pub n_text_head: i32,
    /// Decoder layers.
    pub n_text_layer: i32,
    /// Mel bands of the input features (80, or 128 for large-v3).
    pub n_mels: i32,
    /// Weight type of the file: 1 = float16 matrices.
    pub ftype: i32,
}

impl Hparams {
    fn as_array(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    fn from_array(a: [i32; 11]) -> Self {
        let [
            n_vocab,
            n_audio_ctx,
            n_audio_state,
            n_audio_head,
            n_audio_layer,
            n_text_ctx,
            n_text_state,
            n_text_head,
            n_text_layer,
            n_mels,
            ftype,
        ] = a;
        Self {
            n_vocab,
            n_audio_ctx,
            n_audio_state,
            n_audio_head,
            n_audio_layer,
            n_text_ctx,
            n_text_state,
            n_text_head,
            n_text_layer,
            n_mels,
            ftype,
        }
    }
}

/// Element type of a ggml tensor as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    /// float32 (ftype 0).
    F32,
    /// float16 (ftype 1).
    F16,
}

impl TensorType {
    fn code(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F16 => 2,
        }
    }
}

/// Writes the ggml file piece by piece: [`Writer::header`] once, then [`Writer::tensor`] per
/// tensor. Counts the bytes written.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> Writer<W> {
    /// Wraps an output stream (buffer it: the writer issues many small writes).
    pub fn new(out: W) -> Self {
        Self { out, written: 0 }
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn put_i32(&mut self, v: i32) -> std::io::Result<()> {
        self.put(&v.to_le_bytes())
    }

    /// Writes magic, hparams, the `n_mels × n_freqs` filterbank and the vocabulary.
    pub fn header(
        &mut self,
        hparams: &Hparams,
        mel: &[f32],
        n_freqs: usize,
        tokens: &[Vec<u8>],
    ) -> Result<(), ConvertError> {
        let io = |e| ConvertError::io(std::path::Path::new("<ggml output>"), e);
        self.put(&MAGIC.to_le_bytes()).map_err(io)?;
        for v in hparams.as_array() {
            self.put_i32(v).map_err(io)?;
        }
        let n_mel = mel.len().checked_div(n_freqs).unwrap_or(0);
        self.put_i32(to_i32(n_mel)?).map_err(io)?;
        self.put_i32(to_i32(n_freqs)?).map_err(io)?;
        for x in mel {
            self.put(&x.to_le_bytes()).map_err(io)?;
        }
        self.put_i32(to_i32(tokens.len())?).map_err(io)?;
        for t in tokens {
            let len = u32::try_from(t.len()).map_err(|_| ConvertError::TooLarge(t.len() as u64))?;
            self.put(&len.to_le_bytes()).map_err(io)?;
            self.put(t).map_err(io)?;
        }
        Ok(())
    }

    /// Writes one tensor. `dims` is the row-major shape (outermost first), as in PyTorch; the file
    /// gets it reversed. `data` must already be in `ty`, little-endian.
    pub fn tensor(
        &mut self,
        name: &str,
        dims: &[usize],
        ty: TensorType,
        data: &[u8],
    ) -> Result<(), ConvertError> {
        let io = |e| ConvertError::io(std::path::Path::new("<ggml output>"), e);
        self.put_i32(to_i32(dims.len())?).map_err(io)?;
        self.put_i32(to_i32(name.len())?).map_err(io)?;
        self.put_i32(ty.code()).map_err(io)?;
        for &d in dims.iter().rev() {
            self.put_i32(to_i32(d)?).map_err(io)?;
        }
        self.put(name.as_bytes()).map_err(io)?;
        self.put(data).map_err(io)
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Flushes and returns the stream.
    pub fn finish(mut self) -> Result<W, ConvertError> {
        self.out
            .flush()
            .map_err(|e| ConvertError::io(std::path::Path::new("<ggml output>"), e))?;
        Ok(self.out)
    }
}

fn to_i32(v: usize) -> Result<i32, ConvertError> {
    i32::try_from(v).map_err(|_| ConvertError::TooLarge(v as u64))
}

/// One tensor of a parsed ggml file.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    /// The ggml name, e.g. `encoder.blocks.0.attn.query.weight`.
    pub name: String,
    /// Shape, outermost first (the file's `ne` reversed).
    pub dims: Vec<usize>,
    /// Element type.
    pub ty: TensorType,
    /// Byte offset of the data in the file.
    pub offset: usize,
}

/// A ggml Whisper file, parsed for inspection and tests (whisper.cpp does the real loading).
#[derive(Debug, Clone)]
pub struct File {
    /// The header's hyper-parameters.
    pub hparams: Hparams,
    /// Mel bands of the stored filterbank.
    pub n_mel: usize,
    /// Frequency bins per band of the stored filterbank.
    pub n_freqs: usize,
    /// The filterbank, row-major `n_mel × n_freqs`.
    pub mel: Vec<f32>,
    /// The regular tokens as bytes.
    pub tokens: Vec<Vec<u8>>,
    /// The tensors in file order.
    pub tensors: Vec<TensorInfo>,
}

impl File {
    /// Parses a ggml file from memory; rejects a wrong magic and any truncated field.
    pub fn parse(bytes: &[u8]) -> Result<Self, ConvertError> {
        let mut r = Reader::new(bytes);
        if r.u32("magic")? != MAGIC {
            return Err(ConvertError::NotWhisper(
                "not a ggml file (bad magic)".into(),
            ));
        }
        let mut hp = [0i32; 11];
        for v in &mut hp {
            *v = r.i32("hparams")?;
        }
        let n_mel = non_negative(r.i32("n_mel")?)?;
        let n_freqs = non_negative(r.i32("n_fft")?)?;
        let mel_bytes = r.take(
            n_mel.saturating_mul(n_freqs).saturating_mul(4),
            "mel filters",
        )?;
        let mel = mel_bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        let n_tokens = non_negative(r.i32("vocab size")?)?;
        let mut tokens = Vec::with_capacity(n_tokens.min(r.remaining() / 4));
        for _ in 0..n_tokens {
            let len = r.u32("token length")? as usize;
            tokens.push(r.take(len, "token")?.to_vec());
        }
        let mut tensors = Vec::new();
        while r.remaining() > 0 {
            let n_dims = non_negative(r.i32("n_dims")?)?;
            if n_dims > 4 {
                return Err(ConvertError::TooLarge(n_dims as u64));
            }
            let name_len = non_negative(r.i32("name length")?)?;
            let ty = match r.i32("ftype")? {
                0 => TensorType::F32,
                1 => TensorType::F16,
                other => {
                    return Err(ConvertError::UnknownDtype {
                        name: "<ggml tensor>".into(),
                        code: u8::try_from(other).unwrap_or(u8::MAX),
                    });
                }
            };
            let mut dims = Vec::with_capacity(n_dims);
            for _ in 0..n_dims {
                dims.push(non_negative(r.i32("ne")?)?);
            }
            dims.reverse();
            let name_at = r.pos();
            let name = String::from_utf8(r.take(name_len, "tensor name")?.to_vec())
                .map_err(|_| ConvertError::BadName { offset: name_at })?;
            let size = dims
                .iter()
                .try_fold(ty.size(), |a, &d| a.checked_mul(d))
                .ok_or(ConvertError::TooLarge(u64::MAX))?;
            let offset = r.pos();
            r.take(size, "tensor data")?;
            tensors.push(TensorInfo {
                name,
                dims,
                ty,
                offset,
            });
        }
        Ok(Self {
            hparams: Hparams::from_array(hp),
            n_mel,
            n_freqs,
            mel,
            tokens,
            tensors,
        })
    }

    /// The tensor called `name`, if any.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

fn non_negative(v: i32) -> Result<usize, ConvertError> {
    usize::try_from(v).map_err(|_| ConvertError::TooLarge(v as u64))
}
