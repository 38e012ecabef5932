//! Audio codecs for realtime speech: ITU-T G.711 μ-law and A-law, PCM16 little-endian
//! conversions, streaming base64 audio decoding and a streaming resampler.
//!
//! The crate knows nothing about the Voice Live protocol and allocates nothing on its hot paths.
