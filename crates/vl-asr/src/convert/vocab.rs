//! Whisper's vocabulary: the byte-level BPE tokens of `vocabulary.txt` as raw bytes.
//!
//! CTranslate2 stores each token as text in GPT-2's `bytes_to_unicode` alphabet (every byte maps
//! to one printable code point, e.g. a space is `Ġ`, a newline `Ċ`). whisper.cpp wants the raw
//! bytes, so each line is mapped back through the inverse table.

use super::ConvertError;

/// GPT-2's `bytes_to_unicode`: the code point that stands for each byte value.
pub fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for (b, slot) in table.iter_mut().enumerate() {
        let printable = (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || b >= 0xae;
        let cp = if printable {
            b as u32
        } else {
            extra += 1;
            255 + extra
        };
        *slot = char::from_u32(cp).unwrap_or('\0');
    }
    table
}

/// Decodes one token from the GPT-2 alphabet back to bytes.
///
/// Fails when the token holds a character outside the alphabet.
pub fn decode_token(token: &str, table: &[char; 256]) -> Result<Vec<u8>, ConvertError> {
    token
        .chars()
        .map(|c| {
            table
                .iter()
                .position(|&t| t == c)
                .map(|b| b as u8)
                .ok_or_else(|| {
                    ConvertError::Vocabulary(format!(
                        "token {token:?} has {c:?}, outside the byte alphabet"
                    ))
                })
        })
        .collect()
}

/// The regular (non-special) tokens of `vocabulary.txt` as bytes: every line before
/// `<|endoftext|>` (50 256 for English-only models, 50 257 for multilingual ones).
/// whisper.cpp adds the special tokens itself.
pub fn regular_tokens(vocabulary: &str) -> Result<Vec<Vec<u8>>, ConvertError> {
    let table = byte_to_char();
    let mut out = Vec::new();
    for line in vocabulary.lines() {
        if line == "<|endoftext|>" {
            return Ok(out);
        }
        out.push(decode_token(line, &table)?);
    }
    Err(ConvertError::Vocabulary(
        "no `<|endoftext|>` line: not a Whisper vocabulary".into(),
    ))
}
