"""The audio model: its card, features, the ONNX network served without torch, and decoding."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from resolver.neural.audio_infer import AudioModel, greedy_transcript
from resolver.neural.audio_model import (
    ALPHABET,
    BLANK,
    CARD_FILE,
    MODEL_FILE,
    AudioConfig,
    encode_transcript,
    frame_count,
    log_mel,
    normalize_transcript,
    subsampled_length,
)
from resolver.neural.labels import DOMAINS, INTENTS

REPO_ROOT = Path(__file__).resolve().parent.parent
AUDIO_DIR = Path(__file__).resolve().parent / "data" / "audio"
MAX_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def card() -> dict:
    """The committed model card."""
    return json.loads(CARD_FILE.read_text())


@pytest.fixture(scope="module")
def model() -> AudioModel:
    """The committed model."""
    return AudioModel.load()


SPOKEN = {
    # file in tests/data/audio: (words spoken, a word the greedy transcript must hold,
    # intent, domain); None where the dialog context decides the intent
    "turn_on_kitchen.wav": ("turn on the kitchen light", "light", "HassTurnOn", "light"),
    "lock_front_door.wav": ("lock the front door", "door", "HassTurnOn", "lock"),
    "dont_turn_on_kitchen.wav": ("no don't turn on the kitchen light", "light", None, None),
}
MAX_CER = 0.6
"""Greedy decoding without a lexicon is rough (held-out CER ~19%, see the card)."""


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as handle:
        assert handle.getsampwidth() == 2 and handle.getnchannels() == 1
        assert handle.getframerate() == 16000
        data = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    return data.astype(np.float32) / 32768.0


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _spoken() -> list[tuple[str, np.ndarray]]:
    """The committed spoken test WAVs that are present."""
    return [(name, _read_wav(AUDIO_DIR / name)) for name in SPOKEN
            if (AUDIO_DIR / name).is_file()]


def _test_signals() -> list[np.ndarray]:
    """The committed 16 kHz test WAVs, or a short synthetic voiced signal when there are none."""
    signals = [samples for _, samples in _spoken()]
    if (AUDIO_DIR / "silence.wav").is_file():
        signals.append(_read_wav(AUDIO_DIR / "silence.wav"))
    if signals:
        return signals
    t = np.arange(int(1.2 * 16000)) / 16000
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) * 10)
    voiced = sum(np.sin(2 * np.pi * 120 * k * t) / k for k in range(1, 20))
    return [(0.1 * envelope * voiced).astype(np.float32)]


def test_card_records_the_recipe_and_held_out_results(card: dict) -> None:
    assert 100_000 < card["parameters"] <= 5_000_000
    assert isinstance(card["seed"], int)
    assert card["corpus"]["utterances"] >= 1000
    assert card["corpus"]["held_out_utterances"] > 0
    assert card["curve"], "the held-out curve is empty"
    held = card["held_out"]
    assert 0.0 <= held["cer"] <= 1.0 and 0.0 <= held["intent_accuracy"] <= 1.0
    assert card["curve"][-1]["cer"] == held["cer"]
    config = AudioConfig.from_dict(card["config"])
    assert config.intents == INTENTS and config.domains == DOMAINS
    assert config.alphabet == ALPHABET
    assert len(config.feature_mean) == len(config.feature_std) == config.n_mels


def test_weights_are_small_and_match_the_card(card: dict) -> None:
    data = MODEL_FILE.read_bytes()
    assert len(data) <= MAX_BYTES
    assert card["bytes"] == len(data)
    assert card["sha256"] == hashlib.sha256(data).hexdigest()


def test_tone_features_have_the_right_shape_and_peak() -> None:
    config = AudioConfig()
    t = np.arange(16000) / 16000
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    features = log_mel(tone, config)
    assert features.shape == (98, 80) == (frame_count(16000), config.n_mels)
    assert features.dtype == np.float32
    centres = 700 * (10 ** (np.linspace(2595 * np.log10(1 + config.f_min / 700),
                                        2595 * np.log10(1 + config.f_max / 700),
                                        config.n_mels + 2)[1:-1] / 2595) - 1)
    peak_band = int(np.argmax(features.mean(axis=0)))
    assert abs(centres[peak_band] - 1000) < 60


def test_short_input_still_gives_one_frame() -> None:
    assert log_mel(np.zeros(10, np.float32)).shape == (1, 80)
    assert subsampled_length(1) == 1 and subsampled_length(100) == 50
    assert subsampled_length(1, 4) == 1 and subsampled_length(100, 4) == 25


def test_transcripts_map_onto_the_alphabet() -> None:
    assert ALPHABET[0] == BLANK and len(ALPHABET) == 29
    assert normalize_transcript("Turn ON the kid's  lamp-light!") == "turn on the kid's lamp light"
    assert [ALPHABET[i] for i in encode_transcript("a b'")] == ["a", " ", "b", "'"]


def test_greedy_decoding_collapses_repeats_and_drops_blanks() -> None:
    path = [0, 8, 8, 0, 9, 0, 1, 1, 9, 0, 9]  # "h h _ i _ ␣ ␣ i _ i" → "hi ii"
    logprobs = np.full((len(path), len(ALPHABET)), -20.0, np.float32)
    logprobs[np.arange(len(path)), path] = 0.0
    assert [ALPHABET[i] for i in (8, 9)] == ["f", "g"]
    assert greedy_transcript(logprobs) == "fg gg"


def test_inference_gives_an_n_best_and_log_probs(model: AudioModel) -> None:
    for samples in _test_signals():
        nbest, logprobs = model.infer(samples, n=5)
        assert len(nbest) == 5
        assert all(intent in INTENTS for intent, _ in nbest)
        scores = [score for _, score in nbest]
        assert scores == sorted(scores, reverse=True)
        assert 0.0 <= scores[-1] and scores[0] <= 1.0 + 1e-6
        steps = subsampled_length(frame_count(len(samples)), model.config.time_stride)
        assert logprobs.shape == (steps, len(ALPHABET))
        np.testing.assert_allclose(np.exp(logprobs).sum(axis=1), 1.0, atol=1e-3)
        text = greedy_transcript(logprobs)
        assert isinstance(text, str) and set(text) <= set(ALPHABET[1:])


def test_full_intent_distribution_sums_to_one(model: AudioModel) -> None:
    result = model.scores(_test_signals()[0])
    assert abs(sum(score for _, score in result.intents) - 1.0) < 1e-5
    assert abs(sum(score for _, score in result.domains) - 1.0) < 1e-5


@pytest.mark.parametrize("name", list(SPOKEN))
def test_spoken_commands_are_recognised(model: AudioModel, name: str) -> None:
    if not (AUDIO_DIR / name).is_file():
        pytest.skip(f"{AUDIO_DIR / name} is not there")
    from resolver.speech.audio import load_audio

    words, keyword, intent, domain = SPOKEN[name]
    result = model.scores(load_audio(str(AUDIO_DIR / name)))  # trimmed, as served
    text = greedy_transcript(result.logprobs)
    assert keyword in text.split(), text
    assert _edit_distance(text, words) <= MAX_CER * len(words), text
    if intent is not None:
        assert result.intents[0][0] == intent
        assert result.domains[0][0] == domain


def test_empty_audio_is_refused(model: AudioModel) -> None:
    with pytest.raises(ValueError):
        model.infer(np.zeros(0, np.float32))


def test_serving_does_not_import_torch() -> None:
    code = (
        "import sys, numpy as np\n"
        "from resolver.neural.audio_infer import AudioModel, greedy_transcript\n"
        "m = AudioModel.load()\n"
        "nbest, lp = m.infer(np.random.default_rng(0).standard_normal(16000)"
        ".astype(np.float32) * 0.05)\n"
        "greedy_transcript(lp)\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_training_augmentation_masks_only_when_asked() -> None:
    torch = pytest.importorskip("torch")
    from resolver.neural.train_audio import augment

    x = torch.randn(3, 200, 80)
    mean = torch.full((80,), -20.0)
    lengths = np.array([200, 200, 200])
    plain = x.clone()
    augment(plain, lengths, mean, np.random.default_rng(0), masks=False)
    shift = (plain - x)[:, :1, :1]
    assert torch.allclose(plain - x, shift.expand_as(x), atol=1e-5)  # a gain per utterance
    masked = x.clone()
    augment(masked, lengths, mean, np.random.default_rng(1))
    assert (masked == -20.0).any()


def test_training_keeps_only_some_of_the_padding_silence() -> None:
    from resolver.neural.train_audio import Utterance, collate, crop_spans, speech_frames

    config = AudioConfig()
    row = {"augmentations": {"silence": [0.5, 0.3]}}
    assert speech_frames(row, 300, config) == (50, 270)
    assert speech_frames({"augmentations": {}}, 300, config) == (0, 0)
    assert speech_frames({"augmentations": {"silence": [2.0, 2.0]}}, 300, config) == (0, 0)

    features = np.arange(300 * 2, dtype=np.float32).reshape(300, 2)
    padded = Utterance(0, 0, 300, "a", 0, 0, "v", speech=(50, 270))
    unknown = Utterance(1, 0, 300, "a", 0, 0, "v")
    assert padded.span((10, 5)) == (40, 275)
    assert padded.span((100, 100)) == (0, 300)
    assert unknown.span((10, 10)) == (0, 300)

    spans = crop_spans([padded, padded], np.random.default_rng(0), (5, 20))
    for start, end in spans:
        assert 30 <= start <= 45 and 275 <= end <= 290
    x, lengths = collate([padded, unknown], features, 2, [(40, 100), (0, 300)])
    assert lengths.tolist() == [60, 300]
    assert np.array_equal(x[0, :60], features[40:100])
    assert np.all(x[0, 60:] == features[40:100].min(axis=0))
    whole, lengths = collate([unknown], features, 2)
    assert lengths.tolist() == [300] and np.array_equal(whole[0], features)


def test_the_intent_temperature_calibrates_overconfident_logits() -> None:
    from resolver.neural.train_audio import fit_temperature

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=400)
    guess = np.where(rng.random(400) < 0.7, labels, rng.integers(0, 4, size=400))
    logits = np.full((400, 4), 0.0)
    logits[np.arange(400), guess] = 20.0  # sure of every guess, right 3 times in 4 or so
    temperature = fit_temperature(list(zip(logits, labels.tolist(), strict=True)))
    assert temperature > 5.0
    assert fit_temperature([]) == 1.0


def test_training_runs_end_to_end_and_fine_tunes(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    from resolver.neural.synth import write_wav
    from resolver.neural.train_audio import train_audio

    corpus = tmp_path / "corpus"
    (corpus / "wav").mkdir(parents=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(24):
        text = ["turn on the light", "lock the door", "never mind"][i % 3] + f" {'ab'[i % 2]}"
        name = f"wav/{i:03d}.wav"
        write_wav(corpus / name, 0.1 * rng.standard_normal(16000 + 800 * (i % 5)))
        voice = "test:other" if i % 4 == 0 else "test:noise"
        rows.append({"text": text, "transcript": text, "voice": voice, "path": name,
                     "intent": "HassTurnOn", "domain": "light",
                     "augmentations": {"silence": [0.1, 0.1]}, "duration": 1.0})
    (corpus / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    first = train_audio(corpus, tmp_path / "cache", out_model=tmp_path / "a.onnx",
                        out_card=tmp_path / "a.json", epochs=1, minutes=5, threads=1,
                        hold_out_voices=("test:other",))
    assert (tmp_path / "a.onnx").is_file() and first["training"]["epochs"] == 1
    corpus_card = first["corpus"]
    assert corpus_card["held_out_voices"] == ["test:other"]
    assert corpus_card["held_out_voice_utterances_scored"] == 6
    assert corpus_card["train_utterances"] + corpus_card["held_out_utterances"] == 18
    assert first["held_out_voice"] == first["curve"][-1]["unseen_voice"]
    assert "cer" in first["held_out_voice"]
    assert 0.5 <= first["config"]["intent_temperature"] <= 20.0
    again = train_audio(corpus, tmp_path / "cache", out_model=tmp_path / "a.onnx",
                        out_card=tmp_path / "a.json", epochs=1, minutes=5, threads=1,
                        resume=True, hold_out_voices=("test:other",))
    assert again["training"]["epochs"] == 1 and len(again["curve"]) == 1  # exported again
    assert first["recipe"]["padding_kept"].startswith("0.05-0.4 s")
    assert AudioModel.load(tmp_path / "a.onnx", tmp_path / "a.json").transcribe(
        0.1 * rng.standard_normal(16000).astype(np.float32)) is not None

    checkpoint = tmp_path / "first.pt"
    (tmp_path / "cache" / "audio_checkpoint.pt").rename(checkpoint)
    second = train_audio(corpus, tmp_path / "cache", out_model=tmp_path / "b.onnx",
                         out_card=tmp_path / "b.json", epochs=1, minutes=5, threads=1,
                         dropout=0.1, init_from=checkpoint)
    assert second["config"]["dropout"] == 0.1
    assert second["config"]["feature_mean"] == first["config"]["feature_mean"]
    assert "after 1 epoch (" in second["recipe"]["initialised_from"]
    smaller = train_audio(corpus, tmp_path / "cache", out_model=tmp_path / "c.onnx",
                          out_card=tmp_path / "c.json", epochs=1, minutes=5, threads=1,
                          layers=1, width=48)
    assert (smaller["config"]["gru_layers"], smaller["config"]["gru_hidden"],
            smaller["config"]["d_model"]) == (1, 48, 48)
    assert smaller["parameters"] < first["parameters"]
    assert AudioModel.load(tmp_path / "c.onnx", tmp_path / "c.json").transcribe(
        0.1 * rng.standard_normal(16000).astype(np.float32)) is not None
    exported = train_audio(corpus, tmp_path / "cache", out_model=tmp_path / "f.onnx",
                           out_card=tmp_path / "f.json", epochs=1, minutes=5, threads=1,
                           init_from=tmp_path / "b.onnx")
    assert exported["config"]["feature_mean"] == first["config"]["feature_mean"]
    assert exported["recipe"]["initialised_from"].startswith(f"{tmp_path / 'b.onnx'} (sha256 ")
    assert "itself initialised from" in exported["recipe"]["initialised_from"]
    with pytest.raises(ValueError, match="cannot change it"):
        train_audio(corpus, tmp_path / "cache", out_model=tmp_path / "d.onnx",
                    out_card=tmp_path / "d.json", epochs=1, minutes=5, threads=1,
                    init_from=checkpoint, width=48)
    from resolver.neural.train_audio import main as train_main

    assert train_main(["--corpus", str(corpus), "--cache", str(tmp_path / "cache"),
                       "--layers", "0", "--output", str(tmp_path / "e.onnx")]) == 2
    # The output's folder is made before training, and a place it cannot be made fails
    # before an epoch is spent (the export after the first epoch had failed for want of it).
    assert train_main(["--corpus", str(corpus), "--cache", str(tmp_path / "cache"),
                       "--minutes", "0.01", "--output", str(tmp_path / "new" / "g.onnx")]) == 0
    assert (tmp_path / "new" / "g.onnx").is_file() and (tmp_path / "new" / "g.json").is_file()
    (tmp_path / "taken").write_text("a file, not a folder")
    assert train_main(["--corpus", str(corpus), "--cache", str(tmp_path / "cache"),
                       "--output", str(tmp_path / "taken" / "h.onnx")]) == 1


def test_several_corpora_train_as_one(tmp_path: Path) -> None:
    from resolver.neural.train_audio import main as train_main
    from resolver.neural.train_audio import merge_corpora

    corpora = []
    for seed in (7, 8):
        corpus = tmp_path / f"speech{seed}"
        (corpus / "wav").mkdir(parents=True)
        (corpus / "wav" / "000.wav").write_bytes(b"")
        row = {"transcript": f"lock the door {seed}", "voice": "test:a", "path": "wav/000.wav"}
        (corpus / "manifest.jsonl").write_text(json.dumps(row) + "\n")
        (corpus / "summary.json").write_text(json.dumps({"seed": seed, "created": "now"}))
        corpora.append(corpus)
    merged = merge_corpora(corpora, tmp_path / "cache")
    rows = [json.loads(line) for line in (merged / "manifest.jsonl").read_text().splitlines()]
    assert [r["transcript"] for r in rows] == ["lock the door 7", "lock the door 8"]
    assert [(merged / r["path"]).resolve() for r in rows] == [
        (c / "wav" / "000.wav").resolve() for c in corpora]
    summary = json.loads((merged / "summary.json").read_text())
    assert summary["seed"] == [7, 8] and [p["path"] for p in summary["parts"]] == [
        str(c) for c in corpora]
    with pytest.raises(ValueError, match="manifest.jsonl not found"):
        merge_corpora([*corpora, tmp_path / "missing"], tmp_path / "cache")
    assert train_main(["--corpus", str(corpora[0]), "--corpus", str(tmp_path / "missing"),
                       "--cache", str(tmp_path / "cache")]) == 1


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_an_exported_model_reads_back_into_torch(tmp_path: Path, rnn: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    from resolver.neural.audio_model import build_network
    from resolver.neural.train_audio import export_onnx, load_earlier

    config = AudioConfig(rnn=rnn, gru_hidden=24, d_model=24, conv_channels=4,
                         feature_mean=(1.0,) * 80, feature_std=(2.0,) * 80)
    torch.manual_seed(0)
    network = build_network(config)
    export_onnx(network, tmp_path / "m.onnx", config)
    (tmp_path / "m.json").write_text(json.dumps({
        "config": config.to_dict(), "training": {"epochs": 2, "minutes": 1.5}}))
    earlier = load_earlier(tmp_path / "m.onnx")
    assert earlier["epoch"] == 2 and earlier["trained_seconds"] == 90.0
    for key, value in network.state_dict().items():
        assert torch.equal(earlier["network"][key], value), key

    (tmp_path / "m.json").write_text("{}")
    with pytest.raises(ValueError, match="not the model card"):
        load_earlier(tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="no such file"):
        load_earlier(tmp_path / "missing.onnx")
