"""The rules DSL: rules files -> :class:`Rule` objects, refused whole when broken.

The syntax is ``grammars/rules.lark``; what a condition may test and what an effect may do
is the vocabulary of :mod:`resolver.rules.engine`, checked here so that a typo is an error
with its place (``path:line:col``) rather than a rule that silently never fires.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import FileError, caret_context

GRAMMAR = Path(__file__).resolve().parent.parent.parent / "grammars" / "rules.lark"
DEFAULT_PRIORITY = 50


class RulesError(FileError):
    """A rules file that cannot be used."""


# -- the rules as data --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    """A test that holds or not: ``negated``, ``just_done`` ..."""

    name: str


@dataclass(frozen=True, slots=True)
class Is:
    """``action is unlock``: a named property of the move has one of these values."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Said:
    """``said "movie time"``: the utterance, normalized, is exactly this."""

    text: str


@dataclass(frozen=True, slots=True)
class Not:
    """The test does not hold."""

    item: Condition


@dataclass(frozen=True, slots=True)
class All:
    """Every test holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Any:
    """At least one test holds."""

    items: tuple[Condition, ...]


Condition = Flag | Is | Said | Not | All | Any


@dataclass(frozen=True, slots=True)
class Effect:
    """One thing a rule does."""

    kind: str
    """``do``, ``do_inverse``, ``do_text``, ``undo_last``, ``ask_which``, ``confirm``,
    ``say``, ``answer``, ``rewrite``, ``nothing`` or ``forget_question``."""
    argument: str | None = None
    """The text of ``say``/``confirm``/``do "..."``, the name of a rewrite."""
    where: str = field(default="", compare=False)
    """``path:line:col`` of the argument, for errors found later (an unparseable ``do``)."""


TERMINAL_EFFECTS = frozenset({"do", "do_inverse", "do_text", "undo_last", "ask_which",
                              "confirm", "answer", "nothing"})
"""Effects that settle a move; a rule with only rewrites lets the next rule look at it."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A named, prioritized condition -> effects."""

    name: str
    condition: Condition
    effects: tuple[Effect, ...]
    priority: int = DEFAULT_PRIORITY
    source: str = ""
    """``path:line`` where it is written."""

    @property
    def whole_utterance(self) -> bool:
        """It tests what the whole utterance said (``said``): it settles every move."""
        return _mentions_said(self.condition)

    @property
    def settles(self) -> bool:
        """Its effects decide the move (it is not only a rewrite)."""
        return any(e.kind in TERMINAL_EFFECTS for e in self.effects)


def _mentions_said(condition: Condition) -> bool:
    return bool(_said(condition))


def _said(condition: Condition) -> list[str]:
    """The phrases ``said`` tests name in ``condition``."""
    if isinstance(condition, Said):
        return [condition.text]
    if isinstance(condition, Not):
        return _said(condition.item)
    if isinstance(condition, (All, Any)):
        return [text for c in condition.items for text in _said(c)]
    return []


def said_phrases(rules: list[Rule]) -> tuple[str, ...]:
    """The phrases the rules take whole (``said "movie time"``), each once: what a speech
    path is to expect beside the grammar's sentences."""
    return tuple(dict.fromkeys(text for rule in rules for text in _said(rule.condition)))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What rules may name: tests, their allowed values, rewrites."""

    flags: frozenset[str]
    properties: Mapping[str, frozenset[str] | None]
    """``is`` tests and their allowed values (None: any value)."""
    rewrites: frozenset[str]


# -- parsing ------------------------------------------------------------------------------


@cache
def _parser() -> Lark:
    return Lark.open(str(GRAMMAR), parser="lalr", propagate_positions=True)


class _ToRules(Transformer[Token, list[Rule]]):
    def __init__(self, path: str, source: str, vocabulary: Vocabulary) -> None:
        super().__init__()
        self.path = path
        self.source = source
        self.vocabulary = vocabulary

    def _fail(self, token: Token, message: str) -> RulesError:
        line, column = token.line or 1, token.column or 1
        return RulesError(self.path, line, column, message,
                          caret_context(self.source, line, column))

    def start(self, rules: list[Rule]) -> list[Rule]:
        return rules

    def rule(self, children: list[object]) -> Rule:
        name = children[0]
        assert isinstance(name, Token)
        priority = DEFAULT_PRIORITY
        rest = children[1:]
        if rest and isinstance(rest[0], int):
            priority = rest[0]
            rest = rest[1:]
        condition = rest[0]
        effects = tuple(e for e in rest[1:] if isinstance(e, Effect))
        return Rule(str(name), condition, effects, priority,  # type: ignore[arg-type]
                    f"{self.path}:{name.line}")

    def priority(self, children: list[Token]) -> int:
        return int(children[0])

    def or_test(self, items: list[Condition]) -> Condition:
        return Any(tuple(items))

    def and_test(self, items: list[Condition]) -> Condition:
        return All(tuple(items))

    def negation(self, items: list[Condition]) -> Condition:
        return Not(items[0])

    def flag(self, children: list[Token]) -> Condition:
        name = children[0]
        if str(name) not in self.vocabulary.flags:
            known = ", ".join(sorted(self.vocabulary.flags))
            raise self._fail(name, f"unknown test '{name}' (known: {known})")
        return Flag(str(name))

    def is_test(self, children: list[Token]) -> Condition:
        return self._property(children[0], children[1:])

    def in_test(self, children: list[Token]) -> Condition:
        return self._property(children[0], children[1:])

    def _property(self, name: Token, values: list[Token]) -> Condition:
        if str(name) not in self.vocabulary.properties:
            known = ", ".join(sorted(self.vocabulary.properties))
            raise self._fail(name, f"unknown property '{name}' (known: {known})")
        allowed = self.vocabulary.properties[str(name)]
        for value in values:
            if allowed is not None and str(value) not in allowed:
                raise self._fail(value, f"'{value}' is not a value of '{name}' "
                                 f"(one of: {', '.join(sorted(allowed))})")
        return Is(str(name), tuple(str(v) for v in values))

    def _string(self, token: Token) -> str:
        try:
            value = ast.literal_eval(str(token))
        except (SyntaxError, ValueError) as err:
            raise self._fail(token, f"bad string: {getattr(err, 'msg', err)}") from None
        return str(value)

    def _where(self, token: Token) -> str:
        return f"{self.path}:{token.line}:{token.column}"

    def said(self, children: list[Token]) -> Condition:
        return Said(self._string(children[0]))

    def do(self, children: list[Token]) -> Effect:
        return Effect("do")

    def do_inverse(self, children: list[Token]) -> Effect:
        return Effect("do_inverse")

    def do_text(self, children: list[Token]) -> Effect:
        return Effect("do_text", self._string(children[0]), self._where(children[0]))

    def undo_last(self, children: list[Token]) -> Effect:
        return Effect("undo_last")

    def ask_which(self, children: list[Token]) -> Effect:
        return Effect("ask_which")

    def confirm(self, children: list[Token]) -> Effect:
        return Effect("confirm", self._string(children[0]))

    def say(self, children: list[Token]) -> Effect:
        return Effect("say", self._string(children[0]))

    def answer(self, children: list[Token]) -> Effect:
        return Effect("answer")

    def nothing(self, children: list[Token]) -> Effect:
        return Effect("nothing")

    def forget_question(self, children: list[Token]) -> Effect:
        return Effect("forget_question")

    def rewrite(self, children: list[Token]) -> Effect:
        name = children[0]
        if str(name) not in self.vocabulary.rewrites:
            known = ", ".join(sorted(self.vocabulary.rewrites))
            raise self._fail(name, f"unknown rewrite '{name}' (known: {known})")
        return Effect("rewrite", str(name))


# Friendly messages for the mistakes people make most, in the spirit of lark's
# `match_examples`: the expected tokens say what was missing.
def _explain(err: UnexpectedInput) -> str:
    if isinstance(err, UnexpectedEOF):
        return "the file ends inside a rule: a rule needs 'when <test>' and 'then <effect>'"
    if isinstance(err, UnexpectedCharacters):
        return f"unexpected character {err.char!r}"
    if isinstance(err, UnexpectedToken):
        expected = {e.strip('"').lower() for e in err.expected}
        got = str(err.token)
        if err.token.type == "$END":
            return "the file ends inside a rule: a rule needs 'when <test>' and 'then <effect>'"
        if "WHEN" in {e for e in err.expected} or "when" in expected:
            return f"expected 'when' after the rule's name, got '{got}'"
        if "THEN" in err.expected:
            return f"expected 'and', 'or' or 'then' after a test, got '{got}'"
        if "RULE" in err.expected and len(err.expected) <= 2:
            return f"expected 'rule' to start a rule, got '{got}'"
        if {"DO", "SAY", "UNDO"} & set(err.expected) and "NAME" not in err.expected:
            return f"expected an effect (do, say, undo last, ask which ...), got '{got}'"
        if "NAME" in err.expected:
            return f"expected a name, got '{got}'"
        names = ", ".join(sorted(e.strip('"') for e in err.expected))
        return f"unexpected '{got}' (expected one of: {names})"
    return str(err)


def parse_rules(source: str, path: str, vocabulary: Vocabulary) -> list[Rule]:
    """Parse one rules file; raises :class:`RulesError` with ``path:line:col``."""
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as err:
        line = getattr(err, "line", 1) or 1
        column = getattr(err, "column", 1) or 1
        if isinstance(err, UnexpectedEOF) or line < 1:
            lines = source.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        raise RulesError(path, line, column, _explain(err),
                         caret_context(source, line, column)) from None
    try:
        return _ToRules(path, source, vocabulary).transform(tree)
    except Exception as err:  # lark wraps errors raised by the transformer
        cause = getattr(err, "orig_exc", err)
        if isinstance(cause, RulesError):
            raise cause from None
        raise


def load_rules(directories: Iterable[str | Path], vocabulary: Vocabulary) -> list[Rule]:
    """Every ``*.rules`` file of the directories, later directories overriding earlier ones.

    A rule with the name of an earlier rule replaces it; the result is in the order the
    engine tries them: priority first, then where they are written.
    """
    by_name: dict[str, tuple[int, Rule]] = {}
    order = 0
    for directory in directories:
        directory = Path(directory)
        if not directory.is_dir():
            raise RulesError(str(directory), None, None, "no such rules directory")
        for path in sorted(directory.glob("*.rules")):
            try:
                source = path.read_text(encoding="utf-8-sig")  # a byte-order mark is fine
            except (OSError, UnicodeDecodeError) as err:
                raise RulesError(str(path), None, None, f"cannot read: {err}") from None
            seen: dict[str, int] = {}
            for rule in parse_rules(source, str(path), vocabulary):
                line = int(rule.source.rsplit(":", 1)[1])
                if rule.name in seen:
                    raise RulesError(str(path), line, 1,
                                     f"rule '{rule.name}' is already defined on line "
                                     f"{seen[rule.name]}", caret_context(source, line, 1))
                seen[rule.name] = line
                kept_order = by_name[rule.name][0] if rule.name in by_name else order
                by_name[rule.name] = (kept_order, rule)
                order += 1
    ranked = sorted(by_name.values(), key=lambda item: (-item[1].priority, item[0]))
    return [rule for _, rule in ranked]


__all__ = ["All", "Any", "Condition", "Effect", "Flag", "Is", "Not", "Rule", "RulesError",
           "Said", "Vocabulary", "load_rules", "parse_rules", "said_phrases"]
