#!/bin/sh
# Makes one language's IVR prompts: OUTDIR/<name>.raw, 8 kHz mono 16-bit
# signed little-endian linear PCM (read by prompts.cc), spoken by espeak-ng
# (VOICE, slow) and resampled by sox, leading and trailing silence trimmed to
# 50 ms. TEXTS is the language's table (prompts/<code>.txt: "NAME TEXT" a
# line, '#' comments), whose names are standard_prompt_names() of prompts.cc.
# Usage: make_prompts.sh OUTDIR WORKDIR VOICE TEXTS
set -eu
out=$1
work=$2
voice=$3
texts=$4
mkdir -p "$out" "$work"
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v sox >/dev/null 2>&1; then
  echo "make_prompts.sh: espeak-ng or sox not found, no $voice prompts made (PromptLibrary::beeps() is the fallback)" >&2
  touch "$out/.stamp"
  exit 0
fi
if ! espeak-ng --voices | awk '{print $2}' | grep -qx "$voice"; then
  echo "make_prompts.sh: espeak-ng has no voice $voice, no prompts made in $out (English is the fallback)" >&2
  touch "$out/.stamp"
  exit 0
fi
export LC_ALL=C.UTF-8
while read -r name text; do
  case "$name" in '' | '#'*) continue ;; esac
  espeak-ng -v "$voice" -s 140 -g 2 -w "$work/$name.wav" "$text"
  sox -q "$work/$name.wav" -r 8000 -c 1 -b 16 -e signed-integer -L -t raw "$work/$name.raw" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.05 vol 0.8
  mv "$work/$name.raw" "$out/$name.raw"
done < "$texts"
touch "$out/.stamp"
