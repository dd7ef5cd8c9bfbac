"""Shared pieces of the benchmarks: the fixture home, service-call comparison, output."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
HA_DATA = SHARED / "data" / "ha_intents"
HA_FIXTURE = HA_DATA / "tests" / "en" / "_fixtures.yaml"
HA_TESTS_FLAT = HA_DATA / "en_tests_flat.jsonl"
HA_SENTENCES = HA_DATA / "sentences" / "en"

NUMBER_TOLERANCE = 0.01
# Data keys whose string values are compared without regard to case.
CASELESS_KEYS = frozenset({"color_name"})

T = TypeVar("T")

# A service call on one entity: (service, entity_id, frozen data items).
Call = tuple[str, str, frozenset[tuple[str, Any]]]


# --------------------------------------------------------------------------- templates


def expand_template(text: str) -> list[str]:
    """Every plain string of a hassil-style template: `[optional]` and `(a|b)` alternatives."""
    alternatives, end = _expand_alternatives(text, 0, closer=None)
    if end != len(text):
        raise ValueError(f"unbalanced template: {text!r}")
    seen: dict[str, None] = {}
    for alt in alternatives:
        seen.setdefault(" ".join(alt.split()), None)
    return list(seen)


def _expand_alternatives(text: str, pos: int, closer: str | None) -> tuple[list[str], int]:
    """Expand from `pos` up to `closer`; returns the strings and the position after it."""
    options: list[str] = []
    current: list[str] = [""]
    while pos < len(text):
        char = text[pos]
        if char in "([":
            inner, pos = _expand_alternatives(text, pos + 1, ")" if char == "(" else "]")
            if char == "[":
                inner = [*inner, ""]
            current = [head + tail for head in current for tail in inner]
            continue
        if char == "|" and closer is not None:
            options.extend(current)
            current = [""]
        elif char == closer:
            return [*options, *current], pos + 1
        elif char in ")]":
            raise ValueError(f"unbalanced template: {text!r}")
        else:
            current = [head + char for head in current]
        pos += 1
    if closer is not None:
        raise ValueError(f"unbalanced template: {text!r}")
    return [*options, *current], pos


# --------------------------------------------------------------------------- the home


@dataclass(frozen=True, slots=True)
class Floor:
    """A floor of the fixture home."""

    floor_id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Area:
    """An area of the fixture home."""

    area_id: str
    name: str
    floor_id: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity of the fixture home."""

    entity_id: str
    name: str
    """The name as written, possibly a template such as `Trader Joe[']s`."""
    names: frozenset[str]
    """Casefolded name, its template expansions and aliases."""
    area_id: str | None
    state: str
    """Home Assistant's state (the `out` side of an `{in, out}` fixture state)."""
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        """The entity's domain, e.g. `light`."""
        return self.entity_id.split(".", 1)[0]

    @property
    def device_class(self) -> str | None:
        """The `device_class` attribute, if any."""
        value = self.attributes.get("device_class")
        return str(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class Home:
    """The fixture home: floors, areas, entities."""

    floors: tuple[Floor, ...]
    areas: tuple[Area, ...]
    entities: tuple[Entity, ...]

    @staticmethod
    def from_yaml(path: Path) -> Home:
        """Load a home in the shape of Home Assistant's test fixtures."""
        with path.open(encoding="utf-8") as file:
            raw = yaml.safe_load(file) or {}
        floors = tuple(
            Floor(str(f["id"]), str(f["name"]), tuple(map(str, f.get("aliases") or ())))
            for f in raw.get("floors") or ()
        )
        areas = tuple(
            Area(
                str(a["id"]),
                str(a["name"]),
                str(a["floor"]) if a.get("floor") is not None else None,
                tuple(map(str, a.get("aliases") or ())),
            )
            for a in raw.get("areas") or ()
        )
        device_areas = {
            str(d["id"]): str(d["area"]) for d in raw.get("devices") or () if d.get("area")
        }
        entities = []
        for e in raw.get("entities") or ():
            name = str(e.get("name") or e["id"])
            spoken = {n.casefold() for n in (name, *expand_template(name))}
            for alias in e.get("aliases") or ():
                spoken.update(n.casefold() for n in (str(alias), *expand_template(str(alias))))
            area_id = e.get("area") or device_areas.get(str(e.get("device")))
            state = e.get("state", "")
            if isinstance(state, Mapping):
                state = state.get("out", state.get("in", ""))
            entities.append(
                Entity(
                    entity_id=str(e["id"]),
                    name=name,
                    names=frozenset(spoken),
                    area_id=str(area_id) if area_id else None,
                    state=str(state),
                    attributes=dict(e.get("attributes") or {}),
                )
            )
        return Home(floors, areas, tuple(entities))

    def area(self, area_id: str | None) -> Area | None:
        """The area with this id."""
        return next((a for a in self.areas if a.area_id == area_id), None)

    def floor_of(self, entity: Entity) -> str | None:
        """The id of the floor the entity's area is on."""
        area = self.area(entity.area_id)
        return area.floor_id if area is not None else None

    def find_areas(self, spoken: str) -> set[str]:
        """Ids of the areas whose name, alias or id is `spoken` (case-insensitive)."""
        key = spoken.casefold()
        return {
            a.area_id
            for a in self.areas
            if key in {a.area_id.casefold(), a.name.casefold(), *(x.casefold() for x in a.aliases)}
        }

    def find_floors(self, spoken: str) -> set[str]:
        """Ids of the floors whose name, alias or id is `spoken` (case-insensitive)."""
        key = spoken.casefold()
        return {
            f.floor_id
            for f in self.floors
            if key in {f.floor_id.casefold(), f.name.casefold(), *(x.casefold() for x in f.aliases)}
        }


# --------------------------------------------------------------------------- calls


def call_pairs(actions: Iterable[Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Expand service calls (CONTRACT §2 dicts or objects with `to_dict`) into one per entity."""
    pairs: list[tuple[str, str, dict[str, Any]]] = []
    for action in actions:
        raw = action.to_dict() if hasattr(action, "to_dict") else action
        if not isinstance(raw, Mapping):
            raise TypeError(f"not a service call: {action!r}")
        data = dict(raw.get("data") or {})
        target = raw.get("target") or {}
        entity_ids = target.get("entity_id", data.pop("entity_id", []))
        if isinstance(entity_ids, str):
            entity_ids = [entity_ids]
        for entity_id in entity_ids:
            pairs.append((str(raw.get("service")), str(entity_id), data))
    return pairs


def calls_to_dicts(calls: Iterable[Call]) -> list[dict[str, Any]]:
    """Calls as CONTRACT §2 dicts, one per entity, sorted (for printing and JSON)."""
    return [
        {"service": service, "target": {"entity_id": [entity_id]}, "data": dict(data)}
        for service, entity_id, data in sorted(calls, key=lambda c: (c[1], c[0]))
    ]


def values_equal(key: str, expected: Any, got: Any) -> bool:
    """Whether a produced data value matches the expected one."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(expected, got, rel_tol=0.0, abs_tol=NUMBER_TOLERANCE)
    if key in CASELESS_KEYS and isinstance(expected, str) and isinstance(got, str):
        return expected.strip().casefold() == got.strip().casefold()
    if isinstance(expected, Sequence) and isinstance(got, Sequence) and not isinstance(got, str):
        return len(expected) == len(got) and all(
            values_equal(key, e, g) for e, g in zip(expected, got, strict=True)
        )
    return bool(expected == got)


@dataclass(frozen=True, slots=True)
class CallDiff:
    """How produced calls differ from the expected ones."""

    same_pairs: bool
    """The (service, entity_id) sets are equal."""
    same_values: bool
    """Every expected data key has a matching produced value."""
    same_services: bool
    """The sets of services are equal."""

    @property
    def hit(self) -> bool:
        """Exactly the expected calls."""
        return self.same_pairs and self.same_values


def compare_calls(
    expected: Iterable[Call], produced: Sequence[tuple[str, str, dict[str, Any]]]
) -> CallDiff:
    """Compare produced per-entity calls with the expected ones."""
    expected = list(expected)
    want = {(service, entity_id) for service, entity_id, _ in expected}
    got = {(service, entity_id) for service, entity_id, _ in produced}
    same_values = all(
        any(
            (service, entity_id) == (p_service, p_entity)
            and all(k in p_data and values_equal(k, v, p_data[k]) for k, v in data)
            for p_service, p_entity, p_data in produced
        )
        for service, entity_id, data in expected
    )
    return CallDiff(
        same_pairs=want == got,
        same_values=same_values,
        same_services={s for s, _ in want} == {s for s, _ in got},
    )


# --------------------------------------------------------------------------- output


def progress(items: Sequence[T], label: str) -> Iterator[T]:
    """Yield the items while drawing a counter on stderr (only the final count when not a tty)."""
    total = len(items)
    width = len(str(total))
    live = sys.stderr.isatty()
    for done, item in enumerate(items):
        if live:
            sys.stderr.write(f"\r{label}: {done:>{width}}/{total}")
            sys.stderr.flush()
        yield item
    sys.stderr.write(f"\r{label}: {total}/{total}\n")
    sys.stderr.flush()


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], align: str | None = None
) -> str:
    """A Markdown table; `align` has one letter per column, `l` or `r` (default: `lrr...`)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    cells = [[str(cell).replace("|", "\\|") for cell in row] for row in rows]
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(rule) + " |",
        *("| " + " | ".join(row) + " |" for row in cells),
    ]
    return "\n".join(lines)


def percent(hits: int, total: int) -> str:
    """`hits/total` as a percentage with one decimal, or a dash when there is nothing."""
    return f"{100.0 * hits / total:.1f}" if total else "-"


# --------------------------------------------------------------------------- hassil


def load_hassil_intents(sentences: Path | None = None) -> Any:
    """hassil's English intents: the installed home-assistant-intents, or a sentences tree."""
    from hassil import Intents

    if sentences is None:
        from home_assistant_intents import get_intents

        return Intents.from_dict(get_intents("en") or {})
    return Intents.from_files(sorted(sentences.glob("**/*.yaml")))


def hassil_slot_lists(home: Home, aliases: bool = True) -> dict[str, Any]:
    """hassil's `name`, `area` and `floor` slot lists for a home, as HA's conversation agent
    builds them: each entity with the context its templates check (domain, area, device
    class), and with `aliases` every alias as a further name."""
    from hassil import TextSlotList, TextSlotValue

    names = []
    for entity in home.entities:
        context: dict[str, Any] = {"domain": entity.domain}
        if (area := home.area(entity.area_id)) is not None:
            context["area"] = area.name
        if entity.device_class:
            context["device_class"] = entity.device_class
        spoken = {entity.name}
        if aliases:
            spoken |= set(entity.names) - {entity.name.casefold()}
        for text in sorted(spoken):
            names.append(TextSlotValue.from_tuple((text, text, context)))
    area_values = [(a.name, a.name, {"area": a.name}) for a in home.areas]
    floor_values = [(f.name, f.name) for f in home.floors]
    if aliases:
        area_values += [(x, a.name, {"area": a.name}) for a in home.areas for x in a.aliases]
        floor_values += [(x, f.name) for f in home.floors for x in f.aliases]
    return {
        "name": TextSlotList(name="name", values=names),
        "area": TextSlotList.from_tuples(area_values, name="area"),
        "floor": TextSlotList.from_tuples(floor_values, name="floor"),
    }
