"""Training the audio model: ``python -m resolver train-audio``.

Recipe (written to ``audio_model.json`` beside the weights, with the held-out curve):

1. The synthesized corpus (``python -m resolver synth-audio``; espeak-ng and flite voices only,
   festival voices are held out for evaluation) is read once and its log-mel features are
   cached in a numpy memmap by :func:`resolver.neural.audio_model.log_mel`, the function
   serving uses.
2. About 5% of the utterances, grouped by transcript so no sentence is on both sides, are held
   out for the curve: greedy CTC character error rate and intent accuracy after every epoch.
   With ``--hold-out-voice``, a voice's utterances are kept out too and scored apart: a
   speaker the network never heard.
3. The network (:func:`resolver.neural.audio_model.build_network`) is trained with Adam on
   batches bucketed by duration: CTC over characters of the spoken transcript, plus
   cross-entropy on the intent (dialog turns without one are masked) and the domain. Random
   gain and SpecAugment time and frequency masks in training. The learning rate warms up and
   decays on a cosine over the epochs or the time budget, whichever runs out first.
4. After every epoch a checkpoint is saved and the network is exported to ONNX (verified
   against torch), so a usable model exists whenever training stops.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import random
import sys
import time
import wave
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .audio_model import (
    CARD_FILE,
    MODEL_FILE,
    AudioConfig,
    build_network,
    count_parameters,
    encode_transcript,
    frame_count,
    greedy_decode,
    log_mel,
    normalize_transcript,
    subsampled_length,
)
from .labels import DOMAINS, INTENTS
from .train import Progress

DEFAULT_SEED = 11
HOLDOUT_SHARE = 0.05
IGNORE = -100
CROP_SILENCE = (0.05, 0.4)
"""Seconds of padding silence kept each side of the speech in training (a third of the
corpus's audio is padding; serving trims it)."""
FREQUENCY_MASKS = (2, 10)
"""SpecAugment's frequency masks: how many, and at most how many mel bands each."""
TIME_MASKS = (2, 20, 0.05)
"""SpecAugment's time masks: how many, at most how many frames each, and at most what share
of the utterance each (so a short command keeps its words)."""
UNSEEN_SAMPLE = 500
"""Utterances of the held-out voices scored after every epoch."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """One corpus entry with its cached features' place and its labels."""

    index: int
    """Position in the manifest."""
    offset: int
    """First feature frame in the cache."""
    frames: int
    """Feature frames."""
    transcript: str
    """Normalized spoken words."""
    intent: int
    """Index in INTENTS, or IGNORE for context-dependent turns."""
    domain: int
    """Index in DOMAINS, or IGNORE."""
    voice: str
    """Synthesizer and voice."""
    speech: tuple[int, int] = (0, 0)
    """First and last-plus-one frame of speech (the padding silence excluded); ``(0, 0)``
    when the manifest does not say."""

    def span(self, margin: tuple[int, int] = (0, 0)) -> tuple[int, int]:
        """Frames to train on: the speech with up to ``margin`` frames of its padding each side
        (the whole utterance when its speech span is unknown)."""
        if self.speech == (0, 0):
            return 0, self.frames
        return (max(0, self.speech[0] - margin[0]),
                min(self.frames, self.speech[1] + margin[1]))


def speech_frames(row: dict[str, Any], frames: int, config: AudioConfig) -> tuple[int, int]:
    """First and last-plus-one feature frame of an utterance's speech, from the padding
    silence its manifest row records (``(0, 0)`` when it records none)."""
    silence = row.get("augmentations", {}).get("silence")
    if not silence or len(silence) != 2:
        return 0, 0
    per_second = config.sample_rate / config.hop_length
    start = min(frames, max(0, int(float(silence[0]) * per_second)))
    end = max(start, min(frames, frames - int(float(silence[1]) * per_second)))
    return (start, end) if end > start else (0, 0)


def read_wav(path: Path) -> np.ndarray:
    """Samples of a 16-bit mono WAV as float32 in [-1, 1]."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono")
        data = handle.readframes(handle.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def _fingerprint(manifest: Path, config: AudioConfig) -> str:
    digest = hashlib.sha256(manifest.read_bytes())
    feature_fields = (config.sample_rate, config.n_mels, config.win_length, config.hop_length,
                      config.n_fft, config.f_min, config.f_max, config.log_floor)
    digest.update(repr(feature_fields).encode())
    return digest.hexdigest()[:16]


def merge_corpora(corpora: list[Path], cache: Path) -> Path:
    """One corpus of several: a folder in ``cache`` whose manifest lists every utterance of
    ``corpora`` (their paths relative to it) and whose summary names its parts."""
    merged = cache / "corpus"
    merged.mkdir(parents=True, exist_ok=True)
    lines, parts = [], []
    for corpus in corpora:
        manifest = corpus / "manifest.jsonl"
        if not manifest.is_file():
            raise ValueError(f"{manifest} not found; run 'python -m resolver synth-audio' "
                             "first")
        for line in manifest.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                row["path"] = os.path.relpath(corpus / row["path"], merged)
                lines.append(json.dumps(row))
        summary_file = corpus / "summary.json"
        summary = json.loads(summary_file.read_text()) if summary_file.is_file() else {}
        parts.append({"path": str(corpus), "seed": summary.get("seed"),
                      "created": summary.get("created")})
    text = "\n".join(lines) + "\n"
    manifest = merged / "manifest.jsonl"
    if not manifest.is_file() or manifest.read_text() != text:
        manifest.write_text(text)
    (merged / "summary.json").write_text(json.dumps(
        {"seed": [p["seed"] for p in parts], "created": max(
            (p["created"] for p in parts if p["created"]), default=None), "parts": parts},
        indent=1))
    return merged


def cache_features(corpus: Path, cache: Path, config: AudioConfig
                   ) -> tuple[list[dict[str, Any]], np.ndarray, list[int], list[int]]:
    """The manifest rows and all features (a read-only memmap), computed once and cached."""
    manifest = corpus / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    key = _fingerprint(manifest, config)
    index_file, data_file = cache / f"features-{key}.json", cache / f"features-{key}.npy"
    if index_file.is_file() and data_file.is_file():
        index = json.loads(index_file.read_text())
    else:
        cache.mkdir(parents=True, exist_ok=True)
        lengths = []
        for row in rows:
            with wave.open(str(corpus / row["path"]), "rb") as handle:
                lengths.append(frame_count(handle.getnframes(), config))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(int).tolist()
        partial = data_file.with_suffix(".partial")
        out = np.lib.format.open_memmap(str(partial), mode="w+", dtype=np.float32,
                                        shape=(offsets[-1], config.n_mels))
        progress = Progress(len(rows), "features")
        for i, row in enumerate(rows):
            out[offsets[i]:offsets[i + 1]] = log_mel(read_wav(corpus / row["path"]), config)
            progress.update(i + 1)
        out.flush()
        del out
        partial.rename(data_file)
        index = {"offsets": offsets[:-1], "lengths": lengths, "frames": offsets[-1]}
        index_file.write_text(json.dumps(index))
    features = np.load(data_file, mmap_mode="r")
    return rows, features, index["offsets"], index["lengths"]


def split_by_transcript(utterances: list[Utterance], seed: int, share: float
                        ) -> tuple[list[Utterance], list[Utterance]]:
    """Train and held-out utterances; every transcript falls wholly on one side."""
    groups: dict[str, list[Utterance]] = {}
    for utt in utterances:
        groups.setdefault(utt.transcript, []).append(utt)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    held: list[Utterance] = []
    target = share * len(utterances)
    for key in keys:
        if len(held) >= target:
            break
        held += groups[key]
    held_keys = {u.transcript for u in held}
    train = [u for u in utterances if u.transcript not in held_keys]
    return train, held


def fit_temperature(scored: list[tuple[np.ndarray, int]]) -> float:
    """The temperature (dividing the logits) that gives the labels the least negative
    log-likelihood, on a grid from 0.5 to 20; 1 without labels."""
    if not scored:
        return 1.0
    logits = np.stack([row for row, _ in scored])
    labels = np.array([label for _, label in scored])

    def nll(temperature: float) -> float:
        scaled = logits / temperature
        top = scaled.max(axis=1, keepdims=True)
        log_z = top[:, 0] + np.log(np.exp(scaled - top).sum(axis=1))
        return float(np.mean(log_z - scaled[np.arange(len(labels)), labels]))

    return round(float(min(np.geomspace(0.5, 20.0, 81), key=nll)), 3)


def hold_out(train: list[Utterance], held: list[Utterance], voices: tuple[str, ...],
             seed: int) -> tuple[list[Utterance], list[Utterance], list[Utterance]]:
    """``train`` and ``held`` without the utterances of ``voices`` (voice-name prefixes), and
    a fixed sample of at most :data:`UNSEEN_SAMPLE` of those utterances, held-out sentences
    first."""
    if not voices:
        return train, held, []

    def unheard(utt: Utterance) -> bool:
        return utt.voice.startswith(voices)

    held_sentences = [u for u in held if unheard(u)]
    trained_sentences = [u for u in train if unheard(u)]
    random.Random(seed).shuffle(trained_sentences)
    unseen = (held_sentences + trained_sentences)[:UNSEEN_SAMPLE]
    return ([u for u in train if not unheard(u)], [u for u in held if not unheard(u)], unseen)


def padding_frames(crop_silence: tuple[float, float] | None, config: AudioConfig
                   ) -> tuple[int, int] | None:
    """``crop_silence`` (seconds of padding kept, lowest and highest) in feature frames."""
    if crop_silence is None:
        return None
    per_second = config.sample_rate / config.hop_length
    return round(crop_silence[0] * per_second), round(crop_silence[1] * per_second)


def split_corpus(rows: list[dict[str, Any]], lengths: list[int], config: AudioConfig,
                 margin: tuple[int, int] | None = None, seed: int = DEFAULT_SEED,
                 offsets: list[int] | None = None) -> tuple[list[Utterance], list[Utterance]]:
    """The corpus's training and held-out utterances, as training splits them: utterances
    with too few encoder steps for their characters (at the shortest ``margin`` of padding
    kept) are left out, then the rest split by :func:`split_by_transcript`."""
    utterances = [
        Utterance(i, offsets[i] if offsets else 0, lengths[i],
                  normalize_transcript(row["transcript"]),
                  INTENTS.index(row["intent"]) if row.get("intent") in INTENTS else IGNORE,
                  DOMAINS.index(row["domain"]) if row.get("domain") in DOMAINS else IGNORE,
                  row.get("voice", ""), speech_frames(row, lengths[i], config))
        for i, row in enumerate(rows)
    ]

    def steps_at_least(utt: Utterance) -> int:
        start, end = utt.span((margin[0], margin[0])) if margin else (0, utt.frames)
        return subsampled_length(end - start, config.time_stride)

    # CTC needs at least one step per character (more for doubled letters).
    usable = [u for u in utterances
              if u.transcript and steps_at_least(u) >= len(u.transcript) + 2]
    return split_by_transcript(usable, seed, HOLDOUT_SHARE)


def bucket_batches(utterances: list[Utterance], batch_frames: int, rng: random.Random,
                   max_batch: int = 96, margin: int | None = None) -> list[list[Utterance]]:
    """Batches of similar duration, each at most ``batch_frames`` padded frames, shuffled.

    With ``margin``, durations are those of the speech with ``margin`` frames each side (the
    mean kept by :func:`crop_spans`), not of the whole utterance.
    """
    def frames(utt: Utterance) -> int:
        if margin is None:
            return utt.frames
        start, end = utt.span((margin, margin))
        return end - start

    # A little jitter on the sort key changes the batches' make-up from epoch to epoch.
    ordered = sorted(utterances, key=lambda u: frames(u) * rng.uniform(0.95, 1.05))
    batches: list[list[Utterance]] = []
    current: list[Utterance] = []
    longest = 0
    for utt in ordered:
        longest_if = max(longest, frames(utt))
        if current and (longest_if * (len(current) + 1) > batch_frames
                        or len(current) >= max_batch):
            batches.append(current)
            current, longest_if = [], frames(utt)
        current.append(utt)
        longest = longest_if
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def collate(batch: list[Utterance], features: np.ndarray, n_mels: int,
            spans: list[tuple[int, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Padded features (B × T × n_mels) and lengths; padding repeats each band's quietest value.

    ``spans`` (first, last-plus-one frame per utterance) crops each utterance; by default
    utterances are whole.
    """
    spans = spans or [(0, u.frames) for u in batch]
    longest = max(end - start for start, end in spans)
    out = np.empty((len(batch), longest, n_mels), dtype=np.float32)
    for i, (utt, (start, end)) in enumerate(zip(batch, spans, strict=True)):
        x = features[utt.offset + start:utt.offset + end]
        out[i, :end - start] = x
        out[i, end - start:] = x.min(axis=0)
    return out, np.array([end - start for start, end in spans], dtype=np.int64)


def crop_spans(batch: list[Utterance], rng: np.random.Generator, margin: tuple[int, int]
               ) -> list[tuple[int, int]]:
    """Each utterance's speech with a random ``margin[0]``–``margin[1]`` frames of its padding
    silence (or noise) kept on each side: serving trims silence, so long padding only costs
    training time."""
    low, high = margin
    return [utt.span((int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))))
            for utt in batch]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def evaluate(network: Any, utterances: list[Utterance], features: np.ndarray,
             config: AudioConfig, intent_logits: list[tuple[np.ndarray, int]] | None = None
             ) -> dict[str, Any]:
    """Greedy CER, sentence accuracy, intent and domain accuracy on ``utterances``; with
    ``intent_logits``, each labelled utterance's intent logits and label are added to it."""
    import torch

    network.eval()
    errors = chars = sentences_right = 0
    intent_right = intent_total = domain_right = domain_total = 0
    per_family: dict[str, list[int]] = {}
    batches = bucket_batches(utterances, 60000, random.Random(0))
    with torch.no_grad():
        for batch in batches:
            x, lengths = collate(batch, features, config.n_mels)
            intent, domain, logprobs = network(torch.from_numpy(x), torch.from_numpy(lengths))
            intent_best = intent.argmax(-1).tolist()
            domain_best = domain.argmax(-1).tolist()
            for i, utt in enumerate(batch):
                steps = subsampled_length(utt.frames, config.time_stride)
                text = greedy_decode(logprobs[i, :steps].numpy(), config.alphabet)
                distance = edit_distance(text, utt.transcript)
                errors += distance
                chars += len(utt.transcript)
                sentences_right += text == utt.transcript
                family = per_family.setdefault(utt.voice.split(":")[0], [0, 0, 0, 0])
                family[0] += distance
                family[1] += len(utt.transcript)
                if utt.intent != IGNORE:
                    intent_total += 1
                    intent_right += intent_best[i] == utt.intent
                    if intent_logits is not None:
                        intent_logits.append((intent[i].numpy().astype(np.float64), utt.intent))
                    family[2] += intent_best[i] == utt.intent
                    family[3] += 1
                if utt.domain != IGNORE:
                    domain_total += 1
                    domain_right += domain_best[i] == utt.domain
    network.train()
    return {
        "cer": round(errors / max(chars, 1), 4),
        "sentence_accuracy": round(sentences_right / max(len(utterances), 1), 4),
        "intent_accuracy": round(intent_right / max(intent_total, 1), 4),
        "domain_accuracy": round(domain_right / max(domain_total, 1), 4),
        "per_synthesizer": {
            name: {"cer": round(v[0] / max(v[1], 1), 4),
                   "intent_accuracy": round(v[2] / max(v[3], 1), 4)}
            for name, v in sorted(per_family.items())
        },
    }


def _onnx_difference(network: Any, path: Path, config: AudioConfig) -> float:
    """Largest difference between the outputs of ``network`` and of the ONNX model at ``path``."""
    import onnxruntime as ort
    import torch

    network.eval()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    mean = np.asarray(config.feature_mean or (0.0,) * config.n_mels, dtype=np.float32)
    for frames in (37, 160, 513):
        x = rng.standard_normal((1, frames, config.n_mels)).astype(np.float32) * 2.0 + mean
        ours = session.run(None, {"features": x})
        with torch.no_grad():
            theirs = network(torch.from_numpy(x))
        for a, b in zip(ours, theirs, strict=True):
            worst = max(worst, float(np.abs(a - b.numpy()).max()))
    return worst


def export_onnx(network: Any, path: Path, config: AudioConfig) -> float:
    """Write the network as ONNX with a dynamic time axis; returns the max difference to torch."""
    import torch

    network.eval()
    example = torch.zeros(1, 200, config.n_mels)
    tmp = path.with_suffix(".onnx.tmp")
    torch.onnx.export(
        network, (example,), str(tmp), input_names=["features"],
        output_names=["intent_logits", "domain_logits", "char_logprobs"],
        dynamic_axes={"features": {1: "frames"}, "char_logprobs": {1: "steps"}},
        opset_version=17, dynamo=False,
    )
    worst = _onnx_difference(network, tmp, config)
    network.train()
    if worst > 1e-3:
        raise RuntimeError(f"ONNX export differs from torch by {worst:.2e}")
    tmp.replace(path)
    return worst


def _torch_gates(onnx_gates: np.ndarray, rnn: str) -> np.ndarray:
    """A recurrent weight or bias in ONNX's gate order, rearranged in torch's.

    ONNX stacks a GRU's gates as update, reset, candidate and torch as reset, update, candidate;
    an LSTM's as input, output, forget, cell and torch as input, forget, cell, output.
    """
    parts = np.split(onnx_gates, 3 if rnn == "gru" else 4, axis=0)
    order = (1, 0, 2) if rnn == "gru" else (0, 2, 3, 1)
    return np.concatenate([parts[i] for i in order], axis=0)


def _state_from_onnx(path: Path, network: Any) -> dict[str, Any]:
    """The torch state of ``network`` read back from its ONNX export at ``path``.

    Most weights keep their module names in the export. Those that do not: the recurrent
    stack becomes one ONNX GRU (or LSTM) node a layer, both directions stacked, gates in
    ONNX's order, input and hidden biases side by side; a linear layer applied over time
    becomes a MatMul by its transposed weight, recognised by shape.
    """
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    state = network.state_dict()
    rnn = network.config.rnn
    loaded: dict[str, np.ndarray] = {key: weights[key] for key, value in state.items()
                                     if key in weights and weights[key].shape == value.shape}
    layers = [node for node in graph.node if node.op_type in ("GRU", "LSTM")]
    for layer, node in enumerate(layers):
        w, r, b = (weights[name] for name in node.input[1:4])
        for direction, suffix in enumerate(("", "_reverse")):
            half = b.shape[1] // 2
            loaded[f"gru.weight_ih_l{layer}{suffix}"] = _torch_gates(w[direction], rnn)
            loaded[f"gru.weight_hh_l{layer}{suffix}"] = _torch_gates(r[direction], rnn)
            loaded[f"gru.bias_ih_l{layer}{suffix}"] = _torch_gates(b[direction][:half], rnn)
            loaded[f"gru.bias_hh_l{layer}{suffix}"] = _torch_gates(b[direction][half:], rnn)
    transposed = [weights[node.input[1]].T for node in graph.node
                  if node.op_type == "MatMul" and node.input[1] in weights]
    for key, value in state.items():
        if key in loaded or not key.endswith(".weight"):
            continue
        fits = [i for i, matrix in enumerate(transposed) if matrix.shape == value.shape]
        if len(fits) != 1:
            raise ValueError(f"{path}: cannot tell which weight in it is {key} "
                             f"({len(fits)} of shape {tuple(value.shape)})")
        loaded[key] = transposed.pop(fits[0])
    missing = [key for key in state if key not in loaded and key != "mean"]
    if missing:
        raise ValueError(f"{path}: no weights for {', '.join(missing)}; is it this network's "
                         "export?")
    for key, value in loaded.items():
        if tuple(value.shape) != tuple(state[key].shape):
            raise ValueError(f"{path}: {key} has shape {value.shape}, the network "
                             f"{tuple(state[key].shape)}")
        state[key] = torch.from_numpy(np.array(value, dtype=np.float32))
    return state


def load_earlier(path: Path) -> dict[str, Any]:
    """An earlier network to fine-tune: a training checkpoint, or an exported model.

    An exported model (``.onnx``, its card beside it as ``.json``, as committed) is read back
    into torch and checked against onnxruntime on the same input, so the committed network can
    be trained further without the checkpoint it was exported from. Returns the checkpoint's
    ``config``, ``network`` (state), ``epoch`` and ``trained_seconds``, and ``source``: a line
    for the card saying where the weights came from.
    """
    import torch

    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.suffix != ".onnx":
        earlier = torch.load(path, weights_only=False)
        epochs = earlier["epoch"]
        earlier["source"] = (f"{path}, after {epochs} epoch{'' if epochs == 1 else 's'} "
                             f"({earlier['trained_seconds'] / 60:.1f} minutes) of training")
        return earlier
    card_path = path.with_suffix(".json")
    try:
        card = json.loads(card_path.read_text())
        config = AudioConfig.from_dict(card["config"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{card_path}: not the model card of {path.name} ({error})") from None
    network = build_network(config)
    network.load_state_dict(_state_from_onnx(path, network))
    difference = _onnx_difference(network, path, config)
    if difference > 1e-3:
        raise ValueError(f"{path}: the weights read back differ from it by {difference:.2e}")
    training = card.get("training", {})
    epochs, minutes = training.get("epochs", 0), training.get("minutes", 0.0)
    source = (f"{path} (sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:16]}), after "
              f"{epochs} epoch{'' if epochs == 1 else 's'} ({minutes:.1f} minutes) of training")
    before = card.get("recipe", {}).get("initialised_from")
    if before:
        source += f", itself initialised from {before}"
    return {"config": config.to_dict(), "network": network.state_dict(), "epoch": epochs,
            "trained_seconds": minutes * 60.0, "source": source}


def _lr(step: int, elapsed: float, total_steps: int, budget: float, peak: float,
        warmup: int) -> tuple[float, float]:
    progress = min(1.0, max(step / max(total_steps, 1), elapsed / max(budget, 1.0)))
    scale = min(1.0, (step + 1) / warmup) * (0.03 + 0.97 * 0.5 * (1 + math.cos(math.pi * progress)))
    return peak * scale, progress


def train_audio(corpus: Path, cache: Path, out_model: Path = MODEL_FILE,
                out_card: Path = CARD_FILE, seed: int = DEFAULT_SEED, epochs: int = 80,
                minutes: float = 80.0, batch_seconds: float = 30.0, peak_lr: float = 1e-3,
                resume: bool = False, threads: int = 2, time_stride: int = 4,
                dropout: float | None = None, spec_augment: bool = True,
                crop_silence: tuple[float, float] | None = CROP_SILENCE,
                init_from: Path | None = None,
                hold_out_voices: tuple[str, ...] = (), layers: int | None = None,
                width: int | None = None) -> dict[str, Any]:
    """Train, checkpoint and export the audio model; returns the model card.

    Utterances whose voice starts with one of ``hold_out_voices`` (``"flite:rms"``) are kept
    out of training and scored separately: a speaker the network never heard, to tune what
    depends on how well it generalises (the listener's fusion) without touching festival.

    ``crop_silence`` (seconds, lowest and highest) is how much of each utterance's padding
    silence is kept on each side in training, drawn anew every time; ``None`` keeps it all.
    ``init_from`` (a checkpoint, or an exported model with its card: see :func:`load_earlier`)
    starts from an earlier network instead of from scratch.
    ``layers`` and ``width`` (recurrent layers, and units a direction, which is also the width
    fed to them) replace :class:`AudioConfig`'s defaults.
    """
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    started = time.time()
    base = AudioConfig(time_stride=time_stride)
    if dropout is not None:
        base = replace(base, dropout=dropout)
    if (layers is not None and layers < 1) or (width is not None and width < 1):
        raise ValueError(f"layers and width must be at least 1 (got {layers}, {width})")
    if layers is not None:
        base = replace(base, gru_layers=layers)
    if width is not None:
        base = replace(base, gru_hidden=width, d_model=width)
    rows, features, offsets, lengths = cache_features(corpus, cache, base)
    feature_seconds = time.time() - started

    margin = padding_frames(crop_silence, base)
    train, held = split_corpus(rows, lengths, base, margin, seed, offsets)
    train, held, unseen = hold_out(train, held, hold_out_voices, seed)

    sample = np.concatenate([features[u.offset:u.offset + u.frames]
                             for u in rng.sample(train, min(800, len(train)))])
    config = replace(base, feature_mean=tuple(round(float(v), 5) for v in sample.mean(0)),
                     feature_std=tuple(round(float(v), 5) for v in sample.std(0) + 1e-3))
    if init_from is not None:
        # Fine-tuning: the earlier network's weights and feature statistics, this run's
        # regularisation and schedule.
        earlier = load_earlier(init_from)
        config = replace(AudioConfig.from_dict(earlier["config"]), dropout=base.dropout)
        if config.time_stride != base.time_stride:
            raise ValueError(f"{init_from}: its network has time stride {config.time_stride}, "
                             f"not {base.time_stride}")
        shape = (config.gru_layers, config.gru_hidden)
        if (layers or shape[0], width or shape[1]) != shape:
            raise ValueError(f"{init_from}: its network has {shape[0]} layers of {shape[1]} "
                             "units; --layers and --width cannot change it")
    network = build_network(config)
    if init_from is not None:
        network.load_state_dict(earlier["network"])
    optimizer = torch.optim.AdamW(network.parameters(), lr=peak_lr, weight_decay=1e-2)
    ctc_loss = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    cross_entropy = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    mean = torch.tensor(config.feature_mean)

    checkpoint = cache / "audio_checkpoint.pt"
    curve: list[dict[str, Any]] = []
    start_epoch, step, trained_seconds = 0, 0, 0.0
    if resume and checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        config = AudioConfig.from_dict(state["config"])
        network = build_network(config)
        network.load_state_dict(state["network"])
        optimizer = torch.optim.AdamW(network.parameters(), lr=peak_lr, weight_decay=1e-2)
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, step, curve = state["epoch"], state["step"], state["curve"]
        trained_seconds = state["trained_seconds"]
        rng.setstate(state["rng"])
        mean = torch.tensor(config.feature_mean)

    batch_frames = int(batch_seconds * config.sample_rate / config.hop_length)
    mean_margin = None if margin is None else (margin[0] + margin[1]) // 2
    steps_per_epoch = len(bucket_batches(train, batch_frames, random.Random(0),
                                         margin=mean_margin))
    total_steps = steps_per_epoch * epochs
    warmup = min(300, total_steps // 10 + 1)
    budget = minutes * 60.0
    params = count_parameters(network)
    print(f"audio model: {params:,} parameters; {len(train)} training and {len(held)} held-out "
          f"utterances ({len(unseen)} more of held-out voices); {steps_per_epoch} batches an "
          f"epoch; features in {feature_seconds:.0f}s", file=sys.stderr)

    def finish() -> dict[str, Any]:
        """Score the network, fit its intent temperature, checkpoint and export it; the card."""
        nonlocal config
        # The intent temperature is fitted on the unheard voice if there is one.
        calibration: list[tuple[np.ndarray, int]] = []
        scores = evaluate(network, held, features, config, None if unseen else calibration)
        point = {"epoch": epoch, "steps": step, "minutes": round(trained_seconds / 60, 1),
                 **{k: v for k, v in scores.items() if k != "per_synthesizer"}}
        print(f"epoch {epoch}: held-out CER {scores['cer']:.3%}, sentences "
              f"{scores['sentence_accuracy']:.1%}, intent {scores['intent_accuracy']:.1%}, "
              f"domain {scores['domain_accuracy']:.1%}", file=sys.stderr)
        if unseen:
            unseen_scores = evaluate(network, unseen, features, config, calibration)
            point["unseen_voice"] = {k: v for k, v in unseen_scores.items()
                                     if k != "per_synthesizer"}
            print(f"  held-out voices: CER {unseen_scores['cer']:.3%}, intent "
                  f"{unseen_scores['intent_accuracy']:.1%}", file=sys.stderr)
        config = replace(config, intent_temperature=fit_temperature(calibration))
        point["intent_temperature"] = config.intent_temperature
        if curve and curve[-1]["epoch"] == epoch:
            curve[-1] = point
        else:
            curve.append(point)
        torch.save({"config": config.to_dict(), "network": network.state_dict(),
                    "optimizer": optimizer.state_dict(), "epoch": epoch, "step": step,
                    "curve": curve, "trained_seconds": trained_seconds, "rng": rng.getstate()},
                   checkpoint)
        difference = export_onnx(network, out_model, config)
        card = model_card(config, params, seed, corpus, rows, train, held, curve, scores,
                          trained_seconds, epoch, step, batch_seconds, peak_lr, out_model,
                          difference, threads, spec_augment, crop_silence,
                          hold_out_voices, len(unseen))
        if init_from is not None:
            card["recipe"]["initialised_from"] = earlier["source"]
        out_card.write_text(json.dumps(card, indent=2) + "\n")
        return card

    card: dict[str, Any] = {}
    network.train()
    epoch = start_epoch
    progress_done = False
    while epoch < epochs and not progress_done and trained_seconds < budget:
        epoch_start = time.time()
        batches = bucket_batches(train, batch_frames, rng, margin=mean_margin)
        bar = Progress(len(batches), f"epoch {epoch + 1}")
        totals = np.zeros(3)
        for b, batch in enumerate(batches):
            elapsed = trained_seconds + time.time() - epoch_start
            lr, fraction = _lr(step, elapsed, total_steps, budget, peak_lr, warmup)
            if fraction >= 1.0:
                progress_done = True
                break
            for group in optimizer.param_groups:
                group["lr"] = lr
            spans = crop_spans(batch, np_rng, margin) if margin else None
            x_np, lengths_np = collate(batch, features, config.n_mels, spans)
            x = torch.from_numpy(x_np)
            x_lengths = torch.from_numpy(lengths_np)
            augment(x, lengths_np, mean, np_rng, masks=spec_augment)
            targets = [encode_transcript(u.transcript) for u in batch]
            flat = torch.tensor([c for t in targets for c in t], dtype=torch.long)
            target_lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
            intents = torch.tensor([u.intent for u in batch])
            domains = torch.tensor([u.domain for u in batch])

            intent_logits, domain_logits, logprobs = network(x, x_lengths)
            steps = torch.tensor([subsampled_length(int(n), config.time_stride)
                                  for n in lengths_np])
            loss_ctc = ctc_loss(logprobs.transpose(0, 1), flat, steps, target_lengths)
            loss_intent = (cross_entropy(intent_logits, intents)
                           if (intents != IGNORE).any() else torch.zeros(()))
            loss_domain = (cross_entropy(domain_logits, domains)
                           if (domains != IGNORE).any() else torch.zeros(()))
            loss = loss_ctc + 0.5 * loss_intent + 0.25 * loss_domain
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 5.0)
            optimizer.step()
            step += 1
            now = np.array([loss_ctc.item(), loss_intent.item(), loss_domain.item()])
            totals = 0.95 * totals + 0.05 * now if b else now
            bar.update(b + 1, f"ctc {totals[0]:.3f} intent {totals[1]:.3f} "
                              f"domain {totals[2]:.3f} lr {lr:.1e}")
        if progress_done:
            bar.update(len(batches), "time budget reached")
        trained_seconds += time.time() - epoch_start
        epoch += 1
        card = finish()
    if not card:
        # Nothing left to train (--resume after the last epoch): export the checkpoint again.
        card = finish()
    return card


def augment(x: Any, lengths: np.ndarray, mean: Any, rng: np.random.Generator,
            masks: bool = True) -> None:
    """Random gain (±12 dB) and, with ``masks``, SpecAugment masks, in place on raw log-mel
    features."""
    import torch

    batch, _, n_mels = x.shape
    gain_db = rng.uniform(-12.0, 12.0, size=batch).astype(np.float32)
    x += torch.from_numpy(gain_db * (math.log(10.0) / 10.0))[:, None, None]
    if not masks:
        return
    bands_masked, widest_band = FREQUENCY_MASKS
    times_masked, widest_time, widest_share = TIME_MASKS
    for i in range(batch):
        n = int(lengths[i])
        for _ in range(bands_masked):
            width = int(rng.integers(0, widest_band + 1))
            start = int(rng.integers(0, n_mels - width + 1))
            x[i, :, start:start + width] = mean[start:start + width]
        for _ in range(times_masked):
            width = int(rng.integers(0, max(1, min(widest_time, int(n * widest_share))) + 1))
            start = int(rng.integers(0, max(1, n - width)))
            x[i, start:start + width, :] = mean


def model_card(config: AudioConfig, params: int, seed: int, corpus: Path,
               rows: list[dict[str, Any]], train: list[Utterance], held: list[Utterance],
               curve: list[dict[str, Any]], final: dict[str, Any], seconds: float, epochs: int,
               steps: int, batch_seconds: float, peak_lr: float, model: Path,
               difference: float, threads: int, spec_augment: bool = True,
               crop_silence: tuple[float, float] | None = None,
               hold_out_voices: tuple[str, ...] = (), unseen: int = 0) -> dict[str, Any]:
    """The model card written beside the weights."""
    summary_file = corpus / "summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.is_file() else {}
    data = model.read_bytes()
    return {
        "model": f"audio: log-mel → conv ×{config.time_stride} subsampling in time → "
                 f"{config.gru_layers}-layer "
                 f"bidirectional {config.rnn.upper()} ({config.gru_hidden} a direction) → "
                 "attention-pooled intent and domain heads, character CTC head",
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "file": model.name,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "parameters": params,
        "seed": seed,
        "config": config.to_dict(),
        "onnx": {"opset": 17, "inputs": {"features": "1 × frames × n_mels log-mel"},
                 "outputs": {"intent_logits": "1 × intents", "domain_logits": "1 × domains",
                             "char_logprobs": "1 × steps × alphabet (blank first)"},
                 "max_difference_to_torch": difference},
        "corpus": {
            "path": str(corpus),
            "utterances": len(rows),
            "hours": round(sum(float(r.get("duration", 0.0)) for r in rows) / 3600, 2),
            "train_utterances": len(train),
            "held_out_utterances": len(held),
            "held_out_split": f"{HOLDOUT_SHARE:.0%} of utterances, grouped by transcript",
            "held_out_voices": list(hold_out_voices),
            "held_out_voice_utterances_scored": unseen,
            "synthesizers": sorted({r.get("voice", "").split(":")[0] for r in rows}),
            "synthesis_seed": summary.get("seed"),
            "built": summary.get("created"),
            "rebuild": "python -m resolver synth-audio",
            **({"parts": summary["parts"]} if "parts" in summary else {}),
        },
        "recipe": {
            "command": "python -m resolver train-audio",
            "optimizer": f"AdamW, peak lr {peak_lr}, weight decay 0.01, warm-up then cosine "
                         "over epochs or time budget, gradient norm clipped at 5",
            "loss": "CTC (characters of the spoken transcript) + 0.5 intent CE "
                    "(null intents masked) + 0.25 domain CE",
            "augmentation": f"random gain ±12 dB; SpecAugment: {FREQUENCY_MASKS[0]} "
                            f"frequency masks ≤{FREQUENCY_MASKS[1]} bands, {TIME_MASKS[0]} "
                            f"time masks ≤min({TIME_MASKS[1]} frames, "
                            f"{TIME_MASKS[2]:.0%} of length)"
                            if spec_augment else "random gain ±12 dB; no SpecAugment",
            "dropout": config.dropout,
            "padding_kept": (f"{crop_silence[0]:g}-{crop_silence[1]:g} s of padding silence "
                             "each side of the speech, drawn per batch"
                             if crop_silence else "whole utterances"),
            "batches": f"bucketed by duration, ≤{batch_seconds:g} s of padded audio",
            "threads": threads,
        },
        "training": {"epochs": epochs, "steps": steps, "minutes": round(seconds / 60, 1)},
        "held_out": final,
        "held_out_voice": curve[-1].get("unseen_voice") if curve else None,
        "curve": curve,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``train-audio`` options on ``parser``."""
    parser.add_argument("--corpus", action="append", default=None,
                        help="corpus folder (default cache/speech); repeat it to train on "
                             "several corpora as one")
    parser.add_argument("--cache", default="cache/audio_train",
                        help="feature cache and checkpoint folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--epochs", type=int, default=80, help="epochs at most")
    parser.add_argument("--minutes", type=float, default=80.0,
                        help="training time budget; the schedule ends when it runs out")
    parser.add_argument("--batch-seconds", type=float, default=30.0,
                        help="padded audio per batch")
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="peak learning rate (2e-3 fits more slowly, 5e-3 not at all)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    parser.add_argument("--time-stride", type=int, choices=(2, 4), default=4,
                        help="subsampling in time (2: 20 ms steps, 4: 40 ms steps)")
    parser.add_argument("--dropout", type=float, default=None,
                        help=f"dropout between blocks (default {AudioConfig().dropout})")
    parser.add_argument("--layers", type=int, default=None,
                        help=f"bidirectional recurrent layers (default {AudioConfig().gru_layers})")
    parser.add_argument("--width", type=int, default=None,
                        help=f"recurrent units a direction (default {AudioConfig().gru_hidden})")
    parser.add_argument("--no-spec-augment", dest="spec_augment", action="store_false",
                        help="train without SpecAugment's time and frequency masks")
    parser.add_argument("--crop-silence", type=float, nargs=2, metavar=("LOW", "HIGH"),
                        default=CROP_SILENCE,
                        help="seconds of padding silence kept each side of the speech, drawn "
                             "between LOW and HIGH (default %(default)s)")
    parser.add_argument("--no-crop-silence", dest="crop_silence", action="store_const",
                        const=None, help="train on whole utterances, padding included")
    parser.add_argument("--init-from", type=Path, default=None, metavar="MODEL",
                        help="start from an earlier run's checkpoint, or from an exported .onnx "
                             "with its card beside it such as the committed model (fine-tuning: "
                             "its weights, this run's schedule, dropout and SpecAugment)")
    parser.add_argument("--hold-out-voice", dest="hold_out_voices", action="append",
                        default=[], metavar="VOICE",
                        help="keep this voice (a prefix such as flite:rms) out of training and "
                             "score it after every epoch; repeatable")
    parser.add_argument("--output", default=str(MODEL_FILE),
                        help="where to write the ONNX model; its card goes beside it as .json")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (1 is faster when other work shares the CPU)")


def run(args: argparse.Namespace) -> int:
    """Train with parsed ``train-audio`` options; returns the exit status."""
    corpora = [Path(c) for c in args.corpus or ["cache/speech"]]
    corpus = corpora[0]
    if len(corpora) > 1:
        try:
            corpus = merge_corpora(corpora, Path(args.cache))
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    if not (corpus / "manifest.jsonl").is_file():
        print(f"error: {corpus / 'manifest.jsonl'} not found; run "
              "'python -m resolver synth-audio' first", file=sys.stderr)
        return 1
    output = Path(args.output)
    try:
        # made before training, so that an unwritable place fails now, not after an epoch
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: cannot write {output}: {error}", file=sys.stderr)
        return 1
    try:
        card = train_audio(corpus, Path(args.cache), out_model=output,
                           out_card=output.with_suffix(".json"), seed=args.seed,
                           epochs=args.epochs, minutes=args.minutes,
                           batch_seconds=args.batch_seconds, peak_lr=args.lr, resume=args.resume,
                           threads=args.threads, time_stride=args.time_stride,
                           dropout=args.dropout, spec_augment=args.spec_augment,
                           crop_silence=tuple(args.crop_silence) if args.crop_silence else None,
                           init_from=args.init_from,
                           hold_out_voices=tuple(args.hold_out_voices), layers=args.layers,
                           width=args.width)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    held = card.get("held_out", {})
    print(json.dumps({"parameters": card.get("parameters"), "epochs": card["training"]["epochs"],
                      "minutes": card["training"]["minutes"], "cer": held.get("cer"),
                      "intent_accuracy": held.get("intent_accuracy")}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``train-audio`` entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m resolver train-audio",
                                     description="Train the audio model on the speech corpus.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
