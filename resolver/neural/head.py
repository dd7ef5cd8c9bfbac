"""The proposer's trained head: sentence embedding -> intent and domain distributions.

A small multilayer perceptron (384 -> hidden -> two softmax heads) in plain numpy, so
that serving needs neither torch nor anything beyond numpy. Scores are calibrated by a
temperature per head, fitted on held-out sentences.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HEAD_FILE = Path(__file__).resolve().parent / "text_head.npz"
CARD_FILE = Path(__file__).resolve().parent / "text_head.json"


@dataclass(slots=True)
class Head:
    """Weights of the head and the label names of its outputs."""

    w1: np.ndarray
    b1: np.ndarray
    w_intent: np.ndarray
    b_intent: np.ndarray
    w_domain: np.ndarray
    b_domain: np.ndarray
    intents: tuple[str, ...]
    domains: tuple[str, ...]
    t_intent: float = 1.0
    """Calibration temperature of the intent head."""
    t_domain: float = 1.0

    def hidden(self, x: np.ndarray) -> np.ndarray:
        """The hidden layer's activations."""
        return np.maximum(x @ self.w1 + self.b1, 0.0)

    def logits(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated intent and domain logits."""
        h = self.hidden(x)
        return h @ self.w_intent + self.b_intent, h @ self.w_domain + self.b_domain

    def probabilities(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated intent and domain probabilities, one row per embedding."""
        intent, domain = self.logits(x)
        return softmax(intent / self.t_intent), softmax(domain / self.t_domain)

    def save(self, path: Path = HEAD_FILE) -> None:
        """Write the weights (float32) and labels to an ``.npz`` file."""
        np.savez_compressed(
            path,
            w1=self.w1.astype(np.float32), b1=self.b1.astype(np.float32),
            w_intent=self.w_intent.astype(np.float32), b_intent=self.b_intent.astype(np.float32),
            w_domain=self.w_domain.astype(np.float32), b_domain=self.b_domain.astype(np.float32),
            intents=np.array(self.intents), domains=np.array(self.domains),
            temperatures=np.array([self.t_intent, self.t_domain], np.float32),
        )

    @classmethod
    def load(cls, path: Path = HEAD_FILE) -> Head:
        """Read a head written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            temperatures = data["temperatures"]
            return cls(
                data["w1"], data["b1"], data["w_intent"], data["b_intent"], data["w_domain"],
                data["b_domain"], tuple(str(s) for s in data["intents"]),
                tuple(str(s) for s in data["domains"]), float(temperatures[0]),
                float(temperatures[1]),
            )


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def read_card(path: Path = CARD_FILE) -> dict[str, Any]:
    """The model card written next to the head by training."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
