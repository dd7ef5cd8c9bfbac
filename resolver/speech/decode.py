"""Words from the audio model's character CTC output, constrained to what a home's users say.

The audio model spells what it hears one character per 20 ms step. Its best path alone is
rarely an exact sentence ("turn of the kichen light"); the resolver needs words it can parse.
:class:`CtcDecoder` runs a CTC prefix beam search in which every word must be in the home's
vocabulary (a character trie) and every finished word is scored by a word trigram model; both
come from the sentences the home's grammar generates (:mod:`resolver.speech.sphinx` builds the
same grammar for pocketsphinx), so "don't", "the kitchen light" and "fifty percent" are
words and sequences it expects. The result is an n-best of transcripts with their acoustic
and language model scores.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import numpy as np

from ..home import Home
from ..language.tagger import Lexicon

START = "<s>"
END = "</s>"
NEG_INF = float("-inf")

BEAM = 48
"""Prefixes kept after every step. On a voice the model never heard (`bench/decoder_settings.py
--voice flite:rms`, 400 utterances) the top transcript is exact on 36.2% at 24, 37.2% at 32,
38.2% at 48 and 39.0% at 64, at 15, 17, 25 and 38 ms an utterance; 48 keeps a noisy turn
under 20 ms a second of audio."""
LM_WEIGHT = 0.6
"""Weight of the word model's log-probability against the acoustic log-probability."""
WORD_BONUS = 1.0
"""Added per word, offsetting the language model's cost of each word."""
CHAR_PRUNE = -9.0
"""Characters less likely than this (log-probability) at a step are not tried."""
MAX_CHARS = 8
"""At most this many characters, the likeliest, are tried at a step."""
BLANK_SKIP = -0.0005
"""A step whose blank log-probability is above this extends no prefix (only blanks them)."""
MARGIN = 14.0
"""Prefixes ranked this far below the best are dropped even when the beam has room."""
DISCOUNT = 0.7
"""Absolute discount of the trigram model."""
SENTENCES = 30_000
"""Sentences generated from a home's grammar to estimate its word model."""
GENERAL_FILE = Path(__file__).with_name("general_sentences.txt")
"""How people word smart-home requests beyond the grammar: SLURP's iot training sentences in
spoken form (``python -m resolver speech-sentences`` writes it; CC BY 4.0)."""
GENERAL_REPEAT = 3
"""Times each general sentence counts in the word model beside the home's sentences."""


_first = itemgetter(0)

_SLACK = 1e-6
"""Rounding allowed for when the beam search leaves out a prefix it could not keep."""


def _logaddexp(a: float, b: float) -> float:
    if a == NEG_INF:
        return b
    if b == NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


class WordModel:
    """A word trigram model with interpolated absolute discounting, from plain sentences."""

    def __init__(self, sentences: Iterable[str], discount: float = DISCOUNT) -> None:
        self.discount = discount
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        trigrams: Counter[tuple[str, str, str]] = Counter()
        for sentence in sentences:
            words = [START, START, *sentence.split(), END]
            if len(words) == 3:
                continue
            unigrams.update(words[2:])
            bigrams.update(itertools.pairwise(words[1:]))
            trigrams.update(zip(words, words[1:], words[2:]))
        self.vocabulary = frozenset(w for w in unigrams if w != END)
        total = sum(unigrams.values())
        size = len(unigrams) + 1
        self._unigram = {w: (c + 1) / (total + size) for w, c in unigrams.items()}
        self._unseen = 1 / (total + size)
        self._bigrams = bigrams
        self._trigrams = trigrams
        self._context1: Counter[str] = Counter()
        self._types1: Counter[str] = Counter()
        for (v, _), c in bigrams.items():
            self._context1[v] += c
            self._types1[v] += 1
        self._context2: Counter[tuple[str, str]] = Counter()
        self._types2: Counter[tuple[str, str]] = Counter()
        for (u, v, _), c in trigrams.items():
            self._context2[(u, v)] += c
            self._types2[(u, v)] += 1
        self.followers1: dict[str, list[str]] = {}
        """The words seen after each word."""
        for v, w in bigrams:
            self.followers1.setdefault(v, []).append(w)
        self.followers2: dict[tuple[str, str], list[str]] = {}
        """The words seen after each pair of words."""
        for u, v, w in trigrams:
            self.followers2.setdefault((u, v), []).append(w)
        self._cache: dict[tuple[str, str, str], float] = {}

    def unigram(self, w: str) -> float:
        """P(w), add-one smoothed."""
        return self._unigram.get(w, self._unseen)

    def backoff1(self, v: str) -> float | None:
        """The weight P(w | v) gives P(w) for a w never seen after v (None: v never seen)."""
        seen = self._context1.get(v, 0)
        return self.discount * self._types1[v] / seen if seen else None

    def backoff2(self, u: str, v: str) -> float | None:
        """The weight P(w | u v) gives P(w | v) for a w never seen after u v."""
        seen = self._context2.get((u, v), 0)
        return self.discount * self._types2[(u, v)] / seen if seen else None

    def p2(self, v: str, w: str) -> float:
        """P(w | v)."""
        p = self.unigram(w)
        weight = self.backoff1(v)
        if weight is None:
            return p
        return (max(self._bigrams.get((v, w), 0) - self.discount, 0.0) / self._context1[v]
                + weight * p)

    def logp(self, u: str, v: str, w: str) -> float:
        """Natural log of P(w | u v)."""
        key = (u, v, w)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        p = self.p2(v, w)
        weight = self.backoff2(u, v)
        if weight is not None:
            p = (max(self._trigrams.get(key, 0) - self.discount, 0.0) / self._context2[(u, v)]
                 + weight * p)
        value = math.log(p)
        if len(self._cache) < 500_000:
            self._cache[key] = value
        return value

    def sentence_logp(self, text: str) -> float:
        """Natural log of P(sentence), end of sentence included."""
        u, v, total = START, START, 0.0
        for w in [*text.split(), END]:
            total += self.logp(u, v, w)
            u, v = v, w
        return total


class _Trie:
    """Characters of the vocabulary's words: ``children[node][char] -> node``."""

    def __init__(self, words: Iterable[str]) -> None:
        self.children: list[dict[str, int]] = [{}]
        self.word_at: list[str | None] = [None]
        self.below: list[list[str]] = [[]]
        """Every word spelled through each node, for the word model's look-ahead."""
        self.spelling: list[str] = [""]
        """The letters that lead to each node."""
        for word in sorted(words):
            node = 0
            for i, ch in enumerate(word):
                nxt = self.children[node].get(ch)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][ch] = nxt
                    self.children.append({})
                    self.word_at.append(None)
                    self.below.append([])
                    self.spelling.append(word[:i + 1])
                node = nxt
                self.below[node].append(word)
            self.word_at[node] = word
        self.words = frozenset(w for w in self.word_at if w is not None)


@dataclass(slots=True)
class _Prefix:
    words: tuple[str, ...]
    node: int
    """Trie node of the word being spelled (0: between words)."""
    last: int
    """Alphabet index of the last character emitted (-1 at the start)."""
    lm: float
    """Word model log-probability of the finished words."""
    bias: float = 0.0
    """What the beam adds to the prefix's acoustic score to rank it: the weighted word
    model (with the best case for the word being spelled) and the word bonus. It depends
    on the words and the node alone, so it is reckoned once, when the prefix is made."""
    blank: float = NEG_INF
    """log P(this prefix, path ending in a blank)."""
    char: float = NEG_INF
    """log P(this prefix, path ending in its last character)."""

    def total(self) -> float:
        return _logaddexp(self.blank, self.char)


@dataclass(frozen=True, slots=True)
class Decoded:
    """One transcript of the beam."""

    text: str
    """Words as spoken ("set it to fifty percent")."""
    score: float
    """Acoustic + weighted word model + word bonus: the beam's ranking."""
    acoustic: float
    """log P(text | audio) along the paths the beam kept."""
    lm: float
    """Word model log-probability."""


@dataclass(slots=True)
class CtcDecoder:
    """Prefix beam search over a CTC matrix with a lexicon and a word trigram model."""

    model: WordModel
    alphabet: tuple[str, ...]
    beam: int = BEAM
    lm_weight: float = LM_WEIGHT
    word_bonus: float = WORD_BONUS
    char_prune: float = CHAR_PRUNE
    max_chars: int = MAX_CHARS
    margin: float = MARGIN
    bound: bool = True
    """Leave out, unmade, the prefixes a step makes that could not stay in the beam
    (:meth:`_floor`): the same transcripts and scores, about a fifth less time."""
    _trie: _Trie = field(init=False)
    _space: int = field(init=False)
    _look: dict[tuple[str, str, int], float] = field(init=False)
    _look1: dict[tuple[str, int], float] = field(init=False)
    _followers: dict[tuple[str | None, str], dict[str, float]] = field(init=False)
    _best_unigram: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self._trie = _Trie(w for w in self.model.vocabulary if w and w != START)
        self._space = self.alphabet.index(" ")
        self._look = {}
        self._look1 = {}
        self._followers = {}
        unigram = self.model.unigram
        self._best_unigram = [max((unigram(w) for w in below), default=0.0)
                              for below in self._trie.below]

    @classmethod
    def from_sentences(cls, sentences: Iterable[str], alphabet: tuple[str, ...]
                       ) -> CtcDecoder:
        """A decoder whose vocabulary and word model come from ``sentences``."""
        return cls(WordModel(sentences), alphabet)

    def decode(self, logprobs: np.ndarray, nbest: int = 5) -> list[Decoded]:
        """The ``nbest`` best transcripts of a steps × alphabet log-prob matrix, best first."""
        logprobs = np.asarray(logprobs, dtype=np.float64)
        space, alphabet = self._space, self.alphabet
        children, word_at = self._trie.children, self._trie.word_at
        logaddexp = _logaddexp
        reach = self.margin + _SLACK if self.bound else math.inf
        lm_weight, word_bonus, look = self.lm_weight, self.word_bonus, self._look
        beams: dict[tuple[tuple[str, ...], int, int], _Prefix] = {
            ((), 0, -1): _Prefix((), 0, -1, 0.0, blank=0.0)}
        totals = [0.0]  # each prefix's, in the beam's order
        for row in logprobs:
            blank_lp = float(row[0])
            if blank_lp >= BLANK_SKIP:
                # Only a blank is likely: every prefix now ends in a blank, and since all of
                # them move by the same amount the beam keeps its members and their order.
                totals = [total + blank_lp for total in totals]
                for prefix, total in zip(beams.values(), totals):
                    prefix.blank = total
                    prefix.char = NEG_INF
                continue
            likely = np.nonzero(row[1:] > self.char_prune)[0] + 1
            if len(likely) > self.max_chars:
                likely = likely[np.argsort(row[likely])[-self.max_chars:]]
            candidates = [(c, float(row[c]), alphabet[c]) for c in likely.tolist()]
            # A new prefix ranked under the floor cannot stay (_floor); one made raises it,
            # as nothing more than the margin under that one stays either.
            floor = self._floor(beams, totals, blank_lp)
            nxt: dict[tuple[tuple[str, ...], int, int], _Prefix] = {}
            for (key, prefix), total in zip(beams.items(), totals):
                words, node, last = key
                # No prefix this one makes has a bias above its own, plus a word bonus
                # when it starts a word (see _floor).
                ceiling = prefix.bias + (word_bonus if node == 0 else 0.0)
                kids = children[node]
                # A blank: the prefix stays, now ending in a blank.
                same = nxt.get(key)
                if same is None:
                    same = nxt[key] = _Prefix(words, node, last, prefix.lm, prefix.bias,
                                              total + blank_lp)
                else:
                    same.blank = logaddexp(same.blank, total + blank_lp)
                for c, lp, letter in candidates:
                    if c == last:
                        # The same character again collapses into the prefix ...
                        same.char = logaddexp(same.char, prefix.char + lp)
                        # ... unless a blank separated them ("ll" in "hallway").
                        from_blank = prefix.blank + lp
                    else:
                        from_blank = total + lp
                    if from_blank == NEG_INF:
                        continue
                    if c == space:
                        if node == 0:  # a space between words is already there
                            same.char = logaddexp(same.char, from_blank)
                            continue
                        word = word_at[node]
                        if word is None:
                            continue
                        target_key = ((*words, word), 0, space)
                        top = prefix.bias
                    else:
                        child = kids.get(letter)
                        if child is None:
                            continue
                        target_key = (words, child, c)
                        top = ceiling
                    if from_blank + top < floor and target_key not in beams:
                        continue
                    target = nxt.get(target_key)
                    if target is not None:
                        target.char = logaddexp(target.char, from_blank)
                        continue
                    if c == space:
                        lm = prefix.lm + self._word_logp(words, word)
                        bias = self._bias(target_key, lm)
                    else:  # self._bias(target_key, lm), its look-ahead read here when known
                        lm = prefix.lm
                        ahead = look.get((words[-2] if len(words) > 1 else START,
                                          words[-1] if words else START, child))
                        if ahead is None:
                            ahead = self._ahead(words, child)
                        bias = lm_weight * (lm + ahead) + word_bonus * (len(words) + 1)
                    if from_blank + bias < floor and target_key not in beams:
                        continue
                    nxt[target_key] = _Prefix(*target_key, lm, bias, NEG_INF, from_blank)
                    floor = max(floor, from_blank + bias - reach)
            beams, totals = self._prune(nxt)
        return self._finish(beams.values(), nbest)

    def _floor(self, beams: dict[tuple[tuple[str, ...], int, int], _Prefix],
               totals: list[float], blank_lp: float) -> float:
        """A rank under which no prefix new to the beam at this step can stay in it.

        Every prefix of the beam stays at the step with a blank, at a rank at least its
        total plus ``blank_lp`` plus its bias. So when the beam is full, a new prefix ranked
        under the least of these is not among the :attr:`beam` best; nor is one more than
        :attr:`margin` under the best of them. A new prefix has a single source, the prefix
        it extends, and its rank is at most that prefix's total and character, plus its
        bias: its word model look-ahead only falls as its spelling grows or its word ends
        (a word's own probability is at most the best of the words spelled like it so far),
        and it counts one word more only when it starts a word. Such prefixes are not made:
        no transcript or score changes, and a fifth of the search's time is saved. The small
        slack keeps rounding from deciding."""
        if not beams or not self.bound:
            return NEG_INF
        lows = [total + blank_lp + p.bias for total, p in zip(totals, beams.values())]
        floor = max(lows) - self.margin
        if len(beams) >= self.beam:
            floor = max(floor, min(lows))
        return floor - _SLACK

    def _word_logp(self, words: tuple[str, ...], word: str) -> float:
        """The word model's log-probability of ``word`` after ``words``."""
        u = words[-1] if words else START
        t = words[-2] if len(words) > 1 else START
        return self.model.logp(t, u, word)

    def _bias(self, key: tuple[tuple[str, ...], int, int], lm: float) -> float:
        """What the beam adds to the acoustic score of the prefix ``key``, whose finished
        words have the word model log-probability ``lm``."""
        words, node, _ = key
        return (self.lm_weight * (lm + self._ahead(words, node))
                + self.word_bonus * (len(words) + (node != 0)))

    def _ahead(self, words: tuple[str, ...], node: int) -> float:
        """The word model's best case for the word being spelled after ``words`` (up to
        trie ``node``): the most likely word in the context that starts with the letters so
        far (0 between words). Without it a prefix pays for its words only when they end,
        and the right spelling of a word the model heard badly is pruned before it can be
        told apart."""
        if node == 0:
            return 0.0
        key = (words[-2] if len(words) > 1 else START, words[-1] if words else START, node)
        value = self._look.get(key)
        if value is None:
            value = math.log(self._best_below(*key))
            if len(self._look) < 500_000:
                self._look[key] = value
        return value

    def _best_below(self, t: str, u: str, node: int) -> float:
        """max P(w | t u) over the words w spelled through ``node``, exactly, without
        scoring every one of them: a word never seen after "t u" gets the same share of
        its P(w | u), so only the words seen there need their own score."""
        best = self._best_below1(u, node)
        weight = self.model.backoff2(t, u)
        if weight is None:
            return best
        return max(best * weight, self._first_follower(t, u, node))

    def _first_follower(self, t: str | None, u: str, node: int) -> float:
        """The probability of the likeliest word seen after "t u" (after "u" when ``t`` is
        None) that is spelled through ``node``; 0 when there is none."""
        return self._follower_prefixes(t, u).get(self._trie.spelling[node], 0.0)

    def _follower_prefixes(self, t: str | None, u: str) -> dict[str, float]:
        """For every spelling the vocabulary's words seen after "t u" (after "u" when ``t``
        is None) begin with, the probability of the likeliest of them there."""
        key = (t, u)
        best = self._followers.get(key)
        if best is None:
            model, words = self.model, self._trie.words
            if t is None:
                ranked = [(model.p2(u, w), w) for w in model.followers1.get(u, ())
                          if w in words]
            else:
                ranked = [(math.exp(model.logp(t, u, w)), w)
                          for w in model.followers2.get((t, u), ()) if w in words]
            ranked.sort(reverse=True)
            best = {}
            for p, w in ranked:  # likeliest first: the first to reach a spelling keeps it
                for end in range(1, len(w) + 1):
                    best.setdefault(w[:end], p)
            if len(self._followers) < 20_000:
                self._followers[key] = best
        return best

    def _best_below1(self, u: str, node: int) -> float:
        """max P(w | u) over the words spelled through ``node``, the same way."""
        key = (u, node)
        value = self._look1.get(key)
        if value is not None:
            return value
        weight = self.model.backoff1(u)
        value = self._best_unigram[node]
        if weight is not None:
            value = max(value * weight, self._first_follower(None, u, node))
        if len(self._look1) < 500_000:
            self._look1[key] = value
        return value

    def _prune(self, prefixes: dict[tuple[tuple[str, ...], int, int], _Prefix]
               ) -> tuple[dict[tuple[tuple[str, ...], int, int], _Prefix], list[float]]:
        """The :attr:`beam` best prefixes, none more than :attr:`margin` below the best,
        and their totals."""
        log1p, exp = math.log1p, math.exp
        ranked = []
        for key, p in prefixes.items():
            blank, char = p.blank, p.char  # logaddexp(blank, char), inline: it is hot
            if blank == NEG_INF:
                total = char
            elif char == NEG_INF:
                total = blank
            elif blank > char:
                total = blank + log1p(exp(char - blank))
            else:
                total = char + log1p(exp(blank - char))
            ranked.append((total + p.bias, total, key, p))
        ranked.sort(key=_first, reverse=True)
        kept = ranked[:self.beam]
        if kept:
            floor = kept[0][0] - self.margin
            kept = [item for item in kept if item[0] >= floor]
        return {key: p for _, _, key, p in kept}, [total for _, total, _, _ in kept]

    def _finish(self, prefixes: Iterable[_Prefix], nbest: int) -> list[Decoded]:
        merged: dict[str, Decoded] = {}
        for prefix in prefixes:
            words = prefix.words
            lm = prefix.lm
            if prefix.node != 0:
                word = self._trie.word_at[prefix.node]
                if word is None:
                    continue  # stopped inside a word
                lm += self._word_logp(words, word)
                words = (*words, word)
            if not words:
                continue
            lm += self._word_logp(words, END)
            acoustic = prefix.total()
            score = acoustic + self.lm_weight * lm + self.word_bonus * len(words)
            text = " ".join(words)
            old = merged.get(text)
            if old is None:
                merged[text] = Decoded(text, score, acoustic, lm)
            else:  # the same words ending in a space and not: one transcript
                joined = _logaddexp(old.acoustic, acoustic)
                merged[text] = Decoded(text, joined + self.lm_weight * lm
                                       + self.word_bonus * len(words), joined, lm)
        return sorted(merged.values(), key=lambda d: d.score, reverse=True)[:nbest]


class _AnyWord:
    """Every word can be spelled: the character model needs no pronunciation dictionary."""

    def known(self, word: str) -> bool:
        return True


_CACHE: OrderedDict[str, tuple[CtcDecoder, dict[str, str]]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHED_HOMES = 8
"""Home decoders kept in one process."""


def home_decoder(home: Home, lexicon: Lexicon, alphabet: tuple[str, ...],
                 phrases: Iterable[str] = ()) -> tuple[CtcDecoder, dict[str, str]]:
    """The decoder of ``home`` and how its spoken names are written ("speaker two" ->
    "speaker 2"); built from the home's grammar (with ``phrases``, what the rules in force
    take whole) once per process, home and rules."""
    from .sphinx import build_grammar, fingerprint

    phrases = tuple(phrases)
    key = hashlib.sha256((fingerprint(home, lexicon, phrases) + "".join(alphabet)).encode()
                         ).hexdigest()
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    grammar = build_grammar(home, lexicon, _AnyWord(), phrases)  # type: ignore[arg-type]
    allowed = set(alphabet[1:])
    sentences = grammar.sentences(SENTENCES) + general_sentences() * GENERAL_REPEAT
    sentences = [s for s in sentences if set(s) <= allowed]
    built = (CtcDecoder.from_sentences(sentences, alphabet), dict(grammar.spelled))
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > CACHED_HOMES:
            _CACHE.popitem(last=False)
    return built


def general_sentences(path: Path = GENERAL_FILE) -> list[str]:
    """The committed general sentences (empty when the file is missing)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def write_general_sentences(data_dir: str | Path | None = None,
                            path: Path = GENERAL_FILE) -> int:
    """Write SLURP's iot training sentences in spoken form to ``path``; returns how many."""
    from ..neural.sources import slurp_train_examples
    from ..neural.synth import spoken_form

    said = sorted({spoken_form(e.text) for e in slurp_train_examples(data_dir)} - {""})
    header = ("# SLURP iot training sentences (Bastianelli et al., EMNLP 2020; CC BY 4.0),\n"
              "# lower-case spoken form: the speech decoder's words beyond the grammar.\n"
              "# Rebuilt by: python -m resolver speech-sentences\n")
    path.write_text(header + "\n".join(said) + "\n", encoding="utf-8")
    return len(said)


__all__ = ["CtcDecoder", "Decoded", "WordModel", "general_sentences", "home_decoder",
           "write_general_sentences"]
