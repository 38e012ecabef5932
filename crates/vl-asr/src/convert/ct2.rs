//! Reader for CTranslate2 `model.bin` files (binary version 6).
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! u32 version (= 6), str spec, u32 revision, u32 n_variables,
//! n_variables × { str name, u8 rank, u32 dims[rank], u8 dtype, u32 nbytes, u8 data[nbytes] },
//! u32 n_aliases, n_aliases × { str alias, str target }
//! ```
//!
//! where `str` is a `u16` byte count that includes a trailing NUL, then the bytes.

use super::ConvertError;

/// The CT2 `DataType` enum, as stored in the `dtype` byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// IEEE 754 binary32 (code 0).
    F32,
    /// Signed 8-bit integer (code 1).
    I8,
    /// Signed 16-bit integer (code 2).
    I16,
    /// Signed 32-bit integer (code 3).
    I32,
    /// IEEE 754 binary16 (code 4).
    F16,
    /// bfloat16 (code 5).
    Bf16,
}

impl Dtype {
    /// Decodes the `dtype` byte.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::I8,
            2 => Self::I16,
            3 => Self::I32,
            4 => Self::F16,
            5 => Self::Bf16,
            _ => return None,
        })
    }

    /// The `dtype` byte of this type.
    pub fn code(self) -> u8 {
        match self {
            Self::F32 => 0,
            Self::I8 => 1,
            Self::I16 => 2,
            Self::I32 => 3,
            Self::F16 => 4,
            Self::Bf16 => 5,
        }
    }

    /// Size of one element, in bytes.
    pub fn size(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::F16 | Self::Bf16 => 2,
            Self::F32 | Self::I32 => 4,
        }
    }

    /// The CT2 name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "float32",
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::I32 => "int32",
            Self::F16 => "float16",
            Self::Bf16 => "bfloat16",
        }
    }
}

/// One variable of a CT2 model, borrowing its data from the file buffer.
#[derive(Debug, Clone)]
pub struct Variable<'a> {
    /// The CT2 name, e.g. `encoder/layer_0/ffn/linear_0/weight`.
    pub name: String,
    /// Shape, outermost dimension first (row-major); empty for a scalar.
    pub dims: Vec<u32>,
    /// Element type.
    pub dtype: Dtype,
    /// Raw little-endian element data, `product(dims) × dtype.size()` bytes.
    pub data: &'a [u8],
}

impl Variable<'_> {
    /// Number of elements (1 for a scalar).
    pub fn len(&self) -> usize {
        self.dims.iter().map(|&d| d as usize).product()
    }

    /// `true` when the variable has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of an integer scalar (int8, int16 or int32), if this is one.
    pub fn as_int_scalar(&self) -> Option<i64> {
        if !self.dims.iter().all(|&d| d == 1) {
            return None;
        }
        match self.dtype {
            Dtype::I8 => self.data.first().map(|&b| i64::from(b as i8)),
            Dtype::I16 => le_bytes::<2>(self.data, 0).map(|b| i64::from(i16::from_le_bytes(b))),
            Dtype::I32 => le_bytes::<4>(self.data, 0).map(|b| i64::from(i32::from_le_bytes(b))),
            _ => None,
        }
    }
}

/// A parsed CT2 model: its spec name, revision, variables in file order, and aliases.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The spec name, `WhisperSpec` for Whisper models.
    pub spec: String,
    /// The spec revision.
    pub revision: u32,
    /// The variables, in file order.
    pub variables: Vec<Variable<'a>>,
    /// `(alias, target)` pairs, e.g. `decoder/projection/weight` → `decoder/embeddings/weight`.
    pub aliases: Vec<(String, String)>,
}

impl<'a> Model<'a> {
    /// Parses a whole `model.bin` held in memory. Fails with [`ConvertError`] on any structural
    /// problem: short reads, bad counts, sizes that do not match shapes, unknown type codes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ConvertError> {
        let mut r = Reader::new(bytes);
        let version = r.u32("version")?;
        if version != 6 {
            return Err(ConvertError::UnsupportedVersion(version));
        }
        let spec = r.string("spec")?;
        let revision = r.u32("revision")?;
        let count = r.u32("variable count")?;
        // Each variable needs at least 8 bytes; a huge count in a short file is rejected here
        // rather than by a large allocation.
        let mut variables = Vec::with_capacity((count as usize).min(r.remaining() / 8));
        for _ in 0..count {
            let name = r.string("variable name")?;
            let rank = r.u8("rank")?;
            let mut dims = Vec::with_capacity(usize::from(rank));
            for _ in 0..rank {
                dims.push(r.u32("dimension")?);
            }
            let code = r.u8("dtype")?;
            let dtype = Dtype::from_code(code).ok_or_else(|| ConvertError::UnknownDtype {
                name: name.clone(),
                code,
            })?;
            let nbytes = r.u32("byte count")?;
            let expected = dims
                .iter()
                .try_fold(dtype.size() as u64, |acc, &d| acc.checked_mul(u64::from(d)));
            if expected != Some(u64::from(nbytes)) {
                return Err(ConvertError::SizeMismatch {
                    name,
                    dims,
                    dtype: dtype.name(),
                    nbytes,
                });
            }
            let data = r.take(nbytes as usize, "variable data")?;
            variables.push(Variable {
                name,
                dims,
                dtype,
                data,
            });
        }
        let mut aliases = Vec::new();
        // Old writers stop after the variables; treat a missing alias table as empty.
        if r.remaining() > 0 {
            let n = r.u32("alias count")?;
            for _ in 0..n {
                let alias = r.string("alias")?;
                let target = r.string("alias target")?;
                aliases.push((alias, target));
            }
        }
        Ok(Self {
            spec,
            revision,
            variables,
            aliases,
        })
    }

    /// The variable called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&Variable<'a>> {
        self.variables.iter().find(|v| v.name == name)
    }
}

fn le_bytes<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// A bounds-checked little-endian cursor over a byte buffer.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn i32(&mut self, what: &'static str) -> Result<i32, ConvertError> {
        Ok(self.u32(what)? as i32)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ConvertError> {
        let end = self.pos.checked_add(n);
        let slice = end.and_then(|end| self.bytes.get(self.pos..end));
        match slice {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(ConvertError::Truncated {
                offset: self.pos,
                what,
            }),
        }
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, ConvertError> {
        Ok(self.take(1, what)?.first().copied().unwrap_or_default())
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, ConvertError> {
        let b = self.take(2, what)?;
        Ok(le_bytes::<2>(b, 0)
            .map(u16::from_le_bytes)
            .unwrap_or_default())
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, ConvertError> {
        let b = self.take(4, what)?;
        Ok(le_bytes::<4>(b, 0)
            .map(u32::from_le_bytes)
            .unwrap_or_default())
    }

    fn string(&mut self, what: &'static str) -> Result<String, ConvertError> {
        let offset = self.pos;
        let n = self.u16(what)?;
        let raw = self.take(usize::from(n), what)?;
        let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
        String::from_utf8(raw.to_vec()).map_err(|_| ConvertError::BadName { offset })
    }
}

/// Serialises a CT2 model (binary version 6). The converter never writes CT2 files; this exists
/// so tests can build small synthetic models, and is public for other crates' tests.
pub fn write(model: &Model<'_>) -> Vec<u8> {
    fn string(out: &mut Vec<u8>, s: &str) {
        let n = u16::try_from(s.len() + 1).unwrap_or(u16::MAX);
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&6u32.to_le_bytes());
    string(&mut out, &model.spec);
    out.extend_from_slice(&model.revision.to_le_bytes());
    out.extend_from_slice(&(model.variables.len() as u32).to_le_bytes());
    for v in &model.variables {
        string(&mut out, &v.name);
        out.push(v.dims.len() as u8);
        for d in &v.dims {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.push(v.dtype.code());
        out.extend_from_slice(&(v.data.len() as u32).to_le_bytes());
        out.extend_from_slice(v.data);
    }
    out.extend_from_slice(&(model.aliases.len() as u32).to_le_bytes());
    for (a, t) in &model.aliases {
        string(&mut out, a);
        string(&mut out, t);
    }
    out
}
