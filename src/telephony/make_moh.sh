#!/bin/sh
# Makes the music on hold: a short tune, a spoken "please hold" (espeak-ng),
# the tune again; 8 kHz mono G.711 µ-law, raw. Usage: make_moh.sh OUT WORKDIR
set -eu
out=$1
work=$2
mkdir -p "$work"
parts=""
i=0
for f in 523.25 659.25 783.99 1046.50 783.99 659.25 587.33 698.46 880.00 698.46 587.33 523.25; do
  i=$((i + 1))
  sox -q -n -r 8000 -c 1 -b 16 "$work/note$i.wav" synth 0.3 sine "$f" fade q 0.02 0.3 0.08 vol 0.35
  parts="$parts $work/note$i.wav"
done
voice=""
if command -v espeak-ng >/dev/null 2>&1; then
  espeak-ng -v en-us -s 150 -w "$work/voice_raw.wav" \
    "Thank you for calling. All our agents are busy. Please stay on the line, and we will be with you shortly."
  sox -q "$work/voice_raw.wav" -r 8000 -c 1 -b 16 "$work/voice.wav" vol 0.8
  sox -q -n -r 8000 -c 1 -b 16 "$work/gap.wav" trim 0 0.5
  voice="$work/gap.wav $work/voice.wav $work/gap.wav"
fi
# shellcheck disable=SC2086
sox -q $parts $voice $parts -t ul -r 8000 -c 1 "$out"
