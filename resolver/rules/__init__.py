"""The dialog layer: rules written in a small DSL decide what each move of a turn does."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .dsl import Rule, RulesError, load_rules
from .engine import VOCABULARY, Engine, TurnState

PACKAGED_RULES = Path(__file__).resolve().parent.parent.parent / "rules"
"""The rules shipped with the project (``rules/*.rules``)."""


def load(user_directories: Iterable[str | Path] = ()) -> list[Rule]:
    """The packaged rules, then each user directory's, a later rule overriding by name."""
    return load_rules([PACKAGED_RULES, *user_directories], VOCABULARY)


__all__ = ["PACKAGED_RULES", "Engine", "Rule", "RulesError", "TurnState", "load"]
