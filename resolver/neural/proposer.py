"""The text proposer: an utterance -> scored intent and domain hypotheses.

It proposes; the grammar and the rules decide (see :mod:`resolver.fusion`). Serving uses
onnxruntime and numpy only: nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .encoder import SentenceEncoder
from .head import HEAD_FILE, Head

N_BEST = 5
"""Intents in a proposal."""
N_BEST_DOMAINS = 3
"""Domains in a proposal."""


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


AUDIO_WEIGHT = 0.75
"""Share of the audio model's scores in a spoken turn's proposal (:func:`heard_proposal`), the
rest the text proposer's on the transcript chosen.

On a voice the audio model never heard (`bench/proposal_weight.py`: flite's rms, 900
utterances with an intent label, of which the demo home's listener heard 341 exactly), the
proposal's best intent is the label for 76.7% of utterances with the text proposer alone on
the chosen transcript, 84.3% with the audio model alone, and 78.2 / 83.2 / 86.2% at a share
of 0.25 / 0.5 / 0.75; its mean negative log-likelihood of the label is lowest at 0.75 too
(0.54, against 1.41 and 0.58). Sure enough to be acted on alone (:data:`resolver.fusion.THRESHOLD`)
and wrong: 7.4% of utterances at 0.75, 21.6% with the text proposer alone. On the
transcripts heard exactly, the text alone is right on 97.1%, 0.75 on 96.8%. The audio
model hears what a misheard transcript lost ("lights turn is the lights are" was a request
to turn lights on); the words, where they were heard right, sharpen it."""


def heard_proposal(intents: Sequence[tuple[str, float]], domains: Sequence[tuple[str, float]],
                   text: Proposal | None, weight: float = AUDIO_WEIGHT) -> Proposal:
    """A spoken turn's proposal: the audio model's intent and domain n-best mixed, ``weight``
    to the rest, with the text proposer's on the transcript (when there is one)."""

    def mixed(audio: Sequence[tuple[str, float]], typed: Sequence[tuple[str, float]],
              keep: int) -> tuple[tuple[str, float], ...]:
        if not typed:
            return tuple(audio[:keep])
        scores = {name: weight * score for name, score in audio}
        for name, score in typed:
            scores[name] = scores.get(name, 0.0) + (1.0 - weight) * score
        return tuple(sorted(scores.items(), key=lambda pair: -pair[1])[:keep])

    return Proposal(mixed(intents, text.intents if text else (), N_BEST),
                    mixed(domains, text.domains if text else (), N_BEST_DOMAINS))


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
            best_d = row_d.argsort()[::-1][:N_BEST_DOMAINS]
            out.append(Proposal(
                tuple((self.head.intents[i], float(row_i[i])) for i in best_i),
                tuple((self.head.domains[i], float(row_d[i])) for i in best_d),
            ))
        return out
