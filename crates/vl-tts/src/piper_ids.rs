//! Piper voice configuration (`<voice>.onnx.json`) and phonemes → model input IDs.
//!
//! Piper's input for one sentence is `^`, pad, then every IPA character followed by the pad `_`,
//! then `$`. Words are separated by `' '`; clause punctuation (`, . ? ! ; :`) is put back after
//! each clause (Debian's espeak-ng 1.51 does not report it) and clauses are separated by a space,
//! as Piper's own phonemizer does. Characters missing from the voice's `phoneme_id_map` are
//! skipped. Every ID is tagged with the [`Unit`] it belongs to, so that the model's per-ID
//! durations add up to per-unit durations.

use std::collections::HashMap;

use serde::Deserialize;

use crate::TtsError;
use crate::espeak::PhonemizedSentence;
use crate::timing::Unit;

/// Synthesis parameters from the voice config's `inference` section.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct InferenceParams {
    /// VITS noise scale (default 0.667).
    #[serde(default = "default_noise")]
    pub noise_scale: f32,
    /// Phoneme length multiplier (1.0 = the voice's natural speed; larger = slower).
    #[serde(default = "default_length")]
    pub length_scale: f32,
    /// Duration-predictor noise (default 0.8).
    #[serde(default = "default_noise_w")]
    pub noise_w: f32,
}

fn default_noise() -> f32 {
    0.667
}
fn default_length() -> f32 {
    1.0
}
fn default_noise_w() -> f32 {
    0.8
}

impl Default for InferenceParams {
    fn default() -> Self {
        Self {
            noise_scale: default_noise(),
            length_scale: default_length(),
            noise_w: default_noise_w(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct AudioSection {
    sample_rate: u32,
}

#[derive(Debug, Deserialize)]
struct EspeakSection {
    voice: String,
}

#[derive(Debug, Deserialize)]
struct RawConfig {
    audio: AudioSection,
    espeak: EspeakSection,
    #[serde(default)]
    inference: InferenceParams,
    #[serde(default)]
    num_speakers: u32,
    phoneme_id_map: HashMap<String, Vec<i64>>,
}

/// A Piper voice configuration.
#[derive(Debug, Clone)]
pub struct PiperConfig {
    /// Output sample rate, Hz (22 050 for `medium` voices).
    pub sample_rate: u32,
    /// The espeak-ng voice that phonemizes for this model (e.g. `en-us`).
    pub espeak_voice: String,
    /// Default synthesis parameters.
    pub inference: InferenceParams,
    /// Number of speakers (a `sid` input is needed when > 1).
    pub num_speakers: u32,
    map: HashMap<char, Vec<i64>>,
}

/// Model input IDs of a sentence, each tagged with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct PiperInput {
    /// The IDs (`input[1, N]`).
    pub ids: Vec<i64>,
    /// `unit_of[k]` is the index in [`PiperInput::units`] of the unit ID `k` belongs to.
    pub unit_of: Vec<usize>,
    /// The sentence's timing units.
    pub units: Vec<Unit>,
}

impl PiperInput {
    /// Sums per-ID durations (samples) into per-unit durations. Missing values count as 0.
    pub fn unit_durations(&self, id_samples: &[u64]) -> Vec<u64> {
        let mut out = vec![0u64; self.units.len()];
        for (k, unit) in self.unit_of.iter().enumerate() {
            if let Some(d) = out.get_mut(*unit) {
                *d += id_samples.get(k).copied().unwrap_or(0);
            }
        }
        out
    }
}

impl PiperConfig {
    /// Parses a voice config JSON text; `path` names it in errors.
    pub fn from_json(json: &str, path: &str) -> Result<Self, TtsError> {
        let raw: RawConfig = serde_json::from_str(json).map_err(|e| TtsError::VoiceConfig {
            path: path.into(),
            message: e.to_string(),
        })?;
        let mut map = HashMap::new();
        for (k, v) in raw.phoneme_id_map {
            let mut chars = k.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                map.insert(c, v);
            }
        }
        for needed in ['^', '_', '$', ' '] {
            if !map.contains_key(&needed) {
                return Err(TtsError::VoiceConfig {
                    path: path.into(),
                    message: format!("phoneme_id_map has no `{needed}`"),
                });
            }
        }
        Ok(Self {
            sample_rate: raw.audio.sample_rate,
            espeak_voice: raw.espeak.voice,
            inference: raw.inference,
            num_speakers: raw.num_speakers,
            map,
        })
    }

    /// Reads and parses a voice config file.
    pub fn load(path: &std::path::Path) -> Result<Self, TtsError> {
        let text = std::fs::read_to_string(path).map_err(|e| TtsError::VoiceConfig {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// The model input for a phonemized sentence.
    pub fn input(&self, sentence: &PhonemizedSentence) -> PiperInput {
        let mut b = Builder {
            cfg: self,
            out: PiperInput {
                ids: Vec::new(),
                unit_of: Vec::new(),
                units: Vec::new(),
            },
        };
        let pause = b.unit(Unit::Pause);
        b.symbol('^', pause);
        for (c, clause) in sentence.clauses.iter().enumerate() {
            if c > 0 {
                let gap = b.unit(Unit::WordGap);
                b.symbol(' ', gap);
            }
            for (w, word) in clause.words.iter().enumerate() {
                if w > 0 {
                    let gap = b.unit(Unit::WordGap);
                    b.symbol(' ', gap);
                }
                for (name, word) in word {
                    let u = b.unit(Unit::Phone {
                        name: name.clone(),
                        word: *word,
                    });
                    for ch in name.chars() {
                        b.symbol(ch, u);
                    }
                }
            }
            if let Some(t) = clause.terminator {
                let p = b.unit(Unit::Pause);
                b.symbol(t, p);
            }
        }
        let end = b.unit(Unit::Pause);
        // `$` takes no pad after it.
        if let Some(ids) = self.map.get(&'$') {
            for id in ids {
                b.out.ids.push(*id);
                b.out.unit_of.push(end);
            }
        }
        b.out
    }
}

struct Builder<'a> {
    cfg: &'a PiperConfig,
    out: PiperInput,
}

impl Builder<'_> {
    fn unit(&mut self, unit: Unit) -> usize {
        self.out.units.push(unit);
        self.out.units.len() - 1
    }

    /// Pushes a symbol's IDs and a pad, all tagged with `unit`; unknown symbols are skipped.
    fn symbol(&mut self, c: char, unit: usize) {
        let (Some(ids), Some(pad)) = (self.cfg.map.get(&c), self.cfg.map.get(&'_')) else {
            return;
        };
        for id in ids.iter().chain(pad) {
            self.out.ids.push(*id);
            self.out.unit_of.push(unit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::espeak::PhonemizedClause;

    const JSON: &str = r#"{"audio":{"sample_rate":22050},"espeak":{"voice":"en-us"},
        "inference":{"noise_scale":0.667,"length_scale":1,"noise_w":0.8},"num_speakers":1,
        "phoneme_id_map":{"_":[0],"^":[1],"$":[2]," ":[3],",":[8],".":[10],"h":[20],"ˈ":[120],
        "a":[14],"ɪ":[74],"j":[22],"u":[33],"ː":[122]}}"#;

    fn hi_you() -> PhonemizedSentence {
        PhonemizedSentence {
            words: vec!["Hi".into(), "you".into()],
            clauses: vec![
                PhonemizedClause {
                    words: vec![vec![("h".into(), 0), ("ˈaɪ".into(), 0)]],
                    terminator: Some(','),
                },
                PhonemizedClause {
                    words: vec![vec![("j".into(), 1), ("uː".into(), 1), ("☃".into(), 1)]],
                    terminator: Some('.'),
                },
            ],
        }
    }

    #[test]
    fn ids_follow_pipers_layout() {
        let cfg = PiperConfig::from_json(JSON, "test").unwrap();
        assert_eq!(cfg.sample_rate, 22_050);
        assert_eq!(cfg.espeak_voice, "en-us");
        let input = cfg.input(&hi_you());
        // ^ _ h _ ˈ _ a _ ɪ _ , _ ' ' _ j _ u _ ː _ . _ $   (☃ is not in the map)
        assert_eq!(
            input.ids,
            vec![
                1, 0, 20, 0, 120, 0, 14, 0, 74, 0, 8, 0, 3, 0, 22, 0, 33, 0, 122, 0, 10, 0, 2
            ]
        );
        assert_eq!(input.units.len(), 10);
        assert_eq!(input.unit_of.len(), input.ids.len());
        // Units: Pause h ˈaɪ Pause(,) Gap j uː ☃ Pause(.) Pause($)
        assert_eq!(&input.unit_of[..4], &[0, 0, 1, 1]);
        assert_eq!(&input.unit_of[4..10], &[2; 6]);
        assert_eq!(input.unit_of.last(), Some(&9));
    }

    #[test]
    fn id_durations_sum_per_unit() {
        let cfg = PiperConfig::from_json(JSON, "test").unwrap();
        let input = cfg.input(&hi_you());
        let per_id: Vec<u64> = (0..input.ids.len() as u64).map(|k| k * 256).collect();
        let per_unit = input.unit_durations(&per_id);
        assert_eq!(per_unit.iter().sum::<u64>(), per_id.iter().sum::<u64>());
        assert_eq!(per_unit[0], 256); // ^ (0) + its pad (256)
        assert_eq!(
            per_unit[7], 0,
            "a phoneme with no known symbol gets no time"
        );
    }

    #[test]
    fn config_errors_are_reported() {
        assert!(matches!(
            PiperConfig::from_json("{}", "x.json"),
            Err(TtsError::VoiceConfig { .. })
        ));
        let no_pad = JSON.replace(r#""_":[0],"#, "");
        let err = PiperConfig::from_json(&no_pad, "x.json").unwrap_err();
        assert!(err.to_string().contains("`_`"), "{err}");
    }
}
