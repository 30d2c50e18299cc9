#!/usr/bin/env bash
# Installs the Debian packages QwenAudio builds and tests against (Debian 12): FFmpeg's libraries for decoding,
# OpenBLAS for GEMM. Safe to run again; needs root (or sudo).
set -euo pipefail
packages=(pkg-config libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libopenblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
