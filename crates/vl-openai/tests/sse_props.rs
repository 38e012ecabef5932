//! Property tests: no byte stream panics the SSE parser or the chat accumulator, and the way
//! a valid stream is cut into chunks never changes the events.

use proptest::prelude::*;
use vl_openai::chat::ChatAccumulator;
use vl_openai::sse::{SseEvent, SseParser};

fn feed(chunks: &[Vec<u8>], cap: usize) -> Result<Vec<SseEvent>, ()> {
    let mut p = SseParser::new(cap);
    let mut out = Vec::new();
    for c in chunks {
        p.push(c, &mut out).map_err(|_| ())?;
    }
    out.extend(p.finish());
    Ok(out)
}

fn split_at_points(bytes: &[u8], mut points: Vec<usize>) -> Vec<Vec<u8>> {
    points.iter_mut().for_each(|p| *p %= bytes.len() + 1);
    points.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for p in points {
        out.push(bytes[prev..p].to_vec());
        prev = p;
    }
    out.push(bytes[prev..].to_vec());
    out
}

const VALID: &str = concat!(
    ": ping\r\n\r\n",
    "data: {\"choices\":[{\"delta\":{\"content\":\"h\u{e9}llo \u{1f600}\"}}]}\r\n\r\n",
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n",
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]}}]}\r\r",
    "data: {\"choices\":[{\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":3}}\n\n",
    "data: [DONE]\n\n",
);

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..32), cap in 1usize..256) {
        if let Ok(events) = feed(&chunks, cap) {
            let mut acc = ChatAccumulator::new(cap);
            let mut out = Vec::new();
            for ev in events {
                if acc.push_data(&ev.data, &mut out).is_err() {
                    break;
                }
            }
            let _ = acc.finish_eof(&mut out);
        }
    }

    #[test]
    fn sse_like_noise_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just(b"data: ".to_vec()), Just(b"\r\n".to_vec()), Just(b"\n".to_vec()), Just(b"\r".to_vec()),
        Just(b": ping".to_vec()), Just(b"{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":".to_vec()),
        Just(b"[DONE]".to_vec()), Just(b"\"}}]}".to_vec()), Just(vec![0xE2, 0x82]), Just(vec![0xFF]),
        proptest::collection::vec(any::<u8>(), 0..8),
    ], 0..64)) {
        let bytes: Vec<u8> = parts.concat();
        if let Ok(events) = feed(&[bytes], 1 << 16) {
            let mut acc = ChatAccumulator::new(1 << 16);
            let mut out = Vec::new();
            for ev in events {
                let _ = acc.push_data(&ev.data, &mut out);
            }
            acc.finish(&mut out);
        }
    }

    #[test]
    fn chunking_does_not_change_the_events(points in proptest::collection::vec(any::<usize>(), 0..12)) {
        let whole = feed(&[VALID.as_bytes().to_vec()], 1 << 16).unwrap();
        let split = feed(&split_at_points(VALID.as_bytes(), points), 1 << 16).unwrap();
        prop_assert_eq!(whole.len(), 5);
        prop_assert_eq!(whole, split);
    }
}
