#!/usr/bin/env python3
"""Reference log-mel features for the Swift feature extractor tests.

Writes into Tests/QwenAudioFeaturesTests/Fixtures/ (or the directory given as argv[1]):

  <clip>.pcm.f32           input: 16 kHz mono float32, raw little-endian, no header
  <clip>.mel128.f32        transformers WhisperFeatureExtractor output as Qwen2-Audio configures it
  <clip>.mel80.f32         same with feature_size=80 (Whisper v1/v2)
                           both float32 little-endian, row-major [bins, F]: the first F frames of [bins, 3000]
  reference.json           per clip and bin count: F, L_mel, floor value, max, token count; a token-count
                           table; the library versions and which STFT path ran.

Frames F..2999 are not stored: the script asserts that every one of them equals the floor value
(log10_max - 8 + 4) / 4, i.e. max_value - 2 (the array minimum). If that ever fails, all 3000 frames are stored.

Needs: numpy, torch (CPU is fine), transformers, espeak-ng and sox on PATH. Deterministic.
Usage: /tmp/venv/bin/python Tools/make_mel_reference.py [OUT_DIR]
"""
import json
import math
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np
import torch
import transformers
from transformers import WhisperFeatureExtractor
from transformers.utils import is_torch_available

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "QwenAudioFeaturesTests", "Fixtures")
SR = 16000
N_SAMPLES = 480000
N_FRAMES = 3000
EXTRA_FRAMES = 8  # frames stored past L_mel
SPEECH_TEXT = "Please call Stella and ask her to bring these things."


def make_extractor(bins):
    # Exactly the Qwen2-Audio preprocessor_config.json (feature_size 128); 80 for Whisper v1/v2.
    return WhisperFeatureExtractor(feature_size=bins, sampling_rate=SR, hop_length=160, n_fft=400,
                                   chunk_length=30, padding_value=0.0, return_attention_mask=True, dither=0.0)


# --- which STFT path runs -------------------------------------------------------------------------
PATHS_USED = set()


def _spy(fe):
    for name in ("_torch_extract_fbank_features", "_np_extract_fbank_features"):
        orig = getattr(fe, name)

        def wrapped(*a, _orig=orig, _name=name, **k):
            PATHS_USED.add(_name)
            return _orig(*a, **k)

        setattr(fe, name, wrapped)
    return fe


def extract(fe, audio):
    """Call the extractor the way Qwen2AudioProcessor._process_audio does (a batch of one)."""
    out = fe([audio], sampling_rate=SR, return_attention_mask=True, padding="max_length", return_tensors="np")
    feats = np.asarray(out["input_features"][0], dtype=np.float32)
    mask = np.asarray(out["attention_mask"][0])
    assert feats.shape == (fe.feature_size, N_FRAMES), feats.shape
    assert mask.shape == (N_FRAMES,), mask.shape
    # the unbatched call must give the very same array
    out1 = fe(audio, sampling_rate=SR, return_attention_mask=True, padding="max_length", return_tensors="np")
    assert np.array_equal(out1["input_features"][0], feats)
    assert np.array_equal(out1["attention_mask"][0], mask)
    return feats, int(mask.sum())


def tokens_for(l_mel):
    l2 = (l_mel - 1) // 2 + 1
    return l2, (l2 - 2) // 2 + 1  # Python floor division, as in the processor


# --- input clips ----------------------------------------------------------------------------------
def speech_16k():
    with tempfile.TemporaryDirectory() as tmp:
        wav, raw = os.path.join(tmp, "s.wav"), os.path.join(tmp, "s.f32")
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", wav, SPEECH_TEXT], check=True)
        subprocess.run(["sox", "-D", "-R", "-V1", wav, "-t", "f32", "-L", "-c", "1", raw, "rate", "-v", str(SR)],
                       check=True)
        return np.fromfile(raw, dtype="<f4")


def make_clips():
    speech = speech_16k()
    assert len(speech) >= 3 * SR, len(speech)
    s3 = speech[:3 * SR].copy()
    t = np.arange(int(round(0.37 * SR)), dtype=np.float64) / SR
    tone = 0.5 * np.sin(2 * np.pi * 440.0 * t) + 0.01 * np.random.default_rng(1).standard_normal(len(t))
    noise = np.random.default_rng(2).uniform(-0.1, 0.1, SR)
    clips = {
        "speech_3s": (s3, f"espeak-ng -v en-us '{SPEECH_TEXT}', sox rate -v 16000, float32, first 48000 samples"),
        "tone_0p37s": (tone, "0.5*sin(2*pi*440*t) + 0.01*N(0,1) (numpy default_rng(1)), 5920 samples"),
        "noise_1s": (noise, "uniform white noise in [-0.1, 0.1] (numpy default_rng(2)), 16000 samples"),
        "speech_31s": (np.resize(s3, 31 * SR),
                       "speech_3s looped: x[i] = speech_3s[i % 48000], 496000 samples (31.0 s; the extractor keeps 480000)"),
        "short_1p37s": (s3[:21920], "speech_3s[0:21920] (1.37 s)"),
        "tiny_0p01s": (s3[8000:8160], "speech_3s[8000:8160] (160 samples, 0.01 s)"),
    }
    return {k: (np.ascontiguousarray(v, dtype=np.float32), d) for k, (v, d) in clips.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)  # deterministic reductions
    extractors = {bins: _spy(make_extractor(bins)) for bins in (128, 80)}
    clips = make_clips()

    ref = {
        "generator": "Tools/make_mel_reference.py",
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__,
                     "numpy": np.__version__, "python": platform.python_version()},
        "extractor_config": {"feature_size": [128, 80], "sampling_rate": SR, "hop_length": 160, "n_fft": 400,
                             "chunk_length": 30, "n_samples": N_SAMPLES, "nb_max_frames": N_FRAMES,
                             "padding_value": 0.0, "dither": 0.0, "return_attention_mask": True},
        "call": 'fe([audio], sampling_rate=16000, return_attention_mask=True, padding="max_length", '
                'return_tensors="np")  (as Qwen2AudioProcessor._process_audio)',
        "file_format": "<clip>.pcm.f32: float32 LE samples. <clip>.mel<bins>.f32: float32 LE, row-major "
                       "[bins, frames_stored]; frames frames_stored..2999 all equal floor_value "
                       "(asserted), in every bin. floor_value = (log10max - 8 + 4)/4 = max_value - 2 (up to "
                       "float32 rounding) = the array minimum.",
        "clips": {},
    }

    for name, (audio, desc) in clips.items():
        # speech_31s is speech_3s tiled; the Swift test rebuilds it, so its samples and its 80-bin
        # reference are not stored (keeps the fixtures small).
        if name != "speech_31s":
            audio.astype("<f4").tofile(os.path.join(OUT, f"{name}.pcm.f32"))
        entry = {"n_samples": int(len(audio)), "description": desc}
        for bins, fe in extractors.items():
            if name == "speech_31s" and bins != 128:
                continue
            feats, l_mel = extract(fe, audio)
            assert l_mel == math.ceil(min(len(audio), N_SAMPLES) / 160), (name, l_mel)
            mx = np.float32(feats.max())
            # floor = (log_max - 8 + 4) / 4 = max - 2 (exact up to float32 rounding); it is the array minimum
            floor = np.float32(feats.min())
            assert abs(float(floor) - (float(mx) - 2.0)) < 1e-5, (name, bins, floor, mx)
            f_keep = min(N_FRAMES, l_mel + EXTRA_FRAMES)
            tail = feats[:, f_keep:]
            floor_ok = bool(np.all(tail == floor))
            if not floor_ok:
                print(f"warning: {name} mel{bins}: frames past {f_keep} are not all the floor; storing 3000")
                f_keep = N_FRAMES
            # how many frames past L_mel still differ from the floor somewhere (window overlap)
            past = feats[:, l_mel:]
            nonfloor = np.nonzero(np.any(past != floor, axis=0))[0]
            last_nonfloor = int(l_mel + nonfloor[-1]) if len(nonfloor) else None
            np.ascontiguousarray(feats[:, :f_keep]).astype("<f4").tofile(os.path.join(OUT, f"{name}.mel{bins}.f32"))
            l2, tok = tokens_for(l_mel)
            # for choosing test tolerances: transformers' numpy (float64) path on the same padded input
            padded = np.zeros((1, N_SAMPLES), dtype=np.float32)
            padded[0, :min(len(audio), N_SAMPLES)] = audio[:N_SAMPLES]
            np_feats = WhisperFeatureExtractor._np_extract_fbank_features(fe, padded, "cpu")[0]
            np_diff = float(np.max(np.abs(np_feats.astype(np.float64) - feats.astype(np.float64))))
            entry[str(bins)] = {
                "file": f"{name}.mel{bins}.f32",
                "shape_stored": [bins, f_keep],
                "frames_stored": f_keep,
                "l_mel": l_mel,
                "floor_value": float(floor),
                "floor_assert_passed": floor_ok,
                "last_non_floor_frame": last_nonfloor,
                "max_value": float(mx),
                "min_value": float(feats.min()),
                "l2": l2,
                "audio_tokens": tok,
                "numpy_path_max_abs_diff": np_diff,
            }
        ref["clips"][name] = entry

    # token-count table
    fe = extractors[128]
    table = []
    for n in [0, 1, 2, 159, 160, 161, 319, 320, 321, 479, 480, 481, 640, 1000, 16000, 21920, 160000, 479999,
              480000, 480001, 1000000]:
        l_mel = math.ceil(min(n, N_SAMPLES) / 160)
        checked = False
        if n >= 1:
            out = fe([np.zeros(n, dtype=np.float32)], sampling_rate=SR, return_attention_mask=True,
                     padding="max_length", return_tensors="np")
            assert int(out["attention_mask"][0].sum()) == l_mel, (n, int(out["attention_mask"][0].sum()), l_mel)
            checked = True
        l2, tok = tokens_for(l_mel)
        table.append({"n_samples": n, "l_mel": l_mel, "l2": l2, "tokens": tok, "checked_against_extractor": checked})
    ref["token_counts"] = table
    ref["token_formula"] = "l_mel = ceil(min(n,480000)/160); l2 = (l_mel-1)//2+1; tokens = (l2-2)//2+1 (floor div)"

    assert PATHS_USED == {"_torch_extract_fbank_features"}, PATHS_USED
    ref["stft_path"] = "torch (_torch_extract_fbank_features: torch.stft, center=True, reflect pad, float32)"
    ref["is_torch_available"] = bool(is_torch_available())

    with open(os.path.join(OUT, "reference.json"), "w") as fh:
        json.dump(ref, fh, indent=2)
        fh.write("\n")

    print(f"transformers {transformers.__version__}, torch {torch.__version__}, numpy {np.__version__}")
    print(f"STFT path used: {sorted(PATHS_USED)} (is_torch_available={is_torch_available()})")
    print(f"{'clip':12} {'n':>7} {'bins':>4} {'L_mel':>5} {'F':>5} {'tok':>4} {'max':>10} {'floor':>10} {'last>floor':>10} {'np_diff':>9}")
    for name, e in ref["clips"].items():
        for bins in ("128", "80"):
            if bins not in e:
                continue
            b = e[bins]
            print(f"{name:12} {e['n_samples']:>7} {bins:>4} {b['l_mel']:>5} {b['frames_stored']:>5} "
                  f"{b['audio_tokens']:>4} {b['max_value']:>10.6f} {b['floor_value']:>10.6f} "
                  f"{str(b['last_non_floor_frame']):>10} {b['numpy_path_max_abs_diff']:>9.2e}")
    print("token counts:", ", ".join(f"{r['n_samples']}->{r['tokens']}" for r in table))


if __name__ == "__main__":
    main()
