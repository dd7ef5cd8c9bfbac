"""The logical form: what an utterance means, as plain frozen data.

The grammar's transformer builds it, the dialog layer reasons over it and the action
stage turns it into service calls. Everything here prints and compares by value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Action(str, enum.Enum):
    """What the speaker asks for, before it is mapped to a domain's service."""

    TURN_ON = "turn_on"
    TURN_OFF = "turn_off"
    TOGGLE = "toggle"
    OPEN = "open"
    CLOSE = "close"
    STOP = "stop"
    LOCK = "lock"
    UNLOCK = "unlock"
    SET = "set"
    """Set an attribute to a value (brightness, position, temperature, volume ...)."""
    INCREASE = "increase"
    DECREASE = "decrease"
    PLAY = "play"
    PAUSE = "pause"
    NEXT = "next"
    PREVIOUS = "previous"
    MUTE = "mute"
    UNMUTE = "unmute"
    START = "start"
    """Start a vacuum (or run a script)."""
    RETURN_HOME = "return_home"
    ACTIVATE = "activate"
    """Activate a scene or run a script."""
    ADD_ITEM = "add_item"


class Attribute(str, enum.Enum):
    """The attribute a value or a relative change is about."""

    BRIGHTNESS = "brightness"
    COLOR = "color"
    COLOR_TEMP = "color_temp"
    POSITION = "position"
    TEMPERATURE = "temperature"
    VOLUME = "volume"
    SPEED = "speed"
    HVAC_MODE = "hvac_mode"
    ITEM = "item"


@dataclass(frozen=True, slots=True)
class Value:
    """A value said in a command: a number with its unit, a word, or an extreme."""

    number: float | None = None
    unit: str | None = None
    """``percent`` or ``degrees`` when said."""
    text: str | None = None
    """A colour name, an hvac mode, a list item, or ``warm``/``cool`` for colour temperature."""
    extreme: str | None = None
    """``max`` or ``min`` ("full brightness", "the lowest")."""


@dataclass(frozen=True, slots=True)
class Target:
    """The things a command is about, as said; the matcher resolves it against the home."""

    names: tuple[str, ...] = ()
    """Normalized entity or device names (or aliases) that were said."""
    areas: tuple[str, ...] = ()
    """Area ids said."""
    floors: tuple[str, ...] = ()
    """Floor ids said."""
    domains: tuple[str, ...] = ()
    """Domains implied by the nouns said ("lights" -> light)."""
    device_classes: tuple[str, ...] = ()
    """Device classes implied by the nouns said ("blinds" -> blind)."""
    nouns: tuple[str, ...] = ()
    """The generic nouns said, normalized ("light", "thermostat")."""
    plural: bool = False
    """A plural noun was said ("the lights")."""
    all: bool = False
    """A quantifier was said ("all", "every", "each")."""
    everywhere: bool = False
    """The whole home was named ("in the house", "everywhere")."""
    here: bool = False
    """The speaker's own area was named ("in here", "this room")."""

    @property
    def empty(self) -> bool:
        """Nothing at all was said about the target."""
        return not (self.names or self.areas or self.floors or self.domains or self.here
                    or self.everywhere)

    def merged(self, other: Target) -> Target:
        """Both targets' parts together (a clause said its target in several pieces)."""
        return Target(
            names=_union(self.names, other.names),
            areas=_union(self.areas, other.areas),
            floors=_union(self.floors, other.floors),
            domains=_union(self.domains, other.domains),
            device_classes=_union(self.device_classes, other.device_classes),
            nouns=_union(self.nouns, other.nouns),
            plural=self.plural or other.plural,
            all=self.all or other.all,
            everywhere=self.everywhere or other.everywhere,
            here=self.here or other.here,
        )


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(x for x in b if x not in a)


@dataclass(frozen=True, slots=True)
class Command:
    """One command: an action on a target, maybe with a value."""

    action: Action
    target: Target = field(default_factory=Target)
    value: Value | None = None
    attribute: Attribute | None = None
    """What the value or relative change is about, when said or implied."""
    negated: bool = False

    def with_target(self, target: Target) -> Command:
        """The same command on another target."""
        return replace(self, target=target)


@dataclass(frozen=True, slots=True)
class Utterance:
    """What one turn said: one or more commands in order."""

    commands: tuple[Command, ...]
    text: str = ""
    """The normalized words that were parsed."""
