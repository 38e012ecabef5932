//! Arbitrary text through the streaming base64 decoder, split at arbitrary points, must give
//! exactly what one-shot decoding gives (samples or the same error), and never panic.
//!
//! Input layout: the first byte seeds the split points; the rest is the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vl_codec::CodecError;
use vl_codec::base64::{Base64AudioDecoder, decode_base64_pcm16};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, text)) = data.split_first() else {
        return;
    };
    let mut one_shot = Vec::new();
    let want: Result<Vec<i16>, CodecError> =
        decode_base64_pcm16(text, &mut one_shot).map(|_| one_shot);

    // Chunk sizes from a tiny PRNG seeded by the first byte: 0..=12 characters (empty chunks too).
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    let mut decoder = Base64AudioDecoder::new();
    let mut got = Vec::new();
    let mut rest = text;
    let mut result = Ok(());
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = (state % 13) as usize;
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        let before = got.len();
        if let Err(e) = decoder.decode(chunk, &mut got) {
            assert_eq!(got.len(), before, "a failed call must not append");
            result = Err(e);
            break;
        }
    }
    let streamed = result.and_then(|()| decoder.finish()).map(|()| got);
    assert_eq!(streamed, want);
});
