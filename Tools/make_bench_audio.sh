#!/usr/bin/env bash
# The 30 s inputs of the front-end benchmark (not committed: a few MB). Needs espeak-ng, sox, ffmpeg.
#   Tools/make_bench_audio.sh /tmp/qwen-audio-bench
#   .build/release/qwen-audio bench --audio /tmp/qwen-audio-bench/speech30.wav --audio …
#   /tmp/venv/bin/python Tools/bench_python_frontend.py /tmp/qwen-audio-bench/*.{wav,mp3}
set -euo pipefail
out=${1:-/tmp/qwen-audio-bench}
mkdir -p "$out"
espeak-ng -w "$out/sentence.wav" "The quick brown fox jumps over the lazy dog. Please call Stella and ask her to bring these things with her from the store."
sox "$out/sentence.wav" -r 16000 "$out/sentence16.wav"
# Speech as a voice client sends it: 16 kHz mono PCM, and MP3 at 22.05 kHz mono 64 kb/s.
sox "$out/sentence16.wav" "$out/speech30.wav" repeat 10 trim 0 30
ffmpeg -loglevel error -y -i "$out/speech30.wav" -ar 22050 -b:a 64k "$out/speech30.mp3"
# Music-like: 44.1 kHz stereo MP3 at 128 kb/s (the heaviest common decode).
sox -n -r 44100 -c 2 "$out/music30.wav" synth 30 pinknoise vol 0.2
ffmpeg -loglevel error -y -i "$out/music30.wav" -b:a 128k "$out/music30_44k_stereo.mp3"
rm "$out/music30.wav" "$out/sentence.wav" "$out/sentence16.wav"
ls -l "$out"
