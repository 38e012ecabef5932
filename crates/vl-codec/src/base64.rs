//! Base64 ⇄ PCM16 for the Voice Live wire: streaming decode of `input_audio_buffer.append` audio
//! and encoding of `response.audio.delta` audio.
//!
//! The text is standard base64 (RFC 4648 §4 alphabet, `=` padding, no whitespace) of
//! little-endian PCM16 bytes. [`Base64AudioDecoder`] accepts that text in chunks split anywhere:
//! inside a 4-character group, and between the two bytes of a sample (an odd byte at the end of
//! one chunk is carried into the next). The stream may also be a concatenation of separately
//! padded base64 strings, one per append event: a padded group ends a string and the next
//! character starts a new one, while the PCM byte carry continues across them. So no sample is
//! lost or shifted, however the audio was cut.
//!
//! Decoding is strict: characters outside the alphabet, misplaced padding and non-zero bits in a
//! final symbol are errors carrying the byte offset of the offending character. Decoding writes
//! straight into the caller's buffer, without an intermediate byte buffer, and allocates nothing
//! once the caller's `Vec` has capacity.
//!
//! ```
//! use vl_codec::base64::{Base64AudioDecoder, decode_base64_pcm16, encode_pcm16_base64};
//!
//! // Three samples are six bytes: "AQD//wCA" is [0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80].
//! let mut decoder = Base64AudioDecoder::new();
//! let mut samples = Vec::new();
//! decoder.decode("AQ", &mut samples)?; // splits inside a group
//! decoder.decode("D//w", &mut samples)?; // 3 bytes so far: one sample, one byte carried
//! decoder.decode("CA", &mut samples)?;
//! decoder.finish()?;
//! assert_eq!(samples, [1, -1, i16::MIN]);
//!
//! let mut text = String::new();
//! encode_pcm16_base64(&samples, &mut text);
//! assert_eq!(text, "AQD//wCA");
//! let mut again = Vec::new();
//! decode_base64_pcm16(&text, &mut again)?;
//! assert_eq!(again, samples);
//! # Ok::<(), vl_codec::CodecError>(())
//! ```

use crate::CodecError;

/// The RFC 4648 §4 standard alphabet, indexed by sextet value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// [`SEXTET`] marker for a character outside the alphabet.
const INVALID: u8 = 0xFF;
/// [`SEXTET`] marker for the padding character `=`.
const PAD: u8 = 0xFE;

/// Character → sextet value, [`PAD`] or [`INVALID`].
static SEXTET: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table[b'=' as usize] = PAD;
    table
};

/// Set in a [`SHIFTED`] entry for anything but an alphabet character (padding included).
const FAST_INVALID: u32 = 1 << 24;

/// Character → sextet pre-shifted into its place in a 24-bit group, per position 0..4, so a
/// group is four look-ups OR-ed together, with [`FAST_INVALID`] flagging any non-alphabet
/// character.
static SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[FAST_INVALID; 256]; 4];
    let mut pos = 0;
    while pos < 4 {
        let mut i = 0;
        while i < 64 {
            tables[pos][ALPHABET[i] as usize] = (i as u32) << (18 - 6 * pos);
            i += 1;
        }
        pos += 1;
    }
    tables
};

/// Streaming base64 → PCM16 decoder that keeps partial groups and odd bytes between chunks.
///
/// Feed it the text of one audio stream in chunks with [`decode`](Self::decode) (appends to a
/// `Vec`) or [`decode_into`](Self::decode_into) (writes into a slice), then call
/// [`finish`](Self::finish) at the end of the stream (for example on
/// `input_audio_buffer.commit`). A failed call leaves the decoder and the output as they were,
/// so a bad chunk can be rejected and the stream continued.
///
/// The decoder is a few machine words with no heap data: cheap to create, `Copy`-free only so
/// that a stream is not duplicated by accident.
#[derive(Debug, Clone, Default)]
pub struct Base64AudioDecoder {
    state: State,
}

/// The decoder's whole state, saved and restored around each call for atomic errors.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// Sextets of the current, incomplete group.
    group: u32,
    /// Characters of the current group seen so far (0..=3), `=` included.
    group_len: u8,
    /// `=` characters seen in the current group; non-zero means only `=` may follow.
    pads: u8,
    /// The low byte of a sample whose high byte has not arrived yet.
    carry: Option<u8>,
    /// Characters consumed since creation or the last reset: the offset of the next one.
    offset: usize,
    /// PCM bytes produced since creation or the last reset.
    bytes: usize,
}

impl Base64AudioDecoder {
    /// A decoder at the start of a stream.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: State {
                group: 0,
                group_len: 0,
                pads: 0,
                carry: None,
                offset: 0,
                bytes: 0,
            },
        }
    }

    /// Forgets any partial group and carried byte and restarts offsets at 0.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Characters consumed since creation or the last reset (bytes of base64 text).
    #[must_use]
    pub fn text_offset(&self) -> usize {
        self.state.offset
    }

    /// The low byte of a sample split across chunks, waiting for its high byte.
    #[must_use]
    pub fn pending_byte(&self) -> Option<u8> {
        self.state.carry
    }

    /// True at a clean end of stream: no partial group and no carried byte.
    #[must_use]
    pub fn is_aligned(&self) -> bool {
        self.state.group_len == 0 && self.state.carry.is_none()
    }

    /// Upper bound on the samples the next call with `text_len` characters can produce.
    #[must_use]
    pub fn max_decoded_samples(&self, text_len: usize) -> usize {
        let chars = usize::from(self.state.group_len).saturating_add(text_len);
        let bytes = (chars / 4)
            .saturating_mul(3)
            .saturating_add(usize::from(self.state.carry.is_some()));
        bytes / 2
    }

    /// Decodes a chunk of base64 text and appends the completed samples to `out`; returns the
    /// number of samples appended.
    ///
    /// Allocates only if `out` lacks capacity for
    /// [`max_decoded_samples`](Self::max_decoded_samples)`(text.len())` more samples.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidBase64`] with the offset of the offending character (counted over
    /// the whole stream). The decoder and `out` are then unchanged.
    pub fn decode(
        &mut self,
        text: impl AsRef<[u8]>,
        out: &mut Vec<i16>,
    ) -> Result<usize, CodecError> {
        let text = text.as_ref();
        let start = out.len();
        out.resize(
            start.saturating_add(self.max_decoded_samples(text.len())),
            0,
        );
        let result = match out.get_mut(start..) {
            Some(tail) => self.decode_into(text, tail),
            None => Ok(0),
        };
        match result {
            Ok(n) => {
                out.truncate(start + n);
                Ok(n)
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    /// Decodes a chunk of base64 text into `out`, returning the number of samples written to
    /// `out[..n]`.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `out` is shorter than
    /// [`max_decoded_samples`](Self::max_decoded_samples)`(text.len())`;
    /// [`CodecError::InvalidBase64`] with the offset of the offending character. The decoder is
    /// then unchanged (the contents of `out` are unspecified).
    pub fn decode_into(
        &mut self,
        text: impl AsRef<[u8]>,
        out: &mut [i16],
    ) -> Result<usize, CodecError> {
        let text = text.as_ref();
        let needed = self.max_decoded_samples(text.len());
        if out.len() < needed {
            return Err(CodecError::OutputTooSmall {
                needed,
                got: out.len(),
            });
        }
        let saved = self.state;
        let result = self.state.run(text, out);
        if result.is_err() {
            self.state = saved;
        }
        result
    }

    /// Ends the stream and resets the decoder for the next one.
    ///
    /// # Errors
    ///
    /// [`CodecError::InvalidBase64`] (offset = text length) if the text ended inside a
    /// 4-character group, else [`CodecError::InvalidLength`] (`len` = PCM bytes decoded,
    /// `multiple_of` = 2) if an odd byte is left over. The decoder is reset either way.
    pub fn finish(&mut self) -> Result<(), CodecError> {
        let state = self.state;
        self.reset();
        if state.group_len != 0 {
            Err(CodecError::InvalidBase64 {
                offset: state.offset,
            })
        } else if state.carry.is_some() {
            Err(CodecError::InvalidLength {
                len: state.bytes,
                multiple_of: 2,
            })
        } else {
            Ok(())
        }
    }
}

impl State {
    /// Decodes all of `text` into `out`, which the caller has checked is large enough.
    fn run(&mut self, text: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        let mut i = 0;
        let mut n = 0;
        while i < text.len() {
            // Finish a group begun in an earlier chunk or by the character-wise path below.
            while self.group_len != 0 {
                let Some(&c) = text.get(i) else {
                    return Ok(n);
                };
                self.push_char(c, out, &mut n)?;
                i += 1;
            }
            let (chars, samples) = match (text.get(i..), out.get_mut(n..)) {
                (Some(t), Some(o)) => self.run_fast(t, o),
                _ => (0, 0),
            };
            i += chars;
            n += samples;
            // The fast path stops before a block it cannot take whole (padding, an invalid
            // character, fewer than 8 characters left): take up to one block character-wise.
            let end = text.len().min(i + 8);
            while i < end {
                let Some(&c) = text.get(i) else { break };
                self.push_char(c, out, &mut n)?;
                i += 1;
            }
        }
        Ok(n)
    }

    /// Decodes whole 8-character blocks (6 bytes, 3 samples) at a group boundary until a block
    /// holds a non-alphabet character; returns (characters consumed, samples written).
    #[inline]
    fn run_fast(&mut self, text: &[u8], out: &mut [i16]) -> (usize, usize) {
        let mut blocks = 0;
        match self.carry {
            None => {
                for (b, o) in text.chunks_exact(8).zip(out.chunks_exact_mut(3)) {
                    let Some((x, y)) = decode_block(b) else { break };
                    // Bytes x2 x1 x0 y2 y1 y0 (big-endian within each group) pair as LE samples.
                    o[0] = i16::from_le_bytes([(x >> 16) as u8, (x >> 8) as u8]);
                    o[1] = i16::from_le_bytes([x as u8, (y >> 16) as u8]);
                    o[2] = i16::from_le_bytes([(y >> 8) as u8, y as u8]);
                    blocks += 1;
                }
            }
            Some(mut low) => {
                for (b, o) in text.chunks_exact(8).zip(out.chunks_exact_mut(3)) {
                    let Some((x, y)) = decode_block(b) else { break };
                    o[0] = i16::from_le_bytes([low, (x >> 16) as u8]);
                    o[1] = i16::from_le_bytes([(x >> 8) as u8, x as u8]);
                    o[2] = i16::from_le_bytes([(y >> 16) as u8, (y >> 8) as u8]);
                    low = y as u8;
                    blocks += 1;
                }
                self.carry = Some(low);
            }
        }
        self.offset += blocks * 8;
        self.bytes += blocks * 6;
        (blocks * 8, blocks * 3)
    }

    /// Takes one character: the slow, exact path that handles padding and reports errors.
    fn push_char(&mut self, c: u8, out: &mut [i16], n: &mut usize) -> Result<(), CodecError> {
        let offset = self.offset;
        let value = SEXTET[usize::from(c)];
        if self.pads != 0 {
            // "XY=" has been seen: only the second '=' may follow.
            if value != PAD {
                return Err(CodecError::InvalidBase64 { offset });
            }
            self.offset += 1;
            let byte = (self.group >> 4) as u8;
            self.end_group();
            return self.push_byte(byte, out, n);
        }
        match value {
            INVALID => Err(CodecError::InvalidBase64 { offset }),
            PAD => match self.group_len {
                2 => {
                    // "XY=": one byte; the low 4 bits of Y must be zero (RFC 4648 §3.5).
                    if self.group & 0x0F != 0 {
                        return Err(CodecError::InvalidBase64 { offset: offset - 1 });
                    }
                    self.offset += 1;
                    self.group_len = 3;
                    self.pads = 1;
                    Ok(())
                }
                3 => {
                    // "XYZ=": two bytes; the low 2 bits of Z must be zero.
                    if self.group & 0x03 != 0 {
                        return Err(CodecError::InvalidBase64 { offset: offset - 1 });
                    }
                    self.offset += 1;
                    let bits = self.group >> 2;
                    self.end_group();
                    self.push_byte((bits >> 8) as u8, out, n)?;
                    self.push_byte(bits as u8, out, n)
                }
                // Padding may not start a group or follow its first character.
                _ => Err(CodecError::InvalidBase64 { offset }),
            },
            sextet => {
                self.offset += 1;
                self.group = (self.group << 6) | u32::from(sextet);
                self.group_len += 1;
                if self.group_len == 4 {
                    let bits = self.group;
                    self.end_group();
                    self.push_byte((bits >> 16) as u8, out, n)?;
                    self.push_byte((bits >> 8) as u8, out, n)?;
                    self.push_byte(bits as u8, out, n)?;
                }
                Ok(())
            }
        }
    }

    /// Clears the current group after its last character.
    fn end_group(&mut self) {
        self.group = 0;
        self.group_len = 0;
        self.pads = 0;
    }

    /// Pairs a decoded byte with the carried one into a little-endian sample.
    fn push_byte(&mut self, byte: u8, out: &mut [i16], n: &mut usize) -> Result<(), CodecError> {
        self.bytes += 1;
        match self.carry.take() {
            None => {
                self.carry = Some(byte);
                Ok(())
            }
            Some(low) => {
                let Some(slot) = out.get_mut(*n) else {
                    return Err(CodecError::OutputTooSmall {
                        needed: *n + 1,
                        got: out.len(),
                    });
                };
                *slot = i16::from_le_bytes([low, byte]);
                *n += 1;
                Ok(())
            }
        }
    }
}

/// Decodes an 8-character block into two 24-bit groups, or `None` if any character is not in the
/// alphabet (padding included).
#[inline(always)]
fn decode_block(b: &[u8]) -> Option<(u32, u32)> {
    let [t0, t1, t2, t3] = &SHIFTED;
    let &[a, b1, c, d, e, f, g, h] = b else {
        return None;
    };
    let x = t0[usize::from(a)] | t1[usize::from(b1)] | t2[usize::from(c)] | t3[usize::from(d)];
    let y = t0[usize::from(e)] | t1[usize::from(f)] | t2[usize::from(g)] | t3[usize::from(h)];
    if (x | y) & FAST_INVALID != 0 {
        None
    } else {
        Some((x, y))
    }
}

/// Decodes a whole base64 text of PCM16 audio, appending the samples to `out`; returns the
/// number of samples appended.
///
/// Equivalent to a fresh [`Base64AudioDecoder`], one [`decode`](Base64AudioDecoder::decode) and
/// [`finish`](Base64AudioDecoder::finish). Allocates only if `out` lacks capacity.
///
/// # Errors
///
/// As [`Base64AudioDecoder::decode`] and [`Base64AudioDecoder::finish`]; `out` is then unchanged.
pub fn decode_base64_pcm16(
    text: impl AsRef<[u8]>,
    out: &mut Vec<i16>,
) -> Result<usize, CodecError> {
    let start = out.len();
    let mut decoder = Base64AudioDecoder::new();
    let n = decoder.decode(text, out)?;
    if let Err(e) = decoder.finish() {
        out.truncate(start);
        return Err(e);
    }
    Ok(n)
}

/// Decodes a whole base64 text into raw bytes (G.711 μ-law/A-law codes, one per sample),
/// appending them to `out`; returns the number of bytes appended.
///
/// As strict as [`Base64AudioDecoder`], with the same error offsets: standard alphabet, `=`
/// padding only at the end of a group, zero bits in a final symbol, and (as for PCM16) a
/// concatenation of separately padded strings is accepted. The one difference is that any byte
/// count is valid (no PCM16 pairing). Allocates only if `out` lacks capacity for
/// `3 · text.len() / 4` more bytes.
///
/// # Errors
///
/// [`CodecError::InvalidBase64`] with the offset of the offending character, or offset =
/// `text.len()` if the text ends inside a 4-character group. `out` is then unchanged.
///
/// ```
/// let mut codes = Vec::new();
/// assert_eq!(vl_codec::base64::decode_base64_bytes("/wB/gA==", &mut codes), Ok(4));
/// assert_eq!(codes, [0xFF, 0x00, 0x7F, 0x80]);
/// ```
pub fn decode_base64_bytes(text: impl AsRef<[u8]>, out: &mut Vec<u8>) -> Result<usize, CodecError> {
    let text = text.as_ref();
    let start = out.len();
    out.reserve(text.len() / 4 * 3);
    match bytes_into(text, out) {
        Ok(()) => Ok(out.len() - start),
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// The body of [`decode_base64_bytes`]: whole 8-character blocks fast, then group by group.
fn bytes_into(text: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
    let mut i = 0;
    while i < text.len() {
        while let Some((x, y)) = text.get(i..i + 8).and_then(decode_block) {
            let [_, x2, x1, x0] = x.to_be_bytes();
            let [_, y2, y1, y0] = y.to_be_bytes();
            out.extend_from_slice(&[x2, x1, x0, y2, y1, y0]);
            i += 8;
        }
        if i < text.len() {
            i = bytes_group(text, i, out)?;
        }
    }
    Ok(())
}

/// Decodes the 4-character group at `text[i..]` (possibly padded), appends its bytes and
/// returns the offset after it. Errors as [`Base64AudioDecoder`] reports them.
fn bytes_group(text: &[u8], i: usize, out: &mut Vec<u8>) -> Result<usize, CodecError> {
    let mut group = 0_u32;
    for k in 0..4 {
        let offset = i + k;
        let Some(&c) = text.get(offset) else {
            // The text ends inside the group.
            return Err(CodecError::InvalidBase64 { offset: text.len() });
        };
        match SEXTET[usize::from(c)] {
            INVALID => return Err(CodecError::InvalidBase64 { offset }),
            PAD => {
                let (bits, keep) = match k {
                    // "XY=": the low 4 bits of Y must be zero and a second '=' must follow.
                    2 => (0x0F, 1),
                    // "XYZ=": the low 2 bits of Z must be zero.
                    3 => (0x03, 2),
                    // Padding may not start a group or follow its first character.
                    _ => return Err(CodecError::InvalidBase64 { offset }),
                };
                if group & bits != 0 {
                    return Err(CodecError::InvalidBase64 { offset: offset - 1 });
                }
                if k == 2 {
                    match text.get(offset + 1) {
                        Some(&c) if SEXTET[usize::from(c)] == PAD => {}
                        Some(_) => return Err(CodecError::InvalidBase64 { offset: offset + 1 }),
                        None => return Err(CodecError::InvalidBase64 { offset: text.len() }),
                    }
                }
                let bits = group << (6 * (4 - k));
                let [_, b2, b1, _] = bits.to_be_bytes();
                out.extend_from_slice(&[b2, b1][..keep]);
                return Ok(i + 4);
            }
            sextet => group = (group << 6) | u32::from(sextet),
        }
    }
    let [_, b2, b1, b0] = group.to_be_bytes();
    out.extend_from_slice(&[b2, b1, b0]);
    Ok(i + 4)
}

/// Base64 characters that [`encode_pcm16_base64`] produces for `samples` PCM16 samples.
#[must_use]
pub const fn encoded_len(samples: usize) -> usize {
    samples.saturating_mul(2).div_ceil(3).saturating_mul(4)
}

/// Appends the padded standard base64 of `pcm` as little-endian PCM16 bytes to `out` (for
/// `response.audio.delta`).
///
/// Allocates only if `out` lacks capacity for [`encoded_len`]`(pcm.len())` more characters.
pub fn encode_pcm16_base64(pcm: &[i16], out: &mut String) {
    out.reserve(encoded_len(pcm.len()));
    // ASCII is staged in a stack buffer of whole 8-character blocks and appended per buffer.
    let mut buf = [0_u8; 1024];
    let mut len = 0;
    let mut blocks = pcm.chunks_exact(3);
    for s in &mut blocks {
        let [b0, b1] = s[0].to_le_bytes();
        let [b2, b3] = s[1].to_le_bytes();
        let [b4, b5] = s[2].to_le_bytes();
        let x = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
        let y = u32::from(b3) << 16 | u32::from(b4) << 8 | u32::from(b5);
        if let Some(dst) = buf.get_mut(len..len + 8) {
            dst[..4].copy_from_slice(&group_symbols(x));
            dst[4..].copy_from_slice(&group_symbols(y));
            len += 8;
        }
        if len == buf.len() {
            push_ascii(out, &buf);
            len = 0;
        }
    }
    push_ascii(out, buf.get(..len).unwrap_or_default());
    match *blocks.remainder() {
        [a] => {
            let [b0, b1] = a.to_le_bytes();
            let [c0, c1, c2, _] = group_symbols(u32::from(b0) << 16 | u32::from(b1) << 8);
            push_ascii(out, &[c0, c1, c2, b'=']);
        }
        [a, b] => {
            let [b0, b1] = a.to_le_bytes();
            let [b2, b3] = b.to_le_bytes();
            let x = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
            let [c0, c1, _, _] = group_symbols(u32::from(b3) << 16);
            push_ascii(out, &group_symbols(x));
            push_ascii(out, &[c0, c1, b'=', b'=']);
        }
        _ => {}
    }
}

/// The four alphabet characters of a 24-bit group.
#[inline]
fn group_symbols(bits: u32) -> [u8; 4] {
    let symbol = |v: u32| ALPHABET[(v & 0x3F) as usize];
    [
        symbol(bits >> 18),
        symbol(bits >> 12),
        symbol(bits >> 6),
        symbol(bits),
    ]
}

/// Appends alphabet bytes (ASCII) to a `String`.
#[inline]
fn push_ascii(out: &mut String, ascii: &[u8]) {
    match std::str::from_utf8(ascii) {
        Ok(s) => out.push_str(s),
        // Unreachable (the alphabet is ASCII), but correct all the same.
        Err(_) => out.extend(ascii.iter().map(|&b| char::from(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_shot(text: &str) -> Result<Vec<i16>, CodecError> {
        let mut out = Vec::new();
        decode_base64_pcm16(text, &mut out).map(|_| out)
    }

    #[test]
    fn public_types_are_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Base64AudioDecoder>();
        assert_send_sync::<CodecError>();
        assert_send_sync::<crate::g711::Law>();
        assert!(std::mem::size_of::<CodecError>() <= 24);
    }

    #[test]
    fn tables_agree() {
        for c in 0..=255_u8 {
            let v = SEXTET[usize::from(c)];
            for (pos, table) in SHIFTED.iter().enumerate() {
                let want = if v < 64 {
                    u32::from(v) << (18 - 6 * pos)
                } else {
                    FAST_INVALID
                };
                assert_eq!(table[usize::from(c)], want);
            }
        }
    }

    #[test]
    fn padded_tails() {
        // 1 sample = 2 bytes = "XXX=", 2 samples = 4 bytes = "XXXXXX==".
        assert_eq!(one_shot("AQA="), Ok(vec![1]));
        assert_eq!(one_shot("AQACAA=="), Ok(vec![1, 2]));
        assert_eq!(one_shot(""), Ok(vec![]));
    }

    #[test]
    fn errors_carry_offsets() {
        assert_eq!(
            one_shot("AQ*="),
            Err(CodecError::InvalidBase64 { offset: 2 })
        );
        // Padding may not begin a group or follow its first character.
        assert_eq!(
            one_shot("AQA=====").unwrap_err(),
            CodecError::InvalidBase64 { offset: 4 }
        );
        assert_eq!(
            one_shot("A==="),
            Err(CodecError::InvalidBase64 { offset: 1 })
        );
        // After "XY=" only '=' may follow.
        assert_eq!(
            one_shot("AA=A"),
            Err(CodecError::InvalidBase64 { offset: 3 })
        );
        // Non-zero trailing bits: "AB==" has 4 stray bits in 'B' (offset 1).
        assert_eq!(
            one_shot("AAAAAB=="),
            Err(CodecError::InvalidBase64 { offset: 5 })
        );
        assert_eq!(
            one_shot("AAB="),
            Err(CodecError::InvalidBase64 { offset: 2 })
        );
        // Whitespace is not part of the alphabet.
        assert_eq!(
            one_shot("AAAA\nAAAA"),
            Err(CodecError::InvalidBase64 { offset: 4 })
        );
        // Text ending inside a group.
        assert_eq!(
            one_shot("AAAAAA"),
            Err(CodecError::InvalidBase64 { offset: 6 })
        );
        // Three bytes: one sample and a byte left over.
        assert_eq!(
            one_shot("AAAA"),
            Err(CodecError::InvalidLength {
                len: 3,
                multiple_of: 2
            })
        );
    }

    #[test]
    fn failed_call_leaves_state_and_output_unchanged() {
        let mut d = Base64AudioDecoder::new();
        let mut out = Vec::new();
        d.decode("AQD", &mut out).unwrap();
        assert!(out.is_empty());
        assert_eq!(
            d.decode("//wCA!", &mut out),
            Err(CodecError::InvalidBase64 { offset: 8 })
        );
        assert!(out.is_empty());
        assert_eq!(d.text_offset(), 3);
        d.decode("//wCA", &mut out).unwrap();
        d.finish().unwrap();
        assert_eq!(out, [1, -1, i16::MIN]);
    }

    #[test]
    fn decode_into_checks_the_output_size_first() {
        let mut d = Base64AudioDecoder::new();
        let mut out = [0_i16; 2];
        assert_eq!(
            d.decode_into("AAAAAAAA", &mut out),
            Err(CodecError::OutputTooSmall { needed: 3, got: 2 })
        );
        assert_eq!(d.text_offset(), 0);
    }

    #[test]
    fn concatenated_padded_strings_keep_the_byte_carry() {
        // Append 1: 3 bytes [1, 0, 2] ("AQAC"); append 2: 3 bytes [0, 3, 0] ("AAMA"):
        // samples 1, 2, 3 after pairing across the two.
        let mut d = Base64AudioDecoder::new();
        let mut out = Vec::new();
        d.decode("AQAC", &mut out).unwrap();
        assert_eq!(d.pending_byte(), Some(2));
        d.decode("AAMA", &mut out).unwrap();
        d.finish().unwrap();
        assert_eq!(out, [1, 2, 3]);
        // The same with padded strings of one byte each: "AQ==" = [1], "AA==" = [0].
        let mut out = Vec::new();
        d.decode("AQ==", &mut out).unwrap();
        d.decode("AA==", &mut out).unwrap();
        d.finish().unwrap();
        assert_eq!(out, [1]);
    }

    #[test]
    fn encoder_pads_and_sizes_exactly() {
        for n in 0..10 {
            let pcm: Vec<i16> = (0..n).map(|i| i * 1000 - 3000).collect();
            let mut text = String::new();
            encode_pcm16_base64(&pcm, &mut text);
            assert_eq!(text.len(), encoded_len(pcm.len()));
            assert_eq!(one_shot(&text), Ok(pcm));
        }
    }
}
