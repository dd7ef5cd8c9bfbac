"""SLURP iot devel: intent accuracy of the resolver beside hassil, mapped to actions on a home.

Each sentence of SLURP's smart-home ("iot") devel split carries the intent its speaker
meant (lights on/off/dim/brighten/colour, smart plugs on/off, the vacuum, coffee). The
resolver and hassil each turn the sentence into service calls on `bench/slurp_home.yaml`,
a home that has those devices; the calls are mapped back to one of these action classes
and compared with the class of SLURP's intent. When the resolver acts on nothing (it asks
a question, the target is ambiguous), its class comes from `result.intent` with the
domain found in its slots, its trace or the proposer's `result.hypotheses`; a question of
the right kind counts in the column "hit or asked", never in the main accuracy.

    .venv/bin/python bench/slurp.py [--verbose] [--hassil-only] [--json PATH]
                                   [--hassil-sentences package|shared]

Data: `../shared/data/slurp_iot/devel_iot.jsonl`, the iot scenario of SLURP's devel split
(Bastianelli et al., "SLURP: A Spoken Language Understanding Resource Package", EMNLP
2020; text from NLU-Evaluation-Data, Liu et al. 2019), licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/, `../shared/data/slurp_iot/LICENSE.txt`).
Only the devel split is read here: it is held out from training, never a training set.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from _common import (
    HA_SENTENCES,
    ROOT,
    SHARED,
    Home,
    call_pairs,
    hassil_slot_lists,
    load_hassil_intents,
    markdown_table,
    percent,
    progress,
)
from ha_tests import expected_calls

DEVEL = SHARED / "data" / "slurp_iot" / "devel_iot.jsonl"
HOME = ROOT / "bench" / "slurp_home.yaml"
COFFEE_MAKER = "switch.coffee_maker"


# --------------------------------------------------------------------------- classes


class Action(StrEnum):
    """What a SLURP iot intent asks of the home."""

    LIGHT_ON = "light on"
    LIGHT_OFF = "light off"
    LIGHT_DIM = "light dim"
    LIGHT_BRIGHTEN = "light brighten"
    LIGHT_COLOUR = "light colour"
    PLUG_ON = "plug on"
    PLUG_OFF = "plug off"
    VACUUM = "vacuum start"
    COFFEE = "coffee"


SLURP_ACTIONS: Mapping[str, Action] = {
    "iot_hue_lighton": Action.LIGHT_ON,
    "iot_hue_lightoff": Action.LIGHT_OFF,
    "iot_hue_lightdim": Action.LIGHT_DIM,
    "iot_hue_lightup": Action.LIGHT_BRIGHTEN,
    "iot_hue_lightchange": Action.LIGHT_COLOUR,
    "iot_wemo_on": Action.PLUG_ON,
    "iot_wemo_off": Action.PLUG_OFF,
    "iot_cleaning": Action.VACUUM,
    "iot_coffee": Action.COFFEE,
}

# The proposer's (intent, domain) for each class; coffee is a switched plug, so at this
# level it cannot be told from "plug on".
PROPOSER_LABELS: Mapping[Action, tuple[str, str]] = {
    Action.LIGHT_ON: ("HassTurnOn", "light"),
    Action.LIGHT_OFF: ("HassTurnOff", "light"),
    Action.LIGHT_DIM: ("ResolverDecrease", "light"),
    Action.LIGHT_BRIGHTEN: ("ResolverIncrease", "light"),
    Action.LIGHT_COLOUR: ("HassLightSet", "light"),
    Action.PLUG_ON: ("HassTurnOn", "switch"),
    Action.PLUG_OFF: ("HassTurnOff", "switch"),
    Action.VACUUM: ("HassVacuumStart", "vacuum"),
    Action.COFFEE: ("HassTurnOn", "switch"),
}

COLOUR_KEYS = frozenset(
    {
        "color_name",
        "rgb_color",
        "rgbw_color",
        "rgbww_color",
        "hs_color",
        "xy_color",
        "color_temp_kelvin",
        "color_temp",
        "kelvin",
    }
)
# Words of a relative request about colour temperature rather than brightness.
COLOUR_ATTRIBUTES = frozenset({"color", "colour", "color_temp", "temperature", "hue"})
# When calls fall into several classes with the same weight, the first of these wins.
PRIORITY = (
    Action.COFFEE,
    Action.VACUUM,
    Action.LIGHT_COLOUR,
    Action.LIGHT_DIM,
    Action.LIGHT_BRIGHTEN,
    Action.LIGHT_OFF,
    Action.LIGHT_ON,
    Action.PLUG_OFF,
    Action.PLUG_ON,
)
NONE = "none"


def _level(entity_state: str, attributes: Mapping[str, Any]) -> float:
    """A light's brightness in percent (0 when off)."""
    if entity_state != "on":
        return 0.0
    brightness = attributes.get("brightness")
    return 100.0 * float(brightness) / 255.0 if isinstance(brightness, int | float) else 100.0


def _brightness_direction(data: Mapping[str, Any], before: float) -> int:
    """+1 brighter, -1 dimmer, 0 unchanged or no brightness in the data."""
    if isinstance(step := data.get("brightness_step_pct"), int | float):
        return (step > 0) - (step < 0)
    if isinstance(step := data.get("brightness_step"), int | float):
        return (step > 0) - (step < 0)
    after: float | None = None
    if isinstance(pct := data.get("brightness_pct"), int | float):
        after = float(pct)
    elif isinstance(raw := data.get("brightness"), int | float):
        after = 100.0 * float(raw) / 255.0
    if after is None or abs(after - before) < 0.5:
        return 0
    return 1 if after > before else -1


def classify_calls(
    calls: Sequence[tuple[str, str, Mapping[str, Any]]], home: Home
) -> tuple[str, list[str]]:
    """The class of a turn's service calls (one per entity), and the class of each call.

    A brightness given as a level counts as dim or brighten against the light's level in
    the home file; where the target lights include lights that were on, their direction
    decides (setting every light to 7% dims the lit ones, whatever it does to dark ones).
    """
    entities = {e.entity_id: e for e in home.entities}
    per_call: list[str] = []
    lit: list[str] = []
    for service, entity_id, data in calls:
        domain, _, name = service.partition(".")
        entity = entities.get(entity_id)
        state = entity.state if entity is not None else ""
        attributes = entity.attributes if entity is not None else {}
        label = f"other: {service}"
        if domain == "light":
            if name == "turn_off" or (name == "toggle" and state == "on"):
                label = Action.LIGHT_OFF
            elif name == "toggle":
                label = Action.LIGHT_ON
            elif name == "turn_on":
                if COLOUR_KEYS & set(data):
                    label = Action.LIGHT_COLOUR
                else:
                    direction = _brightness_direction(data, _level(state, attributes))
                    if direction < 0:
                        label = Action.LIGHT_DIM
                    elif direction > 0:
                        label = Action.LIGHT_BRIGHTEN
                    elif any(k in data for k in ("brightness_pct", "brightness")):
                        label = "light brightness unchanged"
                    else:
                        label = Action.LIGHT_ON
                    if state == "on" and label != Action.LIGHT_ON:
                        lit.append(label)
        elif domain in ("switch", "input_boolean"):
            on = name == "turn_on" or (name == "toggle" and state != "on")
            if entity_id == COFFEE_MAKER:
                label = Action.COFFEE if on else "coffee maker off"
            else:
                label = Action.PLUG_ON if on else Action.PLUG_OFF
        elif domain == "vacuum" and name == "start":
            label = Action.VACUUM
        per_call.append(str(label))
    if not per_call:
        return NONE, []
    votes = Counter(lit) if lit else Counter(per_call)
    rank = {str(a): i for i, a in enumerate(PRIORITY)}
    best = max(votes, key=lambda c: (votes[c], -rank.get(c, len(rank))))
    return best, per_call


def classify_intent(
    intent: str | None,
    slots: Mapping[str, Any],
    domains: Iterable[str],
    entity_ids: Iterable[str] = (),
    attribute: str | None = None,
) -> str:
    """The class of an intent that acted on nothing: its name with the domain it concerns."""
    if not intent:
        return NONE
    entity_ids = set(entity_ids)
    domain_set = {d for d in domains if d}
    if entity_ids and entity_ids <= {COFFEE_MAKER}:
        return Action.COFFEE if intent in ("HassTurnOn", "ResolverIncrease") else "coffee maker off"
    if "vacuum" in domain_set and intent in ("HassTurnOn", "HassVacuumStart"):
        return Action.VACUUM
    if intent == "HassVacuumStart":
        return Action.VACUUM
    domain = (
        "light"
        if "light" in domain_set
        else "switch"
        if domain_set & {"switch", "input_boolean"}
        else None
    )
    colour = attribute in COLOUR_ATTRIBUTES or slots.get("color") is not None
    if domain == "light":
        if intent == "HassTurnOn":
            return Action.LIGHT_ON
        if intent == "HassTurnOff":
            return Action.LIGHT_OFF
        if intent in ("ResolverIncrease", "ResolverDecrease", "HassLightSet") and colour:
            return Action.LIGHT_COLOUR
        if intent == "ResolverIncrease":
            return Action.LIGHT_BRIGHTEN
        if intent == "ResolverDecrease":
            return Action.LIGHT_DIM
        if intent == "HassLightSet":
            return "light brightness"
    if domain == "switch":
        if intent == "HassTurnOn":
            return Action.PLUG_ON
        if intent == "HassTurnOff":
            return Action.PLUG_OFF
    if intent == "HassLightSet":
        return Action.LIGHT_COLOUR if colour else "light brightness"
    return f"other: {intent}" + (f" ({', '.join(sorted(domain_set))})" if domain_set else "")


def proposer_class(hypothesis: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """The (intent, domain) of a proposer hypothesis, when it names both."""
    if not hypothesis:
        return None
    intent = hypothesis.get("intent")
    domain = hypothesis.get("domain")
    if domain is None and isinstance(hypothesis.get("domains"), list | tuple):
        domain = next(iter(hypothesis["domains"]), None)
    if isinstance(intent, Mapping):
        intent = intent.get("name")
    return (str(intent), str(domain)) if intent is not None and domain is not None else None


# --------------------------------------------------------------------------- sentences


@dataclass(frozen=True, slots=True)
class Case:
    """One SLURP sentence and the action its intent asks for."""

    index: int
    slurp_id: Any
    text: str
    intent: str
    """SLURP's intent, normalized to carry the `iot_` prefix."""
    expected: Action


def load_cases(path: Path) -> list[Case]:
    """The devel sentences of the iot scenario with their expected action class."""
    cases: list[Case] = []
    with path.open(encoding="utf-8") as file:
        for line in file:
            if not line.strip():
                continue
            row = json.loads(line)
            intent = str(row["intent"])
            if not intent.startswith("iot_"):
                intent = f"iot_{intent}"
            if intent not in SLURP_ACTIONS:
                raise ValueError(f"{path}: unknown SLURP iot intent {row['intent']!r}")
            cases.append(
                Case(
                    len(cases), row.get("slurp_id"), row["sentence"], intent, SLURP_ACTIONS[intent]
                )
            )
    return cases


# --------------------------------------------------------------------------- outcomes


@dataclass(slots=True)
class Outcome:
    """What a matcher did with one sentence, and the class it amounts to."""

    got: str = NONE
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    call_classes: list[str] = field(default_factory=list)
    intent: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    response: str | None = None
    clarification: bool = False
    hypotheses: list[dict[str, Any]] = field(default_factory=list)
    proposed: tuple[str, str] | None = None
    """The proposer's top (intent, domain), when it gave one."""
    error: str | None = None
    hit: bool = False
    asked: bool = False
    """No action, but a clarification of the expected class."""

    @property
    def hit_or_asked(self) -> bool:
        """Acted as expected, or asked the right question."""
        return self.hit or self.asked

    @property
    def kind(self) -> str:
        """A miss's kind, for the summary; empty for a hit."""
        if self.hit:
            return ""
        if self.error is not None:
            return "crash"
        if self.calls:
            return "acted, wrong class"
        if self.clarification:
            return "asked (right class)" if self.asked else "asked (wrong class)"
        if self.intent is None:
            return "not understood"
        return "intent, no action"


def judge(case: Case, outcome: Outcome) -> Outcome:
    """Fill in hit and asked."""
    outcome.hit = outcome.error is None and bool(outcome.calls) and outcome.got == case.expected
    outcome.asked = (
        outcome.error is None
        and not outcome.calls
        and outcome.clarification
        and outcome.got == case.expected
    )
    return outcome


def _get(value: Any, key: str) -> Any:
    """A field of a result object or of a plain dict."""
    if isinstance(value, Mapping):
        return value.get(key)
    return getattr(value, key, None)


# --------------------------------------------------------------------------- hassil


class HassilMatcher:
    """Home Assistant's template matcher with slot lists from the SLURP home."""

    def __init__(self, home: Home, sentences: Path | None = None) -> None:
        """Load English intents and the home's names, aliases and areas."""
        self._intents = load_hassil_intents(sentences)
        self._slot_lists = hassil_slot_lists(home, aliases=True)
        self._home = home

    def run(self, case: Case) -> Outcome:
        """hassil's intent and slots through HA's handlers, then the class of those calls."""
        from hassil import recognize_best

        result = recognize_best(
            case.text,
            self._intents,
            slot_lists=self._slot_lists,
            language="en",
            best_slot_name="name",
        )
        if result is None:
            return Outcome()
        intent = result.intent.name
        slots = {name: e.value for name, e in result.entities.items()}
        calls = [
            (service, entity_id, dict(data))
            for service, entity_id, data in expected_calls(intent, slots, None, self._home)
        ]
        outcome = Outcome(calls=calls, intent=intent, slots=slots)
        if calls:
            outcome.got, outcome.call_classes = classify_calls(calls, self._home)
        else:
            outcome.got = classify_intent(intent, slots, self._slot_domains(slots))
        return outcome

    def _slot_domains(self, slots: Mapping[str, Any]) -> set[str]:
        """Domains named by the slots: `domain` itself or the entity a `name` is."""
        domains = {str(slots["domain"])} if slots.get("domain") else set()
        if slots.get("name"):
            spoken = str(slots["name"]).casefold()
            domains |= {e.domain for e in self._home.entities if spoken in e.names}
        return domains


# --------------------------------------------------------------------------- ours


class OurMatcher:
    """The resolver package, one fresh session per sentence."""

    def __init__(self, home_path: Path, home: Home, area: str | None = None) -> None:
        """Load the resolver from the working tree with the SLURP home."""
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from resolver import Resolver

        self._resolver = Resolver.from_files(str(home_path))
        self._home = home
        self._area = area

    def run(self, case: Case) -> Outcome:
        """Resolve one sentence; an exception is an outcome, not a failure of the run."""
        try:
            result = self._resolver.resolve(case.text, session=f"slurp-{case.index:04d}",
                                            area=self._area)
        except Exception as error:  # noqa: BLE001  (any failure of the resolver is a miss)
            last = traceback.extract_tb(error.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            return Outcome(got="crash", error=f"{type(error).__name__}: {error} ({where})")
        intent = _get(result, "intent") or {}
        name = _get(intent, "name")
        slots = dict(_get(intent, "slots") or {})
        hypotheses = [dict(h) for h in _get(result, "hypotheses") or () if isinstance(h, Mapping)]
        outcome = Outcome(
            calls=call_pairs(_get(result, "actions") or ()),
            intent=str(name) if name is not None else None,
            slots=slots,
            response=_get(result, "response"),
            clarification=bool(_get(result, "clarification")),
            hypotheses=hypotheses,
            proposed=proposer_class(hypotheses[0]) if hypotheses else None,
        )
        if outcome.calls:
            outcome.got, outcome.call_classes = classify_calls(outcome.calls, self._home)
        else:
            domains, entity_ids, attribute = self._evidence(slots, _get(result, "trace") or {})
            if outcome.proposed is not None and not domains:
                domains = {outcome.proposed[1]}
            outcome.got = classify_intent(outcome.intent, slots, domains, entity_ids, attribute)
        return outcome

    def _evidence(
        self, slots: Mapping[str, Any], trace: Mapping[str, Any]
    ) -> tuple[set[str], set[str], str | None]:
        """Domains, candidate entities and the attribute a turn without calls was about.

        From the intent's slots, then the trace: the matcher's candidates (an ambiguous
        target lists them), the parsed command's target domains and attribute.
        """
        domains = {str(slots["domain"])} if slots.get("domain") else set()
        entity_ids: set[str] = set()
        attribute: str | None = None
        for match in trace.get("matches") or ():
            found = _get(match, "match") or {}
            entity_ids |= set(found.get("entities") or ()) | set(found.get("candidates") or ())
            command = _get(match, "command") or {}
            domains |= set((command.get("target") or {}).get("domains") or ())
            attribute = attribute or command.get("attribute")
        for move in trace.get("moves") or ():
            command = _get(move, "command") or {}
            domains |= set((command.get("target") or {}).get("domains") or ())
            attribute = attribute or command.get("attribute")
        if slots.get("name"):
            spoken = str(slots["name"]).casefold()
            entity_ids |= {e.entity_id for e in self._home.entities if spoken in e.names}
        domains |= {e.split(".", 1)[0] for e in entity_ids}
        return domains, entity_ids, attribute


# --------------------------------------------------------------------------- report


def _rate(cases: Sequence[Case], outcomes: Mapping[int, Outcome] | None, attr: str) -> str:
    """The share of cases whose outcome has `attr` true, or n/a without outcomes."""
    if outcomes is None:
        return "n/a"
    return percent(sum(bool(getattr(outcomes[c.index], attr)) for c in cases), len(cases))


def _proposer_rate(cases: Sequence[Case], outcomes: Mapping[int, Outcome]) -> str:
    """The share whose top hypothesis has the expected (intent, domain)."""
    hits = sum(outcomes[c.index].proposed == PROPOSER_LABELS[c.expected] for c in cases)
    return percent(hits, len(cases))


def score_table(
    cases: Sequence[Case],
    ours: Mapping[int, Outcome] | None,
    hassil: Mapping[int, Outcome],
    proposer: bool,
) -> str:
    """Per SLURP intent and overall: ours (acted, hit or asked), hassil, the proposer."""
    by_intent: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_intent[case.intent].append(case)

    def row(label: str, expected: str, group: Sequence[Case]) -> list[str]:
        cells = [
            label,
            expected,
            str(len(group)),
            _rate(group, ours, "hit"),
            _rate(group, ours, "hit_or_asked"),
            _rate(group, hassil, "hit"),
        ]
        if proposer and ours is not None:
            cells.append(_proposer_rate(group, ours))
        return cells

    rows = [
        row(f"`{name}`", SLURP_ACTIONS[name].value, by_intent[name])
        for name in SLURP_ACTIONS
        if name in by_intent
    ]
    rows.append(row("**overall**", "", cases))
    header = ["SLURP intent", "action", "sentences", "ours %", "ours hit or asked %", "hassil %"]
    if proposer and ours is not None:
        header.append("proposer top-1 %")
    return markdown_table(header, rows, align="llr" + "r" * (len(header) - 3))


def confusion_table(cases: Sequence[Case], outcomes: Mapping[int, Outcome]) -> str:
    """Expected class -> got class (marked when only intended or asked), counts, an example."""
    counts: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    for case in cases:
        outcome = outcomes[case.index]
        got = outcome.got
        if not outcome.calls and got not in (NONE, "crash"):
            got += " (asked)" if outcome.clarification else " (no action)"
        pair = (case.expected.value, got)
        counts[pair] += 1
        if not outcome.hit:
            examples.setdefault(pair, f"“{case.text}”")
    order = {a.value: i for i, a in enumerate(Action)}
    rows = [
        [expected, got, n, examples.get((expected, got), "")]
        for (expected, got), n in sorted(
            counts.items(), key=lambda item: (order[item[0][0]], item[0][1] != item[0][0], -item[1])
        )
    ]
    return markdown_table(["expected", "got", "count", "example of a miss"], rows, align="llrl")


def kinds_table(cases: Sequence[Case], outcomes: Mapping[int, Outcome]) -> str:
    """Misses by kind, with up to two examples each."""
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        kind = outcomes[case.index].kind
        if not kind:
            continue
        counts[kind] += 1
        if len(examples[kind]) < 2:
            examples[kind].append(f"“{case.text}”")
    rows = [[kind, n, "; ".join(examples[kind])] for kind, n in counts.most_common()]
    rows.append(["**total**", sum(counts.values()), ""])
    return markdown_table(["kind", "count", "examples"], rows, align="lrl")


def _format_calls(calls: Iterable[tuple[str, str, Any]]) -> str:
    """Calls grouped by service and data: `service [entities] {data}`."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for service, entity_id, data in calls:
        groups[(service, json.dumps(dict(data), sort_keys=True))].append(entity_id)
    parts = []
    for (service, data), entity_ids in sorted(groups.items()):
        shown = ", ".join(e.split(".", 1)[1] for e in sorted(entity_ids))
        parts.append(f"{service} [{shown}]" + (f" {data}" if data != "{}" else ""))
    return "; ".join(parts) or "(none)"


def misses_listing(cases: Sequence[Case], outcomes: Mapping[int, Outcome]) -> str:
    """Every miss with the expected class beside what was produced."""
    lines = []
    for case in cases:
        outcome = outcomes[case.index]
        if outcome.hit:
            continue
        lines += [
            f"- [{outcome.kind}] “{case.text}” ({case.intent})",
            f"    expected: {case.expected.value}",
            (
                f"    got:      {outcome.got} — {outcome.intent} {outcome.slots} -> "
                f"{_format_calls(outcome.calls)}"
            ),
        ]
        if outcome.response:
            lines.append(f"    response: {outcome.response}")
        if outcome.hypotheses:
            top = ", ".join(
                f"{_get(h, 'intent')}/{_get(h, 'domain')} {_get(h, 'score')}"
                for h in outcome.hypotheses[:3]
            )
            lines.append(f"    proposer: {top}")
        if outcome.error:
            lines.append(f"    error:    {outcome.error}")
    return "\n".join(lines) or "(no misses)"


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome as JSON-ready data."""
    return {
        "got": outcome.got,
        "hit": outcome.hit,
        "hit_or_asked": outcome.hit_or_asked,
        "kind": outcome.kind or None,
        "intent": outcome.intent,
        "slots": outcome.slots,
        "calls": [
            {"service": s, "target": {"entity_id": [e]}, "data": d} for s, e, d in outcome.calls
        ],
        "call_classes": outcome.call_classes,
        "response": outcome.response,
        "clarification": outcome.clarification,
        "hypotheses": outcome.hypotheses,
        "proposed": list(outcome.proposed) if outcome.proposed else None,
        "error": outcome.error,
    }


def write_json(
    path: Path,
    cases: Sequence[Case],
    ours: Mapping[int, Outcome] | None,
    hassil: Mapping[int, Outcome],
) -> None:
    """Per-sentence results, one JSON document."""
    records = [
        {
            "slurp_id": case.slurp_id,
            "text": case.text,
            "intent": case.intent,
            "expected": case.expected.value,
            "ours": _outcome_json(ours[case.index]) if ours is not None else None,
            "hassil": _outcome_json(hassil[case.index]),
        }
        for case in cases
    ]
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False, default=str) + "\n")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run both matchers over SLURP's iot devel sentences and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss of ours")
    parser.add_argument("--hassil-only", action="store_true", help="do not run the resolver")
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="per-sentence results"
    )
    parser.add_argument(
        "--hassil-sentences",
        choices=("package", "shared"),
        default="package",
        help="hassil's templates: the installed home-assistant-intents (default) or the "
        "sentences/en tree of the shared HA data",
    )
    parser.add_argument(
        "--area",
        default=None,
        metavar="NAME",
        help="the speaker's area (a satellite's room) for every sentence; default: none",
    )
    args = parser.parse_args(argv)

    home = Home.from_yaml(HOME)
    cases = load_cases(DEVEL)

    sentences = HA_SENTENCES if args.hassil_sentences == "shared" else None
    hassil_matcher = HassilMatcher(home, sentences)
    hassil = {c.index: judge(c, hassil_matcher.run(c)) for c in progress(cases, "hassil")}

    ours: dict[int, Outcome] | None = None
    unavailable = "not run (--hassil-only)"
    if not args.hassil_only:
        try:
            our_matcher = OurMatcher(HOME, home, args.area)
        except Exception as error:  # noqa: BLE001  (report it, go on with hassil's column)
            unavailable = f"unavailable: {type(error).__name__}: {error}"
        else:
            ours = {c.index: judge(c, our_matcher.run(c)) for c in progress(cases, "ours")}
    proposer = ours is not None and any(o.hypotheses for o in ours.values())

    print("## SLURP iot devel: intent accuracy as actions\n")
    print(
        f"{len(cases)} sentences of SLURP's iot devel split (`{DEVEL.name}`, CC BY 4.0) on "
        f"`bench/{HOME.name}`, one fresh session each, "
        + (f"the speaker in the {args.area} (ours)" if args.area else "no speaker area")
        + ". A hit: service calls "
        'of the intent\'s action class. "Hit or asked" also counts a clarification question '
        "of the right class."
        + (
            " Proposer top-1: the first hypothesis has the intent and domain of the class "
            "(coffee = HassTurnOn/switch)."
            if proposer
            else ""
        )
    )
    if ours is None:
        print(f"\nOurs: {unavailable}.")
    elif not proposer:
        print("\nNo proposer hypotheses in the results (grammar and rules only).")
    print()
    print(score_table(cases, ours, hassil, proposer))
    if ours is not None:
        print("\n### Confusion of ours (expected class → got class)\n")
        print(confusion_table(cases, ours))
        print("\n### Misses of ours by kind\n")
        print(kinds_table(cases, ours))
        if args.verbose:
            print("\n### Every miss of ours\n")
            print(misses_listing(cases, ours))
    elif args.verbose:
        print("\n### Every miss of hassil\n")
        print(misses_listing(cases, hassil))
    if args.json is not None:
        write_json(args.json, cases, ours, hassil)
        print(f"\nPer-sentence results: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
