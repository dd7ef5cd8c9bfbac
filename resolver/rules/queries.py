"""Answers to questions about the home: "is the front door locked?", "what's the temperature?"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..actions import cover_position
from ..home import READ_DOMAINS, Entity, EntityState, Home, HomeState
from ..language.parse import DETECTED, SENSING_SOMEONE
from ..language.vocabulary import DOERS
from ..logical_form import EVERYTHING, IMPLIED_DOMAINS, WHERE, Action, Attribute, Query, Target
from ..match import MatchFailure, MatchResult, match_targets, spoken_noun
from ..resolve import SWEPT_DOMAINS, heat_of_the_room
from ..responses import (
    OPENING_CLASSES,
    brightness_percent,
    by_state,
    describe_entities,
    display_name,
    failed,
    is_are,
    join_names,
    names_several,
    plural_noun,
    spoken_state,
    volume_percent,
)

# What a state word means for each kind of entity (HA's states).
_NOT_GOING = frozenset({"off", "idle", "docked", "returning", "closed", "paused"})
"""States of a device that is not running: what "done" and "finished" ask."""
_NOT_GOING_WORDS = ("done", "finished")
_STATE_WORDS = {
    "on": {"on", "open", "playing", "heat", "cool", "auto", "heat_cool", "cleaning"},
    "off": {"off", "closed", "idle", "docked", "paused"},
    "open": {"open", "opening", "on", "unlocked"},
    "opened": {"open", "opening", "on", "unlocked"},
    "closed": {"closed", "closing", "off", "locked"},
    "shut": {"closed", "off", "locked"},
    "locked": {"locked"},
    "unlocked": {"unlocked", "open"},
    "playing": {"playing"},
    "paused": {"paused"},
    "running": {"on", "cleaning", "playing", "heat", "cool", "auto", "heat_cool", "dry",
                "fan_only"},
    "cleaning": {"cleaning"},
    "docked": {"docked"},
    "charging": {"docked", "charging"},
    "idle": {"idle", "docked"},
    "heating": {"heat"},
    "cooling": {"cool"},
    "watering": {"open", "opening"},
    **dict.fromkeys(_NOT_GOING_WORDS, _NOT_GOING),  # "is the vacuum done": not running
    "dark": {"off"},
    "lit": {"on"},
    DETECTED: {"on"},
}
_ON_OFF_DOMAINS = frozenset({"switch", "input_boolean", "fan"})
_ATTRIBUTE_STATES = {"muted": ("is_volume_muted", True, "not muted"),
                     "unmuted": ("is_volume_muted", False, "muted")}
"""State words an attribute answers, not the state ("is the TV muted"): the attribute, its
value, and what a no says instead."""
_SAID_OF_DEVICES = {"dark": "off", "lit": "on", DETECTED: "detecting something"}
"""State words said of a room that answers say of its devices ("is the living room dark":
"No, the Floor Lamp is on")."""

_SWITCHED = SWEPT_DOMAINS[Action.TURN_ON]
_STATE_DOMAINS = {
    **dict.fromkeys(("on", "off"), _SWITCHED),
    **dict.fromkeys(("lit", "dark"), ("light",)),
    "running": (*_SWITCHED, "vacuum"),
    **dict.fromkeys(("open", "opened", "closed", "shut"), SWEPT_DOMAINS[Action.OPEN]),
    **dict.fromkeys(("locked", "unlocked"), ("lock",)),
    **dict.fromkeys(("playing", "paused", "muted", "unmuted"), ("media_player",)),
    **dict.fromkeys(("cleaning", "docked", "charging"), ("vacuum",)),
    "watering": ("valve",),
}
"""What a state word asks about when the question names no device ("is the garage open":
its doors and blinds, not its car charger that is on; "is anything on in the kitchen")."""
NAMED_AT_MOST = 5
"""Devices a "which" answer names before it counts the rest."""

_READ_FROM = {"volume": "media_player", "brightness": "light", "mode": "climate"}
"""What a quantity asked of no device is read from ("what's the volume")."""
_QUANTITY_ATTRIBUTES = {"temperature": "current_temperature", "temp": "current_temperature",
                        "humidity": "current_humidity", "setpoint": "temperature"}


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """A spoken answer and the entities it was about."""

    response: str
    entities: tuple[str, ...] = ()


def answer_query(home: Home, state: HomeState, query: Query,
                 speaker_area: str | None) -> QueryAnswer:
    """Answer a question from the home's current state."""
    if query.quantity == WHERE:
        return _where(home, state, query, speaker_area)
    if query.state is None and query.quantity:
        return _value(home, state, query, speaker_area)
    if _of_a_list(home, query.target) and (
            query.state == "on" or not (query.state or query.count)):
        # "what's on my shopping list", "how many items are on the grocery list": the list
        # said, not every list ("which" and "how many" widen to all the others)
        lists = replace(query.target, plural=False, all=False)
        match = match_targets(home, lists, None, speaker_area)
        if match.failure is MatchFailure.AMBIGUOUS:  # "what's on my list"
            match = match_targets(home, replace(lists, plural=True), None, speaker_area)
        if match.ok and all(e.startswith("todo.") for e in match.entities):
            return _on_the_list(home, state, match.entities)
    if query.target.part:  # "are some of the lights on": any of them
        query = replace(query, any=True, target=replace(query.target, part=False))
    target = replace(query.target, plural=True, all=True) if query.any else query.target
    match = _match(home, target, query.state, speaker_area)
    if not match.ok and query.state == DETECTED:
        # "is anyone in the kitchen" where nothing senses people
        return QueryAnswer(f"I can't tell: nothing{_in_area(home, query)} senses motion or "
                           "presence.")
    if not match.ok:
        return QueryAnswer(failed(home, match, target.nouns[0] if target.nouns else ""))
    entities = match.entities
    if query.count and query.state is None:
        return _there_are(home, entities)
    if query.state is None:
        parts = [f"the {display_name(home.entities[e].name)} {is_are(home, [e])} "
                 f"{spoken_state(state, e)}" for e in entities[:5]]
        return QueryAnswer(_sentence(join_names(parts)) + ".", entities)
    said = _SAID_OF_DEVICES.get(query.state, query.state)
    matching = [e for e in entities if _in_state(home.entities[e], state[e], query.state)]
    if query.count:
        return _count(home, query, entities, matching, said)
    if query.which:
        if not matching:
            return QueryAnswer(f"Nothing{_in_area(home, query)} is {said}.", entities)
        if query.state == "playing" and _titled(state, matching):
            return QueryAnswer(_now_playing(home, state, matching), tuple(matching))
        return QueryAnswer(_sentence(f"{_named(home, matching)} {is_are(home, matching)} "
                                     f"{said}."), tuple(matching))
    if query.any and not matching:  # "is anything on in the kitchen": what is there, as it is
        return QueryAnswer(f"No, {_as_they_are(home, state, entities)}.", entities)
    others = [e for e in entities if e not in matching]

    def said_of(entity_ids: list[str]) -> str:
        if query.state in _NOT_GOING_WORDS:
            # "is the vacuum done": how it is ("docked"), which says more than "done"
            return _as_they_are(home, state, entity_ids)
        return f"{describe_entities(home, entity_ids)} {is_are(home, entity_ids)} {said}"

    if matching and (query.any or not others):
        return QueryAnswer(f"Yes, {said_of(matching)}.", tuple(matching))
    # Not all of them: "are all the doors locked" is not answered yes for the two of three
    # that are; the ones that are not, and how they are, come first.
    answer = (f"No, {describe_entities(home, others)} {is_are(home, others)} "
              f"{_ATTRIBUTE_STATES[query.state][2]}"  # "No, the TV is not muted"
              if query.state in _ATTRIBUTE_STATES else f"No, {_as_they_are(home, state, others)}")
    if matching:
        answer += f"; {said_of(matching)}"
    return QueryAnswer(answer + ".", entities)


def _titled(state: HomeState, entity_ids: list[str]) -> bool:
    """Some of the players say what they play (``media_title``)."""
    return any(state[e].attributes.get("media_title") for e in entity_ids)


def _now_playing(home: Home, state: HomeState, entity_ids: list[str]) -> str:
    """"what's playing on the TV": "The Living Room TV is playing The Great British Bake
    Off." (and by whom, when the player says)."""
    parts = []
    for entity_id in entity_ids[:NAMED_AT_MOST]:
        attrs = state[entity_id].attributes
        what = attrs.get("media_title")
        by = f" by {attrs['media_artist']}" if what and attrs.get("media_artist") else ""
        parts.append(f"the {display_name(home.entities[entity_id].name)} is playing"
                     + (f" {what}{by}" if what else ""))
    return _sentence(join_names(parts)) + "."


def _in_state(entity: Entity, now: EntityState, asked: str) -> bool:
    """The entity is as the state word asked says ("on" is "playing" for a player too,
    "charging" is "on" for a charger that is a switch)."""
    if (asked == "running" or asked in DOERS) and entity.domain in _ON_OFF_DOMAINS:
        # a switch that is on is running, and charging only when it is a charger
        doer = DOERS.get(asked)
        does_it = doer is None or any(doer in name.split() for name in entity.spoken_names)
        return does_it and now.state == "on"
    if asked in _ATTRIBUTE_STATES:
        key, value, _ = _ATTRIBUTE_STATES[asked]
        return bool(now.attributes.get(key)) is value
    return now.state in _STATE_WORDS.get(asked, {asked})


def condition_met(home: Home, state: HomeState, query: Query, speaker_area: str | None,
                  own: Sequence[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """What a yes-or-no ``query`` said as a command's condition ("... if the front door is
    locked") is about, and which of those are in the state it asks: ``own``, the command's
    devices, when it says "it" or "they" of them; None when it names nothing known."""
    if query.state is None:
        return None
    if query.target.reference is not None and not (query.target.names or
                                                   query.target.domains):
        if not own:  # "if it's dark": no device the command is about
            return None
        entities = tuple(_doors_of_the_locks(home, own) if query.state in _OPEN_WORDS
                         else own)
    else:
        target = replace(query.target, plural=True, all=True) if query.any else query.target
        match = _match(home, target, query.state, speaker_area)
        if not match.ok:
            return None
        entities = tuple(match.entities)
    met = tuple(e for e in entities if _in_state(home.entities[e], state[e], query.state))
    return entities, met


def as_they_are(home: Home, state: HomeState, entity_ids: Sequence[str]) -> str:
    """"The Front Door is unlocked": the entities as they are, as a sentence's start."""
    return _sentence(_as_they_are(home, state, list(entity_ids)))


def _of_a_list(home: Home, target: Target) -> bool:
    """The target says a list: its noun ("my shopping list") or a list's name ("groceries")."""
    if "todo" in target.domains:
        return True
    return bool(target.names) and any(
        name in entity.spoken_names for entity in home.entities.values()
        if entity.domain == "todo" for name in target.names)


def _on_the_list(home: Home, state: HomeState, entity_ids: list[str]) -> QueryAnswer:
    """"what's on the shopping list": how many items each list has, and which ones when
    they are known (the items added in this session; a home file gives only the count)."""
    parts = []
    for entity_id in entity_ids[:NAMED_AT_MOST]:
        name = display_name(home.entities[entity_id].name)
        items = [str(i) for i in state[entity_id].attributes.get("items") or ()]
        count = state[entity_id].state  # HA's: the number of open items
        number = int(count) if count.isdigit() else len(items)
        if number == 0:
            parts.append(f"the {name} is empty")
        elif items and number == len(items):
            parts.append(f"on the {name}: {join_names(items)}")
        else:
            among = f", {join_names(items)} among them" if items else ""
            noun = "item" if number == 1 else "items"
            parts.append(f"the {name} has {number} {noun}{among}")
    return QueryAnswer(_sentence("; ".join(parts)) + ".", tuple(entity_ids))


def _there_are(home: Home, entities: list[str]) -> QueryAnswer:
    """"how many locks are there": "There are 3 locks."."""
    if len(entities) == 1:
        return QueryAnswer(f"There is one: {_named(home, entities)}.", tuple(entities))
    return QueryAnswer(f"There are {len(entities)} {plural_noun(home, entities)}.",
                       tuple(entities))


def _count(home: Home, query: Query, entities: list[str], matching: list[str], said: str
           ) -> QueryAnswer:
    """"how many lights are on": "6: the Hallway Light, ... and 2 more are on."."""
    if not matching:
        return QueryAnswer(f"None: no {plural_noun(home, entities)}{_in_area(home, query)} "
                           f"are {said}.", tuple(entities))
    number = "One" if len(matching) == 1 else str(len(matching))
    return QueryAnswer(_sentence(f"{number}: {_named(home, matching)} "
                                 f"{is_are(home, matching)} {said}."), tuple(matching))


def _in_area(home: Home, query: Query) -> str:
    """" in the Kitchen" when the question names one area, " on the First Floor" when it
    names one floor and no area, else nothing."""
    areas, floors = query.target.areas, query.target.floors
    if len(areas) == 1:
        return f" in the {home.areas[areas[0]].name}"
    return f" on the {home.floors[floors[0]].name}" if len(floors) == 1 and not areas else ""


def _as_they_are(home: Home, state: HomeState, entity_ids: list[str]) -> str:
    """"the Front Door is unlocked", "the Ceiling Light and the Lamp are on and the Fan is
    off": the entities grouped by their state."""
    return join_names([f"{describe_entities(home, group)} {is_are(home, group)} {spoken}"
                       for spoken, group in by_state(state, entity_ids).items()])


def _where(home: Home, state: HomeState, query: Query, speaker_area: str | None
           ) -> QueryAnswer:
    """"where is the vacuum": the area each is in (and, for a vacuum, what it is doing)."""
    match = match_targets(home, replace(query.target, plural=True), None, speaker_area)
    if not match.ok:
        return QueryAnswer(failed(home, match, spoken_noun(query.target)))
    parts = []
    for entity_id in match.entities[:NAMED_AT_MOST]:
        entity = home.entities[entity_id]
        where = (f"in the {home.areas[entity.area].name}" if entity.area
                 else "in no room I know of")
        doing = f", {spoken_state(state, entity_id)}" if entity.domain == "vacuum" else ""
        parts.append(f"the {display_name(entity.name)} {is_are(home, [entity_id])} "
                     f"{where}{doing}")
    return QueryAnswer(_sentence(join_names(parts)) + ".", match.entities)


def _match(home: Home, target: Target, asked: str | None, speaker_area: str | None
           ) -> MatchResult:
    """What a question is about: of a target that names no device, what the state word is
    said of first ("open": covers and valves), then anything there; of a noun of several
    kinds, the kinds the state word is said of ("are the doors locked": the locks, not the
    garage door)."""
    targets = [target]
    said_of = _STATE_DOMAINS.get(asked or "", ())
    if target.reference not in (None, EVERYTHING):
        # "is it on" with nothing said before: what "it" is, not every device of the home
        return match_targets(home, target, None, speaker_area)
    if said_of and not (target.domains or target.names or target.entity_ids):
        targets.insert(0, target.merged(Target(domains=said_of)))
    elif said_of and not target.names:
        kinds = tuple(d for d in target.domains if d in said_of)
        if kinds and kinds != target.domains:
            targets.insert(0, replace(target, domains=kinds))
    for tried in targets:
        match = match_targets(home, tried, None, speaker_area)
        if match.failure is MatchFailure.AMBIGUOUS and asked is not None:
            match = match_targets(home, replace(tried, plural=True), None, speaker_area)
        if match.ok:
            break
    if match.failure is MatchFailure.NO_AREA and target.domains == ("climate",):
        # "is the heating on in the office": its heater, as a command's heat there is
        match = heat_of_the_room(home, target, None, speaker_area)
    if asked in _OPEN_WORDS:
        match = _with_contact_sensors(home, target, match, speaker_area)
    if match.ok and asked == DETECTED:
        # "is someone at the front door": a lock senses nobody
        sensing = tuple(e for e in match.entities if home.entities[e].domain == "binary_sensor"
                        and home.entities[e].device_class in SENSING_SOMEONE)
        match = MatchResult(entities=sensing, scope=match.scope) if sensing else MatchResult(
            failure=MatchFailure.NOTHING_SAID)
    return match


_OPEN_WORDS = frozenset({"open", "opened", "closed", "shut"})
_SENSED = {"window": "window", "door": "door", "garage": "garage_door"}
"""The device classes of the binary sensors that say whether what a noun names is open."""


def _with_contact_sensors(home: Home, target: Target, match: MatchResult,
                          speaker_area: str | None) -> MatchResult:
    """What an open or closed question is about, with the contact sensors that say whether
    doors and windows are open: those of the kind said ("is the window open in the
    bedroom"), or of any kind when none is ("what's open"), and a lock's door's in the
    lock's place ("is the front door open")."""
    classes = tuple(_SENSED[c] for c in target.device_classes if c in _SENSED) \
        if target.domains else tuple(sorted(OPENING_CLASSES))
    if classes and not (target.names or target.entity_ids):
        sensors = match_targets(home, replace(target, domains=("binary_sensor",),
                                              device_classes=classes, plural=True, all=True),
                                None, speaker_area)
        if sensors.ok:
            found = {*sensors.entities, *(match.entities if match.ok else ())}
            match = MatchResult(entities=tuple(e for e in home.entities if e in found),
                                scope=match.scope if match.ok else sensors.scope)
    if not match.ok:
        return match
    return replace(match, entities=tuple(_doors_of_the_locks(home, match.entities)))


def _doors_of_the_locks(home: Home, entity_ids: Sequence[str]) -> list[str]:
    """"is the front door open": a lock says whether it is locked, not whether its door is
    open; the door's contact sensor does (the lock's device's, or one named after the lock:
    "Front Door Contact"), and answers in its place where there is one."""
    found: list[str] = []
    for entity_id in entity_ids:
        lock = home.entities[entity_id]
        sensors = [e.id for e in home.entities.values()
                   if e.domain == "binary_sensor" and e.device_class in OPENING_CLASSES and (
                       (lock.device is not None and e.device == lock.device)
                       or any(said.startswith(f"{name} ") for said in e.spoken_names
                              for name in lock.spoken_names))] \
            if lock.domain == "lock" else []
        found += [e for e in sensors or [entity_id] if e not in found]
    return found


def _named(home: Home, entity_ids: list[str]) -> str:
    """"the Kitchen Light and the Coffee Maker", or the first few and how many more."""
    names = [f"the {display_name(home.entities[e].name)}" for e in entity_ids]
    if len(names) > NAMED_AT_MOST:
        names = [*names[:NAMED_AT_MOST - 1], f"{len(names) - NAMED_AT_MOST + 1} more"]
    return join_names(names)


def _value(home: Home, state: HomeState, query: Query, speaker_area: str | None) -> QueryAnswer:
    """"what's the temperature outside": a sensor's value, or a thermostat's reading."""
    quantity = query.quantity or ""
    target = query.target
    if quantity in _READ_FROM and not (target.names or target.entity_ids or target.domains):
        # "what's the volume": of the players (the one playing first)
        query = replace(query, target=target.merged(Target(domains=(_READ_FROM[quantity],))))
        target = query.target
    if target.names or target.entity_ids or (target.domains and "sensor" not in target.domains):
        # A device was named ("the thermostat"): its own reading.
        answer = _device_reading(home, state, query, speaker_area)
        if answer is not None:
            return answer
    place_words = tuple(w for a in target.areas for w in home.areas[a].name.lower().split())
    words = tuple(w for w in (quantity, *target.words) if w)
    sensors = [e for e in home.entities.values() if e.domain in READ_DOMAINS]
    if not (place_words or target.floors or said_outdoors(target)):
        # "what's the temperature", "how warm is it inside", "what's the current
        # temperature": indoors, not the weather
        sensors = [e for e in sensors if not _outdoors(home, e)]
    # A sensor whose name has every word said ("outside" and "temperature") ...
    named = [e for e in sensors
             if all(any(w in name.split() for name in e.spoken_names) for w in words)
             and _in_place(home, e.id, query.target, speaker_area)]
    # ... or whose name says the place ("Outside Temperature" for "outside") ...
    if not named and place_words:
        named = [e for e in sensors
                 if all(any(w in name.split() for name in e.spoken_names)
                        for w in (*words, *place_words))]
    # ... or one of that device class in the place named.
    if not named:
        named = [e for e in sensors
                 if (e.device_class or "") == quantity
                 and _in_place(home, e.id, query.target, speaker_area)]
    if named:
        entity = named[0]
        value = spoken_state(state, entity.id)
        return QueryAnswer(f"The {display_name(entity.name)} is {value}.", (entity.id,))
    attribute = _QUANTITY_ATTRIBUTES.get(quantity)
    if attribute is not None:
        target = query.target if not query.target.empty else Target(domains=("climate",))
        if not target.domains and not target.names and not target.entity_ids:
            target = target.merged(Target(domains=("climate",)))
        match = match_targets(home, replace(target, words=()), None, speaker_area)
        elsewhere = ""
        if match.failure in (MatchFailure.NO_AREA, MatchFailure.NO_SPEAKER_AREA) \
                and target.domains == ("climate",):
            # "what's the temperature in here" where the room has no thermostat, or where
            # the room is not known: not known, but the one thermostat of the home is, and
            # where it is is said
            anywhere = match_targets(home, replace(target, words=()).unplaced(), None,
                                     speaker_area)
            if len(anywhere.entities) == 1:
                match, elsewhere = anywhere, _unknown_here(home, query, quantity)
        readings = [e for e in match.entities if state[e].attributes.get(attribute) is not None]
        if readings:
            entity = home.entities[readings[0]]
            reading = state[entity.id].attributes[attribute]
            where = (f" in the {home.areas[entity.area].name}" if elsewhere and entity.area
                     else "")
            said = f"the {display_name(entity.name)}{where} reads {reading} degrees."
            return QueryAnswer(f"{elsewhere}; {said}" if elsewhere else _sentence(said),
                               (entity.id,))
    return QueryAnswer(f"{_unknown_here(home, query, quantity)}.".replace(" here.", "."))


def _unknown_here(home: Home, query: Query, quantity: str) -> str:
    """"I don't know the temperature in the Living Room" (no full stop)."""
    places = [f"in the {home.areas[a].name}" for a in query.target.areas]
    places += [f"on the {home.floors[f].name}" for f in query.target.floors]
    place = " ".join(query.target.words) or join_names(places, "or") or "here"
    return f"I don't know the {quantity} {place}"


def _device_reading(home: Home, state: HomeState, query: Query,
                    speaker_area: str | None) -> QueryAnswer | None:
    """A named device's own reading ("what's the volume of the TV"); of each device, when
    several were asked about ("what colour are they"), those that read alike said together."""
    match = match_targets(home, replace(query.target, words=(), plural=True), None,
                          speaker_area)
    several = query.target.plural or len(query.target.entity_ids) > 1
    busy = {"playing", "on"}
    read: dict[str, list[str]] = {}
    lacking = [e for e in match.entities if _lacks(home.entities[e], query)]
    if lacking and len(lacking) == len(match.entities):
        # "how bright are they" of the speakers: not their volume
        has = "have" if names_several(home, lacking) else "has"
        return QueryAnswer(f"{_sentence(describe_entities(home, lacking))} {has} no "
                           f"{query.quantity}.", tuple(lacking))
    for entity_id in sorted(match.entities, key=lambda e: state[e].state not in busy):
        if entity_id in lacking:
            continue
        reading = _reading(home.entities[entity_id], state, query)
        if reading is not None:
            read.setdefault(reading, []).append(entity_id)
            if not several or sum(map(len, read.values())) >= NAMED_AT_MOST:
                break
    if not read:
        return None
    parts = [f"{describe_entities(home, ids)} " + reading.format(
        is_=is_are(home, ids), reads="read" if len(ids) > 1 else "reads")
        for reading, ids in read.items()]
    return QueryAnswer(_sentence(join_names(parts)) + ".",
                       tuple(e for ids in read.values() for e in ids))


_OWN_READINGS = frozenset({"brightness", "volume", "temperature", "color", "colour"})
"""Quantities only some kinds of device have; a word such as "level" or "setpoint" is said
of many."""


def _lacks(entity: Entity, query: Query) -> bool:
    """The device has no such reading: a speaker's brightness, a light's volume (a sensor
    reads what its name says; a light's "temperature" is its white's)."""
    attribute = query.attribute
    implied = IMPLIED_DOMAINS.get(attribute) if attribute is not None else None
    if query.quantity not in _OWN_READINGS or not implied or entity.domain in implied \
            or entity.domain in READ_DOMAINS:
        return False
    return not (entity.domain == "light" and attribute is Attribute.TEMPERATURE)


def _reading(entity: Entity, state: HomeState, query: Query) -> str | None:
    """What a device reads for ``query``, with ``{is_}`` or ``{reads}`` for its verb:
    "{is_} at 40% brightness", "{reads} 66 degrees"; None when it reads nothing asked."""
    now = state[entity.id]
    attrs = now.attributes
    if entity.domain == "climate":
        if query.quantity == "mode":  # "what mode is the thermostat in": its HVAC mode
            return "{is_} off" if now.state == "off" else f"{{is_}} set to {now.state}"
        if query.quantity == "setpoint" and attrs.get("temperature") is not None:
            return f"{{is_}} set to {attrs['temperature']} degrees"
        reading = attrs.get("current_temperature", attrs.get("temperature"))
        if reading is not None:
            return f"{{reads}} {reading} degrees"
    if entity.domain == "media_player" and attrs.get("volume_level") is not None:
        return f"{{is_}} at volume {volume_percent(attrs)}%"
    if entity.domain == "light" and now.state == "on" \
            and query.attribute in (Attribute.COLOR, Attribute.COLOR_TEMP):
        # "what colour is the ceiling light": its colour, or its white's temperature (a new
        # colour clears the other: actions.apply_call)
        if attrs.get("color_name"):
            return f"{{is_}} {attrs['color_name']}"
        if attrs.get("color_temp_kelvin"):
            return f"{{is_}} white at {attrs['color_temp_kelvin']} K"
    if entity.domain == "light" and attrs.get("brightness"):
        return f"{{is_}} at {brightness_percent(attrs)}% brightness"
    if entity.domain in ("light", "fan") and now.state == "off":
        return "{is_} off"
    if entity.domain == "fan" and attrs.get("percentage") is not None:
        return f"{{is_}} at {round(float(attrs['percentage']))}% speed"
    if entity.domain in ("cover", "valve"):
        # "what's the position of the blinds": how far open
        position = cover_position(attrs)
        if position > 0:
            return f"{{is_}} {round(position)}% open"
        return f"{{is_}} {spoken_state(state, entity.id)}"
    if entity.domain in READ_DOMAINS:
        return f"{{is_}} {spoken_state(state, entity.id)}"
    return None


_OUTDOOR_WORDS = frozenset({"outside", "outdoor", "outdoors", "exterior", "garden", "yard",
                            "backyard", "patio", "porch", "balcony", "deck", "terrace",
                            "weather"})


def said_outdoors(target: Target) -> bool:
    """A word of the target says outdoors ("what's the temperature outside")."""
    return any(w in _OUTDOOR_WORDS for w in target.words)


def _outdoors(home: Home, entity: Entity) -> bool:
    """The entity reads the weather: its name, its device's or its area's says outdoors."""
    said = [*entity.spoken_names]
    if entity.device and entity.device in home.devices:
        said.append(home.devices[entity.device].name.lower())
    if entity.area and entity.area in home.areas:
        said.extend(home.area_names(entity.area))
    return any(word in _OUTDOOR_WORDS for name in said for word in name.split())


def _in_place(home: Home, entity_id: str, target: Target, speaker_area: str | None) -> bool:
    areas = set(target.areas)
    if target.here and speaker_area:
        areas.add(speaker_area)
    if not areas and not target.floors:
        return True
    area = home.entities[entity_id].area
    if area in areas:
        return True
    return bool(area and home.areas[area].floor in target.floors)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
