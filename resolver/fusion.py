"""Fusion of the neural proposer with the grammar: the proposer proposes, the grammar decides.

- When the grammar parses, that parse is the logical form. If a typo-corrected reading
  of the words parses too, the two compete and the proposer's scores rank them.
- When nothing parses, the proposer's intent and the targets the gazetteer found in the
  words (names, areas, device nouns, "here"; typos corrected) make a logical form, marked
  as coming from the proposer; below :data:`THRESHOLD` nothing is done, and nothing either
  when the words contradict themselves ("turn on the light off").

Either way the rules then decide, so "don't kill the lights" is still a negation.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from lark import Token

from .home import Home
from .language.parse import SAID_ACTIONS, ParseResult, UtteranceParser, _Obj, _ToLogicalForm
from .language.tagger import Tag, read_if_clause
from .logical_form import (
    OPPOSED,
    Action,
    Attribute,
    Command,
    Fragment,
    Move,
    Query,
    Target,
    Undo,
    Utterance,
    Value,
)
from .neural.proposer import Proposal
from .resolve import intent_of

THRESHOLD = 0.5
"""Calibrated probability below which a proposal alone is not acted on."""
UNPARSED = "unparsed"
"""The marker of the fragment standing for words nothing could read."""

_ACTIONS = {
    "HassTurnOn": Action.TURN_ON,
    "HassTurnOff": Action.TURN_OFF,
    "HassMediaPause": Action.PAUSE,
    "HassMediaUnpause": Action.PLAY,
    "HassMediaNext": Action.NEXT,
    "HassMediaPrevious": Action.PREVIOUS,
    "HassVacuumStart": Action.START,
    "HassVacuumReturnToBase": Action.RETURN_HOME,
    "ResolverIncrease": Action.INCREASE,
    "ResolverDecrease": Action.DECREASE,
    "HassLightSet": Action.SET,
    "HassSetPosition": Action.SET,
    "HassClimateSetTemperature": Action.SET,
    "HassSetVolume": Action.SET,
    "HassFanSetSpeed": Action.SET,
}
_SET_ATTRIBUTES = {
    "HassSetPosition": Attribute.POSITION,
    "HassClimateSetTemperature": Attribute.TEMPERATURE,
    "HassSetVolume": Attribute.VOLUME,
    "HassFanSetSpeed": Attribute.SPEED,
}
_STEP_ATTRIBUTES = {"light": Attribute.BRIGHTNESS, "media_player": Attribute.VOLUME,
                    "climate": Attribute.TEMPERATURE, "fan": Attribute.SPEED,
                    "cover": Attribute.POSITION}
# Word classes that carry no meaning of their own and are never corrected.
_TARGET_KINDS = {"NAME", "AREA", "FLOOR", "NOUN", "HERE", "HOUSE", "EVERYWHERE", "QUANT", "IT",
                 "ATTR", "DET", "PREP", "ONE", "MEDIA"}


@dataclass(frozen=True, slots=True)
class Reading:
    """The logical form chosen for an utterance and how it was reached."""

    parsed: ParseResult
    source: str
    """``grammar``, ``grammar (corrected)``, ``grammar (noise dropped)``, ``proposer``,
    ``grammar and proposer`` (clause by clause) or ``none``."""
    utterance: Utterance | None
    corrections: tuple[tuple[str, str], ...] = ()
    """Words replaced as typos: (said, read as)."""


def read(parser: UtteranceParser, text: str, proposal: Proposal | None,
         propose: Callable[[str], Proposal | None] | None = None) -> Reading:
    """The logical form of ``text``: the grammar's, ranked and backed by the proposer.

    Readings compete on a score: a grammar reading that knows every word starts at 1 (so the
    proposer never overrides a full parse: "don't turn on ..." stays a negation), one with
    unknown words in a command at 0.5, a typo-corrected one at 0.6; each adds the
    proposer's belief in its intent. The proposer's own reading scores its probability and
    competes only above :data:`THRESHOLD`. When no grammar reading is had and ``propose``
    (the proposer, on any text) is given, commands joined by "and" are read one by one
    (:func:`_clause_by_clause`), so that one the grammar cannot read does not take the
    others with it.
    """
    parsed = parser.parse(text)
    corrected_text, corrections = correct_typos(parser, parsed.tags)
    scored: list[tuple[float, Reading]] = []
    if parsed.utterance is not None and not _only_unknown_words(parsed):
        agreement = _agreement(parsed, proposal, parser.home)
        if not (_unknown_words(parsed) and _has_command(parsed)):
            score = 1.0 + agreement
        elif _noise(parsed, parser.tagger.name_words):
            # Unknown words that name neither a device nor a place ("trun on the kitchen
            # light"): this reading will not match; the proposer's may.
            score = 0.3 + 0.5 * agreement
        else:
            score = 0.5 + agreement
        scored.append((score, Reading(parsed, "grammar", parsed.utterance)))
    corrected = parser.parse(corrected_text) if corrections else None
    if corrected is not None and corrected.utterance is not None \
            and not _unknown_words(corrected) \
            and (not _has_command(corrected) or _agreement(corrected, proposal, parser.home) >= THRESHOLD):
        # A correction that makes an action out of other words must be one the proposer
        # believes in ("bold" is not "hold").
        scored.append((0.6 + _agreement(corrected, proposal, parser.home),
                       Reading(corrected, "grammar (corrected)", corrected.utterance,
                               corrections)))
    elif corrected is not None and corrected.utterance is not None and _has_command(corrected):
        # A correction refused as an action ("the vacuum should stop" is not "... hold
        # stop"): the words as said are the ones to drop noise from.
        corrected, corrections = None, ()
    base = corrected if corrected is not None else parsed
    relaxed_text, dropped = drop_noise_words(base.tags)
    if dropped and _has_command(parsed) or (dropped and parsed.utterance is None):
        relaxed = parser.parse(relaxed_text)
        if relaxed.utterance is not None and not _unknown_words(relaxed) \
                and _has_command(relaxed) \
                and all(not c.target.empty for c in relaxed.utterance.commands):
            # A dropped word must not have been all there was of the target ("turn on the
            # jacuzzi" is about a jacuzzi, not about nothing).
            scored.append((0.55 + _agreement(relaxed, proposal, parser.home),
                           Reading(relaxed, "grammar (noise dropped)", relaxed.utterance,
                                   corrections + tuple((w, "") for w in dropped))))
    if proposal is not None and proposal.score >= THRESHOLD \
            and proposal.intent != "ResolverOther" and not parsed.contradiction \
            and _knows_something(parsed, parser.tagger.name_words) \
            and not _asks_nothing(parsed) \
            and not _against_the_verbs(proposal, (corrected or parsed).tags):
        tags = list((corrected or parsed).tags)
        move = fallback_move(proposal, tags, parser.tagger.name_words)
        if move is not None:
            scored.append((proposal.score, Reading(parsed, "proposer",
                                                   _utterance((move,), tags), corrections)))
    if propose is not None and not any(r.source.startswith("grammar") for _, r in scored):
        clauses = _clause_by_clause(parser, parsed, propose)
        if clauses is not None:
            scored.append((CLAUSES_SCORE, clauses))
    if scored:
        return max(scored, key=lambda item: item[0])[1]
    if parsed.utterance is not None:
        return Reading(parsed, "grammar", parsed.utterance)
    # Nothing reads it: the words alone, so that rules can still look at what was said
    # (`said "..."`) and answer that they did not understand.
    words = tuple(t.text for t in parsed.tags if t.kind not in ("COMMA", "FILLER"))
    content = " ".join(words)
    text_all = " ".join(t.text for t in parsed.tags)
    unparsed = Fragment(Target(words=words or ("",)), marker=UNPARSED)
    return Reading(parsed, "none", Utterance((unparsed,), text_all, content))


CLAUSES_SCORE = 1.0
"""Score of a reading made clause by clause: above the proposer's reading of the whole,
which can say one intent only, and below any grammar reading of the whole."""


def _clause_by_clause(parser: UtteranceParser, parsed: ParseResult,
                      propose: Callable[[str], Proposal | None]) -> Reading | None:
    """"turn the kitchen light and lock the door": the commands joined by "and", each read
    alone, by the grammar when it can and by the proposer (:func:`fallback_move`) when it
    cannot; None unless every clause is a command so read and one of them the grammar's."""
    tags = list(parsed.tags)
    cuts = [i for i, t in enumerate(tags) if t.kind == "SEP"]
    if not cuts or len(cuts) >= _MOST_CLAUSES:
        return None
    bounds = zip([-1, *cuts], [*cuts, len(tags)], strict=True)
    moves: list[Move] = []
    by_grammar = 0
    for start, end in bounds:
        clause = tags[start + 1:end]
        text = " ".join(t.text for t in clause)
        alone = parser.parse(text)
        if alone.utterance is not None and not _unknown_words(alone) and _has_command(alone):
            moves.extend(alone.utterance.moves)
            by_grammar += 1
            continue
        proposal = propose(text)
        if proposal is None or proposal.score < THRESHOLD or proposal.intent not in _ACTIONS \
                or alone.contradiction or _against_the_verbs(proposal, alone.tags):
            return None
        move = fallback_move(proposal, list(alone.tags), parser.tagger.name_words)
        if not isinstance(move, Command):
            return None
        moves.append(move)
    if not by_grammar:
        return None
    return Reading(parsed, "grammar and proposer", _utterance(tuple(moves), tags))


def _utterance(moves: tuple[Move, ...], tags: Sequence[Tag]) -> Utterance:
    """An utterance of ``moves`` read from ``tags`` (its words, and its content without
    fillers and commas)."""
    return Utterance(moves, " ".join(t.text for t in tags),
                     " ".join(t.text for t in tags if t.kind not in ("FILLER", "COMMA")))


_MOST_CLAUSES = 4
"""Utterances of more clauses than this are not read clause by clause."""


def _against_the_verbs(proposal: Proposal, tags: tuple[Tag, ...] | list[Tag]) -> bool:
    """The proposal's action is the opposite of a verb that was said: the proposer guesses
    the gist, and a said "stop" is not a start, nor a said "lock" an unlock."""
    if any(t.kind == "V_REMOVE" for t in tags):
        return True  # "remove the kitchen light": no device's action takes anything away
    proposed = _ACTIONS.get(proposal.intent)
    if proposed is None:
        return False
    said = {SAID_ACTIONS[t.kind] for t in tags if t.kind in SAID_ACTIONS}
    return bool(said & OPPOSED.get(proposed, frozenset()))


def _knows_something(parsed: ParseResult, name_words: frozenset[str]) -> bool:
    """Some word is one the home or the lexicon knows: "blah blah" is nothing to act on."""
    return any(t.kind not in ("WORD", "FILLER", "COMMA") or t.text in name_words
               for t in parsed.tags)


_ASKING_NOTHING = frozenset({"V_SET", "V_PUT", "DET", "PREP", "IT", "SEP", "TO", "FILLER",
                             "COMMA"})
"""Word classes that ask for nothing alone: verbs that need a particle or a value ("turn",
"set", "put", "switch", "leave"), determiners, prepositions, pronouns."""


def _asks_nothing(parsed: ParseResult) -> bool:
    """Every word is of :data:`_ASKING_NOTHING` ("turn it", "put", "leave"): the proposer's
    guess at such words ("turn it" as an undo, "leave" as turning off) is not to be acted on."""
    return all(t.kind in _ASKING_NOTHING for t in parsed.tags)


def _noise(parsed: ParseResult, name_words: frozenset[str]) -> bool:
    """Some unknown word is neither part of a device's name nor after a preposition."""
    _, dropped = drop_noise_words(parsed.tags)
    return any(word not in name_words for word in dropped)


def _has_command(parsed: ParseResult) -> bool:
    return parsed.utterance is not None and bool(parsed.utterance.commands)


def _unknown_words(parsed: ParseResult) -> int:
    """Words the grammar does not know, but for items put on a list ("add 2 apples to the
    shopping list"), which are any words."""
    items: set[str] = set()
    for command in parsed.utterance.commands if parsed.utterance is not None else ():
        if command.action is Action.ADD_ITEM and command.value is not None:
            items.update((command.value.text or "").split())
    return sum(1 for t in parsed.tags if t.kind == "WORD" and t.text not in items)


def _only_unknown_words(parsed: ParseResult) -> bool:
    """A "fragment" made of nothing the home or the lexicon knows is no reading at all."""
    kinds = {t.kind for t in parsed.tags} - {"DET", "FILLER", "COMMA", "PREP"}
    return bool(parsed.tags) and kinds <= {"WORD"}


def _agreement(parsed: ParseResult, proposal: Proposal | None, home: Home) -> float:
    """How much the proposer believes in a parse: the score of its first command's intent."""
    if proposal is None or parsed.utterance is None:
        return 0.0
    for move in parsed.utterance.moves:
        if isinstance(move, Command):
            return proposal.score_of(intent_of(move, home)["name"])
    return 0.0


def correct_typos(parser: UtteranceParser, tags: tuple[Tag, ...] | list[Tag]
                  ) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The words with unknown ones replaced by the closest known name or word, if close."""
    vocabulary = parser.tagger.vocabulary
    known = set(vocabulary)
    words: list[str] = []
    corrections: list[tuple[str, str]] = []
    skip = False
    for index, tag in enumerate(tags):
        if skip:
            skip = False
            continue
        following = tags[index + 1] if index + 1 < len(tags) else None
        if following is not None and "WORD" in (tag.kind, following.kind) \
                and tag.text + following.text in known:
            # "bed room" -> "bedroom"
            joined = tag.text + following.text
            corrections.append((f"{tag.text} {following.text}", joined))
            words.append(joined)
            skip = True
            continue
        if tag.kind == "WORD" and len(tag.text) >= 4 and tag.text.isalpha():
            close = difflib.get_close_matches(tag.text, vocabulary, n=1, cutoff=0.75)
            if close and close[0] != tag.text:
                corrections.append((tag.text, close[0]))
                words.append(close[0])
                continue
        words.append(tag.text if tag.kind != "COMMA" else ",")
    return " ".join(words), tuple(corrections)


def drop_noise_words(tags: tuple[Tag, ...] | list[Tag]) -> tuple[str, tuple[str, ...]]:
    """The words without the unknown ones that are noise ("can the lights be changed to
    green", "dim all interior lights"). An unknown word after a preposition ("in the attic")
    names a place the home does not have, and one that ends a noun phrase ("the jacuzzi")
    names a device it does not have: those are kept, so the command fails honestly rather
    than acting on something else."""
    kept: list[str] = []
    dropped: list[str] = []
    for index, tag in enumerate(tags):
        before = [t.kind for t in tags[max(0, index - 2) : index]]
        after = tags[index + 1].kind if index + 1 < len(tags) else None
        placed = "PREP" in before and all(k in ("PREP", "DET", "WORD") for k in before)
        # "turn on the jacuzzi": a word ending a phrase that a determiner began is what the
        # phrase is about; "the christmas lights": a word before a noun names which (all 16
        # lights are not what was meant); "all interior lights": after "all", a word before
        # a noun only describes them.
        head = bool(before) and (before[-1] == "DET" or (
            before[-1] == "QUANT" and after != "NOUN")) and after not in (
            "NAME", "WORD", "ONE", "AREA")
        played = bool(before) and before[-1] == "V_PLAY"  # "play jazz": what to play
        if tag.kind == "WORD" and not placed and not head and not played:
            dropped.append(tag.text)
            continue
        kept.append(tag.text if tag.kind != "COMMA" else ",")
    return " ".join(kept), tuple(dropped)


def fallback_move(proposal: Proposal, tags: list[Tag],
                  name_words: frozenset[str] = frozenset()) -> Move | None:
    """A move from the proposer's intent and the targets and values found in the words.

    Unknown words are kept only when they are part of some device's name ("brew some
    coffee" -> the Coffee Maker); the rest are noise to this reading.
    """
    intent = proposal.intent
    transformer = _ToLogicalForm(tags)
    # What follows "except", "but not", "leave" or a "not" after the target is kept out,
    # never acted on.
    cut = next((i for i, t in enumerate(tags) if t.kind in ("EXCEPT", "LEAVE") or (
        t.kind == "BUT" and i + 1 < len(tags) and tags[i + 1].kind == "NOT") or (
        t.kind == "NOT" and any(u.kind in _TARGET_KINDS for u in tags[:i]))), len(tags))
    kept = [Token(t.kind, t.text, start_pos=i) for i, t in enumerate(tags)
            if (t.kind in _TARGET_KINDS or (t.kind == "WORD" and t.text in name_words))
            and not _dummy_it(tags, i)]
    tokens = [t for t in kept if int(t.start_pos or 0) < cut]
    excluded = [t for t in kept if int(t.start_pos or 0) >= cut]
    obj: _Obj = transformer.obj(tokens) if tokens else _Obj(Target())
    target = obj.target
    if excluded:
        target = replace(target, exclude=transformer.obj(excluded).target)
    if not (target.names or target.domains or target.entity_ids) and proposal.domain != "none":
        target = target.merged(Target(domains=(proposal.domain,)))
    negated = any(t.kind == "NEG" for t in tags)
    value = _value(tags)
    if intent == "HassNevermind":
        return Undo()
    if intent in ("HassGetState", "HassClimateGetTemperature"):
        state = next((t.text for t in tags if t.kind == "STATE"), None)
        quantity = obj.quantity or ("temperature" if intent == "HassClimateGetTemperature"
                                    else None)
        if not (tokens or state or quantity):
            return None  # "not all the way": no word of anything to ask about
        return Query(target=target, state=state, quantity=quantity)
    action = _ACTIONS.get(intent)
    if action is None:
        return None
    first = next((t for t in tags if t.kind not in ("FILLER", "COMMA")), None)
    if first is not None and first.kind in ("IS", "WHAT", "WHERE") and first.text != "how":
        # "is the coffee ready", "are the lights dimmed": a question is not a command, whatever
        # the proposer heard in it; it asks how the devices are ("how would I start the
        # vacuum" asks for it to be done; "how do I" is a filler of the lexicon)
        return Query(target=target)
    attribute = obj.attributes[0] if obj.attributes else None
    if action is Action.SET:
        if value is None:
            return None
        attribute = _SET_ATTRIBUTES.get(intent) or attribute or (
            Attribute.COLOR if value.text else Attribute.BRIGHTNESS)
    if action in (Action.INCREASE, Action.DECREASE) and attribute is None:
        attribute = _STEP_ATTRIBUTES.get(proposal.domain)
        value = None
    # A time said with it ("wake me up at 7 am") is kept, so the rules refuse it as they do
    # a parsed command said for later.
    when = next((t.text for t in tags if t.kind == "LATER"), None)
    # ... and so is a condition ("unless it's playing"), for the rules to check.
    condition = next((read_if_clause(t.text) for t in tags if t.kind == "CONDITION"), None)
    return Command(action=action, target=target, value=value, attribute=attribute,
                   negated=negated, when=when, condition=condition)


def _dummy_it(tags: list[Tag], index: int) -> bool:
    """The "it" of "it's too dark in here" stands for nothing that was said before."""
    return tags[index].kind == "IT" and index + 1 < len(tags) and tags[index + 1].kind == "IS"


def _value(tags: list[Tag]) -> Value | None:
    for index, tag in enumerate(tags):
        if tag.kind == "NUMBER":
            unit = tags[index + 1].text if index + 1 < len(tags) and \
                tags[index + 1].kind == "UNIT" else None
            return Value(number=float(tag.text), unit=unit)
        if tag.kind == "COLOR":
            return Value(text=tag.text)
        if tag.kind == "EXTREME":
            return Value(extreme="min" if any(w in tag.text for w in ("min", "low", "bottom",
                                                                     "dim")) else "max")
    return None
