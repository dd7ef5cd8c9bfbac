"""The text proposer: an utterance -> scored intent and domain hypotheses.

It proposes; the grammar and the rules decide (see :mod:`resolver.fusion`). Serving uses
onnxruntime and numpy only: nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .encoder import SentenceEncoder
from .head import HEAD_FILE, Head

N_BEST = 5


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposer's n-best for one utterance, best first."""

    intents: tuple[tuple[str, float], ...]
    domains: tuple[tuple[str, float], ...]

    @property
    def intent(self) -> str:
        """The most likely intent."""
        return self.intents[0][0]

    @property
    def score(self) -> float:
        """Its calibrated probability."""
        return self.intents[0][1]

    @property
    def domain(self) -> str:
        """The most likely domain."""
        return self.domains[0][0]

    def score_of(self, intent: str) -> float:
        """The probability of ``intent`` (0 when it is not in the n-best)."""
        return next((s for name, s in self.intents if name == intent), 0.0)

    def as_hypotheses(self) -> list[dict[str, object]]:
        """The n-best as CONTRACT §3's ``hypotheses``."""
        domain = self.domain
        return [{"intent": name, "score": round(score, 4), "domain": domain}
                for name, score in self.intents]


class TextProposer:
    """Proposes intents for text with the sentence encoder and the trained head."""

    def __init__(self, encoder: SentenceEncoder, head: Head) -> None:
        self.encoder = encoder
        self.head = head

    @classmethod
    def load(cls, head: Path = HEAD_FILE, threads: int = 1) -> TextProposer:
        """The packaged head on the pinned encoder; raises EncoderUnavailable if missing."""
        return cls(SentenceEncoder(threads=threads), Head.load(head))

    def propose(self, text: str) -> Proposal:
        """Scored hypotheses for one utterance."""
        return self.propose_batch([text])[0]

    def propose_batch(self, texts: list[str]) -> list[Proposal]:
        """Scored hypotheses for several utterances at once."""
        if not texts:
            return []
        p_intent, p_domain = self.head.probabilities(self.encoder.encode(texts))
        out = []
        for row_i, row_d in zip(p_intent, p_domain):
            best_i = row_i.argsort()[::-1][:N_BEST]
            best_d = row_d.argsort()[::-1][:3]
            out.append(Proposal(
                tuple((self.head.intents[i], float(row_i[i])) for i in best_i),
                tuple((self.head.domains[i], float(row_d[i])) for i in best_d),
            ))
        return out
