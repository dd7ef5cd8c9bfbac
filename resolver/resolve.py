"""One command against the home: which entities, which service calls, what to say.

Pure: takes the home, the state and the command, returns an outcome; nothing is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .actions import (
    Planned,
    Refusal,
    ServiceCall,
    group_calls,
    in_use_for,
    plan,
    resolve_attribute,
)
from .home import Entity, Home, HomeState
from .language.vocabulary import COLOR_TEMPS, HVAC_MODES, singular
from .logical_form import (
    EVERYTHING,
    IMPLIED_DOMAINS,
    Action,
    Attribute,
    Command,
    IfClause,
    Target,
)
from .match import MatchFailure, MatchResult, Supports, match_targets, spoken_noun
from .responses import describe_entities, done, failed

_VALUE_QUESTIONS = {
    Attribute.BRIGHTNESS: "brightness",
    Attribute.COLOR: "colour",
    Attribute.COLOR_TEMP: "colour temperature",
    Attribute.POSITION: "position",
    Attribute.TEMPERATURE: "temperature",
    Attribute.VOLUME: "volume",
    Attribute.SPEED: "speed",
}


@dataclass(slots=True)
class CommandOutcome:
    """What resolving one command gave."""

    calls: list[ServiceCall] = field(default_factory=list)
    response: str = ""
    clarification: bool = False
    match: MatchResult = field(default_factory=MatchResult)
    trace: dict[str, Any] = field(default_factory=dict)

    @property
    def entities(self) -> tuple[str, ...]:
        """The entities the command was matched to."""
        return self.match.entities


def heat_of_the_room(home: Home, target: Target, supports: Supports | None,
                     speaker_area: str | None) -> MatchResult:
    """The heat of a room without a thermostat: a heater of the room, else the thermostat
    that heats it from elsewhere (ambiguous when the home has several)."""
    heater = match_targets(home, replace(target, domains=(), words=("heater",)), supports,
                           speaker_area)
    return heater if heater.ok else match_targets(home, target.unplaced(), supports,
                                                  speaker_area)


def match_command(home: Home, command: Command, state: HomeState,
                  speaker_area: str | None) -> tuple[MatchResult, dict[str, Planned | Refusal]]:
    """The entities ``command`` is about and, for each entity looked at, its plan.

    Exclusions ("except the kitchen") are taken out; the implied domains of the command are
    tried in order ("turn off the living room" means its lights first).
    """
    plans: dict[str, Planned | Refusal] = {}

    def supports(entity: Entity) -> bool:
        outcome = plans.get(entity.id)
        if outcome is None:
            outcome = plans[entity.id] = plan(command, entity, state.get(entity.id))
        return isinstance(outcome, Planned)

    exclude = command.target.exclude
    said = command.target
    if exclude is not None and said.all and not (said.names or said.domains or said.placed
                                                 or said.reference or said.words):
        # "turn off all but the kitchen light": all of the kind of what is spared
        spared = match_targets(home, replace(exclude, all=True, plural=True), None,
                               speaker_area)
        kinds = exclude.domains or tuple(dict.fromkeys(
            home.entities[e].domain for e in spared.entities))
        if kinds:
            command = command.with_target(replace(said, domains=kinds, plural=True))
    if exclude is not None and (exclude.areas or exclude.floors) and not command.target.placed:
        # "turn off all the lights except the kitchen": the home's, not those of the room
        # the speaker is in
        command = command.with_target(replace(command.target, everywhere=True))
    match = MatchResult(failure=MatchFailure.NOTHING_SAID)
    tried = command.target
    for tried in implied_targets(command):
        match = match_targets(home, tried, supports, speaker_area)
        if match.ok or match.failure is MatchFailure.AMBIGUOUS:
            break
    if match.failure is MatchFailure.NOTHING_SAID and command.action is Action.STOP \
            and command.target.empty:
        # "stop" alone: whatever is going (a player playing, the vacuum cleaning, a cover
        # moving); the choice is between those when several are
        going = tuple(e.id for e in home.entities.values()
                      if in_use_for(command.action, e, state.get(e.id)) and supports(e))
        if going:  # narrowed below, as any choice between devices by their state
            match = MatchResult(failure=MatchFailure.AMBIGUOUS, unmatched="device",
                                candidates=going, scope="home")
    if match.failure is MatchFailure.AMBIGUOUS:
        # "pause" with three players of which one plays: that one; of which two play: which
        # of the two
        busy = [e for e in match.candidates
                if in_use_for(command.action, home.entities[e], state.get(e))]
        if len(busy) == 1:
            match = MatchResult(entities=(busy[0],), scope=match.scope)
        elif busy:  # the choice is between those
            match = replace(match, candidates=tuple(busy))
    if (match.failure is MatchFailure.NO_AREA
            and command.action in (Action.START, Action.TURN_ON)
            and "vacuum" in command.target.domains):
        # "clean the kitchen": the room is where to clean, not where the vacuum stands.
        match = match_targets(home, command.target.unplaced(), supports, speaker_area)
    if match.failure is MatchFailure.NO_AREA and tried.domains == ("climate",):
        # "turn the heat off in the office", "it's too cold in here"
        match = heat_of_the_room(home, tried, supports, speaker_area)
    if match.ok and exclude is not None:
        if not (exclude.domains or exclude.names or exclude.entity_ids):
            # "all the lights except the kitchen": the kitchen's lights.
            exclude = exclude.merged(Target(domains=command.target.domains,
                                            device_classes=command.target.device_classes))
        excluded = match_targets(home, replace(exclude, all=True, plural=True), None,
                                 speaker_area)
        if excluded.failure in (MatchFailure.NO_NAME, MatchFailure.NO_DOMAIN):
            # "switch off everything except the fridge" with no fridge known: what was to be
            # spared may be something called otherwise, so nothing is done
            return excluded, plans
        noun = singular(exclude.nouns[0]) if exclude.nouns else None
        if excluded.ok and noun and not exclude.names and noun not in exclude.domains:
            # "the lights in the living room except the lamp": the one called a lamp, not
            # every light (a lamp is a light); "except the lights" is every light
            called = tuple(e for e in excluded.entities if e in match.entities and any(
                noun in name.split() for name in home.entities[e].spoken_names))
            if called:
                excluded = replace(excluded, entities=called)
        kept = tuple(e for e in match.entities if e not in excluded.entities)
        match = MatchResult(entities=kept, scope=match.scope) if kept else MatchResult(
            failure=MatchFailure.NOTHING_SAID, candidates=match.entities)
    return match, plans


def _one_reason(home: Home, refused: dict[str, str]) -> str:
    """Why the devices cannot: "the Front Door, the Back Door and the Garage Side Door can't
    be turned off" when each says the same of itself; of several reasons, the one most of
    them give."""
    shapes: dict[str, list[str]] = {}
    for entity, reason in refused.items():
        shapes.setdefault(reason.replace(f"the {home.entities[entity].name}", "{}", 1),
                          []).append(entity)
    shape, most = max(shapes.items(), key=lambda item: len(item[1]))
    if len(most) > 1 and shape.startswith("{} can't"):
        return shape.replace("{}", describe_entities(home, most), 1)
    return refused[most[0]]


def resolve_command(home: Home, command: Command, state: HomeState,
                    speaker_area: str | None) -> CommandOutcome:
    """Match ``command`` and plan its service calls, or say why it cannot be done."""
    match, plans = match_command(home, command, state, speaker_area)
    trace: dict[str, Any] = {
        "command": command_trace(command),
        "match": {"entities": list(match.entities), "scope": match.scope},
    }
    if not match.ok:
        trace["match"].update(failure=match.failure.value if match.failure else None,
                              unmatched=match.unmatched, candidates=list(match.candidates))
        if match.failure is MatchFailure.UNSUPPORTED:
            refused = {e: p.reason for e in match.candidates
                       if isinstance(p := plans.get(e) or plan(command, home.entities[e],
                                                               state.get(e)), Refusal)}
            response = _sentence(_one_reason(home, refused)) if refused \
                else "That can't be done."
            return CommandOutcome(response=response, match=match, trace=trace)
        if match.failure is MatchFailure.NOTHING_SAID and match.candidates:
            return CommandOutcome(response="That leaves nothing to do.", match=match,
                                  trace=trace)
        if match.failure is MatchFailure.NO_NAME and command.action is Action.PLAY:
            # "play some jazz in the bedroom": music to look up, not a device
            return CommandOutcome(
                response=f"I can't look up '{match.unmatched}' to play; I can resume what a "
                         "player was playing.", match=match, trace=trace)
        return CommandOutcome(
            response=failed(home, match, spoken_noun(command.target)),
            clarification=match.failure is MatchFailure.AMBIGUOUS,
            match=match,
            trace=trace,
        )
    if command.action is Action.SET and command.value is None:
        # The setting was named but not its value: ask for it.
        what = _VALUE_QUESTIONS.get(command.attribute or Attribute.BRIGHTNESS, "value")
        who = describe_entities(home, match.entities)
        return CommandOutcome(response=f"What {what} would you like for {who}?",
                              clarification=True, match=match, trace=trace)
    planned = [(e, p) for e in match.entities if isinstance(p := plans[e], Planned)]
    calls = group_calls(planned)
    trace["calls"] = [c.to_dict() for c in calls]
    return CommandOutcome(calls=calls, response=done(home, calls), match=match, trace=trace)


SWEEPING = frozenset({EVERYTHING, "all of it", "it all"})
"""Words that stand for every device of a place rather than for something said before."""
_SWITCHED = ("light", "switch", "fan", "input_boolean", "media_player")
_OPENED = ("cover", "valve")
SWEPT_DOMAINS = {Action.TURN_ON: _SWITCHED, Action.TURN_OFF: _SWITCHED,
                 Action.TOGGLE: _SWITCHED, Action.OPEN: _OPENED, Action.CLOSE: _OPENED}
"""What "turn everything on/off", "open everything" in a place acts on: never its locks."""
HOUSE_SWEPT = {Action.TURN_OFF: ("light", "switch", "fan", "media_player"),
               Action.CLOSE: _OPENED}
"""What "turn everything off" and "close everything" said of no place act on: the home's
devices, not its modes (``input_boolean``); its blinds, doors and valves. Turning everything
in the home on or opening all of it is not guessed at."""


def implied_targets(command: Command) -> list[Target]:
    """Targets to try in order, with the domains the command itself implies.

    "lock" implies locks, "set the temperature" thermostats; a bare percentage on a room
    ("bedroom 50%") means its lights first, as people use it, and anything settable after.
    """
    target = command.target
    swept = SWEPT_DOMAINS.get(command.action)
    if target.reference in SWEEPING and swept and not (
            target.domains or target.names or target.entity_ids or target.words):
        if target.placed:
            # "turn off everything downstairs": what switches on and off there, not the
            # locks (a lock's "off" unlocks it), the blinds or the vacuum.
            return [target.merged(Target(domains=swept))]
        if command.action in HOUSE_SWEPT:
            # Said of no place and of nothing before it ("turn everything off except the
            # porch light", "close everything"): the whole home's. Turning everything in
            # the home on (heaters, chargers) or opening it all is not guessed at: it asks.
            return [replace(target.merged(Target(domains=HOUSE_SWEPT[command.action])),
                            everywhere=True)]
    if command.action is Action.LOCK and target.reference in SWEEPING and not (
            target.domains or target.names or target.entity_ids or target.words):
        # "lock everything": every lock there, or in the home (locking is the safe way).
        return [replace(target.merged(Target(domains=("lock",), plural=True, all=True)),
                        reference=None, everywhere=not target.placed)]
    if target.domains or target.names or target.entity_ids or target.reference:
        return [target]
    implied = {
        Action.LOCK: ("lock",),
        Action.UNLOCK: ("lock",),
        Action.ADD_ITEM: ("todo",),
        Action.REMOVE_ITEM: ("todo",),
        # "open the garage": its doors and blinds, not the lock of its side door
        Action.OPEN: _OPENED,
        Action.CLOSE: _OPENED,
    }.get(command.action)
    if command.action in (Action.TURN_ON, Action.TURN_OFF) \
            and command.attribute is Attribute.TEMPERATURE and not target.domains:
        return [target.merged(Target(domains=("climate",)))]  # "turn on the heat"
    if command.action in (Action.TURN_ON, Action.TURN_OFF) and not target.empty:
        # "turn off the living room": its lights, else whatever there switches on and off.
        return [target.merged(Target(domains=("light",))),
                target.merged(Target(domains=("switch", "fan", "input_boolean",
                                              "media_player")))]
    if command.action in (Action.SET, Action.INCREASE, Action.DECREASE):
        if command.attribute is not None:
            implied = IMPLIED_DOMAINS.get(command.attribute)
        elif command.action is Action.SET and command.value is not None \
                and command.value.text in HVAC_MODES and command.value.text != "off" \
                and command.value.text not in COLOR_TEMPS:
            # "start cooling", "switch to heating": a thermostat's mode, not a light's colour
            return [target.merged(Target(domains=("climate",)))]
        elif (command.action is Action.SET and command.value is not None
              and command.value.unit != "degrees"):
            return [target.merged(Target(domains=("light",))), target]
        elif command.action is Action.SET and command.value is not None:
            # "set the living room to 72 degrees": its heat, a thermostat there or the one
            # that heats it from elsewhere
            return [target.merged(Target(domains=("climate",)))]
    if implied is None:
        return [target]
    return [target.merged(Target(domains=implied))]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."



_INTENTS = {
    Action.TURN_ON: "HassTurnOn",
    Action.TURN_OFF: "HassTurnOff",
    Action.OPEN: "HassTurnOn",
    Action.CLOSE: "HassTurnOff",
    Action.LOCK: "HassTurnOn",
    Action.UNLOCK: "HassTurnOff",
    Action.ACTIVATE: "HassTurnOn",
    Action.TOGGLE: "HassToggle",
    Action.PAUSE: "HassMediaPause",
    Action.PLAY: "HassMediaUnpause",
    Action.NEXT: "HassMediaNext",
    Action.PREVIOUS: "HassMediaPrevious",
    Action.MUTE: "HassMediaPlayerMute",
    Action.UNMUTE: "HassMediaPlayerUnmute",
    Action.START: "HassVacuumStart",
    Action.RETURN_HOME: "HassVacuumReturnToBase",
    Action.ADD_ITEM: "HassListAddItem",
    Action.REMOVE_ITEM: "ResolverListRemoveItem",
    Action.STOP: "ResolverStop",
    Action.INCREASE: "ResolverIncrease",
    Action.DECREASE: "ResolverDecrease",
}
_SET_INTENTS = {
    Attribute.BRIGHTNESS: "HassLightSet",
    Attribute.COLOR: "HassLightSet",
    Attribute.COLOR_TEMP: "HassLightSet",
    Attribute.POSITION: "HassSetPosition",
    Attribute.TEMPERATURE: "HassClimateSetTemperature",
    Attribute.VOLUME: "HassSetVolume",
    Attribute.SPEED: "HassFanSetSpeed",
    Attribute.HVAC_MODE: "HassClimateSetMode",
}


def intent_of(command: Command, home: Home, entities: tuple[str, ...] = ()) -> dict[str, Any]:
    """HA's intent name and slots for a command (the project's own names where HA has none).

    What a bare value is about ("set the curtains to 50") comes from the matched entities.
    """
    target = command.target
    if command.action is Action.SET:
        attribute = command.attribute
        if attribute is None and entities:
            attribute = resolve_attribute(command, home.entities[entities[0]])
        if attribute is None and command.value is not None:
            attribute = Attribute.TEMPERATURE if command.value.unit == "degrees" else None
        if attribute is None:
            domains = set(target.domains)
            attribute = (Attribute.POSITION if domains & {"cover", "valve"} else
                         Attribute.VOLUME if "media_player" in domains else
                         Attribute.TEMPERATURE if "climate" in domains else
                         Attribute.SPEED if "fan" in domains else Attribute.BRIGHTNESS)
        name = _SET_INTENTS.get(attribute, "ResolverOther")  # a channel has no intent
    else:
        name = _INTENTS[command.action]
    slots: dict[str, Any] = {}
    if target.names:
        slots["name"] = target.names[0]
    if target.areas:
        slots["area"] = home.areas[target.areas[0]].name
    if target.floors:
        slots["floor"] = home.floors[target.floors[0]].name
    if target.domains:
        slots["domain"] = target.domains[0]
    if target.device_classes:
        slots["device_class"] = target.device_classes[0]
    value = command.value
    if value is not None:
        if value.text is not None:
            slots["item" if command.action is Action.ADD_ITEM else "color"] = value.text
        elif value.number is not None:
            number = int(value.number) if float(value.number).is_integer() else value.number
            key = {"HassLightSet": "brightness", "HassSetPosition": "position",
                   "HassClimateSetTemperature": "temperature", "HassSetVolume": "volume_level",
                   "HassFanSetSpeed": "percentage"}.get(name, "value")
            slots[key] = number
        elif value.extreme is not None:
            slots["value"] = value.extreme
    return {"name": name, "slots": slots}


def target_trace(t: Target) -> dict[str, Any]:
    """A target as compact JSON: only what was said."""
    out = {k: v for k, v in (
        ("names", list(t.names)), ("areas", list(t.areas)), ("floors", list(t.floors)),
        ("domains", list(t.domains)), ("device_classes", list(t.device_classes)),
        ("words", list(t.words)), ("entity_ids", list(t.entity_ids)),
        ("reference", t.reference), ("one", t.one), ("plural", t.plural), ("all", t.all),
        ("part", t.part),
        ("everywhere", t.everywhere), ("here", t.here),
    ) if v}
    if t.exclude is not None:
        out["except"] = target_trace(t.exclude)
    return out


def command_trace(command: Command) -> dict[str, Any]:
    """A command as compact JSON, for the trace."""
    out: dict[str, Any] = {"action": command.action.value,
                           "target": target_trace(command.target)}
    if command.attribute is not None:
        out["attribute"] = command.attribute.value
    if command.value is not None:
        out["value"] = {k: v for k, v in (
            ("number", command.value.number), ("unit", command.value.unit),
            ("text", command.value.text), ("extreme", command.value.extreme)) if v is not None}
    if command.negated:
        out["negated"] = True
    if command.objection:
        out["objection"] = True
    if command.stepwise:
        out["stepwise"] = True
    if command.when:
        out["when"] = command.when
    return out | condition_trace(command.condition)


def condition_trace(clause: IfClause | None) -> dict[str, Any]:
    """A condition for the trace ("unless it's playing": the question asked of the home, and
    whether it is done when that is not so); empty for none."""
    if clause is None:
        return {}
    return {"condition": clause.question or clause.said, **({"unless": True} if clause.unless
                                                            else {})}
