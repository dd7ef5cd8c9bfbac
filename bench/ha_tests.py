"""Exact Home Assistant service calls on HA's English intent tests: the resolver beside hassil.

Each test sentence of Home Assistant's intents repository carries the intent and slots HA
expects. Those slots are turned into the service calls HA's intent handlers would make in
HA's fixture home; a matcher scores a hit when it produces exactly those calls.

    .venv/bin/python bench/ha_tests.py [--verbose] [--hassil-only] [--limit N] [--json PATH]
                                      [--hassil-sentences package|shared]
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from _common import (
    HA_FIXTURE,
    HA_SENTENCES,
    HA_TESTS_FLAT,
    ROOT,
    Call,
    Entity,
    Home,
    call_pairs,
    calls_to_dicts,
    compare_calls,
    markdown_table,
    percent,
    progress,
)

# --------------------------------------------------------------------------- HA semantics

# Domains whose on/off requests are plain turn_on / turn_off (scenes only turn on).
_SWITCHABLE = (
    "light",
    "switch",
    "fan",
    "input_boolean",
    "media_player",
    "climate",
    "siren",
    "humidifier",
    "script",
)
_TURN_ON = {
    **dict.fromkeys((*_SWITCHABLE, "scene"), "turn_on"),
    "cover": "open_cover",
    "valve": "open_valve",
    "lock": "lock",
    "vacuum": "start",
}
_TURN_OFF = {
    **dict.fromkeys(_SWITCHABLE, "turn_off"),
    "cover": "close_cover",
    "valve": "close_valve",
    "lock": "unlock",
    "vacuum": "return_to_base",
}


def _no_data(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Service data for intents that carry none."""
    return {}


def _light_data(slots: Mapping[str, Any]) -> dict[str, Any]:
    """HassLightSet: brightness as a percentage, colour by name."""
    data: dict[str, Any] = {}
    if slots.get("brightness") is not None:
        data["brightness_pct"] = slots["brightness"]
    if slots.get("color") is not None:
        data["color_name"] = slots["color"]
    return data


def _slot_data(
    slot: str, key: str, divisor: int = 1
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Service data that copies one slot, a number optionally divided (percent -> 0..1)."""

    def data(slots: Mapping[str, Any]) -> dict[str, Any]:
        value = slots.get(slot)
        if value is None:
            return {}
        if divisor != 1 and isinstance(value, int | float):
            value = value / divisor
        return {key: value}

    return data


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """What an intent handler does: the service per domain and the data from the slots."""

    services: Mapping[str, str]
    """Domain -> service name; only these domains can be targeted."""
    data: Callable[[Mapping[str, Any]], dict[str, Any]] = _no_data
    """Service data built from the slots."""


INTENTS: Mapping[str, IntentSpec] = {
    "HassTurnOn": IntentSpec(_TURN_ON),
    "HassTurnOff": IntentSpec(_TURN_OFF),
    "HassLightSet": IntentSpec({"light": "turn_on"}, _light_data),
    "HassSetPosition": IntentSpec(
        {"cover": "set_cover_position", "valve": "set_valve_position"},
        _slot_data("position", "position"),
    ),
    "HassClimateSetTemperature": IntentSpec(
        {"climate": "set_temperature"}, _slot_data("temperature", "temperature")
    ),
    "HassMediaPause": IntentSpec({"media_player": "media_pause"}),
    "HassMediaUnpause": IntentSpec({"media_player": "media_play"}),
    "HassMediaNext": IntentSpec({"media_player": "media_next_track"}),
    "HassMediaPrevious": IntentSpec({"media_player": "media_previous_track"}),
    "HassSetVolume": IntentSpec(
        {"media_player": "volume_set"}, _slot_data("volume_level", "volume_level", 100)
    ),
    "HassVacuumStart": IntentSpec({"vacuum": "start"}),
    "HassVacuumReturnToBase": IntentSpec({"vacuum": "return_to_base"}),
    "HassListAddItem": IntentSpec({"todo": "add_item"}, _slot_data("item", "item")),
}


def _as_set(value: Any) -> set[str]:
    """A slot value that may be one string or a list, casefolded."""
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return {str(v).casefold() for v in values if v is not None}


def _one_of(key: Callable[[Entity], str | None], value: Any) -> Callable[[Entity], bool]:
    """A filter keeping entities whose `key` is one of the slot's values (case-insensitive)."""
    wanted = _as_set(value)
    return lambda entity: (key(entity) or "").casefold() in wanted


def match_entities(
    intent: str, slots: Mapping[str, Any], context: Mapping[str, Any] | None, home: Home
) -> tuple[list[Entity], str | None]:
    """Entities the intent targets, or none and the stage that excluded the last candidate."""
    spec = INTENTS.get(intent)
    if spec is None:
        return [], "intent"
    # Staged like HA's target matching: domain, device class, name, area, floor.
    stages: list[tuple[str, Callable[[Entity], bool]]] = [
        ("domain", lambda e: e.domain in spec.services)
    ]
    for source in (slots, context or {}):
        if source.get("domain"):
            stages.append(("domain", _one_of(lambda e: e.domain, source["domain"])))
        if source.get("device_class"):
            stages.append(
                ("device_class", _one_of(lambda e: e.device_class, source["device_class"]))
            )
    name = slots.get("name")
    if name is not None and str(name).casefold() != "all":
        names = _as_set(name)
        stages.append(("name", lambda e: bool(e.names & names)))
    if slots.get("area"):
        areas = set().union(*(home.find_areas(a) for a in _as_set(slots["area"])))
        stages.append(("area", lambda e: e.area_id in areas))
    if slots.get("floor"):
        floors = set().union(*(home.find_floors(f) for f in _as_set(slots["floor"])))
        stages.append(("floor", lambda e: home.floor_of(e) in floors))
    candidates = list(home.entities)
    for reason, keep in stages:
        candidates = [e for e in candidates if keep(e)]
        if not candidates:
            return [], reason
    return candidates, None


def expected_calls(
    intent: str, slots: Mapping[str, Any], context: Mapping[str, Any] | None, home: Home
) -> frozenset[Call]:
    """The service calls HA's handler for `intent` makes with these slots in this home."""
    spec = INTENTS.get(intent)
    if spec is None:
        return frozenset()
    entities, _ = match_entities(intent, slots, context, home)
    data = frozenset(spec.data(slots).items())
    return frozenset((f"{e.domain}.{spec.services[e.domain]}", e.entity_id, data) for e in entities)


# --------------------------------------------------------------------------- test cases


@dataclass(frozen=True, slots=True)
class Case:
    """One test sentence and what HA expects of it."""

    index: int
    text: str
    intent: str
    slots: Mapping[str, Any]
    context: Mapping[str, Any] | None
    source: str
    expected: frozenset[Call]
    no_target_reason: str | None
    """Why the expected slots name nothing in the fixture home (None when they do)."""

    @property
    def no_target(self) -> bool:
        """The expectation is to act on nothing."""
        return not self.expected


def load_cases(path: Path, home: Home, limit: int | None = None) -> list[Case]:
    """The flat-format test sentences of the benchmarked intents."""
    cases: list[Case] = []
    with path.open(encoding="utf-8") as file:
        for line in file:
            row = json.loads(line)
            if row.get("format") != "flat" or row["intent"] not in INTENTS:
                continue
            slots, context = row.get("slots") or {}, row.get("context")
            expected = expected_calls(row["intent"], slots, context, home)
            _, reason = match_entities(row["intent"], slots, context, home)
            cases.append(
                Case(
                    len(cases),
                    row["text"],
                    row["intent"],
                    slots,
                    context,
                    row.get("source", ""),
                    expected,
                    reason,
                )
            )
            if limit is not None and len(cases) >= limit:
                break
    return cases


# --------------------------------------------------------------------------- outcomes


class Cause(StrEnum):
    """Why a matcher missed a sentence."""

    NO_PARSE = "no parse"
    WRONG_INTENT = "wrong intent"
    WRONG_ENTITIES = "wrong entities"
    WRONG_SERVICE = "wrong service"
    WRONG_VALUE = "wrong value"
    CLARIFICATION = "clarification"
    CRASH = "crash"


@dataclass(slots=True)
class Outcome:
    """What a matcher did with one sentence."""

    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    intent: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    response: str | None = None
    clarification: bool = False
    error: str | None = None
    hit: bool = False
    cause: Cause | None = None


def judge(case: Case, outcome: Outcome) -> Outcome:
    """Fill in whether the outcome is a hit and, if not, why."""
    diff = compare_calls(case.expected, outcome.calls)
    if case.no_target:
        outcome.hit = outcome.error is None and not outcome.calls and outcome.intent == case.intent
    else:
        outcome.hit = outcome.error is None and diff.hit
    if outcome.hit:
        outcome.cause = None
    elif outcome.error is not None:
        outcome.cause = Cause.CRASH
    elif outcome.clarification:
        outcome.cause = Cause.CLARIFICATION
    elif not outcome.calls and outcome.intent is None:
        outcome.cause = Cause.NO_PARSE
    elif (
        outcome.intent is not None
        and outcome.intent != case.intent
        and not (case.expected and diff.same_pairs)
    ):
        outcome.cause = Cause.WRONG_INTENT
    elif diff.same_pairs:
        outcome.cause = Cause.WRONG_VALUE
    elif case.expected and {e for _, e, _ in outcome.calls} == {e for _, e, _ in case.expected}:
        outcome.cause = Cause.WRONG_SERVICE
    else:
        # A different set of entities, including none found for a right intent.
        outcome.cause = Cause.WRONG_ENTITIES
    return outcome


# --------------------------------------------------------------------------- hassil


class HassilMatcher:
    """Home Assistant's own template matcher over the fixture home."""

    def __init__(self, home: Home, sentences: Path | None = None) -> None:
        """Load English intents (the installed package's, or a sentences tree) and slot lists."""
        from hassil import Intents, TextSlotList, TextSlotValue

        if sentences is None:
            from home_assistant_intents import get_intents

            self._intents = Intents.from_dict(get_intents("en") or {})
        else:
            self._intents = Intents.from_files(sorted(sentences.glob("**/*.yaml")))
        names = []
        for entity in home.entities:
            # Checked against the templates' requires_context / excludes_context.
            context: dict[str, Any] = {"domain": entity.domain}
            if (area := home.area(entity.area_id)) is not None:
                context["area"] = area.name
            if entity.device_class:
                context["device_class"] = entity.device_class
            names.append(TextSlotValue.from_tuple((entity.name, entity.name, context)))
        self._slot_lists = {
            "name": TextSlotList(name="name", values=names),
            "area": TextSlotList.from_tuples(
                ((a.name, a.name, {"area": a.name}) for a in home.areas), name="area"
            ),
            "floor": TextSlotList.from_tuples(
                ((f.name, f.name) for f in home.floors), name="floor"
            ),
        }

    def recognize(
        self, text: str, context: Mapping[str, Any] | None
    ) -> tuple[str, dict[str, Any]] | None:
        """HA's choice of intent and slots for a sentence, or None when nothing matches."""
        from hassil import recognize_best

        # As HA's conversation agent: prefer the parse that fills `name` with the longest text.
        result = recognize_best(
            text,
            self._intents,
            slot_lists=self._slot_lists,
            intent_context=dict(context) if context else None,
            language="en",
            best_slot_name="name",
        )
        if result is None:
            return None
        return result.intent.name, {name: e.value for name, e in result.entities.items()}

    def run(self, case: Case, home: Home) -> Outcome:
        """HA's calls for one sentence: its recognized intent and slots through the handlers."""
        recognized = self.recognize(case.text, case.context)
        if recognized is None:
            return Outcome()
        intent, slots = recognized
        calls = expected_calls(intent, slots, case.context, home)
        return Outcome(
            calls=[(service, entity_id, dict(data)) for service, entity_id, data in calls],
            intent=intent,
            slots=slots,
        )


# --------------------------------------------------------------------------- ours


class OurMatcher:
    """The resolver package, one fresh session per sentence."""

    def __init__(self, fixture: Path) -> None:
        """Load the resolver from the working tree with the fixture home."""
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from resolver import Resolver

        self._resolver = Resolver.from_files(str(fixture))

    def run(self, case: Case) -> Outcome:
        """Resolve one sentence; an exception is an outcome, not a failure of the run."""
        area = (case.context or {}).get("area")
        try:
            result = self._resolver.resolve(
                case.text, session=f"ha-tests-{case.index:04d}", area=area
            )
            intent = _get(result, "intent")
            name = _get(intent, "name") if intent is not None else None
            slots = _get(intent, "slots") if intent is not None else None
            return Outcome(
                calls=call_pairs(_get(result, "actions") or ()),
                intent=str(name) if name is not None else None,
                slots=dict(slots or {}),
                response=_get(result, "response"),
                clarification=bool(_get(result, "clarification")),
            )
        except Exception as error:  # noqa: BLE001  (any failure of the resolver is a miss)
            last = traceback.extract_tb(error.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            return Outcome(error=f"{type(error).__name__}: {error} ({where})")


def _get(value: Any, key: str) -> Any:
    """A field of a result object or of a plain dict."""
    if isinstance(value, Mapping):
        return value.get(key)
    return getattr(value, key, None)


# --------------------------------------------------------------------------- report


def _row(
    label: str, cases: Sequence[Case], columns: Sequence[Mapping[int, Outcome] | None]
) -> list[str]:
    """One table row: a label, the number of sentences, a hit rate per matcher."""
    cells = [label, str(len(cases))]
    for outcomes in columns:
        if outcomes is None:
            cells.append("n/a")
        else:
            cells.append(percent(sum(outcomes[c.index].hit for c in cases), len(cases)))
    return cells


def score_table(
    cases: Sequence[Case], ours: Mapping[int, Outcome] | None, hassil: Mapping[int, Outcome]
) -> str:
    """Per intent, total, no-target and overall hit rates."""
    columns = (ours, hassil)
    by_intent: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if not case.no_target:
            by_intent[case.intent].append(case)
    order = [name for name in INTENTS if name in by_intent]
    rows = [_row(name, by_intent[name], columns) for name in order]
    targeted = [c for c in cases if not c.no_target]
    no_target = [c for c in cases if c.no_target]
    rows.append(_row("**total**", targeted, columns))
    rows.append(_row("no target in the fixture home", no_target, columns))
    rows.append(_row("overall", cases, columns))
    return markdown_table(["intent", "sentences", "ours %", "hassil %"], rows)


def misses_table(cases: Sequence[Case], outcomes: Mapping[int, Outcome]) -> str:
    """Misses by cause, with up to two example sentences each."""
    examples: dict[Cause, list[str]] = defaultdict(list)
    counts: Counter[Cause] = Counter()
    for case in cases:
        cause = outcomes[case.index].cause
        if cause is None:
            continue
        counts[cause] += 1
        if len(examples[cause]) < 2:
            examples[cause].append(f"“{case.text}”")
    rows = [[cause.value, n, "; ".join(examples[cause])] for cause, n in counts.most_common()]
    rows.append(["**total**", sum(counts.values()), ""])
    return markdown_table(["cause", "count", "examples"], rows, align="lrl")


def _format_calls(calls: Iterable[tuple[str, str, Any]]) -> str:
    """Calls as `service entity {data}` joined by commas, sorted."""
    parts = []
    for service, entity_id, data in sorted(calls, key=lambda c: (c[1], c[0])):
        data = dict(data)
        parts.append(f"{service} {entity_id}" + (f" {data}" if data else ""))
    return ", ".join(parts) or "(none)"


def misses_listing(cases: Sequence[Case], outcomes: Mapping[int, Outcome]) -> str:
    """Every miss with the expectation beside what was produced."""
    lines = []
    for case in cases:
        outcome = outcomes[case.index]
        if outcome.hit:
            continue
        context = f" context={dict(case.context)}" if case.context else ""
        lines += [
            f"- [{outcome.cause}] “{case.text}”{context} ({case.source})",
            f"    expected: {case.intent} {dict(case.slots)} -> {_format_calls(case.expected)}",
            f"    got:      {outcome.intent} {outcome.slots} -> {_format_calls(outcome.calls)}",
        ]
        if outcome.response:
            lines.append(f"    response: {outcome.response}")
        if outcome.error:
            lines.append(f"    error:    {outcome.error}")
    return "\n".join(lines) or "(no misses)"


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome as JSON-ready data."""
    data = asdict(outcome)
    data["calls"] = [
        {"service": s, "target": {"entity_id": [e]}, "data": d} for s, e, d in outcome.calls
    ]
    data["cause"] = outcome.cause.value if outcome.cause else None
    return data


def write_json(
    path: Path,
    cases: Sequence[Case],
    ours: Mapping[int, Outcome] | None,
    hassil: Mapping[int, Outcome],
) -> None:
    """Per-sentence results, one JSON document."""
    records = [
        {
            "text": case.text,
            "intent": case.intent,
            "slots": case.slots,
            "context": case.context,
            "source": case.source,
            "category": "no target" if case.no_target else "target",
            "no_target_reason": case.no_target_reason,
            "expected": calls_to_dicts(case.expected),
            "ours": _outcome_json(ours[case.index]) if ours is not None else None,
            "hassil": _outcome_json(hassil[case.index]),
        }
        for case in cases
    ]
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False, default=str) + "\n")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run both matchers over the test sentences and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--verbose", action="store_true", help="list every miss (hassil's with --hassil-only)"
    )
    parser.add_argument("--hassil-only", action="store_true", help="do not run the resolver")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N sentences")
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="per-sentence results"
    )
    parser.add_argument(
        "--hassil-sentences",
        choices=("package", "shared"),
        default="package",
        help="hassil's templates: the installed home-assistant-intents (default) or the "
        "sentences/en tree shipped beside the tests",
    )
    args = parser.parse_args(argv)

    home = Home.from_yaml(HA_FIXTURE)
    cases = load_cases(HA_TESTS_FLAT, home, args.limit)

    sentences = HA_SENTENCES if args.hassil_sentences == "shared" else None
    hassil_matcher = HassilMatcher(home, sentences)
    hassil = {c.index: judge(c, hassil_matcher.run(c, home)) for c in progress(cases, "hassil")}

    ours: dict[int, Outcome] | None = None
    unavailable = "not run (--hassil-only)"
    if not args.hassil_only:
        try:
            our_matcher = OurMatcher(HA_FIXTURE)
        except Exception as error:  # noqa: BLE001  (report it, go on with hassil's column)
            unavailable = f"unavailable: {type(error).__name__}: {error}"
        else:
            ours = {c.index: judge(c, our_matcher.run(c)) for c in progress(cases, "ours")}

    no_target = sum(c.no_target for c in cases)
    print("## Home Assistant intent tests (en): exact service calls\n")
    print(
        f"{len(cases)} sentences of {len(INTENTS)} intents from `{HA_TESTS_FLAT.name}` in HA's "
        f"fixture home; {len(cases) - no_target} name a target, {no_target} name none "
        "(a hit there: no calls and the same intent)."
    )
    if ours is None:
        print(f"\nOurs: {unavailable}.")
    print()
    print(score_table(cases, ours, hassil))
    shown, label = (ours, "ours") if ours is not None else (hassil, "hassil")
    print(f"\n### Misses of {label} by cause\n")
    print(misses_table(cases, shown))
    if args.verbose:
        print(f"\n### Every miss of {label}\n")
        print(misses_listing(cases, shown))
    if args.json is not None:
        write_json(args.json, cases, ours, hassil)
        print(f"\nPer-sentence results: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
