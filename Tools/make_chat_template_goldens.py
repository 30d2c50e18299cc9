#!/usr/bin/env python3
"""Golden prompt ids for the Qwen2-Audio chat template: transformers' Qwen2AudioProcessor renders each
conversation with apply_chat_template and expands every <|AUDIO|> to the clip's token count, as it does before
the model runs. The Swift test renders and tokenises the same conversations and must give the same ids.

    /tmp/venv/bin/python Tools/make_chat_template_goldens.py MODEL_DIR
MODEL_DIR is any Qwen2-Audio directory with the processor files (e.g. one written by make_tiny_qwen2audio.py).
Writes Tests/QwenAudioEngineTests/Fixtures/chat_template_goldens.json.
"""
import json
import os
import sys

import numpy as np
import transformers
from transformers import AutoProcessor

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "QwenAudioEngineTests", "Fixtures",
                   "chat_template_goldens.json")

# Each clip is only a length in samples: the processor's expansion depends on nothing else.
CASES = [
    ("no system, one audio and a question",
     [{"role": "user", "content": [{"type": "audio", "audio_url": "a"}, {"type": "text", "text": "What's that sound?"}]}],
     [21920]),
    ("system prompt, question then audio",
     [{"role": "system", "content": "You are a sound expert. Answer in one sentence."},
      {"role": "user", "content": [{"type": "text", "text": "这段音频在说什么？"}, {"type": "audio", "audio_url": "a"}]}],
     [48000]),
    ("two audios in one message",
     [{"role": "user", "content": [{"type": "audio", "audio_url": "a"}, {"type": "audio", "audio_url": "b"},
                                   {"type": "text", "text": "Which clip is louder?"}]}],
     [16000, 40000]),
    ("voice chat: audio only",
     [{"role": "user", "content": [{"type": "audio", "audio_url": "a"}]}],
     [480000]),
    ("multi-turn with an assistant reply and a text-only follow-up",
     [{"role": "user", "content": [{"type": "audio", "audio_url": "a"}, {"type": "text", "text": "Transcribe it."}]},
      {"role": "assistant", "content": "Welcome to Alibaba Cloud."},
      {"role": "user", "content": [{"type": "text", "text": "Translate that into French, please."}]}],
     [54400]),
    ("two turns, each with audio",
     [{"role": "user", "content": [{"type": "audio", "audio_url": "a"}, {"type": "text", "text": "What is this?"}]},
      {"role": "assistant", "content": "A dog barking."},
      {"role": "user", "content": [{"type": "audio", "audio_url": "b"}, {"type": "text", "text": "And this one?"}]}],
     [32000, 8000]),
    ("a very short clip (0.01 s gives zero audio tokens)",
     [{"role": "user", "content": [{"type": "audio", "audio_url": "a"}, {"type": "text", "text": "Anything?"}]}],
     [160]),
]


def main():
    model_dir = sys.argv[1]
    processor = AutoProcessor.from_pretrained(model_dir)
    goldens = []
    for name, messages, lengths in CASES:
        text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        audios = [np.zeros(n, dtype=np.float32) + 0.01 for n in lengths]
        inputs = processor(text=text, audio=audios, sampling_rate=16000, return_tensors="np", padding=True)
        goldens.append({"name": name, "messages": messages, "audio_samples": lengths, "text": text,
                        "input_ids": inputs["input_ids"][0].tolist()})
        print(f"{name}: {len(goldens[-1]['input_ids'])} ids")
    with open(OUT, "w") as fh:
        json.dump({"generator": "Tools/make_chat_template_goldens.py", "transformers": transformers.__version__,
                   "cases": goldens}, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
