"""Dialog context per session: what was said and done, what is salient, what was asked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .actions import ServiceCall
from .home import EntityState
from .logical_form import Command, Query

MAX_HISTORY = 50
"""Turns and actions remembered per session; older ones are forgotten."""


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """Something the resolver did: the command, its calls and the state before them."""

    command: Command
    entities: tuple[str, ...]
    calls: tuple[ServiceCall, ...]
    before: Mapping[str, EntityState]
    """The state of each touched entity before the calls: what undo restores."""
    turn: int
    changed: frozenset[str] | None = None
    """The entities the calls changed (None: all they touched); undo leaves the others
    alone ("lock all the doors" with one door locked already: undo unlocks the other two)."""


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question the resolver asked and the command waiting for its answer."""

    kind: str
    """``which`` (several candidates), ``confirm`` (a yes or a no) or ``value`` (the value of a
    setting that was named without one)."""
    command: Command
    candidates: tuple[str, ...] = ()
    prompt: str = ""


@dataclass(slots=True)
class DialogContext:
    """The memory of one dialog session."""

    turn: int = 0
    texts: list[str] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)
    """What was done and not undone, oldest first."""
    salient: tuple[str, ...] = ()
    """The entities most recently acted on or asked about: what "it" and "them" mean."""
    last_command: Command | None = None
    """The last command resolved, as said (with its target made concrete)."""
    last_query: Query | None = None
    """The last question asked, when it came after the last command ("what about ...")."""
    question: OpenQuestion | None = None
    last_calls: tuple[ServiceCall, ...] = ()
    """The calls of the last turn that made any, undoing included ("what did you just do")."""

    @property
    def last_action(self) -> ActionRecord | None:
        """The most recent action that was not undone."""
        return self.actions[-1] if self.actions else None

    def last_turn_actions(self) -> list[ActionRecord]:
        """The actions of the last turn that acted and were not undone, oldest first."""
        last = self.last_action
        return [r for r in self.actions if r.turn == last.turn] if last else []

    def remember_text(self, text: str) -> None:
        """Start a new turn."""
        self.turn += 1
        self.texts.append(text)
        del self.texts[:-MAX_HISTORY]

    def copy(self) -> DialogContext:
        """A copy a turn can change without touching this one."""
        return DialogContext(self.turn, list(self.texts), list(self.actions), self.salient,
                             self.last_command, self.last_query, self.question,
                             self.last_calls)

    def record(self, record: ActionRecord) -> None:
        """Remember an action."""
        self.actions.append(record)
        del self.actions[:-MAX_HISTORY]
