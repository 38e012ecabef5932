//! Opus encoding of the reply audio: mono PCM16 at the session's output rate (24 kHz for Voice
//! Live) in 20 ms frames. The RTP clock is always 48 kHz (RFC 7587): 960 ticks per frame.

/// Frame duration, in ms.
pub const FRAME_MS: u32 = 20;
/// RTP timestamp ticks per 20 ms frame (48 kHz clock).
pub const RTP_TICKS_PER_FRAME: u64 = 960;
/// The largest Opus packet, in bytes (RFC 6716 §3.2.1).
pub const MAX_PACKET: usize = 1275;

/// Opus errors.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The input rate is not one libopus accepts (8, 12, 16, 24 or 48 kHz).
    #[error("unsupported Opus input rate {0} Hz")]
    Rate(u32),
    /// A frame of the wrong length was passed.
    #[error("expected {expected} samples per 20 ms frame, got {got}")]
    FrameLength {
        /// Samples per frame at the input rate.
        expected: usize,
        /// Samples passed.
        got: usize,
    },
    /// libopus reported an error.
    #[error("opus: {0}")]
    Opus(#[from] opus::Error),
}

/// A mono Opus encoder with a reusable output buffer.
pub struct OpusEncoder {
    enc: opus::Encoder,
    rate: u32,
    out: Box<[u8; MAX_PACKET]>,
}

impl std::fmt::Debug for OpusEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusEncoder")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl OpusEncoder {
    /// An encoder for mono PCM16 at `rate_hz` (8/12/16/24/48 kHz), `bitrate_bps` bit/s, tuned for
    /// speech (VoIP application, in-band FEC off, DTX off so the track keeps flowing).
    pub fn new(rate_hz: u32, bitrate_bps: u32) -> Result<Self, AudioError> {
        if ![8000, 12000, 16000, 24000, 48000].contains(&rate_hz) {
            return Err(AudioError::Rate(rate_hz));
        }
        let mut enc = opus::Encoder::new(rate_hz, opus::Channels::Mono, opus::Application::Voip)?;
        enc.set_bitrate(opus::Bitrate::Bits(
            i32::try_from(bitrate_bps).unwrap_or(i32::MAX),
        ))?;
        Ok(Self {
            enc,
            rate: rate_hz,
            out: Box::new([0; MAX_PACKET]),
        })
    }

    /// Samples per 20 ms frame at the input rate.
    pub fn frame_samples(&self) -> usize {
        (self.rate / 50) as usize
    }

    /// The input rate, in Hz.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Encodes exactly one 20 ms frame; returns the Opus packet (borrowed from the encoder).
    pub fn encode(&mut self, frame: &[i16]) -> Result<&[u8], AudioError> {
        let expected = self.frame_samples();
        if frame.len() != expected {
            return Err(AudioError::FrameLength {
                expected,
                got: frame.len(),
            });
        }
        let n = self.enc.encode(frame, &mut self.out[..])?;
        Ok(self.out.get(..n).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snr_db_best_lag(reference: &[i16], decoded: &[i16], max_lag: usize) -> f64 {
        let mut best = f64::MIN;
        for lag in 0..max_lag {
            let (mut sig, mut err) = (0.0f64, 0.0f64);
            for (i, &r) in reference.iter().enumerate().skip(2400).take(12000) {
                let d = f64::from(decoded[i + lag]);
                let r = f64::from(r);
                sig += r * r;
                err += (r - d) * (r - d);
            }
            best = best.max(10.0 * (sig / err.max(1e-9)).log10());
        }
        best
    }

    #[test]
    fn opus_round_trip_at_24k() {
        let mut enc = OpusEncoder::new(24_000, 32_000).unwrap();
        let mut dec = opus::Decoder::new(24_000, opus::Channels::Mono).unwrap();
        let n = 24_000;
        let pcm: Vec<i16> = (0..n)
            .map(|i| {
                let t = i as f64 / 24_000.0;
                let s = 0.4 * (std::f64::consts::TAU * 300.0 * t).sin()
                    + 0.2 * (std::f64::consts::TAU * 1250.0 * t).sin();
                (s * 32767.0) as i16
            })
            .collect();
        let mut decoded = Vec::new();
        let mut bytes = 0;
        for frame in pcm.chunks_exact(enc.frame_samples()) {
            let packet = enc.encode(frame).unwrap().to_vec();
            bytes += packet.len();
            let mut out = [0i16; 480];
            let got = dec.decode(&packet, &mut out, false).unwrap();
            assert_eq!(got, 480);
            decoded.extend_from_slice(&out);
        }
        let kbps = bytes as f64 * 8.0 / 1000.0;
        assert!((16.0..48.0).contains(&kbps), "{kbps} kbit/s");
        let snr = snr_db_best_lag(&pcm, &decoded, 600);
        assert!(snr > 10.0, "SNR {snr:.1} dB");
    }

    #[test]
    fn rejects_bad_rates_and_lengths() {
        assert!(matches!(
            OpusEncoder::new(44_100, 32_000),
            Err(AudioError::Rate(44_100))
        ));
        let mut enc = OpusEncoder::new(48_000, 32_000).unwrap();
        assert_eq!(enc.frame_samples(), 960);
        assert!(matches!(
            enc.encode(&[0; 480]),
            Err(AudioError::FrameLength {
                expected: 960,
                got: 480
            })
        ));
    }
}
