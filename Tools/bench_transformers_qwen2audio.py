#!/usr/bin/env python3
"""CPU timings of Hugging Face transformers on a Qwen2-Audio model directory (the baseline the Swift port is
compared with). Adapted from the team's shared/spec/bench/hf_qwen2audio_bench.py, but it loads a real model
DIRECTORY (config + safetensors + tokenizer + preprocessor) instead of building a random model in memory, and it
runs the real prompt: a 30 s clip through Qwen2AudioProcessor and the chat template (750 audio tokens + template).

Make the directory first (PRNG weights, ~2.5 GB bf16: the real encoder + a Qwen2-0.5B-shaped decoder):
  /tmp/venv/bin/python Tools/make_tiny_qwen2audio.py --geometry mid --model-dir /tmp/qwen-mid
Then:
  /tmp/venv/bin/python Tools/bench_transformers_qwen2audio.py --model-dir /tmp/qwen-mid --dtype bfloat16 \\
      --threads 2 --reps 1

Prints JSON lines, one per measurement, then a summary line:
  load          model load time (from_pretrained, weights converted to --dtype) and processor load time
  encoder       audio tower + projector on 30 s of audio (128 x 3000 log-mel frames -> 750 rows), ms
  prefill       LM-only prefill of the real prompt (inputs_embeds with the 750 audio rows spliced in; logits of the
                last position only), tok/s
  decode        greedy decode of --new-tokens tokens on that prefill's KV cache: one full-model forward of one
                token per step (what generate() runs, without its bookkeeping), tok/s and per-step seconds
  generate      (--generate) model.generate() greedy, no repetition penalty, min_new_tokens so it never stops early:
                time to first token (encoder + prefill) and decode tok/s, timed by a LogitsProcessor per step
  summary       everything above + peak RSS (ru_maxrss of this process) and the load average
Medians over --reps repetitions after --warmup untimed ones (decode and generate: --reps runs, no warm-up).
torch 2.13 CPU note: bf16 Conv1d is very slow (single-threaded, ~0.6 GFLOP/s: conv2 alone takes ~25 s) and bf16
Linear runs at ~1/4 of f32, so a bf16 mid run costs ~3 min with --reps 1 --warmup 0; f32 is much faster here.
The features come from the processor once (not timed): the Swift front end is timed separately.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qwen2audio_fixture as qf  # noqa: E402


def med(xs):
    return dict(median=statistics.median(xs), min=min(xs), max=max(xs), n=len(xs))


def rss_gib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576.0


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs before the encoder and prefill reps")
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--seconds", type=float, default=30.0, help="clip length (30 s -> 750 audio tokens)")
    ap.add_argument("--question", default="What's that sound?")
    ap.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
    ap.add_argument("--skip-encoder", action="store_true",
                    help="do not time the encoder; splice zeros for the audio rows (prefill/decode cost is the same)")
    ap.add_argument("--generate", action="store_true",
                    help="also time model.generate() (TTFT incl. encoder, decode through HF's loop)")
    args = ap.parse_args()

    import torch
    import transformers
    from transformers import (AutoProcessor, LogitsProcessor, LogitsProcessorList,
                              Qwen2AudioForConditionalGeneration)

    class StepTimer(LogitsProcessor):
        def __init__(self):
            self.t = []

        def __call__(self, input_ids, scores):
            self.t.append(time.perf_counter())
            return scores

    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    head = dict(model_dir=os.path.abspath(args.model_dir), dtype=args.dtype, threads=torch.get_num_threads(),
                attn=args.attn, torch=torch.__version__, transformers=transformers.__version__)
    summary = dict(head, loadavg_start=os.getloadavg())

    # ---- load -------------------------------------------------------------------------------------------------
    t = time.perf_counter()
    model = Qwen2AudioForConditionalGeneration.from_pretrained(args.model_dir, dtype=dtype,
                                                               attn_implementation=args.attn).eval()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    processor = AutoProcessor.from_pretrained(args.model_dir)
    proc_s = time.perf_counter() - t
    n_params = sum(p.numel() for p in model.parameters())
    weights_gb = sum(os.path.getsize(os.path.join(args.model_dir, f)) for f in os.listdir(args.model_dir)
                     if f.endswith(".safetensors")) / 1e9
    summary.update(load_s=load_s, processor_load_s=proc_s, params_M=n_params / 1e6, weights_GB_on_disk=weights_gb,
                   rss_after_load_GiB=rss_gib())
    emit(dict(metric="load", model_load_s=load_s, processor_load_s=proc_s, params_M=n_params / 1e6,
              weights_GB_on_disk=weights_gb, rss_GiB=rss_gib()))

    # ---- inputs: the real prompt for a 30 s clip -------------------------------------------------------------
    n_samples = int(round(args.seconds * 16000))
    audio = qf.sine_sweep(n_samples=n_samples)
    l_mel, l2, n_tok = qf.audio_token_counts(n_samples)
    conversation = [{"role": "user", "content": [{"type": "audio", "audio_url": "clip.wav"},
                                                 {"type": "text", "text": args.question}]}]
    text = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
    inputs = processor(text=text, audio=[audio], sampling_rate=16000, return_tensors="pt")
    ids, feats, fam = inputs["input_ids"], inputs["input_features"].to(dtype), inputs["feature_attention_mask"]
    S = ids.shape[1]
    assert int((ids == qf.AUDIO).sum()) == n_tok
    summary.update(audio_seconds=args.seconds, audio_tokens=n_tok, prompt_tokens=S)

    tower, proj = model.model.audio_tower, model.model.multi_modal_projector
    lm, emb = model.model.language_model, model.model.get_input_embeddings()
    # The key padding mask is all-valid for a 30 s clip (L2 = 1500): the model passes no masking then.
    if l2 < 1500:
        from transformers.masking_utils import create_bidirectional_mask
        m2 = (torch.arange(1500)[None, :] < l2).long()
        enc_mask = create_bidirectional_mask(config=tower.config, inputs_embeds=torch.zeros(1, 1500, 1, dtype=dtype),
                                             attention_mask=m2)
    else:
        enc_mask = None

    with torch.inference_mode():
        # ---- encoder + projector --------------------------------------------------------------------------
        enc = []
        if args.skip_encoder:  # timing only: zeros in place of the projector rows
            af = torch.zeros(n_tok, model.config.text_config.hidden_size, dtype=dtype)
        for r in range(0 if args.skip_encoder else args.warmup + args.reps):
            t = time.perf_counter()
            af = proj(tower(feats, attention_mask=enc_mask).last_hidden_state)[0, :n_tok]
            if r >= args.warmup:
                enc.append(time.perf_counter() - t)
        if enc:
            enc_ms = {k: (v * 1000 if k != "n" else v) for k, v in med(enc).items()}
            summary["encoder_projector_ms"] = enc_ms
            emit(dict(metric="encoder", audio_seconds=args.seconds, frames=3000, rows=n_tok, ms=enc_ms,
                      x_realtime=args.seconds / statistics.median(enc)))

        # ---- LM-only prefill of the real prompt, then greedy decode steps on its KV cache --------------
        embeds = emb(ids).masked_scatter((ids == qf.AUDIO)[..., None], af.to(dtype))
        pre, dec, steps = [], [], []
        for r in range(args.warmup + args.reps):
            timed = r >= args.warmup
            t = time.perf_counter()
            out = lm(inputs_embeds=embeds, use_cache=True)
            logits = model.lm_head(out.last_hidden_state[:, -1:])
            if not timed:
                continue
            pre.append(time.perf_counter() - t)
            cache, mask = out.past_key_values, torch.ones(1, S, dtype=torch.long)
            tok = logits[0, -1].argmax()
            t0 = last = time.perf_counter()
            for _ in range(args.new_tokens):
                mask = torch.cat([mask, torch.ones(1, 1, dtype=torch.long)], dim=1)
                o = model(input_ids=tok.view(1, 1), attention_mask=mask, past_key_values=cache, use_cache=True)
                cache, tok = o.past_key_values, o.logits[0, -1].argmax()
                now = time.perf_counter()
                steps.append(now - last)
                last = now
            dec.append(time.perf_counter() - t0)
        summary["prefill_s"] = med(pre)
        summary["prefill_tok_per_s"] = S / statistics.median(pre)
        emit(dict(metric="prefill", tokens=S, s=med(pre), tok_per_s=S / statistics.median(pre)))
        dec_tps = dict(median=args.new_tokens / statistics.median(dec), min=args.new_tokens / max(dec),
                       max=args.new_tokens / min(dec), n=len(dec))
        summary.update(decode_tok_per_s=dec_tps, decode_step_s=med(steps))
        emit(dict(metric="decode", context_start=S, new_tokens=args.new_tokens, tok_per_s=dec_tps,
                  step_s=med(steps)))

        # ---- generate(): TTFT and decode through HF's generation loop (runs the encoder again) ----------
        if args.generate:
            n_new = args.new_tokens + 1  # the first token comes from the prefill step
            ttft, tot, step = [], [], []
            for r in range(args.reps):
                st = StepTimer()
                t = time.perf_counter()
                g = model.generate(**inputs, max_new_tokens=n_new, min_new_tokens=n_new, do_sample=False,
                                   repetition_penalty=1.0, top_k=None, top_p=None, temperature=None,
                                   logits_processor=LogitsProcessorList([st]))
                assert g.shape[1] - S == n_new, g.shape
                ttft.append(st.t[0] - t)
                tot.append(st.t[-1] - st.t[0])
                step.append(statistics.median([b - a for a, b in zip(st.t[:-1], st.t[1:])]))
            gdec = dict(median=args.new_tokens / statistics.median(tot), min=args.new_tokens / max(tot),
                        max=args.new_tokens / min(tot), n=len(tot))
            summary.update(generate_ttft_s=med(ttft), generate_decode_tok_per_s=gdec)
            emit(dict(metric="generate", prompt_tokens=S, new_tokens=args.new_tokens, ttft_s=med(ttft),
                      decode_tok_per_s=gdec, decode_step_median_s=med(step)))

    summary.update(peak_rss_GiB=rss_gib(), loadavg_end=os.getloadavg())
    emit(dict(metric="summary", **summary))


if __name__ == "__main__":
    main()
