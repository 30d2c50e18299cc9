#!/usr/bin/env python3
"""Writes the tokenizer goldens: transformers' ids and decodes for a fixed text set and seeded random strings.

    python3 Tools/make_tokenizer_files.py .cache/tokenizer          # once, standard library only
    /tmp/venv/bin/python Tools/make_tokenizer_goldens.py [--tokenizer-dir .cache/tokenizer]

Output: Tests/QwenAudioTokenizerTests/Fixtures/goldens.json with

* `cases`: named texts (scripts, contractions, numbers, emoji, code, whitespace, NFD input, special tokens, …) and
  `random`: strings from a seeded generator that mixes scripts, punctuation, whitespace and special tokens.
  Each has `text`, `ids` (`tokenizer(text)["input_ids"]`), `decoded` (`decode(ids)`) and `decoded_skip`
  (`decode(ids, skip_special_tokens=True)`).
* `decode_cases`: id lists that are not the encoding of any text (a character cut in half, invalid UTF-8 made of
  byte tokens, ids with no token) and their `decoded` / `decoded_skip`.

The tokenizer is loaded with `AutoTokenizer.from_pretrained` (transformers 5 rebuilds the Qwen2 pipeline from
vocab and merges) and every id list is also checked against tokenizers' `Tokenizer.from_file("tokenizer.json")`,
so the goldens vouch for both the files and the pipeline.
"""

import argparse
import json
import os
import random
import sys
import unicodedata

import tokenizers
import transformers
from tokenizers import Tokenizer as RustTokenizer
from transformers import AutoTokenizer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "Tests", "QwenAudioTokenizerTests", "Fixtures", "goldens.json")
SEED = 20250611
RANDOM_COUNT = 200

CHAT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nAudio 1: "
    "<|audio_bos|><|AUDIO|><|audio_eos|>\nWhat's that sound?<|im_end|>\n<|im_start|>assistant\n"
)

CASES = [
    ("empty", ""),
    ("fox", "The quick brown fox jumps over the lazy dog."),
    ("hello", "Hello world"),
    ("hello_space", " Hello world"),
    ("chat_prompt", CHAT),
    ("contractions_lower", "I'm sure you're right: it's what we've said, they'll go, he'd stay, don't."),
    ("contractions_upper", "I'M SURE YOU'RE RIGHT, IT'S WHAT WE'VE SAID, THEY'LL GO, HE'D STAY, DON'T 'S 'T"),
    ("contractions_mixed", "'S 's 'T 'Re 'rE 'Ve 'vE 'M 'Ll 'lL 'D 'x 'sam 'llama '' ' s 'ſ"),
    ("numbers", "In 2024, 3.14159 × 10^6 = 3141590; call +1 (555) 010-9999 or 1,234,567.89 ₩."),
    ("long_digits", "12345678901234567890123456789012345678901234567890 and 0000000007"),
    ("unicode_numbers", "Ⅻ ½ ² ③ ٣٤٥ ߁ 四五六 १२३"),
    ("chinese", "今天天气很好，我们去公园散步吧。人工智能正在改变世界！"),
    ("japanese", "こんにちは、世界。カタカナとひらがなと漢字を混ぜた文章です。ｶﾀｶﾅ"),
    ("cantonese", "佢哋話咁樣唔係幾好嘅，你食咗飯未呀？冇問題啦，嚟啦！"),
    ("korean", "안녕하세요, 세계! 한국어 텍스트를 토큰화합니다."),
    ("greek", "Καλημέρα κόσμε· η γρήγορη καφέ αλεπού;"),
    ("cyrillic", "Съешь же ещё этих мягких французских булок, да выпей чаю."),
    ("arabic", "مرحبا بالعالم! هذا نص عربي للاختبار ١٢٣."),
    ("hebrew_thai_hindi", "שלום עולם สวัสดีชาวโลก नमस्ते दुनिया"),
    ("emoji_simple", "I ❤️ 🍕 and 😀😃😄!"),
    ("emoji_zwj", "Family: 👨‍👩‍👧‍👦, coder: 👩🏽‍💻, rainbow flag: 🏳️‍🌈"),
    ("emoji_skin_flags", "👍🏻👍🏼👍🏽👍🏾👍🏿 🇯🇵🇺🇸🇨🇳🇩🇪 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣#️⃣"),
    ("python_tabs", "def add(a, b):\n\t\"\"\"Add.\"\"\"\n\tif a:\n\t\treturn a + b  # sum\n\treturn b\n"),
    ("code_mixed", "for (int i = 0; i < n; ++i) { x[i] += y[i] * 2; }\n    // done\r\n"),
    ("whitespace_runs", "a  b   c    d\t\te \n\n f\r\n\r\ng   \n   h  "),
    ("crlf_only", "\r\n\r\n\r\n"),
    ("trailing_spaces", "end with spaces   "),
    ("leading_spaces", "     leading"),
    ("only_spaces", "          "),
    ("unicode_spaces", "a\u00a0b\u3000c\u2009d\u200be\u0085f\u2028g\u180eh\x0bi\x0cj\x1ck"),
    ("nfd_accents", unicodedata.normalize("NFD", "café naïve résumé Ångström Łódź Việt Nam")),
    ("nfd_hangul", unicodedata.normalize("NFD", "한국어")),
    ("singletons", "\u212b \u2126 \u212a \u0340 \u0374 \u037e \u0387"),
    ("combining_extra", "e\u0301\u0301 a\u0323\u0302 q\u0307\u0323 \u0301start"),
    ("special_inline", "<|im_start|>user\nHi there<|im_end|>"),
    ("special_audio", "<|AUDIO|><|AUDIO|><|AUDIO|>"),
    ("special_bos", "<|audio_bos|>x<|audio_eos|> <|endoftext|>"),
    ("special_partial", "<|im_start <|AUDIO| <|audio_bos|<|im_end|>|> <|extra_0|>"),
    ("special_adjacent_text", "before<|im_end|>after<|endoftext|>"),
    ("special_nfd_around", unicodedata.normalize("NFD", "é<|AUDIO|>é")),
    ("long_word", "Pneumonoultramicroscopicsilicovolcanoconiosis" * 8),
    ("long_cjk_run", "中华人民共和国国务院总理在北京人民大会堂会见了来访的代表团成员" * 6),
    ("long_space_run", " " * 300 + "x"),
    ("repeated_punct", "!!!??? ... --- === *** ~~~ \"\"\" ''' ```"),
    ("punct_newlines", "Hello!\n\nWorld?\r\n\r\n...\n"),
    ("url_email", "https://example.com/path?q=1&r=%20 mail: user.name+tag@example.co.uk"),
    ("json", '{"key": [1, 2.5, null, true], "nested": {"a": "b"}}'),
    ("latin1_symbols", "© ® ° ± µ ¶ · ¿ × ÷ ß ð þ ÿ ¡ ¬ \u00ad"),
    ("controls", "a\x00b\x01c\x7fd\x1be"),
    ("mixed_scripts", "Hello世界Привет123こんにちは!"),
    ("apostrophe_variants", "it’s don’t ‘quoted’ \"double\" „low” «guillemets»"),
]


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def random_text(rng):
    """One string of 1-30 pieces drawn from scripts, punctuation, whitespace, emoji, NFD and special tokens."""
    def span(lo, hi, k):
        return "".join(chr(rng.randint(lo, hi)) for _ in range(k))

    words = ["the", "Quick", "BROWN", "don't", "I'M", "we'LL", "it'S", "they're", "x", "naïve", "café", "Zoë", "a",
             "OpenAI", "iPhone", "e.g.", "U.S.A.", "co-op", "snake_case", "camelCase"]
    emoji = ["😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "🏳️‍🌈", "❤️", "1️⃣", "🤖", "🎵", "🧑🏿‍🚀"]
    specials = ["<|im_start|>", "<|im_end|>", "<|AUDIO|>", "<|audio_bos|>", "<|audio_eos|>", "<|endoftext|>",
                "<|im_", "<|AUDIO", "|>"]
    spaces = [" ", "  ", "   ", "\t", "\n", "\r\n", "\r", "\n\n", " \n ", "\u00a0", "\u3000", "\u2009", "\x0b",
              "\x0c", "\u0085", "\u2028", "\u200b", " \t "]
    punct = list("!?.,;:-()[]{}<>\"'`~@#$%^&*_+=|\\/") + ["。", "，", "、", "「", "」", "！", "…", "—", "–", "·", "§"]
    makers = [
        lambda: rng.choice(words),
        lambda: "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 12))),
        lambda: rng.choice(["٣٤٥", "²", "Ⅻ", "①", "½", "१२"]),
        lambda: "".join(rng.choice(punct) for _ in range(rng.randint(1, 4))),
        lambda: rng.choice(spaces),
        lambda: span(0x4E00, 0x9FA5, rng.randint(1, 8)),            # CJK unified ideographs
        lambda: span(0x3041, 0x3093, rng.randint(1, 6)),            # hiragana
        lambda: span(0x30A1, 0x30F3, rng.randint(1, 6)),            # katakana
        lambda: span(0xAC00, 0xD7A3, rng.randint(1, 5)),            # hangul syllables
        lambda: span(0x0391, 0x03A9, 1) + span(0x03B1, 0x03C9, rng.randint(1, 6)),  # greek
        lambda: span(0x0410, 0x044F, rng.randint(1, 8)),            # cyrillic
        lambda: span(0x0621, 0x063A, rng.randint(1, 6)),            # arabic
        lambda: span(0x0E01, 0x0E2E, rng.randint(1, 6)),            # thai
        lambda: span(0x00C0, 0x00FF, rng.randint(1, 3)),            # latin-1 letters and × ÷
        lambda: rng.choice(emoji),
        lambda: rng.choice("aeiouAEIOU") + rng.choice(["\u0301", "\u0308", "\u0323\u0302", "\u030a", "\u0300"]),
        lambda: "\u1100\u1161" + rng.choice(["", "\u11a8"]),        # conjoining jamo, composed by NFC
        lambda: rng.choice(specials),
        lambda: rng.choice(["'s", "'T", "'re", "'VE", "'m", "'Ll", "'d", "'"]),
    ]
    pieces = []
    for _ in range(rng.randint(1, 30)):
        pieces.append(rng.choice(makers)())
        if rng.random() < 0.3:
            pieces.append(" ")
    return "".join(pieces)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizer-dir", default=os.path.join(REPO, ".cache", "tokenizer"))
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()

    tok = AutoTokenizer.from_pretrained(args.tokenizer_dir)
    rust = RustTokenizer.from_file(os.path.join(args.tokenizer_dir, "tokenizer.json"))
    if len(tok) != 151649:
        sys.exit(f"expected 151649 ids, the tokenizer has {len(tok)}")

    def record(text, name=None):
        ids = tok(text)["input_ids"]
        rust_ids = rust.encode(text).ids
        if ids != rust_ids:
            sys.exit(f"transformers and tokenizer.json disagree on {text!r}: {ids} vs {rust_ids}")
        entry = {"name": name} if name else {}
        entry.update(text=text, ids=ids, decoded=tok.decode(ids),
                     decoded_skip=tok.decode(ids, skip_special_tokens=True))
        return entry

    cases = [record(text, name) for name, text in CASES]
    chat = next(c for c in cases if c["name"] == "chat_prompt")["ids"]
    expected_chat = [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 14755, 220,
                     16, 25, 220, 151647, 151646, 151648, 198, 3838, 594, 429, 5112, 30, 151645, 198, 151644, 77091,
                     198]
    if chat != expected_chat:
        sys.exit(f"the chat prompt encodes to {chat}, not the ids of model spec §8")
    fox = next(c for c in cases if c["name"] == "fox")["ids"]
    if fox != [785, 3974, 13876, 38835, 34208, 916, 279, 15678, 5562, 13]:
        sys.exit(f"the fox sentence encodes to {fox}")

    rng = random.Random(SEED)
    randoms = [record(random_text(rng)) for _ in range(RANDOM_COUNT)]

    byte_map = bytes_to_unicode()

    def byte_ids(*values):
        return [tok.convert_tokens_to_ids(byte_map[b]) for b in values]

    hello = tok("Hello")["input_ids"]
    hieroglyph = tok("\U00013000")["input_ids"]  # 𓀀: one character, three tokens (checked below)
    rare = tok("\U0001F9D1\u200D\U0001F680")["input_ids"]  # 🧑‍🚀
    decode_ids = [
        ("ids_without_token", [151649] + hello + [156031, 151700]),
        ("lone_continuation", byte_ids(0x80) + hello),
        ("truncated_3_byte", byte_ids(0xE4, 0xB8) + hello),
        ("truncated_4_byte_at_end", hello + byte_ids(0xF0, 0x9F, 0x98)),
        ("overlong", byte_ids(0xC0, 0x80, 0xE0, 0x80, 0x80)),
        ("surrogate", byte_ids(0xED, 0xA0, 0x80)),
        ("above_max", byte_ids(0xF4, 0x90, 0x80, 0x80)),
        ("invalid_lead", byte_ids(0xFF, 0xFE, 0xF5)),
        ("half_hieroglyph", hieroglyph[:-1]),
        ("half_astronaut_then_special", rare[:1] + [151645] + rare[1:]),
        ("specials_only", [151643, 151644, 151645, 151646, 151647, 151648]),
        ("special_between_bytes", byte_ids(0xE4) + [151646] + byte_ids(0xB8, 0xAD)),
        ("empty", []),
    ]
    if len(hieroglyph) < 2:
        sys.exit(f"U+13000 is one token ({hieroglyph}); pick another character for half_hieroglyph")
    decode_cases = [
        {"name": name, "ids": ids, "decoded": tok.decode(ids), "decoded_skip": tok.decode(ids, skip_special_tokens=True)}
        for name, ids in decode_ids
    ]

    out = {
        "generator": "Tools/make_tokenizer_goldens.py",
        "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                     "python": sys.version.split()[0], "unicodedata": unicodedata.unidata_version},
        "seed": SEED,
        "cases": cases,
        "random": randoms,
        "decode_cases": decode_cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    # One case per line: compact, yet a regenerated file diffs case by case.
    def dumps(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = []
    for key, value in out.items():
        if isinstance(value, list):
            items = ",\n".join("  " + dumps(item) for item in value)
            lines.append(f"{dumps(key)}:[\n{items}\n]")
        else:
            lines.append(f"{dumps(key)}:{dumps(value)}")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"wrote {args.out}: {len(cases)} cases, {len(randoms)} random, {len(decode_cases)} decode cases, "
          f"{os.path.getsize(args.out):,} bytes")


if __name__ == "__main__":
    main()
