"""The resolver: text in, service calls, a response and an explanation out.

The only module that orchestrates: language -> decisions -> matching -> actions, and the
only one that applies a result to a dialog session's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .actions import (
    Planned,
    Refusal,
    ServiceCall,
    apply_call,
    group_calls,
    plan,
    resolve_attribute,
)
from .home import EntityState, Home, HomeState
from .language.parse import ParseResult, UtteranceParser
from .logical_form import Action, Attribute, Command, Target
from .match import MatchFailure, match_targets
from .responses import done, failed

MAX_TEXT = 2000
"""Longest utterance, in characters, that is parsed; longer input is refused politely."""


@dataclass(slots=True)
class Result:
    """The outcome of one turn (CONTRACT §3)."""

    text: str
    """What was resolved: the text, or the transcript for audio."""
    actions: list[ServiceCall] = field(default_factory=list)
    response: str = ""
    clarification: bool = False
    intent: dict[str, Any] | None = None
    hypotheses: list[dict[str, Any]] = field(default_factory=list)
    trace: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    """Set when the input itself was unusable (unreadable audio ...)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form the batch command writes."""
        out: dict[str, Any] = {
            "text": self.text,
            "actions": [a.to_dict() for a in self.actions],
            "response": self.response,
            "clarification": self.clarification,
            "intent": self.intent,
            "hypotheses": self.hypotheses,
            "trace": self.trace,
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(slots=True)
class Session:
    """One dialog's own state of the home and its history."""

    state: HomeState
    turns: list[Result] = field(default_factory=list)


@dataclass(slots=True)
class _Outcome:
    """What resolving one command gave."""

    calls: list[ServiceCall] = field(default_factory=list)
    response: str = ""
    clarification: bool = False
    trace: dict[str, Any] = field(default_factory=dict)
    entities: tuple[str, ...] = ()
    """The entities the command was matched to."""


class Resolver:
    """Resolves utterances about one home into Home Assistant service calls."""

    def __init__(self, home: Home, grammar_dir: str | None = None) -> None:
        self.home = home
        self.parser = UtteranceParser(home, grammar_dir)
        self._base_state = home.initial_state()
        self._sessions: dict[str, Session] = {}

    @classmethod
    def from_files(cls, home: str | Path) -> Resolver:
        """A resolver for the home file ``home`` with the packaged grammars."""
        return cls(Home.from_files(home))

    # -- sessions and state -----------------------------------------------------------

    def session(self, key: str) -> Session:
        """The session ``key``, created from the home's current base state when new."""
        found = self._sessions.get(key)
        if found is None:
            found = self._sessions[key] = Session(dict(self._base_state))
        return found

    def state(self, session: str = "default") -> HomeState:
        """The home's state as ``session`` sees it."""
        return self.session(session).state

    def reset(self, session: str = "default") -> None:
        """Forget a session's context and state."""
        self._sessions.pop(session, None)

    def apply_event(
        self,
        entity_id: str,
        state: str,
        attributes: dict[str, Any] | None = None,
        session: str | None = None,
    ) -> None:
        """Record a state change reported by the controller; attributes merge.

        Without ``session`` the change is real for the whole home: every session and
        every later one sees it. Raises KeyError for an unknown entity.
        """
        if entity_id not in self.home.entities:
            raise KeyError(f"unknown entity '{entity_id}'")
        targets = [self.session(session).state] if session is not None else [
            self._base_state, *(s.state for s in self._sessions.values())
        ]
        for home_state in targets:
            before = home_state.get(entity_id, EntityState("unknown", MappingProxyType({})))
            home_state[entity_id] = before.with_changes(str(state), **(attributes or {}))

    # -- resolving --------------------------------------------------------------------

    def resolve(
        self,
        text: str | None = None,
        *,
        audio: Any = None,
        session: str = "default",
        area: str | None = None,
    ) -> Result:
        """Resolve one turn of ``session``; ``area`` is where the speaker is (id or name)."""
        if audio is not None:
            return Result(text="", response="Sorry, I can't take speech yet.",
                          error="speech input needs the audio model, which is not installed")
        text = "" if text is None else str(text)
        current = self.session(session)
        speaker_area, area_note = self._speaker_area(area)
        trace: dict[str, Any] = {"speaker_area": speaker_area}
        if area_note:
            trace["note"] = area_note

        if not text.strip():
            result = Result(text, response="I didn't hear a command.", trace=trace)
            return self._finish(current, result)
        if len(text) > MAX_TEXT:
            result = Result(text, response="That was too long for me to follow.",
                            trace={**trace, "parse": {"error": f"longer than {MAX_TEXT} "
                                                      "characters"}})
            return self._finish(current, result)

        parsed = self.parser.parse(text)
        trace["parse"] = _parse_trace(parsed)
        if parsed.utterance is None or not parsed.utterance.commands:
            result = Result(text, response="Sorry, I didn't understand that.", trace=trace)
            return self._finish(current, result)

        outcomes = [self._resolve_command(c, current.state, speaker_area)
                    for c in parsed.utterance.commands]
        calls = [call for o in outcomes for call in o.calls]
        for call in calls:
            current.state = apply_call(call, current.state)
        trace["commands"] = [o.trace for o in outcomes]
        result = Result(
            text,
            actions=calls,
            response=" ".join(o.response for o in outcomes if o.response),
            clarification=any(o.clarification for o in outcomes),
            intent=_intent(parsed.utterance.commands[0], self.home, outcomes[0].entities),
            trace=trace,
        )
        return self._finish(current, result)

    def _finish(self, session: Session, result: Result) -> Result:
        session.turns.append(result)
        return result

    def _speaker_area(self, area: str | None) -> tuple[str | None, str | None]:
        if area is None or not str(area).strip():
            return None, None
        found = self.home.find_area(str(area))
        if found is None:
            return None, f"unknown speaker area '{area}' ignored"
        return found.id, None

    def _resolve_command(self, command: Command, state: HomeState,
                         speaker_area: str | None) -> _Outcome:
        home = self.home
        plans: dict[str, Planned | Refusal] = {}

        def supports(entity: Any) -> bool:
            outcome = plans.get(entity.id)
            if outcome is None:
                outcome = plans[entity.id] = plan(command, entity, state.get(entity.id))
            return isinstance(outcome, Planned)

        for target in _implied_targets(command):
            match = match_targets(home, target, supports, speaker_area)
            if match.ok or match.failure is MatchFailure.AMBIGUOUS:
                break
        trace: dict[str, Any] = {
            "command": _command_trace(command),
            "match": {"entities": list(match.entities), "scope": match.scope},
        }
        if not match.ok:
            trace["match"].update(failure=match.failure.value if match.failure else None,
                                  unmatched=match.unmatched, candidates=list(match.candidates))
            if match.failure is MatchFailure.UNSUPPORTED:
                reasons = [p.reason for e in match.candidates
                           if isinstance(p := plans.get(e) or plan(command, home.entities[e],
                                                                   state.get(e)), Refusal)]
                response = _sentence(reasons[0]) if reasons else "That can't be done."
                return _Outcome(response=response, trace=trace)
            what = _what(command)
            return _Outcome(
                response=failed(home, match, what, speaker_area),
                clarification=match.failure is MatchFailure.AMBIGUOUS,
                trace=trace,
            )
        planned = [(e, p) for e in match.entities if isinstance(p := plans[e], Planned)]
        calls = group_calls(planned)
        trace["calls"] = [c.to_dict() for c in calls]
        return _Outcome(calls=calls, response=done(home, calls), trace=trace,
                        entities=match.entities)


def _implied_targets(command: Command) -> list[Target]:
    """Targets to try in order, with the domains the command itself implies.

    "lock" implies locks, "set the temperature" thermostats; a bare percentage on a room
    ("bedroom 50%") means its lights first, as people use it, and anything settable after.
    """
    target = command.target
    if target.domains or target.names:
        return [target]
    implied = {
        Action.LOCK: ("lock",),
        Action.UNLOCK: ("lock",),
        Action.ADD_ITEM: ("todo",),
    }.get(command.action)
    if command.action in (Action.TURN_ON, Action.TURN_OFF) and not target.empty:
        # "turn off the living room": its lights, else whatever there switches on and off.
        return [target.merged(Target(domains=("light",))),
                target.merged(Target(domains=("switch", "fan", "input_boolean",
                                              "media_player")))]
    if command.action in (Action.SET, Action.INCREASE, Action.DECREASE):
        if command.attribute is not None:
            implied = {
                Attribute.TEMPERATURE: ("climate",),
                Attribute.VOLUME: ("media_player",),
                Attribute.COLOR: ("light",),
                Attribute.COLOR_TEMP: ("light",),
                Attribute.BRIGHTNESS: ("light",),
            }.get(command.attribute)
        elif (command.action is Action.SET and command.value is not None
              and command.value.unit != "degrees"):
            return [target.merged(Target(domains=("light",))), target]
    if implied is None:
        return [target]
    return [target.merged(Target(domains=implied))]


def _what(command: Command) -> str:
    if command.target.nouns:
        return command.target.nouns[0]
    if command.target.domains:
        return command.target.domains[0].replace("_", " ")
    return ""


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


def _intent(command: Command, home: Home, entities: tuple[str, ...] = ()) -> dict[str, Any]:
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
        name = _SET_INTENTS[attribute]
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


def _parse_trace(parsed: ParseResult) -> dict[str, Any]:
    out: dict[str, Any] = {"tokens": parsed.symbols}
    if parsed.utterance is not None:
        out["normalized"] = parsed.utterance.text
        out["tree"] = parsed.tree
    if parsed.error:
        out["error"] = parsed.error
    return out


def _command_trace(command: Command) -> dict[str, Any]:
    t = command.target
    target = {k: v for k, v in (
        ("names", list(t.names)), ("areas", list(t.areas)), ("floors", list(t.floors)),
        ("domains", list(t.domains)), ("device_classes", list(t.device_classes)),
        ("plural", t.plural), ("all", t.all), ("everywhere", t.everywhere), ("here", t.here),
    ) if v}
    out: dict[str, Any] = {"action": command.action.value, "target": target}
    if command.attribute is not None:
        out["attribute"] = command.attribute.value
    if command.value is not None:
        out["value"] = {k: v for k, v in (
            ("number", command.value.number), ("unit", command.value.unit),
            ("text", command.value.text), ("extreme", command.value.extreme)) if v is not None}
    if command.negated:
        out["negated"] = True
    return out


__all__ = ["Resolver", "Result", "Session"]
