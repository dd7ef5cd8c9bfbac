"""Speech in, actions out: the listener's choice between the speech paths, end to end."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from resolver.pipeline import Resolver
from resolver.speech import listen
from resolver.speech.audio import load_audio
from resolver.speech.listen import Listener, ctc_weight

ROOT = Path(__file__).resolve().parents[1]
AUDIO = ROOT / "tests" / "data" / "audio"
DEMO_HOME = ROOT / "demo" / "home.yaml"


@pytest.fixture(scope="module")
def shared() -> Resolver:
    pytest.importorskip("onnxruntime")
    return Resolver.from_files(DEMO_HOME, neural=False)


def _fresh(shared: Resolver) -> Resolver:
    """A resolver with the demo home's initial state that reuses the loaded speech paths."""
    resolver = Resolver.from_files(DEMO_HOME, neural=False)
    resolver._speech = shared.listener()  # loading the speech paths once keeps tests quick
    return resolver


def _calls(result) -> list[tuple[str, tuple[str, ...]]]:
    return [(a.name, a.entity_ids) for a in result.actions]


def test_a_spoken_command_resolves_to_its_action(shared: Resolver) -> None:
    result = _fresh(shared).resolve(audio=str(AUDIO / "turn_on_kitchen.wav"))
    assert result.text == "turn on the kitchen light"
    assert _calls(result) == [("light.turn_on", ("light.kitchen_light",))]
    assert result.trace["speech"]["chosen"]["text"] == result.text
    assert result.hypotheses[0]["intent"] == "HassTurnOn"


def test_a_phrase_the_rules_take_whole_is_expected_and_read(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    (tmp_path / "magic.rules").write_text(
        'rule magic priority 200 when said "Abracadabra!" then do "turn on the kitchen light"\n')
    resolver = Resolver.from_files(DEMO_HOME, rules=tmp_path, neural=False)
    listener = resolver.listener()
    assert listener is not None and listener.phrases == ("abracadabra",)
    plain = Resolver.from_files(DEMO_HOME, neural=False).listener()
    assert plain is not None and plain.phrases == ()
    size = len(listener.model.alphabet)
    logprobs = np.log(np.full((40, size), 1 / size))
    for said in ("abracadabra", "abracadabra please"):
        assert listener._score("model", said, logprobs, []).reads
        assert not plain._score("model", said, logprobs, []).reads
    assert listener.decoder.model.sentence_logp("abracadabra") > \
        plain.decoder.model.sentence_logp("abracadabra")
    # Rules read again without the phrase: the word models no longer expect it.
    resolver.reload_rules()
    again = resolver.listener()
    assert again is not listener and again.phrases == () and again.model is listener.model


def test_a_trusted_model_that_is_sure_skips_pocketsphinx(
        shared: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    # How sure is sure enough is a setting; the gate itself is what is tested here.
    monkeypatch.setattr(listen, "SURE_CTC", -1.0)
    listener = shared.listener()
    assert listener is not None and listener.model is not None
    trusted = Listener(listener.parser, listener.model, listener.sphinx)
    trusted.ctc_weight = 1.0  # as for a model whose held-out character error is nil
    heard = trusted.listen(str(AUDIO / "turn_on_kitchen.wav"))
    assert heard.text == "turn on the kitchen light"
    assert heard.chosen is not None and heard.chosen.source.startswith("model")
    assert heard.chosen.ctc >= listen.SURE_CTC
    assert "sphinx" not in heard.ms, "pocketsphinx ran although the model was sure"


def test_a_spoken_negation_turns_a_light_that_is_on_off(shared: Resolver) -> None:
    resolver = _fresh(shared)
    resolver.apply_event("light.kitchen_light", "on")
    result = resolver.resolve(audio=str(AUDIO / "dont_turn_on_kitchen.wav"))
    assert result.text == "no don't turn on the kitchen light"
    assert _calls(result) == [("light.turn_off", ("light.kitchen_light",))]


def test_a_spoken_negation_leaves_an_off_light_off(shared: Resolver) -> None:
    result = _fresh(shared).resolve(audio=(AUDIO / "dont_turn_on_kitchen.wav").read_bytes())
    assert result.actions == [] and "stays off" in result.response


def test_a_spoken_lock_command(shared: Resolver) -> None:
    result = _fresh(shared).resolve(audio=str(AUDIO / "lock_front_door.wav"))
    assert _calls(result) == [("lock.lock", ("lock.front_door",))]


@pytest.mark.parametrize("name", ["silence.wav", "not_audio.wav"])
def test_bad_audio_gets_an_error_result(shared: Resolver, name: str) -> None:
    result = _fresh(shared).resolve(audio=str(AUDIO / name))
    assert result.error and result.actions == []


def test_pocketsphinx_joins_when_asked_or_unsure(shared: Resolver) -> None:
    pytest.importorskip("pocketsphinx")
    listener = shared.listener()
    assert listener is not None and listener.sphinx is not None
    always = Listener(listener.parser, listener.model, listener.sphinx, sphinx_always=True)
    heard = always.listen(str(AUDIO / "lock_front_door.wav"))
    assert "sphinx" in heard.ms
    assert any("sphinx" in (c.source, *c.also) for c in heard.candidates)
    unsure = Listener(listener.parser, listener.model, listener.sphinx)
    unsure.ctc_weight = 0.0  # a model that measured badly is never sure
    heard = unsure.listen(str(AUDIO / "lock_front_door.wav"))
    assert "sphinx" in heard.ms and heard.text == "lock the front door"


def test_the_ctc_weight_follows_the_measured_error() -> None:
    assert ctc_weight(0.0) == 1.0 and ctc_weight(0.5) == 0.0 and ctc_weight(0.9) == 0.0
    assert ctc_weight(0.1) == pytest.approx(0.8)
    assert ctc_weight(None) == 0.5


def test_the_ctc_weight_comes_from_an_unheard_voice_when_the_card_has_one() -> None:
    class Card:
        def __init__(self, card: dict) -> None:
            self.card = card

    sentences = {"held_out": {"cer": 0.1}}
    assert listen._card_cer(Card(sentences)) == 0.1
    assert listen._card_cer(Card({**sentences, "held_out_voice": {"cer": 0.3}})) == 0.3
    assert listen._card_cer(Card({**sentences, "held_out_voice": None})) == 0.1
    assert listen._card_cer(Card({})) is None and listen._card_cer(object()) is None


def test_pocketsphinx_is_left_out_in_noise(shared: Resolver) -> None:
    pytest.importorskip("pocketsphinx")
    from resolver.neural.synth import add_noise, read_wav, white_noise
    from resolver.speech.audio import level_spread

    listener = shared.listener()
    assert listener is not None and listener.sphinx is not None
    unsure = Listener(listener.parser, listener.model, listener.sphinx)
    unsure.ctc_weight = 0.0  # never sure: only the noise keeps pocketsphinx out
    clean, _ = read_wav(AUDIO / "lock_front_door.wav")
    noisy = add_noise(clean, white_noise(len(clean), np.random.default_rng(0)), 5.0)
    assert level_spread(clean) >= listen.NOISY_SPREAD > level_spread(noisy)
    heard = unsure.listen(noisy)
    assert "sphinx" not in heard.ms and heard.trace()["spread_db"] < listen.NOISY_SPREAD
    assert heard.candidates and all(c.source != "sphinx" for c in heard.candidates)


def test_every_move_the_intent_head_names_counts_as_agreement(shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    intents = [("HassClimateGetTemperature", 0.4), ("HassGetState", 0.3),
               ("HassNevermind", 0.2), ("HassTurnOn", 0.1)]

    def agreement(text: str) -> float:
        return listener._score("model", text, None, intents).agreement

    assert agreement("what is the temperature") == 0.4
    assert agreement("is the front door locked") == 0.3
    assert agreement("undo that") == 0.2
    # A negated command is labelled with the intent of the command it names.
    assert agreement("don't turn on the kitchen light") == 0.1
    assert agreement("turn off the kitchen light") == 0.0


def _candidate(text: str, score: float, reads: bool = True) -> listen.Candidate:
    return listen.Candidate("model (beam)", text, score, ctc=-0.5, reads=reads, fit=score)


def test_a_close_transcript_the_rules_ground_wins(shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    said = "turn on the kitchen no the bedroom light"
    misheard = "turn on the kitchen on the bedroom light"  # "no such device in the kitchen"
    resolver = _fresh(shared)
    assert resolver.grounding(said) == 1.0 and resolver.grounding(misheard) == 0.0
    tried: list[str] = []

    def grounding(text: str) -> float:
        tried.append(text)
        return resolver.grounding(text)

    close = 0.5 * listen.GROUNDED_BONUS / listener.ctc_weight  # a fit half the bonus better
    heard = listen.Heard("", None, [_candidate(misheard, close), _candidate(said, 0.0),
                                    _candidate("turn on the kitchen", -9.0, reads=False)])
    heard.candidates = [listener._rescored(c) for c in heard.candidates]
    listener._ground(heard, listen._Grounding(grounding))
    assert [c.text for c in heard.candidates][:2] == [said, misheard]
    assert heard.candidates[0].grounded == 1.0 and heard.candidates[1].grounded == 0.0
    assert "turn on the kitchen" not in tried, "a transcript the grammar cannot read was tried"
    # A far better fit still wins: grounding only settles what the audio leaves close.
    far = 2 * listen.GROUNDED_BONUS / listener.ctc_weight
    heard = listen.Heard("", None, [listener._rescored(_candidate(misheard, far)),
                                    listener._rescored(_candidate(said, 0.0))])
    listener._ground(heard, listen._Grounding(grounding))
    assert heard.candidates[0].text == misheard


def test_a_transcript_read_only_by_the_grammars_leniency_loses_its_parse_bonus(
        shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    said = listener._score("sphinx", "turn off the lights downstairs but leave the hallway on",
                           None, [])
    misheard = listener._score("model (beam)", "turn off the lights downstairs the hallway",
                               None, [])
    assert said.reads and misheard.reads
    assert said.ill_formed == 0 and misheard.ill_formed == 1
    assert said.score - misheard.score == pytest.approx(listen.PARSE_BONUS)
    assert "ill_formed" in listen.Heard("", None, [misheard]).trace()["candidates"][0]
    # Nor is it sure enough to leave pocketsphinx unasked, however well the audio fits.
    assert listen.sure_enough(replace(said, ctc=0.0), 0.6)
    assert not listen.sure_enough(replace(misheard, ctc=0.0), 0.6)


def test_a_transcript_that_contradicts_itself_ranks_below_others_nothing_reads(
        shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    # Neither reads; the rules would refuse the first ("both 'start' and 'pause' were said")
    # where the proposer makes a command of the second.
    contradicts = listener._score("model (beam)", "start pause cleaner", None, [])
    other = listener._score("model (beam)", "start house cleaner", None, [])
    assert not contradicts.reads and not other.reads
    assert contradicts.ill_formed == 1 and other.ill_formed == 0
    assert other.score - contradicts.score == pytest.approx(listen.PARSE_BONUS)
    # Of a transcript nothing reads, only a contradiction counts: the proposer reads the rest
    # loosely ("the green" with nothing to determine is no worse there).
    assert listener._score("model", "cut the lights be and the green", None, []).ill_formed == 0


def test_a_known_word_read_as_a_plain_word_still_reads(shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    # "back" is a particle, read as a word describing the door in "the back one"
    assert listener._score("sphinx", "the back one", None, []).reads
    assert not listener._score("sphinx", "the flibber one", None, []).reads


def test_a_command_any_path_heard_said_for_later_is_not_done_now(shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    now = listener._score("model (beam)", "turn on the tv socket on a home", None, [])
    later = listener._score("sphinx", "turn on the tv socket when i arrive home", None, [])
    unread = listener._score("model", "turn on the tv sockup when i arrive ome", None, [])
    assert later.later and unread.later and not now.later and not unread.reads
    best = replace(now, score=1.0)
    assert listen._for_later_first([best, replace(later, score=-1.0)]).text == later.text
    assert listen._for_later_first([best, replace(unread, score=0.0)]) == best, \
        "words the grammar cannot read were taken for a time"
    assert listen._for_later_first([best]) == best


def test_a_grounded_best_is_the_only_one_tried(shared: Resolver) -> None:
    listener = shared.listener()
    assert listener is not None
    tried: list[str] = []
    heard = listen.Heard("", None, [listener._rescored(_candidate("a", 1.0)),
                                    listener._rescored(_candidate("b", 0.0))])
    listener._ground(heard, listen._Grounding(lambda text: tried.append(text) or 1.0))
    assert tried == ["a"] and heard.candidates[0].grounded == 1.0
    assert heard.candidates[1].grounded is None


def test_the_sure_gate_wants_a_grounded_transcript(
        shared: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pocketsphinx")
    monkeypatch.setattr(listen, "SURE_CTC", -1.0)
    listener = shared.listener()
    assert listener is not None and listener.model is not None
    trusted = Listener(listener.parser, listener.model, listener.sphinx)
    trusted.ctc_weight = 1.0
    wav = str(AUDIO / "turn_on_kitchen.wav")
    assert "sphinx" not in trusted.listen(wav, grounding=lambda text: 1.0).ms
    heard = trusted.listen(wav, grounding=lambda text: 0.0)
    assert "sphinx" in heard.ms, "the model was taken as sure of what the rules cannot ground"


def test_a_spoken_turn_traces_the_grounding_of_its_transcript(shared: Resolver) -> None:
    result = _fresh(shared).resolve(audio=str(AUDIO / "turn_on_kitchen.wav"))
    chosen = [c for c in result.trace["speech"]["candidates"] if c["text"] == result.text]
    assert chosen[0]["grounded"] == 1.0 and "grounding" in result.trace["speech"]["ms"]


def test_snapping_finds_what_difflib_finds(shared: Resolver) -> None:
    import difflib

    listener = shared.listener()
    words = listener.words
    heard = ["kichen", "lihgt", "bedrom", "thermostatt", "turnn", "hallwey", "qqqqqq",
             "xz'yw", "garag", "brightnes", "percnt", "zzzzzzzzzzzzzz", "off"]
    for word in heard:
        near = [w for w in words
                if 2 * min(len(w), len(word)) / (len(w) + len(word)) >= listen.SNAP_CUTOFF]
        expected = difflib.get_close_matches(word, near, n=1, cutoff=listen.SNAP_CUTOFF)
        assert listener._closest(word) == (expected[0] if expected else None), word
    assert listener._snap("turn on the kichen lihgt") == "turn on the kitchen light"


def test_the_audio_models_intents_propose_for_a_transcript_the_grammar_cannot_read(
        shared: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    # A misheard transcript the grammar cannot read: the audio model heard a request to turn
    # something on, and the words name the kitchen light.
    heard = listen.Heard("plea the kitchen light is", None, intents=[("HassTurnOn", 0.95)],
                         domains=[("light", 0.98)])
    resolver = _fresh(shared)
    monkeypatch.setattr(shared.listener(), "listen", lambda audio, grounding=None: heard)
    result = resolver.resolve(audio=str(AUDIO / "turn_on_kitchen.wav"))
    assert result.text == "plea the kitchen light is"
    assert _calls(result) == [("light.turn_on", ("light.kitchen_light",))]
    assert result.hypotheses[0]["intent"] == "HassTurnOn"
    assert result.trace["parse"]["source"] == "proposer"
    typed = resolver.resolve("plea the kitchen light is", session="typed")
    assert not typed.actions, "typed, the words alone are not enough to act on"


def test_a_transcript_read_word_for_word_spares_the_text_proposer(
        shared: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    # The grammar reads it word for word, so the text proposer's reading could not outrank
    # the grammar's: the audio model's n-best alone is the proposal.
    heard = listen.Heard("turn on the kitchen light", None,
                         intents=[("HassTurnOn", 0.9), ("HassTurnOff", 0.1)],
                         domains=[("light", 0.98)])
    resolver = Resolver.from_files(DEMO_HOME)  # with the text proposer
    resolver._speech = shared.listener()
    proposer = resolver.proposer
    assert proposer is not None
    asked: list[str] = []
    propose = proposer.propose
    monkeypatch.setattr(proposer, "propose", lambda text: asked.append(text) or propose(text))
    monkeypatch.setattr(shared.listener(), "listen", lambda audio, grounding=None: heard)
    result = resolver.resolve(audio=str(AUDIO / "turn_on_kitchen.wav"))
    assert _calls(result) == [("light.turn_on", ("light.kitchen_light",))]
    assert asked == []
    assert [h["intent"] for h in result.hypotheses] == ["HassTurnOn", "HassTurnOff"]
    # A transcript with a word the grammar does not know is still read by both.
    misheard = listen.Heard("plea the kitchen light is", None, intents=[("HassTurnOn", 0.95)],
                            domains=[("light", 0.98)])
    monkeypatch.setattr(shared.listener(), "listen", lambda audio, grounding=None: misheard)
    resolver.resolve(audio=str(AUDIO / "turn_on_kitchen.wav"), session="other")
    assert asked == ["plea the kitchen light is"]


def _ctc_by_paths(logprobs: np.ndarray, labels: list[int]) -> float:
    """CTC's likelihood by brute force: every path of the length that collapses to the labels."""
    import itertools

    total = -np.inf
    for path in itertools.product(range(logprobs.shape[1]), repeat=logprobs.shape[0]):
        collapsed = [c for i, c in enumerate(path) if c != 0 and (i == 0 or c != path[i - 1])]
        if collapsed == labels:
            total = np.logaddexp(total, sum(logprobs[t, c] for t, c in enumerate(path)))
    return float(total)


def test_candidates_are_scored_by_ctc_together_as_one_by_one() -> None:
    rng = np.random.default_rng(3)
    raw = rng.standard_normal((5, 3))
    logprobs = raw - np.log(np.exp(raw).sum(axis=1, keepdims=True))
    sequences = [[1], [1, 1], [1, 2], [2, 1, 2], [], [1, 2, 1, 2, 1, 2]]
    together = listen.ctc_log_likelihoods(logprobs, sequences)
    for labels, score in zip(sequences, together, strict=True):
        assert score == listen.ctc_log_likelihood(logprobs, labels)
        expected = _ctc_by_paths(logprobs, labels)  # -inf where no path of 5 steps says them
        assert score == pytest.approx(expected) if np.isfinite(expected) else score == expected
    assert listen.ctc_log_likelihoods(logprobs[:0], [[1]]) == [float("-inf")]
    assert listen.ctc_log_likelihoods(logprobs, []) == []


def _noise(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    n = int(16000 * seconds)
    if kind == "white":
        samples = rng.standard_normal(n)
    elif kind == "brown":  # a rumble
        samples = np.cumsum(rng.standard_normal(n))
        samples -= np.linspace(samples[0], samples[-1], n)
    elif kind == "hum":
        t = np.arange(n) / 16000
        samples = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 6))
    else:  # knocks
        samples = rng.standard_normal(n) * 0.001
        for at in rng.integers(0, n - 4000, 3):
            samples[at:at + 4000] += rng.standard_normal(4000) * np.exp(-np.arange(4000) / 600)
    return (samples / np.abs(samples).max() * 0.3).astype(np.float32)


@pytest.mark.parametrize("kind", ["white", "brown", "hum", "knocks"])
def test_noise_after_a_command_is_not_heard_as_words(shared: Resolver, kind: str) -> None:
    resolver = _fresh(shared)
    resolver.resolve("turn on the kitchen light")
    rng = np.random.default_rng(3)
    for seconds in (0.8, 1.5, 3.0):
        result = resolver.resolve(audio=_noise(kind, seconds, rng))
        # not "undo", "turn it off" or "it" (the light again): nothing is done or said
        assert result.actions == [] and result.text == ""
        assert result.response == "Sorry, I didn't catch that."
        assert result.trace["speech"]["unheard"].startswith("no speech heard")
    assert resolver.state()["light.kitchen_light"].state == "on"


def test_speech_is_heard_however_it_was_said(shared: Resolver) -> None:
    from resolver.neural.synth import add_noise, read_wav, white_noise

    clean, _ = read_wav(AUDIO / "turn_on_kitchen.wav")
    noisy = add_noise(clean, white_noise(len(clean), np.random.default_rng(0)), 5.0)
    for audio in (clean, noisy):
        result = _fresh(shared).resolve(audio=audio)
        assert _calls(result) == [("light.turn_on", ("light.kitchen_light",))]
        speech = result.trace["speech"]
        assert "unheard" not in speech and speech["characters_per_second"] > listen.HEARD_RATE


def test_the_gate_names_what_it_found_wanting() -> None:
    candidate = listen.Candidate("model (beam)", "undo", 0.0, ctc=-4.8, reads=True)
    assert listen.unheard(candidate, 12.0).startswith("no speech heard: the best transcript, "
                                                      "'undo', fits the audio at -4.80")
    assert listen.unheard(candidate, 1.5) == ("no speech heard: 1.5 characters a second "
                                              "(under 4)")
    assert listen.unheard(replace(candidate, ctc=-0.3), 12.0) == ""
    logprobs = np.log(np.array([[0.9, 0.1], [0.5, 0.5], [1.0, 1e-9]]))
    assert listen.speech_rate(logprobs, 0.8) == pytest.approx((0.1 + 0.5) / 0.3)
    assert listen.speech_rate(logprobs, 0.2) == pytest.approx((0.1 + 0.5) / 0.1)


@pytest.mark.parametrize(("wav", "service", "data"), [
    ("dim_rms.wav", "light.turn_on", "brightness_step_pct"),
    ("up_slt.wav", "light.turn_on", "brightness_step_pct"),
])
def test_a_word_said_alone_is_speech(shared: Resolver, wav: str, service: str,
                                     data: str) -> None:
    # Over the whole recording, these come to under 4 characters a second; over the part
    # that can hold speech, as many as any sentence.
    resolver = _fresh(shared)
    resolver.resolve("turn on the kitchen light")
    result = resolver.resolve(audio=str(AUDIO / wav))
    assert "unheard" not in result.trace["speech"]
    assert result.trace["speech"]["characters_per_second"] > listen.HEARD_RATE
    assert _calls(result) == [(service, ("light.kitchen_light",))]
    assert data in result.actions[0].data


# -- pocketsphinx's alignment of the transcripts the paths disagree on ---------------------


def _sphinx(text: str, score: float) -> listen.Candidate:
    return listen.Candidate("sphinx", text, score, ctc=-0.5, reads=True, fit=score, sphinx=1.0)


def test_pocketsphinx_aligns_only_where_the_paths_disagree_within_reach() -> None:
    best, second, third = (_candidate(t, s) for t, s in (("a", 1.0), ("b", 0.8), ("c", 0.7)))
    assert listen.alignment_pool([_sphinx("a", 1.0), best]) == [], "its own best is the best"
    assert listen.alignment_pool([best, second]) == [], "pocketsphinx did not run"
    own = _sphinx("d", 0.5)
    assert listen.alignment_pool([best, second, third, own], count=3) == [best, second, third,
                                                                       own]
    assert listen.alignment_pool([best, second, third, own], count=1) == [best, own]
    assert listen.alignment_pool([best, own, second], count=2) == [best, own]
    near = _sphinx("d", 0.75)
    assert listen.alignment_pool([best, second, near], count=3, reach=0.3) == [best, second,
                                                                            near]
    assert listen.alignment_pool([best, second, near], count=3, reach=0.2) == [], \
        "its own best out of reach"
    assert listen.alignment_pool([best, near, third], count=3, reach=0.25) == [best, near]
    # Heard by both paths, its own best may be the model's too.
    shared_text = replace(second, also=("sphinx",))
    assert listen.alignment_pool([best, shared_text, third], count=1) == [best, shared_text]


def test_shortfalls_are_per_second_below_the_best_aligned() -> None:
    pool = [_candidate("a", 1.0), _candidate("b", 0.9), _sphinx("c", 0.5)]
    assert listen.shortfalls(pool, [-1.6, -1.4, -1.0], 2.0) == pytest.approx(
        {"a": -0.3, "b": -0.2, "c": 0.0})
    # Words pocketsphinx cannot fit to the audio at all count as the floor, and so does
    # anything worse.
    got = listen.shortfalls(pool, [-math.inf, -9.0, -1.0], 2.0)
    assert got == {"a": listen.ALIGN_FLOOR, "b": listen.ALIGN_FLOOR, "c": 0.0}
    # A word it cannot say leaves nothing to go by where it is the best's or its own...
    assert listen.shortfalls(pool, [None, -2.0, -1.0], 2.0) is None
    assert listen.shortfalls(pool, [-3.0, -2.0, None], 2.0) is None
    assert listen.shortfalls(pool, [-math.inf, -2.0, -math.inf], 2.0) is not None
    assert listen.shortfalls(pool, [-math.inf, None, -math.inf], 2.0) is None
    # ...and only that candidate out elsewhere.
    assert listen.shortfalls(pool, [-1.2, None, -1.0], 1.0) == pytest.approx(
        {"a": -0.2, "c": 0.0})


def test_the_alignment_settles_what_the_paths_disagree_on(shared: Resolver) -> None:
    pytest.importorskip("pocketsphinx")
    listener = shared.listener()
    assert listener is not None and listener.sphinx is not None
    samples = load_audio(AUDIO / "turn_on_kitchen.wav")
    said, misheard = "turn on the kitchen light", "turn off the kitchen light"
    on, off, door = listener.sphinx.align(samples, [said, misheard, "lock the front door"])
    assert on > off and door == -math.inf
    assert listener.sphinx.align(samples, ["turn on the roomba"]) == [None]  # no pronunciation
    # The model preferred the misheard words by a little; pocketsphinx heard what was said.
    heard = listen.Heard("", None, [listener._rescored(_candidate(misheard, 0.2)),
                                    listener._rescored(_candidate("turn the kitchen", 0.1)),
                                    listener._rescored(_sphinx(said, -0.3))])
    heard.candidates.sort(key=lambda c: c.score, reverse=True)
    assert heard.candidates[0].text == misheard
    listener._cross_check(heard, samples)
    assert heard.candidates[0].text == said
    aligned = {c.text: c.aligned for c in heard.candidates}
    assert aligned[said] == 0.0 and aligned[misheard] < 0.0
    assert "aligned" in heard.trace()["candidates"][0]
    # pocketsphinx still decodes after aligning.
    assert listener.sphinx.recognize(samples)[0].text == said


def _asking_pocketsphinx_always(shared: Resolver) -> Listener:
    """The shared speech paths in a listener that runs pocketsphinx on every turn."""
    pytest.importorskip("pocketsphinx")
    listener = shared.listener()
    assert listener is not None and listener.sphinx is not None
    return Listener(listener.parser, listener.model, listener.sphinx, sphinx_always=True)


def test_a_spoken_turn_where_the_paths_agree_aligns_nothing(
        shared: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    always = _asking_pocketsphinx_always(shared)
    monkeypatch.setattr(always.sphinx, "align", lambda *a, **k: pytest.fail("aligned"))
    heard = always.listen(str(AUDIO / "turn_on_kitchen.wav"))
    assert heard.text == "turn on the kitchen light" and "alignment" in heard.ms


def test_the_trace_names_the_transcript_speech_was_told_from_noise_by() -> None:
    chosen, passed_over = _sphinx("turn on the kitchen light", 0.5), _candidate("turn of", 0.6)
    trace = listen.Heard(chosen.text, chosen, [passed_over, chosen], judged=passed_over).trace()
    assert trace["judged"] == "turn of" and trace["chosen"]["text"] == chosen.text
    assert "judged" not in listen.Heard(chosen.text, chosen, [chosen], judged=chosen).trace()


def test_the_two_paths_transcripts_mix_where_they_differ_in_a_few_places() -> None:
    model, sphinx = "turn off the lights in here", "turn off lights if they are on"
    assert listen.mixed(model, sphinx) == ["turn off the lights if they are on",
                                           "turn off lights in here"]
    # Each place from one or the other: 2 ** places less the two themselves.
    assert len(listen.mixed("a b c d e", "a x c y e z")) == 2 ** 3 - 2
    assert listen.mixed("a b c d e", "a x c y e z", places=2) == []
    # As many words against as many: each word is a place of its own.
    word_for_word = listen.mixed("all turn the left down", "olly turn the lights don't")
    assert "olly turn the lights down" in word_for_word and len(word_for_word) == 2 ** 3 - 2
    assert listen.mixed("turn it in here", "turn it if they are") == []  # one place, 2 for 3
    assert listen.mixed("turn it on", "turn it on") == []
    assert listen.mixed("", "turn it on") == [] and listen.mixed("turn it on", "") == []


def test_a_spoken_turn_heard_otherwise_by_pocketsphinx_has_the_mixtures_as_candidates(
        shared: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    from resolver.speech.sphinx import Hypothesis

    always = _asking_pocketsphinx_always(shared)
    heard_otherwise = [Hypothesis("turn off the kitchen lights", 1.0)]
    monkeypatch.setattr(always.sphinx, "recognize", lambda *a, **k: heard_otherwise)
    heard = always.listen(str(AUDIO / "turn_on_kitchen.wav"))
    by_text = {c.text: c for c in heard.candidates}
    assert by_text["turn off the kitchen lights"].source == "sphinx"
    for text in ("turn on the kitchen lights", "turn off the kitchen light"):
        assert "mixed" in (by_text[text].source, *by_text[text].also), text
    # The words said still win: the network and pocketsphinx's alignment both prefer them.
    assert heard.text == "turn on the kitchen light"
