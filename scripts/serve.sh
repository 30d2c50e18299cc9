#!/usr/bin/env bash
# Builds and runs the server on 127.0.0.1:8000.
#   bash scripts/serve.sh /path/to/Qwen2-Audio-7B-Instruct [serve options…]   # the real model
#   bash scripts/serve.sh                                                      # a tiny RANDOM model
# Without a model directory it serves a tiny randomly initialised Qwen2-Audio (the tests' model, with the real
# tokenizer): every endpoint works, the answers are gibberish. No Qwen2-Audio weights can be downloaded here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ $# -ge 1 ] && [ -d "$1" ]; then
  model=$1
  shift
else
  model=.cache/demo-model
  if [ ! -f "$model/model.safetensors" ]; then
    python3 -m pip install --quiet --disable-pip-version-check numpy
    [ -f .cache/tokenizer/tokenizer.json ] || python3 Tools/make_tokenizer_files.py .cache/tokenizer
    mkdir -p "$model"
    python3 - "$model" <<'PY'
import os, shutil, sys
sys.path.insert(0, "Tools")
import qwen2audio_fixture as fx
out = sys.argv[1]
fx.write_weights(out, "tiny-mha", checksums=False, log=lambda *_: None)
fx.write_model_configs(out, "tiny-mha")
for name in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"):
    shutil.copy(os.path.join(".cache/tokenizer", name), out)
PY
  fi
  echo "serving a tiny RANDOM demo model ($model): answers are meaningless; pass a Qwen2-Audio directory for real ones" >&2
fi
swift build -c release --product qwen-audio
exec .build/release/qwen-audio serve --model "$model" "$@"
