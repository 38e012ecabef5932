//! Deterministic ids (`sess_…`, `item_…`, `resp_…`, `call_…`, `event_…`).
//!
//! Ids are a prefix plus 22 base62 characters drawn from a SplitMix64 stream seeded by
//! [`SessionConfig::id_seed`](crate::SessionConfig::id_seed), so a scripted session is fully
//! reproducible while ids still look like the service's (`sess_6Zxvf6tkDngFpn3CwcvbTE`).

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A SplitMix64 id generator.
#[derive(Debug, Clone)]
pub(crate) struct IdGen {
    state: u64,
}

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `prefix` + `_` + 22 base62 characters.
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        let mut s = String::with_capacity(prefix.len() + 23);
        s.push_str(prefix);
        s.push('_');
        let mut bits = self.next_u64();
        for i in 0..22 {
            if i == 11 {
                bits = self.next_u64();
            }
            let idx = (bits % 62) as usize;
            bits /= 62;
            s.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'0')));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_shaped() {
        let mut g = IdGen::new(7);
        let a = g.next("item");
        let b = g.next("item");
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 22);
        assert!(a.starts_with("item_"));
        assert_eq!(IdGen::new(7).next("item"), a);
    }
}
