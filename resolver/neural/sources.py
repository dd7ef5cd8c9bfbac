"""External training data for the text proposer: HA's templates, SLURP's train split, noise.

Sources and licences (kept with anything derived from them):

- ``ha_intents/sentences/en/*.yaml``: Home Assistant's English sentence templates from
  https://github.com/home-assistant/intents, commit aa550032a57b (2025-07-04), © the Home
  Assistant intents contributors, licensed CC BY 4.0
  (https://creativecommons.org/licenses/by/4.0/). Sentences are sampled from the templates
  with slot values taken from a home; labels are the templates' intents mapped onto
  :data:`~resolver.neural.labels.INTENTS`.
- ``slurp_iot/train_iot.jsonl``: the smart-home ("iot") commands of NLU-Evaluation-Data
  (Liu et al., 2019, https://github.com/xliuhw/NLU-Evaluation-Data), the source corpus of
  SLURP (Bastianelli et al., 2020, https://github.com/pswietojanski/slurp), licensed
  CC BY 4.0; sentences that are also in SLURP's devel or test split were removed from it.
  SLURP's devel split is for evaluation only and is never read here.
- Out-of-scope sentences: written for this project, plus noise generated from the ``rng``.

Every function is deterministic given its ``random.Random``.
"""

from __future__ import annotations

import json
import os
import random
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..home import ACTION_DOMAINS, Entity, Home
from .labels import DOMAINS, INTENTS, SLURP_INTENTS, Example

if TYPE_CHECKING:
    from hassil import Intents
    from hassil.expression import Expression, ListReference, Sentence
    from hassil.intents import IntentData, RangeSlotList, SlotList, TextSlotValue

HA_TEMPLATES = Path("ha_intents") / "sentences" / "en"
"""Home Assistant's English templates, relative to the data directory."""
SLURP_TRAIN = Path("slurp_iot") / "train_iot.jsonl"
"""SLURP's iot train sentences, relative to the data directory."""

# HA intents whose name differs from the project's; the rest keep theirs or are ResolverOther.
_RENAMED = {"HassShoppingListAddItem": "HassListAddItem"}
# HA domains the proposer folds into one of DOMAINS.
_DOMAIN_ALIASES = {"binary_sensor": "sensor", "input_boolean": "switch"}
# Domain of a sentence that names no device and whose template gives none.
_INTENT_DOMAIN = {
    "HassLightSet": "light",
    "HassClimateSetTemperature": "climate",
    "HassClimateGetTemperature": "climate",
    "HassSetVolume": "media_player",
    "HassMediaPause": "media_player",
    "HassMediaUnpause": "media_player",
    "HassMediaNext": "media_player",
    "HassMediaPrevious": "media_player",
    "HassVacuumStart": "vacuum",
    "HassVacuumReturnToBase": "vacuum",
    "HassListAddItem": "todo",
    "HassSetPosition": "cover",
    "HassFanSetSpeed": "fan",
    "HassGetState": "sensor",
}
_MEDIA = frozenset({"media_player"})
# HA domains whose entities may fill {name} for an intent; absent means any entity.
_NAME_DOMAINS: dict[str, frozenset[str]] = {
    "HassTurnOn": ACTION_DOMAINS - {"todo"},
    "HassTurnOff": ACTION_DOMAINS - {"todo"},
    "HassLightSet": frozenset({"light"}),
    "HassSetPosition": frozenset({"cover", "valve"}),
    "HassClimateSetTemperature": frozenset({"climate"}),
    "HassClimateGetTemperature": frozenset({"climate"}),
    "HassFanSetSpeed": frozenset({"fan"}),
    "HassSetVolume": _MEDIA,
    "HassMediaPause": _MEDIA,
    "HassMediaUnpause": _MEDIA,
    "HassMediaNext": _MEDIA,
    "HassMediaPrevious": _MEDIA,
    "HassVacuumStart": frozenset({"vacuum"}),
    "HassVacuumReturnToBase": frozenset({"vacuum"}),
    "HassListAddItem": frozenset({"todo"}),
}
# Wildcard lists that are filled with a grocery word; templates with any other wildcard are
# skipped, since a wildcard's text cannot be sampled.
_ITEM_LISTS = frozenset({"shopping_list_item", "todo_list_item"})
_GROCERIES = (
    "milk", "eggs", "bread", "butter", "cheese", "apples", "bananas", "oranges", "coffee",
    "tea", "sugar", "flour", "rice", "pasta", "tomatoes", "potatoes", "onions", "garlic",
    "carrots", "lettuce", "chicken", "yogurt", "cereal", "orange juice", "olive oil",
    "peanut butter", "toilet paper", "paper towels", "dish soap", "laundry detergent",
    "batteries", "light bulbs", "dog food", "cat litter", "shampoo", "toothpaste",
    "ice cream", "strawberries", "avocados", "spinach", "salmon", "honey", "oat milk",
)  # fmt: skip
_SAMPLE_TRIES = 4
"""Random draws per wanted sentence of a template, before giving up on more distinct ones."""


def default_data_dir() -> Path:
    """The shared data directory: ``$RESOLVER_SHARED_DATA``, else ``../shared/data``."""
    override = os.environ.get("RESOLVER_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def ha_intent_label(ha_intent: str) -> str:
    """The project's intent for one of Home Assistant's intent names."""
    name = _RENAMED.get(ha_intent, ha_intent)
    return name if name in INTENTS else "ResolverOther"


def label_domain(ha_domain: str) -> str:
    """The proposer's domain for an HA domain; ``none`` for one it has no output for."""
    domain = _DOMAIN_ALIASES.get(ha_domain, ha_domain)
    return domain if domain in DOMAINS else "none"


# ------------------------------------------------------------------ HA's sentence templates


def ha_template_examples(
    rng: random.Random,
    home: Home,
    data_dir: str | Path | None = None,
    per_template: int = 8,
) -> list[Example]:
    """Up to ``per_template`` random sentences of every HA template, slots filled from ``home``."""
    from hassil import Intents

    folder = Path(data_dir or default_data_dir()) / HA_TEMPLATES
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise FileNotFoundError(f"{folder}: no Home Assistant sentence templates")
    intents = Intents.from_files(files)
    slots = _HomeSlots(home)
    seen: set[str] = set()
    examples: list[Example] = []
    for ha_intent, intent in intents.intents.items():
        for data in intent.data:
            for sentence in data.sentences:
                for example in _sample_template(
                    rng, intents, ha_intent, data, sentence, slots, per_template
                ):
                    if example.text not in seen:
                        seen.add(example.text)
                        examples.append(example)
    return examples


@dataclass(frozen=True, slots=True)
class _Named:
    """An entity as a {name} slot value: its spoken forms and its context."""

    entity: Entity
    context: Mapping[str, Any]
    """What HA's ``requires_context``/``excludes_context`` are checked against."""
    values: tuple[TextSlotValue, ...]


class _HomeSlots:
    """Home Assistant's ``name``, ``area`` and ``floor`` slot lists for one home."""

    def __init__(self, home: Home) -> None:
        from hassil import TextSlotList

        self.home = home
        self.classes = {(e.domain, e.device_class) for e in home.entities.values()}
        self.named: list[_Named] = []
        for entity in home.entities.values():
            context: dict[str, Any] = {"domain": entity.domain}
            if entity.area is not None:
                context["area"] = home.areas[entity.area].name
            if entity.device_class:
                context["device_class"] = entity.device_class
            values = tuple(
                _slot_value(text, entity.id, context)
                for text in _unique(_without_article(n) for n in (entity.name, *entity.aliases))
            )
            if values:
                self.named.append(_Named(entity, context, values))
        self.areas = {
            area.id: [
                _slot_value(text, area.id, {"area": area.name})
                for text in _unique(_without_article(n) for n in (area.name, *area.aliases))
            ]
            for area in home.areas.values()
        }
        self.floors = {
            floor.id: [
                _slot_value(text, floor.id, {"floor": floor.name})
                for text in _unique(_without_article(n) for n in (floor.name, *floor.aliases))
            ]
            for floor in home.floors.values()
        }
        self.all_areas = TextSlotList(
            name="area", values=[v for vs in self.areas.values() for v in vs]
        )
        self.all_floors = TextSlotList(
            name="floor", values=[v for vs in self.floors.values() for v in vs]
        )

    def has_class_of(self, data: IntentData) -> bool:
        """The home has a device of the class a template asks about, or it names none."""
        wanted = data.slots.get("device_class", data.requires_context.get("device_class"))
        if not isinstance(wanted, str):
            return True
        domain = data.slots.get("domain", data.requires_context.get("domain"))
        return any(
            device_class == wanted and (not isinstance(domain, str) or have == domain)
            for have, device_class in self.classes
        )

    def candidates(self, intent: str, data: IntentData) -> list[_Named]:
        """Entities that may fill {name} in a template of ``data`` labelled ``intent``."""
        allowed = _NAME_DOMAINS.get(intent)
        return [
            named
            for named in self.named
            if (allowed is None or named.entity.domain in allowed)
            and _fits_context(named.context, data.requires_context, data.excludes_context)
        ]

    def lists_for(self, named: _Named | None) -> dict[str, SlotList]:
        """The home's slot lists for one draw: the named entity only, its area and floor."""
        from hassil import TextSlotList

        lists: dict[str, SlotList] = {"area": self.all_areas, "floor": self.all_floors}
        if named is None:
            return lists
        lists["name"] = TextSlotList(name="name", values=list(named.values))
        # A sentence that says both a name and an area means the entity's own area.
        area = named.entity.area
        if area is not None and self.areas.get(area):
            lists["area"] = TextSlotList(name="area", values=self.areas[area])
        floor = self.home.areas[area].floor if area is not None else None
        if floor is not None and self.floors.get(floor):
            lists["floor"] = TextSlotList(name="floor", values=self.floors[floor])
        return lists


def _slot_value(text: str, value: Any, context: Mapping[str, Any]) -> TextSlotValue:
    """A slot value; a name in HA's template syntax (``Trader Joe[']s``) is expanded."""
    from hassil import TextSlotValue
    from hassil.parser import ParseError

    # "{x}" or "<x>" in a name would read as a list or rule reference: such names are literal.
    template = bool(set(text) & set("[(|")) and not set(text) & set("{}<>")
    try:
        return TextSlotValue.from_tuple((text, value, dict(context)), allow_template=template)
    except ParseError:
        return TextSlotValue.from_tuple((text, value, dict(context)), allow_template=False)


def _without_article(name: str) -> str:
    """``The TV`` as ``TV``: templates say the article themselves (``[<the>] {name}``)."""
    name = " ".join(name.split())
    return name[4:] if name.lower().startswith("the ") and len(name) > 4 else name


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text and text.lower() not in {o.lower() for o in out}:
            out.append(text)
    return out


def _matches(have: Any, wanted: Any) -> bool:
    if isinstance(wanted, (list, tuple, set, frozenset)):
        return have in wanted
    return bool(have == wanted)


def _fits_context(
    context: Mapping[str, Any], requires: Mapping[str, Any], excludes: Mapping[str, Any]
) -> bool:
    """HA's context check of a {name} value against a template's requirements."""
    for key, wanted in requires.items():
        if isinstance(wanted, Mapping):
            # {"slot": true}: the speaker's area, known at run time, not a property of names.
            continue
        if key not in context or not _matches(context[key], wanted):
            return False
    return not any(key in context and _matches(context[key], v) for key, v in excludes.items())


def _sample_template(
    rng: random.Random,
    intents: Intents,
    ha_intent: str,
    data: IntentData,
    sentence: Sentence,
    slots: _HomeSlots,
    per_template: int,
) -> list[Example]:
    """Distinct random sentences of one template with their labels; none when unfillable."""
    from hassil import WildcardSlotList
    from hassil.expression import Group

    intent = ha_intent_label(ha_intent)
    rules = {**intents.expansion_rules, **data.expansion_rules}
    base_lists = {**intents.slot_lists, **data.slot_lists}
    expression = sentence.expression
    refs = list(expression.list_references(rules)) if isinstance(expression, Group) else []
    list_names = {ref.list_name for ref in refs}
    wildcards = {n for n in list_names if isinstance(base_lists.get(n), WildcardSlotList)}
    if wildcards and not (intent == "HassListAddItem" and wildcards <= _ITEM_LISTS):
        return []
    if not slots.has_class_of(data):
        # "is there any smoke" in a home without a smoke detector: as HA, no match.
        return []
    candidates: list[_Named | None] = [None]
    if "name" in list_names:
        candidates = list(slots.candidates(intent, data))
        if not candidates:
            return []
    texts: dict[str, Example] = {}
    for _ in range(per_template * _SAMPLE_TRIES):
        if len(texts) >= per_template:
            break
        named = rng.choice(candidates)
        sampler = _Sampler(rng, rules, {**base_lists, **slots.lists_for(named)})
        try:
            draw = sampler.draw(expression)
        except _Unfillable:
            # A branch needs what the home lacks (no floors for "<floor>"): try another.
            continue
        text = _tidy("".join(draw.parts))
        labels = _template_labels(intent, data, draw, named.entity if named else None)
        if text and labels is not None and text not in texts:
            texts[text] = Example(text, labels[0], labels[1], "ha_templates")
    return list(texts.values())


def _tidy(text: str) -> str:
    """Whitespace normalized, a word repeated by adjacent optionals said once ("the the")."""
    words: list[str] = []
    for word in text.split():
        if not words or word.lower() != words[-1].lower():
            words.append(word)
    return " ".join(words)


def _template_labels(
    intent: str, data: IntentData, draw: _Draw, entity: Entity | None
) -> tuple[str, str] | None:
    """Intent and domain of one sampled sentence; None to drop it."""
    if intent == "ResolverOther":
        return intent, "none"
    ha_domain = _template_domain(data, draw)
    if ha_domain is None and entity is not None:
        ha_domain = entity.domain
    if ha_domain is None:
        if intent in ("HassTurnOn", "HassTurnOff") and "area" in draw.slots:
            return intent, "light"
        return intent, _INTENT_DOMAIN.get(intent, "none")
    domain = label_domain(ha_domain)
    if domain == "none":
        # "where is Anna", "what's the weather": a question about something with no domain
        # output is nothing the resolver answers; a command on it is dropped.
        return ("ResolverOther", "none") if intent == "HassGetState" else None
    return intent, domain


def _template_domain(data: IntentData, draw: _Draw) -> str | None:
    """The HA domain a template or its sampled slots state, if exactly one."""
    for source in (data.slots, draw.slots, data.requires_context):
        value = source.get("domain")
        if isinstance(value, str):
            return value
        if isinstance(value, (list, tuple)) and len({label_domain(v) for v in value}) == 1:
            return str(value[0])
    return data.inferred_domain


class _Unfillable(Exception):
    """A template refers to a list or rule that has no value to draw."""


@dataclass(slots=True)
class _Draw:
    """One random expansion of a template: its text pieces and the slot values used."""

    parts: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


class _Sampler:
    """Random walks through hassil's template trees: one choice per alternative."""

    def __init__(
        self, rng: random.Random, rules: Mapping[str, Sentence], lists: Mapping[str, SlotList]
    ) -> None:
        self.rng = rng
        self.rules = rules
        self.lists = lists

    def draw(self, expression: Expression) -> _Draw:
        """One expansion of ``expression``."""
        draw = _Draw()
        self._walk(expression, draw, depth=0)
        return draw

    def _walk(self, expression: Expression, draw: _Draw, depth: int) -> None:
        from hassil.expression import (
            Alternative,
            Group,
            ListReference,
            Permutation,
            RuleReference,
            TextChunk,
        )

        if depth > 50:
            raise _Unfillable("expansion rules refer to each other")
        if isinstance(expression, TextChunk):
            draw.parts.append(expression.original_text)
        elif isinstance(expression, Alternative):
            if not expression.items:
                return
            self._walk(self.rng.choice(expression.items), draw, depth + 1)
        elif isinstance(expression, Permutation):
            items = list(expression.items)
            self.rng.shuffle(items)
            for item in items:
                draw.parts.append(" ")
                self._walk(item, draw, depth + 1)
            draw.parts.append(" ")
        elif isinstance(expression, Group):
            for item in expression.items:
                self._walk(item, draw, depth + 1)
        elif isinstance(expression, RuleReference):
            rule = self.rules.get(expression.rule_name)
            if rule is None:
                raise _Unfillable(f"no rule <{expression.rule_name}>")
            self._walk(rule.expression, draw, depth + 1)
        elif isinstance(expression, ListReference):
            self._list(expression, draw, depth)
        else:
            raise TypeError(f"unexpected template expression {expression!r}")

    def _list(self, ref: ListReference, draw: _Draw, depth: int) -> None:
        from hassil import RangeSlotList, TextSlotList, WildcardSlotList

        inline = ref.get_inline_range()
        if inline is not None:
            start, stop, step = inline
            number = self.rng.randrange(start, stop + 1, step)
            draw.parts.append(str(number))
            draw.slots[ref.slot_name] = number
            return
        slot_list = self.lists.get(ref.list_name)
        if isinstance(slot_list, TextSlotList):
            if not slot_list.values:
                raise _Unfillable(f"no values for {{{ref.list_name}}}")
            value = self.rng.choice(slot_list.values)
            self._walk(value.text_in, draw, depth + 1)
            draw.slots[ref.slot_name] = value.value_out
        elif isinstance(slot_list, RangeSlotList):
            amount = self.rng.choice(_numbers(slot_list))
            draw.parts.append(self._say_number(amount, slot_list))
            draw.slots[ref.slot_name] = amount
        elif isinstance(slot_list, WildcardSlotList) and ref.list_name in _ITEM_LISTS:
            item = self.rng.choice(_GROCERIES)
            draw.parts.append(item)
            draw.slots[ref.slot_name] = item
        else:
            raise _Unfillable(f"cannot fill {{{ref.list_name}}}")

    def _say_number(self, number: float, slot_list: RangeSlotList) -> str:
        """A number as digits or as English words, as the list allows."""
        from hassil.numbers import get_rbnf_engine

        words = bool(slot_list.words) and (not slot_list.digits or self.rng.random() < 0.5)
        if not words:
            return str(number)
        engine = get_rbnf_engine(slot_list.words_language or "en")
        spoken = sorted(set(engine.format_number(number).text_by_ruleset.values()))
        text = self.rng.choice(spoken)
        return text.replace("-", " ") if self.rng.random() < 0.5 else text


_NUMBERS: dict[tuple[Any, ...], list[float]] = {}


def _numbers(slot_list: RangeSlotList) -> list[float]:
    """The numbers of a range list, computed once per range."""
    key = (slot_list.start, slot_list.stop, slot_list.step, slot_list.fraction_type)
    if key not in _NUMBERS:
        _NUMBERS[key] = list(slot_list.get_numbers())
    return _NUMBERS[key]


# ------------------------------------------------------------------ SLURP's train split


def slurp_train_examples(data_dir: str | Path | None = None) -> list[Example]:
    """SLURP's iot train sentences with their intents mapped onto the project's."""
    path = Path(data_dir or default_data_dir()) / SLURP_TRAIN
    # The devel split is the benchmark: training must never see it.
    assert path.name == "train_iot.jsonl", path
    examples: list[Example] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            intent = str(record["intent"])
            if not intent.startswith("iot_"):
                intent = f"iot_{intent}"
            if intent not in SLURP_INTENTS:
                raise ValueError(f"{path}:{number}: intent {intent!r} has no mapping")
            text = " ".join(str(record["text"]).split())
            if text:
                examples.append(Example(text, *SLURP_INTENTS[intent], source="slurp_train"))
    return examples


# ------------------------------------------------------------------ out of scope


_OUT_OF_SCOPE: tuple[str, ...] = (
    # chit-chat
    "how are you today", "what's your name", "are you a robot", "do you have feelings",
    "what do you like to do for fun", "i had a really long day", "tell me something interesting",
    "you're pretty smart", "do you dream", "what's your favourite colour",
    "i'm so bored", "can we talk for a bit", "are you married", "how old are you",
    "i can't sleep tonight", "that was hilarious", "what are you up to",
    # general knowledge
    "how tall is mount everest", "who wrote pride and prejudice", "what is the capital of peru",
    "how many ounces are in a pound", "what's the square root of 144",
    "how far away is the moon", "when did the second world war end",
    "what's the population of canada", "how do you spell necessary",
    "what does photosynthesis mean", "who invented the light bulb", "how many legs does a spider have",
    "translate good morning into spanish", "what's 17 times 23", "how many calories are in an apple",
    "why is the sky blue", "what's the boiling point of water in fahrenheit",
    "define serendipity", "who won the world cup in 2018",
    # calendar and reminders
    "what's on my calendar tomorrow", "schedule a dentist appointment for friday",
    "when is my next meeting", "remind me to call the bank at noon",
    "move my three o'clock to four", "do i have anything planned this weekend",
    "what day is christmas this year", "add lunch with sam to my calendar on tuesday",
    "remind me to water the plants tomorrow morning", "cancel my meeting with the accountant",
    # shopping that is not a list
    "order more paper towels online", "how much does a new couch cost",
    "where can i buy a cheap bicycle", "track my package", "is the hardware store open now",
    "buy two tickets for the concert", "when does my amazon order arrive",
    "find me a good deal on running shoes", "reorder my usual pizza",
    "what's the cheapest flight to chicago",
    # music and media search
    "play the latest album by adele", "play some relaxing jazz",
    "play bohemian rhapsody by queen", "who sings this song", "what song is this",
    "play the podcast about history", "find me a good comedy movie",
    "play my workout playlist on spotify", "what's the name of this band",
    "recommend a good book", "play the news",
    # weather
    "what's the weather like tomorrow", "is it going to rain today", "do i need an umbrella",
    "will it snow this weekend", "what's the forecast for saturday",
    "how windy will it be this afternoon", "when is sunset today",
    "what's the weather in london", "is there a storm coming", "what's the uv index today",
    # timers, alarms, time
    "set a timer for ten minutes", "how much time is left on my timer",
    "cancel the pasta timer", "set an alarm for six thirty", "wake me up at seven tomorrow",
    "start a five minute timer for the eggs", "what time is it", "what's today's date",
    "snooze the alarm", "how many days until my birthday",
    # jokes and games
    "tell me a joke", "tell me a knock knock joke", "say something funny",
    "let's play a game", "flip a coin", "roll a dice", "pick a number between one and ten",
    "sing me a song", "tell me a bedtime story",
    # greetings and politeness
    "hello", "hi there", "good morning", "hey", "thank you", "thanks a lot",
    "see you later", "goodbye", "nice to meet you", "you're welcome", "how's it going",
    # near misses: home words, no request the resolver handles
    "i love my kitchen", "the light in this photo is nice", "my lamp is from ikea",
    "the kitchen needs a new coat of paint", "we should repaint the bedroom",
    "i'm a huge fan of the beatles", "the garage is full of old boxes",
    "the door creaks when it opens", "how do i change a light bulb",
    "how much does a smart plug cost", "my vacuum cleaner came with a warranty",
    "the curtains are a lovely shade of blue", "i turned off the lights before i left",
    "did you know the first light bulb lasted forty hours", "my thermostat is a nest",
    "what kind of lock should i buy for the shed", "the living room looks great",
    "turn the page", "i switched jobs last year", "the fan club meets on thursdays",
    "the garden is blooming", "my speaker sounds amazing", "the tv show was boring",
    "lights camera action", "my bedroom is the smallest room in the house",
    "the front door is painted red", "i read about smart homes in a magazine",
    "who designed this kitchen", "the porch swing needs oiling",
    "can robots vacuum stairs", "i dropped my phone in the bathroom",
    "how many lumens is a good reading lamp", "the office chair is uncomfortable",
    "my blinds came from a shop downtown", "we painted the hallway last summer",
    "the switch on my old radio is broken", "this candle smells like vanilla",
    "our heating bill was huge last winter", "the neighbours' lights are always on",
    "how does a thermostat work", "i need a new lampshade for the lounge",
    "the garage door company called yesterday", "what year were light switches invented",
)  # fmt: skip
"""Hand-written sentences the resolver has nothing to do for."""

_FILLERS: tuple[str, ...] = (
    "um", "uh", "hmm", "okay", "ok", "erm", "uh huh", "mm", "huh", "oh", "ah", "well",
    "so", "like", "right", "alright then", "hmm let me think", "one second", "um okay",
)  # fmt: skip

_PREFIXES = ("", "", "", "hey ", "so ", "um ", "okay ", "hey there ", "excuse me ", "hmm ")
_SUFFIXES = ("", "", "", "?", " please", " thanks", " now", "!")

# No verb or particle of a command ("turn", "on", "up"): a salad must not read as one.
_SALAD_WORDS = (
    "banana", "purple", "seven", "quickly", "mountain", "because", "tomorrow", "elephant",
    "under", "happy", "the", "a", "of", "river", "paper", "jump", "sleepy", "blue", "window",
    "pizza", "forty", "why", "maybe", "green", "horse", "between", "soft", "very", "clock",
    "singing", "pencil", "cloud", "never", "orange", "dog", "with", "and", "it", "yesterday",
    "sandwich", "guitar", "cold", "little", "running", "ocean", "number", "table", "my",
    "garden", "kitchen", "bedroom", "lamp", "door", "fan", "speaker", "blinds", "sofa",
)  # fmt: skip
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def other_examples(rng: random.Random, n: int) -> list[Example]:
    """``n`` out-of-scope sentences labelled ResolverOther: said ones, word salad, key mash."""
    n_noise = n // 3
    n_mash = n_noise // 3
    n_said = n - n_noise
    texts = _said(rng, n_said)
    texts += [_word_salad(rng) for _ in range(n_noise - n_mash)]
    texts += [_keyboard_mash(rng) for _ in range(n_mash)]
    rng.shuffle(texts)
    return [Example(text, "ResolverOther", "none", "other") for text in texts]


def _said(rng: random.Random, n: int) -> list[str]:
    """``n`` hand-written sentences and fillers; beyond one pass, with a prefix or suffix."""
    pool = [*_OUT_OF_SCOPE, *_FILLERS]
    out: list[str] = []
    while len(out) < n:
        batch = rng.sample(pool, min(len(pool), n - len(out)))
        if out:
            batch = [_vary(rng, text) for text in batch]
        out.extend(batch)
    return out


def _vary(rng: random.Random, text: str) -> str:
    varied = f"{rng.choice(_PREFIXES)}{text}{rng.choice(_SUFFIXES)}"
    return varied.capitalize() if rng.random() < 0.3 else varied


def _word_salad(rng: random.Random) -> str:
    """Three to eight random words, no command words, at most one home noun."""
    home_nouns = {"garden", "kitchen", "bedroom", "lamp", "door", "fan", "speaker", "blinds"}
    words: list[str] = []
    length = rng.randint(3, 8)
    while len(words) < length:
        word = rng.choice(_SALAD_WORDS)
        if word in home_nouns and home_nouns & set(words):
            continue
        words.append(word)
    return " ".join(words)


def _keyboard_mash(rng: random.Random) -> str:
    """One to three tokens of letters struck at random, mostly along a keyboard row."""
    tokens = []
    for _ in range(rng.randint(1, 3)):
        row = rng.choice(_KEY_ROWS)
        letters = [
            rng.choice(row) if rng.random() < 0.8 else rng.choice(string.ascii_lowercase)
            for _ in range(rng.randint(3, 10))
        ]
        tokens.append("".join(letters))
    return " ".join(tokens)


# ------------------------------------------------------------------ all of them


def all_external(
    rng: random.Random,
    home: Home,
    data_dir: str | Path | None = None,
    n_other: int | None = None,
) -> list[Example]:
    """HA's templates, SLURP's train split and out-of-scope sentences, each with its source."""
    templates = ha_template_examples(rng, home, data_dir)
    slurp = slurp_train_examples(data_dir)
    if n_other is None:
        n_other = max(200, (len(templates) + len(slurp)) // 6)
    return [*templates, *slurp, *other_examples(rng, n_other)]


__all__ = [
    "HA_TEMPLATES",
    "SLURP_TRAIN",
    "all_external",
    "default_data_dir",
    "ha_intent_label",
    "ha_template_examples",
    "label_domain",
    "other_examples",
    "slurp_train_examples",
]
