//! Semantic end of turn on real recorded speech (Debian `asterisk-core-sounds-en-wav`, 8 kHz →
//! 16 kHz) with the prompts' own transcripts (`core-sounds-en.txt`), and the labelled
//! complete/incomplete set `eou_set.tsv`.

use std::path::Path;

use vl_vad::{
    FRAME_SAMPLES, Language, SemanticConfig, ServerVadConfig, ThresholdLevel, TurnEvent,
    UtteranceKind, Vad, classify_utterance, text_completeness,
};

const PROMPTS: &str = "/usr/share/asterisk/sounds/en";

/// An asterisk prompt (8 kHz PCM16 WAV) upsampled ×2 to 16 kHz (linear interpolation).
fn prompt(name: &str) -> Vec<f32> {
    let path = Path::new(PROMPTS).join(format!("{name}.wav"));
    let mut r = hound::WavReader::open(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (apt-get install asterisk-core-sounds-en-wav)",
            path.display()
        )
    });
    assert_eq!(r.spec().sample_rate, 8000);
    let x: Vec<f32> = r
        .samples::<i16>()
        .map(|s| f32::from(s.expect("PCM16 sample")) / 32768.0)
        .collect();
    (0..x.len() * 2)
        .map(|i| {
            let a = x[i / 2];
            let b = x.get(i / 2 + 1).copied().unwrap_or(a);
            if i % 2 == 0 { a } else { 0.5 * (a + b) }
        })
        .collect()
}

/// The transcript of a prompt from the package's index.
fn transcript(name: &str) -> String {
    let index = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";
    let out = std::process::Command::new("zcat")
        .arg(index)
        .output()
        .expect("zcat runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("{name} not in {index}"))
        .trim()
        .to_string()
}

fn silence(ms: usize) -> Vec<f32> {
    vec![0.0; ms * 16]
}

/// Runs `audio` through `vad`, calling `partials(frame_index)` for a transcript to set; returns
/// (frame index of the event, event).
fn run(
    vad: &mut Vad,
    audio: &[f32],
    mut partials: impl FnMut(usize) -> Option<String>,
) -> Vec<(usize, TurnEvent)> {
    let mut events = Vec::new();
    for (i, f) in audio.chunks_exact(FRAME_SAMPLES).enumerate() {
        if let Some(t) = partials(i) {
            vad.set_transcript(&t);
        }
        if let Some(e) = vad.process_frame(f).expect("160-sample frame") {
            events.push((i, e));
        }
    }
    events
}

fn frames(samples: usize) -> usize {
    samples / FRAME_SAMPLES
}

#[test]
fn mid_sentence_pause_keeps_the_turn_open() {
    // "Press 1 for" … 800 ms … "family": the user pauses after a preposition.
    let (a, b) = (prompt("vm-onefor"), prompt("vm-Family"));
    let (ta, tb) = (transcript("vm-onefor"), transcript("vm-Family"));
    assert_eq!(ta, "Press 1 for");
    let mut audio = silence(500);
    audio.extend(&a);
    let pause_start = frames(audio.len());
    audio.extend(silence(800));
    let second = frames(audio.len());
    audio.extend(&b);
    let end = frames(audio.len());
    audio.extend(silence(2500));

    // server_vad: the pause ends the turn (two turns).
    let mut plain = Vad::new(ServerVadConfig::default(), 16_000).unwrap();
    let ev = run(&mut plain, &audio, |_| None);
    assert_eq!(ev.len(), 4, "server_vad: {ev:?}");

    // Semantic: the ASR's partial at the pause is the fragment; the turn stays open.
    let mut vad = Vad::new(ServerVadConfig::default(), 16_000).unwrap();
    vad.set_semantic(Some(SemanticConfig::azure(
        500,
        ThresholdLevel::Default,
        1000,
    )));
    let full = format!("{ta} {}.", tb.to_lowercase());
    let ev = run(&mut vad, &audio, |i| {
        // Partials arrive ~150 ms after the words (ASR latency).
        (i == pause_start + 15)
            .then(|| ta.clone())
            .or_else(|| (i == end + 15).then(|| full.clone()))
            .or_else(|| (i == second + 20).then(|| format!("{ta} fa")))
    });
    assert_eq!(ev.len(), 2, "semantic: {ev:?}");
    assert!(matches!(ev[0].1, TurnEvent::SpeechStarted { .. }));
    let TurnEvent::SpeechStopped { audio_end_ms } = ev[1].1 else {
        panic!("{ev:?}");
    };
    // The turn covers both fragments.
    assert!(
        audio_end_ms as usize >= end * 10 - 200,
        "{audio_end_ms} vs {}",
        end * 10
    );
}

#[test]
fn question_ends_faster_than_silence_duration_statement_does_not() {
    // A question ends the turn faster than server_vad; a declarative sentence waits for the
    // statement floor (the full 500 ms: a speaker may go on with another sentence after a
    // pause of up to 400 ms), i.e. exactly as server_vad.
    let latency = |name: &str, semantic: bool| {
        let a = prompt(name);
        let ta = transcript(name);
        let mut audio = silence(500);
        audio.extend(&a);
        audio.extend(silence(2000));
        let mut vad = Vad::new(ServerVadConfig::default(), 16_000).unwrap();
        if semantic {
            vad.set_semantic(Some(SemanticConfig::azure(
                500,
                ThresholdLevel::Default,
                1000,
            )));
        }
        let speech_end = frames(500 * 16 + a.len());
        let ev = run(&mut vad, &audio, |i| (i == speech_end).then(|| ta.clone()));
        let (frame, TurnEvent::SpeechStopped { audio_end_ms }) = ev[1] else {
            panic!("{name}: {ev:?}");
        };
        (frame as u64 + 1) * 10 - audio_end_ms
    };
    assert_eq!(transcript("vm-changeto"), "Change to which folder?");
    assert_eq!(latency("please-try-again", false), 500);
    let question = latency("vm-changeto", true);
    assert!(
        question <= 350,
        "question: end-of-turn latency {question} ms"
    );
    let statement = latency("please-try-again", true);
    assert!(
        (500..=550).contains(&statement),
        "statement: end-of-turn latency {statement} ms"
    );
}

#[test]
fn pause_between_two_sentences_keeps_the_turn() {
    // "Please try again." … 390 ms … "That conference is full.": the protocol's intra-turn
    // pauses go up to 400 ms; the first sentence's transcript (a full stop) arrives during the
    // pause and must not end the turn.
    let (a, b) = (prompt("please-try-again"), prompt("conf-full"));
    let (ta, tb) = (transcript("please-try-again"), transcript("conf-full"));
    let mut audio = silence(500);
    audio.extend(&a);
    let pause_start = frames(audio.len());
    audio.extend(silence(390));
    audio.extend(&b);
    let end = frames(audio.len());
    audio.extend(silence(2000));
    let mut vad = Vad::new(ServerVadConfig::default(), 16_000).unwrap();
    vad.set_semantic(Some(SemanticConfig::azure(
        500,
        ThresholdLevel::Default,
        1000,
    )));
    let full = format!("{ta} {tb}");
    let ev = run(&mut vad, &audio, |i| {
        (i == pause_start + 20)
            .then(|| ta.clone())
            .or_else(|| (i == end + 20).then(|| full.clone()))
    });
    assert_eq!(ev.len(), 2, "{ev:?}");
    let TurnEvent::SpeechStopped { audio_end_ms } = ev[1].1 else {
        panic!("{ev:?}");
    };
    assert!(audio_end_ms as usize >= end * 10 - 200, "{audio_end_ms}");
}

#[test]
fn pitch_tracker_on_a_real_voice() {
    // Allison Smith (the English prompts): a female voice; her mean f0 must come out in the
    // female range on every prompt, and the features must exist.
    for name in [
        "please-try-again",
        "vm-goodbye",
        "auth-thankyou",
        "conf-full",
    ] {
        let audio = prompt(name);
        let mut vad = Vad::new(ServerVadConfig::default(), 16_000).unwrap();
        vad.set_semantic(Some(SemanticConfig::azure(
            500,
            ThresholdLevel::Default,
            1000,
        )));
        let mut best = None;
        for f in audio.chunks_exact(FRAME_SAMPLES) {
            vad.process_frame(f).unwrap();
            best = vad.end_of_turn_score().or(best);
        }
        let p = best.unwrap().prosody;
        let hz = p.mean_pitch_hz.unwrap_or(0.0);
        assert!((150.0..260.0).contains(&hz), "{name}: mean pitch {hz} Hz");
        assert!(
            p.final_pitch_st.is_some() && p.final_energy_db.is_some(),
            "{name}: {p:?}"
        );
    }
}

#[test]
fn asterisk_transcripts() {
    // Real prompt texts: full sentences are finished, fragments recorded for concatenation
    // that end in "..." or a function word are not.
    let en = [Language::En];
    for name in [
        "auth-thankyou",
        "please-try-again",
        "conf-full",
        "cannot-complete-as-dialed",
        "all-circuits-busy-now",
        "check-number-dial-again",
        "vm-goodbye",
    ] {
        let t = transcript(name);
        assert!(text_completeness(&t, &en) > 0.6, "{name}: {t:?}");
    }
    for name in [
        "at-tone-time-exactly",
        "vm-onefor",
        "vm-and",
        "vm-for",
        "vm-from",
    ] {
        let t = transcript(name);
        assert!(text_completeness(&t, &en) < 0.2, "{name}: {t:?}");
    }
}

#[test]
fn labelled_set_rates() {
    // tests/it/eou_set.tsv: language, label (1 = finished), text. Written by hand, not from any
    // evaluation data.
    let set = include_str!("eou_set.tsv");
    let (mut ok, mut n) = ([0u32; 2], [0u32; 2]);
    for line in set
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.splitn(3, '\t');
        let (lang, label, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let lang = Language::from_bcp47(lang).unwrap();
        let finished = label == "1";
        let c = text_completeness(text, &[lang]);
        n[usize::from(finished)] += 1;
        if (c > 0.5) == finished {
            ok[usize::from(finished)] += 1;
        } else {
            eprintln!("misjudged ({lang:?}, finished {finished}, score {c:.2}): {text}");
        }
    }
    let rate = |k: usize| f64::from(ok[k]) / f64::from(n[k]);
    eprintln!(
        "incomplete {}/{} ({:.3}), complete {}/{} ({:.3})",
        ok[0],
        n[0],
        rate(0),
        ok[1],
        n[1],
        rate(1)
    );
    assert!(n[0] >= 40 && n[1] >= 40, "{n:?}");
    assert!(
        rate(0) >= 0.85,
        "incomplete judged correctly: {:.3}",
        rate(0)
    );
    assert!(rate(1) >= 0.85, "complete judged correctly: {:.3}", rate(1));
}

#[test]
fn filler_words_in_supported_languages() {
    for (text, kind) in [
        ("um", UtteranceKind::Filler),
        ("mm-hm", UtteranceKind::Backchannel),
        ("hmm", UtteranceKind::Filler),
        ("uh-huh", UtteranceKind::Backchannel),
        ("eh", UtteranceKind::Filler),
        ("euh", UtteranceKind::Filler),
        ("ähm", UtteranceKind::Filler),
        ("ehm", UtteranceKind::Filler),
        ("hã", UtteranceKind::Filler),
        ("呃", UtteranceKind::Filler),
        ("えーと", UtteranceKind::Filler),
        ("uhum", UtteranceKind::Backchannel),
        ("d'accord", UtteranceKind::Backchannel),
        ("I need help", UtteranceKind::Speech),
    ] {
        assert_eq!(classify_utterance(text, &[]), kind, "{text:?}");
    }
}

/// Noise of a `shared/data/noise` scene (`mixture − clean`), 16 kHz.
fn scene_noise(scene: &str) -> Vec<f32> {
    let dir = crate::data::data_dir().join("noise");
    let clean = crate::data::read_wav(&dir.join(format!("{scene}_clean.wav")));
    let mix = crate::data::read_wav(&dir.join(format!("{scene}_mixture.wav")));
    mix.iter().zip(&clean).map(|(m, c)| m - c).collect()
}

/// Barge-in while the assistant speaks: returns the first non-`Wait` decision for `audio`
/// with the transcript `text` available from the start of speech.
fn barge(audio: &[f32], text: &str) -> vl_vad::BargeIn {
    let config = ServerVadConfig::default().with_speech_duration_assistant_speaking_ms(Some(400));
    let mut vad = Vad::new(config, 16_000).expect("16 kHz");
    vad.detector_mut().set_assistant_speaking(true);
    let mut started = false;
    for f in audio.chunks_exact(FRAME_SAMPLES) {
        if let Some(TurnEvent::SpeechStarted { .. }) =
            vad.process_frame(f).expect("160-sample frame")
        {
            started = true;
        }
        if started && vad.detector().in_turn() {
            let d = vl_vad::barge_in(
                text,
                &[Language::En],
                vad.turn_speech_ms(),
                vad.turn_voiced_ms(),
                400,
                true,
            );
            if d != vl_vad::BargeIn::Wait {
                return d;
            }
        }
    }
    vl_vad::BargeIn::Wait
}

#[test]
fn barge_in_on_real_speech_not_on_noise_bursts_or_backchannels() {
    // Real speech with its transcript interrupts.
    let mut audio = silence(1000);
    audio.extend(prompt("please-try-again"));
    audio.extend(silence(1000));
    assert_eq!(
        barge(&audio, &transcript("please-try-again")),
        vl_vad::BargeIn::Interrupt
    );
    // A backchannel does not (the VAD hears speech; the words are "uh-huh").
    assert_eq!(barge(&audio, "Uh-huh."), vl_vad::BargeIn::Ignore);
    // Bursts of real non-speech noise (1 s of each scene, loud, after silence) never interrupt,
    // even when the ASR hallucinates a word for them. (The pub, restaurant and airport scenes
    // hold background voices, which are speech.)
    for scene in ["office", "street", "car", "rain", "subway", "train"] {
        let noise = scene_noise(scene);
        let burst = &noise[16_000..32_000];
        let peak = burst.iter().fold(0.0_f32, |m, x| m.max(x.abs())).max(1e-6);
        let mut audio = silence(1000);
        audio.extend(burst.iter().map(|x| 0.5 * x / peak));
        audio.extend(silence(1000));
        for text in ["", "You"].into_iter().rev() {
            let d = barge(&audio, text);
            assert_ne!(d, vl_vad::BargeIn::Interrupt, "{scene} with {text:?}");
        }
    }
}
