"""Noise is not speech: how the listener's gate sorts held-out speech from noise clips.

Noise makes words: an audio model asked for a transcript of a door slam or a hum gives one
("undo", "turn it off", "no", "it"), and the rules act on it. The listener leaves a turn
unheard when the audio model heard too few characters a second for speech
(`resolver.speech.listen.HEARD_RATE`) or the chosen transcript fits the model's output too
badly (`HEARD_FIT`). This measures both gates, at their settings and at others, on:

- the speech benchmark's festival utterances (`bench/audio.py`, which synthesizes them:
  run it first with the same `--voices` and `--noise`), each heard in a fresh session of its
  home: how many the gate leaves unheard, and how many of those had been heard right;
- optionally a corpus of `python -m resolver synth-audio` (training voices, noise and
  reverb), the same way (`--corpus`);
- synthetic noise clips (white, pink, brown, hum, clicks, beeps, tones, music-like notes,
  rumble; 0.6 to 4 s, -40 to -3 dBFS peak, from `--seed`), each heard in a session of the
  demo home right after "turn on the kitchen light": how many the gate leaves unheard, and
  how many would have been acted on without it.

Every clip is heard once, with the gates open; each setting is then judged on what was
heard.

    .venv/bin/python bench/speech_gate.py [--voices ked,kal] [--noise clean,20,10,5]
                                          [--corpus cache/gatecal] [--clips 450] [--seed 11]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, markdown_table, percent, progress
from audio import (
    NOISE_LEVELS,
    SLURP_AREA,
    SLURP_HOME,
    VOICES,
    Rendering,
    load_dialogs,
    same_words,
    select,
)
from slurp import DEVEL, load_cases

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from resolver import Resolver
from resolver.neural.synth import spoken_form
from resolver.speech import listen

DEMO_HOME = ROOT / "demo" / "home.yaml"
BEFORE = "turn on the kitchen light"
"""What is said before each noise clip: a command a misheard "undo" or "turn it off" would
take back."""
SETTINGS = [(-2.0, 4.0), (-2.5, 0.0), (-2.5, 3.0), (-2.5, 4.0), (-2.5, 5.0), (-2.5, 6.0), (-3.0, 4.0),
            (-3.5, 4.0)]
"""(fit, rate) settings shown beside the listener's own."""


@dataclass(slots=True)
class Heard:
    """One clip as the listener heard it with the gates open."""

    group: str
    said: str
    """What was said; empty for noise."""
    text: str
    fit: float | None
    """The chosen transcript's CTC log-likelihood per character."""
    rate: float | None
    acted: bool = False
    """For noise: the turn made service calls."""

    def unheard(self, fit: float, rate: float) -> bool:
        """Whether a gate at ``fit`` and ``rate`` leaves it unheard."""
        if self.rate is None or not self.text:
            return False
        return self.rate < rate or (self.fit is not None and self.fit < fit)

    @property
    def right(self) -> bool:
        return bool(self.said) and same_words(self.text, self.said)


def hear(resolver: Resolver, audio: Any, session: str, area: str | None) -> tuple[Any, dict]:
    """Resolve a spoken turn with the gates open; the result and its speech trace."""
    result = resolver.resolve(audio=audio, session=session, area=area)
    return result, (result.trace or {}).get("speech") or {}


def chosen_fit(speech: dict, text: str) -> float | None:
    """The CTC fit of the transcript the listener told speech from noise by, from the trace:
    the chosen one, or the one pocketsphinx's alignment then passed over (``judged``)."""
    text = speech.get("judged", text)
    return next((c.get("ctc") for c in speech.get("candidates") or () if c.get("text") == text),
                None)


def festival(voices: Sequence[str], noises: Sequence[str], limit: int | None) -> list[Heard]:
    """The speech benchmark's utterances, each in a fresh session of its home."""
    dialogs, cases = select([d for d in load_dialogs() if d.sayable], load_cases(DEVEL), limit)
    items = [(d.home, spoken_form(t.say), t.area) for d in dialogs for t in d.turns if t.say]
    items += [(SLURP_HOME, spoken_form(c.text), SLURP_AREA) for c in cases]
    jobs = [(v, n, item) for v in voices for n in noises for item in items]
    missing = [j for j in jobs if not Rendering.draw(j[0], j[2][1]).path(j[1]).is_file()]
    if missing:
        raise SystemExit(f"{len(missing)} held-out utterances are not synthesized: run "
                         f"bench/audio.py --voices {','.join(voices)} --noise "
                         f"{','.join(noises)} first")
    resolvers: dict[Path, Resolver] = {}
    out = []
    for n, (voice, noise, (home, said, area)) in enumerate(progress(jobs, "festival")):
        resolver = resolvers.setdefault(home, Resolver.from_files(home))
        wav = Rendering.draw(voice, said).path(noise)
        result, speech = hear(resolver, str(wav), f"f{n}", area)
        out.append(Heard(f"festival {voice}", said, result.text or "",
                         chosen_fit(speech, result.text or ""), speech.get("characters_per_second")))
    return out


def corpus(folder: Path) -> list[Heard]:
    """A synthesized corpus's utterances, each in a fresh session of the demo home."""
    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()
            if line.strip()]
    resolver = Resolver.from_files(DEMO_HOME)
    out = []
    for n, row in enumerate(progress(rows, folder.name)):
        result, speech = hear(resolver, str(folder / row["path"]), f"c{n}", None)
        out.append(Heard(f"corpus {folder.name}", row["transcript"], result.text or "",
                         chosen_fit(speech, result.text or ""), speech.get("characters_per_second")))
    return out


def noise_makers(rng: np.random.Generator) -> dict[str, Callable[[int], np.ndarray]]:
    """Generators of non-speech sound, each of ``n`` samples at 16 kHz."""
    rate = 16000

    def pink(n: int) -> np.ndarray:
        freqs = np.fft.rfftfreq(n)
        spectrum = rng.standard_normal(freqs.size) + 1j * rng.standard_normal(freqs.size)
        spectrum[1:] /= np.sqrt(freqs[1:])
        spectrum[0] = 0
        return np.fft.irfft(spectrum, n)

    def brown(n: int) -> np.ndarray:
        walk = np.cumsum(rng.standard_normal(n))
        return walk - np.linspace(walk[0], walk[-1], n)

    def hum(n: int) -> np.ndarray:
        t = np.arange(n) / rate
        base = rng.choice([50, 60])
        return sum(np.sin(2 * np.pi * base * k * t) / k for k in range(1, 6)) \
            + rng.standard_normal(n) * 0.02

    def clicks(n: int) -> np.ndarray:  # knocks, a door, steps
        x = rng.standard_normal(n) * 0.001
        for _ in range(rng.integers(1, 6)):
            at = rng.integers(0, max(n - 4000, 1))
            decay = np.exp(-np.arange(4000) / rng.uniform(100, 1500))
            x[at:at + 4000] += (rng.standard_normal(4000) * decay)[:n - at]
        return x

    def beeps(n: int) -> np.ndarray:
        t = np.arange(n) / rate
        x = rng.standard_normal(n) * 0.001
        for _ in range(rng.integers(1, 4)):
            at, length = rng.integers(0, max(n - 3000, 1)), rng.integers(1000, 3000)
            x[at:at + length] += np.sin(2 * np.pi * rng.uniform(300, 3000) * t[:length])[:n - at]
        return x

    def music(n: int) -> np.ndarray:  # plucked notes with harmonics
        t = np.arange(n) / rate
        x = np.zeros(n)
        step = int(rate * rng.uniform(0.15, 0.5))
        for start in range(0, n, step):
            f0 = 110 * 2 ** (rng.integers(0, 24) / 12)
            seg = t[:min(step, n - start)]
            x[start:start + seg.size] += sum(np.sin(2 * np.pi * f0 * k * seg) / k
                                             for k in range(1, 6)) * np.exp(-seg * 3)
        return x

    def sweep(n: int) -> np.ndarray:
        t = np.arange(n) / rate
        return np.sin(2 * np.pi * (200 + 2000 * t / t[-1]) * t)

    def rumble(n: int) -> np.ndarray:  # traffic, a fan
        return np.convolve(rng.standard_normal(n), np.ones(40) / 40, "same")

    return {"white": rng.standard_normal, "pink": pink, "brown": brown, "hum": hum,
            "clicks": clicks, "beeps": beeps, "music": music, "sweep": sweep, "rumble": rumble}


def noise_clips(count: int, seed: int) -> list[Heard]:
    """``count`` noise clips, each heard right after :data:`BEFORE`."""
    rng = np.random.default_rng(seed)
    makers = noise_makers(rng)
    kinds = list(makers)
    resolver = Resolver.from_files(DEMO_HOME)
    out = []
    for n in progress(range(count), "noise clips"):
        kind = kinds[n % len(kinds)]
        samples = makers[kind](int(16000 * rng.uniform(0.6, 4.0)))
        peak = float(np.abs(samples).max()) or 1.0
        samples = samples / peak * 10 ** (rng.uniform(-40, -3) / 20)
        session = f"n{n}"
        resolver.resolve(BEFORE, session=session)
        result, speech = hear(resolver, samples.astype(np.float32), session, None)
        out.append(Heard(f"noise: {kind}", "", result.text or "",
                         chosen_fit(speech, result.text or ""), speech.get("characters_per_second"),
                         acted=bool(result.actions)))
    return out


def table(heard: Sequence[Heard], settings: Sequence[tuple[float, float]]) -> str:
    """One row per setting: speech left unheard (and how much of it had been heard right),
    noise left unheard, noise acted on."""
    speech = [h for h in heard if h.said]
    noise = [h for h in heard if not h.said]
    groups = list(dict.fromkeys(h.group for h in speech))
    header = ["fit, rate"]
    for group in groups:
        header += [f"{group}: unheard (right)"]
    header += ["noise unheard %", "noise acted on %"]
    rows = []
    for fit, rate in settings:
        own = (fit, rate) == (listen.HEARD_FIT, listen.HEARD_RATE)
        row = [f"{fit:g}, {rate:g}" + (" (listener)" if own else "")]
        for group in groups:
            items = [h for h in speech if h.group == group]
            left = [h for h in items if h.unheard(fit, rate)]
            row.append(f"{len(left)}/{len(items)} ({sum(h.right for h in left)})")
        row.append(percent(sum(h.unheard(fit, rate) for h in noise), len(noise)))
        row.append(percent(sum(h.acted and not h.unheard(fit, rate) for h in noise), len(noise)))
        rows.append(row)
    rows.append(["open"] + [f"0/{sum(h.group == g for h in speech)} (0)" for g in groups]
                + ["0.0", percent(sum(h.acted for h in noise), len(noise))])
    return markdown_table(header, rows)


def kinds_table(heard: Sequence[Heard]) -> str:
    """Per kind of noise: acted on without the gate, and with it."""
    noise = [h for h in heard if not h.said]
    rows = []
    for kind in dict.fromkeys(h.group for h in noise):
        items = [h for h in noise if h.group == kind]
        rows.append([kind.split(": ")[1], len(items), percent(sum(h.acted for h in items), len(items)),
                     percent(sum(h.acted and not h.unheard(listen.HEARD_FIT, listen.HEARD_RATE)
                                 for h in items), len(items))])
    return markdown_table(["noise", "clips", "acted on, open %", "acted on, gated %"], rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default="ked,kal", help="festival voices (default ked,kal)")
    parser.add_argument("--noise", default="clean,20,10,5",
                        help=f"of {', '.join(NOISE_LEVELS)} (default clean,20,10,5)")
    parser.add_argument("--limit", type=int, default=150,
                        help="festival utterances per voice, as bench/audio.py (0: all)")
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a synth-audio corpus folder (repeatable)")
    parser.add_argument("--clips", type=int, default=450, help="noise clips (default 450)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the noise clips")
    args = parser.parse_args(argv)
    voices = [v for v in args.voices.split(",") if v]
    noises = [n for n in args.noise.split(",") if n]
    for name, known in (("voice", VOICES), ("noise", NOISE_LEVELS)):
        for value in voices if name == "voice" else noises:
            if value not in known:
                parser.error(f"unknown {name} {value!r}; known: {', '.join(known)}")
    for folder in args.corpus:
        if not (folder / "manifest.jsonl").is_file():
            parser.error(f"{folder}: no manifest.jsonl (make one with python -m resolver "
                         "synth-audio --out FOLDER)")

    # Open the gates: every clip is heard as the listener would without them.
    gates = listen.HEARD_FIT, listen.HEARD_RATE
    listen.HEARD_FIT, listen.HEARD_RATE = -math.inf, 0.0
    heard = festival(voices, noises, args.limit or None)
    for folder in args.corpus:
        heard += corpus(folder)
    heard += noise_clips(args.clips, args.seed)
    listen.HEARD_FIT, listen.HEARD_RATE = gates

    settings = list(dict.fromkeys([gates, *SETTINGS]))
    print("## Speech or noise: the listener's gate\n")
    print(f"Festival voices {', '.join(voices)} at {', '.join(noises)} (per voice, all levels); "
          f"{', '.join(str(c) for c in args.corpus) or 'no corpus'}; {args.clips} noise clips, "
          f"seed {args.seed}, each after \"{BEFORE}\". \"unheard (right)\": utterances the gate "
          "leaves unheard, and how many of them had been heard word for word.\n")
    print(table(heard, settings))
    print()
    print(kinds_table(heard))
    return 0


if __name__ == "__main__":
    sys.exit(main())
