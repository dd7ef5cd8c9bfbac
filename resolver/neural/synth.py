"""The synthesized training speech corpus: ``python -m resolver synth-audio``.

Recipe (fixed seed, so the same seed gives the same corpus on the same synthesizer
versions, and the first N utterances of a larger corpus are the corpus of N):

1. Sentences, drawn per utterance (:data:`MIX`): 45% from the project's grammar over 150
   generated homes (:func:`resolver.neural.data.grammar_examples`, 12% of its commands also
   said negated), 25% from the text proposer's other training sentences (Home Assistant's
   templates and out-of-scope speech; :func:`resolver.neural.train.build_dataset`, keyboard
   mash left out because nobody says it), 10% from SLURP's iot train split (how people word
   requests beyond the grammar), 20% dialog turns (negations, repairs, references,
   exclusions, answers: what the transcript head must learn to spell), each pool cycled in a
   shuffled order. The dialog turns are generated over generated homes in the shapes of the
   golden dialogs (:func:`resolver.neural.data.follow_up_examples`; exclusions, repairs and
   negations drawn twice as often as the other shapes), or with ``--dialogs
   golden`` are the ``say:`` turns of the golden dialogs in ``tests/dialogs/`` themselves,
   which the speech benchmark also says. The intent and domain are the source's labels; a
   dialog turn gets the grammar's label on its home, or none when its meaning depends on the
   dialog (``intent: null``).
2. The text is said in its spoken form (digits, ``%``, ``°`` and fractions as words, no
   punctuation): the ``transcript`` of the manifest is exactly what was said.
3. Voices (:data:`ENGINE_SHARES`): ``espeak-ng`` (eight English accents, mostly with a
   voice variant; whisper and croak rarely), ``flite`` (kal, kal16, awb, rms, slt) and SVOX
   Pico (its US and British English voices, two more speakers, through the PyPI package
   ``ttspico``) and MBROLA (ten recorded speakers' diphones driven by espeak-ng: its three
   American and one British English voices, six German- or Dutch-accented), with the
   synthesizer's own speed and pitch varied, and flite's pitch range (its intonation's
   spread) too (flite's rms ignores both pitch settings). ``festival`` is never used: its
   voices are the held-out evaluation voices (none of them is an MBROLA speaker).
4. Augmentation, in this order, each a pure function here so that training can also apply
   them on the fly: silence trimmed; speed perturbation by resampling (x0.9-1.1, half the
   time); vocal-tract-length perturbation (formants x0.85-1.15, pitch kept, 60% of the time);
   room reverb (RT60 0.2-0.8 s, half the time); leading and trailing silence (0.1-0.8 s
   each); background noise at 0-30 dB SNR (white, pink or babble of 3-5 other synthesized
   utterances, 80% of the time); a random level (-35 to -12 dBFS active speech level).
5. Output: 16 kHz mono 16-bit WAV files in ``wav/``, ``manifest.jsonl`` (path, text,
   transcript, intent, domain, source, voice, augmentations, duration) and ``summary.json``
   (counts per voice, variant, intent and source, hours, time to build, skipped texts).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
"""The corpus's sample rate in Hz."""

MIX = {"grammar": 0.45, "proposer": 0.25, "slurp": 0.1, "dialog": 0.2}
"""Share of each sentence pool in the corpus."""

GRAMMAR_HOMES = 150
"""Generated homes the grammar's sentences are drawn over."""
GRAMMAR_NEGATED = 0.12
"""Share of the grammar's commands also said negated, so that "don't" and "do not" before
a command are heard often (the golden dialogs alone have few)."""
MAX_WORDS = 40
"""Longer texts (a stress test among the dialogs) are not said."""
BABBLE_BANK = 64
"""Synthesized utterances kept aside as babble talkers."""
VTLP_RANGE = (0.85, 1.15)
"""Formant scaling of the vocal-tract-length perturbation: the corpus has only four real
speakers (flite's), and an unheard one sits outside them, so the warp reaches past the usual
±10%."""
VTLP_SHARE = 0.6
"""Share of the utterances that are warped."""

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "tests" / "dialogs"

ESPEAK_VOICES = ("en-gb", "en-us", "en-us-nyc", "en-gb-scotland", "en-gb-x-rp",
                 "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029")
"""espeak-ng's English accents."""

ESPEAK_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "klatt4", "Andy", "Annie", "Alicia", "edward", "linda",
    "steph", "paul", "rob", "Michael", "grandma", "grandpa", "quincy", "travis", "victor",
    "aunty", "belinda", "benjamin", "david", "sandro", "anika",
)
"""espeak-ng voice variants that still sound like a person talking."""

ESPEAK_RARE_VARIANTS = ("croak", "whisper", "whisperf")
"""Variants used sparingly: hoarse and whispered speech."""

ENGINE_SHARES = {"espeak-ng": 0.25, "flite": 0.3, "pico": 0.12, "mbrola": 0.33}
"""Each synthesizer's share of the corpus's voices."""

MBROLA_VOICES = {"us1": 0.2, "us2": 0.17, "us3": 0.12, "en1": 0.15, "de1": 0.06, "de2": 0.06,
                 "de4": 0.06, "de5": 0.06, "de6": 0.06, "nl2": 0.06}
"""MBROLA's voices and their share of its part of the corpus: each is one person's recorded
diphones, driven by espeak-ng (``-v mb-us1``), so each is a real speaker none of the other
synthesizers has. Its three American and one British English voices, and six that say English
with a German or Dutch accent (espeak-ng's ``mb-de2-en``...)."""
MBROLA_NATIVE = frozenset({"us1", "us2", "us3", "en1"})
"""The MBROLA voices that are English; the others are said through espeak-ng's ``-en`` maps."""
MBROLA_DIR = Path("/usr/share/mbrola")
"""Where Debian's ``mbrola-*`` packages put the voices."""

INSTALL_HINT = ("Debian packages espeak-ng, flite, mbrola and "
                + " ".join(f"mbrola-{name}" for name in MBROLA_VOICES)
                + " (mbrola is in contrib, its voices in non-free); PyPI package ttspico, "
                "in the train extra")
"""How to install the corpus's synthesizers."""

PICO_VOICES = ("en-US", "en-GB")
"""SVOX Pico's English voices (one speaker each, neither heard elsewhere in training)."""

FLITE_VOICES = {"kal": 0.16, "kal16": 0.22, "awb": 0.2, "rms": 0.2, "slt": 0.22}
"""flite's voices and their share of flite's half of the corpus (kal is 8 kHz)."""

FLITE_F0_STDDEV = {"kal": 11.0, "kal16": 11.0, "awb": 25.0, "slt": 27.0}
"""Each flite voice's own ``int_f0_target_stddev`` in Hz (setting it leaves the voice's output
unchanged): the voices whose pitch can be moved."""
FLITE_NO_PITCH = frozenset(FLITE_VOICES.keys() - FLITE_F0_STDDEV.keys())
"""flite voices that ignore both ``f0_shift`` and ``int_f0_target_stddev`` (rms)."""
PITCH_RANGE = (0.4, 2.2)
"""flite's pitch range is drawn log-uniformly between these multiples of the voice's own: from
nearly flat to lively intonation, since a new speaker's melody differs from the four heard."""


class SynthesisError(Exception):
    """A synthesizer failed on a text or gave no audio."""


# ------------------------------------------------------------------ augmentations


def _fft_resample(signal: np.ndarray, length: int, pad: int = 512) -> np.ndarray:
    """``signal`` resampled to ``length`` samples by band-limited (FFT) interpolation.

    Silence is added around it first so that the FFT's wrap-around does not ring at the edges.
    """
    n = len(signal)
    if n == 0 or length <= 0:
        return np.zeros(max(length, 0), dtype=np.float32)
    if length == n:
        return signal.astype(np.float32, copy=True)
    ratio = length / n
    padded = np.concatenate([np.zeros(pad), np.asarray(signal, dtype=np.float64), np.zeros(pad)])
    total = max(length, round(len(padded) * ratio))
    spectrum = np.fft.rfft(padded)
    kept = np.zeros(total // 2 + 1, dtype=np.complex128)
    bins = min(len(spectrum), len(kept))
    kept[:bins] = spectrum[:bins]
    if total < len(padded) and total % 2 == 0:
        kept[-1] = kept[-1].real  # the new Nyquist bin of a real signal is real
    out = np.fft.irfft(kept, n=total) * (total / len(padded))
    start = min(round(pad * ratio), total - length)
    return out[start:start + length].astype(np.float32)


def resample(signal: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """``signal`` sampled at ``rate_in`` Hz, resampled (band-limited) to ``rate_out`` Hz."""
    if rate_in == rate_out:
        return signal.astype(np.float32, copy=True)
    return _fft_resample(signal, round(len(signal) * rate_out / rate_in))


def change_speed(signal: np.ndarray, factor: float) -> np.ndarray:
    """Speed perturbation: played ``factor`` times faster (duration / factor, pitch x factor)."""
    if factor <= 0:
        raise ValueError(f"speed factor must be positive, not {factor}")
    return _fft_resample(signal, round(len(signal) / factor))


def apply_gain(signal: np.ndarray, gain_db: float) -> np.ndarray:
    """``signal`` amplified by ``gain_db`` decibels."""
    return np.asarray(signal * 10.0 ** (gain_db / 20.0), dtype=np.float32)


def active_power(signal: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Mean power of the 20 ms frames within 40 dB of the loudest (silence left out)."""
    frame = max(1, sample_rate // 50)
    usable = len(signal) // frame * frame
    if usable == 0:
        return float(np.mean(np.square(signal, dtype=np.float64))) if len(signal) else 0.0
    powers = np.mean(np.square(signal[:usable].astype(np.float64)).reshape(-1, frame), axis=1)
    loudest = float(powers.max())
    if loudest <= 0.0:
        return 0.0
    return float(powers[powers >= loudest * 1e-4].mean())


def set_level(signal: np.ndarray, level_dbfs: float, peak: float = 0.98) -> np.ndarray:
    """``signal`` scaled to an active speech level of ``level_dbfs``, peaks kept below ``peak``."""
    power = active_power(signal)
    if power <= 0.0:
        return signal.astype(np.float32, copy=True)
    out = signal * np.sqrt(10.0 ** (level_dbfs / 10.0) / power)
    top = float(np.max(np.abs(out)))
    if top > peak:
        out = out * (peak / top)
    return np.asarray(out, dtype=np.float32)


def trim_silence(signal: np.ndarray, sample_rate: int = SAMPLE_RATE,
                 threshold_db: float = -45.0, margin_s: float = 0.02) -> np.ndarray:
    """``signal`` without the leading and trailing 10 ms frames ``threshold_db`` below the loudest."""
    frame = max(1, sample_rate // 100)
    usable = len(signal) // frame * frame
    if usable == 0:
        return signal.astype(np.float32, copy=True)
    powers = np.mean(np.square(signal[:usable].astype(np.float64)).reshape(-1, frame), axis=1)
    loud = np.nonzero(powers >= powers.max() * 10.0 ** (threshold_db / 10.0))[0]
    if powers.max() <= 0.0 or len(loud) == 0:
        return signal[:0].astype(np.float32)
    margin = int(margin_s * sample_rate)
    start = max(0, loud[0] * frame - margin)
    end = min(len(signal), (loud[-1] + 1) * frame + margin)
    return signal[start:end].astype(np.float32, copy=True)


def pad_silence(signal: np.ndarray, lead_s: float, trail_s: float,
                sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``signal`` with ``lead_s`` seconds of silence before it and ``trail_s`` after it."""
    lead = np.zeros(round(lead_s * sample_rate), dtype=np.float32)
    trail = np.zeros(round(trail_s * sample_rate), dtype=np.float32)
    return np.concatenate([lead, signal.astype(np.float32), trail])


def _lpc(frame: np.ndarray, order: int) -> np.ndarray | None:
    """LPC polynomial ``[1, a1, ..., ap]`` of a frame (autocorrelation method), or None."""
    lags = np.array([np.dot(frame[:len(frame) - lag], frame[lag:]) for lag in range(order + 1)])
    if lags[0] <= 1e-10:
        return None
    lags[0] *= 1.0 + 1e-6  # a touch of white noise keeps the system well conditioned
    toeplitz = lags[np.abs(np.subtract.outer(np.arange(order), np.arange(order)))]
    try:
        coefficients = np.linalg.solve(toeplitz, -lags[1:order + 1])
    except np.linalg.LinAlgError:
        return None
    return np.concatenate([[1.0], coefficients])


def vtlp(signal: np.ndarray, alpha: float, sample_rate: int = SAMPLE_RATE,
         order: int = 16, frame_s: float = 0.032) -> np.ndarray:
    """Vocal-tract-length perturbation: formants scaled by about ``alpha``, pitch and timing kept.

    Per Hann-windowed frame (50% overlap), the LPC envelope's poles are moved along the unit
    circle by the first-order all-pass warp that maps low frequencies ``f`` to ``alpha * f``;
    the frame is filtered by ``A(z) / A_warped(z)``, which keeps its LPC residual (the voice
    source: pitch, voicing, noise) and swaps its envelope, and keeps its energy.
    """
    x = np.asarray(signal, dtype=np.float64)
    if alpha == 1.0 or len(x) == 0:
        return x.astype(np.float32)
    warp = (alpha - 1.0) / (alpha + 1.0)
    size = max(2 * order, int(frame_s * sample_rate)) // 2 * 2
    hop, fft_size = size // 2, 4 * size
    window = np.hanning(size + 1)[:size]  # periodic: sums to one at 50% overlap
    padded = np.concatenate([np.zeros(size), x, np.zeros(size + fft_size)])
    out = np.zeros_like(padded)
    for start in range(0, len(x) + size + hop, hop):
        weighted = padded[start:start + size] * window
        energy = float(np.dot(weighted, weighted))
        poly = _lpc(weighted, order) if energy > 1e-10 else None
        if poly is None:
            out[start:start + size] += weighted
            continue
        poles = np.roots(poly)
        warped = np.real(np.poly((poles - warp) / (1.0 - warp * poles)))
        response = np.fft.rfft(poly, fft_size) / np.fft.rfft(warped, fft_size)
        shaped = np.fft.irfft(np.fft.rfft(weighted, fft_size) * response, fft_size)
        shaped_energy = float(np.dot(shaped, shaped))
        if not np.isfinite(shaped_energy) or shaped_energy <= 0.0:
            out[start:start + size] += weighted
            continue
        out[start:start + fft_size] += shaped * np.sqrt(energy / shaped_energy)
    return out[size:size + len(x)].astype(np.float32)


def white_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian white noise of unit power."""
    return rng.standard_normal(length).astype(np.float32)


def pink_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f power) noise of unit power."""
    spectrum = np.fft.rfft(rng.standard_normal(max(length, 2)))
    frequencies = np.arange(len(spectrum), dtype=np.float64)
    frequencies[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(frequencies), n=max(length, 2))[:length]
    power = float(np.mean(noise**2)) if length else 1.0
    return (noise / np.sqrt(power or 1.0)).astype(np.float32)


def babble_noise(length: int, talkers: Sequence[np.ndarray], rng: np.random.Generator
                 ) -> np.ndarray:
    """Babble of unit power: ``talkers`` (other utterances) looped from random offsets and summed."""
    if not talkers:
        raise ValueError("babble needs at least one talker")
    mix = np.zeros(length, dtype=np.float64)
    for talker in talkers:
        voice = np.asarray(talker, dtype=np.float64)
        voice = voice / np.sqrt(active_power(voice) or 1.0)
        looped = np.resize(np.roll(voice, int(rng.integers(len(voice)))), length)
        mix += looped * 10.0 ** (rng.uniform(-3.0, 3.0) / 20.0)
    power = float(np.mean(mix**2)) if length else 1.0
    return (mix / np.sqrt(power or 1.0)).astype(np.float32)


def add_noise(signal: np.ndarray, noise: np.ndarray, snr_db: float,
              sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``signal`` plus ``noise`` scaled to ``snr_db`` below its active speech level."""
    if len(noise) < len(signal):
        raise ValueError(f"noise is shorter than the signal ({len(noise)} < {len(signal)})")
    noise = np.asarray(noise[:len(signal)], dtype=np.float64)
    noise_power = float(np.mean(noise**2))
    speech_power = active_power(signal, sample_rate)
    if noise_power <= 0.0 or speech_power <= 0.0:
        return signal.astype(np.float32, copy=True)
    scale = np.sqrt(speech_power / (noise_power * 10.0 ** (snr_db / 10.0)))
    return (signal + scale * noise).astype(np.float32)


def room_impulse_response(rt60: float, rng: np.random.Generator,
                          sample_rate: int = SAMPLE_RATE, drr_db: float = 3.0) -> np.ndarray:
    """A synthetic room: a direct path, then noise decaying by 60 dB over ``rt60`` seconds.

    ``drr_db`` is the direct-to-reverberant energy ratio.
    """
    length = max(2, int(rt60 * sample_rate))
    t = np.arange(length) / sample_rate
    tail = rng.standard_normal(length) * np.exp(-3.0 * np.log(10.0) * t / rt60)
    tail[0] = 0.0
    tail *= np.sqrt(10.0 ** (-drr_db / 10.0) / float(np.sum(tail**2)))
    tail[0] = 1.0
    return tail.astype(np.float32)


def add_reverb(signal: np.ndarray, rt60: float, rng: np.random.Generator,
               sample_rate: int = SAMPLE_RATE, drr_db: float = 3.0) -> np.ndarray:
    """``signal`` in a synthetic room (its tail kept: the result is longer), same active level."""
    response = room_impulse_response(rt60, rng, sample_rate, drr_db)
    length = len(signal) + len(response) - 1
    size = 1 << max(0, length - 1).bit_length()
    wet = np.fft.irfft(np.fft.rfft(signal, size) * np.fft.rfft(response, size), size)[:length]
    before, after = active_power(signal, sample_rate), active_power(wet, sample_rate)
    if after > 0.0:
        wet *= np.sqrt(before / after)
    return wet.astype(np.float32)


def to_int16(signal: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as 16-bit PCM (scaled down first if anything would clip)."""
    x = np.asarray(signal, dtype=np.float64)
    top = float(np.max(np.abs(x))) if len(x) else 0.0
    if top > 1.0:
        x = x / top
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def write_wav(path: str | Path, signal: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write float samples as a mono 16-bit PCM WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(to_int16(signal).tobytes())


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file's samples as float32 in [-1, 1] (channels averaged) and its rate."""
    with wave.open(str(path), "rb") as source:
        if source.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is read here")
        channels = source.getnchannels()
        rate = source.getframerate()
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    samples = data.astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def augment(clean: np.ndarray, rng: np.random.Generator, babble: Sequence[np.ndarray],
            sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, dict[str, Any]]:
    """The corpus's augmentation chain on one clean utterance; returns it and what was done."""
    done: dict[str, Any] = {}
    x = trim_silence(clean, sample_rate)
    if rng.random() < 0.5:
        factor = float(rng.uniform(0.9, 1.1))
        x = change_speed(x, factor)
        done["speed"] = round(factor, 3)
    if rng.random() < VTLP_SHARE:
        alpha = float(rng.uniform(*VTLP_RANGE))
        x = vtlp(x, alpha, sample_rate)
        done["vtlp"] = round(alpha, 3)
    if rng.random() < 0.5:
        rt60 = float(rng.uniform(0.2, 0.8))
        drr = float(rng.uniform(-2.0, 10.0))
        x = add_reverb(x, rt60, rng, sample_rate, drr)
        done["reverb"] = {"rt60": round(rt60, 3), "drr_db": round(drr, 1)}
    lead, trail = float(rng.uniform(0.1, 0.8)), float(rng.uniform(0.1, 0.8))
    x = pad_silence(x, lead, trail, sample_rate)
    done["silence"] = [round(lead, 3), round(trail, 3)]
    if rng.random() < 0.8:
        kind = str(rng.choice(["white", "pink", "babble"], p=[0.3, 0.3, 0.4]))
        if kind == "babble" and len(babble) < 3:
            kind = "pink"
        snr = float(rng.uniform(0.0, 30.0))
        if kind == "white":
            noise = white_noise(len(x), rng)
        elif kind == "pink":
            noise = pink_noise(len(x), rng)
        else:
            count = int(rng.integers(3, min(5, len(babble)) + 1))
            picks = rng.choice(len(babble), size=count, replace=False)
            noise = babble_noise(len(x), [babble[int(i)] for i in picks], rng)
        x = add_noise(x, noise, snr, sample_rate)
        done["noise"] = {"kind": kind, "snr_db": round(snr, 1)}
    level = float(rng.uniform(-35.0, -12.0))
    x = set_level(x, level)
    done["level_dbfs"] = round(10.0 * np.log10(max(active_power(x, sample_rate), 1e-12)), 1)
    return x, done


# ------------------------------------------------------------------ spoken form

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
             "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def number_words(number: int) -> str:
    """An integer below a million in words: 72 -> "seventy two", 105 -> "one hundred five"."""
    if number < 0:
        return "minus " + number_words(-number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (" " + _ONES[ones] if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return _ONES[hundreds] + " hundred" + (" " + number_words(rest) if rest else "")
    if number < 1_000_000:
        thousands, rest = divmod(number, 1000)
        return number_words(thousands) + " thousand" + (" " + number_words(rest) if rest else "")
    return " ".join(_ONES[int(d)] for d in str(number))


def _ordinal(number: int) -> str:
    words = number_words(number).split()
    last = words[-1]
    if last in _ORDINALS:
        words[-1] = _ORDINALS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


_FRACTIONS = {"1/2": "half", "1/4": "quarter", "3/4": "three quarters", "1/3": "third"}


def _fraction(match: re.Match[str]) -> str:
    article, numerator, denominator = match.group(1), match.group(2), match.group(3)
    key = f"{numerator}/{denominator}"
    if key in _FRACTIONS:
        word = _FRACTIONS[key]
        if article or key == "3/4":
            return f"{article or ''}{word}"
        return f"one {word}"
    return f"{article or ''}{number_words(int(numerator))} over {number_words(int(denominator))}"


def _decimal(match: re.Match[str]) -> str:
    whole, part = match.group(1), match.group(2)
    return f"{number_words(int(whole))} point " + " ".join(_ONES[int(d)] for d in part)


def spoken_form(text: str) -> str:
    """What a speaker says for a text, in lower-case words: "Set it to 42.5°!" ->
    "set it to forty two point five degrees"."""
    said = text.lower().replace("\u2019", "'")
    said = re.sub(r"°\s*[cf]\b", " degrees", said)
    said = said.replace("°", " degrees ").replace("%", " percent ").replace("&", " and ")
    said = re.sub(r"\b1/2(?= an?\b)", "half", said)
    said = re.sub(r"\b(an? )?(\d+)/(\d+)\b", _fraction, said)
    said = re.sub(r"\b(\d+)\.(\d+)\b", _decimal, said)
    said = re.sub(r"\b(\d+)(st|nd|rd|th)\b", lambda m: _ordinal(int(m.group(1))), said)
    said = re.sub(r"\d+", lambda m: f" {number_words(int(m.group(0)))} ", said)
    said = re.sub(r"[^a-z']+", " ", said)
    words = [word.strip("'") for word in said.split()]
    return " ".join(word for word in words if word)


# ------------------------------------------------------------------ voices


@dataclass(frozen=True, slots=True)
class Voice:
    """A synthesizer voice and how it is driven for one utterance."""

    engine: str
    """``espeak-ng``, ``flite`` or ``pico``."""
    name: str
    """The engine's voice: an espeak-ng language such as ``en-gb-scotland``, a flite voice,
    or a Pico language (``en-US``)."""
    variant: str | None = None
    """An espeak-ng voice variant (``m3``, ``f2``, ``klatt``...), or None."""
    speed: float = 1.0
    """Speaking rate relative to the voice's default (above 1 is faster)."""
    pitch: float | None = None
    """espeak-ng's pitch (0-99), or flite's ``f0_shift`` or Pico's pitch factor; None leaves
    the default."""
    pitch_range: float | None = None
    """flite's ``int_f0_target_stddev`` in Hz (the spread of its intonation); None leaves the
    voice's default."""

    @property
    def label(self) -> str:
        """The voice without its settings: ``espeak-ng:en-us+f3``, ``flite:slt``."""
        return f"{self.engine}:{self.name}" + (f"+{self.variant}" if self.variant else "")


def synthesize(text: str, voice: Voice, workdir: str | Path) -> tuple[np.ndarray, int]:
    """``text`` said by ``voice``: float samples and their rate; SynthesisError on failure."""
    if voice.engine == "pico":
        return _pico_say(text, voice)
    target = Path(workdir) / "say.wav"
    target.unlink(missing_ok=True)
    if voice.engine in ("espeak-ng", "mbrola"):
        spec = _espeak_voice(voice)
        command = ["espeak-ng", "-v", spec, "-s", str(round(175 * voice.speed)), "-w",
                   str(target)]
        if voice.pitch is not None:
            command += ["-p", str(round(voice.pitch))]
        command += ["--", text]
    elif voice.engine == "flite":
        command = ["flite", "-voice", voice.name, "--setf",
                   f"duration_stretch={1.0 / voice.speed:.3f}"]
        if voice.pitch is not None:
            command += ["--setf", f"f0_shift={voice.pitch:.3f}"]
        if voice.pitch_range is not None:
            command += ["--setf", f"int_f0_target_stddev={voice.pitch_range:.1f}"]
        command += ["-t", text, "-o", str(target)]
    else:
        raise SynthesisError(f"unknown synthesizer {voice.engine!r}")
    try:
        run = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SynthesisError(f"{voice.engine}: {err}") from err
    if run.returncode != 0 or not target.is_file():
        message = run.stderr.decode(errors="replace").strip()[:200]
        raise SynthesisError(f"{voice.engine} exited with {run.returncode}: {message}")
    try:
        samples, rate = read_wav(target)
    except (OSError, ValueError, EOFError, wave.Error) as err:
        raise SynthesisError(f"{voice.engine} wrote an unreadable file: {err}") from err
    if len(samples) == 0 or float(np.max(np.abs(samples))) == 0.0:
        raise SynthesisError(f"{voice.engine} gave no audio")
    return samples, rate


def _espeak_voice(voice: Voice) -> str:
    """espeak-ng's ``-v`` for an espeak-ng or MBROLA voice (``en-us+f3``, ``mb-de2-en``)."""
    if voice.engine == "mbrola":
        return f"mb-{voice.name}" + ("" if voice.name in MBROLA_NATIVE else "-en")
    return voice.name + (f"+{voice.variant}" if voice.variant else "")


_PICO_ENGINES: dict[str, Any] = {}
"""This process's Pico engine per language (loading one reads its voice files)."""


def _pico_say(text: str, voice: Voice) -> tuple[np.ndarray, int]:
    """``text`` said by Pico (16 kHz 16-bit PCM from its C engine, in process)."""
    try:
        import ttspico  # type: ignore[import-not-found]
    except ImportError as err:
        raise SynthesisError("pico: the PyPI package ttspico is not installed") from err
    engine = _PICO_ENGINES.get(voice.name)
    if engine is None:
        try:
            engine = _PICO_ENGINES[voice.name] = ttspico.TtsEngine(voice.name)
        except RuntimeError as err:
            raise SynthesisError(f"pico: {err}") from err
    engine.rate = min(500, max(20, round(100 * voice.speed)))
    engine.pitch = min(200, max(50, round(100 * (voice.pitch or 1.0))))
    pcm = engine.speak(text) or b""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if len(samples) == 0 or float(np.max(np.abs(samples))) == 0.0:
        raise SynthesisError("pico gave no audio")
    return samples, 16000


def draw_voice(rng: random.Random, shares: dict[str, float] | None = None) -> Voice:
    """A random voice with random speed and pitch (and pitch range on flite), each
    synthesizer drawn by its share (``shares``, by default :data:`ENGINE_SHARES`)."""
    shares = shares or ENGINE_SHARES
    engine = rng.choices(list(shares), weights=list(shares.values()))[0]
    if engine == "pico":
        return Voice("pico", rng.choice(PICO_VOICES), None, round(rng.uniform(0.85, 1.15), 3),
                     round(rng.uniform(0.85, 1.2), 3))
    if engine == "espeak-ng":
        name = rng.choice(ESPEAK_VOICES)
        roll = rng.random()
        if roll < 0.03:
            variant: str | None = rng.choice(ESPEAK_RARE_VARIANTS)
        elif roll < 0.25:
            variant = None
        else:
            variant = rng.choice(ESPEAK_VARIANTS)
        return Voice("espeak-ng", name, variant, round(rng.uniform(0.75, 1.2), 3),
                     rng.randint(25, 75))
    if engine == "mbrola":
        name = rng.choices(list(MBROLA_VOICES), weights=list(MBROLA_VOICES.values()))[0]
        return Voice("mbrola", name, None, round(rng.uniform(0.8, 1.15), 3),
                     rng.randint(30, 70))
    name = rng.choices(list(FLITE_VOICES), weights=list(FLITE_VOICES.values()))[0]
    pitch = pitch_range = None
    if name in FLITE_F0_STDDEV:
        pitch = round(rng.uniform(0.85, 1.2), 3)
        low, high = (math.log(bound) for bound in PITCH_RANGE)
        pitch_range = round(FLITE_F0_STDDEV[name] * math.exp(rng.uniform(low, high)), 1)
    return Voice("flite", name, None, round(rng.uniform(0.85, 1.15), 3), pitch, pitch_range)


def missing_synthesizers(engines: Sequence[str] = tuple(ENGINE_SHARES)) -> list[str]:
    """The synthesizers among ``engines`` (by default all of the corpus's) that are not
    installed here."""
    missing = [tool for tool in ("espeak-ng", "flite")
               if tool in engines and shutil.which(tool) is None]
    if "mbrola" in engines and (shutil.which("mbrola") is None or not all(
            (MBROLA_DIR / name).is_dir() for name in MBROLA_VOICES)):
        missing.append("mbrola")
    if "pico" in engines:
        try:
            import ttspico  # type: ignore[import-not-found]  # noqa: F401
        except ImportError:
            missing.append("pico")
    return missing


def engine_shares(engines: Sequence[str] | None = None) -> dict[str, float]:
    """The shares of :data:`ENGINE_SHARES` kept for ``engines`` (None: all of them); raises
    ValueError for a synthesizer the corpus does not know."""
    if engines is None:
        return dict(ENGINE_SHARES)
    unknown = sorted(set(engines) - set(ENGINE_SHARES))
    if unknown or not engines:
        raise ValueError(f"unknown synthesizer {', '.join(unknown) or '(none given)'}; "
                         f"known: {', '.join(ENGINE_SHARES)}")
    return {name: share for name, share in ENGINE_SHARES.items() if name in engines}


# ------------------------------------------------------------------ sentences and plan


@dataclass(frozen=True, slots=True)
class Sentence:
    """A text to be said and its labels."""

    text: str
    intent: str | None
    """The intent label; None for a dialog turn whose meaning depends on the dialog."""
    domain: str | None
    source: str
    """``grammar``, ``ha_templates``, ``slurp_train``, ``other`` or ``dialog``."""


@dataclass(frozen=True, slots=True)
class Job:
    """One utterance of the corpus: what is said, by whom, and its random seed."""

    index: int
    sentence: Sentence
    transcript: str
    voice: Voice
    seed: int


def grammar_pool(seed: int, homes: int = GRAMMAR_HOMES) -> list[Sentence]:
    """Sentences of the project's grammar over ``homes`` generated homes."""
    from .data import grammar_examples

    rng = random.Random(seed)
    return [Sentence(e.text, e.intent, e.domain, e.source)
            for e in grammar_examples(rng, homes=homes, per_home=100,
                                     negated_share=GRAMMAR_NEGATED)]


def proposer_pool(data_dir: Path | None = None) -> list[Sentence]:
    """The text proposer's training sentences that are not the grammar's, typos and key mash left out."""
    from .train import DEFAULT_SEED, build_dataset

    # Typo variants are a typed phenomenon with no spoken form; grammar sentences have their
    # own share of the corpus.
    examples = [e for e in build_dataset(DEFAULT_SEED, data_dir)
                if e.source != "grammar" and "typos" not in e.source]
    # Out-of-scope noise includes random key strokes; only words seen elsewhere, or seen
    # twice among the out-of-scope sentences, are words anybody would say.
    known: Counter[str] = Counter()
    for example in examples:
        words = spoken_form(example.text).split()
        known.update(words if example.source == "other" else words * 2)
    return [Sentence(e.text, e.intent, e.domain, e.source) for e in examples
            if e.source != "other" or all(known[w] >= 2 for w in spoken_form(e.text).split())]


def dialog_pool(folder: Path = DIALOGS) -> list[Sentence]:
    """The ``say:`` turns of the golden dialogs, labelled by the grammar where they stand alone."""
    import yaml

    from ..home import Home
    from ..language.parse import UtteranceParser
    from .data import _label  # the grammar's labelling of the generated sentences

    sentences: list[Sentence] = []
    for path in sorted(folder.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        home = Home.from_files(ROOT / spec["home"])
        parser = UtteranceParser(home)
        for dialog in spec.get("dialogs", []):
            for turn in dialog.get("turns", []):
                text = turn.get("say")
                if not text:
                    continue
                label = _label(parser, home, text, negated=True)
                intent, domain = label if label else (None, None)
                sentences.append(Sentence(text, intent, domain, "dialog"))
    return sentences


def follow_up_pool(seed: int, homes: int = GRAMMAR_HOMES) -> list[Sentence]:
    """Dialog turns of the golden dialogs' shapes (references, ellipsis, repairs, exclusions,
    answers, undo, several commands) over ``homes`` generated homes, labelled where they stand
    alone: the dialog pool that shares no sentence with the benchmark. The golden dialogs'
    own turns are left out where a generated turn happens to be one ("turn it off")."""
    from .data import follow_up_examples

    golden = {spoken_form(s.text) for s in dialog_pool()}
    rng = random.Random(seed + 1)  # not the grammar pool's sequence
    return [Sentence(text, *(label or (None, None)), "dialog")
            for text, label in follow_up_examples(rng, homes=homes, per_home=40)
            if spoken_form(text) not in golden]


DIALOG_POOLS = ("generated", "golden")
"""Where the dialog turns come from: generated over generated homes (the default), or the
golden dialogs' own turns, which ``bench/audio.py`` also says (then its dialog half measures
an unheard voice on sentences training has heard from other voices)."""


def sentence_pools(seed: int, data_dir: Path | None = None, dialogs: str = "generated"
                   ) -> dict[str, list[Sentence]]:
    """The sentence pools of the corpus: grammar, proposer, slurp (SLURP's wording, split out
    of the proposer's sentences so that it has its own share) and dialog (``dialogs``, one of
    :data:`DIALOG_POOLS`)."""
    if dialogs not in DIALOG_POOLS:
        raise ValueError(f"dialogs must be one of {', '.join(DIALOG_POOLS)}, not {dialogs!r}")
    proposer = proposer_pool(data_dir)
    dialog = dialog_pool() if dialogs == "golden" else follow_up_pool(seed)
    return {"grammar": grammar_pool(seed),
            "proposer": [s for s in proposer if s.source != "slurp_train"],
            "slurp": [s for s in proposer if s.source == "slurp_train"],
            "dialog": dialog}


def plan(count: int, seed: int, pools: dict[str, list[Sentence]],
         shares: dict[str, float] | None = None) -> list[Job]:
    """The corpus's utterances: a pool drawn per utterance by :data:`MIX`, its next sentence
    (each pool cycled in shuffled order), and a voice (synthesizers drawn by ``shares``, by
    default :data:`ENGINE_SHARES`); a prefix of a longer plan is the same."""
    rng = random.Random(seed)
    names = [name for name in MIX if pools.get(name)]
    if not names:
        raise ValueError("no sentences to synthesize")
    weights = [MIX[name] for name in names]
    orders: dict[str, list[int]] = {name: [] for name in names}
    jobs: list[Job] = []
    draws = 0
    while len(jobs) < count:
        draws += 1
        if draws > 20 * count + 1000:
            raise ValueError(f"too few sentences of at most {MAX_WORDS} words to say")
        name = rng.choices(names, weights=weights)[0]
        if not orders[name]:
            orders[name] = list(range(len(pools[name])))
            rng.shuffle(orders[name])
        sentence = pools[name][orders[name].pop()]
        voice = draw_voice(rng, shares)
        job_seed = rng.getrandbits(32)
        transcript = spoken_form(sentence.text)
        if transcript and len(transcript.split()) <= MAX_WORDS:
            jobs.append(Job(len(jobs), sentence, transcript, voice, job_seed))
    return jobs


# ------------------------------------------------------------------ rendering

_BABBLE: list[np.ndarray] = []


def _init_worker(babble: list[np.ndarray]) -> None:
    """Give a worker process the babble talkers."""
    _BABBLE[:] = babble


def say_clean(text: str, voice: Voice, workdir: str | Path) -> np.ndarray:
    """``text`` said by ``voice`` at 16 kHz, silence trimmed; SynthesisError if nothing is left."""
    samples, rate = synthesize(text, voice, workdir)
    clean = trim_silence(resample(samples, rate, SAMPLE_RATE))
    if len(clean) < SAMPLE_RATE // 20:
        raise SynthesisError(f"{voice.engine} gave under 50 ms of speech")
    return clean


def render(job: Job, out_dir: str) -> dict[str, Any]:
    """Synthesize, augment and write one utterance; its manifest row, or a row with ``error``."""
    path = Path("wav") / f"{job.index:06d}.wav"
    row: dict[str, Any] = {"index": job.index, "text": job.sentence.text,
                           "transcript": job.transcript, "voice": job.voice.label}
    try:
        with tempfile.TemporaryDirectory(prefix="synth-") as workdir:
            clean = say_clean(job.transcript, job.voice, workdir)
    except SynthesisError as err:
        row["error"] = str(err)
        return row
    rng = np.random.default_rng(job.seed)
    audio, done = augment(clean, rng, _BABBLE)
    write_wav(Path(out_dir) / path, audio)
    settings = {"synth_speed": job.voice.speed, "synth_pitch": job.voice.pitch,
                "synth_pitch_range": job.voice.pitch_range}
    row.update(path=str(path), intent=job.sentence.intent, domain=job.sentence.domain,
               source=job.sentence.source, augmentations={**settings, **done},
               duration=round(len(audio) / SAMPLE_RATE, 3))
    return row


def _bank_item(item: tuple[str, Voice]) -> np.ndarray | None:
    """One babble talker: a clean utterance, or None when the synthesizer fails."""
    text, voice = item
    try:
        with tempfile.TemporaryDirectory(prefix="synth-") as workdir:
            return say_clean(text, voice, workdir)
    except SynthesisError:
        return None


def babble_bank(seed: int, pools: dict[str, list[Sentence]], size: int = BABBLE_BANK,
                executor: ProcessPoolExecutor | None = None,
                shares: dict[str, float] | None = None) -> list[np.ndarray]:
    """``size`` clean utterances said by random voices (synthesizers drawn by ``shares``),
    to be mixed into babble noise."""
    rng = random.Random(seed + 1)
    texts = [s.text for name in ("proposer", "grammar") for s in pools.get(name, [])]
    if not texts:
        return []
    items = [(spoken_form(text), draw_voice(rng, shares)) for text in rng.sample(texts, min(size,
                                                                                    len(texts)))]
    results = executor.map(_bank_item, items) if executor else map(_bank_item, items)
    return [clip for clip in results if clip is not None]


# ------------------------------------------------------------------ the corpus


def _versions() -> dict[str, str]:
    """The synthesizers' versions, which the corpus depends on."""
    found: dict[str, str] = {}
    for tool, flag in (("espeak-ng", "--version"), ("flite", "--version")):
        try:
            run = subprocess.run([tool, flag], capture_output=True, timeout=10, check=False)
            found[tool] = run.stdout.decode(errors="replace").strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            found[tool] = "not found"
    try:
        found["pico"] = "ttspico " + importlib.metadata.version("ttspico")
    except importlib.metadata.PackageNotFoundError:
        found["pico"] = "not found"
    found["mbrola"] = "not found" if shutil.which("mbrola") is None else _debian_version("mbrola")
    return found


def _debian_version(package: str) -> str:
    """``package`` and its Debian version (mbrola prints no version of its own)."""
    try:
        run = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                             capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return f"{package} (version unknown)"
    version = run.stdout.decode(errors="replace").strip() if run.returncode == 0 else ""
    return f"{package} {version}" if version else f"{package} (version unknown)"


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_corpus(out: Path, count: int, seed: int, pools: dict[str, list[Sentence]] | None = None,
                 workers: int | None = None, data_dir: Path | None = None,
                 progress: bool = True, dialogs: str = "generated",
                 engines: Sequence[str] | None = None) -> dict[str, Any]:
    """Synthesize ``count`` utterances into ``out``; the summary written beside them.
    ``dialogs`` picks the dialog pool when ``pools`` are not given (:data:`DIALOG_POOLS`);
    ``engines`` the synthesizers that speak (None: all, by :data:`ENGINE_SHARES`)."""
    from .train import Progress

    started = time.time()
    shares = engine_shares(engines)
    missing = missing_synthesizers(tuple(shares))
    if missing:
        raise SynthesisError(f"not installed: {', '.join(missing)} ({INSTALL_HINT})")
    if pools is None:
        pools = sentence_pools(seed, data_dir, dialogs)
    else:
        dialogs = "given"
    jobs = plan(count, seed, pools, shares)
    wav_dir = out / "wav"
    if wav_dir.is_dir():
        for stale in wav_dir.glob("[0-9][0-9][0-9][0-9][0-9][0-9].wav"):
            stale.unlink()
    wav_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    prepared = time.time()
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    seconds = 0.0
    bar = Progress(len(jobs), "synth") if progress else None
    with ProcessPoolExecutor(max_workers=workers) as bank_pool:
        bank = babble_bank(seed, pools, executor=bank_pool, shares=shares)
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(bank,)) as executor, \
            open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        results: Iterator[dict[str, Any]] = executor.map(
            render, jobs, [str(out)] * len(jobs), chunksize=4)
        for done, row in enumerate(results, 1):
            if "error" in row:
                skipped.append(row)
            else:
                rows.append(row)
                manifest.write(json.dumps({k: v for k, v in row.items() if k != "index"})
                               + "\n")
                manifest.flush()
                seconds += row["duration"]
            if bar:
                bar.update(done, f"{seconds / 3600:.2f} h, {len(skipped)} skipped")
    elapsed = time.time() - started
    summary = _summary(rows, skipped, count, seed, workers, len(bank), elapsed,
                       prepared - started, out)
    summary["dialogs"] = dialogs
    summary["engines"] = shares
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _summary(rows: list[dict[str, Any]], skipped: list[dict[str, Any]], count: int, seed: int,
             workers: int, bank: int, elapsed: float, preparing: float, out: Path
             ) -> dict[str, Any]:
    """Counts per voice, variant, intent and source; hours; time to build; skipped texts."""
    seconds = sum(r["duration"] for r in rows)
    per_voice = Counter(r["voice"].split("+")[0] for r in rows)
    per_variant = Counter(r["voice"].split("+")[1] if "+" in r["voice"] else "(none)"
                          for r in rows if r["voice"].startswith("espeak-ng"))
    noise = Counter(r["augmentations"].get("noise", {}).get("kind", "(clean)") for r in rows)
    return {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "requested": count,
        "utterances": len(rows),
        "skipped": len(skipped),
        "skipped_examples": [{"text": s["text"], "voice": s["voice"], "error": s["error"]}
                             for s in skipped[:20]],
        "hours": round(seconds / 3600, 3),
        "mean_seconds": round(seconds / max(len(rows), 1), 3),
        "build_seconds": round(elapsed, 1),
        "preparing_seconds": round(preparing, 1),
        "workers": workers,
        "babble_talkers": bank,
        "disk_bytes": _folder_size(out / "wav"),
        "sample_rate": SAMPLE_RATE,
        "synthesizers": _versions(),
        "mix": MIX,
        "per_source": dict(Counter(r["source"] for r in rows).most_common()),
        "per_voice": dict(per_voice.most_common()),
        "per_espeak_variant": dict(per_variant.most_common()),
        "per_intent": dict(Counter(r["intent"] or "(dialog-dependent)"
                                   for r in rows).most_common()),
        "per_noise": dict(noise.most_common()),
        "augmented": {key: sum(1 for r in rows if key in r["augmentations"])
                      for key in ("speed", "vtlp", "reverb", "noise")},
    }


def main(args: Any) -> int:
    """``python -m resolver synth-audio``: build the corpus and print its summary."""
    out = Path(args.out)
    try:
        summary = build_corpus(out, args.count, args.seed, dialogs=args.dialogs,
                               engines=args.engines)
    except (SynthesisError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{summary['utterances']} utterances ({summary['skipped']} skipped), "
          f"{summary['hours']:.2f} h, {summary['disk_bytes'] / 1e6:.0f} MB in {out}, "
          f"built in {summary['build_seconds']:.0f} s")
    print(f"voices: {summary['per_voice']}")
    print(f"intents: {summary['per_intent']}")
    return 0


__all__ = [
    "SAMPLE_RATE",
    "Job",
    "Sentence",
    "SynthesisError",
    "Voice",
    "active_power",
    "add_noise",
    "add_reverb",
    "apply_gain",
    "augment",
    "babble_noise",
    "build_corpus",
    "change_speed",
    "main",
    "number_words",
    "pad_silence",
    "pink_noise",
    "plan",
    "read_wav",
    "resample",
    "room_impulse_response",
    "set_level",
    "spoken_form",
    "synthesize",
    "to_int16",
    "trim_silence",
    "vtlp",
    "white_noise",
    "write_wav",
]
