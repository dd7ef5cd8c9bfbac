"""What to say back: one short sentence per command, from the outcome of resolving it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .actions import ServiceCall, cover_position
from .home import Home, HomeState
from .language.vocabulary import NOUNS
from .logical_form import EVERYTHING
from .match import MatchFailure, MatchResult
from .text import expand_template

_DONE = {
    "turn_on": "Turned on",
    "turn_off": "Turned off",
    "toggle": "Toggled",
    "open_cover": "Opened",
    "close_cover": "Closed",
    "stop_cover": "Stopped",
    "set_cover_position": "Set",
    "open_valve": "Opened",
    "close_valve": "Closed",
    "stop_valve": "Stopped",
    "set_valve_position": "Set",
    "lock": "Locked",
    "unlock": "Unlocked",
    "set_temperature": "Set",
    "set_hvac_mode": "Set",
    "media_play": "Resumed",
    "media_pause": "Paused",
    "media_stop": "Stopped",
    "media_next_track": "Skipped to the next track on",
    "media_previous_track": "Went back a track on",
    "volume_set": "Set the volume of",
    "volume_mute": "Muted",
    "start": "Started",
    "stop": "Stopped",
    "pause": "Paused",
    "set_percentage": "Set",
    "increase_speed": "Sped up",
    "decrease_speed": "Slowed down",
    "add_item": "Added",
    "remove_item": "Removed",
}

_NOUN_PLURALS = {
    "light": "lights", "switch": "switches", "fan": "fans", "cover": "covers", "lock": "locks",
    "climate": "thermostats", "media_player": "media players", "vacuum": "vacuums",
    "valve": "valves", "scene": "scenes", "script": "scripts", "todo": "lists",
    "input_boolean": "switches",
}


MAX_OPTIONS = 5
"""A question lists at most this many choices; beyond it asks for a name or a room."""


def display_name(name: str) -> str:
    """A name as it should be spoken: template syntax resolved to its first variant."""
    variants = expand_template(name)
    return variants[0] if variants else name


def describe_entities(home: Home, entity_ids: Sequence[str]) -> str:
    """"the Kitchen Light", "the Kitchen Light and the Hallway Light" or "3 lights"."""
    names = [display_name(home.entities[e].name) for e in entity_ids if e in home.entities]
    if len(names) <= 3:
        return join_names([f"the {n}" for n in names])
    noun = plural_noun(home, entity_ids)
    areas = {home.entities[e].area for e in entity_ids}
    if len(areas) == 1 and None not in areas:
        return f"{len(names)} {noun} in the {home.areas[areas.pop()].name}"  # type: ignore[index]
    return f"{len(names)} {noun}"


OPENING_CLASSES = frozenset({"door", "garage_door", "window", "opening"})
"""Device classes of the binary sensors that say whether something is open."""
_BINARY_STATES = {
    **dict.fromkeys(OPENING_CLASSES, ("open", "closed")),
    **dict.fromkeys(("motion", "occupancy", "presence", "smoke", "gas", "sound"),
                    ("detecting something", "clear")),
    "moisture": ("wet", "dry"),
    "lock": ("unlocked", "locked"),
}
"""What a binary sensor's on and off mean by its device class, as Home Assistant shows them
("the Front Door Contact is closed", "the Hallway Motion is clear")."""


def spoken_state(state: HomeState, entity_id: str) -> str:
    """An entity's state as said: "off", "not home", "54 °F", "45%", "closed" (a door's
    contact sensor that is off)."""
    s = state[entity_id]
    unit = s.attributes.get("unit_of_measurement")
    text = s.state.replace("_", " ")
    if entity_id.startswith("climate.") and s.state not in ("off", "unavailable", "unknown"):
        return f"set to {text}"  # "the Thermostat is set to heat", not "is heat"
    meant = _BINARY_STATES.get(s.attributes.get("device_class") or "") \
        if entity_id.startswith("binary_sensor.") and s.state in ("on", "off") else None
    if meant is not None:
        return meant[s.state == "off"]
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def volume_percent(attrs: Mapping[str, Any]) -> int:
    """A player's ``volume_level`` (0..1, or a percentage as some report it) in percent."""
    level = float(attrs["volume_level"])
    return round(level * 100 if level <= 1 else level)


def brightness_percent(attrs: Mapping[str, Any]) -> int:
    """A light's ``brightness`` (0..255) in percent."""
    return round(float(attrs["brightness"]) * 100 / 255)


def spoken_level(state: HomeState, entity_id: str) -> str | None:
    """How far up an entity is set, as said after "stays": "at 68 degrees", "at 35% volume",
    "at 50% brightness", "at 33% speed", "40% open"; None for a device that is off, closed,
    fully open or has no such setting."""
    s = state[entity_id]
    attrs, domain = s.attributes, entity_id.split(".", 1)[0]
    if s.state in ("off", "unavailable", "unknown"):
        return None
    if domain == "climate" and attrs.get("temperature") is not None:
        return f"at {attrs['temperature']} degrees"
    if domain == "media_player" and attrs.get("volume_level") is not None:
        return f"at {volume_percent(attrs)}% volume"
    if domain == "light" and attrs.get("brightness"):
        return f"at {brightness_percent(attrs)}% brightness"
    if domain == "fan" and attrs.get("percentage") is not None:
        return f"at {round(float(attrs['percentage']))}% speed"
    if domain in ("cover", "valve") and 0 < cover_position(attrs) < 100:
        return f"{round(cover_position(attrs))}% open"
    return None


def by_state(state: HomeState, entity_ids: Iterable[str], level: bool = False
             ) -> dict[str, list[str]]:
    """The entities whose state is known, grouped by their state as said, in the order
    first met; with ``level``, by how far up they are set where that is known
    (:func:`spoken_level`)."""
    groups: dict[str, list[str]] = {}
    for entity_id in entity_ids:
        if entity_id in state:
            said = (spoken_level(state, entity_id) if level else None) \
                or spoken_state(state, entity_id)
            groups.setdefault(said, []).append(entity_id)
    return groups


def plural_noun(home: Home, entity_ids: Sequence[str]) -> str:
    """"lights" for lights, "devices" for a mix."""
    domains = {home.entities[e].domain for e in entity_ids}
    return _NOUN_PLURALS.get(domains.pop(), "devices") if len(domains) == 1 else "devices"


def names_several(home: Home, entity_ids: Sequence[str]) -> bool:
    """Whether what ``entity_ids`` name takes a plural verb: several devices, or one whose
    name is a plural noun ("the Bedroom Curtains are open", "the Path Lights stay off")."""
    known = [e for e in entity_ids if e in home.entities]
    if len(known) != 1:
        return len(known) > 1
    return _plural_noun_ending(display_name(home.entities[known[0]].name))


def _plural_noun_ending(words: str) -> bool:
    """``words`` end in a plural device noun ("Path Lights", "blinds"; not "lighting")."""
    last = words.lower().split()[-1:]
    noun = NOUNS.get(last[0]) if last else None
    return noun is not None and noun.plural and last[0] != "lighting"


def is_are(home: Home, entity_ids: Sequence[str]) -> str:
    """"is" or "are", agreeing with what ``entity_ids`` name."""
    return "are" if names_several(home, entity_ids) else "is"


def join_names(names: Sequence[str], last: str = "and") -> str:
    """"a", "a and b", "a, b and c"."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {last} " + names[-1]


def done(home: Home, calls: Sequence[ServiceCall]) -> str:
    """The sentences for calls that were made: one for neighbouring calls that do the same
    (:func:`done_together`), one for each other call."""
    groups: list[list[ServiceCall]] = []
    for call in calls:
        if groups and done_together(home, [*groups[-1], call]) is not None:
            groups[-1].append(call)
        else:
            groups.append([call])
    return " ".join(done_together(home, group) or _done_one(home, group[0])
                    for group in groups)


def done_together(home: Home, calls: Sequence[ServiceCall]) -> str | None:
    """One sentence for calls that do the same to devices of one kind, or to three devices
    at most, of any kinds ("Turned on the Kitchen Light and the Living Room Fan."); None
    when they do different things, or name more devices of several kinds than a sentence
    can list."""
    first = calls[0] if calls else None
    if first is None or any((c.service, dict(c.data)) != (first.service, dict(first.data))
                            for c in calls) or any(c.domain in ("scene", "script")
                                                   for c in calls):
        return None
    ids = tuple(dict.fromkeys(e for c in calls for e in c.entity_ids))
    if len({c.domain for c in calls}) > 1 and len(ids) > 3:
        return None
    return _done_one(home, ServiceCall(first.domain, first.service, ids, first.data))


def _done_one(home: Home, call: ServiceCall) -> str:
    who = describe_entities(home, call.entity_ids)
    verb = _DONE.get(call.service, f"Called {call.name} on")
    data = call.data
    if call.service == "add_item":
        return f"Added {data['item']} to {who}."
    if call.service == "remove_item":
        return f"Removed {data['item']} from {who}."
    if call.service == "return_to_base":
        return f"Sent {who} back to {'their' if names_several(home, call.entity_ids) else 'its'} dock."
    if call.service == "turn_on" and call.domain == "scene":  # a scene's name is a title
        return f"Activated {join_names([display_name(home.entities[e].name) for e in call.entity_ids])}."
    if call.service == "turn_on" and call.domain == "script":
        return f"Started {who}."
    if "brightness_pct" in data:
        return f"Set {who} to {data['brightness_pct']}% brightness."
    if "brightness_step_pct" in data:
        step = data["brightness_step_pct"]
        return f"{'Brightened' if step > 0 else 'Dimmed'} {who}."
    if "color_name" in data:
        return f"Turned {who} {data['color_name']}."
    if "color_temp_kelvin" in data:
        return f"Set {who} to {data['color_temp_kelvin']} K."
    if "position" in data:
        return f"Set {who} to {data['position']}% open."
    if "temperature" in data:
        return f"Set {who} to {data['temperature']} degrees."
    if "hvac_mode" in data:
        return f"Set {who} to {data['hvac_mode']}."
    if "volume_level" in data:
        return f"Set the volume of {who[0].lower() + who[1:]} to {round(data['volume_level'] * 100)}%."
    if "percentage" in data:
        return f"Set {who} to {data['percentage']}% speed."
    if call.service == "volume_mute" and not data.get("is_volume_muted", True):
        return f"Unmuted {who}."
    return f"{verb} {who}."


def _there_is_no(what: str) -> str:
    """"There is no TV", "There are no blinds": the verb agreeing with the noun said."""
    return f"There {'are' if _plural_noun_ending(what) else 'is'} no {what}"


def failed(home: Home, match: MatchResult, what: str) -> str:
    """The sentence for a target that matched nothing usable."""
    f = match.failure
    if f is MatchFailure.NO_NAME:
        return f"I don't know any device called '{match.unmatched}'."
    if f is MatchFailure.NO_AREA:
        return f"{_there_is_no(what or 'such device')} in the {match.unmatched}."
    if f is MatchFailure.NO_DOMAIN:
        return f"{_there_is_no(match.unmatched or what)} in this home."
    if f is MatchFailure.NO_SPEAKER_AREA:
        return "I don't know which room you are in; please name the room."
    if f is MatchFailure.AMBIGUOUS:
        # "which lock", or, when some of several were asked for ("turn off half the
        # lights"), "which of the lights"
        noun = (f"of the {plural_noun(home, match.candidates)}" if match.part
                else match.unmatched or what or "one")
        if len(match.candidates) > MAX_OPTIONS:
            areas = {home.entities[e].area for e in match.candidates} - {None}
            room = " or the room" if match.part or len(areas) > 1 else ""
            names = "their names" if match.part else "its name"
            return (f"Which {noun} do you mean? There are {len(match.candidates)}; "
                    f"say {names}{room}.")
        options = [f"the {display_name(home.entities[e].name)}" for e in match.candidates]
        return f"Which {noun} do you mean: {join_names(options, 'or')}?"
    if f is MatchFailure.NO_REFERENCE and match.unmatched == EVERYTHING:
        # "turn on everything", "open everything": the whole home is not guessed at
        return "That would be everything in the home; please name a room or the devices."
    if f is MatchFailure.NO_REFERENCE:
        return f"I'm not sure what '{match.unmatched}' means here; please name the device."
    if f is MatchFailure.NOTHING_SAID:
        return "Which device do you mean?"
    return "I could not find that device."


def spoken_time(now: datetime) -> str:
    """"1:02 AM", as Home Assistant says the time."""
    return f"{now.hour % 12 or 12}:{now.minute:02d} {'AM' if now.hour < 12 else 'PM'}"


def spoken_date(now: datetime) -> str:
    """"Tuesday, September 17th, 2013"."""
    day = now.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{now:%A}, {now:%B} {day}{suffix}, {now.year}"
