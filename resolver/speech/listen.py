"""Speech to a transcript the grammar can read: two speech paths, one choice.

The end-to-end audio model gives an intent n-best straight from the audio and a character
CTC output; pocketsphinx gives an n-best decoded against a language model of the home.
Candidate transcripts are the model's beam search n-best (words of the home, scored by a word
model of the home's grammar: :mod:`resolver.speech.decode`), its best path as it is and
snapped to known words (for sentences the grammar never foresaw), and, when the model is not
sure, pocketsphinx's n-best. Every candidate is scored alike: how well the model's CTC output
explains it and how likely the home's word model finds it (weighted by how accurate the CTC
head measured on held-out speech), whether the grammar reads it, and whether the intent it
reads agrees with the audio model's intent n-best. Then the symbolic layer has its say: the
best few the grammar reads are tried in the dialog as it stands, and those the rules ground in
the home (they do, ask or answer about something it has) gain. Where pocketsphinx ran and
heard otherwise than the best, its transcript and the best mix where they differ in a few
places, and pocketsphinx aligns the best few and its own to the audio: each acoustic model
then has a say on the other's words. The best becomes the text, unless the model heard too
little for speech or its own best fits its output too badly: noise makes words too, and
then nothing was heard.
"""

from __future__ import annotations

import difflib
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..language.parse import UtteranceParser, ill_formed
from ..neural.proposer import N_BEST, N_BEST_DOMAINS
from .audio import AudioError, AudioInput, level_spread, load_audio

PARSE_BONUS = 0.5
"""Added to a candidate the grammar reads without unknown words, less as much again for
each place no careful speaker says: where it reads only by the grammar's leniency ("lock the
it", "the lights downstairs the hallway": :func:`~resolver.language.parse.ill_formed`), such
a transcript ranks as if the grammar did not read it; words that contradict themselves
("start pause cleaner", which the rules refuse) rank below the others nothing reads.

On the voice the audio model never heard (`bench/fusion_weights.py --voice flite:rms --limit
900`, the fifth-stage model, pocketsphinx always run) the listener's exact choices go from 53.1
to 54.8% on `cache/speech32`, 53.7 to 54.1% on `cache/speech35` and 42.3 to 43.1% on
`cache/speech34`; 0.2 or 1 a place does no better, 0.75 within 0.3 points. On festival's unseen ked
(`bench/audio.py`, two seeds of the word models) clean right actions went from 90.6 to 92.1%
and from 88.5 to 89.9%: "turn off the lights downstairs but leave the hallway on" is no
longer heard as "... downstairs the hallway", which turned 9 lights off."""
SNAP_CUTOFF = 0.6
"""How alike (difflib's ratio) a heard word and a known word must be for one to replace the
other in the snapped transcript."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One transcript of the audio and its scores."""

    source: str
    """``model (beam)``, ``model``, ``model (lexicon)``, ``sphinx`` or ``mixed`` (the
    model's best and pocketsphinx's, each place they differ taken from one or the other:
    :func:`mixed`)."""
    text: str
    score: float
    ctc: float
    """The audio model's log-likelihood of the text, per character."""
    reads: bool
    """The grammar reads it without words the tagger does not know."""
    lm: float = 0.0
    """The home's word model log-probability of the text."""
    fit: float = 0.0
    """Acoustic and word model together, per character (the beam search's criterion)."""
    agreement: float = 0.0
    """The audio model's probability of the intent the grammar reads in the text."""
    also: tuple[str, ...] = ()
    """The other paths that heard the same text."""
    sphinx: float = 0.0
    """pocketsphinx's n-best probability of the text (0: pocketsphinx did not hear it)."""
    grounded: float | None = None
    """The share of its moves the rules ground in the home, tried in the dialog as it stands
    (None: not tried)."""
    later: bool = False
    """It says when to act ("... when I get home"), which the rules refuse to do now."""
    aligned: float | None = None
    """pocketsphinx's forced-alignment log score of the text less the best of the turn's
    transcripts it aligned, per second of audio (0 for the best; None: not aligned)."""
    ill_formed: int = 0
    """Places no careful speaker says: of a transcript the grammar reads, where it reads only
    by its leniency ("lock the it", "the lights downstairs the hallway":
    :func:`~resolver.language.parse.ill_formed`); of one it does not, words that contradict
    themselves ("start pause cleaner", 1). The proposer reads the rest of such a transcript
    loosely, so its other places do not count."""


@dataclass(slots=True)
class Heard:
    """What the speech paths heard."""

    text: str
    chosen: Candidate | None
    candidates: list[Candidate] = field(default_factory=list)
    intents: list[tuple[str, float]] = field(default_factory=list)
    """The audio model's intent n-best."""
    domains: list[tuple[str, float]] = field(default_factory=list)
    """The audio model's domain n-best."""
    ms: dict[str, float] = field(default_factory=dict)
    rate: float | None = None
    """Characters a second the audio model heard (:func:`speech_rate`); None without it."""
    unheard: str = ""
    """Why the best transcript was not taken as what was said (noise, not speech); empty when
    it was."""
    judged: Candidate | None = None
    """The transcript speech was told from noise by: the best before pocketsphinx's
    alignment, which may then prefer another (:meth:`Listener._cross_check`)."""
    spread: float = 0.0
    """How far the loud frames stand above the quiet ones, in dB (about the SNR plus 8 in
    noise; 35 or more in clean speech): :func:`~resolver.speech.audio.level_spread`."""

    def trace(self) -> dict[str, Any]:
        """The trace entry of a spoken turn."""
        return {
            "candidates": [{"source": c.source, "text": c.text, "score": round(c.score, 3),
                            "ctc": round(c.ctc, 3), "lm": round(c.lm, 3), "reads": c.reads,
                            **({"ill_formed": c.ill_formed} if c.ill_formed else {}),
                            **({"also": list(c.also)} if c.also else {}),
                            **({"sphinx": round(c.sphinx, 3)} if c.sphinx else {}),
                            **({"aligned": round(c.aligned, 2)}
                               if c.aligned is not None else {}),
                            **({"grounded": round(c.grounded, 3)}
                               if c.grounded is not None else {}),
                            **({"later": True} if c.later else {})}
                           for c in self.candidates],
            "chosen": {"source": self.chosen.source, "text": self.chosen.text}
            if self.chosen else None,
            **({"judged": self.judged.text}
               if self.judged and (self.chosen is None or self.judged.text != self.chosen.text)
               else {}),
            "intents": [{"intent": i, "score": round(s, 4)} for i, s in self.intents],
            "ms": {k: round(v, 2) for k, v in self.ms.items()},
            "spread_db": round(self.spread, 1),
            **({"characters_per_second": round(self.rate, 2)} if self.rate is not None
               else {}),
            **({"unheard": self.unheard} if self.unheard else {}),
        }


def ctc_log_likelihood(logprobs: np.ndarray, labels: list[int], blank: int = 0) -> float:
    """log P(labels | logprobs) under CTC (the forward algorithm, in the log domain)."""
    return ctc_log_likelihoods(logprobs, [labels], blank)[0]


def ctc_log_likelihoods(logprobs: np.ndarray, labels: list[list[int]], blank: int = 0
                        ) -> list[float]:
    """log P(labels | logprobs) under CTC for each of several label sequences, in one pass
    of the forward algorithm over all of them (the log domain; a turn's candidates are
    scored together)."""
    steps = logprobs.shape[0]
    if steps == 0 or not labels:
        return [float("-inf")] * len(labels)
    # Each sequence with a blank around every label, padded with states that never live.
    sizes = [2 * len(seq) + 1 for seq in labels]
    width = max(sizes)
    ext = np.full((len(labels), width), blank)
    for row, seq in enumerate(labels):
        ext[row, 1:sizes[row]:2] = seq
    alive = np.arange(width)[None, :] < np.array(sizes)[:, None]
    # A state may skip the blank before it when its label differs from the one two back.
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2]) & alive[:, 2:]
    emit = np.where(alive[None, :, :], logprobs[:, ext], -np.inf)  # steps × sequences × states
    alpha = np.full(ext.shape, -np.inf)
    alpha[:, 0] = emit[0, :, 0]
    if width > 1:
        alpha[:, 1] = emit[0, :, 1]
    # Added to the state two back: 0 where the skip is allowed, minus infinity where not.
    skip_cost = np.where(skip[:, 2:], 0.0, -np.inf)
    shifted = np.full(ext.shape, -np.inf)
    skipped = np.full(ext.shape, -np.inf)
    reached = np.empty(ext.shape)
    for t in range(1, steps):
        shifted[:, 1:] = alpha[:, :-1]
        np.add(alpha[:, :-2], skip_cost, out=skipped[:, 2:])
        np.logaddexp(alpha, shifted, out=reached)
        np.logaddexp(reached, skipped, out=reached)
        np.add(reached, emit[t], out=alpha)
    rows = np.arange(len(labels))
    last = np.array(sizes) - 1
    ends = np.where(last > 0, np.logaddexp(alpha[rows, last], alpha[rows, np.maximum(last - 1, 0)]),
                    alpha[rows, last])
    return [float(v) for v in ends]


AGREEMENT_WEIGHT = 0.25
"""Weight of the audio model's probability of the intent a candidate reads. The intent head
was overconfident (a probability near 0 or 1 for most turns) before its temperature was
fitted, so it is kept from overruling the transcript's fit. On the voice the model never
heard (`bench/fusion_weights.py --voice flite:rms`, 901 utterances, the intent temperature
fitted) the listener chooses right on 44.0% without the agreement, 46.8% at 0.25, 46.4% at
0.5 and 46.3% at 1 (sphinx prior 0.25, parse bonus 0.5)."""
SPHINX_PRIOR = 0.25
"""How much pocketsphinx's support of a transcript counts, times the distrust of the CTC head.

With :data:`PARSE_BONUS` set on a voice the audio model never heard (`bench/fusion_weights.py
--voice flite:rms`, 901 utterances, the model trained with `--hold-out-voice flite:rms`): the
listener's choice is right on 46.8% (some candidate on 54.6%), against 45.5% with the earlier
prior 0.5 and bonus 1. Checked again for the models trained on the 30,000-utterance corpora
(`--limit 900`): 44.3% with every setting of the grid within a point of the best (44.8%),
and for the committed one, with its wider flite intonation, 44.2% against a best of 44.8%
(CTC weight 0.65, sphinx prior 0.5): 5 utterances, so the weights stay. For the models
fine-tuned after it: at an unheard-voice error of 24.3% (CTC weight 0.514) they are the best
of the grid, 52.8% right (some candidate right on 63.8%); for the committed one, 23.9% (CTC
weight 0.523), 52.7% against a best of 52.8% (one utterance; some candidate on 63.0%)."""
NOISY_SPREAD = 25.0
"""Audio whose level spread (:func:`~resolver.speech.audio.level_spread`, about the SNR plus
8 dB) is under this is noisy, and pocketsphinx is not run on it: at 10 dB it gets a fifth of
festival ked's transcripts exact where the model gets half (`bench/audio.py`). On the voice
the model never heard (`bench/fusion_weights.py --voice flite:rms`, 901 utterances at 0-30
dB SNR and clean) not running it under 25 dB changed the right choices from 46.8% to 46.7%
and halved its runs (47% of turns)."""
HEARD_RATE = 4.0
"""Characters a second (:func:`speech_rate`) under which the audio holds no speech the model
heard. People say 10 to 20; see :data:`HEARD_FIT`."""
EDGES = 0.5
"""Seconds of a trimmed recording that hold no speech: the 0.15 s trimming keeps on each side
and a word's quiet onset and release. Over the whole recording, flite's "dim" and "up" said
alone came to 3.6 and 2.4 characters a second."""
HEARD_FIT = -2.5
"""CTC log-likelihood per character under which the chosen transcript is not what the audio
says: the turn is left unheard rather than acted on.

Noise makes words: asked for a transcript of a knock or a hum, the model gives one ("undo",
"turn it off", "no", "it", "dim"). `bench/speech_gate.py --corpus cache/gatecal` (450
synthetic noise clips, each right after "turn on the kitchen light": white, pink and brown
noise, hum, clicks, beeps, sweeps, music-like notes, rumble) finds 34.4% of them acted on
with the gates open (46.9% before words that name nothing, said alone, were refused) and 4.2%
with them (92.2% left unheard; clicks and beeps, short enough to pass for a word, are most of
the rest). Of the speech benchmark's 1,200 festival utterances (ked and kal, clean and at 20,
10 and 5 dB) none is left unheard, and of 600 training-voice utterances (espeak-ng and flite
at 0-30 dB SNR with reverb: `python -m resolver synth-audio --count 600 --seed 77 --engines
espeak-ng flite --out cache/gatecal`) 8, every one of them heard wrong ("huh" as "yes",
"both" as "no", "too loud" as "that"). Measured again after pocketsphinx's alignment of
what the paths disagree on (which changes what is heard, not how speech is told from
noise): 4.0% of the noise acted on (33.8% open), one festival ked utterance left unheard
(heard wrong), 7 training-voice utterances (all heard wrong). Fifteen single words ("yes",
"no", "dim", "up", "go", "off", "stop", ...) said alone by five festival and flite voices:
those heard right fit at -2.15 or better and come to 8.9 characters a second or more. At -3
the noise acted on is 8.0%, at -2 1.8% but four festival utterances are lost; a rate gate
of 5 or 6 rather than 4 acts on 3.8 or 3.3%, with one or two more training-voice
utterances (heard wrong) unheard."""
SURE_CTC = -0.5
"""The model's best transcript is sure enough to skip pocketsphinx when the grammar reads it
without its leniency (:func:`~resolver.language.parse.ill_formed`), the rules ground it, and
its CTC log-likelihood per character is at least this.

On the voice the audio model never heard (`bench/fusion_weights.py --voice flite:rms
--limit 900`, the fifth-stage model, CTC weight 0.604, leniency penalized), moving the gate
from -0.25 to -0.5 changes the listener's exact choices from 54.9 to 54.8% on
`cache/speech32` while pocketsphinx runs on 18% of the utterances instead of 27% (noisy ones
included, where it never runs); 53.9 to 53.9% (28 to 20%) on `cache/speech35`, 42.9 to
42.7% (33 to 26%) on `cache/speech34`. On the benchmark's festival voices (`bench/audio.py`)
the unseen ked keeps 92.1% of the text path's right actions on clean speech, a clean ked turn
costs 35.9 ms a second of audio instead of about 42, and all four conditions 20.0 instead of
22.9; the shared kal voice loses one clean dialog turn ("but not" heard as "put on"). Before
the leniency was judged, -0.5 had lost 4 clean ked turns there (one "lock the front door"
heard as "unlock") and won 1: a lenient reading is no longer taken as sure."""


GROUNDED_BONUS = 0.2
"""Added, times the share of its moves grounded, to a transcript the grammar reads and the
rules then ground in the home: it does, asks or answers about something the home has ("turn
on the kitchen, no, the bedroom light"), where another reading names a device the kitchen
lacks ("turn on the kitchen on the bedroom light").

On the voice the audio model never heard (flite:rms, the 900 utterances of
`bench/fusion_weights.py --corpus cache/speech32 --voice flite:rms --limit 900`, each tried in
a fresh dialog of the demo home), for the 623 whose words the demo home grounds: 57.6% chosen
right without the bonus, 57.9 at 0.1, and 58.4 from 0.2 to 1. On all 900, 277 of which are
about devices the demo home lacks (the corpus speaks of generated homes): 52.9%, 52.3 at 0.1,
51.8 at 0.2, 51.2 at 0.3. The smallest value that reaches the plateau is taken: the bonus
helps where people speak of their own home, and a command about something the home lacks
can be pulled towards something it has, so it stays small against the parse bonus and the
audio's fit."""
GROUNDING_TRIES = 4
"""How many of the best candidates are tried in the dialog when the best is not grounded."""
MIXED_PLACES = 3
"""At most this many places where the model's best transcript and pocketsphinx's differ for
their mixtures to be candidates (:func:`mixed`: 2 ** places - 2 of them). On flite's rms
(`bench/alignment.py`) the mixtures took exact choices from 47.7 to 48.4% without the
alignment and from 48.7 to 49.4% with it; on festival's ked they changed no action. Taking
as many words against as many word by word, each a place, left rms at 49.1% (48.2% without
the alignment, 48.1 before)."""
ALIGN_WEIGHT = 20.0
"""Weight of pocketsphinx's forced alignment of a transcript (:attr:`Candidate.aligned`, its
log score less the best aligned, per second of audio). When pocketsphinx ran and its best
transcript is not the listener's best, the two acoustic models disagree, and each has only
scored its own: pocketsphinx then aligns the best :data:`ALIGNED` candidates and its own
best, and those it finds worse lose ground (the others count as the worst it aligned).

On the voice the audio model never heard
(`bench/alignment.py --corpus cache/rmscal --voice flite:rms`, 593 utterances, pocketsphinx
run and disagreeing on 144) exact choices go from 48.1 to 49.1% (9 more right, 3 fewer); 5
and 10 give 48.6, 40 49.1%. On festival's unseen ked voice (`bench/audio.py`, two seeds of
the word models) clean right actions went from 90.6 and 92.1% of the text path's to 94.2%
both: "turn off all the lights except the kitchen", heard "... in the kitchen" by the
network, and "i need some more lights", heard "i need the door light", are now heard as
said."""
ALIGNED = 3
"""How many of the best candidates pocketsphinx aligns, beside its own best."""
ALIGN_FLOOR = -0.5
"""The least :attr:`Candidate.aligned` can be: what a transcript pocketsphinx cannot fit to
the audio at all counts (on the calibration voice, alignments that fit fell short of the
best by 0.21 a second at most, 0.02 at the median)."""
ALIGN_REACH = 1.0
"""Candidates whose score is further than this below the best are not aligned: an alignment
costs pocketsphinx about 8 ms a second of audio, and one further behind wins only where the
best falls short by more than 0.05 a second (times :data:`ALIGN_WEIGHT`, 1), which a tenth
to a fifth of the shortfalls on the calibration voice do. There 0.5 halves the alignments
for 48.7% exact choices against 49.1, and on festival's ked (with every frame decoded) it
lost "turn off all the lights except the kitchen" and one SLURP sentence."""


def fusion_score(fit: float, reads: bool, agreement: float, sphinx: float, ctc_weight: float,
                 weights: tuple[float, float, float] | None = None, grounded: float = 0.0,
                 grounded_bonus: float | None = None, ill_formed: int = 0,
                 aligned: float = 0.0, align_weight: float | None = None) -> float:
    """A candidate's score: the CTC head's fit (as far as it is trusted), the parse bonus
    less as much again for each place it reads only by the grammar's leniency, the intent
    agreement, pocketsphinx's support (its n-best probability of the text, 0 when
    it did not hear it) times a prior that grows with the distrust of the CTC head, and the
    share of its moves the rules ground in the home, and how far pocketsphinx's alignment
    of it falls short of the best it aligned (``aligned``, at most 0).
    ``weights`` (sphinx prior, parse bonus, agreement weight) replace :data:`SPHINX_PRIOR`,
    :data:`PARSE_BONUS` and :data:`AGREEMENT_WEIGHT`; ``grounded_bonus`` replaces
    :data:`GROUNDED_BONUS`, ``align_weight`` :data:`ALIGN_WEIGHT`."""
    prior, bonus, agree = weights or (SPHINX_PRIOR, PARSE_BONUS, AGREEMENT_WEIGHT)
    ground = GROUNDED_BONUS if grounded_bonus is None else grounded_bonus
    align = ALIGN_WEIGHT if align_weight is None else align_weight
    return (ctc_weight * fit + bonus * ((1 if reads else 0) - ill_formed) + agree * agreement
            + prior * (1.0 - ctc_weight) * sphinx + ground * grounded + align * aligned)


def sure_enough(best: Candidate, ctc_weight: float, threshold: float | None = None) -> bool:
    """The model's best transcript needs no pocketsphinx: the model is trusted, the grammar
    reads the transcript without its leniency, and its CTC fit per character reaches ``threshold`` (by default
    :data:`SURE_CTC`)."""
    if ctc_weight < 0.5:
        return False
    return (best.reads and not best.ill_formed
            and best.ctc >= (SURE_CTC if threshold is None else threshold))


def ctc_weight(cer: float | None) -> float:
    """How far to trust the model's CTC head, from its measured held-out character error
    rate (its model card): 1 for a perfect head, 0 for one wrong half the time or worse."""
    if cer is None:
        return 0.5
    return float(min(max(1.0 - 2.0 * cer, 0.0), 1.0))


def _card_cer(model: Any) -> float | None:
    """The model card's character error rate on a voice training never heard, if it kept one
    out (a new speaker is who the listener serves), else on its held-out sentences."""
    card = getattr(model, "card", None) or {}
    for scores in (card.get("held_out_voice"), card.get("held_out")):
        try:
            return float(scores["cer"])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def spoken_text(text: str) -> str:
    """A transcript in the CTC alphabet as it is said: digits as number words ("set it to 50"
    -> "set it to fifty"), lower case, other symbols as spaces
    (:func:`~resolver.speech.sphinx.said_words`)."""
    from .sphinx import said_words

    return " ".join(said_words(text))


class Listener:
    """Turns audio into the transcript the rest of the resolver works on.

    ``sphinx_always`` runs pocketsphinx on every turn (for comparisons); by default it runs
    only when the audio model is not sure of its best transcript. ``cross_check`` False
    leaves out pocketsphinx's alignment of the transcripts the paths disagree on (for
    comparisons). ``phrases`` are what the
    rules in force take whole (``said "movie time"``): the word model expects them, and a
    transcript that says one reads as the grammar's do.
    """

    def __init__(self, parser: UtteranceParser, model: Any | None, sphinx: Any | None,
                 sphinx_always: bool = False, phrases: tuple[str, ...] = (),
                 cross_check: bool = True) -> None:
        if model is None and sphinx is None:
            raise ValueError("a listener needs the audio model or pocketsphinx")
        self.parser = parser
        self.model = model
        self.sphinx = sphinx
        self.sphinx_always = sphinx_always
        self.cross_check = cross_check
        self.phrases = phrases
        self.ctc_weight = ctc_weight(_card_cer(model)) if model is not None else 0.0
        self.decoder = None
        self.spelled: dict[str, str] = {}
        if model is not None:
            from .decode import home_decoder

            self.decoder, self.spelled = home_decoder(parser.home, parser.lexicon,
                                                      model.alphabet, phrases)
        tagger = parser.tagger
        known = {w for phrase in tagger.table for w in phrase.split() if w.isalpha()}
        if self.decoder is not None:
            known |= {w for w in self.decoder.model.vocabulary if w.isalpha()}
        self.words = sorted(known)
        self._known = known
        self._closest = _Closest(self.words, SNAP_CUTOFF)

    def adjusted(self, *, sphinx_always: bool | None = None,
                 cross_check: bool | None = None) -> Listener:
        """A listener with the same speech paths and phrases and the settings given changed
        (for comparing settings on the same audio)."""
        return Listener(self.parser, self.model, self.sphinx,
                        sphinx_always=self.sphinx_always if sphinx_always is None
                        else sphinx_always,
                        phrases=self.phrases,
                        cross_check=self.cross_check if cross_check is None else cross_check)

    def listen(self, audio: AudioInput | np.ndarray,
               grounding: Callable[[str], float] | None = None) -> Heard:
        """Transcribe ``audio``; raises AudioError for unusable audio.

        ``grounding`` gives the share of a transcript's moves the rules ground in the home
        (tried in the dialog as it stands): transcripts the grammar reads are then preferred
        as far as they come to something, and the model's best is sure enough to skip
        pocketsphinx only when it is grounded.
        """
        samples = load_audio(audio)
        seconds = samples.size / 16000
        heard = Heard(text="", chosen=None, ms={"audio_seconds": seconds},
                      spread=level_spread(samples))
        logprobs: np.ndarray | None = None
        raw: list[tuple[str, str]] = []
        if self.model is not None:
            from ..neural.audio_model import greedy_decode
            from .sphinx import normalize

            start = time.perf_counter()
            scores = self.model.scores(samples)
            logprobs = scores.logprobs
            heard.ms["model"] = (time.perf_counter() - start) * 1000
            heard.intents = scores.intents[:N_BEST]
            heard.domains = scores.domains[:N_BEST_DOMAINS]
            start = time.perf_counter()
            if self.decoder is not None:
                raw += [("model (beam)", normalize(d.text, self.spelled))
                        for d in self.decoder.decode(logprobs, nbest=4)]
            greedy = greedy_decode(logprobs)
            if greedy:
                raw.append(("model", greedy))
                snapped = self._snap(greedy)
                if snapped != greedy:
                    raw.append(("model (lexicon)", snapped))
            heard.ms["decode"] = (time.perf_counter() - start) * 1000
        def add(candidates: list[tuple[str, str]], sphinx: list[float] | None = None) -> None:
            candidates = [(source, " ".join(text.split())) for source, text in candidates]
            heard_before = {c.text for c in heard.candidates}
            acoustic = self._acoustic(logprobs, [text for _, text in candidates
                                                 if text and text not in heard_before])
            for n, (source, text) in enumerate(candidates):
                if not text:
                    continue
                support = sphinx[n] if sphinx else 0.0
                same = next((i for i, c in enumerate(heard.candidates) if c.text == text), None)
                if same is None:
                    heard.candidates.append(self._score(source, text, logprobs, heard.intents,
                                                        support, acoustic.get(text)))
                    continue
                known = heard.candidates[same]
                if source != known.source and source not in known.also:
                    known = replace(known, also=(*known.also, source))
                if support > known.sphinx:
                    known = self._rescored(replace(known, sphinx=support))
                heard.candidates[same] = known
            heard.candidates.sort(key=lambda c: c.score, reverse=True)

        add(raw)
        ground = _Grounding(grounding)
        if self._needs_sphinx(heard, ground):
            start = time.perf_counter()
            try:
                hypotheses = self.sphinx.recognize(samples)
            except AudioError:
                hypotheses = []
            heard.ms["sphinx"] = (time.perf_counter() - start) * 1000
            best = heard.candidates[0].text if heard.candidates else ""
            add([("sphinx", h.text) for h in hypotheses[:3]],
                [h.score for h in hypotheses[:3]])
            if best and hypotheses:
                add([("mixed", text) for text in mixed(best, hypotheses[0].text)])
        if grounding is not None:
            start = time.perf_counter()
            self._ground(heard, ground)
            heard.ms["grounding"] = (time.perf_counter() - start) * 1000
        # Whether speech was heard is the audio model's call, on its own ranking: a
        # transcript pocketsphinx's alignment then prefers may fit the model's output badly.
        heard.judged = _for_later_first(heard.candidates) if heard.candidates else None
        if "sphinx" in heard.ms and self.cross_check:
            start = time.perf_counter()
            self._cross_check(heard, samples)
            heard.ms["alignment"] = (time.perf_counter() - start) * 1000
        if heard.candidates:
            chosen = _for_later_first(heard.candidates)
            if logprobs is not None:  # pocketsphinx alone is not judged
                heard.rate = speech_rate(logprobs, seconds)
                heard.unheard = unheard(heard.judged or chosen, heard.rate)
            if not heard.unheard:
                heard.chosen, heard.text = chosen, chosen.text
        return heard

    def _needs_sphinx(self, heard: Heard, ground: _Grounding) -> bool:
        """Whether pocketsphinx is to run: always when asked or when it is the only path;
        never in noise, where it does far worse than the model; else when the model is not
        sure."""
        if self.sphinx is None:
            return False
        if self.sphinx_always or self.model is None:
            return True
        return heard.spread >= NOISY_SPREAD and not self._sure(heard, ground)

    def _sure(self, heard: Heard, ground: _Grounding) -> bool:
        """The model's best transcript is good enough without pocketsphinx (and, when the
        dialog can be tried, the rules ground all of it)."""
        if not heard.candidates or not sure_enough(heard.candidates[0], self.ctc_weight):
            return False
        return ground.share(heard.candidates[0].text) in (None, 1.0)

    def _ground(self, heard: Heard, ground: _Grounding) -> None:
        """Rescore the best candidates the grammar reads by how much of them the rules
        ground, and rank again. When the best is grounded throughout, the others could at
        most draw level, so only it is tried."""
        if not heard.candidates:
            return
        best = heard.candidates[0]
        whole = best.reads and ground.share(best.text) == 1.0
        tries = 1 if whole else GROUNDING_TRIES
        for index, candidate in enumerate(heard.candidates[:tries]):
            if candidate.reads:
                heard.candidates[index] = self._rescored(
                    replace(candidate, grounded=ground.share(candidate.text)))
        heard.candidates.sort(key=lambda c: c.score, reverse=True)

    def _cross_check(self, heard: Heard, samples: np.ndarray) -> None:
        """When pocketsphinx's best transcript is not the best candidate, let pocketsphinx
        align the best few and its own (:func:`alignment_pool`), and rank again with how
        well each fits its acoustic model (:data:`ALIGN_WEIGHT`)."""
        pool = alignment_pool(heard.candidates)
        if not pool or self.sphinx is None:
            return
        try:
            scores = self.sphinx.align(samples, [c.text for c in pool])
        except AudioError:
            return
        shortfall = shortfalls(pool, scores, samples.size / 16000)
        if shortfall is not None:
            heard.candidates = self.realigned(heard.candidates, shortfall)

    def realigned(self, candidates: list[Candidate], shortfall: dict[str, float],
                  weight: float | None = None) -> list[Candidate]:
        """``candidates`` ranked again with pocketsphinx's alignments (:func:`shortfalls`,
        by text; ``weight`` replaces :data:`ALIGN_WEIGHT`): those it did not align count as
        the worst it did."""
        weight = ALIGN_WEIGHT if weight is None else weight
        floor = min(shortfall.values())
        return sorted(
            (self._rescored(replace(c, aligned=shortfall[c.text]), weight)
             if c.text in shortfall else replace(c, score=c.score + weight * floor)
             for c in candidates),
            key=lambda c: c.score, reverse=True)

    def _snap(self, text: str) -> str:
        """Unknown words replaced by the closest words the resolver knows."""
        out = []
        for word in text.split():
            if word in self._known or len(word) < 3:
                out.append(word)
                continue
            out.append(self._closest(word) or word)
        return " ".join(out)

    def _rescored(self, candidate: Candidate, align_weight: float | None = None
                  ) -> Candidate:
        """``candidate`` with its fusion score computed from its other scores
        (``align_weight`` replaces :data:`ALIGN_WEIGHT`)."""
        return replace(candidate, score=fusion_score(
            candidate.fit, candidate.reads, candidate.agreement, candidate.sphinx,
            self.ctc_weight, grounded=candidate.grounded or 0.0,
            ill_formed=candidate.ill_formed, aligned=candidate.aligned or 0.0,
            align_weight=align_weight))

    @staticmethod
    def _acoustic(logprobs: np.ndarray | None, texts: list[str]) -> dict[str, float]:
        """The CTC log-likelihood of each text, all in one pass; empty without the model."""
        if logprobs is None or not texts:
            return {}
        from ..neural.audio_model import encode_transcript

        texts = list(dict.fromkeys(texts))
        scores = ctc_log_likelihoods(logprobs, [encode_transcript(spoken_text(t))
                                                for t in texts])
        return dict(zip(texts, scores, strict=True))

    def _score(self, source: str, text: str, logprobs: np.ndarray | None,
               intents: list[tuple[str, float]], sphinx: float = 0.0,
               acoustic: float | None = None) -> Candidate:
        """A candidate and its scores; ``acoustic``, its CTC log-likelihood when already
        reckoned."""
        parsed = self.parser.parse(text)
        # A word the tagger knows but read as a plain word in its place ("back" in "the back
        # one") is no unknown word.
        known = self.parser.tagger.table
        reads = parsed.utterance is not None and not any(
            t.kind == "WORD" and t.text not in known for t in parsed.tags) \
            or parsed.content in self.phrases
        ctc = lm = 0.0
        spoken = spoken_text(text)
        if logprobs is not None:
            from ..neural.audio_model import encode_transcript

            labels = encode_transcript(spoken)
            if acoustic is None:
                acoustic = ctc_log_likelihood(logprobs, labels)
            ctc = acoustic / max(len(labels), 1)
        acoustic = acoustic or 0.0
        if self.decoder is not None:
            lm = self.decoder.model.sentence_logp(spoken)
        agreement = 0.0
        if reads and intents and parsed.utterance is not None:
            from ..neural.data import move_intent

            named = next((name for name in (move_intent(m, self.parser.home)
                                            for m in parsed.utterance.moves) if name), None)
            if named is not None:
                agreement = dict(intents).get(named, 0.0)
        fit = 0.0
        if self.decoder is not None and logprobs is not None:
            # The beam search's own criterion, per character so long and short compare.
            words = len(spoken.split())
            fit = (acoustic + self.decoder.lm_weight * lm
                   + self.decoder.word_bonus * words) / max(len(spoken), 1)
        else:
            fit = ctc
        later = any(t.kind == "LATER" for t in parsed.tags)
        return self._rescored(Candidate(source, text, 0.0, ctc, reads, lm, fit, agreement,
                                        sphinx=sphinx, later=later,
                                        ill_formed=ill_formed(parsed.tags) if reads
                                        else int(parsed.contradiction)))


def mixed(first: str, second: str, places: int | None = None) -> list[str]:
    """The transcripts that take each place where ``first`` and ``second`` differ (their words
    aligned by difflib) from one or the other, the two themselves left out; none when they
    differ in more than ``places`` (:data:`MIXED_PLACES`) places. Each path may hear one part
    of a sentence right: "turn off the lights in here" and "turn off lights if they are on"
    make "turn off the lights if they are on". Where as many words stand against as many,
    each is a place of its own: "all turn the left down" and "olly turn the lights don't"
    make "olly turn the lights down"."""
    places = MIXED_PLACES if places is None else places
    one, other = first.split(), second.split()
    steps: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=one, b=other,
                                                       autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:  # word for word: each word a place
            steps += [(tag, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1)]
        else:
            steps.append((tag, i1, i2, j1, j2))
    differ = [s for s in steps if s[0] != "equal"]
    if not differ or len(differ) > places:
        return []
    out: dict[str, None] = {}
    for picks in itertools.product((False, True), repeat=len(differ)):
        words: list[str] = []
        chosen = iter(picks)
        for tag, i1, i2, j1, j2 in steps:
            if tag == "equal":
                words += one[i1:i2]
            else:
                words += other[j1:j2] if next(chosen) else one[i1:i2]
        text = " ".join(words)
        if text and text not in (first, second):
            out.setdefault(text, None)
    return list(out)


def alignment_pool(candidates: list[Candidate], count: int | None = None,
                   reach: float | None = None) -> list[Candidate]:
    """The candidates pocketsphinx is to align, the best first and its own best last: the
    best ``count`` (:data:`ALIGNED`) and its own, those within ``reach`` (:data:`ALIGN_REACH`)
    of the best. Empty when pocketsphinx's best is the best already, or out of reach."""
    count = ALIGNED if count is None else count
    reach = ALIGN_REACH if reach is None else reach
    own = next((c for c in candidates if c.source == "sphinx" or "sphinx" in c.also), None)
    if own is None or own is candidates[0]:
        return []
    best = candidates[0].score
    pool = [c for c in candidates[:count] if c is not own and best - c.score <= reach]
    return [*pool, own] if best - own.score <= reach else []


def shortfalls(pool: list[Candidate], scores: list[float | None], seconds: float
               ) -> dict[str, float] | None:
    """How far each aligned transcript of ``pool`` falls short of the best aligned, per second
    of audio (:attr:`Candidate.aligned`), by text; ``scores`` are pocketsphinx's
    (:meth:`~resolver.speech.sphinx.SphinxRecognizer.align`). None, and nothing to go by,
    when the best candidate or pocketsphinx's own has a word it cannot say, or neither
    fits."""
    known = {c.text: score for c, score in zip(pool, scores, strict=True) if score is not None}
    if pool[0].text not in known or pool[-1].text not in known:
        return None
    top = max(known.values())
    if top == -math.inf:
        return None
    return {text: max((score - top) / max(seconds, 0.1), ALIGN_FLOOR)
            for text, score in known.items()}


def speech_rate(logprobs: np.ndarray, seconds: float) -> float:
    """Characters a second the audio model heard: its expected count of non-blank outputs
    over the length of the audio less :data:`EDGES`, so that a word said alone ("dim", in
    half a second) is as dense as a sentence."""
    return float((1.0 - np.exp(logprobs[:, 0])).sum()) / max(seconds - EDGES, 0.1)


def unheard(chosen: Candidate, rate: float) -> str:
    """Why ``chosen`` is not to be taken as what the audio says: the audio model heard too
    few characters a second (``rate``) for speech (:data:`HEARD_RATE`) or the transcript
    fits its output too badly (:data:`HEARD_FIT`); empty when it may be taken."""
    if rate < HEARD_RATE:
        return f"no speech heard: {rate:.1f} characters a second (under {HEARD_RATE:g})"
    if chosen.ctc < HEARD_FIT:
        return (f"no speech heard: the best transcript, {chosen.text!r}, fits the audio at "
                f"{chosen.ctc:.2f} a character (under {HEARD_FIT:g})")
    return ""


def _for_later_first(candidates: list[Candidate]) -> Candidate:
    """The best candidate, unless a path heard the command said for later and the best does
    not say when: then the best that does. Done now, a command meant for later ("unlock the
    front door when I get home") costs more than one refused that was meant now.

    On the voice the audio model never heard (`bench/fusion_weights.py --corpus
    cache/speech32 --voice flite:rms --limit 900`, its last table; 11 of the 900 said for
    later) exact choices stay at 51.4% with the rule; a time is chosen where none was said in
    5 of 889 utterances against 3 without it, the two new ones transcripts wrong either way.
    A score bonus for a time instead, from 0.5 to 100, chose the same. On festival's unseen
    ked, "turn on the tv socket when i arrive home" had been heard as "... on a home" and done
    at once; pocketsphinx's "... when i arrive home" is now chosen and refused."""
    best = candidates[0]
    if best.later:
        return best
    return next((c for c in candidates if c.later and c.reads), best)


CLOSEST_CACHED = 20_000
"""Heard words whose closest known word one listener remembers."""


class _Closest:
    """The known word most like a heard one, as :func:`difflib.get_close_matches` (n=1)
    finds it, but asking difflib only about the words that can reach the cutoff.

    difflib's ratio is at most its quick ratio, twice the letters two words share (counted
    with repeats) over their total length; that bound is computed for all the words of a
    length at once from their letter counts. Snapping the model's best path had cost a tenth
    of a spoken turn's compute.
    """

    def __init__(self, words: list[str], cutoff: float) -> None:
        self.cutoff = cutoff
        self._letters = {ch: i for i, ch in enumerate(sorted({ch for w in words for ch in w}))}
        self._by_length: dict[int, list[str]] = {}
        for word in words:
            self._by_length.setdefault(len(word), []).append(word)
        self._near: dict[int, tuple[list[str], np.ndarray, np.ndarray]] = {}
        self._found: dict[str, str | None] = {}
        """Words asked about before, and what was found (the same misspellings recur)."""

    def __call__(self, word: str) -> str | None:
        if word in self._found:
            return self._found[word]
        found = self._closest(word)
        if len(self._found) < CLOSEST_CACHED:
            self._found[word] = found
        return found

    def _closest(self, word: str) -> str | None:
        near, counts, lengths = self._near_in_length(len(word))
        if not near:
            return None
        mine = np.zeros(counts.shape[1] + 1, np.int16)  # the last column: letters no word has
        for ch in word:
            mine[self._letters.get(ch, -1)] += 1
        shared = np.minimum(counts, mine[:-1]).sum(axis=1)
        reach = 2.0 * shared / (lengths + len(word))
        hopeful = [near[i] for i in np.flatnonzero(reach >= self.cutoff)]
        close = difflib.get_close_matches(word, hopeful, n=1, cutoff=self.cutoff)
        return close[0] if close else None

    def _near_in_length(self, length: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The known words long or short enough to reach the cutoff with a word of
        ``length`` letters (a ratio is at most 2 min(a, b) / (a + b)), their letter counts
        and lengths."""
        found = self._near.get(length)
        if found is None:
            near = [w for size, words in self._by_length.items()
                    if 2 * min(size, length) / (size + length) >= self.cutoff for w in words]
            counts = np.zeros((len(near), len(self._letters)), np.int16)
            for row, w in enumerate(near):
                for ch in w:
                    counts[row, self._letters[ch]] += 1
            found = self._near[length] = (near, counts, np.array([len(w) for w in near]))
        return found


class _Grounding:
    """A turn's grounding of transcripts, each text tried once (None: no dialog to try)."""

    def __init__(self, grounding: Callable[[str], float] | None) -> None:
        self._grounding = grounding
        self._shares: dict[str, float] = {}

    def share(self, text: str) -> float | None:
        if self._grounding is None:
            return None
        if text not in self._shares:
            self._shares[text] = self._grounding(text)
        return self._shares[text]
