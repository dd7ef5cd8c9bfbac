"""Speech: loading audio for the resolver, and the pocketsphinx path on committed WAV files."""

from __future__ import annotations

import io
import random
import re
import struct
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from resolver import Resolver
from resolver.home import Home
from resolver.language.parse import GRAMMAR_DIR
from resolver.language.tagger import Lexicon, Tagger, spoken_times
from resolver.speech import sphinx
from resolver.speech.audio import (
    MAX_SECONDS,
    SAMPLE_RATE,
    AudioError,
    TrimSettings,
    load_audio,
    read_wav,
    resample,
    trim_silence,
    wav_bytes,
)

AUDIO = Path(__file__).resolve().parent / "data" / "audio"
DEMO_HOME = Path(__file__).resolve().parent.parent / "demo" / "home.yaml"
NO_TRIM = None


def tone(freq: float, seconds: float, rate: int, level: float = 0.5) -> np.ndarray:
    """A sine tone as float32 samples."""
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency in ``samples``."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * rate / samples.size)


def wav_file(frames: bytes, *, channels: int = 1, width: int = 2, rate: int = 16000,
             tag: int = 1, extensible_tag: int | None = None) -> bytes:
    """A WAV file written by hand, for encodings the ``wave`` module cannot write."""
    block = channels * width
    if extensible_tag is None:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, 8 * width)
    else:
        guid = struct.pack("<H", extensible_tag) + bytes.fromhex(
            "000000001000800000aa00389b71")
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block,
                          8 * width, 22, 8 * width, 0) + guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pcm_wav(samples: np.ndarray, width: int, rate: int = 16000, channels: int = 1) -> bytes:
    """``samples`` (interleaved when several channels) as integer PCM of ``width`` bytes."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        if width == 1:
            data = np.round(samples * 127 + 128).astype(np.uint8).tobytes()
        elif width == 3:
            ints = np.round(samples * (2**23 - 1)).astype("<i4").tobytes()
            data = b"".join(ints[i : i + 3] for i in range(0, len(ints), 4))
        else:
            dtype = {2: "<i2", 4: "<i4"}[width]
            data = np.round(samples * (2 ** (8 * width - 1) - 1)).astype(dtype).tobytes()
        writer.writeframes(data)
    return buffer.getvalue()


# -- loading ---------------------------------------------------------------------------


def test_a_wav_path_loads_as_16k_mono_float32() -> None:
    samples = load_audio(AUDIO / "turn_on_kitchen.wav")
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert float(np.abs(samples).max()) <= 1.0
    assert 0.8 * SAMPLE_RATE < samples.size < 2.0 * SAMPLE_RATE


def test_paths_bytes_and_arrays_give_the_same_samples() -> None:
    path = AUDIO / "lock_front_door.wav"
    from_path = load_audio(path)
    assert np.array_equal(load_audio(str(path)), from_path)
    assert np.array_equal(load_audio(path.read_bytes()), from_path)
    raw, rate = read_wav(path.read_bytes())
    assert rate == SAMPLE_RATE
    assert np.array_equal(load_audio(raw), from_path)


def test_an_array_is_taken_at_16k_unless_told_otherwise() -> None:
    samples = tone(440, 0.5, 16000)
    assert np.array_equal(load_audio(samples, trim=NO_TRIM), samples)
    doubled = load_audio(tone(440, 0.5, 8000), sample_rate=8000, trim=NO_TRIM)
    assert doubled.size == 8000
    assert abs(peak_frequency(doubled, SAMPLE_RATE) - 440) < 5


def test_integer_and_multichannel_arrays_are_scaled_and_mixed() -> None:
    samples = tone(300, 0.3, 16000)
    ints = np.round(samples * 32767).astype(np.int16)
    assert np.allclose(load_audio(ints, trim=NO_TRIM), samples, atol=1e-4)
    stereo = np.stack([samples, np.zeros_like(samples)], axis=1)
    assert np.allclose(load_audio(stereo, trim=NO_TRIM), samples / 2, atol=1e-6)
    assert np.allclose(load_audio(stereo.T.copy(), trim=NO_TRIM), samples / 2, atol=1e-6)


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 32000, 44100, 48000, 96000, 44056])
def test_resampling_keeps_pitch_and_level(rate: int) -> None:
    out = resample(tone(440, 1.0, rate), rate, SAMPLE_RATE)
    assert abs(out.size - SAMPLE_RATE) <= 1
    assert abs(peak_frequency(out, SAMPLE_RATE) - 440) < 2
    expected = tone(440, out.size / SAMPLE_RATE, SAMPLE_RATE)[: out.size]
    assert np.max(np.abs(out[100:-100] - expected[100:-100])) < 1e-3


def test_resampling_down_removes_what_16k_cannot_hold() -> None:
    out = resample(tone(10_000, 1.0, 44100), 44100, SAMPLE_RATE)  # would alias to 6 kHz
    assert float(np.sqrt(np.mean(out[200:-200] ** 2))) < 1e-3


def test_the_44k_stereo_file_is_resampled_and_mixed_down() -> None:
    with wave.open(str(AUDIO / "yes_44k_stereo.wav")) as reader:
        assert (reader.getframerate(), reader.getnchannels()) == (44100, 2)
        seconds = reader.getnframes() / 44100
    samples = load_audio(AUDIO / "yes_44k_stereo.wav", trim=NO_TRIM)
    assert abs(samples.size - seconds * SAMPLE_RATE) <= 1
    raw, rate = read_wav((AUDIO / "yes_44k_stereo.wav").read_bytes())
    assert rate == 44100
    # Left as spoken, right at half level: the mix is three quarters of the left.
    with wave.open(str(AUDIO / "yes_44k_stereo.wav")) as reader:
        frames = np.frombuffer(reader.readframes(reader.getnframes()), "<i2")
    left = frames[0::2] / 32768.0
    assert np.allclose(raw, 0.75 * left, atol=1e-4)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_pcm_of_every_width_decodes(width: int) -> None:
    samples = tone(500, 0.2, 16000)
    decoded, rate = read_wav(pcm_wav(samples, width))
    assert rate == 16000
    assert np.allclose(decoded, samples, atol=2.0 / 2 ** (8 * width - 1) + 1e-6)


def test_float_and_extensible_wavs_decode() -> None:
    samples = tone(500, 0.2, 16000)
    as_float = wav_file(samples.astype("<f4").tobytes(), width=4, tag=3)
    assert np.allclose(read_wav(as_float)[0], samples)
    ints = np.round(samples * (2**31 - 1)).astype("<i4").tobytes()
    extensible = wav_file(ints, width=4, extensible_tag=1)
    assert np.allclose(read_wav(extensible)[0], samples, atol=1e-6)


def test_stereo_wav_is_mixed_to_mono() -> None:
    left, right = tone(500, 0.2, 16000), tone(700, 0.2, 16000)
    interleaved = np.stack([left, right], axis=1).reshape(-1)
    decoded, _ = read_wav(pcm_wav(interleaved, 2, channels=2))
    assert np.allclose(decoded, (left + right) / 2, atol=1e-4)


def test_leading_and_trailing_silence_is_trimmed() -> None:
    quiet = np.zeros(8000, np.float32)
    speech = tone(300, 0.3, 16000)
    trimmed = load_audio(np.concatenate([quiet, speech, quiet]))
    margin = int(SAMPLE_RATE * TrimSettings().margin_ms / 1000)
    frame = int(SAMPLE_RATE * TrimSettings().frame_ms / 1000)
    assert speech.size <= trimmed.size <= speech.size + 2 * margin + 2 * frame
    assert trim_silence(speech, SAMPLE_RATE).size == speech.size  # nothing to trim


def test_the_committed_speech_keeps_its_words_when_trimmed() -> None:
    untrimmed = load_audio(AUDIO / "turn_on_kitchen.wav", trim=NO_TRIM)
    trimmed = load_audio(AUDIO / "turn_on_kitchen.wav")
    assert trimmed.size < untrimmed.size
    energy = float(np.sum(untrimmed.astype(np.float64) ** 2))
    assert float(np.sum(trimmed.astype(np.float64) ** 2)) > 0.999 * energy


def test_wav_bytes_round_trip() -> None:
    samples = tone(440, 0.25, 16000)
    decoded, rate = read_wav(wav_bytes(samples))
    assert rate == 16000 and np.allclose(decoded, samples, atol=1e-4)


# -- bad audio ---------------------------------------------------------------------------

_HEADER_ONLY = pcm_wav(np.zeros(0, np.float32), 2)
_TOO_LONG = pcm_wav(np.full(int(8000 * (MAX_SECONDS + 1)), 0.1, np.float32), 2, rate=8000)

BAD_INPUTS: list[tuple[str, object, str]] = [
    ("text named .wav", AUDIO / "not_audio.wav", "not a WAV file"),
    ("silent file", AUDIO / "silence.wav", "silent"),
    ("missing file", AUDIO / "no_such_file.wav", "cannot read audio file"),
    ("directory", AUDIO, "cannot read audio file"),
    ("empty bytes", b"", "not a WAV file (empty input)"),
    ("garbage bytes", bytes(range(256)) * 4, "not a WAV file"),
    ("no samples", _HEADER_ONLY, "empty audio"),
    ("header cut short", _HEADER_ONLY[:30], "format chunk is truncated"),
    ("no format chunk", b"RIFF\x04\x00\x00\x00WAVE", "no format chunk"),
    ("mu-law", wav_file(b"\x00" * 320, width=1, tag=7), "unsupported WAV encoding: mu-law"),
    ("64-bit float", wav_file(b"\x00" * 640, width=8, tag=3), "unsupported"),
    ("tiny rate", wav_file(b"\x00" * 320, rate=1000), "unsupported sample rate"),
    ("too long file", _TOO_LONG, "too long"),
    ("too long array", np.zeros(int(SAMPLE_RATE * 31), np.float32), "too long"),
    ("empty array", np.zeros(0, np.float32), "empty audio"),
    ("silent array", np.zeros(16000, np.float32), "silent"),
    ("not a number", np.array([0.1, np.nan, 0.2], np.float32), "not numbers"),
    ("pcm as floats", np.full(1000, 12000.0), "out of range"),
    ("3-d array", np.zeros((10, 10, 10), np.float32), "shape"),
    ("complex array", np.zeros(100, np.complex64), "give float samples"),
    ("string array", np.array(["a", "b"]), "give float samples"),
    ("a number", 42, "unsupported audio input of type int"),
    ("a list", [0.1, 0.2], "unsupported audio input of type list"),
]


@pytest.mark.parametrize(("name", "source", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_audio_raises_audio_error_with_a_clear_message(name: str, source: object,
                                                           message: str) -> None:
    with pytest.raises(AudioError, match=None) as caught:
        load_audio(source)  # type: ignore[arg-type]
    assert message in str(caught.value), str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_bad_rate_for_an_array_is_refused() -> None:
    with pytest.raises(AudioError, match="sample rate"):
        load_audio(tone(440, 0.2, 16000), sample_rate=0)


def test_damaged_wavs_raise_only_audio_error() -> None:
    good = (AUDIO / "lock_front_door.wav").read_bytes()
    rng = random.Random(5)
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(300):
        data = bytearray(good[: rng.randrange(0, 4000)] if rng.random() < 0.3 else good)
        for _ in range(rng.randrange(1, 8)):
            position = rng.randrange(0, min(len(data), 64)) if data else 0
            if data:
                data[position] = rng.randrange(256)
        try:
            load_audio(bytes(data))
            outcomes["loaded"] += 1
        except AudioError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0


# -- pocketsphinx ---------------------------------------------------------------------------

SPOKEN = {
    "turn_on_kitchen.wav": "turn on the kitchen light",
    "dont_turn_on_kitchen.wav": "no don't turn on the kitchen light",
    "lock_front_door.wav": "lock the front door",
    "yes_44k_stereo.wav": "yes",
}


@pytest.fixture(scope="module")
def home() -> Home:
    return Home.from_files(DEMO_HOME)


@pytest.fixture(scope="module")
def recognizer(home: Home) -> sphinx.SphinxRecognizer:
    pytest.importorskip("pocketsphinx")
    return sphinx.SphinxRecognizer(home)


@pytest.fixture(scope="module")
def transcripts(recognizer: sphinx.SphinxRecognizer) -> dict[str, str]:
    out = {}
    for name in SPOKEN:
        hypotheses = recognizer.recognize(AUDIO / name)
        out[name] = hypotheses[0].text if hypotheses else ""
    return out


def resolver() -> Resolver:
    return Resolver.from_files(DEMO_HOME, neural=False)


@pytest.mark.parametrize("name", sorted(SPOKEN))
def test_committed_speech_decodes_to_its_words(transcripts: dict[str, str], name: str) -> None:
    assert transcripts[name] == SPOKEN[name]


def test_spoken_command_turns_on_the_kitchen_light(transcripts: dict[str, str]) -> None:
    result = resolver().resolve(transcripts["turn_on_kitchen.wav"])
    assert [(a.name, a.entity_ids) for a in result.actions] == [
        ("light.turn_on", ("light.kitchen_light",))]


def test_spoken_negation_leaves_an_off_light_off(transcripts: dict[str, str]) -> None:
    result = resolver().resolve(transcripts["dont_turn_on_kitchen.wav"])
    assert result.actions == []
    assert "stays off" in result.response


def test_spoken_negation_of_a_light_that_is_on_turns_it_off(transcripts: dict[str, str]) -> None:
    turn = resolver()
    turn.apply_event("light.kitchen_light", "on")
    result = turn.resolve(transcripts["dont_turn_on_kitchen.wav"])
    assert [(a.name, a.entity_ids) for a in result.actions] == [
        ("light.turn_off", ("light.kitchen_light",))]


def test_spoken_dialog_negation_undoes_the_spoken_command(transcripts: dict[str, str]) -> None:
    dialog = resolver()
    dialog.resolve(transcripts["turn_on_kitchen.wav"])
    result = dialog.resolve(transcripts["dont_turn_on_kitchen.wav"])
    assert [a.name for a in result.actions] == ["light.turn_off"]


def test_spoken_lock_locks_the_front_door(transcripts: dict[str, str]) -> None:
    result = resolver().resolve(transcripts["lock_front_door.wav"])
    assert [(a.name, a.entity_ids) for a in result.actions] == [
        ("lock.lock", ("lock.front_door",))]


def test_the_nbest_is_ranked_distinct_and_sums_to_one(recognizer: sphinx.SphinxRecognizer) -> None:
    hypotheses = recognizer.recognize(AUDIO / "turn_on_kitchen.wav")
    assert 1 < len(hypotheses) <= sphinx.NBEST
    texts = [h.text for h in hypotheses]
    assert len(set(texts)) == len(texts)
    scores = [h.score for h in hypotheses]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 1e-6
    assert [h.log_score for h in hypotheses] == sorted((h.log_score for h in hypotheses),
                                                       reverse=True)


def test_bytes_arrays_and_other_rates_decode_alike(recognizer: sphinx.SphinxRecognizer) -> None:
    path = AUDIO / "lock_front_door.wav"
    samples = load_audio(path, trim=NO_TRIM)
    at_48k = resample(samples, SAMPLE_RATE, 48000)
    for audio, rate in [(path.read_bytes(), SAMPLE_RATE), (samples, SAMPLE_RATE),
                        (at_48k, 48000)]:
        assert recognizer.recognize(audio, sample_rate=rate)[0].text == "lock the front door"


def test_bad_audio_is_refused_before_decoding(recognizer: sphinx.SphinxRecognizer) -> None:
    for name in ("silence.wav", "not_audio.wav"):
        with pytest.raises(AudioError):
            recognizer.recognize(AUDIO / name)


def test_decoding_is_faster_than_real_time(recognizer: sphinx.SphinxRecognizer) -> None:
    samples = load_audio(AUDIO / "dont_turn_on_kitchen.wav")
    start = time.perf_counter()
    recognizer.recognize(samples)
    assert time.perf_counter() - start < samples.size / SAMPLE_RATE


def test_the_grammar_is_compiled_once_per_home(home: Home, recognizer: sphinx.SphinxRecognizer) -> None:
    start = time.perf_counter()
    again = sphinx.SphinxRecognizer(Home.from_files(DEMO_HOME))
    assert time.perf_counter() - start < 1.0
    assert again.search == recognizer.search and again.grammar is recognizer.grammar


def test_other_settings_get_a_decoder_of_their_own(home: Home,
                                                  recognizer: sphinx.SphinxRecognizer) -> None:
    every_frame = sphinx.SphinxRecognizer(home, settings={"ds": 1})
    assert every_frame._engine is not recognizer._engine
    assert every_frame._engine.decoder.get_config()["ds"] == 1
    assert recognizer._engine.decoder.get_config()["ds"] == sphinx.DECODER_CONFIG["ds"]
    heard = every_frame.recognize(AUDIO / "dont_turn_on_kitchen.wav")
    assert heard and heard[0].text == SPOKEN["dont_turn_on_kitchen.wav"]


def test_each_utterance_starts_from_the_models_cepstral_mean(
        recognizer: sphinx.SphinxRecognizer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The mean adapts while an utterance is heard; what one speaker said before must not
    # shift the mean the next utterance starts from.
    engine = recognizer._engine
    decoder = engine.decoder
    start = decoder.start_utt
    seen: list[str] = []

    class Watched:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(decoder, name)

        def start_utt(self) -> None:
            seen.append(decoder.get_cmn())
            start()

    monkeypatch.setattr(engine, "decoder", Watched())
    for name in ("turn_on_kitchen.wav", "lock_front_door.wav", "turn_on_kitchen.wav"):
        recognizer.recognize(AUDIO / name)
    assert seen == [engine.cmn] * 3
    assert decoder.get_cmn() != engine.cmn  # it did adapt within the last one


def test_an_utterance_is_heard_alike_whatever_was_heard_before(
        recognizer: sphinx.SphinxRecognizer) -> None:
    # The front end's noise estimate adapts too: the same recording, decoded after others,
    # must come out the same (n-best and scores), and so must its alignment.
    first = recognizer.recognize(AUDIO / "dont_turn_on_kitchen.wav")
    aligned = recognizer.align(AUDIO / "dont_turn_on_kitchen.wav", [first[0].text])
    for name in ("lock_front_door.wav", "yes_44k_stereo.wav", "turn_on_kitchen.wav"):
        recognizer.recognize(AUDIO / name)
        recognizer.align(AUDIO / name, ["lock the front door"])
    assert recognizer.recognize(AUDIO / "dont_turn_on_kitchen.wav") == first
    assert recognizer.align(AUDIO / "dont_turn_on_kitchen.wav", [first[0].text]) == aligned


# -- the grammar ------------------------------------------------------------------------------


def test_the_grammar_holds_the_homes_names_the_lexicon_and_numbers(recognizer: sphinx.SphinxRecognizer) -> None:
    grammar = recognizer.grammar
    rules = grammar.rules
    assert "kitchen light" in rules["NAME"] and "front door" in rules["NAME"]
    assert "hallway" in rules["AREA"] and "upstairs" in rules["FLOOR"]
    assert "seventy two" in rules["NUMBER"] and "one hundred" in rules["NUMBER"]
    assert "red" in rules["COLOR"]
    lexicon = Lexicon.from_file(Path(GRAMMAR_DIR) / "lexicon.txt")
    said = {p for name in grammar.word_classes for p in rules[name]}
    for phrase in lexicon.classes:
        assert phrase in said or phrase in grammar.skipped, phrase
    text = grammar.jsgf()
    assert text.startswith("#JSGF V1.0;") and "public <utterance> =" in text


def test_generated_sentences_use_every_name_and_shape(recognizer: sphinx.SphinxRecognizer) -> None:
    sentences = recognizer.grammar.sentences(sphinx.SENTENCES)
    joined = "\n".join(sentences)
    for name in recognizer.grammar.rules["NAME"]:
        assert name in joined, name
    assert "turn on the kitchen light" in joined
    assert any(s.startswith(("no don't", "don't")) for s in sentences)
    assert any(s.startswith(("i meant", "actually")) for s in sentences)
    assert sentences == recognizer.grammar.sentences(sphinx.SENTENCES)  # seeded
    # what the text path reads since the first word models: times, parts, levels, "where"
    assert any(s.endswith(" minutes") or s.startswith("in ") for s in sentences)
    for word in ("half", "high", "where", "sunset"):
        assert f" {word} " in f" {joined} ", word
    # ... and conditions, of devices and of people ("if nobody is home")
    assert any(s.startswith(("if ", "unless ")) for s in sentences)
    assert any(re.search(r"\b(if|unless) (someone|anyone|nobody|no one) is ", s)
               for s in sentences)


def test_every_time_the_speech_grammar_says_is_read_as_later(home: Home) -> None:
    tagger = Tagger(home, Lexicon.from_file(Path(GRAMMAR_DIR) / "lexicon.txt"))
    for phrase in spoken_times():
        kinds = [t.kind for t in tagger.tag(f"turn on the kitchen light {phrase}")]
        assert kinds[-1] == "LATER" and kinds.count("LATER") == 1, (phrase, kinds)


def test_missing_words_get_a_fallback_pronunciation_or_are_left_out(recognizer: sphinx.SphinxRecognizer) -> None:
    pronouncer = recognizer._engine.pronouncer
    lookup = pronouncer.decoder.lookup_word
    assert pronouncer.fallback("sideboard") == f"{lookup('side')} {lookup('board')}"
    assert pronouncer.fallback("hdmi") == "EY CH D IY EH M AY"
    assert pronouncer.fallback("zqxwvb") is not None
    assert pronouncer.fallback("roomba") is None
    assert "roomba" in recognizer.grammar.skipped


def test_number_words_and_transcript_normalization() -> None:
    assert sphinx.number_words(0) == "zero"
    assert sphinx.number_words(72) == "seventy two"
    assert sphinx.number_words(100) == "one hundred"
    assert sphinx.number_words(205) == "two hundred five"
    assert sphinx.normalize("SET it TO seventy two degrees") == "set it to 72 degrees"
    assert sphinx.normalize("the bedroom one") == "the bedroom one"
    assert sphinx.normalize("turn on speaker two", {"speaker two": "speaker 2"}) == (
        "turn on speaker 2")


def test_the_grammar_says_the_phrases_the_rules_take_whole(
        recognizer: sphinx.SphinxRecognizer) -> None:
    home = Home.from_files(DEMO_HOME)
    lexicon = Lexicon.from_file(Path(GRAMMAR_DIR) / "lexicon.txt")
    pronouncer = recognizer._engine.pronouncer
    grammar = sphinx.build_grammar(home, lexicon, pronouncer, ("movie time",))
    assert grammar.rules["SAID"] == ("movie time",)
    assert "movie time" in grammar.sentences(2000)
    assert "SAID" not in sphinx.build_grammar(home, lexicon, pronouncer).rules
    assert sphinx.fingerprint(home, lexicon, ("movie time",)) != sphinx.fingerprint(home, lexicon)


def test_names_with_digits_are_said_in_words_and_written_back(recognizer: sphinx.SphinxRecognizer) -> None:
    home = Home.from_dict({
        "areas": [{"id": "den", "name": "Den"}],
        "entities": [{"id": "media_player.hdmi_1", "name": "HDMI 1", "area": "den",
                      "state": "idle"}],
    })
    grammar = sphinx.build_grammar(home, Lexicon.from_file(Path(GRAMMAR_DIR) / "lexicon.txt"),
                                   recognizer._engine.pronouncer)
    assert "hdmi one" in grammar.rules["NAME"]
    assert grammar.spelled == {"hdmi one": "hdmi 1"}
    assert sphinx.normalize("pause hdmi one", grammar.spelled) == "pause hdmi 1"
