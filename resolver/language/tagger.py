"""The gazetteer: turns the words of an utterance into tokens the grammar reads.

Spans that name something of the home (an entity or device name or alias, an area, a
floor) and the closed word classes (device nouns, colours, units) become category tokens
carrying what they name; everything else stays a word. Longest match wins; a span that is both
a name and a generic noun ("Thermostat") is read as the noun, and the matcher then
prefers the entity of exactly that name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..home import Home, spoken_forms
from ..text import words
from .vocabulary import COLORS, NOUNS, UNITS, words_to_numbers

MAX_SPAN = 6

# Nouns that are also verbs of the grammar ("lock the door", "light up the room",
# "switch off"): left as words, the grammar reads them as nouns where a noun fits.
VERB_NOUNS = frozenset({"lock", "light", "switch"})


@dataclass(frozen=True, slots=True)
class Tag:
    """A category token: what a span of words names."""

    kind: str
    """``name``, ``area``, ``floor``, ``noun``, ``color``, ``unit`` or ``number``."""
    text: str
    """The words of the span."""
    ids: tuple[str, ...] = ()
    """Area or floor ids for those kinds."""


# Symbols the grammar sees for each kind; the index into the tag list follows.
SYMBOL = {"name": "@n", "area": "@a", "floor": "@f", "noun": "@d", "color": "@c"}
_PRIORITY = {"name": 0, "area": 1, "floor": 2, "noun": 3, "color": 4, "unit": 5}


class Gazetteer:
    """Phrase lookup over one home's names plus the fixed vocabulary."""

    def __init__(self, home: Home) -> None:
        self.home = home
        table: dict[str, list[Tag]] = {}

        def add(text: str, tag: Tag) -> None:
            if not text:
                return
            entries = table.setdefault(text, [])
            if tag not in entries:
                entries.append(tag)

        for entity in home.entities.values():
            for name in entity.spoken_names:
                add(name, Tag("name", name))
        for device in home.devices.values():
            for name in spoken_forms((device.name, *device.aliases)):
                add(name, Tag("name", name))
        for area in home.areas.values():
            for name in home.area_names(area.id):
                add(name, Tag("area", name, (area.id,)))
        for floor in home.floors.values():
            for name in home.floor_names(floor.id):
                add(name, Tag("floor", name, (floor.id,)))
        for noun in NOUNS:
            if noun not in VERB_NOUNS:
                add(noun, Tag("noun", noun))
        for color in COLORS:
            add(color, Tag("color", color))
        for unit in UNITS:
            add(" ".join(words(unit)) or unit, Tag("unit", UNITS[unit]))

        # Several areas may share a name (or an alias); keep one tag with every id.
        merged: dict[str, Tag] = {}
        for text, tags in table.items():
            if text in VERB_NOUNS:
                continue
            kinds = {t.kind for t in tags}
            if "noun" in kinds and "name" in kinds:
                # A thing named like its kind ("Thermostat", "TV"): read it as the noun and
                # let the matcher prefer the entity of that exact name among the domain's.
                tags = [t for t in tags if t.kind != "name"]
            best = min(tags, key=lambda t: _PRIORITY[t.kind])
            ids = tuple(i for t in tags if t.kind == best.kind for i in t.ids)
            merged[text] = Tag(best.kind, best.text, ids)
        self.table = merged

    def tag(self, text: str) -> tuple[list[str], list[Tag | None]]:
        """Normalize ``text`` and tag it: the grammar's symbols and, for each, its tag."""
        tokens = words_to_numbers(words(text))
        symbols: list[str] = []
        tags: list[Tag | None] = []
        i = 0
        while i < len(tokens):
            found: Tag | None = None
            length = 0
            for span in range(min(MAX_SPAN, len(tokens) - i), 0, -1):
                tag = self.table.get(" ".join(tokens[i : i + span]))
                if tag is not None:
                    found, length = tag, span
                    break
            if found is None:
                word = tokens[i]
                if _is_number(word):
                    symbols.append(word)
                    tags.append(Tag("number", word))
                else:
                    symbols.append(word)
                    tags.append(None)
                i += 1
                continue
            if found.kind == "unit":
                symbols.append("percent" if found.text == "percent" else "degrees")
                tags.append(found)
            else:
                symbols.append(f"{SYMBOL[found.kind]}{len(tags)}")
                tags.append(found)
            i += length
        return symbols, tags


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True

