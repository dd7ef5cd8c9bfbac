"""The rules engine: decides what each move of a turn does, as the rules say.

For every move of an utterance the rules are tried in order (highest priority first); the
first rule whose condition holds fires. A rule whose effects are only rewrites (``rewrite
use_salient``) changes the move and the search starts again, each rule firing at most once
a move; a rule with any other effect settles the move. This module holds the vocabulary the
rules are written in: the tests (:data:`FLAGS`, :data:`PROPERTIES`), the rewrites
(:data:`REWRITES`) and what each effect does. What happens when is in ``rules/*.rules``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..actions import Planned, ServiceCall, apply_call, inverse_calls, plan, same_state
from ..context import ActionRecord, DialogContext, OpenQuestion
from ..home import Home, HomeState
from ..language.vocabulary import words_to_numbers
from ..logical_form import (
    DATE,
    ELSE,
    EVERYTHING,
    OPPOSITE,
    OTHERS,
    TIME,
    Action,
    Again,
    Answer,
    Attribute,
    Command,
    Fragment,
    IfClause,
    Move,
    Query,
    Recap,
    Repair,
    Target,
    Undo,
    Utterance,
    Value,
)
from ..match import MatchFailure, MatchResult, match_targets
from ..resolve import (
    command_trace,
    condition_trace,
    intent_of,
    match_command,
    resolve_command,
    target_trace,
)
from ..responses import (
    MAX_OPTIONS,
    by_state,
    describe_entities,
    display_name,
    done,
    done_together,
    join_names,
    names_several,
    spoken_date,
    spoken_time,
)
from ..text import words
from .dsl import All, Condition, Effect, Flag, Is, Not, Rule, Said, Vocabulary
from .dsl import Any as AnyOf
from .queries import answer_query, as_they_are, condition_met, said_outdoors

MAX_REWRITES = 8
"""Rewrites a move may go through before it must be settled (a guard against loops)."""


# -- the state of one turn ----------------------------------------------------------------


@dataclass(slots=True)
class MoveState:
    """One move while the rules look at it."""

    move: Move
    index: int
    fired: list[str] = field(default_factory=list)
    confirmed: bool = False
    """It answers a confirmation the resolver asked for."""
    replaces: ActionRecord | None = None
    """It corrects this earlier action ("no, the bedroom one")."""
    leaves_out: bool = False
    """It takes something out of the last command ("not the floor lamp"): put back if that
    command changed it, else left as it is."""
    match: MatchResult | None = None
    """Its match against the home, once computed."""
    response: str = ""
    clarification: bool = False
    entities: tuple[str, ...] = ()
    """What it was about, for "{target}" in responses and for the context."""
    grounded: bool = False
    """It came to something the home has: done, found already so, asked about or answered
    about. A target the home lacks, a refusal, nothing to undo, or words the rules could not
    read leave it False."""
    condition: IfClause | None = None
    """The condition the command was said with, which held: kept with the command the dialog
    remembers, so "and the speaker" is said with it too."""


@dataclass(slots=True)
class TurnState:
    """Everything the rules see and change during one turn."""

    home: Home
    state: HomeState
    context: DialogContext
    utterance: Utterance
    speaker_area: str | None
    do_text: Callable[[str], Utterance | None]
    """Parses the text of ``do "..."`` effects."""
    clock: Callable[[], datetime] = datetime.now
    """The time "what time is it" is answered with."""
    calls: list[ServiceCall] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    clarification: bool = False
    intent: dict[str, Any] | None = None
    trace: list[dict[str, Any]] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    """Moves folded into an earlier one (an in-sentence correction)."""
    grounded: list[bool] = field(default_factory=list)
    """For each move settled, whether it was grounded (:attr:`MoveState.grounded`)."""
    area_said: str | None = None
    """The one area the turn's last command acted in: where a later command of the same
    turn that names no place is looked for first ("turn the bedroom fan off and the light
    on"), as the speaker's area would be."""
    said_in: HomeState | None = None
    """The home as the turn began, which a condition said in it is asked of ("turn off the
    tv and the lights if the tv is playing": still playing for the lights); None: ``state``
    as it is made."""

    def __post_init__(self) -> None:
        if self.said_in is None:
            self.said_in = self.state

    def area_for(self, command: Command) -> str | None:
        """The area a command naming no place is looked for in first."""
        target = command.target
        if self.area_said is None or target.names or target.placed or target.entity_ids \
                or target.reference:
            return self.speaker_area
        return self.area_said

    def next_move(self, ms: MoveState) -> Move | None:
        moves = self.utterance.moves
        return moves[ms.index + 1] if ms.index + 1 < len(moves) else None

    def apply(self, command: Command, calls: list[ServiceCall], entities: tuple[str, ...]) -> None:
        """Make calls, remember them as an action, update state and salience."""
        if not calls:
            return
        before = {e: self.state[e] for call in calls for e in call.entity_ids if e in self.state}
        for call in calls:
            self.state = apply_call(call, self.state)
        self.calls.extend(calls)
        changed = frozenset(e for e, was in before.items()
                            if not same_state(e, was, self.state[e]))
        self.context.record(ActionRecord(command, entities, tuple(calls), before,
                                         self.context.turn, changed))


# -- tests ----------------------------------------------------------------------------------


def _command(ms: MoveState) -> Command | None:
    return ms.move if isinstance(ms.move, Command) else None


def _matched(t: TurnState, ms: MoveState) -> MatchResult:
    command = _command(ms)
    if command is None:
        return MatchResult(failure=MatchFailure.NOTHING_SAID)
    if ms.match is None:
        ms.match, _ = match_command(t.home, command, t.state, t.area_for(command))
    return ms.match


_SETTINGS = frozenset({Action.SET, Action.INCREASE, Action.DECREASE})


def _same_kind(said: Command, done: Command) -> bool:
    """"don't dim the chandelier" names what "dim the chandelier to 30%" did."""
    if said.action is done.action:
        return True
    return {said.action, done.action} <= _SETTINGS and (
        said.attribute is None or done.attribute is None or said.attribute is done.attribute)


def _just_done(t: TurnState, ms: MoveState) -> bool:
    """The command is what the last turn that acted did to these devices (any of its
    commands: "turn on the kitchen light and the fan", "not the light")."""
    command, last = _command(ms), t.context.last_action
    if command is None or last is None:
        return False
    match = _matched(t, ms)
    if not match.ok:
        return False
    for record in t.context.last_turn_actions():
        if _same_kind(command, record.command) and set(match.entities) <= set(record.entities):
            # "except the garage" after "lock the doors": a door the command found locked
            # was not changed by it, so it stays as it is rather than being put "back"
            return not ms.leaves_out or any(record.before[e] != t.state.get(e)
                                            for e in match.entities if e in record.before)
    return False


def _in_effect(t: TurnState, ms: MoveState) -> bool:
    """Doing the command would change nothing: its effect is already in place."""
    command = _command(ms)
    if command is None:
        return False
    match = _matched(t, ms)
    if not match.ok:
        return False
    for entity_id in match.entities:
        planned = plan(command, t.home.entities[entity_id], t.state.get(entity_id))
        if not isinstance(planned, Planned):
            return False
        call = ServiceCall(planned.domain, planned.service, (entity_id,), dict(planned.data))
        after = apply_call(call, t.state)[entity_id]
        before = t.state[entity_id]
        if after.state != before.state or any(
                before.attributes.get(k) != v for k, v in after.attributes.items()
                if k in ("brightness", "current_position", "temperature", "volume_level",
                         "percentage", "color_name", "is_volume_muted")):
            return False
    return True


def _salient_can(t: TurnState, ms: MoveState) -> bool:
    """Something last acted on or asked about can carry out the command ("brighter" after
    a light; not "turn the heat up" after the vacuum)."""
    command = _command(ms)
    if command is None:
        return False
    entities = (t.home.entities.get(e) for e in t.context.salient)
    return any(isinstance(plan(command, entity, t.state.get(entity.id)), Planned)
               for entity in entities if entity is not None)


_ROUTINES = frozenset({"scene", "script"})


def _names_a_routine(t: TurnState, ms: MoveState) -> bool:
    """A target said alone names scenes or scripts only ("good night", "movie time")."""
    move = ms.move
    if not isinstance(move, Fragment) or not move.target.names or move.marker is not None:
        return False
    found = match_targets(t.home, move.target, None, t.speaker_area)
    return found.ok and all(t.home.entities[e].domain in _ROUTINES for e in found.entities)


def _salient_among(t: TurnState, ms: MoveState) -> bool:
    """A command said of a kind alone fits several, and what was last acted on or asked
    about is among them ("pause the TV", then "resume": not "the TV or the speaker?")."""
    command = _command(ms)
    if command is None or not t.context.salient:
        return False
    target = command.target
    if target.names or target.words or target.placed or target.reference or target.plural:
        return False
    match = _matched(t, ms)
    return match.failure is MatchFailure.AMBIGUOUS and set(t.context.salient) <= set(
        match.candidates)


FLAGS: dict[str, Callable[[TurnState, MoveState], bool]] = {
    "command": lambda t, ms: isinstance(ms.move, Command),
    "query": lambda t, ms: isinstance(ms.move, Query),
    "undo": lambda t, ms: isinstance(ms.move, Undo),
    "again": lambda t, ms: isinstance(ms.move, Again),
    "step_back": lambda t, ms: isinstance(ms.move, Again) and ms.move.back,
    "repair": lambda t, ms: isinstance(ms.move, Repair),
    "fragment": lambda t, ms: isinstance(ms.move, Fragment),
    # a place in a list with no list asked about ("the second one") is not understood
    "understood": lambda t, ms: not (isinstance(ms.move, Fragment) and (
        ms.move.marker == "unparsed" or (ms.move.position is not None and not (
            t.context.question is not None and t.context.question.kind == "which")))),
    "answer": lambda t, ms: isinstance(ms.move, Answer),
    "recap": lambda t, ms: isinstance(ms.move, Recap),
    "yes": lambda t, ms: isinstance(ms.move, Answer) and ms.move.yes,
    "no": lambda t, ms: isinstance(ms.move, Answer) and not ms.move.yes,
    "negated": lambda t, ms: bool((c := _command(ms)) and c.negated),
    "objection": lambda t, ms: bool((c := _command(ms)) and c.objection),
    "scheduled": lambda t, ms: bool((c := _command(ms)) and c.when),
    "conditional": lambda t, ms: bool((c := _command(ms)) and c.condition),
    "for_a_while": lambda t, ms: bool((c := _command(ms)) and c.when
                                      and c.when.split()[0] == "for"),
    "refers_back": lambda t, ms: bool((c := _command(ms)) and c.target.reference
                                      and c.target.reference not in (EVERYTHING, OTHERS)
                                      and not c.target.entity_ids),
    "no_target": lambda t, ms: bool((c := _command(ms)) and c.target.empty),
    "followed_by_repair": lambda t, ms: isinstance(t.next_move(ms), Repair),
    "called_off_next": lambda t, ms: _calls_off(t.next_move(ms)),
    "said_over_next": lambda t, ms: _says_over(t.next_move(ms)),
    "followed_by_fragment": lambda t, ms: isinstance(t.next_move(ms), Fragment),
    "names_a_routine": _names_a_routine,
    "just_done": _just_done,
    "in_effect": _in_effect,
    "ambiguous": lambda t, ms: _matched(t, ms).failure is MatchFailure.AMBIGUOUS,
    "has_last_action": lambda t, ms: t.context.last_action is not None,
    "has_last_command": lambda t, ms: (t.context.last_command is not None
                                       or t.context.last_query is not None),
    "has_salient": lambda t, ms: bool(t.context.salient),
    "salient_can": _salient_can,
    "salient_among": _salient_among,
    "question_open": lambda t, ms: t.context.question is not None,
    "confirmed": lambda t, ms: ms.confirmed,
    "replaces_last": lambda t, ms: ms.replaces is not None,
    "says_over_last": lambda t, ms: _said_over(t, ms) is not None,
    # "turn the heat up" -> "by two degrees": the step corrected to go that far
    "step_resized": lambda t, ms: ms.replaces is not None and isinstance(ms.move, Command)
    and ms.replaces.command.action in _STEPS and ms.move.action is ms.replaces.command.action
    and ms.move.value != ms.replaces.command.value,
    "by_amount": lambda t, ms: isinstance(ms.move, Repair) and ms.move.by,
    "last_stepped": lambda t, ms: bool((c := t.context.last_command) and c.action in _STEPS),
    "leaves_out": lambda t, ms: ms.leaves_out,
    # ... and the new target is found: "no, the zebra" leaves the kitchen light on
    "target_changed": lambda t, ms: ms.replaces is not None and _matched(t, ms).ok and (
        set(_matched(t, ms).entities) != set(ms.replaces.entities)),
}
"""Tests a rule's condition may name on their own."""


def _calls_off(move: Move | None) -> bool:
    """"no, don't", "never mind", "no, stop": a move that calls off what was just said."""
    if isinstance(move, Undo):
        return True
    return isinstance(move, Command) and move.objection and move.action is Action.STOP \
        and move.target.empty


def _says_over(move: Move | None) -> bool:
    """"no wait, close it": a command said over the one before it (a negated one, "no, don't
    turn on the porch light", is one more command)."""
    return isinstance(move, Command) and move.objection and not move.negated \
        and not _calls_off(move)


def _action_of(t: TurnState, ms: MoveState) -> set[str]:
    command = _command(ms)
    return {command.action.value} if command else set()


def _domains_of(t: TurnState, ms: MoveState) -> set[str]:
    command = _command(ms)
    if command is None:
        return set()
    match = _matched(t, ms)
    found = {t.home.entities[e].domain for e in match.entities}
    return found or set(command.target.domains)


PROPERTIES: dict[str, tuple[Callable[[TurnState, MoveState], set[str]], frozenset[str] | None]] = {
    "action": (_action_of, frozenset(a.value for a in Action)),
    "domain": (_domains_of, None),
    "question": (lambda t, ms: {t.context.question.kind if t.context.question else "none"},
                 frozenset({"which", "confirm", "value", "none"})),
    "marker": (lambda t, ms: {(ms.move.marker or "none").replace(" ", "_")}
               if isinstance(ms.move, Fragment) else set(),
               frozenset({"too", "what_about", "same_for", "none"})),
}
"""Properties a condition may test with ``is`` and ``in``, and their allowed values."""


def said_form(text: str) -> str:
    """A ``said`` phrase normalized as utterances are (case, punctuation, numbers)."""
    return " ".join(words_to_numbers(words(text)))


def holds(condition: Condition, t: TurnState, ms: MoveState) -> bool:
    """Whether a rule's condition holds for this move."""
    if isinstance(condition, Flag):
        return FLAGS[condition.name](t, ms)
    if isinstance(condition, Is):
        values = PROPERTIES[condition.name][0](t, ms)
        return bool(values & set(condition.values))
    if isinstance(condition, Said):
        return t.utterance.content == said_form(condition.text)
    if isinstance(condition, Not):
        return not holds(condition.item, t, ms)
    if isinstance(condition, All):
        return all(holds(c, t, ms) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(c, t, ms) for c in condition.items)
    raise TypeError(f"unknown condition {condition!r}")


# -- rewrites ---------------------------------------------------------------------------------


def _use_salient(t: TurnState, ms: MoveState) -> None:
    """"it", "them" or no target at all: what was last acted on or asked about."""
    command = _command(ms)
    if command is None or not t.context.salient:
        return
    target = command.target
    question = t.context.question
    if question is not None and question.kind == "which" and target.reference not in _PLURAL \
            and t.context.salient == question.candidates:
        # "set it to high" after "which fan do you mean?": "it" is the fan still asked
        # about, not every fan that was offered
        ms.move = command.with_target(replace(question.command.target, exclude=target.exclude))
        return
    known = Target(entity_ids=_referred(t, target.reference), exclude=target.exclude,
                   part=target.part)
    ms.move = command.with_target(known)


_PLURAL = frozenset({"them", "they", "these", "those", "those ones", "all of them", "both"})
"""Pronouns of several things."""


def _spared_referred(t: TurnState, move: Move) -> Move:
    """"turn off all the lights except this one": what the exception's "this" or "it"
    stands for, from what was said before."""
    if not isinstance(move, Command) or move.target.exclude is None:
        return move
    spared = move.target.exclude
    said_back = spared.reference not in (None, EVERYTHING) or spared.empty  # "this one"
    if not said_back or spared.entity_ids or not t.context.salient:
        return move
    known = Target(entity_ids=_referred(t, spared.reference))
    return move.with_target(replace(move.target, exclude=known))


def _the_others(t: TurnState, move: Move) -> Move:
    """"keep the floor lamp on but turn off the others": the devices of the kind of what
    was named, but those: the others of its room when it has any (the living room's other
    lights), else of the home ("keep the porch light on ..."), unless a place is said.
    "everything else" is every device but those. With nothing named in the turn, but what
    was last acted on or asked about ("turn on the kitchen light", then "turn off the
    rest")."""
    if not isinstance(move, Command) or move.target.reference not in (OTHERS, ELSE):
        return move
    target = move.target
    if target.exclude is not None:
        found = match_targets(t.home, replace(target.exclude, all=True, plural=True), None,
                              t.speaker_area)
        spared = found.entities if found.ok else ()
    else:
        spared = t.context.salient
    if target.reference == ELSE:
        return move.with_target(replace(target, reference=EVERYTHING, exclude=Target(
            entity_ids=spared) if spared else None))
    entities = t.home.entities
    kinds = target.domains or tuple(dict.fromkeys(entities[e].domain for e in spared
                                                  if e in entities))
    if not spared or not kinds:
        return move  # nothing to be the others of: asked what it means
    others = replace(target, reference=None, domains=kinds, plural=True, all=True,
                     exclude=Target(entity_ids=spared))
    if target.placed:
        return move.with_target(others)
    rooms = {entities[e].area for e in spared if e in entities}
    room = rooms.pop() if len(rooms) == 1 else None
    if room is not None and any(e.area == room and e.domain in kinds and e.id not in spared
                                for e in entities.values()):
        return move.with_target(replace(others, areas=(room,)))
    return move.with_target(replace(others, everywhere=True))


def _referred(t: TurnState, reference: str | None) -> tuple[str, ...]:
    """What "it", "them" ... stand for: what was last acted on or asked about, and, for "them"
    or "both" when that is one thing, what was acted on just before too ("turn on the kitchen
    light", "turn on the bedroom light", "turn them both off"): for "both", the one thing
    acted on before; for "them", what was, if it is of the same kind or was done the same
    turn by turn ("turn on the bedroom light", "and the fan", "turn them off")."""
    salient = t.context.salient
    if reference not in _PLURAL or len(salient) != 1:
        return salient
    record = next((r for r in reversed(t.context.actions)
                   if set(r.entities) != set(salient)), None)
    before = record.entities if record is not None else ()
    others = [e for e in before if e not in salient]
    kinds = {t.home.entities[e].domain for e in (*others, *salient) if e in t.home.entities}
    if reference == "both":
        together = len(others) == 1
    else:
        together = bool(others) and (len(kinds) == 1 or _done_alike(t, record))
    return tuple(dict.fromkeys((*others, *salient))) if together else salient


def _done_alike(t: TurnState, before: ActionRecord | None) -> bool:
    """The last action is the command of ``before`` again, on another target, the turn after
    it: the two were done as one ("turn on the bedroom light", "and the fan")."""
    last = t.context.last_action
    if before is None or last is None or last.turn != before.turn + 1:
        return False
    return replace(last.command, target=before.command.target) == before.command


def _inherit_kind(new: Target, old: Target, home: Home, entities: tuple[str, ...]) -> Target:
    """A target said in passing ("the bedroom one", "and the hallway") is of the old kind."""
    if new.names or new.domains or new.entity_ids:
        return new
    domains = old.domains or tuple(dict.fromkeys(home.entities[e].domain for e in entities))
    return new.merged(Target(domains=domains, device_classes=old.device_classes,
                             nouns=old.nouns, plural=old.plural))


def _inherit_place(new: Target, entities: tuple[str, ...], t: TurnState) -> Target:
    """"turn off the bedroom fan", "and the light": a kind said in passing with no place is
    of the room of what was last acted on or asked about, when that room has one."""
    if not new.domains or new.names or new.entity_ids or new.placed or new.reference:
        return new
    areas = {t.home.entities[e].area for e in entities if e in t.home.entities}
    if len(areas) != 1 or None in areas:
        return new
    placed = new.merged(Target(areas=(areas.pop(),)))  # type: ignore[arg-type]
    found = match_targets(t.home, placed, None, t.speaker_area)
    return placed if found.ok or found.failure is MatchFailure.AMBIGUOUS else new


def _apply_correction(t: TurnState, ms: MoveState) -> None:
    """"turn on the kitchen, no, the bedroom light": the correction replaces what it says;
    of several in a row ("..., no wait, the hallway light, no, the porch light"), each
    replaces the one before."""
    moves = t.utterance.moves
    for index in range(ms.index + 1, len(moves)):
        command, repair = _command(ms), moves[index]
        if command is None or not isinstance(repair, Repair):
            return
        repair = _mode_or_thermostat(repair, command, ())
        if repair.value is not None and repair.target is None:
            ms.move = replace(command, value=repair.value)
        elif repair.target is not None:
            ms.move = _with_mode(command.with_target(
                _inherit_kind(repair.target, command.target, t.home, ())), repair)
        ms.match = None
        t.consumed.add(index)


def _correct_last(t: TurnState, ms: MoveState) -> None:
    """"no, the bedroom one", "actually 72": the last command, corrected."""
    repair, last = ms.move, t.context.last_command
    if not isinstance(repair, Repair) or last is None:
        return
    record = t.context.last_action
    found = _left_out(t, repair)
    if found is not None:
        (record, left_out), last = found, found[0].command
        repair = replace(repair, replaced=Target(entity_ids=left_out))
    repair = _mode_or_thermostat(repair, last, _acted_on(t, last))
    if repair.by:
        if last.action not in _STEPS:
            return  # "by two degrees" after no step up or down: nothing to correct
        # "turn the heat up" -> "by two degrees": the same step, that far
        ms.move = replace(last, value=repair.value, negated=False, objection=False,
                          attribute=_attribute_for(last.attribute, repair.value))
    elif repair.value is not None and repair.target is None:
        # "warmer" -> "actually 72", "turn on the bedroom light" -> "actually red": the
        # value wanted, not a step or a plain switch.
        action = Action.SET if last.action in _SET_BY_A_VALUE else last.action
        ms.move = replace(last, action=action, value=repair.value, negated=False,
                          objection=False, attribute=_attribute_for(last.attribute, repair.value))
    elif repair.target is not None or repair.replaced is not None:
        said = record.command.target if record else last.target
        entities = record.entities if record else ()
        # "turn on the living room lights" -> "not the floor lamp": "don't turn on the
        # floor lamp", which puts back the floor lamp alone
        ms.leaves_out = repair.target is None
        ms.move = _with_mode(last.with_target(
            _inherit_kind(repair.target or repair.replaced, said, t.home, entities)), repair)
        ms.move = replace(ms.move, negated=ms.leaves_out, objection=False)
    ms.replaces = record if record is not None and record.command == last \
        and not ms.leaves_out else None
    ms.match = None


def _said_over(t: TurnState, ms: MoveState) -> ActionRecord | None:
    """What a command objecting to the last turn says over: "no, turn on the bedroom light"
    or "turn on the bedroom light instead" right after "turn on the kitchen light" is the
    same command on another device of the kind that turn acted on, so that action is the
    one it replaces (None: it replaces none; it is then one more command, as after a
    question: "is the hallway light on", "no, turn on the bedroom light")."""
    command = _command(ms)
    last = t.context.last_action
    if command is None or not command.objection or command.negated or ms.index > 0 \
            or last is None or last.turn != t.context.turn - 1:
        return None
    match = _matched(t, ms)
    if not match.ok:
        return None
    kinds = {t.home.entities[e].domain for e in match.entities}
    for record in reversed(t.context.last_turn_actions()):
        done = {t.home.entities[e].domain for e in record.entities if e in t.home.entities}
        if record.command.action is command.action and done == kinds \
                and set(record.entities) != set(match.entities):
            return record
    return None


def _say_over_last(t: TurnState, ms: MoveState) -> None:
    """"no, turn on the bedroom light" after "turn on the kitchen light": the command, in
    place of the last one (which :func:`_said_over` finds)."""
    ms.replaces = _said_over(t, ms)
    ms.move = replace(ms.move, objection=False)


def _left_out(t: TurnState, repair: Repair) -> tuple[ActionRecord, tuple[str, ...]] | None:
    """What a leaving-out names among what the last turn that acted did ("not the fan"
    after "turn on the bedroom fan and the kitchen light": the Bedroom Fan, though the
    home has three fans and the fan was not the last command): the action and those of its
    entities (None: it names none of them)."""
    actions = t.context.actions
    if repair.target is not None or repair.replaced is None or not actions:
        return None
    for record in reversed(actions):
        if record.turn != actions[-1].turn:
            return None
        found = match_targets(t.home, _inherit_kind(repair.replaced, record.command.target,
                                                    t.home, record.entities),
                              None, t.speaker_area)
        named = set(found.entities if found.ok else found.candidates
                    if found.failure is MatchFailure.AMBIGUOUS else ())
        left_out = tuple(e for e in record.entities if e in named)
        if left_out:
            return record, left_out
    return None


def _mode_or_thermostat(repair: Repair, command: Command, entities: tuple[str, ...]) -> Repair:
    """A repair naming a thermostat mode ("no, the heat", "actually heating"), which the parser
    gives as the thermostat and the mode: after a command about a thermostat, the mode
    wanted ("set the thermostat to cool" -> "no, heat"); after any other, the thermostat
    ("turn on the kitchen light" -> "no, the heat"). Other repairs are as said."""
    if repair.target is None or repair.value is None:
        return repair
    if "climate" in command.target.domains or command.attribute is Attribute.HVAC_MODE \
            or any(entity.startswith("climate.") for entity in entities):
        return Repair(value=repair.value)
    return repair


def _with_mode(command: Command, repair: Repair) -> Command:
    """The corrected command with the mode a repair names, when it switches: "no, the heat"
    after "turn on the kitchen light" is "turn on the heat", the thermostat heating."""
    if repair.value is None or command.action not in (Action.TURN_ON, Action.TURN_OFF):
        return command
    return replace(command, value=repair.value)


_SET_BY_A_VALUE = frozenset({Action.TURN_ON, Action.TURN_OFF, Action.INCREASE, Action.DECREASE})
_STEPS = frozenset({Action.INCREASE, Action.DECREASE})
_KEPT_FOR_A_WORD = frozenset({Attribute.HVAC_MODE, Attribute.ITEM})
"""What a corrected word stays about ("cool" -> "actually heat"); a colour or colour
temperature is the word's to say."""
_KEPT_FOR_A_NUMBER = frozenset({Attribute.BRIGHTNESS, Attribute.POSITION, Attribute.TEMPERATURE,
                                Attribute.VOLUME, Attribute.SPEED, Attribute.CHANNEL})


def _attribute_for(said: Attribute | None, value: Value) -> Attribute | None:
    """The attribute a corrected value is about: the corrected command's when the value can
    be one of it, else None, for the value to say ("brighter" -> "actually red": a colour;
    "make it blue" -> "actually 40 percent": the brightness)."""
    if value.unit == "kelvin":
        return Attribute.COLOR_TEMP  # as the parser reads "2700 kelvin"
    kept = _KEPT_FOR_A_WORD if value.text is not None else _KEPT_FOR_A_NUMBER
    return said if said in kept else None


def _acted_on(t: TurnState, last: Command) -> tuple[str, ...]:
    """The entities the last command acted on (none when it did not act)."""
    record = t.context.last_action
    return record.entities if record is not None and record.command == last else ()


def _continue_last(t: TurnState, ms: MoveState) -> None:
    """"and the hallway", "the garage too", "same for the bedroom": the last command again.

    After a question, "what about the bathroom?" asks it again about the bathroom.
    """
    fragment, last = ms.move, t.context.last_command
    if isinstance(fragment, Fragment) and t.context.last_query is not None:
        query = t.context.last_query
        if fragment.quantity is not None:
            # "what about the humidity?": the same place, another quantity
            ms.move = replace(query, quantity=fragment.quantity, attribute=None,
                              target=replace(query.target,
                                             words=fragment.target.words or query.target.words))
            return
        target = _inherit_kind(fragment.target, query.target, t.home, t.context.salient)
        ms.move = replace(query, target=_inherit_place(target, t.context.salient, t))
        return
    if not isinstance(fragment, Fragment) or last is None:
        return
    entities = _acted_on(t, last)
    original = last.target
    if original.entity_ids and not original.domains:
        original = original.merged(Target(domains=tuple(dict.fromkeys(
            t.home.entities[e].domain for e in original.entity_ids))))
    target = _inherit_kind(fragment.target, original, t.home, entities)
    ms.move = replace(last, target=_inherit_place(target, entities, t), negated=False,
                      objection=False, condition=fragment.condition or last.condition)
    ms.match = None


def _check_condition(t: TurnState, ms: MoveState) -> None:
    """"switch off the TV unless it's playing", "turn off the lights if they are on", "if
    the front door is locked, turn off the porch light": the condition is asked of the home
    as it is, and the command done only where it holds. Said of the command's own devices
    ("it", "they"), the command is done on those of them it holds for; said of others, on
    all or none. A condition no question of the home can check ("if it's dark") stops the
    command: it is not done on a guess."""
    command = _command(ms)
    if command is None or command.condition is None:
        return
    clause = command.condition
    unless = clause.unless
    query = None
    if clause.question is not None:  # "the tv is on" asked as "is the tv on"
        question = t.do_text(clause.question)
        if question is not None and len(question.moves) == 1 \
                and isinstance(question.moves[0], Query):
            query = question.moves[0]
    if command.target.reference:
        own = _referred(t, command.target.reference)
    else:
        match = _matched(t, ms)
        if not match.ok:
            return  # which light, or none: asked or said by the rules after, the condition kept
        own = match.entities
    compared = _reading_compared(t, clause.subject, clause.state, own) \
        if query is None or query.state is None else None

    def held(move: Command) -> None:
        ms.move, ms.match, ms.condition = replace(move, condition=None), None, clause

    def not_done(response: str, entities: tuple[str, ...] = ()) -> None:
        # Remembered as said, the condition with it: "and the speaker" asks it of the speaker
        t.context.last_command, t.context.last_query = command, None
        ms.response, ms.grounded = response, bool(entities)
        # What was talked about is the command's devices ("lock the doors if nobody is
        # home", "are they locked"), unless it said them as "it" of what the condition named
        ms.entities = entities if command.target.reference else own

    if compared is not None:  # "turn the heat up if it's below 68"
        if compared.holds != unless:
            held(command)
            return
        readings = join_names([f"{describe_entities(t.home, [e])} reads {v:g}{compared.unit}"
                               for e, v in compared.read.items()])
        not_done(f"{readings[:1].upper()}{readings[1:]}, so I did nothing.",
                 tuple(compared.read))
        return
    # "it" of one device, "they" of several: "turn on the lights if it's dark" is not said
    # of the lights
    several = command.target.plural or names_several(t.home, own)
    agrees = query is not None and (query.target.reference in _PLURAL) == several
    found = condition_met(t.home, t.said_in, query, t.speaker_area, own if agrees else ()) \
        if query is not None else None
    if found is None:
        not_done(f"I can't tell whether {clause.said}, so I did nothing.")
        return
    entities, met = found
    if own and set(entities) <= set(own):
        acting = tuple(e for e in entities if (e in met) != unless)
        if acting:  # on those of its devices the condition holds for
            held(command.with_target(Target(entity_ids=acting)))
            return
    elif (bool(met) if query.any else len(met) == len(entities)) != unless:
        if command.target.reference:
            # "if the tv is on, turn it off": "it" is what the condition named, and of
            # several, those it holds for ("if any lights are on upstairs, turn them off")
            command = command.with_target(Target(entity_ids=tuple(
                e for e in entities if (e in met) != unless)))
        held(command)
        return
    not_done(f"{as_they_are(t.home, t.said_in, entities)}, so I did nothing.", entities)


_BELOW = frozenset({"below", "under", "colder", "cooler", "lower", "less"})
_ABOVE = frozenset({"above", "over", "warmer", "hotter", "higher", "more"})
_QUANTITIES = {"temperature": ("current_temperature", " degrees"),
               "temp": ("current_temperature", " degrees"),
               "humidity": ("current_humidity", "%")}
"""Quantities a condition compares with a number: the thermostat's attribute that reads
it, and how a reading is said."""
_NOT_A_PLACE = frozenset({"it", "the", "than", "degrees", "degree", "percent", "f", "c",
                          "inside", "indoors", *_QUANTITIES})
"""Words of such a condition that say no place ("inside" is where the thermostat is)."""


@dataclass(frozen=True, slots=True)
class _Compared:
    """Readings of a quantity against a number said in a condition."""

    read: dict[str, float]
    holds: bool
    """Every reading is as the condition says."""
    unit: str
    """How a reading is said after its number (" degrees", "%")."""


def _reading_compared(t: TurnState, subject: Sequence[str], rest: Sequence[str],
                      own: Sequence[str]) -> _Compared | None:
    """A condition that compares the temperature or the humidity with a number ("if it's
    below 68", "if the temperature is over 75", "if the humidity outside is above 80"): what
    reads it (of the temperature with no place said, the command's own thermostats, else
    the home's; else what answers "what is the temperature" there: "outside" the Outside
    Temperature) and whether every reading is so. None for any other condition, and for a
    place where nothing reads it ("in the attic" of a home without one)."""
    comparison = next((i for i, w in enumerate(rest) if w in _BELOW | _ABOVE), None)
    if comparison is None or not subject or subject[0] not in ("it", "the"):
        return None
    number = next((float(w) for w in rest[comparison + 1:]
                   if w.replace(".", "", 1).isdigit()), None)
    said = [*subject, *rest]
    quantity = next((w for w in said if w in _QUANTITIES), "temperature")
    if number is None or (subject[0] == "the" and quantity not in subject):
        return None  # "if the tv is over ...": not a reading of the home's air
    attribute, unit = _QUANTITIES[quantity]
    place = [w for w in said[:len(subject) + comparison] + said[len(subject) + comparison + 1:]
             if w not in _NOT_A_PLACE and not w.replace(".", "", 1).isdigit()]
    if place or attribute != "current_temperature":
        read = _reading_at(t, quantity, place, attribute)
    else:
        climates = [e for e in own if e in t.home.entities
                    and t.home.entities[e].domain == "climate"] or [
            e.id for e in t.home.entities.values() if e.domain == "climate"]
        read = {e: v for e in climates if (v := _reading(t, e, attribute)) is not None}
    if not read:
        return None
    below = rest[comparison] in _BELOW
    return _Compared(read, all((v < number) if below else (v > number) for v in read.values()),
                     unit)


def _reading_at(t: TurnState, quantity: str, place: Sequence[str], attribute: str
                ) -> dict[str, float]:
    """A quantity where it is said ("outside", "in the nursery", or nowhere: indoors), read
    by what answers "what is the temperature" there: a sensor, or the room's thermostat."""
    question = t.do_text(f"what is the {quantity} {' '.join(place)}".strip())
    if question is None or len(question.moves) != 1 or not isinstance(question.moves[0], Query):
        return {}
    target = question.moves[0].target
    if place and not (target.placed or said_outdoors(target)):
        return {}  # "in the attic" of a home without one: not the temperature elsewhere
    answer = answer_query(t.home, t.said_in, question.moves[0], t.speaker_area)
    read = {e: v for e in answer.entities if (v := _reading(t, e, attribute)) is not None}
    return dict(list(read.items())[:1])


def _reading(t: TurnState, entity_id: str, attribute: str) -> float | None:
    """What a thermostat (its ``attribute``) or a sensor (its state) read as the turn began;
    None when it read nothing."""
    if entity_id not in t.said_in or entity_id not in t.home.entities:
        return None
    now = t.said_in[entity_id]
    value = now.attributes.get(attribute) \
        if t.home.entities[entity_id].domain == "climate" else now.state
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _run_it(t: TurnState, ms: MoveState) -> None:
    """"good night" (a scene's name alone): turn it on, as "activate good night" does."""
    if isinstance(ms.move, Fragment):
        ms.move = Command(Action.TURN_ON, ms.move.target)
        ms.match = None


_STEPS_BACK = {Action.INCREASE: Action.DECREASE, Action.DECREASE: Action.INCREASE}


def _repeat_last(t: TurnState, ms: MoveState) -> None:
    """"more", "a bit more", "again": the last command once more, on what it acted on;
    "too much" after a step, a step the other way."""
    last = t.context.last_command
    if not isinstance(ms.move, Again) or last is None:
        return
    entities = _acted_on(t, last)
    if entities:
        last = last.with_target(Target(entity_ids=entities, exclude=last.target.exclude))
    if last.action is Action.SET and last.value is not None and last.value.number is not None:
        # "set the bedroom light to 50 percent", "a bit more": a step up from there; said
        # as a lowering ("turn the volume down to 20", "a bit more"), lower still
        step = Action.DECREASE if last.lowering else Action.INCREASE
        last = replace(last, action=step, value=None, stepwise=True)
    if ms.move.back:
        # "dim the lights", "too much": a step the other way, of a step only
        if last.action not in _STEPS_BACK:
            return
        last = replace(last, action=_STEPS_BACK[last.action], value=None)
    ms.move = last
    ms.match = None


def _answer_question(t: TurnState, ms: MoveState) -> None:
    """"the kitchen one" after "which light?": the waiting command, on the one chosen."""
    question = t.context.question
    if question is not None and question.kind == "value":
        if isinstance(ms.move, Repair) and ms.move.value is not None:
            t.context.question = None
            ms.move = replace(question.command, value=ms.move.value)
            ms.match = None
        return
    if question is None or question.kind != "which":
        return
    said = ms.move.target if isinstance(ms.move, (Fragment, Repair)) else None
    if said is None:
        return
    within = [t.home.entities[e] for e in question.candidates]
    position = ms.move.position if isinstance(ms.move, Fragment) else None
    if position is not None and len(within) <= MAX_OPTIONS:
        # "the second one" of the options said: the Back Door
        chosen = [within[position].id] if -len(within) <= position < len(within) else []
    else:
        chosen = [e.id for e in within if _fits(t, e.id, said)]
    t.context.question = None
    if not chosen:
        ms.move = Fragment(said)
        ms.response = "That isn't one of them."
        t.context.question = question
        return
    target = Target(entity_ids=tuple(chosen))
    ms.move = question.command.with_target(target)
    ms.match = None


def _fits(t: TurnState, entity_id: str, said: Target) -> bool:
    """Whether the entity is one the answer describes."""
    answer = replace(said, one=False, plural=True, all=True, reference=None)
    if answer.empty:
        return False
    match = match_targets(t.home, answer, None, None)
    return entity_id in match.entities


def _accept_question(t: TurnState, ms: MoveState) -> None:
    """"yes" to "do you really want to ...?": the waiting command, confirmed."""
    question = t.context.question
    if question is None or question.kind != "confirm":
        return
    t.context.question = None
    ms.move = question.command
    ms.confirmed = True
    ms.match = None


def _drop_next(t: TurnState, ms: MoveState) -> None:
    """"turn on the kitchen light, no, don't": the move after this one is this one's
    business, not a move of its own (it would undo the turn before)."""
    t.consumed.add(ms.index + 1)


REWRITES: dict[str, Callable[[TurnState, MoveState], None]] = {
    "use_salient": _use_salient,
    "apply_correction": _apply_correction,
    "drop_next": _drop_next,
    "correct_last": _correct_last,
    "say_over_last": _say_over_last,
    "continue_last": _continue_last,
    "check_condition": _check_condition,
    "run_it": _run_it,
    "repeat_last": _repeat_last,
    "answer_question": _answer_question,
    "accept_question": _accept_question,
}
"""Rewrites a rule may name: each turns the move into a fuller one."""

VOCABULARY = Vocabulary(
    flags=frozenset(FLAGS),
    properties={name: allowed for name, (_, allowed) in PROPERTIES.items()},
    rewrites=frozenset(REWRITES),
)


# -- effects ----------------------------------------------------------------------------------


def _do(t: TurnState, ms: MoveState) -> None:
    command = _command(ms)
    if command is None:
        ms.response = "Sorry, I didn't understand that."
        return
    command = replace(command, negated=False, objection=False)
    outcome = resolve_command(t.home, command, t.state, t.area_for(command))
    ms.entities = outcome.entities
    ms.grounded = outcome.clarification or outcome.match.ok
    t.trace.append({"move": ms.index, **outcome.trace})
    if t.intent is None:
        t.intent = intent_of(command, t.home, outcome.entities)
    if outcome.clarification:
        if outcome.match.ok:
            # Everything is known but the value ("What colour would you like?").
            pending = command.with_target(Target(entity_ids=outcome.match.entities))
            t.context.question = OpenQuestion("value", pending, outcome.match.entities,
                                              outcome.response)
            ms.entities = outcome.match.entities
            t.context.salient = outcome.match.entities
        else:
            candidates = outcome.match.candidates
            concrete = replace(command, target=replace(command.target, reference=None))
            t.context.question = OpenQuestion("which", concrete, candidates, outcome.response)
            # what is talked about now: "set it to high" after "which fan do you mean?" is
            # one of the fans, not what was talked about before
            t.context.salient = candidates
        ms.clarification = True
        ms.response = outcome.response
        return
    ms.response = outcome.response
    ms.entities = outcome.entities
    said = replace(command, condition=ms.condition)  # as the dialog remembers it
    if outcome.match.ok or ms.replaces is None:
        # A correction that found nothing ("no, the zebra") leaves the command it corrects
        # to be corrected again.
        t.context.last_command = said
    t.context.last_query = None
    if outcome.match.ok:
        t.apply(said, outcome.calls, outcome.entities)
        t.context.salient = outcome.entities
        areas = {t.home.entities[e].area for e in outcome.entities}
        t.area_said = areas.pop() if len(areas) == 1 else None
    elif outcome.match.candidates:
        # "dim the front door" -> "lock it": a refusal still says what was talked about.
        ms.entities = outcome.match.candidates
        t.context.salient = outcome.match.candidates


def _do_inverse(t: TurnState, ms: MoveState) -> None:
    command = _command(ms)
    if command is None:
        return
    opposite = OPPOSITE.get(command.action)
    if opposite is None:
        ms.entities = _matched(t, ms).entities
        ms.grounded = _matched(t, ms).ok
        ms.response = f"Okay, I left {describe_entities(t.home, ms.entities)} as it is."
        return
    ms.move = replace(command, action=opposite, negated=False, objection=False)
    ms.match = None
    _do(t, ms)


def _do_text(t: TurnState, ms: MoveState, text: str) -> None:
    utterance = t.do_text(text)
    if utterance is None or not utterance.commands:
        raise RuntimeError(f"do \"{text}\": the resolver cannot parse this command")
    responses = []
    grounded = []
    for command in utterance.commands:
        sub = MoveState(command, ms.index)
        _do(t, sub)
        responses.append(sub.response)
        grounded.append(sub.grounded)
        ms.entities += sub.entities
    ms.grounded = all(grounded)
    ms.response = " ".join(r for r in responses if r)


def _undo_last(t: TurnState, ms: MoveState) -> None:
    """Put back what the last turn's actions changed (or, for "no, don't turn on the kitchen
    light" after several lights, just the lights named)."""
    last = ms.replaces or t.context.last_action
    if last is None:
        ms.response = "There is nothing to undo."
        return
    records = [last] if ms.replaces is not None else t.context.last_turn_actions()
    only: set[str] | None = None
    command = _command(ms)
    match = _matched(t, ms)
    if command is not None and match.ok:
        touched = {e for r in records for e in r.entities}
        if ms.replaces is None and set(match.entities) < touched:
            only = set(match.entities)
        elif ms.replaces is not None and command.action not in _STEPS:
            # "turn off the living room lights" -> "no, the floor lamp": what the corrected
            # command does again is not put back first (a step is taken again from where
            # it started, so that is put back)
            only = touched - set(match.entities)
    calls: list[ServiceCall] = []
    for record in reversed(records):
        for call in reversed(record.calls):
            ids = tuple(e for e in call.entity_ids if (only is None or e in only)
                        and (record.changed is None or e in record.changed))
            if not ids:
                continue
            inverse = inverse_calls(replace(call, entity_ids=ids), dict(record.before))
            if inverse is None:
                ms.response = "I can't undo that."
                return
            calls.extend(inverse)
    calls = _merge_calls(calls)
    for call in calls:
        t.state = apply_call(call, t.state)
    t.calls.extend(calls)
    touched: dict[str, None] = {}
    for record in records:
        t.context.actions.remove(record)
        remaining = tuple(e for e in record.entities if only is not None and e not in only)
        touched.update((e, None) for e in record.entities if e not in remaining)
        if remaining:
            kept = tuple(c for c in record.calls if set(c.entity_ids) & set(remaining))
            t.context.actions.append(replace(record, entities=remaining, calls=kept))
    undone = tuple(e for e in touched
                   if any(r.changed is None or e in r.changed for r in records))
    ms.entities = undone or tuple(touched)
    ms.grounded = bool(records)
    t.context.salient = ms.entities
    if not undone:
        # "turn off the floor lamp" while it was off, then "undo"
        was = "were" if names_several(t.home, ms.entities) else "was"
        ms.response = (f"There was nothing to put back: {describe_entities(t.home, ms.entities)}"
                       f" {was} already {_states(t, ms.entities, ms.move)}.")
        return
    were = "as they were" if names_several(t.home, ms.entities) else "as it was"
    ms.response = f"Okay, I put {describe_entities(t.home, ms.entities)} back {were}."


def _merge_calls(calls: list[ServiceCall]) -> list[ServiceCall]:
    """Neighbouring calls with the same service and data become one call on all entities."""
    merged: list[ServiceCall] = []
    for call in calls:
        previous = merged[-1] if merged else None
        if previous is not None and (previous.domain, previous.service) == (
                call.domain, call.service) and dict(previous.data) == dict(call.data):
            ids = previous.entity_ids + tuple(e for e in call.entity_ids
                                              if e not in previous.entity_ids)
            merged[-1] = replace(previous, entity_ids=ids)
        else:
            merged.append(call)
    return merged


def _ask_which(t: TurnState, ms: MoveState) -> None:
    command = _command(ms)
    if command is None:
        return
    match = _matched(t, ms)
    options = [f"the {display_name(t.home.entities[e].name)}" for e in match.candidates]
    ms.response = f"Which one do you mean: {join_names(options, 'or')}?"
    ms.clarification = ms.grounded = True
    t.context.question = OpenQuestion("which", command, match.candidates, ms.response)


def _confirm(t: TurnState, ms: MoveState, prompt: str) -> None:
    command = _command(ms)
    if command is None:
        return
    match = _matched(t, ms)
    if not match.ok:
        _do(t, ms)  # say why it cannot be done, or ask which one
        return
    ms.entities = match.entities
    pending = replace(command, target=Target(entity_ids=match.entities), negated=False)
    ms.response = _fill(prompt, t, ms)
    ms.clarification = ms.grounded = True
    t.context.question = OpenQuestion("confirm", pending, match.entities, ms.response)


def _answer(t: TurnState, ms: MoveState) -> None:
    query = ms.move
    if isinstance(query, Recap):
        _recap(t, ms)
        return
    if not isinstance(query, Query):
        return
    if query.quantity in (TIME, DATE):  # "what time is it": the clock's, of no device
        now = t.clock()
        ms.response = f"It's {spoken_time(now)}." if query.quantity == TIME else (
            f"Today is {spoken_date(now)}.")
        t.intent = t.intent or {"name": "HassGetCurrentTime" if query.quantity == TIME
                                else "HassGetCurrentDate", "slots": {}}
        return
    if query.target.reference not in (None, EVERYTHING) and t.context.salient:
        # "is it on": what was talked about; "is everything locked" is every lock, whatever was
        query = replace(query, target=Target(entity_ids=_referred(t, query.target.reference)))
    answer = answer_query(t.home, t.state, query, t.speaker_area)
    ms.response = answer.response
    ms.entities = answer.entities
    ms.grounded = bool(answer.entities)
    t.context.last_query = query
    if answer.entities:
        t.context.salient = answer.entities
    t.trace.append({"move": ms.index, "query": target_trace(query.target),
                    "entities": list(answer.entities)})
    if t.intent is None:
        t.intent = {"name": "HassGetState" if query.state or not query.quantity
                    else "HassClimateGetTemperature" if query.quantity in ("temperature", "temp")
                    else "HassGetState", "slots": {}}


def _recap(t: TurnState, ms: MoveState) -> None:
    """"what did you just do": the calls of this turn so far or else of the last turn that
    made any (an undo's too), told as done ("I turned on the Kitchen Light.")."""
    calls = list(t.calls or t.context.last_calls)
    if not calls:
        ms.response = "I haven't done anything yet."
        return
    told = (done(t.home, [call]) for call in calls)  # "Turned on the Kitchen Light."
    ms.response = " ".join(f"I {s[0].lower()}{s[1:]}" for s in told if s)
    ms.entities = tuple(dict.fromkeys(e for c in calls for e in c.entity_ids))
    ms.grounded = True
    t.trace.append({"move": ms.index, "recap": [c.name for c in calls]})


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PLURAL_VERBS = {"is": "are", "was": "were", "has": "have", "stays": "stay",
                 "remains": "remain", "looks": "look", "seems": "seem"}
"""A rule's response is written about one device ("{target} stays {state}"); these verbs
right after ``{target}`` agree with it when it names several ("3 lights stay off", "the
Bedroom Curtains stay closed")."""
_AFTER_TARGET = re.compile(r"\{target\}(\s+)(" + "|".join(_PLURAL_VERBS) + r")\b")
_TARGET_STATE = re.compile(r"\{target\}\s+(" + "|".join(_PLURAL_VERBS)
                           + r")((?:\s+[a-z]+){0,3}?)\s+\{state\}")
"""``{target}``, a verb, a few words and ``{state}``: "{target} is back to {state}"."""


def _fill(template: str, t: TurnState, ms: MoveState) -> str:
    """Fill ``{target}``, ``{state}``, ``{last}`` and ``{done}`` (the response an effect
    before this one wrote) in a response; a verb right after ``{target}`` agrees with it."""
    if not _PLACEHOLDER.search(template):
        return template[:1].upper() + template[1:]
    entities = ms.entities or _matched(t, ms).entities
    template = _TARGET_STATE.sub(
        lambda m: _each_in_its_state(t, entities, m.group(1), m.group(2), ms.move), template)
    if names_several(t.home, entities):
        template = _AFTER_TARGET.sub(
            lambda m: "{target}" + m.group(1) + _PLURAL_VERBS[m.group(2)], template)

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "target":
            return describe_entities(t.home, entities) or "that"
        if key == "state":
            return _states(t, entities, ms.move)
        if key == "last":
            last = t.context.last_action
            return describe_entities(t.home, last.entities) if last else "nothing"
        if key == "done":
            return ms.response or ""
        return match.group(0)

    # "{target} is back to {state}" of a level: "the Thermostat is back at 68 degrees"
    text = _PLACEHOLDER.sub(value, template).replace(" back to at ", " back at ")
    return text[:1].upper() + text[1:]


def _each_in_its_state(t: TurnState, entities: Sequence[str], verb: str, words: str,
                       move: Move) -> str:
    """"{target} stays {state}" said of devices in different states, one clause a state:
    "the Back Door and the Garage Side Door stay locked; the Front Door stays unlocked".
    ``words`` come between the verb and the state (" back to")."""
    groups = _by_state(t, entities, move)
    if len(groups) < 2:
        return f"{{target}} {verb}{words} {{state}}"
    clauses = []
    for state, ids in groups:
        agreeing = _PLURAL_VERBS[verb] if names_several(t.home, ids) else verb
        clauses.append(f"{describe_entities(t.home, ids)} {agreeing}{words} {state}")
    return "; ".join(clauses)


def _states(t: TurnState, entities: Sequence[str], move: Move) -> str:
    """"off"; "2 on and 3 off" when they differ; "as it is" when no state is known."""
    groups = _by_state(t, entities, move)
    if not groups:
        return "as it is"
    if len(groups) == 1:
        return groups[0][0]
    return join_names([f"{len(ids)} {state}" for state, ids in groups])


def _by_state(t: TurnState, entities: Sequence[str], move: Move
              ) -> list[tuple[str, list[str]]]:
    """The entities by their state as said ("on", "locked"), the largest group first; by how
    far up they are set ("at 68 degrees") when the command was about that ("don't turn the
    heat up": the Thermostat stays at 68 degrees, not "set to heat")."""
    level = isinstance(move, Command) and (
        move.action in (Action.INCREASE, Action.DECREASE)
        or (move.action is Action.SET and (move.attribute in _LEVELS or (
            move.attribute is None and move.value is not None
            and move.value.number is not None))))
    return sorted(by_state(t.state, entities, level).items(),
                  key=lambda item: (-len(item[1]), item[0]))


_LEVELS = frozenset({Attribute.BRIGHTNESS, Attribute.VOLUME, Attribute.TEMPERATURE,
                     Attribute.SPEED, Attribute.POSITION})
"""Settings whose command's "stays ..." says how far up the device is set."""


def _run_effect(effect: Effect, t: TurnState, ms: MoveState) -> None:
    kind = effect.kind
    if kind == "rewrite":
        REWRITES[effect.argument or ""](t, ms)
    elif kind == "do":
        _do(t, ms)
    elif kind == "do_inverse":
        _do_inverse(t, ms)
    elif kind == "do_text":
        _do_text(t, ms, effect.argument or "")
    elif kind == "undo_last":
        _undo_last(t, ms)
    elif kind == "ask_which":
        _ask_which(t, ms)
    elif kind == "confirm":
        _confirm(t, ms, effect.argument or "")
    elif kind == "say":
        if isinstance(ms.move, Command):
            # "don't turn on the kitchen light" while it is off: about a light the home has.
            ms.entities = ms.entities or _matched(t, ms).entities
            ms.grounded = ms.grounded or _matched(t, ms).ok
        ms.response = _fill(effect.argument or "", t, ms)
    elif kind == "answer":
        _answer(t, ms)
    elif kind == "nothing":
        ms.entities = ms.entities or (_matched(t, ms).entities if _command(ms) else ())
        ms.grounded = ms.grounded or bool(_command(ms) and _matched(t, ms).ok)
    elif kind == "forget_question":
        t.context.question = None
    else:
        raise ValueError(f"unknown effect {kind}")


# -- the engine -------------------------------------------------------------------------------


class Engine:
    """Runs the rules over the moves of a turn."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def run(self, t: TurnState) -> None:
        """Settle every move of the turn in order; results accumulate in ``t``."""
        talked_about: list[str] = []
        plain: list[ServiceCall] = []  # the calls of the last response, when it said only that
        for index, move in enumerate(t.utterance.moves):
            if index in t.consumed:
                continue
            ms = MoveState(_the_others(t, _spared_referred(t, move)), index)
            made = len(t.calls)
            self._settle(t, ms)
            calls = t.calls[made:]
            said_only = bool(calls) and ms.response == done(t.home, calls)
            together = done_together(t.home, plain + calls) if said_only and plain else None
            if together is not None:
                # "lock the front door and the back door": "Locked the Front Door and the
                # Back Door.", not a sentence each
                t.responses[-1] = together
                plain += calls
            elif ms.response:
                t.responses.append(ms.response)
                plain = calls if said_only else []
            t.clarification = t.clarification or ms.clarification
            t.grounded.append(ms.grounded)
            if ms.entities:
                t.context.salient = ms.entities
            talked_about.extend(e for e in ms.entities if e not in talked_about)
        if len(t.utterance.moves) > 1 and talked_about:
            # "turn on the lamp and the fan" -> "turn them off": both.
            t.context.salient = tuple(talked_about)
        t.calls[:] = _merge_calls(t.calls)
        if t.calls:
            t.context.last_calls = tuple(t.calls)

    def _settle(self, t: TurnState, ms: MoveState) -> None:
        for _ in range(MAX_REWRITES + 1):
            rule = next((r for r in self.rules
                         if r.name not in ms.fired and holds(r.condition, t, ms)), None)
            if rule is None:
                if not ms.response:
                    ms.response = "Sorry, I didn't understand that."
                t.trace.append({"move": ms.index, "rule": None})
                return
            ms.fired.append(rule.name)
            t.trace.append({"move": ms.index, "rule": rule.name, "at": rule.source})
            if rule.whole_utterance and rule.settles:
                # A phrase said as a whole is handled once, not once per move.
                t.consumed.update(range(len(t.utterance.moves)))
            for effect in rule.effects:
                _run_effect(effect, t, ms)
            if rule.settles or ms.response:
                return
        ms.response = "Sorry, I got confused by that."


def move_trace(move: Move) -> dict[str, Any]:
    """A move as compact JSON, for the trace."""
    if isinstance(move, Command):
        return {"command": command_trace(move)}
    if isinstance(move, Query):
        out: dict[str, Any] = {"target": target_trace(move.target)}
        if move.state:
            out["state"] = move.state
        if move.quantity:
            out["quantity"] = move.quantity
        if move.which:
            out["which"] = True
        return {"query": out}
    if isinstance(move, Repair):
        out = {}
        if move.target is not None:
            out["target"] = target_trace(move.target)
        if move.value is not None:
            out["value"] = {k: v for k, v in (("number", move.value.number),
                                              ("text", move.value.text)) if v is not None}
        if move.replaced is not None:
            out["replaced"] = target_trace(move.replaced)
        return {"repair": out}
    if isinstance(move, Fragment):
        out = {"target": target_trace(move.target), "marker": move.marker}
        return {"fragment": out | condition_trace(move.condition)}
    if isinstance(move, Answer):
        return {"answer": "yes" if move.yes else "no"}
    if isinstance(move, Again):
        return {"again": "back" if move.back else True}
    if isinstance(move, Recap):
        return {"recap": True}
    return {"undo": True}


__all__ = [
    "FLAGS",
    "OPPOSITE",
    "PROPERTIES",
    "REWRITES",
    "VOCABULARY",
    "Engine",
    "TurnState",
    "move_trace",
]
