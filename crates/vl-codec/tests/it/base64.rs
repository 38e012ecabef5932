//! Streaming base64 → PCM16: chunk splits anywhere, odd-byte carry, errors with offsets, and
//! agreement with the `base64` crate.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use vl_codec::CodecError;
use vl_codec::base64::{Base64AudioDecoder, decode_base64_pcm16, encode_pcm16_base64};

/// Little-endian pairing of a byte stream (the reference for what the decoder must produce).
fn pair(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Feeds `text` in chunks cut at `cuts` (sorted positions), then finishes.
fn streamed(text: &[u8], cuts: &[usize]) -> Result<Vec<i16>, CodecError> {
    let mut d = Base64AudioDecoder::new();
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&text.len())) {
        let cut = cut.clamp(start, text.len());
        d.decode(&text[start..cut], &mut out)?;
        start = cut;
    }
    d.finish()?;
    Ok(out)
}

fn one_shot(text: &[u8]) -> Result<Vec<i16>, CodecError> {
    let mut out = Vec::new();
    decode_base64_pcm16(text, &mut out).map(|_| out)
}

#[test]
fn an_odd_byte_carries_over_every_split_of_a_sample() {
    // 1 s of a 24 kHz ramp with distinct high and low bytes.
    let samples: Vec<i16> = (0..24_000)
        .map(|i| (i * 2_731 % 65_536 - 32_768) as i16)
        .collect();
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    // Cut the byte stream into appends of 1..=7 bytes, each its own padded base64 string.
    let mut d = Base64AudioDecoder::new();
    let mut out = Vec::new();
    let mut rest = &bytes[..];
    let mut size = 1;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        d.decode(STANDARD.encode(chunk), &mut out).unwrap();
        rest = tail;
        size = size % 7 + 1;
    }
    d.finish().unwrap();
    assert_eq!(out.len(), samples.len(), "no sample lost");
    assert_eq!(out, samples, "no sample shifted");
}

#[test]
fn every_single_cut_point_of_one_text_gives_the_same_samples() {
    let bytes: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
    let text = STANDARD.encode(&bytes[..510]);
    let want = pair(&bytes[..510]);
    for cut in 0..=text.len() {
        assert_eq!(
            streamed(text.as_bytes(), &[cut]),
            Ok(want.clone()),
            "cut at {cut}"
        );
    }
}

#[test]
fn an_odd_total_is_reported_at_finish_not_lost() {
    let mut d = Base64AudioDecoder::new();
    let mut out = Vec::new();
    d.decode(STANDARD.encode([1, 0, 2]), &mut out).unwrap();
    assert_eq!(out, [1]);
    assert_eq!(d.pending_byte(), Some(2));
    assert!(!d.is_aligned());
    assert_eq!(
        d.finish(),
        Err(CodecError::InvalidLength {
            len: 3,
            multiple_of: 2
        })
    );
    assert!(d.is_aligned(), "finish resets");
}

#[test]
fn invalid_characters_report_their_offset_across_chunks() {
    let mut d = Base64AudioDecoder::new();
    let mut out = Vec::new();
    d.decode("AAAAAAAAAAAA", &mut out).unwrap();
    d.decode("AAAAA", &mut out).unwrap();
    assert_eq!(
        d.decode("AA-A", &mut out),
        Err(CodecError::InvalidBase64 { offset: 19 })
    );
    // Also when the bad character sits inside a block the fast path would take.
    let mut text = STANDARD.encode([7_u8; 300]).into_bytes();
    text[123] = b'.';
    assert_eq!(
        one_shot(&text),
        Err(CodecError::InvalidBase64 { offset: 123 })
    );
}

#[test]
fn encoder_matches_the_base64_crate() {
    // Small sizes for the padded tails, larger ones across the encoder's 1,024-character buffer.
    for n in (0..50).chain([383, 384, 385, 386, 1_000, 24_000]) {
        let pcm: Vec<i16> = (0..n).map(|i| (i * 7_919 - 20_000) as i16).collect();
        let bytes: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
        let mut text = String::new();
        encode_pcm16_base64(&pcm, &mut text);
        assert_eq!(text, STANDARD.encode(&bytes), "{n} samples");
    }
}

proptest! {
    #[test]
    fn chunking_does_not_change_the_samples(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        mut cuts in proptest::collection::vec(0_usize..900, 0..12),
    ) {
        let text = STANDARD.encode(&bytes);
        cuts.sort_unstable();
        let got = streamed(text.as_bytes(), &cuts);
        if bytes.len() % 2 == 0 {
            prop_assert_eq!(got, Ok(pair(&bytes)));
        } else {
            prop_assert_eq!(got, Err(CodecError::InvalidLength { len: bytes.len(), multiple_of: 2 }));
        }
    }

    #[test]
    fn separately_padded_appends_concatenate_their_bytes(
        parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..20),
    ) {
        let mut d = Base64AudioDecoder::new();
        let mut out = Vec::new();
        for p in &parts {
            d.decode(STANDARD.encode(p), &mut out).unwrap();
        }
        let all: Vec<u8> = parts.concat();
        prop_assert_eq!(d.pending_byte(), (all.len() % 2 == 1).then(|| all[all.len() - 1]));
        prop_assert_eq!(out, pair(&all));
    }

    #[test]
    fn arbitrary_text_streams_like_it_decodes_in_one_shot(
        text in "[A-Za-z0-9+/=*\n]{0,64}",
        mut cuts in proptest::collection::vec(0_usize..64, 0..6),
    ) {
        cuts.sort_unstable();
        prop_assert_eq!(streamed(text.as_bytes(), &cuts), one_shot(text.as_bytes()));
    }

    #[test]
    fn one_shot_agrees_with_the_base64_crate(text in "[A-Za-z0-9+/=]{0,40}") {
        let ours = one_shot(text.as_bytes());
        // We also accept concatenated padded strings ("AA==AA=="); the crate does not.
        let concatenated = text.trim_end_matches('=').contains('=');
        match STANDARD.decode(&text) {
            Ok(bytes) if bytes.len() % 2 == 0 => prop_assert_eq!(ours, Ok(pair(&bytes))),
            Ok(bytes) => prop_assert_eq!(
                ours,
                Err(CodecError::InvalidLength { len: bytes.len(), multiple_of: 2 })
            ),
            Err(_) if !concatenated => prop_assert!(ours.is_err(), "we accepted {text:?}"),
            Err(_) => {}
        }
    }
}

/// `decode_base64_bytes` on raw codes, padding and every error class.
#[test]
fn bytes_decoder_examples_and_errors() {
    use vl_codec::base64::decode_base64_bytes;
    let bytes = |t: &str| {
        let mut out = vec![0xAA];
        decode_base64_bytes(t, &mut out).map(|n| {
            assert_eq!(n, out.len() - 1);
            out[1..].to_vec()
        })
    };
    let err = |offset| Err(CodecError::InvalidBase64 { offset });
    assert_eq!(bytes(""), Ok(vec![]));
    assert_eq!(bytes("/w=="), Ok(vec![0xFF]));
    assert_eq!(bytes("/38="), Ok(vec![0xFF, 0x7F]));
    assert_eq!(bytes("AAECAwQF"), Ok(vec![0, 1, 2, 3, 4, 5]));
    assert_eq!(bytes("/w==/w=="), Ok(vec![0xFF, 0xFF]));
    assert_eq!(bytes("AAEC!wQF"), err(4));
    assert_eq!(bytes("AAECAw-F"), err(6));
    assert_eq!(bytes("=AAA"), err(0));
    assert_eq!(bytes("A==="), err(1));
    assert_eq!(bytes("/x=="), err(1)); // non-zero bits in the last symbol
    assert_eq!(bytes("/39="), err(2));
    assert_eq!(bytes("/w=A"), err(3));
    assert_eq!(bytes("/w="), err(3));
    assert_eq!(bytes("AAECAwQ"), err(7));
    assert_eq!(bytes("AAE\nAwQF"), err(3));
    // A failed call leaves `out` as it was.
    let mut out = vec![1, 2];
    assert!(decode_base64_bytes("AAECAw-F", &mut out).is_err());
    assert_eq!(out, [1, 2]);
}

proptest! {
    /// Agrees with the `base64` crate's strict engine: whatever it accepts decodes to the same
    /// bytes, and whatever we reject it rejects too (we also accept concatenated padded strings).
    #[test]
    fn bytes_decoder_agrees_with_the_base64_crate(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        noise in proptest::collection::vec((0_usize..400, prop::sample::select(
            b"A/+=9z-_ \n\x80".to_vec())), 0..3),
    ) {
        use vl_codec::base64::decode_base64_bytes;
        let mut text = STANDARD.encode(&bytes).into_bytes();
        let mut out = Vec::new();
        prop_assert_eq!(decode_base64_bytes(&text, &mut out), Ok(bytes.len()));
        prop_assert_eq!(&out, &bytes);
        for &(at, c) in &noise {
            if !text.is_empty() {
                let at = at % text.len();
                text[at] = c;
            }
        }
        let ours = {
            let mut out = Vec::new();
            decode_base64_bytes(&text, &mut out).map(|_| out)
        };
        match STANDARD.decode(&text) {
            Ok(theirs) => prop_assert_eq!(ours, Ok(theirs)),
            Err(_) => {
                if let Ok(ours) = &ours {
                    // Only a concatenation of padded strings may be accepted: re-encoding the
                    // parts must give the text back.
                    let first_pad = text.iter().position(|&c| c == b'=');
                    prop_assert!(first_pad.is_some_and(|p| p + 2 < text.len()), "accepted {:?}", String::from_utf8_lossy(&text));
                    prop_assert!(ours.len() < bytes.len() + 3);
                }
            }
        }
    }

    /// Same errors (offsets included) as the PCM16 decoder on any text, except that any byte
    /// count is valid.
    #[test]
    fn bytes_decoder_reports_errors_like_the_pcm16_decoder(
        text in proptest::collection::vec(prop::sample::select(b"AQw/+=9-".to_vec()), 0..40),
    ) {
        use vl_codec::base64::decode_base64_bytes;
        let mut raw = Vec::new();
        let ours = decode_base64_bytes(&text, &mut raw);
        match one_shot(&text) {
            Ok(samples) => {
                prop_assert_eq!(ours, Ok(2 * samples.len()));
                prop_assert_eq!(pair(&raw), samples);
            }
            Err(CodecError::InvalidLength { len, .. }) => prop_assert_eq!(ours, Ok(len)),
            Err(e) => prop_assert_eq!(ours, Err(e)),
        }
    }
}
