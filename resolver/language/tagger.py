"""The tagger: the words of an utterance -> the word-class tokens the grammar reads.

Reading left to right, the longest known phrase at each position becomes one token: a name,
area or floor of the home (NAME, AREA, FLOOR), a device noun (NOUN), a colour (COLOR), a
number (NUMBER), or a phrase of the lexicon (``grammars/lexicon.txt``: V_ON, DET, ...).
Any other word is a WORD. A few words belong to two classes ("lock" the verb and the
noun, "that" the determiner and the pronoun, "up" the verb and the particle); small rules
over their neighbours choose, and they are listed in :data:`AMBIGUOUS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lark import Token

from ..errors import FileError, caret_context
from ..home import Home, spoken_forms
from ..logical_form import IfClause
from ..text import phrase, words
from .vocabulary import (
    COLOR_TEMPS,
    COLORS,
    HVAC_MODES,
    NOUNS,
    ONES,
    SCALES,
    TOO,
    UNITS,
    words_to_numbers,
)

MAX_SPAN = 6


@dataclass(frozen=True, slots=True)
class Tag:
    """What one token stands for."""

    kind: str
    """The token's class: ``NAME``, ``AREA``, ``DET``, ``WORD`` ..."""
    text: str
    """The words it covers, normalized."""
    ids: tuple[str, ...] = ()
    """Area or floor ids, for AREA and FLOOR; the scale a temperature's UNIT says (``C`` or
    ``F``)."""


# Words that are a device noun or a verb: a noun after a determiner, a quantifier or
# another part of a target ("the lock", "kitchen switch"), a verb elsewhere ("lock it").
_VERB_NOUNS = {"lock": "V_LOCK", "switch": "V_SET", "vacuum": "V_CLEAN", "hoover": "V_CLEAN",
               "light": None, "heat": None}
_TARGET_BEFORE = frozenset({"DET", "QUANT", "AREA", "FLOOR", "NAME", "NOUN", "PREP", "HOUSE",
                            "IT", "COLOR"})
_TARGET_AFTER = frozenset({"NOUN", "NAME", "AREA", "FLOOR", "ONE", "MEDIA", "ATTR", "WORD",
                           "HOUSE", "QUANT"})
_CLAUSE_START = frozenset({None, "SEP", "COMMA", "FILLER", "NO", "REPAIR", "NEG", "YES"})
_STATE_WORDS = frozenset({"open", "opened", "closed", "shut", "locked", "unlocked", "on",
                          "off", "playing", "paused", "running", "heating", "cooling",
                          "cleaning", "docked", "charging", "idle"})
AMBIGUOUS = {
    "random/different/another/new before 'colour'": "a COLOR the resolver picks",
    "open/closed/on/off in a question": "STATE after the target of 'is ...', else verb/particle "
                                         "('on' after a state and before a target: PREP; a "
                                         "noun after 'the' stays a noun: 'is the heating on')",
    "back/front/left/right before 'one' or a noun": "a WORD describing it ('the back one')",
    "that/this/these/those": "DET before a target word, else the pronoun IT",
    "up/down": "V_UP/V_DOWN at the start of a clause, else the particle",
    "lower/higher": "V_DOWN/V_UP at the start of a clause, else a COMPARATIVE",
    "dock": "the BASE after a determiner ('back to its dock'), else the verb V_DOCK",
    "lock/switch/vacuum": "NOUN after a determiner or another target word, else the verb",
    "at": "TO before a number, else PREP",
    "one": "NUMBER after 'to' or 'by' or before a unit, else ONE ('the bedroom one')",
    "a number before 'of'": "PART ('two of the lights'), not a value",
    "a couple (of)": "NUMBER 2 before a unit ('a couple of degrees'), else PART",
    "put": "V_SET when a value, a mode or 'mute' follows its 'on' or 'to', else V_PUT (a list)",
    "turn/put/set/change it back": "UNDO, or a command on 'it' before on/off/up/down/to",
    "heat/cool/... after 'to' or 'on'": "the thermostat's mode (COLOR), else ATTR or NOUN",
    "charge/water": "V_ON and the state word ('charge the car': start charging it) "
                    "opening a clause, else a WORD",
    "leave": "V_SET opening the utterance ('leave the porch light on'), else LEAVE (an "
             "exception: 'turn off the lights, leave the hallway on')",
}


class Lexicon:
    """Phrase -> word class, read from ``grammars/lexicon.txt``."""

    def __init__(self, classes: dict[str, str]) -> None:
        self.classes = classes

    @classmethod
    def from_file(cls, path: str | Path) -> Lexicon:
        """Read a lexicon file; a malformed line is refused with ``path:line:col``."""
        path = Path(path)
        source = path.read_text(encoding="utf-8")
        classes: dict[str, str] = {}
        for number, line in enumerate(source.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            name, colon, rest = stripped.partition(":")
            if not colon or not name.isupper() or not name.replace("_", "").isalpha():
                column = line.index(stripped[0]) + 1
                raise FileError(str(path), number, column, "expected 'CLASS: phrase, ...'",
                                caret_context(source, number, column))
            for item in rest.split(","):
                key = " ".join(words(item)) or item.strip()
                if key and key not in classes:
                    classes[key] = name.strip()
        return cls(classes)


class Tagger:
    """Tags utterances about one home."""

    def __init__(self, home: Home, lexicon: Lexicon) -> None:
        self.home = home
        table: dict[str, Tag] = {}
        nouns = {n for n in NOUNS if n not in _VERB_NOUNS}

        # Lowest priority first: later entries of the same phrase win.
        for color in COLORS:
            table[color] = Tag("COLOR", color)
        # Colour temperatures and thermostat modes are values like colours ("set the lights
        # to warm white", "set the thermostat to cool"); a mode that is a device noun or
        # a setting ("heat") stays that, except right after "to" (_disambiguate).
        for value in (*COLOR_TEMPS, *HVAC_MODES):
            if value not in NOUNS and value != "off":
                table[value] = Tag("COLOR", value)
        for noun in nouns:
            table[noun] = Tag("NOUN", noun)
        for unit, meaning in UNITS.items():
            scale = (SCALES[unit],) if unit in SCALES else ()
            table[" ".join(words(unit)) or unit] = Tag("UNIT", meaning, scale)
        for text, kind in lexicon.classes.items():
            table[text] = Tag(kind, text)
        floors: dict[str, list[str]] = {}
        for floor in home.floors.values():
            for name in home.floor_names(floor.id):
                floors.setdefault(name, []).append(floor.id)
        areas: dict[str, list[str]] = {}
        for area in home.areas.values():
            for name in home.area_names(area.id):
                areas.setdefault(name, []).append(area.id)
        names: set[str] = set()
        for entity in home.entities.values():
            names.update(entity.spoken_names)
        for device in home.devices.values():
            names.update(spoken_forms((device.name, *device.aliases)))
        for name, ids in floors.items():
            table[name] = Tag("FLOOR", name, tuple(ids))
        for name, ids in areas.items():
            table[name] = Tag("AREA", name, tuple(ids))
        for name in names:
            if name in NOUNS or name in _VERB_NOUNS:
                # A thing named like its kind ("Thermostat", "TV") is read as the noun; the
                # matcher then prefers the entity of exactly that name.
                continue
            if name in lexicon.classes and len(name.split()) == 1:
                continue
            table[name] = Tag("NAME", name)
        self.table = table
        # Words a typo may have been meant as: every word of a known phrase, 4 letters up.
        self.vocabulary = sorted({w for phrase in table for w in phrase.split()
                                  if len(w) >= 4 and w.isalpha()})
        # Words of the home's own names: an unknown word that is one of these describes a
        # device ("coffee" for the Coffee Maker).
        self.name_words = frozenset(w for name in names for w in name.split())

    def _starts_verb(self, tokens: list[str], i: int) -> bool:
        """A command's verb begins at ``i`` ("turn off", "lock")."""
        return any((tag := self.table.get(" ".join(tokens[i:i + span]))) is not None
                   and tag.kind.startswith("V_") for span in range(1, 4) if i + span <= len(tokens))

    def tag(self, text: str) -> list[Tag]:
        """The tags of ``text``, in order."""
        tokens = words_to_numbers(words(text, keep_commas=True))
        tags: list[Tag] = []
        i = 0
        while i < len(tokens):
            if tokens[i] == ",":
                tags.append(Tag("COMMA", ","))
                i += 1
                continue
            later = _time_span(tokens, i)
            if later:
                tags.append(Tag("LATER", " ".join(tokens[i : i + later])))
                i += later
                continue
            condition = _condition_span(tokens, i, self._starts_verb)
            if condition:
                tags.append(Tag("CONDITION", " ".join(tokens[i : i + condition])))
                i += condition
                if i < len(tokens) and tokens[i] in (",", "then"):
                    i += 1  # "if the tv is on, turn it off": the command follows
                continue
            found: Tag | None = None
            length = 1
            for span in range(min(MAX_SPAN, len(tokens) - i), 0, -1):
                if "," in tokens[i : i + span]:
                    continue
                tag = self.table.get(" ".join(tokens[i : i + span]))
                if tag is not None:
                    found, length = tag, span
                    break
            if found is None:
                word = tokens[i]
                found = Tag("NUMBER" if _is_number(word) else "WORD", word)
            tags.append(found)
            i += length
        return _complaints(_either_state(_back_again(_doing(_people_doing(_disambiguate(
            _tidy_commas(tags)))))))

    def tokens(self, tags: Iterable[Tag]) -> list[Token]:
        """Lark tokens for ``tags``; a token's ``start_pos`` is its index in the tags."""
        return [Token(t.kind, t.text, start_pos=i) for i, t in enumerate(tags)]


_GAPS = ("COMMA", "FILLER", "SEP")
_TRAILING_REPAIRS = frozenset({"instead", "rather", "actually"})
"""Correction markers that may end what they mark ("the bedroom one instead")."""


def _tidy_commas(tags: list[Tag]) -> list[Tag]:
    """Commas matter only between moves and in "not X, Y": drop the others.

    A correction said mid-sentence without a comma ("lock the back door I mean the front
    door", "turn on the kitchen no the bedroom light") gets one: it starts a new move.
    """
    out: list[Tag] = []
    for tag in tags:
        if tag.kind == "COMMA":
            if not out or out[-1].kind in ("COMMA", "FILLER", "SEP", "NO", "YES", "REPAIR",
                                           "TO", "DET", "PREP"):
                continue
        elif tag.kind in ("FILLER", "SEP") and out and out[-1].kind == "COMMA":
            out.pop()
        elif tag.kind == "REPAIR" and out and out[-1].kind in ("NO", "REPAIR"):
            out.pop()  # "no, I meant ...", "sorry, I mean ...": one marker is enough
            if out and out[-1].kind not in _GAPS:
                out.append(Tag("COMMA", ","))
        elif tag.kind in ("REPAIR", "NO") and out and out[-1].kind not in _GAPS + ("NEG",) \
                and not (tag.kind == "NO" and out[-1].kind == "REPAIR"):  # "actually no"
            out.append(Tag("COMMA", ","))
        out.append(tag)
    while out and out[-1].kind == "COMMA":
        out.pop()
    if len(out) > 1 and out[-1].kind == "REPAIR" and out[-1].text in _TRAILING_REPAIRS:
        # "the bedroom one instead", "make them red instead": a correction, said as
        # "instead, the bedroom one" is (when the rest is one move; else a plain ending)
        marker = out.pop()
        while out and out[-1].kind == "COMMA":
            out.pop()
        if not any(t.kind in _GAPS + ("REPAIR", "NO") for t in out):
            out.insert(0, marker)
    return out


def _disambiguate(tags: list[Tag]) -> list[Tag]:
    out = list(tags)
    kinds = [t.kind for t in out if t.kind not in ("FILLER", "COMMA")]
    question = bool(kinds) and kinds[0] in ("IS", "WHAT")
    for i, tag in enumerate(out):
        before = out[i - 1].kind if i > 0 else None
        after = out[i + 1].kind if i + 1 < len(out) else None
        word = tag.text
        if question and word == "on" and before == "STATE" and (after in _TARGET_AFTER
                                                                 or after == "DET"):
            out[i] = Tag("PREP", word)  # "what's playing on the TV": where, not a state
            continue
        if question and word in _STATE_WORDS and before not in _CLAUSE_START and not (
                tag.kind == "NOUN" and before in ("DET", "QUANT")):
            out[i] = Tag("STATE", word)  # "is the garage door open"; not "is the heating on"
            continue
        if word in ("random", "different", "another", "new") and any(
                t.kind == "ATTR" and t.text in ("color", "colour")
                for t in out[i + 1 : i + 3]):
            out[i] = Tag("COLOR", "random")  # "a different colour": one the resolver picks
            continue
        if word in ("back", "front", "left", "right", "top", "bottom") and after in (
                "ONE", "NOUN", "NAME"):
            out[i] = Tag("WORD", word)  # "the back one": an adjective, not a particle
            continue
        if word in ("that", "this", "these", "those"):
            kind = "DET" if after in _TARGET_AFTER else "IT"
            out[i] = Tag(kind, word)
        elif word in ("up", "down") and tag.kind in ("V_UP", "V_DOWN", "UP", "DOWN"):
            verb = "V_UP" if word == "up" else "V_DOWN"
            out[i] = Tag(verb if before in _CLAUSE_START else word.upper(), word)
        elif word == "dock" and tag.kind == "V_DOCK" and before == "DET":
            out[i] = Tag("BASE", word)
        elif word in ("lower", "higher"):
            verb = "V_DOWN" if word == "lower" else "V_UP"
            out[i] = Tag(verb if before in _CLAUSE_START else "COMPARATIVE", word)
        elif word in _VERB_NOUNS and tag.kind in ("WORD", "V_LOCK", "V_SET", "V_CLEAN"):
            after_verb = before is not None and before.startswith("V_")
            noun = word in NOUNS and (before in _TARGET_BEFORE or after_verb
                                      or _VERB_NOUNS[word] is None)
            if noun:
                out[i] = Tag("NOUN", word)
            elif _VERB_NOUNS[word] is not None:
                out[i] = Tag(_VERB_NOUNS[word] or "WORD", word)
        elif word == "at" and tag.kind in ("TO", "PREP"):
            out[i] = Tag("TO" if after in ("NUMBER", "EXTREME") else "PREP", word)
        elif tag.kind == "NUMBER" and i + 1 < len(out) and out[i + 1].text == "of" \
                and before not in ("TO", "BY"):
            out[i] = Tag("PART", word)  # "turn on two of the lights": not 2% brightness
        elif word in HVAC_MODES and tag.kind in ("ATTR", "NOUN") and before in ("TO", "ON"):
            out[i] = Tag("COLOR", word)  # "set the thermostat to heat": the mode
        elif tag.kind == "BUT" and after is not None and after.startswith("V_"):
            out[i] = Tag("SEP", word)  # "keep the porch light on but turn off the others"
        elif tag.kind == "LEAVE" and word == "leave" and before in (None, "FILLER"):
            out[i] = Tag("V_SET", word)  # "leave the porch light on": a command, not an exception
        elif tag.kind == "V_PUT" and _puts_on_a_setting(out, i):
            out[i] = Tag("V_SET", word)  # "put the thermostat on heat": not on a list
        elif tag.kind == "PART" and word in ("a couple", "a couple of") and after == "UNIT":
            out[i] = Tag("NUMBER", "2")  # "up a couple of degrees": by two, not some of them
        elif word in ("one", "ones") and tag.kind == "ONE" and (
                before in ("TO", "BY") or after == "UNIT"):
            out[i] = Tag("NUMBER", "1")
    return out


_DOING = {"charge": "charging", "water": "watering"}
"""Verbs that say what a device does: "charge the car" is "start charging the car"."""


def _doing(tags: list[Tag]) -> list[Tag]:
    """"charge the car", "water the garden": a verb of what a device does, opening a
    clause, starts it doing that (the parser reads the state word as it reads "start
    charging")."""
    out: list[Tag] = []
    for i, tag in enumerate(tags):
        before = out[-1].kind if out else None
        after = tags[i + 1].kind if i + 1 < len(tags) else None
        if tag.kind == "WORD" and tag.text in _DOING and before in _CLAUSE_START \
                and (after in _TARGET_AFTER or after in ("DET", "SEP")):
            out += [Tag("V_ON", tag.text), Tag("STATE", _DOING[tag.text])]
        else:
            out.append(tag)
    return out


def _people_doing(tags: list[Tag]) -> list[Tag]:
    """"are we watering the garden", "are you playing music": what the household does is
    asked of its devices, as "is anything watering the garden"."""
    if len(tags) > 2 and tags[0].kind == "IS" and tags[1].kind == "WORD" \
            and tags[1].text in _PEOPLE and tags[2].kind == "STATE":
        return [tags[0], Tag("QUANT", "anything"), *tags[2:]]
    return tags


_PEOPLE = frozenset({"we", "you"})


def _back_again(tags: list[Tag]) -> list[Tag]:
    """"turn it back on", "put it back to 50": a command on "it" again, not "turn it back"
    (undo): what the undo phrase is followed by says how it is to be."""
    out: list[Tag] = []
    for i, tag in enumerate(tags):
        after = tags[i + 1].kind if i + 1 < len(tags) else None
        said = tag.text.split()
        if tag.kind == "UNDO" and len(said) == 3 and said[1:] == ["it", "back"] \
                and after in ("ON", "OFF", "UP", "DOWN", "TO"):
            out += [Tag("V_SET", said[0]), Tag("IT", "it"), Tag("BACK", "back")]
        else:
            out.append(tag)
    return out


def _either_state(tags: list[Tag]) -> list[Tag]:
    """"is the kitchen light on or off": one STATE of two asked, which the question then asks
    for ("The Kitchen Light is off."), not a yes or a no."""
    out: list[Tag] = []
    i = 0
    while i < len(tags):
        if tags[i].kind == "STATE" and i + 2 < len(tags) and tags[i + 1].text == "or" \
                and tags[i + 2].kind == "STATE":
            out.append(Tag("STATE", f"{tags[i].text} or {tags[i + 2].text}"))
            i += 3
            continue
        out.append(tags[i])
        i += 1
    return out


# A condition said of the target, as a complaint: what "too ..." of the lexicon it means.
# "cool", "fast", "slow" and "soft" alone are not complaints ("that's cool").
COMPLAINTS = {**{word: f"too {word}" for word in TOO if word not in ("cool", "fast", "slow",
                                                                    "soft")},
              "gloomy": "too dark", "glaring": "too bright", "noisy": "too loud",
              "boiling": "too hot", "stuffy": "too warm", "chilly": "too cold",
              "freezing": "too cold"}
# Words between "is" and the condition that say how much, or that it is coming: dropped,
# as a complaint asks for a step the other way whatever its degree.
_INTENSIFIERS = frozenset({"so", "very", "really", "quite", "pretty", "super", "rather",
                           "extremely", "awfully", "kind of", "kinda", "getting", "far"})
# Verbs that say a condition as "is" does ("it feels cold", "the tv sounds loud").
_LINKING = frozenset({"feels", "feel", "seems", "gets", "sounds", "looks"})
# Conditions a person says of themselves that are the room's ("I'm cold", "we are too hot").
_FELT = frozenset({"too cold", "too hot", "too warm"})
_SPEAKERS = frozenset({"i", "we"})


def _complaints(tags: list[Tag]) -> list[Tag]:
    """"it's dark in here", "the TV is so loud", "it feels cold", "it's getting too hot": a
    condition said of the target is a complaint about it, read as "too dark" (a step the
    other way). Said as a question ("is it dark in here") it stays a question; a degree is
    kept ("it's a bit cold"). Cold or hot said of the speaker ("I'm cold", "we feel too
    warm") is said of the room."""
    out: list[Tag] = []
    i = 0
    while i < len(tags):
        tag = tags[i]
        person = bool(out) and out[-1].kind == "WORD" and out[-1].text in _SPEAKERS
        linking = (tag.kind == "IS" and tag.text in ("is", "are")) or tag.text in _LINKING \
            or (person and tag.text == "am")
        if linking and out and out[-1].kind not in _CLAUSE_START:
            j = i + 1
            degrees = []
            while j < len(tags) and (tags[j].text in _INTENSIFIERS or tags[j].kind == "DEGREE"):
                if tags[j].kind == "DEGREE":
                    degrees.append(tags[j])
                j += 1
            said = tags[j] if j < len(tags) else None
            if said is not None and said.kind == "COMPARATIVE" and said.text.startswith("too "):
                condition = said.text
            else:
                condition = COMPLAINTS.get(said.text) if said is not None else None
            if person and condition not in _FELT:
                condition = None  # "I am bright" says nothing of the room
            if condition is not None:
                if person:
                    out[-1] = Tag("IT", "it")  # "I'm cold": it is too cold here
                out += [Tag("IS", "is"), *degrees, Tag("COMPARATIVE", condition)]
                i = j + 1
                continue
        out.append(tag)
        i += 1
    return out


def _puts_on_a_setting(tags: list[Tag], i: int) -> bool:
    """"put" at ``i`` sets something ("put the thermostat on heat", "put the fan on high")
    rather than putting an item on a list: what follows its "on" or "to" is a value, a
    mode or "mute", not a list; or a value follows the device ("put the blinds halfway")."""
    for j in range(i + 1, len(tags)):
        kind = tags[j].kind
        if kind in ("SEP", "COMMA"):
            return False
        if kind in ("NUMBER", "LEVEL", "EXTREME") and j > i + 1 \
                and (tags[j - 1].kind in ("NAME", "NOUN", "AREA", "IT", "ONE")
                     or tags[j - 1].text == "at"):
            return True
        if kind in ("ON", "TO") and j + 1 < len(tags):
            after = tags[j + 1]
            channel = after.kind == "MEDIA" and j + 2 < len(tags) and tags[j + 2].kind == "NUMBER"
            return after.kind in ("NUMBER", "COLOR", "LEVEL", "EXTREME", "V_MUTE") or (
                after.text in HVAC_MODES) or channel  # "put the TV on channel 5"
    return False


_DURATIONS = frozenset({"second", "seconds", "sec", "secs", "minute", "minutes", "min",
                        "mins", "hour", "hours", "hr", "hrs", "day", "days"})
_AMOUNTS = frozenset({"a", "an", "half", "few", "couple", "of", "the", "next", "quarter",
                      "and"})
_TIMES_OF_DAY = frozenset({"noon", "midnight", "sunset", "sunrise", "dawn", "dusk", "night",
                           "nighttime", "bedtime", "dinner", "breakfast", "lunch"})
_PARTS_OF_DAY = frozenset({"morning", "afternoon", "evening", "night", "weekend", "day",
                           "week", "weekday", "hour"})
_ALONE = frozenset({"tonight", "tomorrow", "later", "overnight", "weekdays", "daily",
                    "nightly", "hourly", "tomorrows"})
_CLOCK = frozenset({"am", "pm", "oclock"})
_WHO_ACTS = frozenset({"i", "we", "someone", "somebody", "anyone", "anybody", "everyone",
                       "nobody"})
"""Who may be said to do something after or before which a command is to be done ("after I
go to bed"); "after the kitchen light" is no time."""
_SUBJECTS = _WHO_ACTS | {"you", "it", "the", "my", "there"}
"""What may follow "when" or "once" in a time ("when I get home", "when there is motion")."""


def _time_span(tokens: list[str], i: int) -> int:
    """How many words at ``i`` say when to act rather than what to do: "in 5 minutes", "in
    half an hour", "at 7 pm", "at sunset", "tonight", "tomorrow morning", "every day", "when
    I get home", "as soon as I arrive", "after I go to bed", "whenever there is motion" (to
    the end of the clause); 0 otherwise. A number after "at" with no clock
    word stays a value ("set the thermostat at 70")."""
    n = len(tokens)
    word = tokens[i]
    following = tokens[i + 1] if i + 1 < n else ""
    if word in _ALONE:
        return 2 if following in _PARTS_OF_DAY else 1
    if word in ("after", "before") and following in _WHO_ACTS:
        return _clause_end(tokens, i + 1) - i  # "after I go to bed", "before we leave"
    if word in ("in", "after", "for", "within") and following:
        j = i + 1
        while j < n and j - i <= 4 and (tokens[j] in _AMOUNTS or _is_count(tokens[j])):
            j += 1
        if j > i + 1 and j < n and tokens[j] in _DURATIONS:
            return j + 1 - i
        if following == "the" and i + 2 < n and tokens[i + 2] in _PARTS_OF_DAY - {"hour"}:
            return 3  # "in the morning"
        return 0
    if word in ("at", "by", "around", "until", "till", "before") and following:
        if following in _TIMES_OF_DAY:
            return 2
        j = i + 1
        while j < n and j - i <= 2 and _is_count(tokens[j]):
            j += 1
        if j > i + 1 and j < n and tokens[j] in _CLOCK:
            return j + 1 - i
        if j > i + 1 and j + 1 < n and tokens[j] in ("a", "p") and tokens[j + 1] == "m":
            return j + 2 - i  # "7 p.m."
        return 0
    if word in ("this", "every", "each", "next") and following in _PARTS_OF_DAY:
        return 2
    if word == "as" and tokens[i + 1:i + 3] == ["soon", "as"] and i + 3 < n:
        return _clause_end(tokens, i + 3) - i  # "as soon as I arrive"
    if (word in ("when", "once") and following in _SUBJECTS) \
            or (word == "whenever" and following):
        return _clause_end(tokens, i + 1) - i  # "when I get home", "whenever there is motion"
    return 0


def _clause_end(tokens: list[str], j: int) -> int:
    """Where the clause that goes on at ``j`` ends: at a comma, "and" or "then"."""
    while j < len(tokens) and tokens[j] not in (",", "and", "then"):
        j += 1
    return j


_CONDITIONS = ("if", "unless")
_COPULAS = ("is", "are")
"""The verbs of a condition's clause: a state word follows them ("if it is open")."""
_NOT_CONDITIONS_AFTER = frozenset({"me", "know", "see", "check", "wonder", "ask", "as", "even",
                                   "what"})
"""Words before "if" that make it a question ("tell me if", "check if") or no condition at
all ("as if", "what if")."""
_NOT_CONDITIONS_BEFORE = frozenset({"you", "u", "possible", "needed", "necessary", "so",
                                    "not"})
"""Words after "if" that make it a courtesy ("if you could", "if possible") or no
condition of the home ("if not")."""
_CONDITION_ENDS = frozenset({",", "then", "and", "else", "otherwise", "but"})


def _condition_span(tokens: list[str], i: int, starts_verb: Callable[[list[str], int], bool]
                    ) -> int:
    """How many words at ``i`` say what a command depends on: "if it is on", "unless the tv
    is playing", "only if the door is locked" (to the end of the clause, or to the verb of
    the command after it: "if the door is locked turn off the light"); 0 otherwise."""
    n = len(tokens)
    start = i + 1 if tokens[i] == "only" and i + 1 < n else i
    if tokens[start] not in _CONDITIONS or start + 1 >= n:
        return 0
    if (i > 0 and tokens[i - 1] in _NOT_CONDITIONS_AFTER) \
            or tokens[start + 1] in _NOT_CONDITIONS_BEFORE:
        return 0
    j, state_at = start + 1, n
    while j < n and tokens[j] not in _CONDITION_ENDS:
        if j > state_at and starts_verb(tokens, j):
            break
        if state_at == n and tokens[j] in _COPULAS:
            # the state word follows ("if it is open"), maybe after "not"
            state_at = j + 1 + (j + 1 < n and tokens[j + 1] == "not")
        j += 1
    return j - i if j > start + 1 else 0


def read_if_clause(text: str) -> IfClause:
    """The parts of a condition the tagger read as one ("unless it is playing", "only if the
    front door is not locked")."""
    words = text.split()
    start = next((i for i, w in enumerate(words) if w in _CONDITIONS), -1)
    said = words[start + 1:]
    asked = [w for w in said if w != "not"]
    negated = len(asked) != len(said)  # "if it is not on" is "unless it is on"
    for nobody in (["nobody"], ["no", "one"]):  # "if nobody is home": "unless anyone is home"
        if asked[:len(nobody)] == nobody:
            asked = ["anyone", *asked[len(nobody):]]
            negated = not negated
            break
    unless = (words[start] == "unless" if start >= 0 else False) != negated
    verb = next((i for i, w in enumerate(asked) if w in _COPULAS), None)
    if not verb:
        return IfClause(" ".join(said), unless)
    return IfClause(" ".join(said), unless, tuple(asked[:verb]), asked[verb],
                    tuple(asked[verb + 1:]))


def spoken_times() -> list[str]:
    """Times said for later as people say them, in words, from the words this tagger reads
    as one: "in five minutes", "at seven pm", "at sunset", "tomorrow morning", "when i get
    home" (what the speech word models must hear for the rules to refuse them)."""
    counts = ["a", "one", "two", "five", "ten", "fifteen", "twenty", "thirty", "a few",
              "a couple of"]
    units = ("minute", "hour", "second")
    out = [f"in {count} {unit}{'' if count in ('a', 'one') else 's'}"
           for count in counts for unit in units]
    out += ["in an hour", "in half an hour", "in a quarter of an hour"]
    daily = ("morning", "afternoon", "evening", "night")
    out += [f"in the {part}" for part in daily if part != "night"]
    out += sorted(_ALONE)
    out += [f"{word} {part}" for word in ("tomorrow", "every", "this") for part in daily]
    out += [f"at {time}" for time in sorted(_TIMES_OF_DAY)]
    hours = [word for word, value in ONES.items() if 1 <= value <= 12]
    out += [f"at {hour} {half}" for hour in hours for half in sorted(_CLOCK - {"oclock"})]
    out += ["every day", "when i get home", "when i arrive home", "when i leave",
            "when we get home", "when i wake up", "when it gets dark",
            "as soon as i get home", "once i leave", "after i go to bed", "before we leave",
            "whenever there is motion"]
    return out


def _is_count(word: str) -> bool:
    """A number in a time: digits, or "one" (which is otherwise "the bedroom one")."""
    return word == "one" or _is_number(word)


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


__all__ = ["AMBIGUOUS", "COMPLAINTS", "Lexicon", "Tag", "Tagger", "phrase", "spoken_times"]
