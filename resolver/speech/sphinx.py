"""The factored speech path: pocketsphinx decoding with a language model made for one home.

A JSGF grammar is generated from the project's lexicon (``grammars/lexicon.txt``; each word
class becomes a rule), the home's names, areas and floors, device nouns, colours and the
numbers 0-100 said as words, arranged in the sentence shapes people use with the resolver:
commands, negations, repairs, references, ellipsis, questions, undo, follow-ups, yes/no,
and times said for later (which the rules refuse, so they must be heard).

pocketsphinx cannot decode with that grammar directly: it inlines every rule reference when
it compiles JSGF, and the result (some 650,000 transitions for the demo home) takes seconds
per utterance. So the grammar generates sentences, every phrase of every word class among
them, and a trigram model estimated from those sentences is what the decoder searches:
fast, and lenient with shapes the grammar did not foresee. Decoding uses
pocketsphinx's shipped US English acoustic model and dictionary; the transcript is plain
lower-case words that :class:`resolver.Resolver` reads like text.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import itertools
import logging
import math
import os
import random
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..home import Home, spoken_forms
from ..language.parse import GRAMMAR_DIR
from ..language.tagger import Lexicon, spoken_times
from ..language.vocabulary import COLOR_TEMPS, COLORS, NOUNS, ONES, TENS, words_to_numbers
from .audio import SAMPLE_RATE, AudioInput, load_audio, to_pcm16

log = logging.getLogger(__name__)

NBEST = 5
"""Most distinct transcripts :meth:`SphinxRecognizer.recognize` returns."""
SENTENCES = 30_000
"""Sentences generated from a home's grammar to estimate its language model."""
SEED = 1234
"""Seed of the sentence generator: the same home always gets the same model."""
SCORE_SCALE = 30.0
"""Scale on the n-best's log scores before the softmax that makes :attr:`Hypothesis.score`.

pocketsphinx reports a path score ``p`` as ``1.0001 ** s`` for its integer log score ``s``;
the softmax is over ``30 * ln(p)``, which gives the best of a clean command's n-best a
score of about 0.5 to 0.8 on the recordings tried."""
DECODER_CONFIG: dict[str, Any] = {
    "loglevel": "FATAL",
    "fwdflat": False,
    "bestpath": False,
    "ds": 2,
}
"""Settings passed to ``pocketsphinx.Decoder`` beyond the shipped model's defaults.

The tree search alone (no flat-lexicon second pass, no best path over the lattice) costs
40% less here for the same exact transcripts on held-out speech (ked, clean: 77% either
way; 10 dB: 25% against 22%). Every other 10 ms frame (``ds`` 2) costs a quarter less again
(45 ms a second of audio against 60, an alignment 8 against 12): its transcripts alone are
a little worse (two fewer of 150 clean ked turns exact), but the listener's choice, which
the alignment of the transcripts the speech paths disagree on settles, is as good: 48.7%
exact on flite's rms either way (`bench/alignment.py`), and on festival's ked 93.5% of the
text path's right actions on both seeds of the word models against 94.2 and 93.5% with
every frame (before each utterance was heard afresh: :func:`_fresh_start`)."""
DISCOUNT = 0.2
"""Probability mass each context of the trigram model leaves to shorter contexts."""
DITHER = 1e-3
"""RMS of the noise floor added before decoding (-60 dB full scale)."""
CACHED_HOMES = 8
"""Home language models kept loaded in one process."""

_WORD = re.compile(r"^[a-z][a-z']*$")
_LETTERS = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY",
    "h": "EY CH", "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N",
    "o": "OW", "p": "P IY", "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW",
    "v": "V IY", "w": "D AH B AH L Y UW", "x": "EH K S", "y": "W AY", "z": "Z IY",
}
_PREFIXES = ("un", "re")
"""Short prefixes a made-up word may start with ("unpause")."""


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One transcript of the audio, with how much the decoder believes it."""

    text: str
    """Lower-case words, numbers as digits, ready for the text path."""
    score: float
    """Probability of this transcript among the n-best (they sum to 1)."""
    log_score: float = 0.0
    """Natural log of the path score pocketsphinx reports: higher is better, comparable
    only within one utterance."""


# -- pronunciations ---------------------------------------------------------------------


class Pronouncer:
    """Pronunciations from the decoder's dictionary, with a fallback for missing words.

    pocketsphinx ships no letter-to-sound model, so a word not in the dictionary is said as
    a compound of dictionary words ("sideboard" = "side" + "board", "unpause" = "un" +
    "pause") or, when it is short enough to be an acronym, letter by letter ("hdmi",
    "hvac"); otherwise it has none and the phrases with it are left out (and logged).
    """

    def __init__(self, decoder: Any) -> None:
        self.decoder = decoder
        self.added: dict[str, str] = {}

    def known(self, word: str) -> bool:
        """The word has a pronunciation, adding one from the fallback when it can."""
        if word in self.added or self.decoder.lookup_word(word) is not None:
            return True
        phones = self.fallback(word)
        if phones is None:
            return False
        # Searches made after this see the word; updating the live ones would be slow.
        self.decoder.add_word(word, phones, False)
        self.added[word] = phones
        return True

    def fallback(self, word: str) -> str | None:
        """Phones for a word the dictionary lacks, or None."""
        letters = word.replace("'", "")
        parts = self._compound(letters, 3)
        if parts is not None:
            return " ".join(self.decoder.lookup_word(p) for p in parts)
        if 2 <= len(letters) <= 4 or (len(letters) <= 6 and not set(letters) & set("aeiouy")):
            return " ".join(_LETTERS[c] for c in letters)  # an acronym: "hdmi", "hvac"
        return None

    def _compound(self, word: str, depth: int) -> list[str] | None:
        """``word`` as 2 or 3 dictionary words of 3 letters or more, longest head first."""
        if depth == 0:
            return None
        for cut in range(len(word) - 3, 1, -1):
            head, tail = word[:cut], word[cut:]
            if len(head) < 3 and head not in _PREFIXES:
                continue
            if self.decoder.lookup_word(head) is None:
                continue
            if self.decoder.lookup_word(tail) is not None:
                return [head, tail]
            rest = self._compound(tail, depth - 1)
            if rest is not None:
                return [head, *rest]
        return None


# -- the grammar ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomeGrammar:
    """The utterance grammar of one home, as rules and as JSGF."""

    rules: dict[str, tuple[str, ...]]
    """Rule name -> alternatives in JSGF syntax; the top rule is ``utterance``."""
    word_classes: frozenset[str]
    """Rules whose alternatives are plain phrases (the lexicon's classes, NAME, ...)."""
    skipped: tuple[str, ...] = ()
    """Phrases left out because a word in them has no pronunciation."""
    spelled: dict[str, str] = field(default_factory=dict)
    """How numbers inside names are said ("hdmi one") -> how the home writes them."""

    @property
    def words(self) -> frozenset[str]:
        """Every word the grammar can produce."""
        return frozenset(w for name in self.word_classes for phrase in self.rules[name]
                         for w in phrase.split())

    def jsgf(self) -> str:
        """The grammar as JSGF source, public rule ``<utterance>``."""
        lines = ["#JSGF V1.0;", "grammar resolver;", ""]
        for name, alternatives in self.rules.items():
            public = "public " if name == "utterance" else ""
            body = "\n    | ".join(alternatives)
            lines.append(f"{public}<{name}> =\n      {body};")
        return "\n".join(lines) + "\n"

    def sentences(self, count: int, seed: int = SEED) -> list[str]:
        """``count`` sentences of the grammar; over enough of them every phrase appears."""
        return _Generator(self, seed).sentences(count)


def number_words(value: int) -> str:
    """``value`` (0-999) said in words: 72 -> "seventy two"."""
    ones = {v: k for k, v in ONES.items() if k != "oh"}
    tens = {v: k for k, v in TENS.items()}
    if value < 20:
        return ones[value]
    if value < 100:
        ten, one = divmod(value, 10)
        return tens[ten * 10] + (f" {ones[one]}" if one else "")
    hundred, rest = divmod(value, 100)
    return f"{ones[hundred]} hundred" + (f" {number_words(rest)}" if rest else "")


def _spoken(name: str) -> str:
    """A normalized name with its digits said as words ("hdmi 1" -> "hdmi one")."""
    return " ".join(number_words(int(w)) if w.isdigit() and int(w) < 1000 else w
                    for w in name.split())


class _Rules:
    """Collects rules, leaving out phrases that cannot be said."""

    def __init__(self, pronouncer: Pronouncer) -> None:
        self.pronouncer = pronouncer
        self.rules: dict[str, list[str]] = {}
        self.classes: set[str] = set()
        self.skipped: list[str] = []

    def phrases(self, name: str, phrases: Iterable[str]) -> None:
        """Add ``phrases`` (plain words) as alternatives of the word-class rule ``name``."""
        out = self.rules.setdefault(name, [])
        self.classes.add(name)
        for text in phrases:
            words = text.split()
            if not words or not all(_WORD.match(w) for w in words):
                continue
            missing = [w for w in words if not self.pronouncer.known(w)]
            if missing:
                self.skipped.append(text)
                log.info("speech grammar: no pronunciation for %s; '%s' left out",
                         ", ".join(missing), text)
            elif text not in out:
                out.append(text)

    def shape(self, name: str, *alternatives: str) -> None:
        """Add a rule made of other rules; alternatives naming an empty rule are dropped."""
        kept = [a for a in alternatives if all(self.rules.get(r) for r in _refs(a))]
        self.rules.setdefault(name, []).extend(kept)

    def grammar(self, spelled: dict[str, str]) -> HomeGrammar:
        """The rules collected so far, as a grammar."""
        rules = {k: tuple(v) for k, v in self.rules.items() if v}
        return HomeGrammar(rules, frozenset(self.classes & set(rules)),
                           tuple(self.skipped), spelled)


def _refs(alternative: str) -> list[str]:
    return re.findall(r"<([A-Za-z_]+)>", alternative)


def build_grammar(home: Home, lexicon: Lexicon, pronouncer: Pronouncer,
                  phrases: Iterable[str] = ()) -> HomeGrammar:
    """The grammar of utterances about ``home``: word classes and sentence shapes, and the
    phrases the rules in force take whole (``said "movie time"``)."""
    g = _Rules(pronouncer)
    classes: dict[str, list[str]] = {}
    for text, kind in lexicon.classes.items():
        classes.setdefault(kind, []).append(text)
    # Contractions are single dictionary words, closer to how they are said, and usual.
    classes["NEG"] = ["don't", *classes.get("NEG", []), "please don't"]
    classes["WHAT"] = [*classes.get("WHAT", [])[:1], "what's", *classes.get("WHAT", [])[1:]]
    for kind, texts in classes.items():
        g.phrases(kind, texts)

    spelled: dict[str, str] = {}

    def said(names: Iterable[str]) -> list[str]:
        out = []
        for name in names:
            spoken = _spoken(name)
            if spoken != name:
                spelled[spoken] = name
            out.append(spoken)
        return out

    names: list[str] = []
    for entity in home.entities.values():
        names.extend(entity.spoken_names)
    for device in home.devices.values():
        names.extend(spoken_forms((device.name, *device.aliases)))
    g.phrases("NAME", said(names))
    g.phrases("AREA", said(n for a in home.areas for n in home.area_names(a)))
    g.phrases("FLOOR", said(n for f in home.floors for n in home.floor_names(f)))
    g.phrases("NOUN", sorted(NOUNS))
    g.phrases("COLOR", sorted(COLORS))
    g.phrases("COLOR_TEMP", sorted(COLOR_TEMPS))
    g.phrases("NUMBER", [number_words(n) for n in range(101)] + ["a hundred"])
    g.phrases("UNIT", ["percent", "per cent", "degrees", "degree"])
    g.phrases("SIDE", ["front", "back", "left", "right", "top", "bottom", "other", "big",
                       "small", "main", "middle"])
    g.phrases("ONOFF", ["on", "off"])
    g.phrases("LATER", spoken_times())
    g.phrases("IF", ["if", "unless", "only if"])
    g.phrases("SAID", said(sorted(set(phrases))))

    # Weights (/n/) say how often each shape is generated for the language model.

    # -- targets: "the kitchen light", "all the lights upstairs", "it", "the bedroom one"
    g.shape("place", "/4/ <DET> <AREA>", "/2/ <AREA>", "/1/ [<DET>] <FLOOR>",
            "/1/ <DET> <HOUSE>")
    g.shape("location", "/6/ <PREP> <place>", "/1/ <HERE>", "/1/ <EVERYWHERE>", "/1/ <FLOOR>")
    g.shape("thing",
            "/8/ <NAME>", "/3/ [<AREA> | <FLOOR>] <NOUN>", "/1/ <AREA> <ONE>",
            "/1/ <SIDE> (<ONE> | <NOUN> | <NAME>)", "/1/ <COLOR> <NOUN>",
            "/1/ <ATTR> [(<PREP> | <ON>) <DET> (<NAME> | <NOUN>)]", "/1/ <MEDIA>",
            "/1/ <BASE>")
    g.shape("target",
            "/10/ <DET> <thing>", "/3/ <NAME>", "/2/ <DET> <thing> <location>",
            "/2/ <QUANT> [<DET>] <NOUN> [<location>]", "/2/ <place>", "/2/ <IT>",
            "/1/ <location>", "/1/ (<PART> | <NUMBER> of) [<DET>] (<NOUN> | <IT>)")

    # -- values: "to 50 percent", "by 10", "red", "72 degrees", "to the max", "a bit dimmer"
    g.shape("value", "/4/ <NUMBER> [<UNIT>]", "/1/ <EXTREME>", "/1/ <COLOR>",
            "/1/ <COLOR_TEMP>", "/1/ <LEVEL>")
    g.shape("setting", "/6/ <TO> <value>", "/1/ <value>", "/1/ <BY> <NUMBER> [<UNIT>]",
            "/1/ (<UP> | <DOWN>) [<TO> <value> | <BY> <NUMBER> [<UNIT>]]")
    g.shape("comparison", "[<DEGREE>] <COMPARATIVE>")
    g.shape("particle", "/4/ <ONOFF>", "/1/ <UP>", "/1/ <DOWN>", "/1/ <BACK>")
    g.shape("exclusion", "(<EXCEPT> | <LEAVE> | <BUT>) <target> [<particle>]")

    # -- commands: "turn on the kitchen light", "turn it off", "kitchen lights off",
    # "set the thermostat to 72 degrees", "make it a bit brighter"
    g.shape("verb", "/8/ <V_ON>", "/8/ <V_OFF>", "/1/ <V_LIGHT>", "/1/ <V_UP>", "/1/ <V_DOWN>",
            "/2/ <V_DIM>", "/1/ <V_BRIGHTEN>", "/3/ <V_OPEN>", "/3/ <V_CLOSE>", "/3/ <V_LOCK>",
            "/3/ <V_UNLOCK>", "/1/ <V_STOP>", "/1/ <V_PAUSE>", "/1/ <V_PLAY>", "/1/ <V_NEXT>",
            "/1/ <V_PREV>", "/1/ <V_MUTE>", "/1/ <V_UNMUTE>", "/1/ <V_CLEAN>", "/1/ <V_DOCK>",
            "/1/ <V_TOGGLE>")
    g.shape("command",
            "/12/ <verb> <target>", "/2/ <verb> <target> <location>",
            "/1/ <verb> <target> <exclusion>", "/2/ <verb> <target> <setting>",
            "/1/ <verb>", "/2/ <V_SET> <target> <particle> [<location>]",
            "/3/ <V_SET> <target> <setting>", "/1/ <V_SET> <target> <comparison>",
            "/1/ <V_SET> <particle> <target> [<location>]",
            "/2/ <target> <particle>", "/1/ <target> <setting>",
            "/1/ <WANT> <target> (<particle> | <setting>)",
            "/1/ <MAKE_SURE> <target> <IS> (<STATE> | <particle>)")

    # -- other moves: negation, repairs, references, ellipsis, questions, undo, follow-ups
    g.shape("negation", "/3/ <NEG> <command>", "/2/ <NO> <NEG> <command>")
    g.shape("repair",
            "/2/ <NO> <DET> <AREA> <ONE>", "/2/ <NO> <target>", "/2/ <REPAIR> <target>",
            "/2/ <REPAIR> <setting>", "/1/ <REPAIR> <NUMBER>", "/1/ <NO> <REPAIR> <target>",
            "/1/ <NO> <command>", "/1/ <REPAIR> <command>", "/1/ <NOT> <target> <target>")
    g.shape("reference", "/3/ <verb> <IT>", "/3/ <V_SET> <IT> <particle>",
            "/1/ <V_SET> <IT> <setting>", "/1/ <V_SET> <IT> <comparison>")
    g.shape("fragment",
            "/3/ <SEP> <target>", "/2/ <target> <TOO>", "/2/ <WHAT_ABOUT> <target>",
            "/1/ <SAME_FOR> <target>", "/1/ <target>")
    g.shape("followup", "/3/ <comparison>", "/1/ <comparison> <FILLER>",
            "/1/ <DEGREE> <COMPARATIVE> <FILLER>")
    g.shape("query",
            "/3/ <IS> <target> (<STATE> | <particle>) [<location>]",
            "/1/ <ASK_IF> <target> is <STATE>",
            "/2/ <WHAT> <target> [<location>]", "/1/ <WHAT> <target> <V_SET> <TO>",
            "/1/ <WHERE> <target>", "/1/ <IS> <SOMEONE> (<location> | <HOUSE>)")
    # "... unless it's playing", "if the front door is locked ...", "if nobody is home":
    # what a command depends on
    g.shape("condition", "/2/ <IF> (it's | it is | they are) <STATE>",
            "/1/ <IF> <target> (is | are) [not] <STATE>",
            "/1/ <IF> (<SOMEONE> | nobody | no one) is (<location> | <HOUSE>)")
    g.shape("undo", "/3/ <UNDO>", "/1/ <NO> <UNDO>", "/1/ <NO> <NEG>")
    g.shape("answer", "/3/ <YES>", "/3/ <NO>", "/1/ <NO> <FILLER>", "/1/ <YES> <FILLER>")
    g.shape("move",
            "/10/ <command>", "/3/ <negation>", "/3/ <repair>", "/2/ <reference>",
            "/2/ <fragment>", "/2/ <followup>", "/2/ <query>", "/1/ <undo>", "/1/ <answer>")
    g.shape("utterance",
            "/12/ <move>", "/1/ <FILLER> <move>", "/1/ <move> <FILLER>",
            "/1/ <command> <SEP> <command>", "/1/ <command> <SEP> <target>",
            "/1/ <command> <SEP> <ONOFF> <location>",
            "/1/ <command> <LATER>", "/1/ <LATER> <command>",
            "/0.3/ <command> <condition>", "/0.3/ <condition> <command>",
            "/1/ <SAID>", "/0.3/ <SAID> <FILLER>")
    return g.grammar(spelled)



# -- sentences from the grammar -------------------------------------------------------

Node = str | tuple[str, Any]
"""A parsed alternative: a word, ("ref", name), ("seq", [nodes]), ("alt", [(w, node)]),
or ("opt", node)."""

_TOKEN = re.compile(r"<[A-Za-z_]+>|/[0-9.]+/|[()\[\]|]|[^\s()\[\]|<>/]+")


def _parse(text: str) -> Node:
    """One rule body in the JSGF subset the grammar uses."""
    tokens = _TOKEN.findall(text)
    pos = 0

    def alternatives() -> Node:
        nonlocal pos
        options: list[tuple[float, Node]] = []
        while True:
            weight = 1.0
            if pos < len(tokens) and tokens[pos].startswith("/"):
                weight = float(tokens[pos].strip("/"))
                pos += 1
            options.append((weight, sequence()))
            if pos < len(tokens) and tokens[pos] == "|":
                pos += 1
                continue
            return options[0][1] if len(options) == 1 else ("alt", options)

    def sequence() -> Node:
        nonlocal pos
        items: list[Node] = []
        while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
            token = tokens[pos]
            pos += 1
            if token in ("(", "["):
                inner = alternatives()
                pos += 1  # the closing bracket
                items.append(inner if token == "(" else ("opt", inner))
            elif token.startswith("<"):
                items.append(("ref", token[1:-1]))
            else:
                items.append(token)
        return items[0] if len(items) == 1 else ("seq", items)

    return alternatives()


class _Generator:
    """Random sentences of a grammar.

    A phrase of a lexicon class is drawn with weight falling with its place in the class
    (the lexicon lists the usual phrase first: "turn on" before "fire up"); a phrase of
    the home's names, areas and numbers is drawn uniformly. Every so often a class is
    walked in order instead, so that every phrase appears in the sentences.
    """

    def __init__(self, grammar: HomeGrammar, seed: int) -> None:
        self.grammar = grammar
        self.random = random.Random(seed)
        self.parsed: dict[str, list[tuple[float, Node]]] = {}
        for name, alternatives in grammar.rules.items():
            if name in grammar.word_classes:
                continue
            node = _parse(" | ".join(alternatives))
            if isinstance(node, tuple) and node[0] == "alt":
                self.parsed[name] = node[1]
            else:
                self.parsed[name] = [(1.0, node)]
        self.phrases: dict[str, list[tuple[float, str]]] = {}
        """Each class's phrases with their weights."""
        self.cycles: dict[str, Iterator[str]] = {}
        for name in grammar.word_classes:
            phrases = grammar.rules[name]
            ranked = name not in _UNIFORM_CLASSES
            self.phrases[name] = [((i + 1) ** -_RANK_DECAY if ranked else 1.0, phrase)
                                  for i, phrase in enumerate(phrases)]
            self.cycles[name] = _cycle(list(phrases))
        self._draws: dict[int, tuple[list[Any], list[float], float]] = {}
        """For each list of weighted options (by identity; they live as long as the
        generator): the options, the running sums of their weights and the total."""

    def sentences(self, count: int) -> list[str]:
        out = []
        for _ in range(count):
            words: list[str] = []
            self._expand(("ref", "utterance"), words, 0)
            out.append(" ".join(words))
        return out

    def _expand(self, node: Node, words: list[str], depth: int) -> None:
        if isinstance(node, str):
            words.append(node)
            return
        kind, value = node
        if depth > 40:
            return
        if kind == "ref":
            if value in self.cycles:
                words.append(self._phrase(value))
            else:
                self._expand(self._choose(self.parsed[value]), words, depth + 1)
        elif kind == "seq":
            for item in value:
                self._expand(item, words, depth + 1)
        elif kind == "alt":
            self._expand(self._choose(value), words, depth + 1)
        elif kind == "opt" and self.random.random() < _OPTIONAL:
            self._expand(value, words, depth + 1)

    def _phrase(self, name: str) -> str:
        if self.random.random() < _COVERAGE:
            return next(self.cycles[name])
        return self._choose(self.phrases[name])

    def _choose(self, options: Sequence[tuple[float, Any]]) -> Any:
        """One of the weighted ``options``: what ``random.choices`` draws from the same random
        number, with the running sums of the weights reckoned once per list rather than at
        every draw (drawing is most of the time a home's speech models take to build)."""
        found = self._draws.get(id(options))
        if found is None:
            sums = list(itertools.accumulate(w for w, _ in options))
            found = self._draws[id(options)] = ([o for _, o in options], sums, sums[-1] + 0.0)
        population, sums, total = found
        return population[bisect.bisect(sums, self.random.random() * total, 0,
                                         len(population) - 1)]


_UNIFORM_CLASSES = frozenset({"NAME", "AREA", "FLOOR", "NUMBER", "COLOR", "COLOR_TEMP",
                              "NOUN"})
_RANK_DECAY = 2.0
"""A lexicon phrase's weight is its rank in its class to this negative power."""
_OPTIONAL = 0.3
"""How often an optional part is said."""
_COVERAGE = 0.1
"""How often a class phrase is taken in turn rather than by weight."""


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


def language_model(sentences: Iterable[str], discount: float | None = None) -> str:
    """An ARPA trigram model of ``sentences`` (pocketsphinx's fixed-discount estimator)."""
    from pocketsphinx.lm import ArpaBoLM  # type: ignore[import-untyped]

    model = ArpaBoLM(text="\n".join(sentences), add_start=True,
                     discount_mass=DISCOUNT if discount is None else discount)
    model.compute()
    out = io.StringIO()
    model.write(out)
    return out.getvalue()


# -- decoding ---------------------------------------------------------------------------


class _Engine:
    """One pocketsphinx decoder for the process, with a language model per home."""

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        from pocketsphinx import Decoder  # type: ignore[import-untyped]

        config = {**DECODER_CONFIG, **(settings or {})}
        self.decoder = Decoder(lm=None, **config)  # no generic model: each home has one
        self.cmn = self.decoder.get_cmn()
        """The model's initial cepstral mean, which every utterance starts from."""
        self.pronouncer = Pronouncer(self.decoder)
        self.lock = threading.RLock()
        self.searches: OrderedDict[str, HomeGrammar] = OrderedDict()

    def search_for(self, key: str, build: Callable[[Pronouncer], HomeGrammar]
                   ) -> tuple[str, HomeGrammar]:
        """The search named after ``key``, building its grammar and model when new."""
        with self.lock:
            name = f"home_{key[:16]}"
            if name in self.searches:
                self.searches.move_to_end(name)
                return name, self.searches[name]
            grammar = build(self.pronouncer)
            arpa = language_model(grammar.sentences(SENTENCES))
            handle, path = tempfile.mkstemp(suffix=".arpa", prefix="resolver-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(arpa)
                self.decoder.add_lm_file(name, path)
            finally:
                os.unlink(path)
            self.searches[name] = grammar
            while len(self.searches) > CACHED_HOMES:
                old, _ = self.searches.popitem(last=False)
                self.decoder.remove_search(old)
            return name, grammar


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
        return _ENGINE


class SphinxRecognizer:
    """Transcribes speech about one home with pocketsphinx and the home's language model."""

    def __init__(self, home: Home, lexicon: Lexicon | None = None, nbest: int = NBEST,
                 phrases: Iterable[str] = (), settings: Mapping[str, Any] | None = None
                 ) -> None:
        """Build (or reuse) the model of ``home``; ``lexicon`` defaults to the project's;
        ``phrases``, what the rules in force take whole (``said "movie time"``);
        ``settings``, pocketsphinx settings in place of :data:`DECODER_CONFIG`'s (a decoder
        of its own, not the process's shared one: for trying settings side by side)."""
        self.home = home
        self.lexicon = lexicon or Lexicon.from_file(Path(GRAMMAR_DIR) / "lexicon.txt")
        self.nbest = nbest
        self._engine = _engine() if settings is None else _Engine(settings)
        lexicon_used, phrases = self.lexicon, tuple(phrases)
        self.search, self.grammar = self._engine.search_for(
            fingerprint(home, lexicon_used, phrases),
            lambda pronouncer: build_grammar(home, lexicon_used, pronouncer, phrases))

    def recognize(self, audio: AudioInput, sample_rate: int = SAMPLE_RATE) -> list[Hypothesis]:
        """The n-best transcripts of ``audio``, best first; empty when nothing was heard.

        ``audio`` is anything :func:`resolver.speech.audio.load_audio` takes (``sample_rate``
        is an array's rate); raises :class:`~resolver.speech.audio.AudioError` for
        unusable audio.
        """
        samples = load_audio(audio, sample_rate)
        pcm = self._pcm(samples)
        engine = self._engine
        raw: list[tuple[str, float]] = []
        with engine.lock:
            decoder = engine.decoder
            decoder.activate_search(self.search)
            _fresh_start(decoder, engine.cmn)
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            best = decoder.hyp()
            if best is not None:
                raw.append((best.hypstr, best.score))
                if self.nbest > 1:
                    for i, hyp in enumerate(decoder.nbest() or ()):
                        if i >= 10 * self.nbest:
                            break
                        if hyp is not None:  # the lattice search yields None at times
                            raw.append((hyp.hypstr, hyp.score))
        return self._ranked(raw)

    def align(self, audio: AudioInput, texts: Sequence[str],
              sample_rate: int = SAMPLE_RATE) -> list[float | None]:
        """How well each of ``texts`` (transcripts as the text path writes them) fits the
        audio by pocketsphinx's acoustic model alone: the natural log of the path score of its
        forced alignment (higher is better, comparable only within one utterance); minus
        infinity when the words cannot be fitted to the audio at all, None for a text with a
        word that has no pronunciation.

        The listener asks this of the transcripts the two speech paths disagree on: each
        path's acoustic model scores the other's words, not only its own."""
        samples = load_audio(audio, sample_rate)
        pcm = self._pcm(samples)
        engine = self._engine
        scores: list[float | None] = []
        with engine.lock:
            decoder = engine.decoder
            for text in texts:
                words = said_words(text)
                if not words or not all(engine.pronouncer.known(w) for w in words):
                    scores.append(None)
                    continue
                try:
                    decoder.set_align_text(" ".join(words))
                except RuntimeError:
                    scores.append(None)
                    continue
                _fresh_start(decoder, engine.cmn)
                decoder.start_utt()
                decoder.process_raw(pcm, full_utt=True)
                decoder.end_utt()
                found = decoder.hyp()
                scores.append(math.log(found.score)
                              if found is not None and found.score > 0 else -math.inf)
        return scores

    @staticmethod
    def _pcm(samples: np.ndarray) -> bytes:
        """16-bit PCM for the decoder, with a fixed faint noise floor: digital silence (exact
        zeros, as synthesizers and some recorders emit) makes the silence model outscore
        words."""
        floor = np.random.default_rng(0).standard_normal(samples.size) * DITHER
        return to_pcm16(samples + floor.astype(np.float32))

    def _ranked(self, raw: Sequence[tuple[str, float]]) -> list[Hypothesis]:
        """Distinct normalized transcripts with softmax scores, best first."""
        seen: dict[str, float] = {}
        for text, score in raw:
            normalized = self.normalize(text)
            if not normalized:
                continue
            log_score = float(np.log(max(score, 1e-300)))
            if normalized not in seen or log_score > seen[normalized]:
                seen[normalized] = log_score
            if len(seen) >= self.nbest:
                break
        if not seen:
            return []
        texts = list(seen)
        logs = np.array([seen[t] for t in texts])
        weights = np.exp(SCORE_SCALE * (logs - logs.max()))
        probs = weights / weights.sum()
        order = sorted(range(len(texts)), key=lambda i: -probs[i])
        return [Hypothesis(texts[i], float(probs[i]), float(logs[i])) for i in order]

    def normalize(self, text: str) -> str:
        """A decoder transcript as the text path reads it (see :func:`normalize`)."""
        return normalize(text, self.grammar.spelled)


def normalize(text: str, spelled: dict[str, str] | None = None) -> str:
    """A decoder transcript as the text path reads it: lower-case words, numbers as digits.

    ``spelled`` maps names said with number words back to how the home writes them
    ("speaker two" -> "speaker 2"), since the tagger keeps a lone "one" a word.
    """
    joined = " ".join(w for w in text.lower().split() if _WORD.match(w))
    for said, written in sorted((spelled or {}).items(), key=lambda x: -len(x[0])):
        joined = re.sub(rf"\b{re.escape(said)}\b", written, joined)
    return " ".join(words_to_numbers(joined.split()))


def _fresh_start(decoder: Any, cmn: str) -> None:
    """Hear the next utterance as if it were the first: the front end's noise estimate and
    the cepstral mean adapt as an utterance is heard, and each starts from the model's own,
    not from what the turns before (another speaker's, another room's) left. Without it, the
    same recording decoded after another could come out otherwise ("turn off the lights if
    they are on", then "turn off lights if they are on")."""
    decoder.reinit_feat()
    decoder.set_cmn(cmn)


def said_words(text: str) -> list[str]:
    """A transcript as the text path writes it, as it is said, in the CTC alphabet and the
    decoder's words (the inverse of :func:`normalize`): numbers under 1000 as words, "%" as
    "percent" ("set it to 50%" -> "set it to fifty percent"), lower case, other symbols as
    spaces."""
    from ..neural.audio_model import normalize_transcript

    words = []
    for word in text.split():
        number = word.rstrip("%")
        if number.isdigit() and int(number) < 1000:
            words.append(number_words(int(number)))
            if word.endswith("%"):
                words.append("percent")
        else:
            words.append(word.replace("%", " percent"))
    return normalize_transcript(" ".join(words)).split()


def fingerprint(home: Home, lexicon: Lexicon, phrases: Iterable[str] = ()) -> str:
    """A key that changes whenever the model of ``home`` (with the rules' ``phrases``)
    would."""
    parts: list[str] = [repr(sorted(lexicon.classes.items())), str(SENTENCES), str(SEED)]
    parts += sorted(set(phrases))
    parts += sorted(n for e in home.entities.values() for n in e.spoken_names)
    parts += sorted(n for d in home.devices.values() for n in (d.name, *d.aliases))
    parts += sorted(n for a in home.areas for n in home.area_names(a))
    parts += sorted(n for f in home.floors for n in home.floor_names(f))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


__all__ = ["HomeGrammar", "Hypothesis", "Pronouncer", "SphinxRecognizer", "build_grammar", "fingerprint",
           "language_model", "normalize", "number_words"]
