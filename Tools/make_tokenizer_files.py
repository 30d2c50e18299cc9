#!/usr/bin/env python3
"""Writes the Qwen2-Audio tokenizer files from the dashscope wheel's `qwen.tiktoken` (model spec §9).

    python3 Tools/make_tokenizer_files.py OUT_DIR [--wheel dashscope-2.0.2-py3-none-any.whl]

Python standard library only: CI runs it on a fresh machine before `swift test`. Without `--wheel` it runs
`pip download --no-deps dashscope==2.0.2` into a temporary directory. The rank file is checked against a pinned
sha256, then OUT_DIR gets:

* `qwen.tiktoken`          the rank file as shipped (151643 lines `base64(token) rank`);
* `vocab.json`             {bytes_to_unicode(token bytes): rank}, compact JSON;
* `merges.txt`             `#version: 0.2` and one merge per multi-byte token, in rank order;
* `tokenizer.json`         HF fast-tokenizer layout: NFC, Split(regex, isolated) + ByteLevel, BPE, ByteLevel decoder,
                           and the six added tokens 151643...151648 (special=true);
* `tokenizer_config.json`  what `Qwen2Tokenizer` reads: added_tokens_decoder, eos/pad `<|endoftext|>`, chat template.

Merges: each multi-byte token is BPE-encoded with only the ranks lower than its own (always merging the
lowest-rank adjacent pair, leftmost on ties). That leaves exactly two parts, which are its merge. Tokens are
visited in rank order so the merges come out in rank order, which is the priority `merges.txt` encodes.
"""

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

DASHSCOPE_VERSION = "2.0.2"
TIKTOKEN_MEMBER = "dashscope/resources/qwen.tiktoken"
# sha256 of dashscope 2.0.2's qwen.tiktoken (2,561,218 bytes, 151643 ranks).
TIKTOKEN_SHA256 = "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186"

# The Qwen2 pre-tokenizer split (identical in Qwen2Tokenizer and dashscope's QwenTokenizer).
PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"""
    r"""|\s+(?!\S)|\s+"""
)

# Qwen2-Audio's added tokens, in the order Qwen2Tokenizer assigns their ids after the 151643 ranks.
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|AUDIO|>",
    "<|audio_bos|>",
    "<|audio_eos|>",
]

# Qwen2AudioProcessor's default chat template (model spec §8).
CHAT_TEMPLATE = (
    "{% set audio_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and "
    "message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}{% if 'audio' in content or 'audio_url' "
    "in content or message['type'] == 'audio' or content['type'] == 'audio' %}{% set audio_count.value = "
    "audio_count.value + 1 %}Audio {{ audio_count.value }}: <|audio_bos|><|AUDIO|><|audio_eos|>\n"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (the ByteLevel pre-tokenizer's alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def fetch_tiktoken(wheel):
    """Returns the rank file's bytes from the given wheel, or from one `pip download` fetches."""
    if wheel is None:
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
                       f"dashscope=={DASHSCOPE_VERSION}", "-d", tmp]
            if subprocess.run(command).returncode != 0:
                sys.exit(f"`{' '.join(command)}` failed; download dashscope-{DASHSCOPE_VERSION}-py3-none-any.whl "
                         "elsewhere and pass it with --wheel PATH")
            wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
            if len(wheels) != 1:
                sys.exit(f"expected one dashscope wheel in {tmp}, found {wheels}")
            return fetch_tiktoken(os.path.join(tmp, wheels[0]))
    with zipfile.ZipFile(wheel) as z:
        data = z.read(TIKTOKEN_MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    print(f"{TIKTOKEN_MEMBER}: {len(data)} bytes, sha256 {digest}")
    if digest != TIKTOKEN_SHA256:
        sys.exit(f"{wheel}: {TIKTOKEN_MEMBER} has sha256 {digest}, expected {TIKTOKEN_SHA256}")
    return data


def parse_ranks(data):
    """Returns the tokens as bytes, indexed by rank; the ranks must be 0...n-1 with no gaps."""
    ranks = {}
    for number, line in enumerate(data.splitlines(), 1):
        if not line:
            continue
        token, rank = line.split()
        ranks[int(rank)] = base64.b64decode(token)
    tokens = [ranks[r] for r in range(len(ranks))]  # KeyError = a gap
    if len({t for t in tokens}) != len(tokens):
        sys.exit("qwen.tiktoken: duplicate tokens")
    return tokens


def derive_merges(tokens):
    """The merge (left bytes, right bytes) of each multi-byte token, in rank order."""
    rank = {t: r for r, t in enumerate(tokens)}
    merges = []
    for r, token in enumerate(tokens):
        if len(token) == 1:
            continue
        parts = [token[i:i + 1] for i in range(len(token))]
        while len(parts) > 2:
            best, best_rank = -1, r
            for i in range(len(parts) - 1):
                pr = rank.get(parts[i] + parts[i + 1], r)
                if pr < best_rank:
                    best, best_rank = i, pr
            if best < 0:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        if len(parts) != 2 or rank.get(parts[0], r) >= r or rank.get(parts[1], r) >= r:
            sys.exit(f"qwen.tiktoken: token {r} ({token!r}) does not reduce to two lower-rank parts: {parts!r}")
        merges.append((parts[0], parts[1]))
    return merges


def added_token(content, token_id=None):
    entry = {"content": content, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
             "special": True}
    if token_id is not None:
        entry = {"id": token_id, **entry}
    return entry


def write_json(path, obj, indent=None):
    with open(path, "w", encoding="utf-8") as f:
        if indent is None:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        else:
            json.dump(obj, f, ensure_ascii=False, indent=indent)
            f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--wheel", help=f"a downloaded dashscope-{DASHSCOPE_VERSION}-py3-none-any.whl")
    args = parser.parse_args()
    start = time.monotonic()

    data = fetch_tiktoken(args.wheel)
    tokens = parse_ranks(data)
    byte_map = bytes_to_unicode()

    def unicode_form(b):
        return "".join(byte_map[x] for x in b)

    merges = derive_merges(tokens)
    print(f"{len(tokens)} ranks, {len(merges)} merges ({time.monotonic() - start:.1f} s)")
    if len(merges) != len(tokens) - 256:
        sys.exit(f"expected {len(tokens) - 256} merges, derived {len(merges)}")

    vocab = {unicode_form(t): r for r, t in enumerate(tokens)}
    merge_lines = [f"{unicode_form(a)} {unicode_form(b)}" for a, b in merges]
    first_special = len(tokens)
    specials = [(first_special + i, content) for i, content in enumerate(SPECIAL_TOKENS)]

    os.makedirs(args.out_dir, exist_ok=True)
    # Written to temporary names and renamed, so an interrupted run never leaves a half-written tokenizer.json
    # that .ci/run would take as done.
    def out(name):
        return os.path.join(args.out_dir, name)

    with open(out("qwen.tiktoken.tmp"), "wb") as f:
        f.write(data)
    write_json(out("vocab.json.tmp"), vocab)
    with open(out("merges.txt.tmp"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        f.write("\n".join(merge_lines))
        f.write("\n")
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(content, token_id) for token_id, content in specials],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": PATTERN}, "behavior": "Isolated", "invert": False},
                byte_level,
            ],
        },
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": merge_lines,
        },
    }
    write_json(out("tokenizer.json.tmp"), tokenizer)
    config = {
        "add_prefix_space": False,
        "added_tokens_decoder": {str(token_id): added_token(content) for token_id, content in specials},
        "additional_special_tokens": SPECIAL_TOKENS[1:],
        "bos_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 32768,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    write_json(out("tokenizer_config.json.tmp"), config, indent=2)
    # tokenizer.json last: .ci/run takes its presence to mean the directory is complete.
    for name in ["qwen.tiktoken", "vocab.json", "merges.txt", "tokenizer_config.json", "tokenizer.json"]:
        os.replace(out(name + ".tmp"), out(name))
    sizes = ", ".join(f"{n} {os.path.getsize(out(n)):,} B" for n in ["vocab.json", "merges.txt", "tokenizer.json"])
    print(f"wrote {args.out_dir}: {sizes} ({time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    main()
