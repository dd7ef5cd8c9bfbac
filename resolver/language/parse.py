"""Text -> logical form: tag the words, parse the tokens (lark, LALR), transform the tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedInput, VisitError
from lark.lexer import Lexer

from ..home import Home
from ..logical_form import (
    DATE,
    ELSE,
    EVERYTHING,
    IMPLIED_DOMAINS,
    OPPOSED,
    OTHERS,
    TIME,
    WHERE,
    Action,
    Again,
    Answer,
    Attribute,
    Command,
    Fragment,
    Move,
    Query,
    Recap,
    Repair,
    Target,
    Undo,
    Utterance,
    Value,
)
from ..match import match_targets
from .tagger import Lexicon, Tag, Tagger, read_if_clause
from .vocabulary import COLOR_TEMPS, DOERS, HVAC_MODES, MODE_NOUNS, NOUNS, ORDINALS, TOO

GRAMMAR_DIR = Path(__file__).resolve().parent.parent.parent / "grammars"

_ATTRIBUTES = {
    "brightness": Attribute.BRIGHTNESS,
    "light level": Attribute.BRIGHTNESS,
    "level": Attribute.BRIGHTNESS,
    "color": Attribute.COLOR,
    "colour": Attribute.COLOR,
    "color temperature": Attribute.COLOR_TEMP,
    "colour temperature": Attribute.COLOR_TEMP,
    "temperature": Attribute.TEMPERATURE,
    "temp": Attribute.TEMPERATURE,
    "heat": Attribute.TEMPERATURE,
    "target temperature": Attribute.TEMPERATURE,
    "setpoint": Attribute.TEMPERATURE,
    "set point": Attribute.TEMPERATURE,
    "volume": Attribute.VOLUME,
    "position": Attribute.POSITION,
    "speed": Attribute.SPEED,
    "percentage": Attribute.SPEED,
}
_STATUS_WORDS = frozenset({"status", "state"})
"""Attribute words that ask how a device is, not a quantity of it."""
_MAX_WORDS = ("max", "maximum", "highest", "full", "top", "brightest", "full blast",
              "all the way up", "full brightness")
_COMPARATIVES = {
    "brighter": (Action.INCREASE, Attribute.BRIGHTNESS),
    "lighter": (Action.INCREASE, Attribute.BRIGHTNESS),
    "dimmer": (Action.DECREASE, Attribute.BRIGHTNESS),
    "darker": (Action.DECREASE, Attribute.BRIGHTNESS),
    "louder": (Action.INCREASE, Attribute.VOLUME),
    "quieter": (Action.DECREASE, Attribute.VOLUME),
    "softer": (Action.DECREASE, Attribute.VOLUME),
    "faster": (Action.INCREASE, Attribute.SPEED),
    "slower": (Action.DECREASE, Attribute.SPEED),
    "warmer": (Action.INCREASE, Attribute.TEMPERATURE),
    "hotter": (Action.INCREASE, Attribute.TEMPERATURE),
    "cooler": (Action.DECREASE, Attribute.TEMPERATURE),
    "colder": (Action.DECREASE, Attribute.TEMPERATURE),
    "higher": (Action.INCREASE, None),
    "lower": (Action.DECREASE, None),
    "less": (Action.DECREASE, None),  # "a bit less", "no, less": of what was last changed
}
_COMPARATIVES.update({f"too {said}": _COMPARATIVES[meant] for said, meant in TOO.items()})
# Verbs whose action does not depend on particles or values.
_FIXED_VERBS = {
    "V_ON": Action.TURN_ON,
    "V_LIGHT": Action.TURN_ON,
    "V_OFF": Action.TURN_OFF,
    "V_LOCK": Action.LOCK,
    "V_UNLOCK": Action.UNLOCK,
    "V_STOP": Action.STOP,
    "V_PAUSE": Action.PAUSE,
    "V_MUTE": Action.MUTE,
    "V_UNMUTE": Action.UNMUTE,
    "V_CLEAN": Action.START,
    "V_DOCK": Action.RETURN_HOME,
    "V_TOGGLE": Action.TOGGLE,
    "V_NEXT": Action.NEXT,
    "V_PREV": Action.PREVIOUS,
    "V_OPEN": Action.OPEN,
    "V_CLOSE": Action.CLOSE,
}
_LARGE_DEGREES = frozenset({"a lot", "lot", "much", "way"})
"""Degree words that make a step a large one ("a lot brighter", "turn it up a lot")."""
# Verbs that, without a value, step up or down ("turn up the heat", "dim the lights").
_STEP_VERBS = {"V_UP": Action.INCREASE, "V_BRIGHTEN": Action.INCREASE,
               "V_DOWN": Action.DECREASE, "V_DIM": Action.DECREASE}
SAID_ACTIONS = {**_FIXED_VERBS, **_STEP_VERBS, "V_PLAY": Action.PLAY}
"""The action each verb says on its own, whatever else the clause holds."""
# Verbs that, with a value, set it ("turn on the lamp at 50%", "open the blinds to 30").
_SETTING_VERBS = frozenset({"V_ON", "V_LIGHT", "V_SET", "V_UP", "V_DOWN", "V_DIM",
                            "V_BRIGHTEN", "V_OPEN", "V_CLOSE"})
_LOWERING_VERBS = frozenset({"V_DOWN", "V_DIM", "V_CLOSE"})
"""Verbs that say a value set is lower than before ("dim the lamp to 10")."""
_PARTICLES = {"ON": Action.TURN_ON, "OFF": Action.TURN_OFF, "UP": Action.INCREASE,
              "DOWN": Action.DECREASE}
_STATE_WORDS = {"ON": "on", "OFF": "off", "UP": "open", "DOWN": "closed"}
SENSING_SOMEONE = ("motion", "occupancy", "presence")
"""Device classes of the binary sensors that say whether someone is there."""
DETECTED = "detected"
"""The state asked of them."""
_ACTIVITIES = {"cleaning": "vacuum", "playing": "media_player", "watering": "valve"}
"""What a state word names when a verb acts on it ("stop cleaning", "pause playing"): the
domain of the devices that do it. Other states ("stop locked") say no target."""
_REACHED = {"locked": Action.LOCK, "unlocked": Action.UNLOCK, "open": Action.OPEN,
            "opened": Action.OPEN, "closed": Action.CLOSE, "shut": Action.CLOSE}
"""The action that leaves a device in a state said after "keep", "leave" or "set ... to"."""
_STATE_AFTER = {Action.LOCK: "locked", Action.UNLOCK: "unlocked", Action.OPEN: "open",
                Action.CLOSE: "closed", Action.TURN_ON: "on", Action.TURN_OFF: "off",
                Action.PAUSE: "paused", Action.PLAY: "playing", Action.START: "cleaning",
                Action.RETURN_HOME: "docked"}
"""The state a command leaves a device in, which "did you ..." asks about."""
_VACUUM_VERBS = frozenset({"V_CLEAN", "V_DOCK"})
"""Verbs that say the vacuum is meant, wherever they stand ("start cleaning the house")."""
_POSSESSIVES = {"its": "it", "their": "them"}
"""Determiners that say whose ("its brightness"): the reference they stand for."""
_LEVELS = {"low": 33.0, "medium": 66.0, "high": 100.0}
"""Percent a level word stands for (a three-speed fan's steps)."""
_QUANTITY_QUESTIONS = {"how warm is": "temperature", "how cold is": "temperature",
                       "how hot is": "temperature", "how humid is": "humidity",
                       "how bright is": "brightness", "how loud is": "volume",
                       "how bright are": "brightness", "how loud are": "volume",
                       "how warm are": "temperature", "how hot are": "temperature",
                       "is it warm": "temperature", "is it cold": "temperature",
                       "is it hot": "temperature", "is it chilly": "temperature",
                       "is it humid": "humidity"}
"""Question words that say what is asked for ("is it warm outside" is answered with the
reading: how warm is warm is the asker's to judge)."""
_CHANNELS = frozenset({"channel", "station"})
"""Media words whose up and down are the next and previous one ("channel up")."""


class NotUnderstood(Exception):
    """The words parse but say no action ("turn the kitchen")."""


class Contradiction(NotUnderstood):
    """The words say two opposite actions ("turn on the light off"): nothing may guess one."""


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The outcome of parsing one utterance."""

    utterance: Utterance | None
    """The logical form, or None when the grammar does not cover the words."""
    tags: tuple[Tag, ...]
    """What the grammar read, one tag a token."""
    error: str | None = None
    """Why it did not parse."""
    contradiction: bool = False
    """The words say opposite actions, so no reading of them should be acted on."""
    tree: str = ""
    """The parse tree, pretty-printed, for the trace."""

    @property
    def symbols(self) -> str:
        """The tokens as ``CLASS:words``, for the trace."""
        return " ".join(f"{t.kind}:{t.text}" if t.kind != "WORD" else t.text
                        for t in self.tags)

    @property
    def content(self) -> str:
        """The words without fillers and commas ("um, movie time" -> "movie time"), read or
        not: what a rule's ``said "..."`` is compared with."""
        return " ".join(t.text for t in self.tags if t.kind not in ("FILLER", "COMMA"))


_THANKS = frozenset({"thanks", "thank you", "thank you very much", "cheers", "thx", "ta",
                     "many thanks"})
_ACKNOWLEDGEMENTS = frozenset({"ok", "okay", "perfect", "great", "awesome", "nice", "good",
                               "lovely", "brilliant", "excellent", "wonderful", "fine",
                               "alright", "amazing", "sweet", "fantastic"})
"""Not "cool": alone, it may be the thermostat's mode."""
_GREETINGS = frozenset({"hello", "hi", "hey", "hiya", "howdy"})
_COURTEOUS = _ACKNOWLEDGEMENTS | _GREETINGS | {"there"}
"""The words a courtesy may be made of, beside fillers ("hi there", "okay, great")."""


def courtesy(tags: tuple[Tag, ...] | list[Tag]) -> str | None:
    """``thanks`` for "thanks", "perfect, thank you"; ``acknowledgement`` for "great",
    "okay", "that's fine"; ``greeting`` for "hello", "hi there"; None when the words say
    anything else. Such a turn asks for nothing."""
    said = {t.text for t in tags}
    if not tags or not all(t.kind in ("FILLER", "COMMA", "SEP", "DEGREE")
                           or (t.kind in ("IT", "IS") and t.text in ("that", "it", "is"))
                           or t.text in _COURTEOUS for t in tags):
        return None
    if said & _THANKS:
        return "thanks"
    if said & _ACKNOWLEDGEMENTS:
        return "acknowledgement"
    return "greeting" if said & _GREETINGS else None


_NAMED_HEADS = frozenset({"NOUN", "NAME", "AREA", "FLOOR", "ONE", "MEDIA", "ATTR", "HOUSE",
                          "BASE", "EVERYWHERE", "HERE", "NEXT", "PREVIOUS", "STATE"})
"""What a determiner can determine, of the words the tagger knows; a second target starts
with a determiner after one of these."""
_HEADS = _NAMED_HEADS | {"WORD"}
"""What a determiner can determine."""
_BEFORE_HEAD = frozenset({"PART", "NUMBER", "COLOR"})
"""What may come between a determiner and its head ("the two lamps", "my red light")."""
_PARTICLE_WORDS = frozenset({"on", "off", "up", "down"})
_CLAUSE_BREAKS = frozenset({"SEP", "COMMA", "LEAVE", "EXCEPT", "BUT"})
_DEVICES = frozenset({"NAME", "NOUN"})


def ill_formed(tags: tuple[Tag, ...] | list[Tag]) -> int:
    """How many places of ``tags`` no careful speaker says, though the grammar reads them:
    a determiner with nothing to determine ("lock the it", "turn the the lamp on", "make the
    off", "change our all the fans"), a second target run on from the first without a word
    between ("the lights downstairs the hallway"), a particle after a verb that has one
    ("turn off the lights upstairs up the night light", "knock off on the lights"; "turn up
    the volume on the TV" says where), a verb between two devices ("the front door lock turn
    off the porch light": "if ... is unlocked" lost; "the porch light, turn it off" and "the
    lights turn off in the kitchen" are well said).

    Typed text is read all the same; the listener prefers the transcripts without them
    (:mod:`resolver.speech.listen`): a speech path that missed words ("but not", "leave")
    can leave words the permissive grammar still reads."""
    count = 0
    particle = target = False
    # This clause began with a device, before any verb; then its first verb came.
    leading = verb_after_leading = verb_seen = False
    for i, tag in enumerate(tags):
        target = target or tag.kind in _HEADS
        if tag.kind in _DEVICES:
            count += verb_after_leading
            verb_after_leading = False
            leading = leading or not verb_seen
        if tag.kind == "DET":
            head = next((t.kind for t in tags[i + 1:] if t.kind not in _BEFORE_HEAD), None)
            run_on = i > 0 and tags[i - 1].kind in _NAMED_HEADS
            count += head not in _HEADS or run_on
        elif tag.kind.startswith("V_"):
            words = tag.text.split()
            particle = len(words) > 1 and words[-1] in _PARTICLE_WORDS
            target = False
            verb_after_leading = leading and not verb_seen
            verb_seen = True
        elif tag.kind in _CLAUSE_BREAKS:
            particle = leading = verb_after_leading = verb_seen = False
        elif tag.kind in ("ON", "OFF", "UP", "DOWN") and particle:
            after = tags[i + 1].kind if i + 1 < len(tags) else None
            count += not (target and tag.kind == "ON" and after in ("DET", "QUANT", "NAME",
                                                                    "AREA"))
    return count


class _TagLexer(Lexer):
    """Hands the tagger's tokens to lark unchanged."""

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, data: list[Token]) -> Iterator[Token]:  # type: ignore[override]
        yield from data


@cache
def utterance_grammar(grammar_dir: str) -> Lark:
    """The compiled utterance grammar (compiled once per process)."""
    return Lark.open(str(Path(grammar_dir) / "utterance.lark"), parser="lalr",
                     lexer=_TagLexer)


@cache
def lexicon(grammar_dir: str) -> Lexicon:
    """The word classes of ``grammar_dir``/lexicon.txt."""
    return Lexicon.from_file(Path(grammar_dir) / "lexicon.txt")


PARSES_KEPT = 512
"""Texts whose parse each parser keeps."""


class UtteranceParser:
    """Parses utterances about one home."""

    def __init__(self, home: Home, grammar_dir: str | Path | None = None) -> None:
        directory = str(grammar_dir or GRAMMAR_DIR)
        self.home = home
        self.lexicon = lexicon(directory)
        self.tagger = Tagger(home, self.lexicon)
        self.lark = utterance_grammar(directory)
        # A spoken turn's transcript is read when the listener scores it, when the rules try
        # it in the dialog and when it is resolved: the same text, the same (frozen) result.
        self._parsed = lru_cache(maxsize=PARSES_KEPT)(self._parse_text)

    def parse(self, text: str) -> ParseResult:
        """Parse ``text``; a failure is a value with the reason, never an exception."""
        return self._parsed(text)

    def _parse_text(self, text: str) -> ParseResult:
        tags = self.tagger.tag(text)
        if not tags:
            return ParseResult(None, (), "nothing was said")
        result = self._parse(tags)
        if result.utterance is None and any(t.kind == "COMMA" for t in tags):
            # Commas are optional punctuation: try again without them.
            retry = self._parse([t for t in tags if t.kind != "COMMA"])
            if retry.utterance is not None:
                return retry
        return result

    def _parse(self, tags: list[Tag]) -> ParseResult:
        try:
            tree = self.lark.parse(self.tagger.tokens(tags))  # type: ignore[arg-type]
            moves = _ToLogicalForm(tags).transform(tree)
        except UnexpectedInput as err:
            return ParseResult(None, tuple(tags), _describe(err, tags))
        except VisitError as err:
            if isinstance(err.orig_exc, NotUnderstood):
                return ParseResult(None, tuple(tags), str(err.orig_exc),
                                   contradiction=isinstance(err.orig_exc, Contradiction))
            raise
        except LarkError as err:
            return ParseResult(None, tuple(tags), f"not understood ({err})")
        moves = self._listed_exceptions(moves)
        if len(moves) > 1 and any(isinstance(m, Repair) and m.target is None
                                  and m.value is None for m in moves):
            # (alone, "not the floor lamp" leaves it out of the last command)
            return ParseResult(None, tuple(tags), "not which one, and which one instead?")
        read = ParseResult(None, tuple(tags))
        utterance = Utterance(tuple(moves), " ".join(t.text for t in tags), read.content)
        return replace(read, utterance=utterance, tree=tree.pretty())

    def _listed_exceptions(self, moves: list[Move]) -> list[Move]:
        """"all the lights except the kitchen and the hallway": a bare target right after an
        exclusion, of the kind the command acts on, is excluded too, not acted on ("... except
        the kitchen, and the TV" still turns the TV off). A lone "not X" right after a command
        ("turn off the lights, not the porch light") is left out of it, and an exclusion
        ending a second part ("... in the kitchen and the living room except the floor
        lamp") is the whole command's."""
        out: list[Move] = []
        for move in moves:
            last = out[-1] if out else None
            if not isinstance(last, Command):
                out.append(move)
                continue
            if isinstance(move, Fragment) and move.marker is None and move.quantity is None \
                    and last.target.exclude is not None \
                    and self._within(move.target, last.target):
                out[-1] = _also_excluding(last, move.target)
                continue
            if isinstance(move, Repair) and move.target is None and move.value is None \
                    and move.replaced is not None and not last.negated:
                out[-1] = _also_excluding(last, move.replaced)
                continue
            if isinstance(move, Fragment) and move.target.exclude is not None:
                out[-1] = _also_excluding(last, move.target.exclude)
            out.append(move)
        return out

    def _within(self, part: Target, whole: Target) -> bool:
        """``part`` names places, or devices of the kinds ``whole`` is about."""
        if part.reference or part.everywhere or part.words or part.entity_ids:
            return False
        if not whole.domains:
            return not (part.names or part.domains)
        domains = set(part.domains)
        if part.names:
            named = match_targets(self.home, Target(names=part.names))
            domains |= {self.home.entities[e].domain for e in named.entities}
        return domains <= set(whole.domains)


def _also_excluding(command: Command, excluded: Target) -> Command:
    """``command`` with ``excluded`` left out as well."""
    exclude = command.target.exclude
    exclude = excluded if exclude is None else exclude.merged(excluded)
    return replace(command, target=replace(command.target, exclude=exclude))


def _describe(err: UnexpectedInput, tags: list[Tag]) -> str:
    token = getattr(err, "token", None)
    if isinstance(token, Token) and token.type != "$END":
        index = token.start_pos if isinstance(token.start_pos, int) else 0
        rest = " ".join(t.text for t in tags[index : index + 3])
        return f"not understood from '{rest}' on"
    return "not understood: the sentence stops short"


# -- the transformer -----------------------------------------------------------------


@dataclass(slots=True)
class _Obj:
    """A run of target words, with the hints it carries besides the target."""

    target: Target
    attributes: list[Attribute] = field(default_factory=list)
    quantity: str | None = None
    direction: str | None = None
    """``next`` or ``previous`` when a track was named ("the last song")."""
    media: bool = False
    channel: bool = False
    """A channel or station was named: up and down are the next and previous one."""
    any: bool = False
    """"any", "either" or "anything" was said ("are any lights on")."""
    indefinite: bool = False
    """"a" or "an" was said ("is a window open": asked of any of them)."""
    position: int | None = None
    """A place in a list it named ("the second one", "the last one"), from 0; -1 is last."""
    tokens: tuple[Token, ...] = ()
    """The words it was read from."""


@dataclass(frozen=True, slots=True)
class _Word:
    """A token kept for the clause to interpret (a verb, a particle ...)."""

    kind: str
    text: str
    large: bool = False
    """A comparative said as a big change ("a lot brighter", "much louder")."""


@dataclass(frozen=True, slots=True)
class _By:
    value: Value


@dataclass(frozen=True, slots=True)
class _Plain:
    """A value said without "to" ("turn the heat down 2 degrees"): after "up" or "down" it
    is how far, not where to."""

    value: Value


@dataclass(frozen=True, slots=True)
class _DownTo:
    """A value said after "down" ("turn the volume down to 20"): where to, and lower."""

    value: Value


@dataclass(frozen=True, slots=True)
class _Excluded:
    target: Target


class _LeftAsItIs:
    """A clause that asks for nothing to be done ("and leave the rest on"): dropped."""


@dataclass(frozen=True, slots=True)
class _Unfinished:
    """"turn the TV" of "turn the TV and the fan off": a target whose action the next
    clause says."""

    target: Target


class _ToLogicalForm(Transformer[Token, list[Move]]):
    """Parse tree -> moves."""

    def __init__(self, tags: list[Tag]) -> None:
        super().__init__()
        self.tags = tags
        self.verbless: set[int] = set()
        """``id`` of the commands said with a particle and no verb ("... and off in the
        kitchen")."""

    def _tag(self, token: Token) -> Tag:
        return self.tags[int(token.start_pos or 0)]

    def start(self, children: list[Any]) -> list[Move]:
        said = [m for c in children for m in (c if isinstance(c, list) else [c])]
        moves = [c for c in said if isinstance(c, (Command, Query, Undo, Again, Repair,
                                                    Fragment, Answer, Recap, _Unfinished))]
        if not moves and any(isinstance(c, _LeftAsItIs) for c in said):
            return [Answer(yes=True)]  # "leave the rest on": "Okay."
        for i in range(len(moves) - 1, -1, -1):
            move = moves[i]
            if isinstance(move, _Unfinished):
                after = moves[i + 1] if i + 1 < len(moves) else None
                if not (isinstance(after, Command) and id(after) in self.verbless):
                    raise NotUnderstood("no action was said")
                # "turn the TV and the fan off": the TV off too
                moves[i] = after.with_target(move.target)
        for i, move in enumerate(moves):
            before = moves[i - 1] if i else None
            if id(move) in self.verbless and isinstance(move, Command) and move.target.empty \
                    and isinstance(before, Command) and _about(before.target, move.attribute):
                # "turn the porch light off and back on": the same target again (and "turn
                # the TV up and the volume down" the TV's, but "... and the heat down" is
                # the thermostat's)
                moves[i] = move.with_target(before.target)
            elif isinstance(move, Command) and move.target.reference in (OTHERS, ELSE) \
                    and isinstance(before, (Command, Query)) and move.target.exclude is None:
                # "keep the porch light on but turn off the others", "... everything else":
                # all but what was just named (the rules find which those are)
                moves[i] = move.with_target(replace(
                    move.target, exclude=replace(before.target, exclude=None)))
            elif isinstance(move, Fragment) and move.target.reference in (OTHERS, ELSE) \
                    and isinstance(before, Command) and move.target.exclude is None:
                # "turn off the bedroom light and the rest": the same done to the others
                moves[i] = before.with_target(replace(
                    move.target, exclude=replace(before.target, exclude=None)))
            elif id(move) in self.verbless and isinstance(before, Command) \
                    and _only_a_place(move.target) and before.target.domains:
                # "turn the lights on in the bedroom and off in the kitchen": the kitchen's
                # lights
                kind = before.target
                moves[i] = move.with_target(move.target.merged(Target(
                    domains=kind.domains, device_classes=kind.device_classes,
                    nouns=kind.nouns, plural=kind.plural)))
        if len(moves) == 1 and _names_nothing_new(moves[0]):
            # "the", "in a", "it": alone, no request (noise transcribed, a slip of the
            # keyboard), not the last command again
            raise NotUnderstood("nothing was asked")
        return _one_condition_for_all(moves)

    # -- targets ---------------------------------------------------------------------

    def obj(self, tokens: list[Token]) -> _Obj:
        names: list[str] = []
        areas: list[str] = []
        floors: list[str] = []
        domains: list[str] = []
        classes: list[str] = []
        nouns: list[str] = []
        extra: list[str] = []
        out = _Obj(Target())
        plural = quantified = part = everywhere = here = one = False
        reference: str | None = None
        possessive: str | None = None
        for index, token in enumerate(tokens):
            tag = self._tag(token)
            kind = token.type
            if tag.text in ORDINALS and kind in ("ORDINAL", "PREVIOUS"):
                out.position = ORDINALS[tag.text]
            if kind == "DET" and tag.text in _POSSESSIVES:
                possessive = tag.text
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if kind == "NOUN" and after is not None and after.type == "NOUN" and _describes(
                    tag.text, self._tag(after).text):
                # "the door lights": the last noun of a compound names the kind, the ones
                # before it describe which (lights called door ..., not doors and lights)
                extra.append(tag.text)
            elif kind == "NAME":
                names.append(tag.text)
            elif kind == "AREA":
                areas.extend(tag.ids)
            elif kind == "FLOOR":
                floors.extend(tag.ids)
            elif kind == "NOUN":
                noun = NOUNS[tag.text]
                domains.extend(d for d in noun.domains if d not in domains)
                classes.extend(c for c in noun.device_classes if c not in classes)
                nouns.append(tag.text)
                plural = plural or noun.plural
            elif kind in ("HOUSE", "EVERYWHERE"):
                everywhere = True
            elif kind == "HERE":
                here = True
            elif kind == "QUANT":
                quantified = True
                out.any = out.any or tag.text in ("any", "either", "anything")
            elif kind == "DET" and tag.text in ("a", "an"):
                out.indefinite = True
            elif kind == "PART":
                part = True
            elif kind == "IT":
                reference = tag.text
            elif kind == "OTHERS":
                reference = ELSE if tag.text.endswith("else") else OTHERS
            elif kind == "ONE":
                one = True
            elif kind == "WORD":
                extra.append(tag.text)
            elif kind == "ATTR":
                attribute = _ATTRIBUTES.get(tag.text)
                if attribute is not None:
                    out.attributes.append(attribute)
                out.quantity = tag.text
            elif kind == "MEDIA":
                out.media = True
                out.channel = out.channel or tag.text in _CHANNELS
            elif kind == "NEXT":
                out.direction = "next"
            elif kind == "PREVIOUS":
                out.direction = "previous"
        if possessive and reference is None and not (
                names or areas or floors or domains or nouns or extra or everywhere or here):
            # "what's its brightness", "set their brightness to 40%": of what "it" or "them"
            # stands for
            reference = _POSSESSIVES[possessive]
        both = reference == "both of them" or any(
            t.type == "QUANT" and self._tag(t).text == "both" for t in tokens)
        if both and (reference is not None or not (names or areas or floors or here
                                                    or everywhere)):
            # "turn them both off", "turn both lights off": two things talked about, not
            # every light of the home
            reference = "both"
        out.target = Target(
            names=tuple(names), areas=tuple(areas), floors=tuple(floors), domains=tuple(domains),
            device_classes=tuple(classes), nouns=tuple(nouns), plural=plural, all=quantified,
            part=part, everywhere=everywhere, here=here, reference=reference, one=one, words=tuple(extra),
        )
        out.tokens = tuple(tokens)
        return out

    # -- values and other parts --------------------------------------------------------

    def value(self, tokens: list[Token]) -> Value:
        first = tokens[0]
        tag = self._tag(first)
        if first.type == "NUMBER":
            said = self._tag(tokens[1]) if len(tokens) > 1 else None
            return Value(number=float(tag.text), unit=said.text if said else None,
                         scale=said.ids[0] if said and said.ids else None)
        if first.type == "LEVEL":
            return Value(number=_LEVELS[tag.text], unit="percent")  # "set the fan to high"
        if first.type == "EXTREME":
            return Value(extreme="max" if tag.text.removeprefix("the ") in _MAX_WORDS else "min")
        return Value(text=tag.text)

    def value_part(self, children: list[Any]) -> Value | _Plain | _DownTo:
        value = next(c for c in children if isinstance(c, Value))
        if any(isinstance(c, Token) and c.type == "DOWN" for c in children):
            return _DownTo(value)
        said_to = any(isinstance(c, Token) and c.type == "TO" for c in children)
        return value if said_to or value.number is None else _Plain(value)

    def by_part(self, children: list[Any]) -> _By:
        return _By(next(c for c in children if isinstance(c, Value)))

    def verb(self, tokens: list[Token]) -> _Word:
        return _Word(tokens[0].type, self._tag(tokens[0]).text)

    def particle(self, tokens: list[Token]) -> _Word:
        return _Word(tokens[0].type, self._tag(tokens[0]).text)

    def want(self, tokens: list[Token]) -> _Word:
        return _Word("WANT", self._tag(tokens[0]).text)

    def later(self, tokens: list[Token]) -> _Word:
        return _Word("LATER", self._tag(tokens[0]).text)

    def condition(self, tokens: list[Token]) -> _Word:
        return _Word("CONDITION", self._tag(tokens[0]).text)

    def activity(self, tokens: list[Token]) -> _Word:
        return _Word("ACTIVITY", self._tag(tokens[0]).text)

    def comparative(self, tokens: list[Token]) -> _Word:
        return _Word("COMPARATIVE", self._tag(tokens[-1]).text,
                     large=any(self._large(t) for t in tokens[:-1]))

    def _large(self, token: Any) -> bool:
        """A degree word of a big change: "a lot", "much", "way"."""
        return isinstance(token, Token) and token.type == "DEGREE" \
            and self._tag(token).text in _LARGE_DEGREES

    def exclusion(self, children: list[Any]) -> _Excluded:
        objs = [c for c in children if isinstance(c, _Obj)]
        return _Excluded(_merge_objs(objs).target)

    def neg(self, tokens: list[Token]) -> _Word:
        return _Word("NEG", "not")

    def objection(self, tokens: list[Token]) -> _Word:
        return _Word("OBJECTION", self._tag(tokens[0]).text)

    def no_neg(self, tokens: list[Token]) -> list[_Word]:
        return [_Word("OBJECTION", "no"), _Word("NEG", "not")]

    # -- moves ---------------------------------------------------------------------------

    def command(self, children: list[Any]) -> Command | Query | list[Command]:
        flat: list[Any] = []
        for child in children:
            flat.extend(child if isinstance(child, list) else [child])
        second = _second_clause(flat)
        if second:
            # "turn on the kitchen light start the vacuum": two commands run together
            return [self._sized(_command(flat[:second]), flat[:second]),
                    self._sized(_command(flat[second:]), flat[second:])]
        verbs = [p for p in flat if isinstance(p, _Word) and p.kind.startswith("V_")]
        try:
            move = _verbless_question(flat) or self._sized(_command(flat), flat)
        except NotUnderstood:
            objs = [p for p in flat if isinstance(p, _Obj)]
            if [v.kind for v in verbs] == ["V_SET"] and objs and len(flat) == 2:
                return _Unfinished(objs[0].target)  # "turn the TV", "and the fan off"
            conditions = [p for p in flat if isinstance(p, _Word) and p.kind == "CONDITION"]
            if len(objs) == 1 and len(conditions) == 1 and len(flat) == 2:
                # "... and the lights unless the tv is playing": more of the last command,
                # on that condition
                return Fragment(objs[0].target, condition=read_if_clause(conditions[0].text))
            raise
        if isinstance(move, Command) and move.target.reference in (OTHERS, ELSE) \
                and verbs and verbs[0].text in ("leave", "keep"):
            return _LeftAsItIs()  # "turn off the porch light and leave the rest on"
        if not verbs:
            self.verbless.add(id(move))
        return move

    def _sized(self, command: Command, parts: list[Any]) -> Command:
        """A step said as a big change ("a lot brighter", "turn it up a lot") is a large
        one."""
        if command.action in (Action.INCREASE, Action.DECREASE) and command.value is None \
                and any(self._large(p) or (isinstance(p, _Word) and p.large) for p in parts):
            return replace(command, large=True)
        return command

    def query(self, children: list[Any]) -> Query:
        objs = [c for c in children if isinstance(c, _Obj)]
        if any(isinstance(c, Token) and c.type == "DID" for c in children):
            said = next((c for c in children if isinstance(c, Token) and c.type == "STATE"),
                        None)
            if said is None:  # "did you unlock the front door"
                return _done_query([c for c in children if not isinstance(c, Token)])
            # "have you locked the front door"
            return Query(target=_merge_objs(objs).target, state=self._tag(said).text)
        obj = _merge_objs(objs)
        if any(isinstance(c, Token) and c.type == "SOMEONE" for c in children):
            # "is anyone in the kitchen": whether its sensors of people sense someone (the
            # "on" of "on the porch" is where, not a state)
            return Query(target=obj.target.merged(Target(domains=("binary_sensor",),
                                                         device_classes=SENSING_SOMEONE)),
                         state=DETECTED, any=True)
        state: str | None = None
        for child in children:
            if isinstance(child, Token) and child.type == "STATE":
                state = self._tag(child).text
            elif isinstance(child, _Word) and child.kind in _STATE_WORDS:
                state = _STATE_WORDS[child.kind]
        if state is not None and " or " in state:
            state = None  # "is the kitchen light on or off": which of the two it is
        quantity = obj.quantity
        target = obj.target
        mode = _named_mode(target, quantity)
        if state == "on" and mode is not None:
            # "is the heating on", "is the heat on": is the thermostat heating
            state, quantity = mode, None
            target = target.merged(Target(domains=("climate",)))
        if quantity in _STATUS_WORDS:
            quantity = None  # "what's the status of the garage door": how it is
        if any(isinstance(c, _Word) and c.kind == "V_SET" for c in children):
            quantity = "setpoint"  # "what is the thermostat set to"
        if isinstance(children[0], Token) and children[0].type == "WHERE":
            quantity = WHERE  # "where is the vacuum"
        asked = self._tag(children[0]).text if isinstance(children[0], Token) else ""
        if asked in _QUANTITY_QUESTIONS and state is None:
            # "how hot is it": the temperature, and its "it" stands for nothing said before
            # ("how loud is it" is about what was)
            quantity = quantity or _QUANTITY_QUESTIONS[asked]
            if target.reference == "it" and quantity in ("temperature", "humidity"):
                target = replace(target, reference=None)
        # "what's on in the kitchen", "what lights are on": which of them are
        which = (state is not None and isinstance(children[0], Token)
                 and children[0].type == "WHAT")
        return Query(target=target, state=state,
                     attribute=obj.attributes[0] if obj.attributes
                     else _ATTRIBUTES.get(quantity or ""),
                     quantity=quantity, which=which,
                     # "is a window open": any of them, as "is any window open"
                     any=obj.any or which or (obj.indefinite and not target.names),
                     count=asked == "how many")

    def recap(self, children: list[Any]) -> Recap:
        return Recap()

    def clock(self, children: list[Any]) -> Query:
        said = self._tag(children[0]).text
        return Query(quantity=TIME if "time" in said.split() else DATE)

    def undo(self, children: list[Any]) -> Undo:
        return Undo()

    def again(self, children: list[Any]) -> Again:
        return Again(back=any(isinstance(c, Token) and c.type == "OVERDONE" for c in children))

    def repair(self, children: list[Any]) -> Repair:
        step = next((c for c in children if isinstance(c, _By)), None)
        if step is not None:
            return Repair(value=step.value, by=True)  # "by two degrees"
        objs = [c for c in children if isinstance(c, _Obj)]
        if any(isinstance(c, Token) and c.type == "UNDO" for c in children):
            return Repair(replaced=objs[0].target)  # "never mind the fan"
        if len(objs) == 1 and any(isinstance(c, Token) and c.type in ("NOT", "EXCEPT")
                                  for c in children):
            split = self._split(objs[0])
            if split is None:
                # "not the porch light" alone: what a command just said leaves out, or
                # nothing to read (see UtteranceParser._listed_exceptions)
                return Repair(replaced=objs[0].target)
            objs = split
        values = _values(children)
        if len(objs) == 2:
            return Repair(target=objs[1].target, replaced=objs[0].target)
        if values:
            return Repair(value=values[0])
        mode = _named_mode(objs[0].target, objs[0].quantity)
        if mode is not None:
            # "no, the heat", "actually heating": the thermostat's mode or the thermostat in
            # it; the dialog says which (resolver.rules.engine._mode_or_thermostat)
            return Repair(target=objs[0].target.merged(Target(domains=("climate",))),
                          value=Value(text=mode))
        return Repair(target=objs[0].target)

    def _split(self, obj: _Obj) -> list[_Obj] | None:
        """"not the bathroom the bedroom", said without the comma: the run of target words
        splits where a determiner starts the second target (None: it does not split)."""
        tokens = obj.tokens
        starts = [i for i in range(1, len(tokens))
                  if tokens[i].type == "DET" and tokens[i - 1].type != "DET"]
        if len(starts) != 1:
            return None
        first, second = self.obj(list(tokens[: starts[0]])), self.obj(list(tokens[starts[0]:]))
        # "except in the bedroom" is one target, not "in" and "the bedroom"
        return None if first.target.empty else [first, second]

    def fragment(self, children: list[Any]) -> Fragment | Command | Again:
        obj = next(c for c in children if isinstance(c, _Obj))
        if all(t.type == "AGAIN" for t in obj.tokens):
            return Again()  # "again", "once more"
        if obj.direction is not None and obj.media:
            return _command([obj])  # "next track", "previous song"
        marker = None
        for child in children:
            if isinstance(child, Token):
                marker = {"TOO": "too", "WHAT_ABOUT": "what about",
                          "SAME_FOR": "same for"}.get(child.type, marker)
        target = obj.target
        excluded = [c.target for c in children if isinstance(c, _Excluded)]
        if excluded:
            target = replace(target, exclude=excluded[0])
        return Fragment(target, marker, obj.quantity, obj.position)

    def answer(self, tokens: list[Token]) -> Answer:
        return Answer(yes=any(t.type == "YES" for t in tokens))

    def item(self, tokens: list[Token]) -> Value:
        return Value(text=" ".join(self._tag(t).text for t in tokens))

    def add_item(self, children: list[Any]) -> Command:
        item = next(c for c in children if isinstance(c, Value))
        obj = next(c for c in children if isinstance(c, _Obj))
        target = obj.target
        if "todo" not in target.domains:
            target = target.merged(Target(domains=("todo",)))
        return Command(Action.ADD_ITEM, target, item)

    def remove_item(self, children: list[Any]) -> Command:
        return replace(self.add_item(children), action=Action.REMOVE_ITEM)


def _describes(noun: str, head: str) -> bool:
    """Whether ``noun``, said right before the noun ``head``, describes a device of the
    head's kind ("door" in "the door lights") rather than naming the same kind twice ("the
    smart plug socket", "the lamp's light")."""
    return not set(NOUNS[noun].domains) & set(NOUNS[head].domains)


def _merge_objs(objs: list[_Obj]) -> _Obj:
    if not objs:
        return _Obj(Target())
    out = _Obj(objs[0].target, list(objs[0].attributes), objs[0].quantity, objs[0].direction,
               objs[0].media, objs[0].channel, objs[0].any, objs[0].indefinite)
    for obj in objs[1:]:
        out.target = out.target.merged(obj.target)
        out.attributes.extend(obj.attributes)
        out.quantity = out.quantity or obj.quantity
        out.direction = out.direction or obj.direction
        out.media = out.media or obj.media
        out.channel = out.channel or obj.channel
        out.any = out.any or obj.any
        out.indefinite = out.indefinite or obj.indefinite
    return out


def _verbless_question(parts: list[Any]) -> Query | None:
    """"any lights on?", "any lights on upstairs?" ask, as "are any lights on?" does: a clause
    with no verb that begins with "any" (or "either") and says nothing but on or off."""
    if not parts or not isinstance(parts[0], _Obj) or not parts[0].any:
        return None
    words = [p for p in parts if not isinstance(p, _Obj)]
    if len(words) != 1 or not isinstance(words[0], _Word) or words[0].kind not in ("ON", "OFF"):
        return None
    obj = _merge_objs([p for p in parts if isinstance(p, _Obj)])
    return Query(target=obj.target, state=_STATE_WORDS[words[0].kind], any=True)


def _done_query(parts: list[Any]) -> Query:
    """"did you unlock the front door": whether the devices are as the command leaves them."""
    command = _command(parts)
    state = _STATE_AFTER.get(command.action)
    if state is None:
        raise NotUnderstood(f"no state to ask about after {command.action.value}")
    return Query(target=command.target, state=state)


def _about(target: Target, attribute: Attribute | None) -> bool:
    """``attribute`` may be about ``target``: the kind of device it implies is among the
    target's, or either says no kind."""
    implied = IMPLIED_DOMAINS.get(attribute) if attribute is not None else None
    return not (implied and target.domains) or bool(set(implied) & set(target.domains))


def _names_nothing_new(move: Move) -> bool:
    """A fragment of function words or a bare pronoun ("the", "in a", "our", "it", "that"):
    no device, place or kind, no "too" or "what about", no count or place in a list."""
    if not isinstance(move, Fragment) or move.marker is not None or move.condition \
            or move.quantity is not None or move.position is not None:
        return False
    target = move.target
    pronoun = target.reference is None or target.reference in _OF_ITS_OWN
    return pronoun and replace(target, reference=None).empty and not (
        target.all or target.one or target.part or target.exclude is not None)


def _one_condition_for_all(moves: list[Move]) -> list[Move]:
    """A condition said once in a turn of several commands is every command's, whether said
    first or last ("lock the doors and turn off the lights if nobody is home", "if nobody is
    home lock the doors and turn off the lights"; a fragment's, "turn off the tv and the
    lights unless the tv is playing", too). One said of a command's own devices ("turn on
    the lights and close the door if it's open") stays that command's, as does any of
    several conditions, and a command said for later keeps its time alone."""
    said = {m.condition for m in moves
            if isinstance(m, (Command, Fragment)) and m.condition is not None}
    if len(said) != 1:
        return moves
    clause = said.pop()
    if clause.subject[:1] and clause.subject[0] in _OF_ITS_OWN:
        return moves
    return [replace(m, condition=clause)
            if isinstance(m, Command) and m.condition is None and m.when is None else m
            for m in moves]


_OF_ITS_OWN = frozenset({"it", "its", "it's", "they", "they're", "them", "that", "those",
                         "these", "this"})
"""Subjects of a condition that say it of the command's own devices."""


def _only_a_place(target: Target) -> bool:
    """The target names a place and nothing in it ("in the kitchen", "upstairs")."""
    return bool(target.areas or target.floors) and not (
        target.names or target.domains or target.nouns or target.reference or target.words
        or target.entity_ids)


def _command(parts: list[Any]) -> Command:
    """Decide the action of a clause from its verb, particles, values and comparatives."""
    objs = [p for p in parts if isinstance(p, _Obj)]
    obj = _merge_objs(objs)
    target = obj.target
    words = [p for p in parts if isinstance(p, _Word)]
    verbs = [w for w in words if w.kind.startswith("V_")]
    values = _values(parts)
    steps = [p.value for p in parts if isinstance(p, _By)]
    # "... and leave the rest on": the rest is left as it is anyway
    excluded = [p.target for p in parts if isinstance(p, _Excluded)
                and p.target.reference not in (OTHERS, ELSE)]
    comparatives = [w for w in words if w.kind == "COMPARATIVE"]
    reached: Action | None = None
    for activity in (w for w in words if w.kind == "ACTIVITY"):
        if activity.text in _REACHED and all(v.kind == "V_SET" for v in verbs):
            # "keep the door locked", "make sure the garage is closed": what gets it there
            reached = _REACHED[activity.text]
            continue
        domain = _ACTIVITIES.get(activity.text)
        agent = DOERS.get(activity.text)
        if domain is None and agent is None:
            raise NotUnderstood(f"{activity.text!r} is a state, not something to act on")
        if agent is not None and not target.names:
            target = target.merged(Target(words=(agent,)))
        elif domain is not None and not target.names and not target.domains:
            target = target.merged(Target(domains=(domain,)))
    negated = any(w.kind == "NEG" for w in words)
    objection = any(w.kind == "OBJECTION" for w in words)
    # A particle right before more of the target is a preposition ("on the TV"); the
    # particle that means something stands alone ("turn the lights on the porch off").
    particles = [(p, i + 1 < len(parts) and isinstance(parts[i + 1], _Obj))
                 for i, p in enumerate(parts) if isinstance(p, _Word) and p.kind in _PARTICLES]
    bare = [p for p, followed in particles if not followed]
    particle = bare[-1] if bare else (particles[0][0] if particles else None)

    attribute = obj.attributes[0] if obj.attributes else None
    verb = verbs[0] if verbs else None
    if verb is not None and verb.kind == "V_SET" and len(verbs) > 1 \
            and verbs[1].kind in _FIXED_VERBS:
        verb = verbs[1]  # "put the TV on mute", "set the TV to mute"
    if verb is not None and verb.text == "shut" and any(p.kind == "DOWN" for p in bare):
        verb = _Word("V_OFF", "shut down")  # "shut everything down": not closed
    _refuse_opposed_actions(verb, verbs, bare)
    stepping = ((verb is not None and verb.kind in ("V_UP", "V_DOWN"))
                or any(p.kind in ("UP", "DOWN") for p in bare))
    plain = [p for p in parts if isinstance(p, _Plain)]
    if (stepping or comparatives) and not steps and plain and len(plain) == len(values):
        # "turn the temperature down 2 degrees", "raise the blinds 20 percent", "two degrees
        # warmer": by that much
        steps, values = values, []
    value = values[0] if values else (steps[0] if steps else None)
    action: Action | None = None

    if verb is not None and verb.kind in ("V_DIM", "V_BRIGHTEN", "V_LIGHT"):
        attribute = Attribute.BRIGHTNESS if verb.kind != "V_LIGHT" else attribute
        target = target.merged(Target(domains=("light",))) if verb.kind == "V_LIGHT" else target
    if reached is not None:
        action = reached
    elif values and (verb is None or verb.kind in _SETTING_VERBS):
        action = Action.SET
        if verb is not None and verb.kind in ("V_OPEN", "V_CLOSE"):
            attribute = Attribute.POSITION
    elif verb is not None and verb.kind == "V_PLAY":
        action = {"next": Action.NEXT, "previous": Action.PREVIOUS}.get(obj.direction or "",
                                                                         Action.PLAY)
    elif verb is not None and verb.kind in _FIXED_VERBS:
        action = _FIXED_VERBS[verb.kind]
    elif verb is not None and verb.kind in _STEP_VERBS:
        action = _STEP_VERBS[verb.kind]
    elif particle is not None and (bare or obj.direction is None):
        action = _PARTICLES[particle.kind]
    elif verb is not None and verb.text in ("flip", "flick") and not comparatives:
        action = Action.TOGGLE  # "flip the kitchen light": on if off, off if on
    elif comparatives:
        action, implied = _COMPARATIVES.get(comparatives[0].text, (Action.INCREASE, None))
        attribute = attribute or implied
        if target.reference in ("it", "this", "that") \
                and all(v.kind == "V_SET" for v in verbs) and not (
                target.names or target.domains or target.words):
            # "it's too cold", "this is too bright", "make it warmer in here": what is
            # around, or what was talked about when it can be so (the rules' "no target"),
            # not a device "it" names
            target = replace(target, reference=None)
    elif obj.direction is not None and (obj.media or verb is not None):
        # "next item on the TV", "play the previous song"
        action = Action.NEXT if obj.direction == "next" else Action.PREVIOUS
    elif verb is not None and verb.kind == "V_SET" and _to_target(parts):
        # "change to the party mode scene", "switch the kitchen to movie mode"
        action = Action.TURN_ON
    elif verb is not None and verb.kind in ("V_SET", "V_DIM") and obj.attributes:
        # "change the colour of the lights": a setting without its value; the resolver asks
        action = Action.SET
    elif verb is not None and verb.kind == "V_SET" and obj.channel:
        action = Action.NEXT  # "change the channel"
    if action is None and any(w.kind == "WANT" for w in words) and (
            target.names or target.domains or target.areas or target.here):
        # "I need light in here", "can I have the TV": what is wanted is on; "I need some
        # more light": more of it
        more = any(isinstance(p, Token) and p.type == "DEGREE" and "more" in p.value
                   for p in parts)
        action = Action.INCREASE if more else Action.TURN_ON
    if action is None:
        raise NotUnderstood("no action was said")
    if obj.channel and action is Action.SET and values and values[0].number is not None:
        # "switch to channel 5": a channel, not the brightness of the lights
        attribute = Attribute.CHANNEL
        if not target.domains and not target.names:
            target = target.merged(Target(domains=("media_player",)))
    if obj.channel and action in (Action.INCREASE, Action.DECREASE) and attribute is None:
        # "channel up", "turn the station down": the next or previous one, not the volume
        action = Action.NEXT if action is Action.INCREASE else Action.PREVIOUS
    stepwise = any(isinstance(p, Token) and p.type == "DEGREE" for p in parts) and not values
    if stepwise and action in (Action.OPEN, Action.CLOSE):
        # "open the blinds a bit": a step up, not all the way
        action = Action.INCREASE if action is Action.OPEN else Action.DECREASE
        attribute = attribute or Attribute.POSITION
    if action in (Action.INCREASE, Action.DECREASE) and comparatives and attribute is None:
        attribute = _COMPARATIVES.get(comparatives[0].text, (action, None))[1]
    if action in (Action.INCREASE, Action.DECREASE) and values and not steps:
        value = None
    if value is not None and value.unit == "kelvin" and action is Action.SET:
        attribute = Attribute.COLOR_TEMP  # "set the lights to 2700 kelvin"
    if value is not None and value.text is not None and action is Action.SET \
            and value.text not in COLOR_TEMPS and value.text not in HVAC_MODES:
        # A colour; "warm white" or "cool" is for the device to say (a light's colour
        # temperature, a thermostat's mode).
        attribute = Attribute.COLOR if attribute is None else attribute
    if attribute is Attribute.TEMPERATURE and obj.attributes and not comparatives and not (
            target.names or target.domains or target.nouns or target.reference
            or target.words or target.entity_ids):
        # "turn the temperature up", "turn the heat down", said after the lights: the
        # thermostat's, not the lights' colour temperature ("warmer" or "the colour
        # temperature" is theirs)
        target = target.merged(Target(domains=IMPLIED_DOMAINS[attribute]))
    media = obj.media and action is not Action.SET  # not "show us red"
    if (media or action in (Action.PLAY, Action.PAUSE, Action.NEXT, Action.PREVIOUS,
                            Action.MUTE, Action.UNMUTE)) \
            and not target.domains and not target.names:
        # "pause", "stop the music", "turn the song up": what plays media
        target = target.merged(Target(domains=("media_player",)))
    if verb is not None and verb.text == "lock up" and action is Action.LOCK and not (
            target.names or target.domains or target.reference or target.words):
        # "lock up", "lock up downstairs": as "lock everything" (every lock there, or in
        # the home)
        target = replace(target, reference=EVERYTHING)
    cleaning = any(v.kind in _VACUUM_VERBS for v in verbs) or any(
        w.kind == "ACTIVITY" and _ACTIVITIES.get(w.text) == "vacuum" for w in words)
    if cleaning and not target.names and "vacuum" not in target.domains:
        # "clean the kitchen", "start house clean": a cleaning verb, first or not, says
        # what is to do it
        target = target.merged(Target(domains=("vacuum",)))
    if cleaning and action is Action.TURN_ON:
        action = Action.START  # "start cleaning the kitchen" is "clean the kitchen"
    if action is Action.STOP and any(
            w.kind == "ACTIVITY" and (w.text in DOERS or (
                _ACTIVITIES.get(w.text) == "valve" and target.domains == ("valve",)))
            for w in words):
        # "stop watering the garden": the water off, not a valve's move; "stop charging the
        # car": the charger off
        action = Action.TURN_OFF
    if action is Action.STOP and value is not None and value.text in HVAC_MODES \
            and not (target.names or target.domains or target.words):
        # "stop cooling", "stop heating": the thermostat doing it off (a mode to leave, not
        # "stop" alone, which is whatever plays); the mode says which it must be doing
        target = target.merged(Target(domains=("climate",)))
        action = Action.TURN_OFF
    mode = _named_mode(target, obj.quantity)
    if action is Action.STOP and value is None and mode is not None:
        action = Action.TURN_OFF  # "stop the heating": as "stop heating"
    if action in (Action.TURN_ON, Action.TURN_OFF) and value is None and mode is not None:
        # "turn on the AC", "start the heating", "turn the heat on": the thermostat on in
        # the mode it names; "turn off the heating": off, if that is what it is doing
        value = Value(text=mode)
    if excluded:
        exclude = excluded[0]
        for more in excluded[1:]:
            exclude = exclude.merged(more)
        target = replace(target, exclude=exclude)
    lowering = action is Action.SET and (
        (verb is not None and verb.kind in _LOWERING_VERBS)
        or any(isinstance(p, _DownTo) for p in parts))
    return Command(action=action, target=target, value=value, attribute=attribute,
                   negated=negated, objection=objection,
                   stepwise=stepwise and action in (Action.INCREASE, Action.DECREASE),
                   lowering=lowering,
                   when=next((w.text for w in words if w.kind == "LATER"), None),
                   condition=next((read_if_clause(w.text) for w in words
                                   if w.kind == "CONDITION"), None))


def _named_mode(target: Target, quantity: str | None) -> str | None:
    """What a thermostat is said to do by the name it is called ("the AC": cooling, "the
    heating" or "the heat": heating), or None."""
    if target.nouns:
        return MODE_NOUNS.get(target.nouns[-1])
    return "heating" if quantity == "heat" and not target.names else None


def _second_clause(parts: list[Any]) -> int | None:
    """Where a second command starts in a clause that runs two together without "and" ("turn
    on the kitchen light start the vacuum", as speech is transcribed): at a verb after the
    first verb's target, when a target naming a device follows it. A verb with no device
    after it stays part of the clause ("put the TV on mute", "turn the TV off pause it"), and
    so do two opposed actions on a place ("turn off the lights play the hallway"), which
    :func:`_refuse_opposed_actions` refuses."""
    verbs = [i for i, p in enumerate(parts) if isinstance(p, _Word) and p.kind.startswith("V_")]
    for i in verbs[1:]:
        before = [p for p in parts[verbs[0]:i] if isinstance(p, _Obj)]
        after = parts[i + 1] if i + 1 < len(parts) else None
        if before and not _merge_objs(before).target.empty and isinstance(after, _Obj) \
                and (after.target.names or after.target.domains):
            return i
    return None


def _refuse_opposed_actions(verb: _Word | None, verbs: list[_Word], bare: list[_Word]) -> None:
    """Raise :class:`Contradiction` when the clause says two opposed actions: two verbs
    ("turn off the lights play the hallway") or a verb and a particle standing alone ("turn on
    the light off"). Neither can be taken over the other. A cleaning verb after another verb
    names what is to act ("stop the house clean"), not an action of its own."""
    said = ([verb, *(v for v in verbs[1:] if v.kind not in _VACUUM_VERBS)] if verb else [])
    actions = [(w.text, SAID_ACTIONS[w.kind]) for w in said if w.kind in SAID_ACTIONS]
    if verb is not None and verb.kind in _FIXED_VERBS:
        actions += [(p.text, _PARTICLES[p.kind]) for p in bare]
    for i, (first, one) in enumerate(actions):
        for second, other in actions[i + 1:]:
            if other in OPPOSED.get(one, ()):
                raise Contradiction(f"both {first!r} and {second!r} were said")


def _values(parts: list[Any]) -> list[Value]:
    """The values among a move's parts, said with "to" or not."""
    return [p.value if isinstance(p, _Plain | _DownTo) else p for p in parts
            if isinstance(p, Value | _Plain | _DownTo)]


def _to_target(parts: list[Any]) -> bool:
    """"to" is followed by a target rather than a value."""
    return any(isinstance(p, Token) and p.type == "TO" and i + 1 < len(parts)
               and isinstance(parts[i + 1], _Obj) for i, p in enumerate(parts))


__all__ = ["GRAMMAR_DIR", "SAID_ACTIONS", "Contradiction", "NotUnderstood", "ParseResult",
           "UtteranceParser", "courtesy", "ill_formed"]
