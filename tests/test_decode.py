"""The CTC beam search with the home's lexicon and word model (resolver.speech.decode)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from resolver.home import Home
from resolver.language.parse import lexicon
from resolver.neural.audio_model import ALPHABET, CHAR_INDEX, greedy_decode
from resolver.speech.decode import CtcDecoder, WordModel, home_decoder
from resolver.speech.listen import spoken_text

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "turn on the kitchen light",
    "turn off the kitchen light",
    "turn on the hallway light",
    "don't turn on the kitchen light",
    "dim the kitchen light",
    "turn it off",
]


def _matrix(spelled: str, confusions: dict[int, dict[str, float]] | None = None,
            floor: float = -12.0) -> np.ndarray:
    """A CTC log-prob matrix for ``spelled`` (each character followed by a blank), with
    some steps shared between characters: {step: {char: probability}}."""
    rows = []
    for ch in spelled:
        rows.append({ch: 0.9})
        rows.append({"<blank>": 0.95})
    for step, shares in (confusions or {}).items():
        rows[step] = shares
    matrix = np.full((len(rows), len(ALPHABET)), floor)
    for t, shares in enumerate(rows):
        rest = 1.0 - sum(shares.values())
        matrix[t, :] = math.log(max(rest, 1e-6) / len(ALPHABET))
        for ch, p in shares.items():
            matrix[t, 0 if ch == "<blank>" else CHAR_INDEX[ch]] = math.log(p)
    return matrix


@pytest.fixture(scope="module")
def decoder() -> CtcDecoder:
    return CtcDecoder.from_sentences(SENTENCES, ALPHABET)


def test_a_clear_path_decodes_to_its_words(decoder: CtcDecoder) -> None:
    best = decoder.decode(_matrix("turn on the kitchen light"))
    assert best[0].text == "turn on the kitchen light"
    assert best[0].acoustic <= 0.0 and best[0].lm < 0.0


def test_a_misspelled_path_is_pulled_onto_known_words(decoder: CtcDecoder) -> None:
    # Step 24 is the "k" of "kitchen" (two steps a character): torn between "k" and "c".
    torn = _matrix("turn on the kitchen light", {24: {"c": 0.5, "k": 0.4}})
    assert greedy_decode(torn) == "turn on the citchen light"
    assert decoder.decode(torn)[0].text == "turn on the kitchen light"


def test_the_word_model_settles_what_the_sound_leaves_open(decoder: CtcDecoder) -> None:
    # "on" / "of" equally likely to the ear: "turn on the hallway light" is the sentence
    # people say; "turn of" is not one.
    torn = _matrix("turn on the hallway light", {12: {"n": 0.45, "f": 0.45}})
    assert decoder.decode(torn)[0].text == "turn on the hallway light"


def test_only_words_of_the_vocabulary_come_out(decoder: CtcDecoder) -> None:
    nbest = decoder.decode(_matrix("turn on the garage light"), nbest=5)
    vocabulary = decoder.model.vocabulary
    assert all(set(d.text.split()) <= vocabulary for d in nbest)


def test_negation_and_contractions_survive(decoder: CtcDecoder) -> None:
    assert decoder.decode(_matrix("don't turn on the kitchen light"))[0].text == \
        "don't turn on the kitchen light"


def test_nothing_heard_gives_nothing(decoder: CtcDecoder) -> None:
    silence = np.full((40, len(ALPHABET)), -20.0)
    silence[:, 0] = 0.0
    assert decoder.decode(silence) == []
    assert decoder.decode(np.zeros((0, len(ALPHABET)))) == []


def test_the_look_ahead_finds_the_likeliest_follower_of_every_spelling(
        decoder: CtcDecoder) -> None:
    model, trie = decoder.model, decoder._trie
    contexts = [(None, u) for u in model.followers1] + list(model.followers2)
    assert contexts
    for t, u in contexts:
        for node in range(1, len(trie.spelling)):
            spelled = trie.spelling[node]
            fits = [model.p2(u, w) if t is None else math.exp(model.logp(t, u, w))
                    for w in (model.followers1.get(u, ()) if t is None
                              else model.followers2.get((t, u), ()))
                    if w in trie.words and w.startswith(spelled)]
            assert decoder._first_follower(t, u, node) == max(fits, default=0.0)


def test_the_word_model_prefers_seen_sequences() -> None:
    model = WordModel(SENTENCES)
    assert model.sentence_logp("turn on the kitchen light") > \
        model.sentence_logp("light kitchen the on turn")
    assert model.sentence_logp("turn on the kitchen light") > \
        model.sentence_logp("turn on the garage light")


def test_a_home_decoder_knows_the_homes_names() -> None:
    home = Home.from_files(ROOT / "demo" / "home.yaml")
    decoder, _ = home_decoder(home, lexicon(str(ROOT / "grammars")), ALPHABET)
    vocabulary = decoder.model.vocabulary
    assert {"chandelier", "hallway", "don't", "percent", "fifty"} <= vocabulary
    again, _ = home_decoder(home, lexicon(str(ROOT / "grammars")), ALPHABET)
    assert again is decoder  # built once per home


def test_a_home_decoder_expects_the_phrases_the_rules_take_whole() -> None:
    home = Home.from_files(ROOT / "demo" / "home.yaml")
    plain, _ = home_decoder(home, lexicon(str(ROOT / "grammars")), ALPHABET)
    with_rules, _ = home_decoder(home, lexicon(str(ROOT / "grammars")), ALPHABET,
                                 ("movie time", "game night 2"))
    assert with_rules is not plain  # built for the rules too
    for said in ("movie time", "game night two"):
        assert with_rules.model.sentence_logp(said) > plain.model.sentence_logp(said) + 5
    assert "night" in with_rules.model.vocabulary


def test_spoken_text_says_numbers_as_words() -> None:
    assert spoken_text("set it to 50%") == "set it to fifty percent"
    assert spoken_text("Set the thermostat to 72 degrees") == \
        "set the thermostat to seventy two degrees"


def test_the_look_ahead_is_the_best_word_below_each_node() -> None:
    home = Home.from_files(ROOT / "demo" / "home.yaml")
    decoder, _ = home_decoder(home, lexicon(str(ROOT / "grammars")), ALPHABET)
    model, trie = decoder.model, decoder._trie
    contexts = [("<s>", "<s>"), ("<s>", "turn"), ("turn", "on"), ("on", "the"),
                ("the", "kitchen"), ("don't", "turn"), ("zebra", "the"), ("<s>", "set")]
    rng = np.random.default_rng(0)
    nodes = [0, *rng.choice(np.arange(1, len(trie.below)), size=60, replace=False).tolist()]
    for t, u in contexts:
        for node in nodes:
            if not trie.below[node]:
                continue
            brute = max(model.logp(t, u, w) for w in trie.below[node])
            assert math.log(decoder._best_below(t, u, node)) == pytest.approx(brute, abs=1e-9)


def _heard(said: str, rng: np.random.Generator, blur: float) -> np.ndarray:
    """A CTC log-prob matrix of ``said`` as a network unsure of it might give: each
    character on a step between blanks, every step's logits spread by ``blur``."""
    targets = [index for ch in said for index in (CHAR_INDEX[ch], 0)]
    logits = rng.normal(0.0, blur, size=(len(targets), len(ALPHABET)))
    logits[np.arange(len(targets)), targets] += 6.0
    logits[:, 0] += 1.0
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


@pytest.mark.parametrize("beam", [4, 12, 48])
def test_prefixes_left_out_as_unable_to_stay_change_no_transcript(beam: int) -> None:
    home = Home.from_files(ROOT / "demo" / "home.yaml")
    decoder, _ = home_decoder(home, lexicon(str(ROOT / "grammars")), ALPHABET)
    bounded = replace(decoder, beam=beam)
    every = replace(decoder, beam=beam, bound=False)
    rng = np.random.default_rng(beam)
    said = ["turn on the kitchen light", "don't turn off the hallway light",
            "set the chandelier to fifty percent", "what's the temperature in the bedroom",
            "no the floor lamp", "turn it off"]
    for text in said:
        for blur in (0.5, 1.5, 2.5):
            matrix = _heard(text, rng, blur)
            left_out = [(d.text, d.score, d.acoustic) for d in bounded.decode(matrix, nbest=8)]
            kept = [(d.text, d.score, d.acoustic) for d in every.decode(matrix, nbest=8)]
            assert left_out == kept
