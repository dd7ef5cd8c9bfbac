"""The text proposer: encoder, head, n-best, fusion with the grammar, serving without torch."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from resolver import Resolver
from resolver.neural import encoder as encoder_module
from resolver.neural.encoder import EncoderUnavailable, SentenceEncoder
from resolver.neural.head import HEAD_FILE, Head, read_card
from resolver.neural.labels import DOMAINS, INTENTS
from resolver.neural.proposer import TextProposer
from resolver.neural.train import fit

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo" / "home.yaml"


@pytest.fixture(scope="module")
def proposer() -> TextProposer:
    return TextProposer.load()


@pytest.fixture(scope="module")
def resolver(proposer: TextProposer) -> Resolver:
    from resolver.home import Home
    from resolver.rules import load

    return Resolver(Home.from_files(DEMO), load(), proposer=proposer)


# -- the encoder -----------------------------------------------------------------------------


def test_embeddings_are_unit_vectors_and_batching_changes_nothing(
        proposer: TextProposer) -> None:
    sentences = ["turn on the kitchen light", "no, don't turn on the kitchen light", "hi"]
    batch = proposer.encoder.encode(sentences)
    single = np.stack([proposer.encoder.encode([s])[0] for s in sentences])
    assert batch.shape == (3, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.abs(batch - single).max() < 1e-5


def test_a_sentence_and_its_negation_are_close_to_the_encoder() -> None:
    """Why negation must stay symbolic: the encoder barely tells them apart."""
    vectors = SentenceEncoder().encode(["turn on the kitchen light",
                                        "no, don't turn on the kitchen light"])
    assert float(vectors[0] @ vectors[1]) > 0.8


def test_weights_that_do_not_match_the_pinned_hash_are_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_module, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(EncoderUnavailable, match="sha256"):
        encoder_module.checked_weights()


def test_the_onnx_graph_is_built_once_into_the_cache(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLVER_CACHE", str(tmp_path))
    encoder = SentenceEncoder()
    assert encoder.graph_path.parent == tmp_path and encoder.graph_path.is_file()
    built = encoder.graph_path.stat().st_mtime
    again = SentenceEncoder()
    assert again.graph_path.stat().st_mtime == built
    assert np.allclose(encoder.encode(["lock the door"]), again.encode(["lock the door"]))


@pytest.mark.skipif(importlib.util.find_spec("torch") is None
                    or importlib.util.find_spec("transformers") is None,
                    reason="the reference implementation needs torch and transformers")
def test_the_onnx_encoder_matches_the_reference_implementation() -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    sentences = ["turn on the kitchen light", "it's too dark in here", "kill the lights"]
    ours = SentenceEncoder().encode(sentences)
    directory = str(encoder_module.model_dir())
    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = AutoModel.from_pretrained(directory).eval()
    with torch.no_grad():
        batch = tokenizer(sentences, padding=True, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        mean = (hidden * mask).sum(1) / mask.sum(1)
        reference = torch.nn.functional.normalize(mean, dim=1).numpy()
    assert np.abs(reference - ours).max() < 1e-4


# -- the head --------------------------------------------------------------------------------


def test_the_committed_head_has_a_model_card_with_its_recipe_and_accuracy() -> None:
    card = read_card()
    head = Head.load(HEAD_FILE)
    assert head.intents == INTENTS and head.domains == DOMAINS
    assert card["held_out"]["intent_accuracy"] > 0.9
    assert card["seed"] and card["data"]["sentences"] > 1000
    assert card["encoder"]["weights_sha256"] == encoder_module.WEIGHTS_SHA256
    assert head.t_intent > 0 and head.t_domain > 0


def test_a_head_round_trips_through_its_file(tmp_path: Path) -> None:
    head = Head.load(HEAD_FILE)
    head.save(tmp_path / "head.npz")
    again = Head.load(tmp_path / "head.npz")
    x = np.random.default_rng(0).normal(size=(4, 384)).astype(np.float32)
    assert np.allclose(head.probabilities(x)[0], again.probabilities(x)[0], atol=1e-6)


def test_training_learns_a_separable_problem() -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(len(INTENTS), 384))
    labels = rng.integers(0, len(INTENTS), 2000)
    x = centres[labels] + 0.3 * rng.normal(size=(2000, 384))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    domains = labels % len(DOMAINS)
    head, curve = fit(x.astype(np.float32), labels, domains, np.arange(0, 2000, 10), seed=0,
                      epochs=15)
    p_intent, _ = head.probabilities(x[::10].astype(np.float32))
    assert (p_intent.argmax(1) == labels[::10]).mean() > 0.9
    assert curve and curve[-1]["held_out_intent"] > 0.9


# -- the proposer's n-best ---------------------------------------------------------------------

FIXED = [
    ("turn on the kitchen light", "HassTurnOn", "light"),
    ("kill the lights in the kitchen", "HassTurnOff", "light"),
    ("set the bedroom lamp to 40 percent", "HassLightSet", "light"),
    ("make the lights red", "HassLightSet", "light"),
    ("lock the front door", "HassTurnOn", "lock"),
    ("what's the temperature in the living room", "HassClimateGetTemperature", "climate"),
    ("pause the music", "HassMediaPause", "media_player"),
    ("skip this song", "HassMediaNext", "media_player"),
    ("start vacuuming the house", "HassVacuumStart", "vacuum"),
    ("add eggs to my shopping list", "HassListAddItem", "todo"),
    ("make it brighter", "ResolverIncrease", "light"),
    ("turn the volume down", "ResolverDecrease", "media_player"),
    ("never mind", "HassNevermind", "none"),
    ("tell me a joke", "ResolverOther", "none"),
    ("what's the weather like tomorrow", "ResolverOther", "none"),
]


@pytest.mark.parametrize(("text", "intent", "domain"), FIXED, ids=[f[0] for f in FIXED])
def test_the_proposer_ranks_the_right_intent_first(proposer: TextProposer, text: str,
                                                   intent: str, domain: str) -> None:
    proposal = proposer.propose(text)
    assert proposal.intent == intent
    assert proposal.domain == domain


def test_the_n_best_is_sorted_and_scores_are_probabilities(proposer: TextProposer) -> None:
    proposal = proposer.propose("turn on the kitchen light")
    scores = [s for _, s in proposal.intents]
    assert scores == sorted(scores, reverse=True)
    assert 0 < sum(scores) <= 1.0 + 1e-6 and len(scores) == 5
    hypotheses = proposal.as_hypotheses()
    assert hypotheses[0]["intent"] == "HassTurnOn" and 0 < hypotheses[0]["score"] <= 1


# -- fusion -------------------------------------------------------------------------------------


def calls(result: object) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.name, c.entity_ids) for c in result.actions]  # type: ignore[attr-defined]


def test_a_grammar_hit_is_the_grammar_s_reading_and_shows_the_n_best(
        resolver: Resolver) -> None:
    result = resolver.resolve("turn on the kitchen light", session="f1")
    assert calls(result) == [("light.turn_on", ("light.kitchen_light",))]
    assert result.trace["parse"]["source"] == "grammar"
    assert result.hypotheses[0]["intent"] == "HassTurnOn"
    assert result.trace["proposer"] == result.hypotheses


def test_a_paraphrase_outside_the_grammar_is_read_by_the_proposer(resolver: Resolver) -> None:
    result = resolver.resolve("brew some coffee", session="f2", area="office")
    assert result.trace["parse"]["source"] == "proposer"
    assert calls(result) == [("switch.turn_on", ("switch.coffee_maker",))]


def test_a_condition_is_checked_on_the_proposers_reading_too(resolver: Resolver) -> None:
    # The proposer's reading had dropped the condition and resumed the playing TV.
    result = resolver.resolve("i want the tv gone unless it's playing", session="f2c")
    assert result.trace["parse"]["source"] == "proposer"
    assert calls(result) == []
    assert result.response == "The Living Room TV is playing, so I did nothing."


def test_remove_is_no_action_the_proposer_may_guess(resolver: Resolver) -> None:
    # "remove" became a verb of lists; the proposer's reading had turned the light off.
    result = resolver.resolve("remove the kitchen light", session="f2r")
    assert calls(result) == []


def test_typos_are_corrected_and_the_proposer_supplies_the_action(resolver: Resolver) -> None:
    result = resolver.resolve("turn of the kichen light", session="f3")
    assert calls(result) == [("light.turn_off", ("light.kitchen_light",))]
    assert "kichen -> kitchen" in result.trace["parse"].get("corrections", [])


def test_nonsense_below_the_threshold_does_nothing(resolver: Resolver) -> None:
    result = resolver.resolve("flibber the wobbly jabberwock", session="f4")
    assert result.actions == []
    assert "didn't understand" in result.response


def test_words_that_contradict_themselves_are_not_guessed_at(resolver: Resolver) -> None:
    # The proposer is sure of "off" here (the last word), but the words also say "on".
    result = resolver.resolve("turn on the kitchen light off", session="f6")
    assert result.actions == []
    assert result.trace["parse"]["source"] == "none"
    assert "didn't understand" in result.response


def test_a_proposal_against_a_said_verb_is_not_acted_on(resolver: Resolver) -> None:
    from resolver.fusion import read
    from resolver.neural.proposer import Proposal

    parser = resolver.parser
    start = Proposal(intents=(("HassVacuumStart", 0.99),), domains=(("vacuum", 1.0),))
    # "should" is no word the grammar knows; "stop" is not a start, however sure.
    stop = read(parser, "the vacuum should stop", start)
    assert stop.source != "proposer"
    assert [m.action.value for m in stop.utterance.moves] == ["stop"]
    # Where no verb says otherwise, the proposer's reading stands.
    assert read(parser, "the vacuum should go", start).source == "proposer"


@pytest.mark.parametrize(("intent", "said", "against"), [
    ("HassTurnOn", "lock", False),  # a lock's "turn on" locks it, as in Home Assistant
    ("HassTurnOn", "unlock", True),
    ("HassTurnOff", "unlock", False),
    ("HassTurnOff", "lock", True),
    ("HassTurnOn", "close", True),
    ("HassTurnOff", "open", True),
    ("HassVacuumStart", "stop", True),
    ("HassVacuumStart", "start", False),
])
def test_which_said_verbs_a_proposal_goes_against(resolver: Resolver, intent: str, said: str,
                                                  against: bool) -> None:
    from resolver.fusion import _against_the_verbs
    from resolver.neural.proposer import Proposal

    parser = resolver.parser
    proposal = Proposal(intents=((intent, 0.99),), domains=(("none", 1.0),))
    assert _against_the_verbs(proposal, parser.tagger.tag(f"{said} it now")) is against


def test_negation_stays_symbolic_whatever_the_proposer_says(resolver: Resolver) -> None:
    result = resolver.resolve("don't kill the hallway light", session="f5")
    # The hallway light is on: not turning it off leaves it on.
    assert result.actions == []
    assert "stays on" in result.response


def test_serving_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from resolver import Resolver\n"
        "r = Resolver.from_files('demo/home.yaml')\n"
        "assert r.proposer is not None, r.proposer_note\n"
        "result = r.resolve('turn on the kitchen light')\n"
        "assert result.hypotheses\n"
        "bad = [m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                               text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


def test_commands_joined_by_and_are_read_one_by_one(resolver: Resolver) -> None:
    # The proposer's reading of the whole had turned the light on and dropped the lock.
    result = resolver.resolve("turn the kitchen light and lock the door", session="and1")
    assert result.trace["parse"]["source"] == "grammar and proposer"
    assert [(c.name, c.entity_ids) for c in result.actions] == [
        ("light.turn_on", ("light.kitchen_light",)), ("lock.lock", ("lock.back_door",))]


def test_a_clause_read_by_the_proposer_is_its_intent_on_that_clause(resolver: Resolver) -> None:
    from resolver.fusion import read
    from resolver.neural.proposer import Proposal

    parser = resolver.parser
    whole = Proposal(intents=(("HassTurnOn", 0.99),), domains=(("light", 1.0),))
    off = Proposal(intents=(("HassTurnOff", 0.9),), domains=(("light", 1.0),))
    said = "turn the kitchen light and lock the door"
    reading = read(parser, said, whole, lambda text: off)
    assert [(m.action.value, m.target.names) for m in reading.utterance.moves] == [
        ("turn_off", ("kitchen light",)), ("lock", ())]
    # A clause no reading is sure of: the whole is the proposer's, as before
    unsure = Proposal(intents=(("HassTurnOff", 0.3),), domains=(("light", 1.0),))
    assert read(parser, said, whole, lambda text: unsure).source == "proposer"
    # Neither clause the grammar's: no reading clause by clause
    assert read(parser, "turn the kitchen light and turn the porch light", whole,
                lambda text: off).source == "proposer"


def test_a_spoken_turns_proposal_mixes_the_audio_models_intents_with_the_texts() -> None:
    from resolver.neural.proposer import Proposal, heard_proposal

    typed = Proposal(intents=(("ResolverOther", 0.6), ("HassTurnOn", 0.4)),
                     domains=(("none", 0.7), ("light", 0.3)))
    mixed = heard_proposal([("HassTurnOn", 0.9), ("HassTurnOff", 0.1)],
                           [("light", 1.0)], typed, weight=0.75)
    assert mixed.intent == "HassTurnOn"
    assert mixed.score == pytest.approx(0.75 * 0.9 + 0.25 * 0.4)
    assert mixed.score_of("ResolverOther") == pytest.approx(0.25 * 0.6)
    assert mixed.domain == "light"
    alone = heard_proposal([("HassTurnOff", 0.8)], [("light", 0.9)], None)
    assert alone.intents == (("HassTurnOff", 0.8),) and alone.domains == (("light", 0.9),)
