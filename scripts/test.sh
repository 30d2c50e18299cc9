#!/usr/bin/env bash
# Everything the tests need on a fresh Debian 12 machine with Swift 6.3, then the tests: Swift unit and parity
# tests, and the end-to-end suite (the built server driven by the official dashscope and openai SDKs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The real Qwen tokenizer files (11 MB, not committed), derived from the dashscope wheel on PyPI.
python3 Tools/make_tokenizer_files.py .cache/tokenizer
python3 -m pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements.txt
swift build
swift test
python3 -m pytest -q Tests/e2e
# The same native-protocol suite with the dashscope 1.x SDK, in its own virtual environment.
[ -x .cache/venv-dashscope1/bin/python ] || python3 -m venv .cache/venv-dashscope1
.cache/venv-dashscope1/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements-dashscope1.txt
.cache/venv-dashscope1/bin/python -m pytest -q Tests/e2e/test_dashscope.py
