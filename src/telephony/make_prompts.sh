#!/bin/sh
# Makes the IVR prompts: one file per prompt, OUTDIR/<name>.raw, 8 kHz mono
# 16-bit signed little-endian linear PCM (read by prompts.cc), spoken by
# espeak-ng (voice en-us, slow) and resampled by sox, leading and trailing
# silence trimmed to 50 ms. The table below is the list of prompts: keep it
# in step with kStandardPrompts in prompts.cc. Usage: make_prompts.sh OUTDIR WORKDIR
set -eu
out=$1
work=$2
mkdir -p "$out" "$work"
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v sox >/dev/null 2>&1; then
  echo "make_prompts.sh: espeak-ng or sox not found, no prompts made (PromptLibrary::beeps() is the fallback)" >&2
  touch "$out/.stamp"
  exit 0
fi
say() {  # say NAME TEXT
  espeak-ng -v en-us -s 140 -g 2 -w "$work/$1.wav" "$2"
  sox -q "$work/$1.wav" -r 8000 -c 1 -b 16 -e signed-integer -L -t raw "$work/$1.raw" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.05 vol 0.8
  mv "$work/$1.raw" "$out/$1.raw"
}
say welcome "Thank you for calling."
say for "For"
say press "press"
say star "star"
say pound "pound"
say you_are_number "You are number"
say in_line "in line."
say more_than "more than"
say expected_wait "Your expected wait is about"
say minute "minute."
say minutes "minutes."
say less_than_a_minute "less than a minute."
say callback_offer "To be called back without losing your place in line, press star."
say callback_confirm "Thank you. We will call you back. Goodbye."
say invalid "Sorry, that is not a valid choice."
say closed "We are closed now. Please call again during our opening hours."
say goodbye "Goodbye."
say transfer "Please hold while we transfer your call."
# Keys for menus: d0..d9.
i=0
for w in zero one two three four five six seven eight nine; do
  say "d$i" "$w"
  i=$((i + 1))
done
# Numbers 1..99: 1..9 are the keys d1..d9, then n10..n19 and the tens
# n20..n90 (23 = n20 d3).
i=10
for w in ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen; do
  say "n$i" "$w"
  i=$((i + 1))
done
i=2
for w in twenty thirty forty fifty sixty seventy eighty ninety; do
  say "n${i}0" "$w"
  i=$((i + 1))
done
touch "$out/.stamp"
