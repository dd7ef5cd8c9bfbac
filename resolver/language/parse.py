"""Text -> logical form: tag with the home's gazetteer, parse with lark, transform."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError

from ..home import Home
from ..logical_form import Action, Attribute, Command, Target, Utterance, Value
from .tagger import Gazetteer, Tag
from .vocabulary import NOUNS

GRAMMAR_DIR = Path(__file__).resolve().parent.parent.parent / "grammars"

_ATTRIBUTES = {
    "brightness": Attribute.BRIGHTNESS,
    "light level": Attribute.BRIGHTNESS,
    "color": Attribute.COLOR,
    "colour": Attribute.COLOR,
    "color temperature": Attribute.COLOR_TEMP,
    "temperature": Attribute.TEMPERATURE,
    "temp": Attribute.TEMPERATURE,
    "heat": Attribute.TEMPERATURE,
    "heating": Attribute.TEMPERATURE,
    "volume": Attribute.VOLUME,
    "position": Attribute.POSITION,
    "speed": Attribute.SPEED,
    "percentage": Attribute.SPEED,
}
_EXTREMES = {
    "max": "max", "maximum": "max", "highest": "max", "full": "max", "top": "max",
    "brightest": "max", "the most": "max",
    "min": "min", "minimum": "min", "lowest": "min", "bottom": "min", "dimmest": "min",
    "the least": "min",
}


@lru_cache(maxsize=None)
def utterance_parser(grammar_dir: str | None = None) -> Lark:
    """The compiled utterance grammar (compiled once per process)."""
    directory = Path(grammar_dir) if grammar_dir else GRAMMAR_DIR
    return Lark.open(
        str(directory / "utterance.lark"),
        parser="earley",
        lexer="basic",
        ambiguity="resolve",
        propagate_positions=False,
    )


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The outcome of parsing one utterance."""

    utterance: Utterance | None
    """The logical form, or None when the grammar does not cover the words."""
    symbols: tuple[str, ...]
    """What the grammar read: words and category symbols."""
    tags: tuple[Tag | None, ...]
    error: str | None = None
    """Why it did not parse."""
    tree: str = ""
    """The parse tree, pretty-printed, for the trace."""


class UtteranceParser:
    """Parses utterances about one home."""

    def __init__(self, home: Home, grammar_dir: str | None = None) -> None:
        self.home = home
        self.gazetteer = Gazetteer(home)
        self.lark = utterance_parser(grammar_dir)

    def parse(self, text: str) -> ParseResult:
        """Parse ``text``; a failure is a value with the reason, never an exception."""
        symbols, tags = self.gazetteer.tag(text)
        if not symbols:
            return ParseResult(None, (), (), "nothing was said")
        try:
            tree = self.lark.parse(" ".join(symbols))
        except LarkError as err:
            return ParseResult(None, tuple(symbols), tuple(tags), _describe(err, symbols))
        commands = _ToLogicalForm(tags).transform(tree)
        normalized = " ".join(t.text if t is not None else s for s, t in zip(symbols, tags))
        return ParseResult(
            Utterance(tuple(commands), normalized), tuple(symbols), tuple(tags),
            tree=tree.pretty(),
        )


def _describe(err: LarkError, symbols: list[str]) -> str:
    column = getattr(err, "column", None)
    if isinstance(column, int) and column > 0:
        text = " ".join(symbols)
        word = text[column - 1 :].split(" ", 1)[0]
        return f"not understood from '{word}' on"
    return "not understood"


class _ToLogicalForm(Transformer[Token, list[Command]]):
    """Parse tree -> commands; every target piece in a clause is merged into one target."""

    def __init__(self, tags: list[Tag | None]) -> None:
        super().__init__()
        self.tags = tags

    def _tag(self, token: Token) -> Tag:
        tag = self.tags[int(str(token)[2:])]
        assert tag is not None
        return tag

    # -- the whole utterance ---------------------------------------------------------

    def start(self, children: list[Any]) -> list[Command]:
        return [c for c in children if isinstance(c, Command)]

    # -- target pieces ---------------------------------------------------------------

    def name(self, children: list[Token]) -> Target:
        return Target(names=(self._tag(children[0]).text,))

    def area(self, children: list[Token]) -> Target:
        return Target(areas=self._tag(children[0]).ids)

    def floor(self, children: list[Token]) -> Target:
        return Target(floors=self._tag(children[0]).ids)

    def noun(self, children: list[Token]) -> Target:
        token = str(children[0])
        word = self._tag(children[0]).text if token.startswith("@") else token
        noun = NOUNS[word]
        return Target(
            domains=noun.domains,
            device_classes=(noun.device_class,) if noun.device_class else (),
            nouns=(word,),
            plural=noun.plural,
        )

    def light_verb(self, children: list[Any]) -> Target:
        return Target(domains=("light",))

    def house(self, children: list[Any]) -> Target:
        return Target(everywhere=True)

    def everywhere(self, children: list[Any]) -> Target:
        return Target(everywhere=True)

    def every_room(self, children: list[Any]) -> Target:
        return Target(everywhere=True)

    def here(self, children: list[Any]) -> Target:
        return Target(here=True)

    def quant(self, children: list[Token]) -> Target:
        return Target(all=True)

    def list_ref(self, children: list[Any]) -> Target:
        target = _merge(children)
        if "todo" not in target.domains:
            target = target.merged(Target(domains=("todo",)))
        return target

    # -- values ----------------------------------------------------------------------

    def attr(self, children: list[Token]) -> Attribute:
        return _ATTRIBUTES.get(" ".join(str(c) for c in children), Attribute.BRIGHTNESS)

    def dim(self, children: list[Any]) -> Attribute:
        return Attribute.BRIGHTNESS

    def brighten(self, children: list[Any]) -> Attribute:
        return Attribute.BRIGHTNESS

    def unit(self, children: list[Token]) -> str:
        return str(children[0])

    def extreme(self, children: list[Token]) -> Value:
        return Value(extreme=_EXTREMES[" ".join(str(c) for c in children)])

    def color(self, children: list[Token]) -> Value:
        return Value(text=self._tag(children[0]).text)

    def value(self, children: list[Any]) -> Value:
        first = children[0]
        if isinstance(first, Value):
            return first
        number = float(str(first))
        unit = children[1] if len(children) > 1 else None
        return Value(number=number, unit=unit)

    def item(self, children: list[Token]) -> Value:
        return Value(text=" ".join(str(c) for c in children))

    # -- clauses ---------------------------------------------------------------------

    def _command(self, action: Action, children: list[Any]) -> Command:
        target = _merge(children)
        values = [c for c in children if isinstance(c, Value)]
        attributes = [c for c in children if isinstance(c, Attribute)]
        value = values[0] if values else None
        attribute = attributes[0] if attributes else None
        if value is not None and value.text is not None and action is not Action.ADD_ITEM:
            attribute = Attribute.COLOR
        return Command(action=action, target=target, value=value, attribute=attribute)

    def turn_on(self, c: list[Any]) -> Command:
        return self._command(Action.TURN_ON, c)

    def turn_off(self, c: list[Any]) -> Command:
        return self._command(Action.TURN_OFF, c)

    def open(self, c: list[Any]) -> Command:
        command = self._command(Action.OPEN, c)
        if command.value is not None:
            return Command(Action.SET, command.target, command.value, Attribute.POSITION)
        return command

    def close(self, c: list[Any]) -> Command:
        command = self._command(Action.CLOSE, c)
        if command.value is not None:
            return Command(Action.SET, command.target, command.value, Attribute.POSITION)
        return command

    def lock(self, c: list[Any]) -> Command:
        return self._command(Action.LOCK, c)

    def unlock(self, c: list[Any]) -> Command:
        return self._command(Action.UNLOCK, c)

    def stop(self, c: list[Any]) -> Command:
        return self._command(Action.STOP, c)

    def set(self, c: list[Any]) -> Command:
        return self._command(Action.SET, c)

    def increase(self, c: list[Any]) -> Command:
        return self._command(Action.INCREASE, c)

    def decrease(self, c: list[Any]) -> Command:
        return self._command(Action.DECREASE, c)

    def pause(self, c: list[Any]) -> Command:
        return self._media(Action.PAUSE, c)

    def play(self, c: list[Any]) -> Command:
        return self._media(Action.PLAY, c)

    def next(self, c: list[Any]) -> Command:
        return self._media(Action.NEXT, c)

    def previous(self, c: list[Any]) -> Command:
        return self._media(Action.PREVIOUS, c)

    def mute(self, c: list[Any]) -> Command:
        return self._media(Action.MUTE, c)

    def unmute(self, c: list[Any]) -> Command:
        return self._media(Action.UNMUTE, c)

    def _media(self, action: Action, c: list[Any]) -> Command:
        command = self._command(action, c)
        if not command.target.domains:
            command = command.with_target(command.target.merged(Target(domains=("media_player",))))
        return command

    def start_cleaning(self, c: list[Any]) -> Command:
        command = self._command(Action.START, c)
        return command.with_target(command.target.merged(Target(domains=("vacuum",))))

    def return_home(self, c: list[Any]) -> Command:
        command = self._command(Action.RETURN_HOME, c)
        return command.with_target(command.target.merged(Target(domains=("vacuum",))))

    def add_item(self, c: list[Any]) -> Command:
        return self._command(Action.ADD_ITEM, c)


def _merge(children: list[Any]) -> Target:
    target = Target()
    for child in children:
        if isinstance(child, Target):
            target = target.merged(child)
        elif isinstance(child, Tree):
            target = target.merged(_merge(child.children))
    return target
