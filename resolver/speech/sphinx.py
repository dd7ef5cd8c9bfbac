"""The factored speech path: pocketsphinx decoding against a grammar made for one home.

The grammar (JSGF) is generated from the project's lexicon (``grammars/lexicon.txt``; each
word class becomes a rule), the home's names, areas and floors, device nouns, colours and
the numbers 0-100 said as words, arranged in the sentence shapes people use with the
resolver: commands, negations, repairs, references, ellipsis, questions, undo, follow-ups
and yes/no. Decoding uses pocketsphinx's shipped US English acoustic model and dictionary;
the transcript is plain lower-case words that :class:`resolver.Resolver` reads like text.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..home import Home, spoken_forms
from ..language.parse import GRAMMAR_DIR
from ..language.tagger import Lexicon
from ..language.vocabulary import COLOR_TEMPS, COLORS, NOUNS, ONES, TENS, words_to_numbers
from .audio import SAMPLE_RATE, AudioError, AudioInput, load_audio, to_pcm16

log = logging.getLogger(__name__)

NBEST = 5
"""Most distinct transcripts :meth:`SphinxRecognizer.recognize` returns."""
SCORE_SCALE = 30.0
"""Scale on the difference of decoder log scores before the softmax that makes ``score``.

Chosen so that the best transcript's score is close to the posterior probability
pocketsphinx itself computes for it over its lattice.
"""
DECODER_CONFIG: dict[str, Any] = {
    # The lattice best path of a grammar search drops words when fillers may come between
    # them; the Viterbi result is right, and the lattice without fillers gives the n-best.
    "bestpath": False,
    "fsgusefiller": False,
    # Wider beams than the defaults: the grammar is small, and narrow beams prune the right
    # path away on synthetic and noisy speech.
    "beam": 1e-80,
    "wbeam": 1e-60,
    "pbeam": 1e-80,
    "loglevel": "FATAL",
}
CACHED_GRAMMARS = 8
"""Compiled home grammars kept in one process."""

_SILENCE_WORD = "_sil_"
"""A word made of the silence phone: a pause between the moves of a turn."""
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
    """The decoder's own path score (natural log; higher is better, comparable only
    within one utterance)."""


@dataclass(frozen=True, slots=True)
class HomeGrammar:
    """A JSGF grammar for one home, and what was left out of it."""

    jsgf: str
    """The grammar text, top rule ``<utterance>``."""
    words: frozenset[str]
    """Every word the grammar can produce."""
    skipped: tuple[str, ...]
    """Phrases left out because a word in them has no pronunciation."""
    spelled: dict[str, str]
    """How numbers inside names are said ("hdmi one") -> how the home writes them."""


# -- pronunciations ---------------------------------------------------------------------


class Pronouncer:
    """Pronunciations from the decoder's dictionary, with a fallback for missing words.

    pocketsphinx ships no letter-to-sound model, so a word not in the dictionary is said as
    a compound of dictionary words ("sideboard" = "side" + "board", "unpause" = "un" +
    "pause") or, when it is a short all-consonant acronym, letter by letter ("hdmi");
    otherwise it has none and phrases with it are left out of the grammar.
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
        self.decoder.add_word(word, phones, False)
        self.added[word] = phones
        return True

    def fallback(self, word: str) -> str | None:
        """Phones for a word the dictionary lacks, or None."""
        letters = word.replace("'", "")
        if 2 <= len(letters) <= 5 and not set(letters) & set("aeiouy"):
            return " ".join(_LETTERS[c] for c in letters)
        parts = self._compound(letters, 3)
        if parts is None:
            return None
        return " ".join(self.decoder.lookup_word(p) for p in parts)

    def _compound(self, word: str, depth: int) -> list[str] | None:
        """``word`` as 2 or 3 dictionary words, longest first part first."""
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
    """Collects the rules of a JSGF grammar, leaving out phrases that cannot be said."""

    def __init__(self, pronouncer: Pronouncer) -> None:
        self.pronouncer = pronouncer
        self.rules: dict[str, list[str]] = {}
        self.skipped: list[str] = []
        self.words: set[str] = set()

    def phrases(self, name: str, phrases: Iterable[str]) -> None:
        """Add ``phrases`` (plain words) as alternatives of the word-class rule ``name``."""
        out = self.rules.setdefault(name, [])
        for text in phrases:
            words = text.split()
            if not words or not all(_WORD.match(w) for w in words):
                continue
            missing = [w for w in words if not self.pronouncer.known(w)]
            if missing:
                self.skipped.append(text)
                log.info("speech grammar: no pronunciation for %s; '%s' left out",
                         ", ".join(missing), text)
                continue
            if text not in out:
                out.append(text)
                self.words.update(words)

    def shape(self, name: str, *alternatives: str) -> None:
        """Add a rule made of other rules; alternatives naming an empty rule are dropped."""
        kept = [a for a in alternatives if all(self.rules.get(r) for r in _refs(a))]
        self.rules.setdefault(name, []).extend(kept)

    def text(self) -> str:
        """The grammar as JSGF source."""
        lines = ["#JSGF V1.0;", "grammar resolver;", ""]
        for name, alternatives in self.rules.items():
            if not alternatives:
                continue
            public = "public " if name == "utterance" else ""
            body = "\n    | ".join(alternatives)
            lines.append(f"{public}<{name}> =\n      {body};")
        return "\n".join(lines) + "\n"


def _refs(alternative: str) -> list[str]:
    return re.findall(r"<([A-Za-z_]+)>", alternative)


def build_grammar(home: Home, lexicon: Lexicon, pronouncer: Pronouncer) -> HomeGrammar:
    """The JSGF grammar of utterances about ``home``."""
    g = _Rules(pronouncer)
    classes: dict[str, list[str]] = {}
    for text, kind in lexicon.classes.items():
        classes.setdefault(kind, []).append(text)
    # Contractions are single dictionary words, closer to how they are said.
    classes.setdefault("NEG", []).extend(["don't", "please don't", "no don't"])
    classes.setdefault("UNDO", []).extend(["don't", "no don't"])
    classes.setdefault("WHAT", []).extend(["what's"])
    classes.setdefault("IS", []).extend(["is it", "are they", "is the"])
    for kind, phrases in classes.items():
        g.phrases(kind, phrases)

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
                       "small", "main", "first", "second", "middle"])
    g.phrases("ONOFF", ["on", "off"])
    g.rules["SIL"] = [_SILENCE_WORD]  # in the dictionary already, as the silence phone

    # pocketsphinx inlines every rule reference when it turns JSGF into a finite-state
    # grammar, so each shape below names the big rules (targets, names) as few times as
    # it can: optional parts in one sequence rather than many alternatives.

    # -- targets: "the kitchen light", "all the lights upstairs", "it", "the bedroom one"
    g.shape("place", "[<DET>] (<AREA> | <FLOOR> | <HOUSE>)")
    g.shape("location", "<PREP> <place>", "<HERE>", "<EVERYWHERE>", "<FLOOR>")
    g.shape("thing",
            "[<SIDE> | <AREA> | <FLOOR>] [<COLOR>] (<NAME> | <NOUN> | <ONE>)",
            "<ATTR> [(<PREP> | <ON>) [<DET>] [<AREA>] (<NAME> | <NOUN>)]",
            "<MEDIA>", "<BASE>")
    g.shape("target",
            "[<QUANT>] [<DET>] <thing> [<location>]", "[<QUANT>] <place>", "<IT>",
            "<location>")

    # -- values: "to 50 percent", "by 10", "red", "72 degrees", "to the max", "a bit dimmer"
    g.shape("value", "<NUMBER> [<UNIT>]", "<EXTREME>", "<COLOR>", "<COLOR_TEMP>")
    g.shape("setting", "[<TO>] <value>", "<BY> <NUMBER> [<UNIT>]",
            "(<UP> | <DOWN>) [<TO> <value> | <BY> <NUMBER> [<UNIT>]]")
    g.shape("comparison", "[<DEGREE>] <COMPARATIVE>")
    g.shape("particle", "<ONOFF>", "<UP>", "<DOWN>", "<BACK>")
    g.shape("tail", "<setting> [<location>]", "<particle> [<location>]", "<comparison>",
            "<STATE>", "<location>")
    g.shape("exclusion", "(<EXCEPT> | <LEAVE> | <BUT>) <target> [<particle>]")

    # -- commands: "turn on the kitchen light", "turn it off", "kitchen lights off",
    # "set the thermostat to 72 degrees", "make it a bit brighter", "the garage too"
    g.shape("action", "<V_ON>", "<V_OFF>", "<V_LIGHT>", "<V_UP>", "<V_DOWN>", "<V_DIM>",
            "<V_BRIGHTEN>", "<V_OPEN>", "<V_CLOSE>", "<V_LOCK>", "<V_UNLOCK>", "<V_STOP>",
            "<V_PAUSE>", "<V_PLAY>", "<V_NEXT>", "<V_PREV>", "<V_MUTE>", "<V_UNMUTE>",
            "<V_CLEAN>", "<V_DOCK>", "<V_TOGGLE>", "<V_SET> [<particle>]", "<WANT>",
            "<MAKE_SURE>")
    g.shape("command",
            "(<action> [<target>] | <target> [<TOO>]) [<IS>] [<tail>] [<exclusion>]",
            "<tail>")

    # -- other moves: negation and repairs open a command ("no, don't ...", "actually
    # 72", "I meant the lamp"), ellipsis ("and the hallway", "what about the bathroom")
    g.shape("opener",
            "<NO> [<SIL>] [<NEG> | <REPAIR> [<SIL>]]", "<NEG>", "<REPAIR> [<SIL>]",
            "<WHAT_ABOUT>", "<SAME_FOR>", "<SEP>", "<TOO>")
    g.shape("query",
            "(<IS> | <WHAT>) <target> [<STATE> | <particle> | <V_SET> <TO>] [<location>]")
    g.shape("move",
            "[<opener>] <command>", "<query>", "[<NO> [<SIL>]] (<UNDO> | <NEG>)",
            "<YES>", "<NO>", "<NOT> <target> [<SIL>] [<BUT>] <target>")
    g.shape("utterance", "[<FILLER>] <move> [[<SIL>] <SEP> <move>] [<FILLER>]")
    return HomeGrammar(g.text(), frozenset(g.words), tuple(g.skipped), spelled)


# -- decoding ---------------------------------------------------------------------------


class _Engine:
    """One pocketsphinx decoder for the process, with a search per home grammar."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self.decoder = Decoder(jsgf=None, lm=None, **DECODER_CONFIG)
        self.decoder.add_word(_SILENCE_WORD, "SIL", True)
        self.pronouncer = Pronouncer(self.decoder)
        self.lock = threading.RLock()
        self.searches: OrderedDict[str, HomeGrammar] = OrderedDict()

    def search_for(self, key: str, build: Any) -> tuple[str, HomeGrammar]:
        """The search named after ``key``, compiling ``build()``'s grammar when new."""
        with self.lock:
            name = f"home_{key[:16]}"
            if name in self.searches:
                self.searches.move_to_end(name)
                return name, self.searches[name]
            grammar: HomeGrammar = build(self.pronouncer)
            self.decoder.add_jsgf_string(name, grammar.jsgf)
            self.searches[name] = grammar
            while len(self.searches) > CACHED_GRAMMARS:
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
    """Transcribes speech about one home with pocketsphinx and the home's grammar."""

    def __init__(self, home: Home, lexicon: Lexicon | None = None, nbest: int = NBEST) -> None:
        """Compile (or reuse) the grammar of ``home``; ``lexicon`` defaults to the project's."""
        self.home = home
        self.lexicon = lexicon or Lexicon.from_file(Path(GRAMMAR_DIR) / "lexicon.txt")
        self.nbest = nbest
        self._engine = _engine()
        key = _fingerprint(home, self.lexicon)
        self.search, self.grammar = self._engine.search_for(
            key, lambda pronouncer: build_grammar(home, self.lexicon, pronouncer))

    def recognize(self, audio: AudioInput | np.ndarray, sample_rate: int = SAMPLE_RATE
                  ) -> list[Hypothesis]:
        """The n-best transcripts of ``audio`` (best first); empty when nothing fits.

        ``audio`` is anything :func:`resolver.speech.audio.load_audio` takes; raises
        :class:`AudioError` for unusable audio.
        """
        samples = load_audio(audio, sample_rate)
        pcm = to_pcm16(samples)
        engine = self._engine
        with engine.lock:
            decoder = engine.decoder
            decoder.activate_search(self.search)
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            best = decoder.hyp()
            raw: list[tuple[str, float]] = []
            if best is not None and best.hypstr:
                raw.append((best.hypstr, best.score))
            if self.nbest > 1 and best is not None:
                for i, hyp in enumerate(decoder.nbest()):
                    if i >= 10 * self.nbest:
                        break
                    raw.append((hyp.hypstr, hyp.score))
        return self._ranked(raw)

    def _ranked(self, raw: Sequence[tuple[str, float]]) -> list[Hypothesis]:
        """Distinct normalized transcripts with softmax scores, best first."""
        seen: dict[str, float] = {}
        for text, score in raw:
            normalized = self.normalize(text)
            if not normalized or score <= 0:
                continue
            log_score = float(np.log(score))
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
        ranked = sorted(zip(texts, probs, logs), key=lambda x: -x[1])
        return [Hypothesis(t, float(p), float(s)) for t, p, s in ranked]

    def normalize(self, text: str) -> str:
        """A decoder transcript as the text path reads it: words, numbers as digits."""
        words = [w for w in text.lower().split() if _WORD.match(w) and w != _SILENCE_WORD]
        joined = " ".join(words)
        for spoken, written in sorted(self.grammar.spelled.items(), key=lambda x: -len(x[0])):
            joined = re.sub(rf"\b{re.escape(spoken)}\b", written, joined)
        return " ".join(words_to_numbers(joined.split()))


def _fingerprint(home: Home, lexicon: Lexicon) -> str:
    """A key that changes whenever the grammar of ``home`` would."""
    parts: list[str] = [repr(sorted(lexicon.classes.items()))]
    parts += sorted(n for e in home.entities.values() for n in e.spoken_names)
    parts += sorted(n for d in home.devices.values() for n in (d.name, *d.aliases))
    parts += sorted(n for a in home.areas for n in home.area_names(a))
    parts += sorted(n for f in home.floors for n in home.floor_names(f))
    parts.append(repr(DECODER_CONFIG))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


__all__ = ["AudioError", "HomeGrammar", "Hypothesis", "Pronouncer", "SphinxRecognizer",
           "build_grammar", "number_words"]
