"""Shared helpers for the Qwen2-Audio parity fixtures (make_tiny_qwen2audio.py, bench_transformers_qwen2audio.py).

Nothing here needs torch or transformers: numpy and the standard library only, so the weight generator and the
safetensors writer can be read (and ported to Swift) on their own.

The weight PRNG (the Swift tests implement the same thing and must produce identical bytes)
--------------------------------------------------------------------------------------------
For a tensor named NAME (its key in the checkpoint, e.g. ``audio_tower.layers.0.fc1.weight``) with n elements in
row-major order and a seed string SEED (default ``qwen-audio-fixture-v1``):

    h = fnv1a64(utf8(SEED + ":" + NAME))          offset basis 0xcbf29ce484222325, prime 0x100000001b3,
                                                    per byte: h ^= byte; h *= prime   (mod 2^64)
    for i in 0 ..< n:                               every operation on UInt64 wraps mod 2^64
        z = h + (i + 1) * 0x9E3779B97F4A7C15
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB
        z =  z ^ (z >> 31)
        u = Double(z >> 40) / 2^24                  in [0, 1), exact
        v = Float(((2 * u - 1) * scale) + offset)   computed in Double (multiply, then add: no fused
                                                    multiply-add), then rounded to Float (nearest-even)
        bits = v.bitPattern (UInt32)
        bf16 = UInt16((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16)     round-to-nearest-even; no NaN/inf occur

(offset, scale) by tensor, first rule that matches:
    *.bias                                          (0, 0.1)    every bias, LayerNorm biases included
    LayerNorm / RMSNorm weights                     (1, 0.2)    names containing "layer_norm" or "layernorm",
                                                                or ending in "norm.weight"
    language_model.model.embed_tokens.weight        (0, 0.5)
    audio_tower.embed_positions.weight              (0, 0.5)
    language_model.lm_head.weight                   (0, 1 / sqrt(hidden))   (= the Linear rule below)
    any other (Linear / Conv1d) weight              (0, 1 / sqrt(fan_in)), fan_in = product of all dims but the
                                                    first; scale computed in Double as 1.0 / sqrt(Double(fan_in))

Checksum of a tensor: fnv1a64 over its raw little-endian bf16 bytes (2 bytes per element, row-major), written as
"0x%016x".
"""
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

DEFAULT_SEED = "qwen-audio-fixture-v1"

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = 0xFFFFFFFFFFFFFFFF
GOLDEN = 0x9E3779B97F4A7C15

# ---------------------------------------------------------------------------------------------------------------
# Special tokens and the chat template (spec §8)
# ---------------------------------------------------------------------------------------------------------------
VOCAB_SIZE = 156032
N_MEL = 128
MAX_SOURCE_POSITIONS = 1500
ENDOFTEXT, IM_START, IM_END, AUDIO, AUDIO_BOS, AUDIO_EOS = 151643, 151644, 151645, 151646, 151647, 151648
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|AUDIO|>", "<|audio_bos|>", "<|audio_eos|>"]

CHAT_TEMPLATE = (
    "{% set audio_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and "
    "message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}{% if 'audio' in content or 'audio_url' in content or "
    "message['type'] == 'audio' or content['type'] == 'audio' %}{% set audio_count.value = audio_count.value + 1 %}"
    "Audio {{ audio_count.value }}: <|audio_bos|><|AUDIO|><|audio_eos|>\n{% elif 'text' in content %}"
    "{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "<|im_start|>assistant\n{% endif %}"
)

# Token ids of the §8 layout around the audio and the question (checked against the tokenizer at run time).
PROMPT_PREFIX_IDS = [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198,
                     151644, 872, 198, 14755, 220, 16, 25, 220, 151647]
PROMPT_SUFFIX_IDS_HEAD = [151648, 198]                      # <|audio_eos|> "\n", then the question's ids
PROMPT_SUFFIX_IDS_TAIL = [151645, 198, 151644, 77091, 198]  # <|im_end|> "\n" <|im_start|> assistant "\n"
QUESTION_IDS = {"What's that sound?": [3838, 594, 429, 5112, 30]}


def render_prompt(question):
    """The chat template rendered for one user turn [audio, text] with the default system prompt and the
    generation prompt: one <|AUDIO|> placeholder (the processor expands it to N_tok copies)."""
    return ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
            "Audio 1: <|audio_bos|><|AUDIO|><|audio_eos|>\n" + question + "<|im_end|>\n<|im_start|>assistant\n")


def audio_token_counts(n_samples):
    """(L_mel, L2, N_tok) for a clip of n_samples at 16 kHz (spec §5, floor division)."""
    l_mel = -(-min(n_samples, 480000) // 160)
    l2 = (l_mel - 1) // 2 + 1
    return l_mel, l2, (l2 - 2) // 2 + 1


# ---------------------------------------------------------------------------------------------------------------
# Geometries
# ---------------------------------------------------------------------------------------------------------------
GEOMETRIES = {
    # Plain multi-head decoder like the 7B; the config omits hidden_act (default silu) and writes
    # "num_key_value_heads": null, which Qwen2Config resolves to num_attention_heads. (Omitting the key would give
    # the Qwen2Config default 32, not num_attention_heads: fine for the 7B's 32 heads, impossible for 4 heads.)
    "tiny-mha": dict(
        audio=dict(d_model=32, encoder_layers=2, encoder_attention_heads=4, encoder_ffn_dim=64),
        text=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
                  intermediate_size=64, rms_norm_eps=1e-5, rope_theta=10000, max_position_embeddings=8192),
        omit_text_keys=("hidden_act",), null_text_keys=("num_key_value_heads",),
        shard_bytes=None),
    # GQA (4 heads / 2 KV heads), head dims 16, written as two safetensors shards + index.
    "tiny-gqa": dict(
        audio=dict(d_model=48, encoder_layers=3, encoder_attention_heads=3, encoder_ffn_dim=96),
        text=dict(hidden_size=64, num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
                  intermediate_size=96, rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=32768),
        omit_text_keys=(),
        shard_bytes=None,
        # Second shard starts in the middle of decoder layer 1, so one layer's tensors live in both files.
        split_before=("language_model.model.layers.1.mlp.gate_proj.weight",)),
    # Real encoder + a Qwen2-0.5B-shaped decoder (benchmarks only; about 2.5 GB of bf16).
    "mid": dict(
        audio=dict(d_model=1280, encoder_layers=32, encoder_attention_heads=20, encoder_ffn_dim=5120),
        text=dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                  intermediate_size=4864, rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=32768),
        omit_text_keys=(),
        shard_bytes=None),
}


def make_config(geometry):
    """config.json in the layout of Qwen/Qwen2-Audio-7B-Instruct (spec §1), geometry values written out."""
    g = GEOMETRIES[geometry]
    a, t = g["audio"], g["text"]
    audio_config = {
        "model_type": "qwen2_audio_encoder", "num_mel_bins": N_MEL,
        "encoder_layers": a["encoder_layers"], "encoder_attention_heads": a["encoder_attention_heads"],
        "encoder_ffn_dim": a["encoder_ffn_dim"], "d_model": a["d_model"], "activation_function": "gelu",
        "scale_embedding": False, "max_source_positions": MAX_SOURCE_POSITIONS,
        "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0, "initializer_range": 0.02,
    }
    text_config = {
        "model_type": "qwen2", "bos_token_id": ENDOFTEXT, "eos_token_id": IM_END,
        "hidden_size": t["hidden_size"], "num_hidden_layers": t["num_hidden_layers"],
        "num_attention_heads": t["num_attention_heads"], "num_key_value_heads": t["num_key_value_heads"],
        "hidden_act": "silu", "intermediate_size": t["intermediate_size"],
        "max_position_embeddings": t["max_position_embeddings"], "rms_norm_eps": t["rms_norm_eps"],
        "rope_theta": t["rope_theta"], "sliding_window": 32768, "torch_dtype": "bfloat16", "use_mrope": False,
        "vocab_size": VOCAB_SIZE,
    }
    for k in g["omit_text_keys"]:
        del text_config[k]
    for k in g.get("null_text_keys", ()):
        text_config[k] = None
    return {
        "architectures": ["Qwen2AudioForConditionalGeneration"],
        "audio_config": audio_config,
        "audio_token_index": AUDIO,
        "ignore_index": -100,
        "model_type": "qwen2_audio",
        "text_config": text_config,
        "torch_dtype": "bfloat16",
        "vocab_size": VOCAB_SIZE,
    }


GENERATION_CONFIG = {  # spec §10
    "do_sample": True,
    "eos_token_id": [ENDOFTEXT, IM_END],
    "pad_token_id": ENDOFTEXT,
    "repetition_penalty": 1.1,
    "temperature": 0.7,
    "top_k": 20,
    "top_p": 0.5,
}

PREPROCESSOR_CONFIG = {  # spec §3
    "chunk_length": 30,
    "dither": 0.0,
    "feature_extractor_type": "WhisperFeatureExtractor",
    "feature_size": N_MEL,
    "hop_length": 160,
    "n_fft": 400,
    "n_samples": 480000,
    "nb_max_frames": 3000,
    "padding_side": "right",
    "padding_value": 0.0,
    "processor_class": "Qwen2AudioProcessor",
    "return_attention_mask": True,
    "sampling_rate": 16000,
}


def param_specs(geometry):
    """[(on-disk key, shape)] in module order: audio_tower, multi_modal_projector, language_model."""
    g = GEOMETRIES[geometry]
    a, t = g["audio"], g["text"]
    d, ffn = a["d_model"], a["encoder_ffn_dim"]
    out = [("audio_tower.conv1.weight", (d, N_MEL, 3)), ("audio_tower.conv1.bias", (d,)),
           ("audio_tower.conv2.weight", (d, d, 3)), ("audio_tower.conv2.bias", (d,)),
           ("audio_tower.embed_positions.weight", (MAX_SOURCE_POSITIONS, d))]
    for n in range(a["encoder_layers"]):
        p = f"audio_tower.layers.{n}."
        out += [(p + "self_attn.k_proj.weight", (d, d)),
                (p + "self_attn.v_proj.weight", (d, d)), (p + "self_attn.v_proj.bias", (d,)),
                (p + "self_attn.q_proj.weight", (d, d)), (p + "self_attn.q_proj.bias", (d,)),
                (p + "self_attn.out_proj.weight", (d, d)), (p + "self_attn.out_proj.bias", (d,)),
                (p + "self_attn_layer_norm.weight", (d,)), (p + "self_attn_layer_norm.bias", (d,)),
                (p + "fc1.weight", (ffn, d)), (p + "fc1.bias", (ffn,)),
                (p + "fc2.weight", (d, ffn)), (p + "fc2.bias", (d,)),
                (p + "final_layer_norm.weight", (d,)), (p + "final_layer_norm.bias", (d,))]
    out += [("audio_tower.layer_norm.weight", (d,)), ("audio_tower.layer_norm.bias", (d,))]
    D, I = t["hidden_size"], t["intermediate_size"]
    H, KV = t["num_attention_heads"], t["num_key_value_heads"]
    hd = D // H
    out += [("multi_modal_projector.linear.weight", (D, d)), ("multi_modal_projector.linear.bias", (D,)),
            ("language_model.model.embed_tokens.weight", (VOCAB_SIZE, D))]
    for n in range(t["num_hidden_layers"]):
        p = f"language_model.model.layers.{n}."
        out += [(p + "self_attn.q_proj.weight", (H * hd, D)), (p + "self_attn.q_proj.bias", (H * hd,)),
                (p + "self_attn.k_proj.weight", (KV * hd, D)), (p + "self_attn.k_proj.bias", (KV * hd,)),
                (p + "self_attn.v_proj.weight", (KV * hd, D)), (p + "self_attn.v_proj.bias", (KV * hd,)),
                (p + "self_attn.o_proj.weight", (D, H * hd)),
                (p + "mlp.gate_proj.weight", (I, D)), (p + "mlp.up_proj.weight", (I, D)),
                (p + "mlp.down_proj.weight", (D, I)),
                (p + "input_layernorm.weight", (D,)), (p + "post_attention_layernorm.weight", (D,))]
    out += [("language_model.model.norm.weight", (D,)), ("language_model.lm_head.weight", (VOCAB_SIZE, D))]
    return out


def init_rule(name, shape):
    """(offset, scale) of the PRNG for one tensor (see the module docstring)."""
    if name.endswith(".bias"):
        return 0.0, 0.1
    if "layer_norm" in name or "layernorm" in name or name.endswith("norm.weight"):
        return 1.0, 0.2
    if name.endswith("embed_tokens.weight") or name.endswith("embed_positions.weight"):
        return 0.0, 0.5
    fan_in = int(np.prod(shape[1:]))
    return 0.0, 1.0 / math.sqrt(fan_in)


# ---------------------------------------------------------------------------------------------------------------
# FNV-1a and the counter-based PRNG
# ---------------------------------------------------------------------------------------------------------------
def fnv1a64(data, h=FNV_OFFSET):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK64
    return h


def tensor_seed(name, seed=DEFAULT_SEED):
    return fnv1a64((seed + ":" + name).encode("utf-8"))


_C1 = np.uint64(GOLDEN)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S = {k: np.uint64(k) for k in (27, 30, 31, 40)}
_CHUNK = 1 << 18


def prng_bf16_chunks(name, n, offset, scale, seed=DEFAULT_SEED, chunk=_CHUNK):
    """Yield the tensor's bf16 bit patterns (uint16, little-endian order) in chunks of at most `chunk` elements."""
    h = tensor_seed(name, seed)
    z = np.empty(chunk, np.uint64)
    tmp = np.empty(chunk, np.uint64)
    f = np.empty(chunk, np.float64)
    base = np.arange(1, chunk + 1, dtype=np.uint64) * _C1  # (k + 1) * GOLDEN mod 2^64
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        zz, tt, ff = z[:m], tmp[:m], f[:m]
        np.add(base[:m], np.uint64((h + s * GOLDEN) & MASK64), out=zz)  # h + (s + k + 1) * GOLDEN
        np.right_shift(zz, _S[30], out=tt); np.bitwise_xor(zz, tt, out=zz); np.multiply(zz, _M1, out=zz)
        np.right_shift(zz, _S[27], out=tt); np.bitwise_xor(zz, tt, out=zz); np.multiply(zz, _M2, out=zz)
        np.right_shift(zz, _S[31], out=tt); np.bitwise_xor(zz, tt, out=zz)
        np.right_shift(zz, _S[40], out=zz)
        ff[...] = zz                       # exact: < 2^24
        ff *= 2.0 / 16777216.0             # 2u, exact (power of two)
        ff -= 1.0                          # 2u - 1, exact
        ff *= scale                        # rounded once
        ff += offset                       # rounded once (no FMA)
        bits = ff.astype(np.float32).view(np.uint32)
        bits += np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
        yield (bits >> np.uint32(16)).astype("<u2")


def prng_bf16(name, shape, seed=DEFAULT_SEED):
    """The whole tensor as a uint16 array of bf16 bit patterns with the given shape."""
    offset, scale = init_rule(name, shape)
    n = int(np.prod(shape))
    out = np.empty(n, "<u2")
    s = 0
    for c in prng_bf16_chunks(name, n, offset, scale, seed):
        out[s:s + len(c)] = c
        s += len(c)
    return out.reshape(shape)


def bf16_to_f32(u16):
    return (np.asarray(u16, dtype=np.uint32) << np.uint32(16)).view(np.float32)


def prng_reference_scalar(name, shape, count, seed=DEFAULT_SEED):
    """Straight, unvectorised transcription of the spec for the first `count` elements (self-test)."""
    offset, scale = init_rule(name, shape)
    h = tensor_seed(name, seed)
    out = []
    for i in range(count):
        z = (h + (i + 1) * GOLDEN) & MASK64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z = z ^ (z >> 31)
        u = float(z >> 40) / 2.0 ** 24
        v = np.float32(offset + (2.0 * u - 1.0) * scale)
        bits = int(v.view(np.uint32))
        out.append((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16)
    return out


# ---------------------------------------------------------------------------------------------------------------
# safetensors writer (streams tensor by tensor, so multi-GB checkpoints need little memory)
# ---------------------------------------------------------------------------------------------------------------
def _shard_plan(specs, shard_bytes=None, split_before=()):
    """Split [(name, shape)] into shards in order; a new shard starts before each name in split_before, or when
    the next tensor would exceed shard_bytes (like save_pretrained's max_shard_size)."""
    if not shard_bytes and not split_before:
        return [list(specs)]
    names = [n for n, _ in specs]
    assert all(n in names for n in split_before), split_before
    shards, cur, size = [], [], 0
    for name, shape in specs:
        nbytes = 2 * int(np.prod(shape))
        if cur and (name in split_before or (shard_bytes and size + nbytes > shard_bytes)):
            shards.append(cur)
            cur, size = [], 0
        cur.append((name, shape))
        size += nbytes
    if cur:
        shards.append(cur)
    return shards


def _write_safetensors(path, specs, seed, on_tensor=None):
    header = {"__metadata__": {"format": "pt"}}
    off = 0
    for name, shape in specs:
        nbytes = 2 * int(np.prod(shape))
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + nbytes]}
        off += nbytes
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for name, shape in specs:
            offset, scale = init_rule(name, shape)
            n = int(np.prod(shape))
            h = FNV_OFFSET if on_tensor else None
            for c in prng_bf16_chunks(name, n, offset, scale, seed, chunk=1 << 20):
                b = c.tobytes()
                f.write(b)
                if on_tensor:
                    h = fnv1a64(b, h)
            if on_tensor:
                on_tensor(name, shape, h)
    return off


def write_weights(model_dir, geometry, seed=DEFAULT_SEED, checksums=True, log=print):
    """Write model.safetensors (or model-0000k-of-0000n.safetensors + model.safetensors.index.json).
    Returns {name: {"shape", "dtype", "fnv1a64" (if checksums), "offset", "scale"}} and the file list."""
    specs = param_specs(geometry)
    g = GEOMETRIES[geometry]
    shards = _shard_plan(specs, g.get("shard_bytes"), g.get("split_before", ()))
    info = {}

    def on_tensor(name, shape, h):
        info[name]["fnv1a64"] = "0x%016x" % h

    for name, shape in specs:
        o, s = init_rule(name, shape)
        info[name] = {"shape": list(shape), "dtype": "BF16", "offset": o, "scale": s}
    files = []
    if len(shards) == 1:
        fn = "model.safetensors"
        _write_safetensors(os.path.join(model_dir, fn), shards[0], seed, on_tensor if checksums else None)
        files.append(fn)
    else:
        weight_map, total = {}, 0
        for k, shard in enumerate(shards):
            fn = "model-%05d-of-%05d.safetensors" % (k + 1, len(shards))
            total += _write_safetensors(os.path.join(model_dir, fn), shard, seed, on_tensor if checksums else None)
            weight_map.update({name: fn for name, _ in shard})
            files.append(fn)
            log(f"  {fn}: {len(shard)} tensors")
        index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
        with open(os.path.join(model_dir, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f, indent=2)
            f.write("\n")
        files.append("model.safetensors.index.json")
    return info, files


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def write_model_configs(model_dir, geometry):
    write_json(os.path.join(model_dir, "config.json"), make_config(geometry))
    write_json(os.path.join(model_dir, "generation_config.json"), GENERATION_CONFIG)
    write_json(os.path.join(model_dir, "preprocessor_config.json"), PREPROCESSOR_CONFIG)
    with open(os.path.join(model_dir, "chat_template.jinja"), "w") as f:
        f.write(CHAT_TEMPLATE)


# ---------------------------------------------------------------------------------------------------------------
# Tokenizer files (spec §9), for the transformers run only: the model directory is not committed
# ---------------------------------------------------------------------------------------------------------------
TOKENIZER_CACHE = os.path.join(tempfile.gettempdir(), "qwen2audio-tokenizer-cache")
TOKENIZER_FILES = ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json")


def find_tiktoken(explicit=None, log=print):
    """Path of dashscope's qwen.tiktoken: explicit path, the cache, or `pip download --no-deps dashscope==2.0.2`."""
    if explicit:
        return explicit
    cached = os.path.join(TOKENIZER_CACHE, "qwen.tiktoken")
    if os.path.exists(cached):
        return cached
    os.makedirs(TOKENIZER_CACHE, exist_ok=True)
    with tempfile.TemporaryDirectory() as td:
        log("  pip download --no-deps dashscope==2.0.2 (for qwen.tiktoken)")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "dashscope==2.0.2",
                        "-d", td], check=True)
        whl = [x for x in os.listdir(td) if x.endswith(".whl")][0]
        with zipfile.ZipFile(os.path.join(td, whl)) as z:
            data = z.read("dashscope/resources/qwen.tiktoken")
    with open(cached, "wb") as f:
        f.write(data)
    return cached


def _bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def vocab_and_merges_from_tiktoken(path):
    """vocab {byte-level string: rank} and merges ["a b", ...] in rank order (spec §9)."""
    import base64
    ranks = {}
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                tok, r = line.split()
                ranks[base64.b64decode(tok)] = int(r)
    b2u = _bytes_to_unicode()
    enc = lambda bs: "".join(b2u[b] for b in bs)
    vocab = {enc(t): r for t, r in ranks.items()}
    merges = []
    for tok, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        if len(tok) == 1:
            continue
        parts = [bytes([b]) for b in tok]
        while len(parts) > 2:
            best, best_i = None, None
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < rank and (best is None or r < best):
                    best, best_i = r, i
            if best is None:
                break
            parts[best_i:best_i + 2] = [parts[best_i] + parts[best_i + 1]]
        if len(parts) != 2:
            raise RuntimeError(f"token of rank {rank} does not split into two parts")
        merges.append(enc(parts[0]) + " " + enc(parts[1]))
    return vocab, merges


def build_tokenizer_privately(out_dir, tiktoken=None, log=print):
    """Fallback when Tools/make_tokenizer_files.py is missing: the spec §9 algorithm + transformers' Qwen2Tokenizer."""
    from transformers import AddedToken, Qwen2Tokenizer
    vocab, merges = vocab_and_merges_from_tiktoken(find_tiktoken(tiktoken, log))
    assert len(vocab) == 151643 and len(merges) == 151387, (len(vocab), len(merges))
    tok = Qwen2Tokenizer(vocab=vocab, merges=[tuple(m.split(" ")) for m in merges], unk_token=None,
                         bos_token=None, eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    tok.add_special_tokens({"additional_special_tokens": [AddedToken(t, special=True) for t in SPECIAL_TOKENS[1:]]})
    ids = tok.convert_tokens_to_ids(SPECIAL_TOKENS)
    assert ids == list(range(ENDOFTEXT, AUDIO_EOS + 1)), ids
    tok.model_max_length = 32768
    tok.save_pretrained(out_dir)
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(m + "\n" for m in merges))


def write_tokenizer_files(model_dir, tiktoken=None, log=print):
    """Put vocab.json/merges.txt/tokenizer.json/tokenizer_config.json into model_dir.
    Order of preference: the cache from an earlier run; the team's Tools/make_tokenizer_files.py (if present);
    a private build with transformers' Qwen2Tokenizer. Returns a short description of the source."""
    import hashlib
    import shutil
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_tokenizer_files.py")
    key = "private"
    if os.path.exists(tool):  # a new version of the team's script gets a new cache entry
        with open(tool, "rb") as f:
            key = "tool-" + hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.path.join(TOKENIZER_CACHE, "files-" + key)
    if not all(os.path.exists(os.path.join(cache, f)) for f in TOKENIZER_FILES):
        tmp = cache + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        source = None
        if os.path.exists(tool):
            log(f"  tokenizer: running {tool}")
            r = subprocess.run([sys.executable, tool, tmp], capture_output=True, text=True)
            if r.returncode == 0 and all(os.path.exists(os.path.join(tmp, f)) for f in TOKENIZER_FILES):
                source = "Tools/make_tokenizer_files.py"
            else:
                log(f"  tokenizer tool failed (rc {r.returncode}); building privately\n{r.stderr[-2000:]}")
        if source is None:
            log("  tokenizer: building vocab/merges from qwen.tiktoken (private build)")
            build_tokenizer_privately(tmp, tiktoken, log)
            source = "private build (qwen2audio_fixture.build_tokenizer_privately)"
        with open(os.path.join(tmp, "SOURCE"), "w") as f:
            f.write(source + "\n")
        for extra in os.listdir(tmp):  # keep only the four files (+ SOURCE)
            if extra not in TOKENIZER_FILES + ("SOURCE",):
                os.remove(os.path.join(tmp, extra))
        shutil.rmtree(cache, ignore_errors=True)
        os.rename(tmp, cache)
    for f in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(cache, f), os.path.join(model_dir, f))
    # The real tokenizer_config.json carries the chat template too (as older transformers wrote it).
    tc_path = os.path.join(model_dir, "tokenizer_config.json")
    with open(tc_path) as f:
        tc = json.load(f)
    tc["chat_template"] = CHAT_TEMPLATE
    tc.setdefault("processor_class", "Qwen2AudioProcessor")
    write_json(tc_path, tc)
    with open(os.path.join(cache, "SOURCE")) as f:
        return f.read().strip()


# ---------------------------------------------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------------------------------------------
def sine_sweep(n_samples=21920, sr=16000, f0=100.0, f1=4000.0, amplitude=0.5, fade_s=0.010):
    """Exponential sine sweep f0 -> f1 over n_samples, linear fades in/out, float32.
    x[i] = A * sin(2*pi*f0*T/ln(f1/f0) * (exp(t/T*ln(f1/f0)) - 1)) with t = i/sr, T = n/sr (float64),
    multiplied by min(1, i/nf, (n-1-i)/nf) with nf = round(fade_s*sr)."""
    t = np.arange(n_samples, dtype=np.float64) / sr
    T = n_samples / sr
    k = math.log(f1 / f0)
    x = amplitude * np.sin(2.0 * math.pi * f0 * T / k * (np.exp(t / T * k) - 1.0))
    nf = int(round(fade_s * sr))
    i = np.arange(n_samples, dtype=np.float64)
    x *= np.minimum(1.0, np.minimum(i / nf, (n_samples - 1 - i) / nf))
    return x.astype(np.float32)
