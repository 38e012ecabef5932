//! Chunking encoded output audio into `response.audio.delta` payloads of at most 100 ms.

/// Longest audio delta, in ms (reliability.md §2.1).
pub const MAX_DELTA_MS: u64 = 100;

/// Splits a stream of encoded audio bytes into chunks of at most [`MAX_DELTA_MS`].
///
/// Chunks are emitted as soon as bytes arrive (low latency): every [`push`](Self::push) returns
/// all pending audio, cut into pieces of at most `max_bytes`, each a whole number of samples.
#[derive(Debug, Clone)]
pub(crate) struct Chunker {
    max_bytes: usize,
    bytes_per_sample: usize,
    pending: Vec<u8>,
}

impl Chunker {
    /// A chunker for audio at `rate_hz` with `bytes_per_sample` (2 for PCM16, 1 for G.711).
    pub(crate) fn new(rate_hz: u32, bytes_per_sample: usize) -> Self {
        let samples = (u64::from(rate_hz) * MAX_DELTA_MS / 1000).max(1) as usize;
        Self {
            max_bytes: samples * bytes_per_sample.max(1),
            bytes_per_sample: bytes_per_sample.max(1),
            pending: Vec::new(),
        }
    }

    /// The largest chunk, in bytes.
    #[cfg(test)]
    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Adds encoded bytes and calls `emit` for each complete-sample chunk of at most
    /// [`max_bytes`](Self::max_bytes). A trailing partial sample stays pending.
    pub(crate) fn push(&mut self, bytes: &[u8], mut emit: impl FnMut(&[u8])) {
        self.pending.extend_from_slice(bytes);
        let whole = self.pending.len() - self.pending.len() % self.bytes_per_sample;
        for chunk in self.pending[..whole].chunks(self.max_bytes) {
            emit(chunk);
        }
        self.pending.drain(..whole);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_at_most_100_ms_and_lossless() {
        let mut c = Chunker::new(24_000, 2);
        assert_eq!(c.max_bytes(), 4800);
        let mut got = Vec::new();
        let input: Vec<u8> = (0..12_345u32).map(|i| i as u8).collect();
        c.push(&input[..7001], |b| got.push(b.to_vec()));
        c.push(&input[7001..], |b| got.push(b.to_vec()));
        assert!(got.iter().all(|g| g.len() <= 4800 && g.len() % 2 == 0));
        let flat: Vec<u8> = got.concat();
        assert_eq!(flat[..], input[..12_344]);
    }
}
