"""Serving the audio model with onnxruntime: samples → intent n-best and character log-probs.

No torch here: features come from :func:`resolver.neural.audio_model.log_mel` (numpy) and the
network from ``audio_model.onnx``, run on one thread.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from .audio_model import CARD_FILE, MODEL_FILE, AudioConfig, greedy_decode, log_mel


@dataclass(frozen=True, slots=True)
class AudioScores:
    """Everything the network says about one utterance."""

    intents: list[tuple[str, float]]
    """Intents with their probabilities, best first."""
    domains: list[tuple[str, float]]
    """Domains with their probabilities, best first."""
    logprobs: np.ndarray
    """CTC log-probabilities, steps × len(alphabet), blank in column 0."""


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max()
    e = np.exp(z)
    return e / e.sum()


@dataclass(frozen=True, slots=True)
class AudioModel:
    """The exported audio network and its config."""

    session: ort.InferenceSession
    config: AudioConfig
    card: dict[str, Any] = field(default_factory=dict)
    """The model card: recipe, corpus and measured held-out results."""

    @classmethod
    def load(cls, model: Path = MODEL_FILE, card: Path = CARD_FILE) -> AudioModel:
        """Load the committed model (single-threaded onnxruntime session)."""
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session = ort.InferenceSession(str(model), sess_options=options,
                                       providers=["CPUExecutionProvider"])
        data = json.loads(Path(card).read_text(encoding="utf-8"))
        return cls(session, AudioConfig.from_dict(data["config"]), data)

    @property
    def alphabet(self) -> tuple[str, ...]:
        """Columns of the log-prob matrix: blank first, then the characters."""
        return self.config.alphabet

    def scores(self, samples: np.ndarray) -> AudioScores:
        """Intent and domain distributions and CTC log-probs of 16 kHz mono samples in [-1, 1]."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if samples.size == 0:
            raise ValueError("no audio samples")
        features = log_mel(samples, self.config)[None]
        intent_logits, domain_logits, logprobs = self.session.run(None, {"features": features})
        intents = _softmax(intent_logits[0].astype(np.float64) / self.config.intent_temperature)
        domains = _softmax(domain_logits[0].astype(np.float64))
        return AudioScores(
            intents=sorted(zip(self.config.intents, intents.tolist(), strict=True),
                           key=lambda pair: -pair[1]),
            domains=sorted(zip(self.config.domains, domains.tolist(), strict=True),
                           key=lambda pair: -pair[1]),
            logprobs=logprobs[0],
        )

    def infer(self, samples: np.ndarray, n: int = 5
              ) -> tuple[list[tuple[str, float]], np.ndarray]:
        """The ``n`` best intents with probabilities and the steps × characters log-probs."""
        result = self.scores(samples)
        return result.intents[:n], result.logprobs

    def transcribe(self, samples: np.ndarray) -> str:
        """The greedy transcript of ``samples``."""
        return greedy_transcript(self.scores(samples).logprobs, self.alphabet)

    def ms_per_audio_second(self, seconds: float = 4.0, repeats: int = 5) -> float:
        """Median milliseconds of compute (features + network) per second of audio."""
        rng = np.random.default_rng(0)
        samples = (rng.standard_normal(int(seconds * self.config.sample_rate)) * 0.05).astype(
            np.float32)
        self.scores(samples)  # warm-up
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            self.scores(samples)
            timings.append(time.perf_counter() - start)
        return float(np.median(timings)) * 1000.0 / seconds


def greedy_transcript(logprobs: np.ndarray, alphabet: tuple[str, ...] | None = None) -> str:
    """Best-path transcript of a steps × characters log-prob matrix."""
    return greedy_decode(logprobs) if alphabet is None else greedy_decode(logprobs, alphabet)
