"""The audio model: its config, log-mel features in numpy, the output alphabet and the network.

Features are computed here in numpy, by the same function in training and in serving, so
inference needs no torch. The network (convolutional subsampling ×2 or ×4 in time, a bidirectional
GRU stack, an attention-pooled intent and domain head and a character CTC head) is built by
:func:`build_network`, which imports torch only when called.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .labels import DOMAINS, INTENTS

if TYPE_CHECKING:  # pragma: no cover
    import torch

MODEL_FILE = Path(__file__).with_name("audio_model.onnx")
"""The exported network, served by onnxruntime."""
CARD_FILE = Path(__file__).with_name("audio_model.json")
"""The model card: config, recipe, seed, corpus and measured results."""

BLANK = "<blank>"
"""The CTC blank symbol, always at index 0."""
ALPHABET: tuple[str, ...] = (BLANK, " ", "'", *"abcdefghijklmnopqrstuvwxyz")
"""The CTC head's outputs, in order: blank, space, apostrophe, then a–z."""
CHAR_INDEX: dict[str, int] = {ch: i for i, ch in enumerate(ALPHABET)}
"""Index of each non-blank character in :data:`ALPHABET`."""

SAMPLE_RATE = 16000


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """Everything needed to rebuild the features and the network; stored in the model card."""

    sample_rate: int = SAMPLE_RATE
    """Input sample rate in Hz."""
    n_mels: int = 80
    """Mel bands."""
    win_length: int = 400
    """Analysis window in samples (25 ms)."""
    hop_length: int = 160
    """Hop in samples (10 ms)."""
    n_fft: int = 512
    """FFT size."""
    f_min: float = 20.0
    """Lowest mel filter edge in Hz."""
    f_max: float = 7600.0
    """Highest mel filter edge in Hz."""
    log_floor: float = 1e-6
    """Added to mel power before the log."""
    conv_channels: int = 32
    """Channels of the two stride-2 convolutions."""
    time_stride: int = 2
    """Subsampling in time by the convolutions: 2 (20 ms steps) or 4 (40 ms steps). Character
    CTC needs a step per character and a blank between doubled letters, which fast speech
    (16 characters a second) comes close to at 40 ms; training leaves out utterances too fast
    for their steps. 40 ms steps cost less than half as much to train and to serve."""
    d_model: int = 224
    """Width fed to the recurrent stack."""
    rnn: str = "gru"
    """Recurrent cell: ``gru`` or ``lstm`` (which stalled for epochs on this corpus)."""
    gru_hidden: int = 224
    """Recurrent units per direction."""
    gru_layers: int = 2
    """Bidirectional recurrent layers."""
    utterance_norm: bool = True
    """Subtract each utterance's own mean per band before scaling (cepstral mean
    normalization): level and channel differences vanish before the network sees them."""
    dropout: float = 0.15
    """Dropout between blocks in training."""
    intent_temperature: float = 1.0
    """The intent logits are divided by it before the softmax. Training fits it on held-out
    speech (a voice it never heard, if one was kept out), so that the intent scores are
    calibrated probabilities rather than the near-certain ones a network trained to a tiny
    loss gives."""
    intents: tuple[str, ...] = INTENTS
    """Intent head's outputs, in order."""
    domains: tuple[str, ...] = DOMAINS
    """Domain head's outputs, in order."""
    alphabet: tuple[str, ...] = ALPHABET
    """CTC head's outputs, in order."""
    feature_mean: tuple[float, ...] = field(default_factory=tuple)
    """Per-band mean of the training features (applied inside the network)."""
    feature_std: tuple[float, ...] = field(default_factory=tuple)
    """Per-band standard deviation of the training features."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioConfig:
        """Rebuild from :meth:`to_dict` output (lists become tuples)."""
        names = set(cls.__dataclass_fields__)
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                  for k, v in data.items() if k in names}
        return cls(**values)

    @classmethod
    def from_card(cls, path: Path = CARD_FILE) -> AudioConfig:
        """The config recorded in a model card."""
        return cls.from_dict(json.loads(Path(path).read_text())["config"])


def _hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


@lru_cache(maxsize=4)
def _filters(sample_rate: int, n_fft: int, n_mels: int, f_min: float, f_max: float,
             win_length: int) -> tuple[np.ndarray, np.ndarray]:
    """The mel filterbank (bins × mels) and the analysis window, cached per config."""
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(f_min), _hz_to_mel(f_max), n_mels + 2))
    bank = np.zeros((len(bins), n_mels), dtype=np.float64)
    for m in range(n_mels):
        low, mid, high = edges[m], edges[m + 1], edges[m + 2]
        rising = (bins - low) / max(mid - low, 1e-9)
        falling = (high - bins) / max(high - mid, 1e-9)
        bank[:, m] = np.clip(np.minimum(rising, falling), 0.0, None)
    window = 0.5 - 0.5 * np.cos(2.0 * math.pi * np.arange(win_length) / win_length)
    return bank.astype(np.float32), window.astype(np.float32)


def frame_count(n_samples: int, config: AudioConfig = AudioConfig()) -> int:
    """Feature frames for a signal of ``n_samples`` (at least one)."""
    return 1 + max(n_samples - config.win_length, 0) // config.hop_length


def log_mel(samples: np.ndarray, config: AudioConfig = AudioConfig()) -> np.ndarray:
    """Log-mel features (frames × n_mels, float32) of mono samples in [-1, 1] at 16 kHz."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if len(x) < config.win_length:
        x = np.pad(x, (0, config.win_length - len(x)))
    n = frame_count(len(x), config)
    frames = np.lib.stride_tricks.sliding_window_view(x, config.win_length)[
        ::config.hop_length][:n]
    bank, window = _filters(config.sample_rate, config.n_fft, config.n_mels, config.f_min,
                            config.f_max, config.win_length)
    frames = frames - frames.mean(axis=1, keepdims=True)  # per-frame DC removal
    spectrum = np.fft.rfft(frames * window, n=config.n_fft, axis=1)
    power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
    return np.log(power @ bank + np.float32(config.log_floor)).astype(np.float32)


def subsampled_length(frames: int, stride: int = 2) -> int:
    """Encoder steps after the convolutions (kernel 3, padding 1) that subsample by ``stride``."""
    for _ in range(stride.bit_length() - 1):
        frames = (frames - 1) // 2 + 1
    return frames


_NOT_SPOKEN = re.compile(r"[^a-z' ]+")


def normalize_transcript(text: str) -> str:
    """The transcript in the CTC alphabet: lower case, other characters as spaces, one space."""
    text = _NOT_SPOKEN.sub(" ", text.lower().replace("-", " "))
    return " ".join(text.split())


def encode_transcript(text: str) -> list[int]:
    """Indices in :data:`ALPHABET` of a transcript's characters (normalized first)."""
    return [CHAR_INDEX[ch] for ch in normalize_transcript(text)]


def greedy_decode(logprobs: np.ndarray, alphabet: tuple[str, ...] = ALPHABET) -> str:
    """Best path decoding of a T × C log-probability matrix: collapse repeats, drop blanks."""
    best = np.asarray(logprobs).argmax(axis=-1)
    chars: list[str] = []
    previous = -1
    for index in best.tolist():
        if index != previous and index != 0:
            chars.append(alphabet[index])
        previous = index
    return " ".join("".join(chars).split())


def build_network(config: AudioConfig) -> torch.nn.Module:
    """The network for ``config`` (imports torch)."""
    import torch
    from torch import nn

    class AudioNet(nn.Module):
        """Log-mel frames → (intent logits, domain logits, CTC log-probs)."""

        def __init__(self, cfg: AudioConfig) -> None:
            super().__init__()
            self.config = cfg
            mean = cfg.feature_mean or (0.0,) * cfg.n_mels
            std = cfg.feature_std or (1.0,) * cfg.n_mels
            self.mean: torch.Tensor
            self.inv_std: torch.Tensor
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("inv_std", 1.0 / torch.tensor(std, dtype=torch.float32))
            if cfg.time_stride not in (2, 4):
                raise ValueError(f"time_stride must be 2 or 4, not {cfg.time_stride}")
            c = cfg.conv_channels
            second = (2, 2) if cfg.time_stride == 4 else (1, 2)
            self.conv = nn.Sequential(
                nn.Conv2d(1, c, 3, stride=2, padding=1), nn.ReLU(),
                nn.Conv2d(c, c, 3, stride=second, padding=1), nn.ReLU(),
            )
            freq = subsampled_length(cfg.n_mels, 4)
            self.project = nn.Linear(c * freq, cfg.d_model)
            # Default initialisation leaves the projection's output tiny (std ~0.07), which
            # stalls the recurrent stack for epochs; normalising it trains from the start.
            self.norm = nn.LayerNorm(cfg.d_model)
            self.dropout = nn.Dropout(cfg.dropout)
            cell = nn.LSTM if cfg.rnn == "lstm" else nn.GRU
            self.gru = cell(cfg.d_model, cfg.gru_hidden, num_layers=cfg.gru_layers,
                              batch_first=True, bidirectional=True,
                              dropout=cfg.dropout if cfg.gru_layers > 1 else 0.0)
            width = 2 * cfg.gru_hidden
            self.ctc = nn.Linear(width, len(cfg.alphabet))
            self.attention = nn.Linear(width, 1)
            self.pooled = nn.Sequential(nn.Linear(width, cfg.gru_hidden), nn.ReLU())
            self.intent = nn.Linear(cfg.gru_hidden, len(cfg.intents))
            self.domain = nn.Linear(cfg.gru_hidden, len(cfg.domains))

        def forward(self, features: torch.Tensor, lengths: torch.Tensor | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            """``features`` B × T × n_mels; ``lengths`` (frames) only for padded batches."""
            if self.config.utterance_norm:
                if lengths is None:
                    centre = features.mean(dim=1, keepdim=True)
                else:
                    valid = (torch.arange(features.shape[1], device=features.device)[None, :]
                             < lengths[:, None]).unsqueeze(-1).to(features.dtype)
                    centre = ((features * valid).sum(dim=1, keepdim=True)
                              / valid.sum(dim=1, keepdim=True).clamp(min=1.0))
                x = (features - centre) * self.inv_std
            else:
                x = (features - self.mean) * self.inv_std
            x = self.conv(x.unsqueeze(1))  # B × C × T/stride × F/4
            b, c, t, f = x.shape
            x = x.permute(0, 2, 1, 3).reshape(b, t, c * f)
            x = self.dropout(self.norm(self.project(x)))
            # Batches are bucketed by duration, so padding is short; packing would cost
            # twice the time on CPU, and the padded tail only precedes the backward pass.
            h, _ = self.gru(x)
            scores = self.attention(h).squeeze(-1)
            if lengths is not None:
                steps = _subsampled(lengths, self.config.time_stride)
                mask = torch.arange(t, device=h.device)[None, :] < steps[:, None]
                scores = scores.masked_fill(~mask, -1e4)
            h = self.dropout(h)
            weights = torch.softmax(scores, dim=1).unsqueeze(-1)
            pooled = self.pooled((weights * h).sum(dim=1))
            return (self.intent(pooled), self.domain(pooled),
                    torch.log_softmax(self.ctc(h), dim=-1))

    def _subsampled(lengths: torch.Tensor, stride: int) -> torch.Tensor:
        for _ in range(stride.bit_length() - 1):
            lengths = torch.div(lengths - 1, 2, rounding_mode="floor") + 1
        return lengths

    return AudioNet(config)


def count_parameters(network: torch.nn.Module) -> int:
    """Trainable parameters of a network."""
    return sum(p.numel() for p in network.parameters() if p.requires_grad)
