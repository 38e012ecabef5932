//! Speech detection and turn detection for realtime speech audio.
//!
//! A frame classifier turns 16 kHz audio into speech probabilities and a turn detector turns those
//! into speech-started / speech-stopped decisions. Time is counted in samples, never read from a
//! clock. The classifier lands with the vl-engine and vl-vad issues; until then this crate is empty.
