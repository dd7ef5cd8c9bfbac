"""Training sentences generated from the project's grammar over many generated homes.

A random home is drawn (rooms, floors, devices of every domain with everyday names), then
sentences are written from templates whose verbs, particles and fillers are phrases of the
grammar's own word classes (``grammars/lexicon.txt``). Every sentence is parsed back with
the utterance grammar on that home, and its label (intent and domain) is what the parse
means: a sentence the grammar reads differently from its template is dropped, so the
labels are the grammar's. Negation, repairs and references are left out on purpose: they
stay symbolic, the proposer is not asked to learn them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..home import Home
from ..language.parse import GRAMMAR_DIR, UtteranceParser, lexicon
from ..language.tagger import spoken_times
from ..logical_form import Action, Attribute, Command, Move, Query, Undo
from ..resolve import intent_of, match_command
from .labels import DOMAINS, Example

ROOMS = (
    "kitchen", "living room", "bedroom", "master bedroom", "bathroom", "office", "study",
    "garage", "hallway", "dining room", "guest room", "nursery", "kids room", "basement",
    "attic", "laundry room", "den", "playroom", "porch", "patio", "garden", "balcony",
    "family room", "lounge", "library", "gym", "workshop", "sunroom", "utility room",
    "loft", "mudroom", "conservatory",
)
LIGHT_NAMES = (
    "{room} light", "{room} lights", "{room} lamp", "ceiling light", "floor lamp",
    "desk lamp", "reading lamp", "bedside lamp", "night light", "pendant light",
    "chandelier", "spotlights", "led strip", "wall sconce", "fairy lights", "accent light",
    "{room} ceiling light", "table lamp", "strip lights", "main light", "big light",
)
SWITCH_NAMES = ("coffee maker", "kettle", "printer", "christmas tree", "smart plug",
                "air purifier", "dehumidifier", "space heater", "electric blanket",
                "{room} plug", "fountain", "car charger", "toaster", "washing machine")
FAN_NAMES = ("ceiling fan", "{room} fan", "tower fan", "desk fan", "exhaust fan")
COVER_NAMES = (("{room} blinds", "blind"), ("{room} curtains", "curtain"),
               ("{room} shades", "shade"), ("garage door", "garage"),
               ("{room} window", "window"), ("{room} shutters", "shutter"))
LOCK_NAMES = ("front door", "back door", "side door", "patio door", "gate", "garage side door")
CLIMATE_NAMES = ("thermostat", "{room} thermostat", "heat pump", "air conditioner")
MEDIA_NAMES = ("tv", "{room} tv", "{room} speaker", "sonos", "stereo", "soundbar",
               "{room} radio", "chromecast")
VACUUM_NAMES = ("rover", "robbie", "dusty", "robot vacuum", "vacuum", "roomba")
VALVE_NAMES = ("sprinkler", "water valve", "garden valve", "main valve")
SCENES = ("movie night", "dinner time", "relax", "party mode", "romantic", "reading time",
          "wake up", "good night", "cozy evening", "focus")
SCRIPTS = ("morning routine", "leaving home", "bedtime", "stealth mode", "arrive home")
LISTS = ("shopping list", "grocery list", "to do list", "chores", "hardware store list")
ITEMS = ("milk", "eggs", "bread", "apples", "coffee", "batteries", "dish soap", "bananas",
         "butter", "paper towels", "cheese", "light bulbs", "rice", "tea", "cat food")
COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "white", "warm white")


@dataclass(frozen=True, slots=True)
class _Device:
    name: str
    domain: str
    area: str | None
    device_class: str | None = None


def random_home(rng: random.Random) -> tuple[Home, list[_Device]]:
    """A home with 3-9 rooms over 1-3 floors and devices of every domain."""
    rooms = rng.sample(ROOMS, rng.randint(3, 9))
    floors = [("ground", "ground floor", ["downstairs"]), ("first", "first floor", ["upstairs"]),
              ("second", "second floor", [])][: rng.randint(1, 3)]
    areas = [{"id": r.replace(" ", "_"), "name": r, "floor": rng.choice(floors)[0]}
             for r in rooms]
    devices: list[_Device] = []
    used: set[str] = set()

    def add(template: str, domain: str, area: str | None, device_class: str | None = None
            ) -> None:
        name = template.format(room=area or rng.choice(rooms))
        if name in used:
            return
        used.add(name)
        devices.append(_Device(name, domain, area if "{room}" in template or area else None,
                               device_class))

    for room in rooms:
        for template in rng.sample(LIGHT_NAMES, rng.randint(1, 3)):
            add(template, "light", room)
        if rng.random() < 0.4:
            add(rng.choice(SWITCH_NAMES), "switch", room)
        if rng.random() < 0.3:
            add(rng.choice(FAN_NAMES), "fan", room)
        if rng.random() < 0.4:
            template, cls = rng.choice(COVER_NAMES)
            add(template, "cover", room, cls)
        if rng.random() < 0.3:
            add(rng.choice(MEDIA_NAMES), "media_player", room)
    for name in rng.sample(LOCK_NAMES, rng.randint(1, 3)):
        add(name, "lock", rng.choice(rooms))
    add(rng.choice(CLIMATE_NAMES), "climate", rng.choice(rooms))
    add(rng.choice(VACUUM_NAMES), "vacuum", rng.choice(rooms))
    if rng.random() < 0.5:
        add(rng.choice(VALVE_NAMES), "valve", None)
    for name in rng.sample(SCENES, 2):
        add(name, "scene", None)
    add(rng.choice(SCRIPTS), "script", None)
    for name in rng.sample(LISTS, 2):
        add(name, "todo", None)
    add("{room} temperature", "sensor", rng.choice(rooms))

    entities: list[dict[str, Any]] = []
    for index, device in enumerate(devices):
        object_id = f"{device.name.replace(' ', '_')}_{index}"
        entity: dict[str, Any] = {"id": f"{device.domain}.{object_id}", "name": device.name,
                                  "state": rng.choice(["on", "off"])
                                  if device.domain in ("light", "switch", "fan") else None}
        if device.area:
            entity["area"] = device.area.replace(" ", "_")
        attributes: dict[str, Any] = {}
        if device.device_class:
            attributes["device_class"] = device.device_class
        if device.domain == "climate":
            attributes.update(temperature=rng.randint(62, 74), current_temperature=68)
        if device.domain == "media_player":
            attributes["volume_level"] = round(rng.random(), 2)
        if device.domain == "sensor":
            attributes.update(device_class="temperature", unit_of_measurement="°F")
            entity["state"] = str(rng.randint(50, 80))
        if attributes:
            entity["attributes"] = attributes
        if entity["state"] is None:
            del entity["state"]
        entities.append(entity)
    data = {"floors": [{"id": f, "name": n, "aliases": a} for f, n, a in floors],
            "areas": areas, "entities": entities}
    return Home.from_dict(data, "<generated home>"), devices


class _Phrases:
    """Random phrases of the grammar's word classes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        by_class: dict[str, list[str]] = {}
        for text, kind in lexicon(str(GRAMMAR_DIR)).classes.items():
            by_class.setdefault(kind, []).append(text)
        self.by_class = by_class

    def __call__(self, kind: str) -> str:
        return self.rng.choice(self.by_class[kind])

    def maybe(self, kind: str, p: float = 0.3) -> str:
        return self(kind) + " " if self.rng.random() < p else ""


Template = Callable[[random.Random, _Phrases, "Picker"], str]


class Picker:
    """Random devices and rooms of one generated home."""

    def __init__(self, rng: random.Random, devices: list[_Device]) -> None:
        self.rng = rng
        self.devices = devices

    def device(self, *domains: str) -> _Device | None:
        found = [d for d in self.devices if d.domain in domains]
        return self.rng.choice(found) if found else None

    def name(self, *domains: str) -> str:
        device = self.device(*domains)
        return device.name if device else "light"

    def room(self) -> str:
        rooms = [d.area for d in self.devices if d.area]
        return self.rng.choice(rooms) if rooms else "kitchen"

    def the(self, *domains: str) -> str:
        return f"{self.rng.choice(['the ', 'the ', 'my ', ''])}{self.name(*domains)}"


def _pct(rng: random.Random) -> str:
    value = rng.choice([10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100, rng.randint(1, 100)])
    return rng.choice([f"{value} percent", f"{value}%", f"{value} percent", str(value)])


def _templates() -> list[Template]:
    t: list[Template] = [
        lambda r, p, k: f"{p.maybe('FILLER')}{p('V_ON')} {k.the('light', 'switch', 'fan')}",
        lambda r, p, k: f"{p('V_ON')} the lights in the {k.room()}",
        lambda r, p, k: f"{p('V_ON')} the {k.room()} lights",
        lambda r, p, k: f"turn {k.the('light', 'switch', 'fan', 'media_player')} on",
        lambda r, p, k: f"{k.room()} lights on{r.choice(['', ' please'])}",
        lambda r, p, k: f"{p('V_LIGHT')} the {k.room()}",
        lambda r, p, k: f"{p.maybe('FILLER')}{p('V_OFF')} {k.the('light', 'switch', 'fan')}",
        lambda r, p, k: f"{p('V_OFF')} all the lights{r.choice(['', ' in the house'])}",
        lambda r, p, k: f"turn {k.the('light', 'switch', 'media_player')} off",
        lambda r, p, k: f"{k.room()} lights off",
        lambda r, p, k: f"{p('V_OFF')} the lights in the {k.room()}",
        lambda r, p, k: f"{p('V_LOCK')} {k.the('lock')}",
        lambda r, p, k: f"{p('V_UNLOCK')} {k.the('lock')}",
        lambda r, p, k: f"{p('V_OPEN')} {k.the('cover', 'valve')}",
        lambda r, p, k: f"{p('V_CLOSE')} {k.the('cover', 'valve')}",
        lambda r, p, k: f"{r.choice(['set', 'change', 'dim', 'adjust'])} {k.the('light')} "
                        f"to {_pct(r)}",
        lambda r, p, k: f"set the {k.room()} lights to {_pct(r)} brightness",
        lambda r, p, k: f"{r.choice(['make', 'turn', 'set'])} {k.the('light')} "
                        f"{r.choice(['', 'to '])}{r.choice(COLORS)}",
        lambda r, p, k: f"set the brightness of {k.the('light')} to {_pct(r)}",
        lambda r, p, k: f"{r.choice(['set', 'open', 'move'])} {k.the('cover')} to {_pct(r)}",
        lambda r, p, k: f"set {k.the('climate')} to {r.randint(60, 78)}"
                        f"{r.choice(['', ' degrees'])}",
        lambda r, p, k: f"set the temperature {r.choice(['', 'in the ' + k.room() + ' '])}"
                        f"to {r.randint(60, 78)} degrees",
        lambda r, p, k: f"set the volume {r.choice(['', 'of ' + k.the('media_player') + ' '])}"
                        f"to {_pct(r)}",
        lambda r, p, k: f"set {k.the('fan')} {r.choice(['', 'speed '])}to {_pct(r)}",
        lambda r, p, k: f"{p('V_PAUSE')} {r.choice(['', 'the music', k.the('media_player')])}",
        lambda r, p, k: f"{r.choice(['resume', 'unpause', 'continue'])} "
                        f"{r.choice(['', 'the music', k.the('media_player')])}",
        lambda r, p, k: f"{r.choice(['skip', 'next song', 'next track', 'skip this song'])}"
                        f"{r.choice(['', ' on ' + k.the('media_player')])}",
        lambda r, p, k: f"{r.choice(['previous song', 'go back', 'previous track', 'replay'])}"
                        f"{r.choice(['', ' on ' + k.the('media_player')])}",
        lambda r, p, k: f"{p('V_CLEAN')} the {k.room()}",
        lambda r, p, k: f"start {k.the('vacuum')}",
        lambda r, p, k: f"{r.choice(['send', 'return'])} {k.the('vacuum')} "
                        f"{r.choice(['home', 'to base', 'back to its dock'])}",
        lambda r, p, k: f"{r.choice(['activate', 'turn on', 'run', 'start'])} "
                        f"{k.name('scene', 'script')}",
        lambda r, p, k: f"add {r.choice(ITEMS)} to {k.the('todo')}",
        lambda r, p, k: f"is {k.the('lock')} {r.choice(['locked', 'unlocked'])}",
        lambda r, p, k: f"is {k.the('light', 'switch')} {r.choice(['on', 'off'])}",
        lambda r, p, k: f"are any lights on in the {k.room()}",
        lambda r, p, k: f"what is the temperature {r.choice(['', 'in the ' + k.room()])}",
        lambda r, p, k: f"{p('UNDO')}",
        lambda r, p, k: f"{r.choice(['oh ', 'ok ', 'hmm ', 'wait ', ''])}{p('UNDO')}"
                        f"{r.choice([' please', ' thanks', ' for now', ''])}",
        lambda r, p, k: f"{p.maybe('DEGREE')}{r.choice(['brighter', 'louder', 'warmer'])}",
        lambda r, p, k: f"{p.maybe('DEGREE')}{r.choice(['dimmer', 'quieter', 'cooler'])}",
        lambda r, p, k: f"make {k.the('light')} {r.choice(['brighter', 'dimmer'])}",
        lambda r, p, k: f"{p('V_UP')} {k.the('media_player', 'fan', 'climate')}",
        lambda r, p, k: f"{p('V_DOWN')} {k.the('media_player', 'fan', 'climate')}",
        lambda r, p, k: f"{p('V_DIM')} {k.the('light')}",
        lambda r, p, k: f"{p('V_BRIGHTEN')} {k.the('light')}",
        lambda r, p, k: f"turn the volume {r.choice(['up', 'down'])}",
    ]
    return t


def _command(r: random.Random, p: _Phrases, k: Picker) -> str:
    """A short command with an explicit target, to chain or to repair."""
    return r.choice([
        lambda: f"{p('V_ON')} {k.the('light', 'switch', 'fan')}",
        lambda: f"{p('V_OFF')} {k.the('light', 'switch', 'fan')}",
        lambda: f"{p('V_LOCK')} {k.the('lock')}",
        lambda: f"{p('V_OPEN')} {k.the('cover', 'valve')}",
        lambda: f"set {k.the('light')} to {_pct(r)}",
    ])()


def _lights(r: random.Random) -> str:
    """A group of lights to act on and then narrow down."""
    return r.choice(["all the lights", "the lights", "every light", "all lights",
                     "everything"])


def _where(r: random.Random, k: Picker) -> str:
    """Where a group is: a floor, a room, or the whole home."""
    return r.choice(["upstairs", "downstairs", f"in the {k.room()}", "on the first floor",
                     "in the house", ""])


def _negation(r: random.Random, p: _Phrases) -> str:
    """"don't" half the time (the lexicon's negations are the longer forms)."""
    return "don't" if r.random() < 0.5 else p("NEG")


def _except(r: random.Random, p: _Phrases) -> str:
    """"but not" a third of the time, the way most exclusions are said."""
    return "but not" if r.random() < 1 / 3 else p("EXCEPT")


def _condition(r: random.Random, p: _Phrases, k: Picker) -> str:
    """What a command depends on: "if it's dark", "unless the tv is playing", "only if they
    are not on"."""
    said = r.choice(["if", "if", "unless", "only if"])
    subject = r.choice(["it's", "it is", "they are", "they're",
                        f"{k.the('light', 'lock', 'cover', 'media_player')} is"])
    state = r.choice([*p.by_class["STATE"], "on", "off", "open"])
    return f"{said} {subject} {r.choice(['', '', 'not '])}{state}"


def _follow_up_templates() -> list[tuple[float, Template]]:
    """Turns that lean on the dialog before them: references, ellipsis, repairs, exclusions,
    answers to a question, undo and several commands in one turn (the shapes of the golden
    dialogs, over any home), each with how often it is drawn.

    The short words that turn a command around ("but not", "leave", "no, the ...", "don't")
    are what the symbolic layer exists for and what a recogniser most easily drops, so the
    exclusion, repair and negation shapes are drawn :data:`LOGIC_WEIGHT` times as often as
    the others, and with more wordings; conditions and times said with a command ("unless
    it's playing", "in five minutes") :data:`CONDITION_WEIGHT` times."""
    plain: list[Template] = [
        # references
        lambda r, p, k: f"{r.choice(['turn', 'switch'])} {p('IT')} {r.choice(['on', 'off'])}",
        lambda r, p, k: f"{p('V_ON')} {p('IT')}",
        lambda r, p, k: f"{p('V_OFF')} {p('IT')}",
        lambda r, p, k: f"make {p('IT')} {p.maybe('DEGREE')}{p('COMPARATIVE')}",
        lambda r, p, k: f"{r.choice(['set', 'dim', 'turn'])} {p('IT')} to {_pct(r)}",
        lambda r, p, k: f"{r.choice(['lock', 'unlock', 'open', 'close'])} {p('IT')}",
        lambda r, p, k: f"is it {r.choice(['on', 'off', 'locked', 'open'])} now",
        lambda r, p, k: f"{p.maybe('DEGREE')}{p('COMPARATIVE')}",
        # ellipsis
        lambda r, p, k: f"and {k.the('light', 'switch', 'fan', 'lock', 'cover')}",
        lambda r, p, k: f"{r.choice(['', 'and '])}{k.the('light', 'switch', 'fan')} {p('TOO')}",
        lambda r, p, k: f"{p('SAME_FOR')} the {k.room()}",
        lambda r, p, k: f"{p('WHAT_ABOUT')} {k.the('light', 'switch', 'lock')}",
        # answers to a question
        lambda r, p, k: f"the {r.choice([k.room(), 'front', 'back', 'side', 'left', 'right'])}"
                        f" one",
        lambda r, p, k: f"{k.the('light', 'switch', 'lock', 'cover')}",
        lambda r, p, k: f"{r.choice([p('YES'), p('NO'), 'both', 'both of them'])}",
        # undo
        lambda r, p, k: f"{r.choice(['', 'oh ', 'no '])}{p('UNDO')}",
        # several commands in one turn
        lambda r, p, k: f"{_command(r, p, k)} {p('SEP')} {_command(r, p, k)}",
    ]
    logic: list[Template] = [
        # repairs
        lambda r, p, k: f"{p('NO')} the {k.room()} one",
        lambda r, p, k: f"{p('NO')} {p('REPAIR')} {k.the('light', 'switch', 'lock')}",
        lambda r, p, k: f"not the {k.room()} the {k.room()}",
        lambda r, p, k: f"{p('REPAIR')} the {k.room()}",
        lambda r, p, k: f"{p('V_ON')} the {k.room()} {p('NO')} the {k.room()} light",
        lambda r, p, k: f"{p('V_OFF')} {k.the('light', 'switch')} {p('NO')} "
                        f"{k.the('light', 'switch')}",
        lambda r, p, k: f"{_command(r, p, k)} {p('REPAIR')} {k.the('light', 'lock')}",
        lambda r, p, k: f"{r.choice(['actually', 'no', 'make that'])} {_pct(r).split()[0]}",
        # exclusions
        lambda r, p, k: f"{p('V_OFF')} {_lights(r)} {_where(r, k)} {_except(r, p)} "
                        f"{k.the('light')}",
        lambda r, p, k: f"{p('V_ON')} {_lights(r)} {_where(r, k)} {_except(r, p)} "
                        f"{k.the('light')}",
        lambda r, p, k: f"{p('V_OFF')} {_lights(r)} {_where(r, k)} but {k.the('light')}",
        lambda r, p, k: f"{p('V_OFF')} the lights {_where(r, k)} {p('LEAVE')} "
                        f"{k.the('light')} on",
        lambda r, p, k: f"{p('V_ON')} the lights {_where(r, k)} {p('LEAVE')} "
                        f"{k.the('light')} off",
        lambda r, p, k: f"{p('V_LOCK')} all the doors {_except(r, p)} {k.the('lock')}",
        lambda r, p, k: f"{p('V_CLOSE')} all the {r.choice(['blinds', 'curtains', 'shades'])}"
                        f" {_except(r, p)} the {k.room()} ones",
        # negations
        lambda r, p, k: f"{p('NO')} don't",
        lambda r, p, k: f"{p('NO')} don't {_command(r, p, k)}",
        lambda r, p, k: f"{_negation(r, p)} {_command(r, p, k)}",
        lambda r, p, k: f"{p('NO')} {_negation(r, p)} {_command(r, p, k)}",
    ]
    conditional: list[Template] = [
        lambda r, p, k: f"{_command(r, p, k)} {_condition(r, p, k)}",
        lambda r, p, k: f"{_condition(r, p, k)} {_command(r, p, k)}",
        lambda r, p, k: f"{_command(r, p, k)} {r.choice(spoken_times())}",
        lambda r, p, k: f"{r.choice(spoken_times())} {_command(r, p, k)}",
    ]
    return ([(1.0, t) for t in plain] + [(LOGIC_WEIGHT, t) for t in logic]
            + [(CONDITION_WEIGHT, t) for t in conditional])


LOGIC_WEIGHT = 2.0
"""How much more often an exclusion, repair or negation shape is drawn than another dialog
turn's shape."""
CONDITION_WEIGHT = 4.0
"""How much more often a condition's or a time's shape ("... unless it's playing", "... in
five minutes") is drawn than another dialog turn's shape: their words came to the grammar
after the audio model's first corpora, which never said them."""


def follow_up_examples(rng: random.Random, homes: int = 60, per_home: int = 40
                       ) -> Iterator[tuple[str, tuple[str, str] | None]]:
    """Dialog turns over ``homes`` generated homes, each with its label where the turn stands
    alone (see :func:`_label`; negated commands labelled with the command they name), None
    where its meaning depends on the dialog. Only turns the grammar reads are given."""
    templates = _follow_up_templates()
    for text, home, parser in _drawn(rng, [t for _, t in templates], homes, per_home,
                                     [w for w, _ in templates]):
        if parser.parse(text).utterance is not None:
            yield text, _label(parser, home, text, negated=True)


def _drawn(rng: random.Random, templates: list[Template], homes: int, per_home: int,
           weights: list[float] | None = None) -> Iterator[tuple[str, Home, UtteranceParser]]:
    """Texts of ``templates`` over ``homes`` generated homes, ``per_home`` draws in each and
    each text once a home, with the home it names and a parser of that home; ``weights``
    say how often each template is drawn (all alike by default)."""
    phrases = _Phrases(rng)
    for _ in range(homes):
        home, devices = random_home(rng)
        parser = UtteranceParser(home)
        picker = Picker(rng, devices)
        seen: set[str] = set()
        for _ in range(per_home):
            template = (rng.choices(templates, weights)[0] if weights
                        else rng.choice(templates))
            text = " ".join(template(rng, phrases, picker).split())
            if not text or text in seen:
                continue
            seen.add(text)
            yield text, home, parser


_INCREASE = {"ResolverIncrease", "ResolverDecrease"}


def _label(parser: UtteranceParser, home: Home, text: str, negated: bool = False
           ) -> tuple[str, str] | None:
    """The intent and domain the grammar gives a sentence, or None.

    A negated command ("don't turn on the light") has no intent of its own (the rules decide
    what it means) and gets None, unless ``negated``: then it gets the intent of the command it
    names, which is what the audio model's intent head is asked for (the listener compares it
    with the intent each heard candidate names)."""
    parsed = parser.parse(text)
    if parsed.utterance is None or len(parsed.utterance.moves) != 1:
        return None
    move = parsed.utterance.moves[0]
    if isinstance(move, Undo):
        return "HassNevermind", "none"
    if isinstance(move, Query):
        intent = str(move_intent(move, home))
        if intent == "HassClimateGetTemperature":
            return intent, "climate"
        domain = move.target.domains[0] if move.target.domains else _named_domain(home, move)
        return intent, _domain(domain)
    if not isinstance(move, Command) or (move.negated and not negated):
        return None
    match, _ = match_command(home, move, home.initial_state(), None)
    intent = move_intent(move, home, match.entities)
    domains = [home.entities[e].domain for e in match.entities]
    if domains:
        domain = max(set(domains), key=domains.count)
    elif move.target.domains:
        domain = move.target.domains[0]
    elif move.attribute is Attribute.VOLUME:
        domain = "media_player"
    elif move.attribute is Attribute.TEMPERATURE:
        domain = "climate"
    elif move.attribute is Attribute.SPEED:
        domain = "fan"
    elif move.attribute is not None or intent in _INCREASE:
        domain = "light"
    else:
        domain = "none"
    if intent is None:
        return None
    return intent, _domain(domain)


def move_intent(move: Move, home: Home, entities: tuple[str, ...] = ()) -> str | None:
    """The intent label of one move of a logical form, as the intent heads are taught it:
    undo is HassNevermind, a question HassGetState (HassClimateGetTemperature when it asks
    the temperature), a command its HA intent (ResolverIncrease and ResolverDecrease for
    relative changes), negated or not. None for a move no head has a label for.
    ``entities`` (a command's matched entities) tell what a bare value sets."""
    if isinstance(move, Undo):
        return "HassNevermind"
    if isinstance(move, Query):
        if move.quantity in ("temperature", "temp") and move.state is None:
            return "HassClimateGetTemperature"
        return "HassGetState"
    if not isinstance(move, Command):
        return None
    if move.action is Action.INCREASE:
        return "ResolverIncrease"
    if move.action is Action.DECREASE:
        return "ResolverDecrease"
    intent = intent_of(move, home, entities)["name"]
    return intent if intent in _KNOWN_INTENTS else None


def _named_domain(home: Home, query: Query) -> str:
    for name in query.target.names:
        for entity in home.entities.values():
            if name in entity.spoken_names:
                return entity.domain
    return "none"


def _domain(domain: str) -> str:
    domain = {"input_boolean": "switch", "binary_sensor": "sensor"}.get(domain, domain)
    return domain if domain in DOMAINS else "none"


_KNOWN_INTENTS = frozenset({
    "HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition",
    "HassClimateSetTemperature", "HassSetVolume", "HassFanSetSpeed", "HassMediaPause",
    "HassMediaUnpause", "HassMediaNext", "HassMediaPrevious", "HassVacuumStart",
    "HassVacuumReturnToBase", "HassListAddItem", "HassGetState", "HassClimateGetTemperature",
    "HassNevermind", "ResolverIncrease", "ResolverDecrease",
})


NEGATIONS = ("don't", "do not", "no don't", "no do not", "please don't", "no no don't")
"""How the negated sentences of :func:`grammar_examples` begin."""


def grammar_examples(rng: random.Random, homes: int = 60, per_home: int = 100,
                     negated_share: float = 0.0) -> Iterator[Example]:
    """Sentences from the grammar's templates over ``homes`` generated homes, labelled.

    A share ``negated_share`` of the commands is also said negated ("don't turn on the hall light"),
    labelled with the intent of the command it names (see :func:`_label`)."""
    for text, home, parser in _drawn(rng, _templates(), homes, per_home):
        label = _label(parser, home, text)
        if label is None:
            continue
        yield Example(text, label[0], label[1], "grammar")
        if negated_share and rng.random() < negated_share:
            said = f"{rng.choice(NEGATIONS)} {text}"
            if _label(parser, home, said, negated=True) == label:
                yield Example(said, label[0], label[1], "grammar")
