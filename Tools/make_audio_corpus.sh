#!/usr/bin/env bash
# Builds the audio-decoding test corpus in Tests/QwenAudioIOTests/Fixtures/corpus/.
#
# Every clip is espeak-ng speech (fixed voice, fixed text), resampled by sox with
# dither off (-D) in repeatable mode (-R), then written by sox or ffmpeg with
# bit-exact flags, so reruns with the same tool versions give the same bytes.
#
# Needs: espeak-ng, sox (+ libsox-fmt-all for AMR-NB), ffmpeg/ffprobe (with libmp3lame,
# libgsm, libvorbis, libopus), python3 (standard library only).
#
# Usage: Tools/make_audio_corpus.sh [OUT_DIR]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/Tests/QwenAudioIOTests/Fixtures/corpus}"
PY="${PYTHON:-python3}"
export LC_ALL=C

for tool in espeak-ng sox ffmpeg ffprobe "$PY"; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

SOX=(sox -D -R -V1)                                   # no dither, repeatable
FF=(ffmpeg -nostdin -hide_banner -loglevel error -y)
FFOUT=(-fflags +bitexact -flags:a +bitexact -map_metadata -1)   # output-side flags

# Fixed texts (2.0-2.6 s each with the en-us voice at the default speed).
TEXT_A="Please close the door behind you."
TEXT_B="Open the window, it is warm today."
TEXT_C="Seven green apples fell from the old tree."
TEXT_D="Hello, this is a short audio test."

for id in A B C D; do
  var="TEXT_$id"
  espeak-ng -v en-us -w "$WORK/espeak_$id.wav" "${!var}"
done

# src ID RATE -> $WORK/src_ID_RATE.wav : mono s16 PCM, the exact input of the encoders.
src() {
  local f="$WORK/src_$1_$2.wav"
  [[ -f "$f" ]] || "${SOX[@]}" "$WORK/espeak_$1.wav" -t wavpcm -e signed -b 16 -c 1 "$f" rate -v "$2"
  echo "$f"
}
nsamples() { soxi -s "$1"; }

# Rows of the manifest table, tab-separated:
# file  container  codec  text_id  source_samples  source_rate
ROWS="$WORK/rows.tsv"
: > "$ROWS"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$ROWS"; }

# ---------------------------------------------------------------- WAV variants
# s16 16 kHz mono (sox writer: plain 16-byte fmt chunk, tag 1)
f="$OUT/pcm16_16k_mono.wav"
"${SOX[@]}" "$WORK/espeak_A.wav" -t wavpcm -e signed -b 16 -c 1 "$f" rate -v 16000
row pcm16_16k_mono.wav wav pcm_s16le A "$(nsamples "$f")" 16000

# s16 44.1 kHz stereo (ffmpeg writer, with a LIST/INFO chunk before 'data')
s="$(src A 44100)"
"${FF[@]}" -i "$s" -ac 2 -c:a pcm_s16le -fflags +bitexact -flags:a +bitexact -map_metadata -1 \
  -metadata title="QwenAudio corpus" "$OUT/pcm16_44k_stereo.wav"
row pcm16_44k_stereo.wav wav pcm_s16le A "$(nsamples "$s")" 44100

# s24 48 kHz mono, plain WAVE_FORMAT_PCM (tag 1) header
f="$OUT/pcm24_48k.wav"
"${SOX[@]}" "$WORK/espeak_A.wav" -t wavpcm -e signed -b 24 -c 1 "$f" rate -v 48000
row pcm24_48k.wav wav pcm_s24le A "$(nsamples "$f")" 48000

# float32 22.05 kHz (espeak's own rate, no resampling): tag 3 + 'fact' chunk
f="$OUT/float32_22k.wav"
"${SOX[@]}" "$WORK/espeak_A.wav" -t wavpcm -e floating-point -b 32 -c 1 "$f"
row float32_22k.wav wav pcm_f32le A "$(nsamples "$f")" 22050

# s16 8 kHz mono with a WAVE_FORMAT_EXTENSIBLE (0xFFFE) fmt chunk. Neither sox nor
# ffmpeg writes EXTENSIBLE for 16-bit mono, so the header is written here.
s="$(src A 8000)"
"$PY" - "$s" "$OUT/extensible_8k.wav" <<'EOF'
import struct, sys, wave
src, dst = sys.argv[1], sys.argv[2]
with wave.open(src, "rb") as w:
    assert w.getnchannels() == 1 and w.getsampwidth() == 2
    rate, data = w.getframerate(), w.readframes(w.getnframes())
guid_pcm = bytes.fromhex("0100000000001000800000aa00389b71")   # KSDATAFORMAT_SUBTYPE_PCM
fmt = struct.pack("<HHIIHH", 0xFFFE, 1, rate, rate * 2, 2, 16)
fmt += struct.pack("<HHI", 22, 16, 0x4) + guid_pcm            # cbSize, validBits, SPEAKER_FRONT_CENTER
body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
if len(data) % 2:
    body += b"\0"
open(dst, "wb").write(b"RIFF" + struct.pack("<I", len(body)) + body)
EOF
head -c 22 "$OUT/extensible_8k.wav" | tail -c 2 | od -An -tx1 | grep -q 'fe ff' \
  || { echo "extensible_8k.wav: format tag is not 0xFFFE" >&2; exit 1; }
row extensible_8k.wav wav pcm_s16le A "$(nsamples "$s")" 8000

# GSM 6.10, Microsoft variant (tag 0x0031), 8 kHz mono
s="$(src D 8000)"
"${FF[@]}" -i "$s" -c:a libgsm_ms -ar 8000 -ac 1 "${FFOUT[@]}" "$OUT/gsm_ms.wav"
row gsm_ms.wav wav gsm_ms D "$(nsamples "$s")" 8000

# Stereo 16 kHz, speech on the left channel only, right channel all zeros
s="$(src C 16000)"
"${SOX[@]}" "$s" -t wavpcm -e signed -b 16 "$OUT/stereo_left_only.wav" remix 1 0
row stereo_left_only.wav wav pcm_s16le C "$(nsamples "$s")" 16000

# ---------------------------------------------------------------- compressed
# MP3 22.05 kHz mono, 32 kb/s CBR (with the LAME/Xing info frame)
s="$(src B 22050)"
"${FF[@]}" -i "$s" -c:a libmp3lame -b:a 32k -ac 1 "${FFOUT[@]}" -id3v2_version 0 "$OUT/speech.mp3"
row speech.mp3 mp3 mp3 B "$(nsamples "$s")" 22050

# AAC-LC in ADTS, 16 kHz mono
s="$(src B 16000)"
"${FF[@]}" -i "$s" -c:a aac -b:a 32k -ac 1 "${FFOUT[@]}" -f adts "$OUT/speech_adts.aac"
row speech_adts.aac adts aac B "$(nsamples "$s")" 16000

# AAC-LC in MP4 (.m4a), 44.1 kHz mono, like phone voice memos
s="$(src B 44100)"
"${FF[@]}" -i "$s" -c:a aac -b:a 48k -ac 1 "${FFOUT[@]}" -f ipod "$OUT/speech.m4a"
row speech.m4a mp4 aac B "$(nsamples "$s")" 44100

# AMR-NB 12.2 kb/s, 8 kHz mono, RFC 4867 storage format ('#!AMR\n' + frames).
# Encoded with libopencore-amrnb with DTX OFF (like phone voice recorders). sox's amr-nb
# writer turns DTX on, and ffmpeg's native amrnb decoder cannot decode the SID frames
# ("Not yet implemented"), so sox is only a fallback when the library cannot be loaded.
s="$(src D 8000)"
if ! "$PY" - "$s" "$OUT/speech.amr" <<'PYEOF'
import ctypes, ctypes.util, sys, wave
lib = None
for name in ("libopencore-amrnb.so.0", ctypes.util.find_library("opencore-amrnb")):
    try:
        lib = ctypes.CDLL(name)
        break
    except (OSError, TypeError):
        pass
if lib is None:
    sys.exit(3)
lib.Encoder_Interface_init.restype = ctypes.c_void_p
lib.Encoder_Interface_init.argtypes = [ctypes.c_int]
lib.Encoder_Interface_Encode.restype = ctypes.c_int
lib.Encoder_Interface_Encode.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_short),
                                         ctypes.POINTER(ctypes.c_ubyte), ctypes.c_int]
lib.Encoder_Interface_exit.argtypes = [ctypes.c_void_p]
with wave.open(sys.argv[1], "rb") as w:
    assert w.getframerate() == 8000 and w.getnchannels() == 1 and w.getsampwidth() == 2
    pcm = w.readframes(w.getnframes())
frames = (len(pcm) // 2 + 159) // 160
pcm += b"\0" * (frames * 320 - len(pcm))          # zero-pad the last partial frame
state = lib.Encoder_Interface_init(0)             # dtx = 0
out = bytearray(b"#!AMR\n")
buf = (ctypes.c_ubyte * 64)()
for i in range(frames):
    speech = (ctypes.c_short * 160).from_buffer_copy(pcm[i * 320:(i + 1) * 320])
    k = lib.Encoder_Interface_Encode(state, 7, speech, buf, 0)   # 7 = MR122
    assert k == 32, k
    out += bytes(buf[:k])
lib.Encoder_Interface_exit(state)
open(sys.argv[2], "wb").write(out)
PYEOF
then
  echo "warning: libopencore-amrnb not loadable; using sox (DTX on)" >&2
  "${SOX[@]}" "$s" -t amr-nb -C 7 "$OUT/speech.amr"
fi
row speech.amr amr amr_nb D "$(nsamples "$s")" 8000

# 3GP with the AMR-NB stream above remuxed unchanged (what phones record)
"${FF[@]}" -i "$OUT/speech.amr" -c copy "${FFOUT[@]}" -f 3gp "$OUT/speech.3gp"
row speech.3gp 3gp amr_nb D "$(nsamples "$s")" 8000

# 3GP with AAC-LC, 16 kHz mono (.3gpp extension)
s="$(src D 16000)"
"${FF[@]}" -i "$s" -c:a aac -b:a 32k -ac 1 "${FFOUT[@]}" -f 3gp "$OUT/speech.3gpp"
row speech.3gpp 3gp aac D "$(nsamples "$s")" 16000

# FLAC 16 kHz mono (lossless)
s="$(src C 16000)"
"${FF[@]}" -i "$s" -c:a flac "${FFOUT[@]}" "$OUT/speech.flac"
row speech.flac flac flac C "$(nsamples "$s")" 16000

# Vorbis in Ogg, 22.05 kHz mono
s="$(src C 22050)"
"${FF[@]}" -i "$s" -c:a libvorbis -q:a 1 -ac 1 "${FFOUT[@]}" -f ogg "$OUT/speech_vorbis.ogg"
row speech_vorbis.ogg ogg vorbis C "$(nsamples "$s")" 22050

# Opus in Ogg from 16 kHz input (voice-message style); decoders output 48 kHz
s="$(src C 16000)"
"${FF[@]}" -i "$s" -c:a libopus -b:a 24k -ac 1 "${FFOUT[@]}" -f ogg "$OUT/speech_opus.ogg"
row speech_opus.ogg ogg opus C "$(nsamples "$s")" 16000

# Opus in WebM (seekable, with duration and cues), 48 kHz input
s="$(src B 48000)"
"${FF[@]}" -i "$s" -c:a libopus -b:a 24k -ac 1 "${FFOUT[@]}" -f webm "$OUT/speech_opus.webm"
row speech_opus.webm webm opus B "$(nsamples "$s")" 48000

# Opus in WebM written as a live stream, like MediaRecorder: no duration, no cues
s="$(src D 48000)"
"${FF[@]}" -i "$s" -c:a libopus -b:a 24k -ac 1 "${FFOUT[@]}" -f webm -live 1 "$OUT/mediarecorder.webm"
row mediarecorder.webm webm opus D "$(nsamples "$s")" 48000
dur="$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$OUT/mediarecorder.webm")"
[[ "$dur" == "N/A" || -z "$dur" ]] || { echo "mediarecorder.webm has a duration ($dur)" >&2; exit 1; }

# ---------------------------------------------------------------- bad inputs
printf 'This is a plain text file with a .wav extension.\nIt is not audio.\n' > "$OUT/text.wav"
cat > "$OUT/page.mp3" <<'EOF'
<!DOCTYPE html>
<html><head><title>404 Not Found</title></head>
<body><h1>Not Found</h1><p>The requested audio file was not found on this server.</p></body>
</html>
EOF
"${FF[@]}" -f lavfi -i color=c=red:s=8x8 -frames:v 1 -fflags +bitexact -flags +bitexact -map_metadata -1 \
  -f image2 -c:v png "$WORK/red.png"
cp "$WORK/red.png" "$OUT/image.wav"
"${FF[@]}" -f lavfi -i testsrc=size=16x16:rate=10:duration=1 -an -c:v mpeg4 -q:v 10 -pix_fmt yuv420p \
  -fflags +bitexact -flags +bitexact -map_metadata -1 "$OUT/video_no_audio.mp4"
head -c 300 "$OUT/speech.mp3" > "$OUT/truncated.mp3"
"$PY" -c 'import random,sys; sys.stdout.buffer.write(random.Random(7).randbytes(4096))' > "$OUT/random.mp3"

# ---------------------------------------------------------------- manifest
"$PY" - "$OUT" "$ROWS" <<'EOF'
import json, os, subprocess, sys
out, rows = sys.argv[1], sys.argv[2]
texts = {
    "A": "Please close the door behind you.",
    "B": "Open the window, it is warm today.",
    "C": "Seven green apples fell from the old tree.",
    "D": "Hello, this is a short audio test.",
}

def probe(path):
    r = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                        "-show_streams", path], check=True, capture_output=True, text=True)
    return json.loads(r.stdout)

def measured(path):
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "f32le", "-ac", "1",
                        "-ar", "16000", "-"], check=True, capture_output=True)
    assert len(r.stdout) % 4 == 0
    return len(r.stdout) // 4

entries = []
for line in open(rows):
    name, container, codec, tid, n, rate = line.rstrip("\n").split("\t")
    path = os.path.join(out, name)
    info = probe(path)
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(audio) == 1, name
    a = audio[0]
    assert a["codec_name"] == codec, (name, a["codec_name"], codec)
    n, rate = int(n), int(rate)
    dur = info["format"].get("duration")
    m = measured(path)
    entries.append({
        "file": name,
        "container": container,
        "codec": codec,
        "sample_rate": int(a["sample_rate"]),        # rate the stream decodes at (ffprobe)
        "channels": int(a["channels"]),
        "expected_seconds": round(n / rate, 6),       # source samples / source rate
        "measured_ffmpeg_seconds": round(m / 16000, 6),
        "source_samples": n,
        "source_sample_rate": rate,
        "ffprobe_format_duration": None if dur in (None, "N/A") else float(dur),
        "bytes": os.path.getsize(path),
        "text": texts[tid],
    })

with open(os.path.join(out, "manifest.json"), "w") as fh:
    json.dump(entries, fh, indent=2)
    fh.write("\n")

hdr = f"{'file':22} {'codec':10} {'rate':>6} {'ch':>2} {'bytes':>7} {'expected_s':>10} {'ffmpeg_s':>9} {'diff_ms':>8}"
print(hdr)
print("-" * len(hdr))
for e in entries:
    d = (e["measured_ffmpeg_seconds"] - e["expected_seconds"]) * 1000
    print(f"{e['file']:22} {e['codec']:10} {e['sample_rate']:>6} {e['channels']:>2} {e['bytes']:>7} "
          f"{e['expected_seconds']:>10.6f} {e['measured_ffmpeg_seconds']:>9.6f} {d:>+8.2f}")
EOF

echo
echo "bad inputs:"
for f in text.wav page.mp3 image.wav video_no_audio.mp4 truncated.mp3 random.mp3; do
  printf '  %-22s %6d bytes\n' "$f" "$(stat -c %s "$OUT/$f")"
done
du -sh "$OUT"
