#!/usr/bin/env python3
"""The Python front end QwenAudio's `qwen-audio bench --audio` is compared with: load + resample to 16 kHz mono,
then transformers' WhisperFeatureExtractor as Qwen2AudioProcessor calls it (128 bins, torch STFT path).

Loaders: librosa.load(sr=16000) (soundfile/soxr, the usual path in Qwen2-Audio's examples) and the ffmpeg
command line piping f32le (openai-whisper's load_audio). One torch thread, median of --iterations after a warm-up.

    /tmp/venv/bin/python Tools/bench_python_frontend.py FILE [FILE ...] [--iterations 10]
"""
import argparse
import statistics
import subprocess
import time

import librosa
import numpy as np
import torch
from transformers import WhisperFeatureExtractor


def load_ffmpeg(path):
    out = subprocess.run(["ffmpeg", "-nostdin", "-i", path, "-f", "f32le", "-ac", "1", "-ar", "16000", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, np.float32)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    fe = WhisperFeatureExtractor(feature_size=128, sampling_rate=16000, hop_length=160, n_fft=400, chunk_length=30)
    loaders = {"librosa": lambda p: librosa.load(p, sr=16000, mono=True)[0], "ffmpeg-cli": load_ffmpeg}
    print(f"{'file':32} {'loader':10} {'load ms':>9} {'log-mel ms':>10} {'total ms':>9}")
    for path in args.files:
        for name, load in loaders.items():
            load(path)
            loads, mels = [], []
            for _ in range(args.iterations):
                t0 = time.perf_counter()
                audio = load(path)
                t1 = time.perf_counter()
                fe([audio], sampling_rate=16000, return_attention_mask=True, padding="max_length", return_tensors="np")
                t2 = time.perf_counter()
                loads.append((t1 - t0) * 1e3)
                mels.append((t2 - t1) * 1e3)
            load_ms, mel_ms = statistics.median(loads), statistics.median(mels)
            print(f"{path.split('/')[-1]:32} {name:10} {load_ms:9.2f} {mel_ms:10.2f} {load_ms + mel_ms:9.2f}")


if __name__ == "__main__":
    main()
