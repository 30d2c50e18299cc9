#!/usr/bin/env python3
"""Tiny Qwen2-Audio checkpoints with PRNG weights, and transformers reference taps for the Swift parity tests.

  make_tiny_qwen2audio.py --geometry tiny-mha|tiny-gqa|mid --model-dir DIR [--fixture-dir DIR]

1. Writes a complete Hugging Face model directory to --model-dir (NOT committed; e.g. /tmp/qwen-tiny-mha):
   config.json / generation_config.json / preprocessor_config.json / chat_template.jinja in the layout of
   Qwen/Qwen2-Audio-7B-Instruct, tokenizer files (vocab.json, merges.txt, tokenizer.json, tokenizer_config.json),
   and bf16 safetensors whose every value comes from the counter-based PRNG in qwen2audio_fixture.py
   (the Swift tests regenerate the same bytes, so no weights are committed). tiny-gqa is written as two shards +
   model.safetensors.index.json.
2. Loads the directory with transformers (Qwen2AudioForConditionalGeneration in float32 from the stored bf16,
   eager attention; AutoProcessor -> Qwen2AudioProcessor) and checks that every parameter equals the PRNG values.
3. Runs the synthetic clip (exponential sine sweep 100 Hz -> 4 kHz, 1.37 s) through the processor with one user
   turn [audio, question] and records the taps below.
4. Writes to --fixture-dir (committed, small): audio.f32 (raw float32 LE), reference.safetensors, reference.json.

Taps in reference.safetensors (float32 unless noted; rows are time/sequence positions):
  input_features [128, F]            F = L_mel + 8 frames; every later frame equals features_floor (asserted)
  input_ids [S] int32
  enc_conv1_gelu [R1, d]             GELU(conv1(features)), time-major, R1 = min(3000, 2*L_mel + 16)
  enc_conv2_gelu [R2, d]             GELU(conv2(.)), before the positions are added, R2 = min(1500, L_mel + 16)
  enc_layer0_out [R2, d]             output of encoder layer 0 (with the key padding mask of L2 valid keys)
  enc_last_hidden_state [R3, d]      after avg-pool and the final LayerNorm, R3 = min(750, N_tok + 8)
  audio_features [N_tok, hidden]     projector output, valid rows
  lm_inputs_embeds [S, hidden]       token embeddings with the audio rows spliced in
  lm_layer0_out [S, hidden]          output of decoder layer 0
  lm_final_hidden [S, hidden]        after the final RMSNorm
  logits_last [156032]               last prompt position
  logits_rows [S, 16]                logits[:, :16] at every prompt position
  greedy_ids [16] int32              argmax decoding with the KV cache, no EOS stop, no repetition penalty
                                     (asserted equal to a loop that recomputes the whole sequence every step)
  greedy_logits_max [16]             the max logit at each step

--geometry mid (real encoder + Qwen2-0.5B-shaped decoder, ~2.5 GB) only writes the model directory (for
bench_transformers_qwen2audio.py); with --fixture-dir it also writes a reference.json without taps/checksums.

Deterministic: rerunning with the same library versions rewrites byte-identical fixtures.
Usage: /tmp/venv/bin/python Tools/make_tiny_qwen2audio.py --geometry tiny-mha --model-dir /tmp/qwen-tiny-mha \\
           --fixture-dir Tests/QwenAudioModelsTests/Fixtures/tiny-mha
"""
import argparse
import json
import os
import platform
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qwen2audio_fixture as qf  # noqa: E402

GREEDY_STEPS = 16
LOGIT_COLUMNS = 16
EXTRA_FRAMES = 8
MIN_MARGIN = 1e-3


def log(*a):
    print(*a, flush=True)


def disk_name(mem_name):
    """transformers 5.x in-memory parameter path -> checkpoint key (reverse of conversion_mapping 'qwen2_audio')."""
    if mem_name == "lm_head.weight":
        return "language_model.lm_head.weight"
    for src, dst in (("model.language_model.", "language_model.model."), ("model.audio_tower.", "audio_tower."),
                     ("model.multi_modal_projector.", "multi_modal_projector.")):
        if mem_name.startswith(src):
            return dst + mem_name[len(src):]
    raise KeyError(mem_name)


def write_model_dir(args):
    os.makedirs(args.model_dir, exist_ok=True)
    for f in os.listdir(args.model_dir):  # no stale shards from another geometry
        if f.startswith("model") and (f.endswith(".safetensors") or f.endswith(".index.json")):
            os.remove(os.path.join(args.model_dir, f))
    t = time.perf_counter()
    qf.write_model_configs(args.model_dir, args.geometry)
    tok_source = qf.write_tokenizer_files(args.model_dir, args.tiktoken, log)
    log(f"configs + tokenizer ({tok_source}): {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    info, files = qf.write_weights(args.model_dir, args.geometry, args.seed,
                                   checksums=args.geometry != "mid", log=log)
    log(f"weights: {len(info)} tensors, {sum(int(np.prod(v['shape'])) for v in info.values()) / 1e6:.2f} M "
        f"parameters, {time.perf_counter() - t:.1f} s")
    return info, files, tok_source


def check_params(model, seed, exact_dtype):
    """Every parameter (in its loaded dtype) equals the PRNG values; returns the number checked."""
    import torch
    n = 0
    for mem, p in model.named_parameters():
        name = disk_name(mem)
        want = qf.prng_bf16(name, tuple(p.shape), seed)
        if exact_dtype == torch.bfloat16:
            got = p.detach().view(torch.int16).numpy().view(np.uint16)
            ok = np.array_equal(got, want)
        else:
            ok = np.array_equal(p.detach().numpy(), qf.bf16_to_f32(want).reshape(p.shape))
        if not ok:
            raise AssertionError(f"parameter {mem} ({name}) differs from the PRNG")
        n += 1
    return n


def run_mid(args, info, files):
    import torch
    import transformers
    from transformers import Qwen2AudioForConditionalGeneration
    if not args.skip_verify:
        t = time.perf_counter()
        model = Qwen2AudioForConditionalGeneration.from_pretrained(args.model_dir, dtype=torch.bfloat16)
        n = check_params(model, args.seed, torch.bfloat16)
        assert n == len(info), (n, len(info))
        log(f"verified: transformers loads the directory, all {n} parameters equal the PRNG "
            f"({time.perf_counter() - t:.1f} s)")
        del model
    if args.fixture_dir:
        os.makedirs(args.fixture_dir, exist_ok=True)
        qf.write_json(os.path.join(args.fixture_dir, "reference.json"), {
            "geometry": args.geometry, "seed": args.seed, "config": qf.make_config(args.geometry),
            "versions": {"transformers": transformers.__version__, "torch": torch.__version__},
            "weights": {"files": files, "tensors": info}})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--geometry", required=True, choices=sorted(qf.GEOMETRIES))
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--fixture-dir", default=None)
    ap.add_argument("--seed", default=qf.DEFAULT_SEED, help="PRNG seed string")
    ap.add_argument("--question", default="What's that sound?")
    ap.add_argument("--tiktoken", default=None, help="path of dashscope's qwen.tiktoken (else pip download)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-verify", action="store_true", help="mid: do not load the directory back")
    args = ap.parse_args()
    if args.geometry != "mid" and not args.fixture_dir:
        ap.error("--fixture-dir is required for the tiny geometries")

    t_all = time.perf_counter()
    info, files, tok_source = write_model_dir(args)
    import torch
    torch.set_num_threads(args.threads)
    if args.geometry == "mid":
        run_mid(args, info, files)
        log(f"done in {time.perf_counter() - t_all:.1f} s; model dir {args.model_dir}: "
            f"{sum(os.path.getsize(os.path.join(args.model_dir, f)) for f in files) / 1e9:.3f} GB of weights")
        return
    reference(args, info, files, tok_source)
    log(f"done in {time.perf_counter() - t_all:.1f} s")


def reference(args, info, files, tok_source):
    import safetensors
    import safetensors.numpy
    import tokenizers
    import torch
    import transformers
    from transformers import AutoProcessor, Qwen2AudioForConditionalGeneration

    cfg = qf.make_config(args.geometry)
    a_cfg, t_cfg = cfg["audio_config"], cfg["text_config"]
    d, D = a_cfg["d_model"], t_cfg["hidden_size"]

    # ---- load back ----------------------------------------------------------------------------------------
    t = time.perf_counter()
    model, loading = Qwen2AudioForConditionalGeneration.from_pretrained(
        args.model_dir, dtype=torch.float32, attn_implementation="eager", output_loading_info=True)
    model.eval()
    bad = {k: v for k, v in loading.items() if v}
    assert not bad, f"loading info not clean: {bad}"
    tc = model.config.text_config
    geo = qf.GEOMETRIES[args.geometry]["text"]
    assert (tc.hidden_size, tc.num_hidden_layers, tc.num_attention_heads, tc.num_key_value_heads,
            tc.intermediate_size, tc.rms_norm_eps, tc.hidden_act) == (
        geo["hidden_size"], geo["num_hidden_layers"], geo["num_attention_heads"], geo["num_key_value_heads"],
        geo["intermediate_size"], geo["rms_norm_eps"], "silu"), tc
    assert float(tc.rope_parameters["rope_theta"]) == float(geo["rope_theta"]), tc.rope_parameters
    assert not getattr(tc, "use_sliding_window", False)
    assert model.config._attn_implementation == "eager"
    assert model.lm_head.weight.data_ptr() != model.model.language_model.embed_tokens.weight.data_ptr()
    n_checked = check_params(model, args.seed, torch.float32)
    assert n_checked == len(info), (n_checked, len(info))
    log(f"loaded ({time.perf_counter() - t:.1f} s); all {n_checked} parameters equal the PRNG values (f32 of bf16)")

    processor = AutoProcessor.from_pretrained(args.model_dir)
    assert type(processor).__name__ == "Qwen2AudioProcessor", type(processor)
    assert type(processor.feature_extractor).__name__ == "WhisperFeatureExtractor"

    # ---- inputs ---------------------------------------------------------------------------------------------
    audio = qf.sine_sweep()
    n = len(audio)
    l_mel, l2, n_tok = qf.audio_token_counts(n)
    conversation = [{"role": "user", "content": [{"type": "audio", "audio_url": "audio.f32"},
                                                 {"type": "text", "text": args.question}]}]
    text = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
    assert text == qf.render_prompt(args.question), repr(text)
    inputs = processor(text=text, audio=[audio], sampling_rate=16000, return_tensors="pt")
    ids = inputs["input_ids"]
    q_ids = processor.tokenizer(args.question, add_special_tokens=False)["input_ids"]
    if args.question in qf.QUESTION_IDS:
        assert q_ids == qf.QUESTION_IDS[args.question], q_ids
    expected = (qf.PROMPT_PREFIX_IDS + [qf.AUDIO] * n_tok + qf.PROMPT_SUFFIX_IDS_HEAD + q_ids
                + qf.PROMPT_SUFFIX_IDS_TAIL)
    assert ids[0].tolist() == expected, ids[0].tolist()
    S = ids.shape[1]
    fam = inputs["feature_attention_mask"]
    assert int(fam.sum()) == l_mel and fam.shape == (1, 3000)
    feats = inputs["input_features"]
    assert feats.shape == (1, 128, 3000) and feats.dtype == torch.float32
    F = min(3000, l_mel + EXTRA_FRAMES)
    floor = float(feats[0, :, F:].min()) if F < 3000 else float(feats.min())
    assert F == 3000 or bool((feats[0, :, F:] == floor).all()), "frames past L_mel + 8 are not all the floor"
    assert floor == float(feats.min())

    # ---- prefill with taps ------------------------------------------------------------------------------
    R1, R2, R3 = min(3000, 2 * l_mel + 16), min(1500, l_mel + 16), min(750, n_tok + 8)
    taps, hooks, record = {}, [], [True]
    tower, lm = model.model.audio_tower, model.model.language_model
    first = lambda o: o[0] if isinstance(o, tuple) else o

    def keep(name, fn):
        def hook(mod, inp, out):
            if record[0]:
                assert name not in taps, name
                taps[name] = fn(out).detach().clone()
        return hook

    gelu = torch.nn.functional.gelu
    hooks += [tower.conv1.register_forward_hook(keep("enc_conv1_gelu", lambda o: gelu(o)[0].T[:R1])),
              tower.conv2.register_forward_hook(keep("enc_conv2_gelu", lambda o: gelu(o)[0].T[:R2])),
              tower.layers[0].register_forward_hook(keep("enc_layer0_out", lambda o: first(o)[0, :R2])),
              tower.register_forward_hook(keep("enc_last_hidden_state", lambda o: o.last_hidden_state[0, :R3])),
              model.model.multi_modal_projector.register_forward_hook(
                  keep("audio_features", lambda o: o[0, :n_tok])),
              lm.layers[0].register_forward_hook(keep("lm_layer0_out", lambda o: first(o)[0])),
              lm.register_forward_hook(keep("lm_final_hidden", lambda o: o.last_hidden_state[0]))]

    def pre(mod, a, kw):
        if record[0]:
            taps["lm_inputs_embeds"] = kw["inputs_embeds"][0].detach().clone()
    hooks.append(lm.register_forward_pre_hook(pre, with_kwargs=True))

    t = time.perf_counter()
    with torch.inference_mode():
        out = model(input_ids=ids, attention_mask=inputs["attention_mask"], input_features=feats,
                    feature_attention_mask=fam, use_cache=True)
        record[0] = False
        logits = out.logits[0]
        assert logits.shape == (S, qf.VOCAB_SIZE)
        # consistency of the taps with each other
        audio_pos = (ids[0] == qf.AUDIO).nonzero()[:, 0]
        assert torch.equal(taps["lm_inputs_embeds"][audio_pos], taps["audio_features"])
        torch.testing.assert_close(model.lm_head(taps["lm_final_hidden"][-1:])[0], logits[-1], rtol=0, atol=1e-5)
        torch.testing.assert_close(model.model.multi_modal_projector(taps["enc_last_hidden_state"][:n_tok]),
                                   taps["audio_features"], rtol=0, atol=1e-5)

        # ---- greedy with the KV cache ---------------------------------------------------------------------
        past, step_logits, greedy = out.past_key_values, logits[-1], []
        mask = inputs["attention_mask"]
        maxes, margins = [], []
        for step in range(GREEDY_STEPS):
            top2 = torch.topk(step_logits, 2)
            tok = int(torch.argmax(step_logits))
            assert tok == int(top2.indices[0])
            greedy.append(tok)
            maxes.append(float(top2.values[0]))
            margins.append(float(top2.values[0] - top2.values[1]))
            if step == GREEDY_STEPS - 1:
                break
            mask = torch.cat([mask, torch.ones(1, 1, dtype=mask.dtype)], dim=1)
            o = model(input_ids=torch.tensor([[tok]]), attention_mask=mask, past_key_values=past, use_cache=True)
            past, step_logits = o.past_key_values, o.logits[0, -1]
        t_cached = time.perf_counter() - t

        # ---- the same without cache: recompute the whole sequence (audio included) every step -------------
        seq, nocache_max_diff = ids, 0.0
        for step in range(GREEDY_STEPS):
            o = model(input_ids=seq, attention_mask=torch.ones_like(seq), input_features=feats,
                      feature_attention_mask=fam, use_cache=False)
            tok = int(torch.argmax(o.logits[0, -1]))
            assert tok == greedy[step], (step, tok, greedy)
            nocache_max_diff = max(nocache_max_diff, abs(float(o.logits[0, -1].max()) - maxes[step]))
            seq = torch.cat([seq, torch.tensor([[tok]])], dim=1)
        assert nocache_max_diff < 1e-4, nocache_max_diff

        # ---- and HF generate() (greedy, cache); it may stop at an EOS, so compare the prefix ---------------
        g = model.generate(**inputs, max_new_tokens=GREEDY_STEPS, do_sample=False, repetition_penalty=1.0,
                           top_k=None, top_p=None, temperature=None)[0, S:].tolist()
        assert g == greedy[:len(g)], (g, greedy)
    for h in hooks:
        h.remove()
    min_margin = min(margins)
    log(f"greedy {greedy}\n  min top1-top2 margin {min_margin:.5f}; no-cache loop equal (max |d max-logit| "
        f"{nocache_max_diff:.2e}); generate() equal on {len(g)} tokens ({time.perf_counter() - t:.1f} s)")
    if min_margin <= MIN_MARGIN:
        sys.exit(f"smallest top-1/top-2 margin {min_margin} <= {MIN_MARGIN}: pick another --question")

    # ---- write the fixture ----------------------------------------------------------------------------------
    tensors = {
        "input_features": feats[0, :, :F],
        "input_ids": ids[0].to(torch.int32),
        **{k: taps[k] for k in ("enc_conv1_gelu", "enc_conv2_gelu", "enc_layer0_out", "enc_last_hidden_state",
                                "audio_features", "lm_inputs_embeds", "lm_layer0_out", "lm_final_hidden")},
        "logits_last": logits[-1],
        "logits_rows": logits[:, :LOGIT_COLUMNS],
        "greedy_ids": torch.tensor(greedy, dtype=torch.int32),
        "greedy_logits_max": torch.tensor(maxes, dtype=torch.float32),
    }
    shapes = {"input_features": (128, F), "input_ids": (S,), "enc_conv1_gelu": (R1, d), "enc_conv2_gelu": (R2, d),
              "enc_layer0_out": (R2, d), "enc_last_hidden_state": (R3, d), "audio_features": (n_tok, D),
              "lm_inputs_embeds": (S, D), "lm_layer0_out": (S, D), "lm_final_hidden": (S, D),
              "logits_last": (qf.VOCAB_SIZE,), "logits_rows": (S, LOGIT_COLUMNS), "greedy_ids": (GREEDY_STEPS,),
              "greedy_logits_max": (GREEDY_STEPS,)}
    arrays = {}
    for k, v in tensors.items():
        assert tuple(v.shape) == shapes[k], (k, tuple(v.shape), shapes[k])
        assert v.dtype in (torch.float32, torch.int32), (k, v.dtype)
        arrays[k] = np.ascontiguousarray(v.detach().numpy())
    os.makedirs(args.fixture_dir, exist_ok=True)
    audio.astype("<f4").tofile(os.path.join(args.fixture_dir, "audio.f32"))
    safetensors.numpy.save_file(arrays, os.path.join(args.fixture_dir, "reference.safetensors"),
                                metadata={"format": "np"})
    top5 = torch.topk(logits[-1], 5)
    model_files = sorted(os.listdir(args.model_dir))
    ref = {
        "geometry": args.geometry,
        "config": cfg,
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
                     "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "safetensors": safetensors.__version__},
        "reference_run": {"dtype": "float32 (upcast from the stored bf16)", "attn_implementation": "eager",
                          "threads": torch.get_num_threads(), "device": "cpu"},
        "audio": {"file": "audio.f32", "format": "float32 little-endian, mono, raw", "sample_rate": 16000,
                  "n_samples": n, "description": "exponential sine sweep 100 Hz -> 4 kHz, amplitude 0.5, "
                                                 "10 ms linear fades (qwen2audio_fixture.sine_sweep)"},
        "question": args.question,
        "prompt_text": qf.render_prompt(args.question),
        "input_ids": ids[0].tolist(),
        "L_mel": l_mel, "L2": l2, "N_tok": n_tok, "S": S,
        "features_frames_stored": F, "features_floor": floor, "features_max": float(feats.max()),
        "tap_rows": {"R1": R1, "R2": R2, "R3": R3},
        "greedy": {"steps": GREEDY_STEPS, "ids": greedy, "logits_max": maxes, "top1_top2_margins": margins,
                   "min_top1_top2_margin": min_margin,
                   "rule": "argmax of the last position every step (first step = prefill), KV cache, no EOS stop, "
                           "no repetition penalty; equals a loop recomputing the full sequence without cache",
                   "generate_prefix_equal": len(g)},
        "logits_last_top5": {"ids": top5.indices.tolist(), "values": top5.values.tolist()},
        "taps": {k: {"dtype": "F32" if arrays[k].dtype == np.float32 else "I32", "shape": list(arrays[k].shape)}
                 for k in sorted(arrays)},
        "weights": {
            "seed": args.seed,
            "prng": "qwen2audio_fixture.py docstring: fnv1a64(seed:name) + splitmix64 counter, "
                    "u=(z>>40)/2^24, v=f32(offset+(2u-1)*scale), bf16 round-to-nearest-even",
            "checksum": "fnv1a64 over the raw little-endian bf16 bytes, hex",
            "files": files,
            "total_parameters": int(sum(int(np.prod(v["shape"])) for v in info.values())),
            "tensors": info,
        },
        "model_dir_files": model_files,
        "prng_self_test": {k: qf.prng_reference_scalar(k, tuple(info[k]["shape"]), 4, args.seed)
                           for k in ("audio_tower.conv1.weight", "language_model.model.norm.weight",
                                     "language_model.lm_head.weight")},
    }
    qf.write_json(os.path.join(args.fixture_dir, "reference.json"), ref)

    log(f"\nL_mel {l_mel}  L2 {l2}  N_tok {n_tok}  S {S}  floor {floor:.6f}")
    log(f"logits_last top5 {top5.indices.tolist()} {[round(x, 5) for x in top5.values.tolist()]}")
    log("fixture files:")
    for f in sorted(os.listdir(args.fixture_dir)):
        log(f"  {f:28s} {os.path.getsize(os.path.join(args.fixture_dir, f)):>10,d} B")
    total = sum(os.path.getsize(os.path.join(args.fixture_dir, f)) for f in os.listdir(args.fixture_dir))
    log(f"  total {total:,d} B")
    assert total < 1_500_000, total
    log(f"model dir {args.model_dir}:")
    for f in model_files:
        log(f"  {f:36s} {os.path.getsize(os.path.join(args.model_dir, f)):>12,d} B")


if __name__ == "__main__":
    main()
