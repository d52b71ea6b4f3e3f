"""IVR prompts in the caller's language, heard over RTP.

`serve --demo` writes the demo's telephony.json: 500 is the English main line
and 600 the same greeting and menu in Polish ("language": "pl"). A sipp
caller dials each; this runner receives the caller's RTP (µ-law) and compares
it frame by frame with the prompt files the build made
(<prompts>/<code>/<name>.raw, 8 kHz s16le), encoded exactly as the media
plane's Player does (160-sample frames, the last one of a clip padded with
silence). Polish frames must be what 600's caller hears, and English ones
what 500's caller hears: playing English on the Polish line fails.

    /usr/bin/python3 tests/sip/test_language.py --binary build/src/app/switchboard \\
        --prompts build/share/prompts
"""
import argparse
import audioop  # noqa: deprecated in 3.13; Debian 12 has 3.11
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_sip import RtpEndpoint, SipTestCase, harness  # noqa: E402

PROMPTS = None  # set by main() from --prompts
FRAME = 160     # samples (bytes of µ-law) per 20 ms packet
# What the demo's main lines say before a key is pressed: the greeting, then
# the menu without labels ("press 1, press 2, ...": 1 Sales, 2 Support, 3 Billing, 4 Complaints).
GREETING_AND_MENU = ["welcome", "press", "d1", "press", "d2", "press", "d3", "press", "d4"]


def _ulaw(v):
    """linear_to_ulaw of src/telephony/g711.cc (Python's audioop rounds a few small values differently)."""
    sign = (v >> 8) & 0x80
    if sign:
        v = -v
    v = min(v, 32635) + 0x84
    exponent, mask = 7, 0x4000
    while (v & mask) == 0 and exponent > 0:
        exponent, mask = exponent - 1, mask >> 1
    return ~(sign | (exponent << 4) | ((v >> (exponent + 3)) & 0x0F)) & 0xFF


ULAW = bytes(_ulaw(v - 65536 if v >= 32768 else v) for v in range(65536))  # by the sample's 16 bits


def frames_of(lang, names):
    """The µ-law frames the Player sends for these prompts of language `lang`."""
    out = []
    for name in names:
        path = os.path.join(PROMPTS, lang, name + ".raw")
        with open(path, "rb") as f:
            raw = f.read()
        samples = struct.unpack(f"<{len(raw) // 2}H", raw)
        ulaw = bytes(ULAW[s] for s in samples)
        for i in range(0, len(ulaw), FRAME):
            frame = ulaw[i:i + FRAME]
            out.append(frame + b"\xff" * (FRAME - len(frame)))  # 0xff: µ-law silence
    return out


def voiced(frames):
    """The frames that hold sound (not one byte repeated): silence is alike in every language."""
    return [f for f in frames if len(set(f)) > 1]


def in_order(received, expected):
    """How many of the expected voiced frames arrive, in order (a subsequence of what was received)."""
    want = voiced(expected)
    i = 0
    for f in received:
        if i < len(want) and f == want[i]:
            i += 1
    return i, len(want)


class Language(SipTestCase):
    def listen(self, number, caller, seconds):
        """Calls `number`, stays `seconds` (sipp hangs up), returns the µ-law payloads received in order."""
        media = RtpEndpoint()
        try:
            call = self.sipp("caller.xml", "-d", str(int(seconds * 1000)), service=number,
                             keys={"rtp_port": media.port, "pt": 0, "caller": caller})
            self.finish(call, f"caller of {number}")
            packets = sorted(media.received(pt=0), key=lambda p: p[2])  # by sequence number
            return [p[5] for p in packets]
        finally:
            media.close()

    def test_1_prompt_files_exist(self):
        for lang in ("en", "pl"):
            for name in GREETING_AND_MENU:
                path = os.path.join(PROMPTS, lang, name + ".raw")
                self.assertTrue(os.path.exists(path), f"{path} was not built (espeak-ng and sox: scripts/setup.sh)")
        pl, en = frames_of("pl", GREETING_AND_MENU), frames_of("en", GREETING_AND_MENU)
        self.assertGreater(len(voiced(pl)), 100)
        self.assertEqual(in_order(pl, en)[0], 0, "the Polish and English prompts share no voiced frame")

    def test_2_polish_line_speaks_polish_and_the_english_line_english(self):
        pl, en = frames_of("pl", GREETING_AND_MENU), frames_of("en", GREETING_AND_MENU)
        # The whole greeting and menu plus a margin, each line's own length.
        heard_pl = self.listen("600", "+48600000601", len(pl) * 0.02 + 1.5)
        heard_en = self.listen("500", "+44700000501", len(en) * 0.02 + 1.5)
        self.assertGreater(len(heard_pl), len(pl), "the caller of 600 received RTP for the whole greeting and menu")

        got_pl, want_pl = in_order(heard_pl, pl)
        self.assertGreaterEqual(got_pl, want_pl * 0.95, f"600 (pl): {got_pl} of {want_pl} Polish frames heard, in order")
        wrong, _ = in_order(heard_pl, en)
        self.assertEqual(wrong, 0, "600 (pl): no English frame heard")
        # The Polish greeting opens the call: its first voiced frame is among the first packets.
        lead = next(i for i, f in enumerate(pl) if len(set(f)) > 1)  # silent frames before it
        self.assertIn(pl[lead], heard_pl[:lead + 10], "the call opens with the Polish welcome")
        start = max(heard_pl.index(pl[lead]) - lead, 0)

        got, want = in_order(heard_en, en)
        self.assertGreaterEqual(got, want * 0.95, f"500 (en): {got} of {want} English frames heard, in order")
        self.assertEqual(in_order(heard_en, pl)[0], 0, "500 (en): no Polish frame heard")

        # The energy envelope over time follows the Polish files', not the English ones'.
        def envelope(frames):
            return [audioop.rms(audioop.ulaw2lin(f, 2), 2) for f in frames]
        n = min(len(pl), len(en))
        heard_env = envelope(heard_pl[start:start + n])
        diff_pl = sum(abs(a - b) for a, b in zip(heard_env, envelope(pl[:n])))
        diff_en = sum(abs(a - b) for a, b in zip(heard_env, envelope(en[:n])))
        print(f"600 (pl): {got_pl} of {want_pl} voiced Polish frames in order; envelope distance to the pl files "
              f"{diff_pl}, to the en files {diff_en}", file=sys.stderr)
        self.assertLess(diff_pl * 10, diff_en, f"envelope distance to pl {diff_pl}, to en {diff_en}")


def main():
    global PROMPTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--prompts", required=True, help="the build's share/prompts (one directory per language)")
    args, rest = ap.parse_known_args()
    harness.BINARY = os.path.abspath(args.binary)
    PROMPTS = os.path.abspath(args.prompts)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
