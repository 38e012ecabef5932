//! `cargo xtask eval <WHAT>`: quality evaluations that print the same metrics as the anchors in
//! `../shared/docs/audio-dsp.md`.

mod aec;
mod asr;
mod mix;
mod ns;
mod resampler;
mod vad;
mod vad_events;
mod webrtc;

const HELP: &str = "\
cargo xtask eval <WHAT> [args]

Evaluations:
  asr [--models tiny,base] [--max-prompts N] [--threads N] [--no-full] [--out DIR]
                          vl-asr (whisper.cpp) word accuracy (num-normalized WER) and RTF of
                          finals and partials on espeak/flite/Piper speech and the Debian asterisk
                          prompts (real recordings), with backends.md anchors (artifacts/asr)
  aec [--out DIR] [--dump]
                          vl-dsp's echo canceller vs speexdsp MDF and WebRTC AEC3 (sonora) on
                          scripted rooms: ERLE over time (PNG, CSV), re-convergence,
                          double-talk PESQ-WB (default artifacts/aec); --dump writes the
                          scenarios as raw f32
  ns [--out DIR] [--no-dnsmos] [--sets scenes,heldout,tune]
                          vl-dsp's noise suppressor vs RNNoise, speexdsp, WebRTC NS (sonora) and
                          DeepFilterNet3 with the 9 real noises
                          at 0/5/10 dB + clean, on the scenes' speech and held-out asterisk G.722
                          prompts: PESQ-WB, STOI, SI-SDR, DNSMOS, level (artifacts/ns)
  resampler [--out DIR]   vl-codec's resampler on all 56 rate pairs: passband ripple, worst
                          alias/image, THD+N, delay (printed table and DIR/summary.md) and a
                          log-sweep spectrogram PNG per pair (default DIR: artifacts/resampler)
  vad [--no-silero] [--files N] [--data DIR] [--no-events | --events-only]
                          vl-vad's classifiers vs earshot and Silero v6.2 on the TEN set, clean and
                          with real noise at 20/10/5/0 dB: ROC-AUC, TPR at 1/5 % FPR, RTF; then
                          turn detection (server_vad, semantic) on conversations of asterisk
                          prompts in 4 languages with noise/music: onset, end-of-turn, premature
                          ends, fragment pauses held, missed turns, false starts, prefix coverage
  help                    Print this text.
";

/// Dispatches `eval <WHAT> [args]`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let Some((what, rest)) = args.split_first() else {
        return Err(
            "usage: cargo xtask eval <WHAT> [args]; `cargo xtask eval help` lists them".into(),
        );
    };
    match what.as_str() {
        "asr" => asr::run(rest),
        "aec" => aec::run(rest),
        "ns" => ns::run(rest),
        "resampler" => resampler::run(rest),
        "vad" => vad::run(rest),
        "help" | "--help" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!(
            "unknown evaluation `{other}`; `cargo xtask eval help` lists them"
        )),
    }
}
