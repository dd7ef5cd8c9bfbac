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
    REMOVE_ITEM = "remove_item"
    """Take an item off a list: no service of the contract does, so it is refused."""


OPPOSITE = {
    Action.TURN_ON: Action.TURN_OFF,
    Action.TURN_OFF: Action.TURN_ON,
    Action.OPEN: Action.CLOSE,
    Action.CLOSE: Action.OPEN,
    Action.LOCK: Action.UNLOCK,
    Action.UNLOCK: Action.LOCK,
    Action.PLAY: Action.PAUSE,
    Action.PAUSE: Action.PLAY,
    Action.MUTE: Action.UNMUTE,
    Action.UNMUTE: Action.MUTE,
    Action.START: Action.RETURN_HOME,
    Action.RETURN_HOME: Action.START,
    Action.INCREASE: Action.DECREASE,
    Action.DECREASE: Action.INCREASE,
}
"""What "don't" turns an action into when its effect is already in place."""

_GOING = frozenset({Action.TURN_ON, Action.START, Action.PLAY, Action.ACTIVATE})
_STOPPING = frozenset({Action.TURN_OFF, Action.STOP, Action.PAUSE, Action.RETURN_HOME})


def _opposition() -> dict[Action, frozenset[Action]]:
    """Each action and those that undo it: the inverses "don't" uses, starting against
    stopping, and a cover's or a lock's "turn on" (it opens the one and locks the other, as
    in Home Assistant's intents) against closing or unlocking."""
    pairs = {*OPPOSITE.items(), *((a, b) for a in _GOING for b in _STOPPING),
             (Action.TURN_ON, Action.CLOSE), (Action.TURN_ON, Action.UNLOCK),
             (Action.TURN_OFF, Action.OPEN), (Action.TURN_OFF, Action.LOCK)}
    table: dict[Action, set[Action]] = {}
    for a, b in pairs:
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {action: frozenset(opposed) for action, opposed in table.items()}


OPPOSED = _opposition()
"""Actions that cannot both be meant at once: one clause may not say both ("turn off the
lights play the hallway"), and a proposal of one is not acted on when the words say the
other ("the vacuum should stop" is not a start)."""

EVERYTHING = "everything"
"""The :attr:`Target.reference` of "everything" (and "lock up"): every device of a place, or
of the home; never what was said before (a sweep said after a command on the thermostat is
not about the thermostat)."""
OTHERS = "the others"
"""The :attr:`Target.reference` of "the rest", "the others": the devices of the kind just
named but those ("keep the porch light on but turn off the others"); its
:attr:`Target.exclude` is what was named."""
ELSE = "everything else"
"""The reference of "everything else": :data:`EVERYTHING` but what was just named (its
:attr:`Target.exclude`), or what was last talked about."""
WHERE = "where"
"""The :attr:`Query.quantity` of "where is the vacuum": the answer says where it is."""
TIME = "time"
DATE = "date"
"""The :attr:`Query.quantity` of "what time is it" and "what's the date": the clock's,
asked of no device."""


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
    CHANNEL = "channel"
    """A channel by number ("switch to channel 5"): no service of the contract sets one."""


IMPLIED_DOMAINS: dict[Attribute, tuple[str, ...]] = {
    Attribute.TEMPERATURE: ("climate",),
    Attribute.VOLUME: ("media_player",),
    Attribute.COLOR: ("light",),
    Attribute.COLOR_TEMP: ("light",),
    Attribute.BRIGHTNESS: ("light",),
}
"""The kind of device an attribute said without one is about ("turn up the heat": a
thermostat; "turn the volume down": a media player)."""


@dataclass(frozen=True, slots=True)
class Value:
    """A value said in a command: a number with its unit, a word, or an extreme."""

    number: float | None = None
    unit: str | None = None
    """``percent`` or ``degrees`` when said."""
    scale: str | None = None
    """``C`` or ``F`` when a temperature's scale was said ("21 celsius")."""
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
    part: bool = False
    """Only some of what it names was meant, not said which ("half the lights", "two of
    them")."""
    everywhere: bool = False
    """The whole home was named ("in the house", "everywhere")."""
    here: bool = False
    """The speaker's own area was named ("in here", "this room")."""
    reference: str | None = None
    """A pronoun standing for something said before ("it", "them", "that", "both")."""
    one: bool = False
    """"one" stands for the kind of thing talked about ("the bedroom one")."""
    words: tuple[str, ...] = ()
    """Other words said about it ("front" in "the front one"), for answers to questions."""
    exclude: Target | None = None
    """What was excepted ("all the lights except the kitchen")."""
    entity_ids: tuple[str, ...] = ()
    """Entities already known (what "it" refers to, the answer to "which one?")."""

    @property
    def empty(self) -> bool:
        """Nothing at all was said about the target."""
        return not (self.names or self.areas or self.floors or self.domains or self.here
                    or self.everywhere or self.reference or self.words or self.entity_ids)

    @property
    def placed(self) -> bool:
        """An area, floor, "here" or "everywhere" was said."""
        return bool(self.areas or self.floors or self.here or self.everywhere)

    def unplaced(self) -> Target:
        """The same target wherever it is: without its areas, floors and "here"."""
        return replace(self, areas=(), floors=(), here=False)

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
            part=self.part or other.part,
            everywhere=self.everywhere or other.everywhere,
            here=self.here or other.here,
            reference=self.reference or other.reference,
            one=self.one or other.one,
            words=_union(self.words, other.words),
            exclude=self.exclude or other.exclude,
            entity_ids=_union(self.entity_ids, other.entity_ids),
        )


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(x for x in b if x not in a)


@dataclass(frozen=True, slots=True)
class IfClause:
    """What a command was said to depend on, read from the words after "if" or "unless"
    ("unless it is playing": subject "it", verb "is", state "playing", unless)."""

    said: str
    """The words after "if" or "unless", as said ("it is not dark")."""
    unless: bool
    """It asks for the state not to be so ("unless ...", "if ... not ...")."""
    subject: tuple[str, ...] = ()
    """The words before "is" or "are" ("the", "front", "door"); empty when there is none."""
    verb: str | None = None
    """"is" or "are"; None when the clause has neither, so no question of the home asks it."""
    state: tuple[str, ...] = ()
    """The words after the verb, "not" left out ("playing", "below", "70")."""

    @property
    def question(self) -> str | None:
        """The yes-or-no question the clause asks of the home ("is the tv playing")."""
        if self.verb is None:
            return None
        return " ".join((self.verb, *self.subject, *self.state))


@dataclass(frozen=True, slots=True)
class Command:
    """One command: an action on a target, maybe with a value."""

    action: Action
    target: Target = field(default_factory=Target)
    value: Value | None = None
    attribute: Attribute | None = None
    """What the value or relative change is about, when said or implied."""
    negated: bool = False
    """"don't", "do not", "never": the speaker does not want the action."""
    objection: bool = False
    """Introduced by "no" ("no, don't turn on the kitchen light"): it answers what was done."""
    stepwise: bool = False
    """Said by degree ("open the blinds a bit", "lower them a little more"): a step, not
    all the way."""
    large: bool = False
    """Said as a big change ("a lot brighter", "turn the volume up a lot", "much warmer"):
    twice the usual step."""
    lowering: bool = False
    """A value said as a lowering ("dim the lamp to 10", "turn the volume down to 20",
    "close the blinds to 30 percent"): "a bit more" after it is lower still."""
    when: str | None = None
    """When it was said to happen ("in 5 minutes", "at sunset", "when I get home"), as said.
    The resolver keeps no time: a rule refuses such a command rather than do it now."""
    condition: IfClause | None = None
    """What it was said to depend on ("if it is on", "unless the tv is playing"): a rule
    checks it against the home before anything is done."""

    def with_target(self, target: Target) -> Command:
        """The same command on another target."""
        return replace(self, target=target)


@dataclass(frozen=True, slots=True)
class Query:
    """A question about the home: "is the front door locked?", "what's the temperature?"."""

    target: Target = field(default_factory=Target)
    state: str | None = None
    """The state asked about ("locked", "on", "open"); None asks for a value."""
    attribute: Attribute | None = None
    """The quantity asked for ("temperature", "humidity" ...)."""
    quantity: str | None = None
    """The quantity word said, when it is no attribute the resolver sets ("humidity"), or
    :data:`WHERE` for where the target is."""
    any: bool = False
    """"are any lights on": true when at least one is."""
    which: bool = False
    """"what's on in the kitchen": the answer names those that are."""
    count: bool = False
    """"how many lights are on": the answer says how many, then which."""


@dataclass(frozen=True, slots=True)
class Undo:
    """"never mind", "undo that", "no, don't": take back what was just done."""


@dataclass(frozen=True, slots=True)
class Again:
    """"more", "a bit more", "again": the last command once more; "too much": a step of it
    back."""

    back: bool = False


@dataclass(frozen=True, slots=True)
class Repair:
    """A correction of what was said or done before: "no, the bedroom one", "actually 72"."""

    target: Target | None = None
    value: Value | None = None
    replaced: Target | None = None
    """What the speaker said it is not ("not the bathroom, the bedroom")."""
    by: bool = False
    """The value was said with "by" ("by two degrees"): how far the last step up or down
    should have gone, not a value to set."""


@dataclass(frozen=True, slots=True)
class Fragment:
    """A target on its own: an answer to "which one?", or ellipsis ("and the hallway")."""

    target: Target
    marker: str | None = None
    """How it was introduced: ``and``, ``too``, ``what about``, ``same for``, or None."""
    quantity: str | None = None
    """A quantity word it named ("what about the humidity?")."""
    position: int | None = None
    """The place it names in a list just said, from 0 ("the first one"; -1: "the last one"),
    or None."""
    condition: IfClause | None = None
    """What the command it continues is to depend on here ("and the lights unless the tv is
    playing"); None: as that command did."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A yes or a no."""

    yes: bool


@dataclass(frozen=True, slots=True)
class Recap:
    """"what did you just do": what the last action did."""


Move = Command | Query | Undo | Again | Repair | Fragment | Answer | Recap
"""One thing a turn does."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """What one turn said: its moves in order."""

    moves: tuple[Move, ...]
    text: str = ""
    """The normalized words that were parsed."""
    content: str = ""
    """The normalized words without politeness and filler ("please", "thanks")."""

    @property
    def commands(self) -> tuple[Command, ...]:
        """The moves that are commands."""
        return tuple(m for m in self.moves if isinstance(m, Command))
