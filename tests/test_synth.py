"""The synthesized speech corpus: its augmentations on synthetic signals, and a small build."""

from __future__ import annotations

import itertools
import json
import random
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from resolver.language.tagger import spoken_times
from resolver.neural import synth
from resolver.neural.synth import (
    SAMPLE_RATE,
    Sentence,
    Voice,
    active_power,
    add_noise,
    add_reverb,
    augment,
    babble_noise,
    change_speed,
    pad_silence,
    pink_noise,
    plan,
    read_wav,
    resample,
    set_level,
    spoken_form,
    trim_silence,
    vtlp,
    white_noise,
    write_wav,
)

SR = SAMPLE_RATE


def tone(seconds: float = 1.0, frequency: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    """A sine tone."""
    t = np.arange(int(seconds * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def vowel(f0: float = 120.0, formants: tuple[float, ...] = (700.0, 1200.0, 2600.0),
          seconds: float = 1.0) -> np.ndarray:
    """A vowel-like signal: a pulse train at ``f0`` through resonators at ``formants``."""
    pulses = np.zeros(int(seconds * SR))
    pulses[:: int(SR / f0)] = 1.0
    n = np.arange(2048)
    response = np.array([1.0])
    for formant in formants:
        radius, angle = np.exp(-np.pi * 80 / SR), 2 * np.pi * formant / SR
        resonator = radius**n * np.sin((n + 1) * angle) / np.sin(angle)
        response = np.convolve(response, resonator)
    x = np.convolve(pulses, response)[: len(pulses)]
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


def snr_db(clean: np.ndarray, noisy: np.ndarray, speech: slice) -> float:
    """Measured SNR: power of the clean speech part against the power of what was added."""
    noise = noisy.astype(np.float64) - clean
    return float(10 * np.log10(np.mean(clean[speech].astype(np.float64) ** 2)
                               / np.mean(noise**2)))


def envelope_peaks(x: np.ndarray) -> np.ndarray:
    """Frequencies (Hz) of the LPC envelope's first three peaks in the middle of ``x``."""
    from resolver.neural.synth import _lpc

    middle = len(x) // 2
    poly = _lpc(x[middle:middle + 512] * np.hanning(512), 16)
    assert poly is not None
    w = np.linspace(0, np.pi, 4096)
    response = 1 / np.abs(np.polyval(poly[::-1], np.exp(-1j * w)))
    peaks = np.nonzero((response[1:-1] > response[:-2]) & (response[1:-1] > response[2:]))[0] + 1
    return np.asarray(w[peaks][:3] * SR / (2 * np.pi))


def pitch(x: np.ndarray) -> float:
    """The fundamental frequency (Hz) by autocorrelation."""
    s = x[SR // 8: SR // 8 + 4000].astype(np.float64)
    ac = np.correlate(s, s, "full")[len(s) - 1:]
    low, high = SR // 400, SR // 60
    return SR / (low + int(np.argmax(ac[low:high])))


def decay_seconds(x: np.ndarray, after: int, drop_db: float = 40.0) -> float:
    """Seconds after sample ``after`` until 10 ms frame energy stays ``drop_db`` below the peak."""
    frame = SR // 100
    usable = len(x) // frame * frame
    energy = np.mean(np.square(x[:usable].astype(np.float64)).reshape(-1, frame), axis=1)
    loud = np.nonzero(energy >= energy.max() * 10 ** (-drop_db / 10))[0]
    return max(0.0, ((loud[-1] + 1) * frame - after) / SR)


# ------------------------------------------------------------------ noise


@pytest.mark.parametrize("kind", ["white", "pink", "babble"])
@pytest.mark.parametrize("target", [0.0, 10.0, 30.0])
def test_added_noise_is_at_the_target_snr(kind: str, target: float) -> None:
    rng = np.random.default_rng(1)
    clean = tone(2.0)
    if kind == "white":
        noise = white_noise(len(clean), rng)
    elif kind == "pink":
        noise = pink_noise(len(clean), rng)
    else:
        talkers = [vowel(f0, seconds=0.7) for f0 in (100.0, 130.0, 180.0, 220.0)]
        noise = babble_noise(len(clean), talkers, rng)
    noisy = add_noise(clean, noise, target)
    assert abs(snr_db(clean, noisy, slice(None)) - target) <= 1.0


def test_snr_is_measured_on_the_speech_not_the_silence_around_it() -> None:
    speech = tone(1.0)
    padded = pad_silence(speech, 1.0, 1.0)
    noisy = add_noise(padded, white_noise(len(padded), np.random.default_rng(2)), 10.0)
    part = slice(SR, 2 * SR)
    assert abs(snr_db(padded, noisy, part) - 10.0) <= 1.0


def test_noise_shorter_than_the_signal_is_refused() -> None:
    with pytest.raises(ValueError):
        add_noise(tone(1.0), white_noise(100, np.random.default_rng(0)), 10.0)


def test_pink_noise_has_more_power_low_than_high() -> None:
    noise = pink_noise(SR * 4, np.random.default_rng(3))
    spectrum = np.abs(np.fft.rfft(noise)) ** 2
    hz = np.fft.rfftfreq(len(noise), 1 / SR)
    low = spectrum[(hz > 100) & (hz < 200)].mean()
    high = spectrum[(hz > 4000) & (hz < 4100)].mean()
    # 1/f: a factor 20 in frequency is about 13 dB
    assert 10 < 10 * np.log10(low / high) < 16


# ------------------------------------------------------------------ reverb


def test_reverb_lengthens_the_energy_decay() -> None:
    rng = np.random.default_rng(4)
    burst = np.concatenate([rng.standard_normal(SR // 10) * 0.3, np.zeros(SR)]).astype(
        np.float32)
    end = SR // 10
    dry = decay_seconds(burst, end)
    short = decay_seconds(add_reverb(burst, 0.2, np.random.default_rng(5)), end)
    long = decay_seconds(add_reverb(burst, 0.8, np.random.default_rng(5)), end)
    assert dry < 0.02
    assert short > 0.05
    assert long > 2.5 * short


def test_reverb_keeps_the_tail_and_the_level() -> None:
    x = tone(1.0)
    wet = add_reverb(x, 0.5, np.random.default_rng(6))
    assert len(wet) == len(x) + int(0.5 * SR) - 1
    assert abs(10 * np.log10(active_power(wet) / active_power(x))) < 0.5


# ------------------------------------------------------------------ silence, speed, level


@pytest.mark.parametrize(("lead", "trail"), [(0.1, 0.8), (0.35, 0.0), (0.8, 0.25)])
def test_silence_padding_adds_the_right_number_of_samples(lead: float, trail: float) -> None:
    x = tone(0.5)
    padded = pad_silence(x, lead, trail)
    assert len(padded) == len(x) + round(lead * SR) + round(trail * SR)
    assert not padded[: round(lead * SR)].any()
    assert np.array_equal(padded[round(lead * SR): round(lead * SR) + len(x)], x)


def test_trimming_removes_what_padding_added() -> None:
    x = tone(0.5)
    trimmed = trim_silence(pad_silence(x, 0.6, 0.7))
    assert abs(len(trimmed) - len(x)) <= 0.05 * SR


@pytest.mark.parametrize("factor", [0.9, 0.95, 1.07, 1.1])
def test_speed_change_divides_the_duration_by_the_factor(factor: float) -> None:
    x = tone(2.0, 300.0)
    faster = change_speed(x, factor)
    assert abs(len(faster) - len(x) / factor) <= 0.002 * len(x)
    # the tone's frequency moves with the speed
    spectrum = np.abs(np.fft.rfft(faster))
    peak = np.fft.rfftfreq(len(faster), 1 / SR)[int(np.argmax(spectrum))]
    assert abs(peak - 300.0 * factor) < 3.0


@pytest.mark.parametrize(("rate_in", "rate_out"), [(8000, 16000), (22050, 16000)])
def test_resampling_keeps_the_duration(rate_in: int, rate_out: int) -> None:
    x = np.zeros(rate_in, dtype=np.float32)
    assert len(resample(x, rate_in, rate_out)) == rate_out


def test_level_is_set_and_peaks_stay_below_full_scale() -> None:
    x = tone(1.0, amplitude=0.01)
    quiet = set_level(x, -30.0)
    assert abs(10 * np.log10(active_power(quiet)) + 30.0) < 0.1
    loud = set_level(x, 0.0)
    assert np.max(np.abs(loud)) <= 0.98 + 1e-6


# ------------------------------------------------------------------ vocal tract length


@pytest.mark.parametrize("alpha", [0.9, 1.1])
def test_vtlp_moves_the_formants_and_keeps_the_pitch(alpha: float) -> None:
    x = vowel()
    warped = vtlp(x, alpha)
    assert len(warped) == len(x)
    before, after = envelope_peaks(x), envelope_peaks(warped)
    ratios = after[:2] / before[:2]
    assert np.all(np.abs(ratios - alpha) < 0.04), (before, after)
    assert abs(pitch(warped) - pitch(x)) < 2.0


def test_vtlp_near_one_changes_almost_nothing() -> None:
    x = vowel()
    same = vtlp(x, 1.0001)
    assert np.max(np.abs(same - x)) < 0.01


# ------------------------------------------------------------------ files and the chain


def test_written_files_are_16_khz_mono_int16(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    write_wav(path, tone(0.25, amplitude=1.5))  # over full scale: scaled, not wrapped
    with wave.open(str(path), "rb") as written:
        assert written.getframerate() == 16000
        assert written.getnchannels() == 1
        assert written.getsampwidth() == 2
        assert written.getnframes() == SR // 4
        pcm = np.frombuffer(written.readframes(written.getnframes()), dtype="<i2")
    assert pcm.max() > 30000
    samples, rate = read_wav(path)
    assert rate == SR and samples.dtype == np.float32


def test_augmentation_chain_is_fixed_by_its_seed() -> None:
    talkers = [vowel(f0, seconds=0.5) for f0 in (100.0, 150.0, 200.0, 250.0)]
    runs = [augment(vowel(), np.random.default_rng(seed), talkers) for seed in (9, 9, 10)]
    assert np.array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    assert runs[0][1] != runs[2][1]
    for audio, done in runs:
        lead, trail = done["silence"]
        assert len(audio) >= (lead + trail) * SR
        assert np.max(np.abs(audio)) <= 0.98 + 1e-6


def test_chain_records_what_it_did() -> None:
    talkers = [vowel(f0, seconds=0.5) for f0 in (100.0, 150.0, 200.0)]
    seen: set[str] = set()
    for seed in range(40):
        _, done = augment(vowel(), np.random.default_rng(seed), talkers)
        seen |= set(done)
        if "noise" in done:
            assert 0.0 <= done["noise"]["snr_db"] <= 30.0
            seen.add(done["noise"]["kind"])
        if "reverb" in done:
            assert 0.2 <= done["reverb"]["rt60"] <= 0.8
    assert {"speed", "vtlp", "reverb", "noise", "silence", "white", "pink", "babble"} <= seen


# ------------------------------------------------------------------ text and plan


@pytest.mark.parametrize(("text", "said"), [
    ("set the lamp to 100%", "set the lamp to one hundred percent"),
    ("set it to 70, uh, I mean 72", "set it to seventy uh i mean seventy two"),
    ("adjust the temp to 42.5 °", "adjust the temp to forty two point five degrees"),
    ("it's 21°C", "it's twenty one degrees"),
    ("remove 1/2 an hour", "remove half an hour"),
    ("fifty-eight and a 1/2 minutes", "fifty eight and a half minutes"),
    ("the 3rd floor", "the third floor"),
    ("What's the UV index today!", "what's the uv index today"),
    ("no, don't turn on the kitchen light", "no don't turn on the kitchen light"),
])
def test_spoken_form(text: str, said: str) -> None:
    assert spoken_form(text) == said


def _pools() -> dict[str, list[Sentence]]:
    return {
        "grammar": [Sentence(f"turn on lamp {i}", "HassTurnOn", "light", "grammar")
                    for i in range(50)],
        "proposer": [Sentence(f"what time is it {i}", "ResolverOther", "none", "other")
                     for i in range(50)],
        "slurp": [Sentence(f"olly make the lights a bit dimmer {i}", "HassLightSet", "light",
                           "slurp_train") for i in range(20)],
        "dialog": [Sentence("no, don't turn on the kitchen light", None, None, "dialog"),
                   Sentence("la " * 100, None, None, "dialog")],
    }


def test_plan_is_fixed_by_its_seed_and_a_prefix_of_a_longer_plan() -> None:
    pools = _pools()
    short, long, other = plan(60, 7, pools), plan(300, 7, pools), plan(60, 8, pools)
    assert short == long[:60]
    assert short != other
    sources = [job.sentence.source for job in long]
    assert 0.4 < sources.count("grammar") / len(long) < 0.6
    assert 0.05 < sources.count("dialog") / len(long) < 0.25
    assert 0.03 < sources.count("slurp_train") / len(long) < 0.18
    assert all(len(job.transcript.split()) <= synth.MAX_WORDS for job in long)
    assert {job.voice.engine for job in long} == set(synth.ENGINE_SHARES)


def test_a_plan_can_be_said_by_some_synthesizers_only() -> None:
    shares = synth.engine_shares(["flite", "pico"])
    assert shares == {"flite": synth.ENGINE_SHARES["flite"], "pico": synth.ENGINE_SHARES["pico"]}
    jobs = plan(300, 7, _pools(), shares)
    assert {job.voice.engine for job in jobs} == {"flite", "pico"}
    assert synth.engine_shares() == synth.ENGINE_SHARES
    with pytest.raises(ValueError, match="unknown synthesizer festival"):
        synth.engine_shares(["flite", "festival"])
    with pytest.raises(ValueError, match="unknown synthesizer"):
        synth.engine_shares([])
    assert "mbrola" not in synth.missing_synthesizers(("flite",))


def test_flite_voices_without_pitch_control_get_none() -> None:
    rng = random.Random(0)
    voices = [synth.draw_voice(rng) for _ in range(400)]
    assert all(v.pitch is None for v in voices if v.engine == "flite" and v.name == "rms")
    assert {v.name for v in voices if v.engine == "flite"} == set(synth.FLITE_VOICES)


def test_each_synthesizer_gets_about_its_share_of_the_voices() -> None:
    rng = random.Random(2)
    voices = [synth.draw_voice(rng) for _ in range(3000)]
    for engine, share in synth.ENGINE_SHARES.items():
        assert abs(sum(v.engine == engine for v in voices) / len(voices) - share) < 0.03
    assert {v.name for v in voices if v.engine == "pico"} == set(synth.PICO_VOICES)
    assert all(v.pitch_range is None and v.variant is None
               for v in voices if v.engine == "pico")
    assert {v.name for v in voices if v.engine == "mbrola"} == set(synth.MBROLA_VOICES)
    assert all(v.pitch_range is None and v.variant is None
               for v in voices if v.engine == "mbrola")


def test_mbrola_voices_are_driven_through_espeak_ng_english_maps() -> None:
    assert synth._espeak_voice(Voice("mbrola", "us2")) == "mb-us2"
    assert synth._espeak_voice(Voice("mbrola", "de4")) == "mb-de4-en"
    assert synth._espeak_voice(Voice("espeak-ng", "en-us", "f3")) == "en-us+f3"
    assert synth.MBROLA_NATIVE < synth.MBROLA_VOICES.keys()


def test_flite_pitch_range_is_drawn_around_each_voices_own() -> None:
    rng = random.Random(1)
    voices = [synth.draw_voice(rng) for _ in range(600)]
    assert all(v.pitch_range is None for v in voices if v.engine == "espeak-ng")
    assert all(v.pitch_range is None for v in voices if v.name in synth.FLITE_NO_PITCH)
    low, high = synth.PITCH_RANGE
    for name, default in synth.FLITE_F0_STDDEV.items():
        ranges = [v.pitch_range for v in voices if v.engine == "flite" and v.name == name]
        assert ranges and all(low * default - 0.1 <= r <= high * default + 0.1 for r in ranges)
        assert min(ranges) < default < max(ranges)


# ------------------------------------------------------------------ end to end

NEEDS_SYNTHESIZERS = pytest.mark.skipif(
    bool(synth.missing_synthesizers()),
    reason=f"speech synthesizers not installed: {', '.join(synth.missing_synthesizers())} "
           f"({synth.INSTALL_HINT}; CI does not have them)")


@pytest.mark.parametrize("voice", [Voice("espeak-ng", "en-gb-scotland", "f2", 1.1, 60),
                                   Voice("flite", "kal", None, 0.9, 1.1),
                                   Voice("flite", "slt", None, 1.0, 0.9, 45.0),
                                   Voice("flite", "rms", None, 1.0, None),
                                   Voice("pico", "en-US", None, 0.9, 1.15),
                                   Voice("pico", "en-GB", None, 1.1, 0.88),
                                   Voice("mbrola", "us1", None, 0.9, 40),
                                   Voice("mbrola", "de2", None, 1.1, 60)])
def test_each_synthesizer_says_a_text(voice: Voice, tmp_path: Path) -> None:
    if voice.engine in synth.missing_synthesizers():
        pytest.skip(f"{voice.engine} is not installed here (CI does not have it)")
    clean = synth.say_clean("turn off the kitchen light", voice, tmp_path)
    assert 0.5 * SR < len(clean) < 4 * SR


@pytest.mark.skipif("pico" in synth.missing_synthesizers(),
                    reason="the PyPI package ttspico is not installed here")
def test_a_voice_a_synthesizer_lacks_is_a_synthesis_error(tmp_path: Path) -> None:
    with pytest.raises(synth.SynthesisError, match="pico"):
        synth.say_clean("turn off the kitchen light", Voice("pico", "xx-XX"), tmp_path)


@NEEDS_SYNTHESIZERS
def test_a_small_corpus_end_to_end(tmp_path: Path) -> None:
    pools = {"grammar": [Sentence("turn on the kitchen light", "HassTurnOn", "light",
                                  "grammar"),
                         Sentence("set the thermostat to 72", "HassClimateSetTemperature",
                                  "climate", "grammar")],
             "dialog": [Sentence("no, don't turn on the kitchen light", None, None, "dialog")]}
    first = synth.build_corpus(tmp_path / "a", 3, 5, pools=pools, workers=2, progress=False)
    again = synth.build_corpus(tmp_path / "b", 3, 5, pools=pools, workers=1, progress=False)
    assert first["utterances"] == 3 and first["skipped"] == 0
    rows = [json.loads(line) for line in (tmp_path / "a" / "manifest.jsonl").open()]
    assert len(rows) == 3
    for row in rows:
        assert {"path", "text", "transcript", "intent", "domain", "voice", "augmentations",
                "duration"} <= set(row)
        with wave.open(str(tmp_path / "a" / row["path"]), "rb") as written:
            assert (written.getframerate(), written.getnchannels(),
                    written.getsampwidth()) == (16000, 1, 2)
            assert abs(written.getnframes() / 16000 - row["duration"]) < 1e-3
        same = (tmp_path / "b" / row["path"]).read_bytes()
        assert (tmp_path / "a" / row["path"]).read_bytes() == same
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["utterances"] == 3
    assert sum(summary["per_voice"].values()) == 3
    assert summary["hours"] > 0 and summary["disk_bytes"] > 0
    assert again["per_intent"] == first["per_intent"]


@NEEDS_SYNTHESIZERS
def test_a_failing_text_is_skipped_and_counted(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = synth.synthesize

    def flaky(text: str, voice: Voice, workdir: str | Path) -> tuple[np.ndarray, int]:
        if "explode" in text:
            raise synth.SynthesisError("refused")
        return real(text, voice, workdir)

    monkeypatch.setattr(synth, "synthesize", flaky)
    pools = {"grammar": [Sentence("turn on the lamp", "HassTurnOn", "light", "grammar"),
                         Sentence("explode", "ResolverOther", "none", "grammar")]}
    summary = synth.build_corpus(tmp_path, 6, 1, pools=pools, workers=1, progress=False)
    assert summary["skipped"] >= 1
    assert summary["utterances"] + summary["skipped"] == 6
    assert all(e["text"] == "explode" for e in summary["skipped_examples"])


def test_negated_commands_are_labelled_with_the_command_they_name() -> None:
    from resolver.neural.data import NEGATIONS, grammar_examples

    said = list(grammar_examples(random.Random(3), homes=4, per_home=60, negated_share=0.5))
    # A negated sentence follows the command it names.
    pairs = [(named, e) for named, e in itertools.pairwise(said) if e.text.startswith(NEGATIONS)]
    assert pairs
    for named, example in pairs:
        assert example.text.endswith(" " + named.text)
        assert example.intent == named.intent
    # The text proposer's sentences have no negated share.
    before = [e.text for e in grammar_examples(random.Random(3), homes=4, per_home=60)]
    assert before and not any(t.startswith(NEGATIONS) for t in before)


def test_dialog_pool_labels_a_spoken_negation_with_the_command_it_names() -> None:
    labels = {s.text: s.intent for s in synth.dialog_pool()}
    assert labels["don't turn on the garage light"] == "HassTurnOn"
    assert labels["no, don't turn off the hallway light"] == "HassTurnOff"


def test_generated_dialog_turns_share_no_sentence_with_the_golden_dialogs() -> None:
    generated = synth.follow_up_pool(5, homes=12)
    golden = {spoken_form(s.text) for s in synth.dialog_pool()}
    texts = [s.text for s in generated]
    assert len(texts) > 300 and len(set(texts)) > 0.8 * len(texts)
    assert not golden & {spoken_form(t) for t in texts}
    # Every shape is there: references, ellipsis, repairs, exclusions, undo, negations,
    # conditions before and after the command, and times.
    for pattern in (r"^(turn|switch) (it|them)\b", r" (too|as well|also)$", r"^(no|nope|nah) ",
                    r" (except|but not|excluding|besides) ", r"\b(undo|never mind|cancel)\b",
                    r" don't ", r"^(if|unless|only if) ", r" (if|unless) (it|they)"):
        assert any(re.search(pattern, t) for t in texts), pattern
    times = tuple(spoken_times())
    assert any(t.endswith(times) for t in texts) and any(t.startswith(times) for t in texts)
    # Labelled where a turn stands alone, negated commands with the command they name.
    assert {s.intent for s in generated if re.match(r"^(turn|switch) (it|them) off$", s.text)
            } <= {"HassTurnOff"}
    assert all(s.intent is None for s in generated if s.text.endswith(" too"))
    negated = [s for s in generated if re.match(r"^(no|nope|nah) don't \w", s.text)]
    assert negated and all(s.intent is not None for s in negated)
    assert synth.follow_up_pool(5, homes=12) == generated  # the seed decides


def test_the_dialog_pool_is_chosen_by_name() -> None:
    with pytest.raises(ValueError, match="dialogs must be one of"):
        synth.sentence_pools(1, dialogs="other")
