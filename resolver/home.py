"""The home: a home file loaded into a networkx graph of floors, areas, devices and entities.

The graph is ``home -> floor -> area -> device -> entity`` (an entity without a device hangs
off its area, an area without a floor off the home). Static facts (names, aliases, domain,
device class, capabilities) live on :class:`Entity`; live state lives in a separate
:data:`HomeState` mapping so every dialog session can evolve its own copy.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import networkx as nx
import yaml

from .errors import HomeFileError, caret_context
from .text import expand_template, phrase

ACTION_DOMAINS = frozenset(
    ["light", "switch", "fan", "cover", "lock", "climate", "media_player", "vacuum", "valve", "scene", "script", "todo", "input_boolean"]
)
READ_DOMAINS = frozenset({"sensor", "binary_sensor"})

DEFAULT_STATE = {
    "light": "off",
    "switch": "off",
    "input_boolean": "off",
    "fan": "off",
    "cover": "closed",
    "valve": "closed",
    "lock": "locked",
    "climate": "off",
    "media_player": "off",
    "vacuum": "docked",
    "scene": "unknown",
    "script": "off",
    "todo": "0",
}

# Attributes that are numbers in Home Assistant, whatever a YAML file wrote them as.
_NUMERIC_ATTRIBUTES = frozenset(
    ["brightness", "current_position", "position", "percentage", "percentage_step", "volume_level", "temperature", "current_temperature", "target_temp_step", "min_temp", "max_temp", "color_temp_kelvin", "min_color_temp_kelvin", "max_color_temp_kelvin", "supported_features"]
)


class Capability(str, enum.Enum):
    """What an entity can be asked to do, derived from its domain and HA attributes."""

    ON_OFF = "on_off"
    BRIGHTNESS = "brightness"
    COLOR = "color"
    COLOR_TEMP = "color_temp"
    OPEN_CLOSE = "open_close"
    POSITION = "position"
    STOP = "stop"
    SPEED = "speed"
    TEMPERATURE = "temperature"
    HVAC_MODE = "hvac_mode"
    VOLUME = "volume"
    MUTE = "mute"
    PLAY_PAUSE = "play_pause"
    NEXT_PREVIOUS = "next_previous"
    START = "start"
    RETURN_HOME = "return_home"
    LOCK = "lock"
    ACTIVATE = "activate"
    ADD_ITEM = "add_item"
    READ = "read"


_COLOR_MODES = frozenset({"hs", "rgb", "rgbw", "rgbww", "xy"})


def _features(attributes: Mapping[str, Any]) -> int | None:
    value = attributes.get("supported_features")
    return int(value) if isinstance(value, (int, float)) else None


def _has(features: int | None, bit: int) -> bool:
    """A feature bit is present; a missing ``supported_features`` means everything is."""
    return features is None or bool(features & bit)


def capabilities_of(domain: str, attributes: Mapping[str, Any]) -> frozenset[Capability]:
    """Capabilities of an entity, read from HA's ``supported_*`` attributes.

    Where a file gives no ``supported_color_modes`` or ``supported_features`` (as Home
    Assistant's own test fixtures do) every feature of the domain is assumed.
    """
    C = Capability
    caps: set[Capability] = set()
    features = _features(attributes)
    if domain == "light":
        caps.add(C.ON_OFF)
        modes = attributes.get("supported_color_modes")
        if modes is None:
            caps |= {C.BRIGHTNESS, C.COLOR, C.COLOR_TEMP}
        else:
            modes = set(modes) if isinstance(modes, (list, tuple, set)) else {str(modes)}
            if modes - {"onoff", "unknown"}:
                caps.add(C.BRIGHTNESS)
            if modes & _COLOR_MODES:
                caps.add(C.COLOR)
            if "color_temp" in modes:
                caps.add(C.COLOR_TEMP)
    elif domain in ("switch", "input_boolean"):
        caps.add(C.ON_OFF)
    elif domain == "fan":
        caps.add(C.ON_OFF)
        if _has(features, 1):
            caps.add(C.SPEED)
    elif domain in ("cover", "valve"):
        if _has(features, 1) or _has(features, 2):
            caps.add(C.OPEN_CLOSE)
        if _has(features, 4):
            caps.add(C.POSITION)
        if _has(features, 8):
            caps.add(C.STOP)
    elif domain == "lock":
        caps.add(C.LOCK)
    elif domain == "climate":
        caps.add(C.ON_OFF)
        if _has(features, 1):
            caps.add(C.TEMPERATURE)
        caps.add(C.HVAC_MODE)
    elif domain == "media_player":
        if _has(features, 128) or _has(features, 256):
            caps.add(C.ON_OFF)
        if _has(features, 1) or _has(features, 16384):
            caps.add(C.PLAY_PAUSE)
        if _has(features, 4):
            caps.add(C.VOLUME)
        if _has(features, 8):
            caps.add(C.MUTE)
        if _has(features, 16) or _has(features, 32):
            caps.add(C.NEXT_PREVIOUS)
        if _has(features, 4096):
            caps.add(C.STOP)
    elif domain == "vacuum":
        if _has(features, 8192):
            caps.add(C.START)
        if _has(features, 16):
            caps.add(C.RETURN_HOME)
        if _has(features, 8):
            caps.add(C.STOP)
        if _has(features, 4):
            caps.add(C.PLAY_PAUSE)
    elif domain in ("scene", "script"):
        caps.add(C.ACTIVATE)
    elif domain == "todo":
        caps.add(C.ADD_ITEM)
    if domain in READ_DOMAINS or domain not in ACTION_DOMAINS:
        caps.add(C.READ)
    return frozenset(caps)


@dataclass(frozen=True, slots=True)
class Floor:
    """A floor of the home."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    """Other names people use for it ("downstairs")."""
    level: int | None = None


@dataclass(frozen=True, slots=True)
class Area:
    """An area (room) of the home."""

    id: str
    name: str
    floor: str | None = None
    """Id of the floor it is on."""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Device:
    """A physical device; its entities inherit its area."""

    id: str
    name: str
    area: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """Something Home Assistant can act on or read, with its static facts."""

    id: str
    """``<domain>.<object_id>``."""
    name: str
    domain: str
    area: str | None = None
    """Area id, its own or inherited from its device."""
    device: str | None = None
    aliases: tuple[str, ...] = ()
    device_class: str | None = None
    capabilities: frozenset[Capability] = frozenset()
    spoken_names: tuple[str, ...] = ()
    """Normalized name and aliases (template syntax expanded), for matching."""

    @property
    def actionable(self) -> bool:
        """The resolver may act on it (not a sensor)."""
        return self.domain in ACTION_DOMAINS


@dataclass(frozen=True, slots=True)
class EntityState:
    """The live state of one entity: HA's state string and its attributes."""

    state: str
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def with_changes(self, state: str | None = None, **attributes: Any) -> EntityState:
        """A copy with ``state`` and some attributes replaced."""
        merged = dict(self.attributes)
        merged.update(attributes)
        return EntityState(self.state if state is None else state, MappingProxyType(merged))


HomeState = dict[str, EntityState]
"""Entity id to live state: one per dialog session."""


class Home:
    """A loaded home file: the graph plus indexes over it."""

    def __init__(
        self,
        floors: Iterable[Floor],
        areas: Iterable[Area],
        devices: Iterable[Device],
        entities: Iterable[Entity],
        states: Mapping[str, EntityState],
        path: str = "<home>",
    ) -> None:
        self.path = path
        self.floors = {f.id: f for f in floors}
        self.areas = {a.id: a for a in areas}
        self.devices = {d.id: d for d in devices}
        self.entities = {e.id: e for e in entities}
        self._states = dict(states)
        self.graph = self._build_graph()
        self._by_area: dict[str, list[str]] = {}
        for entity in self.entities.values():
            if entity.area is not None:
                self._by_area.setdefault(entity.area, []).append(entity.id)

    def _build_graph(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        graph.add_node("home", kind="home")
        for floor in self.floors.values():
            graph.add_node(f"floor:{floor.id}", kind="floor", obj=floor)
            graph.add_edge("home", f"floor:{floor.id}")
        for area in self.areas.values():
            node = f"area:{area.id}"
            graph.add_node(node, kind="area", obj=area)
            graph.add_edge(f"floor:{area.floor}" if area.floor else "home", node)
        for device in self.devices.values():
            node = f"device:{device.id}"
            graph.add_node(node, kind="device", obj=device)
            graph.add_edge(f"area:{device.area}" if device.area else "home", node)
        for entity in self.entities.values():
            graph.add_node(entity.id, kind="entity", obj=entity)
            if entity.device:
                parent = f"device:{entity.device}"
            elif entity.area:
                parent = f"area:{entity.area}"
            else:
                parent = "home"
            graph.add_edge(parent, entity.id)
            if entity.device and entity.area and entity.area != self.devices[entity.device].area:
                # An entity placed in another area than its device's belongs to both.
                graph.add_edge(f"area:{entity.area}", entity.id)
        return graph

    # -- construction ---------------------------------------------------------------

    @classmethod
    def from_files(cls, path: str | Path) -> Home:
        """Load a home file (CONTRACT §1); raises :class:`HomeFileError` when broken."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise HomeFileError(str(path), None, None, f"cannot read home file: {err}") from None
        return cls.from_yaml(text, str(path))

    @classmethod
    def from_yaml(cls, text: str, path: str = "<home>") -> Home:
        """Load a home from YAML text."""
        try:
            data = yaml.load(text, Loader=_LineLoader)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 if mark else None
            col = mark.column + 1 if mark else None
            last = max(len(text.splitlines()), 1)
            if line is not None and line > last:
                # An error at the end of the stream: point at the end of the last line.
                line, col = last, len(text.splitlines()[-1]) + 1 if text.splitlines() else 1
            context = caret_context(text, line, col or 1) if line else ""
            message = f"invalid YAML: {err.problem or err.context}"
            raise HomeFileError(path, line, col, message, context) from None
        except yaml.YAMLError as err:
            raise HomeFileError(path, None, None, f"invalid YAML: {err}") from None
        return cls.from_dict(data, path, text)

    @classmethod
    def from_dict(cls, data: Any, path: str = "<home>", source: str = "") -> Home:
        """Build a home from already parsed data; positions are known when it came from YAML."""
        return _HomeBuilder(path, source).build(data)

    # -- queries --------------------------------------------------------------------

    def initial_state(self) -> HomeState:
        """A fresh copy of the states the home file gives."""
        return dict(self._states)

    def area_of(self, entity_id: str) -> str | None:
        """Area id of an entity (its own or its device's)."""
        return self.entities[entity_id].area

    def floor_of(self, entity_id: str) -> str | None:
        """Floor id of an entity, through its area."""
        area = self.entities[entity_id].area
        return self.areas[area].floor if area else None

    def entities_in_area(self, area_id: str) -> list[str]:
        """Entity ids in an area."""
        return list(self._by_area.get(area_id, ()))

    def areas_on_floor(self, floor_id: str) -> list[str]:
        """Area ids on a floor."""
        return [a.id for a in self.areas.values() if a.floor == floor_id]

    def find_area(self, name_or_id: str) -> Area | None:
        """The area with this id, name or alias (case and punctuation insensitive)."""
        if name_or_id in self.areas:
            return self.areas[name_or_id]
        key = phrase(name_or_id)
        for area in self.areas.values():
            if key in {phrase(n) for n in (area.name, area.id, *area.aliases)}:
                return area
        return None

    def area_names(self, area_id: str) -> list[str]:
        """Normalized spoken names of an area."""
        area = self.areas[area_id]
        return spoken_forms((area.name, *area.aliases))

    def floor_names(self, floor_id: str) -> list[str]:
        """Normalized spoken names of a floor."""
        floor = self.floors[floor_id]
        return spoken_forms((floor.name, *floor.aliases))


def spoken_forms(names: Iterable[str]) -> list[str]:
    """Normalized spoken variants of names, template syntax expanded, without repeats."""
    out: list[str] = []
    for name in names:
        for variant in expand_template(name):
            key = phrase(variant)
            if key.startswith("the ") and len(key) > 4:
                # "the TV" is said as "the" + "TV"; the article is the grammar's business.
                key = key[4:]
            if key and key not in out:
                out.append(key)
    return out


# -- loading ------------------------------------------------------------------------


class _Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers where it and each of its keys stood."""

    line: int = 0
    column: int = 0
    key_marks: dict[str, tuple[int, int]]


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line and column of every mapping."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.column = node.start_mark.column + 1
    mapping.key_marks = {
        str(key.value): (key.start_mark.line + 1, key.start_mark.column + 1)
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _HomeBuilder:
    """Validates parsed home data and builds a :class:`Home`; all or nothing."""

    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.source = source

    def fail(self, where: Any, message: str, key: str | None = None) -> HomeFileError:
        line = column = None
        if isinstance(where, _Mapping):
            line, column = where.key_marks.get(key, (where.line, where.column)) if key else (
                where.line,
                where.column,
            )
        context = caret_context(self.source, line, column or 1) if line and self.source else ""
        return HomeFileError(self.path, line, column, message, context)

    def _list(self, data: _Mapping, key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(data, f"'{key}' must be a list", key)
        for item in value:
            if not isinstance(item, dict):
                raise self.fail(data, f"every item of '{key}' must be a mapping", key)
        return value

    def _text(self, item: _Mapping, key: str, required: bool = False) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                raise self.fail(item, f"missing '{key}'")
            return None
        if isinstance(value, (dict, list)):
            raise self.fail(item, f"'{key}' must be a string", key)
        return str(value)

    def _aliases(self, item: _Mapping) -> tuple[str, ...]:
        value = item.get("aliases")
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(a, (str, int)) for a in value):
            raise self.fail(item, "'aliases' must be a list of names", "aliases")
        return tuple(str(a) for a in value)

    def build(self, data: Any) -> Home:
        if data is None:
            data = _Mapping()
        if not isinstance(data, dict):
            context = caret_context(self.source, 1, 1) if self.source else ""
            raise HomeFileError(self.path, 1, 1, "a home file must be a mapping with 'entities'",
                                context)
        if not isinstance(data, _Mapping):
            data = _as_mapping(data)

        floors: dict[str, Floor] = {}
        for item in self._list(data, "floors"):
            fid = self._text(item, "id") or _slug(self._text(item, "name", required=True))
            if fid in floors:
                raise self.fail(item, f"duplicate floor id '{fid}'")
            level = item.get("level")
            floors[fid] = Floor(
                id=fid,
                name=self._text(item, "name") or fid,
                aliases=self._aliases(item),
                level=level if isinstance(level, int) else None,
            )

        areas: dict[str, Area] = {}
        for item in self._list(data, "areas"):
            aid = self._text(item, "id") or _slug(self._text(item, "name", required=True))
            if aid in areas:
                raise self.fail(item, f"duplicate area id '{aid}'")
            floor = self._text(item, "floor")
            if floor is not None and floor not in floors:
                raise self.fail(item, f"area '{aid}' is on floor '{floor}', which does not exist",
                                "floor")
            areas[aid] = Area(aid, self._text(item, "name") or aid, floor, self._aliases(item))

        devices: dict[str, Device] = {}
        for item in self._list(data, "devices"):
            did = self._text(item, "id", required=True)
            assert did is not None
            if did in devices:
                raise self.fail(item, f"duplicate device id '{did}'")
            area = self._text(item, "area")
            if area is not None and area not in areas:
                raise self.fail(item, f"device '{did}' is in area '{area}', which does not exist",
                                "area")
            devices[did] = Device(did, self._text(item, "name") or did, area, self._aliases(item))

        entities: dict[str, Entity] = {}
        states: dict[str, EntityState] = {}
        for item in self._list(data, "entities"):
            eid = self._text(item, "id", required=True)
            assert eid is not None
            domain, dot, object_id = eid.partition(".")
            if not dot or not domain or not object_id:
                raise self.fail(item, f"entity id '{eid}' is not '<domain>.<object_id>'", "id")
            if eid in entities:
                raise self.fail(item, f"duplicate entity id '{eid}'", "id")
            device = self._text(item, "device")
            if device is not None and device not in devices:
                raise self.fail(item, f"entity '{eid}' names device '{device}', which does not "
                                "exist", "device")
            area = self._text(item, "area")
            if area is not None and area not in areas:
                raise self.fail(item, f"entity '{eid}' is in area '{area}', which does not exist",
                                "area")
            if area is None and device is not None:
                area = devices[device].area
            attributes = item.get("attributes")
            if attributes is None:
                attributes = {}
            if not isinstance(attributes, dict):
                raise self.fail(item, "'attributes' must be a mapping", "attributes")
            attributes = {str(k): _attribute(str(k), v) for k, v in attributes.items()}
            name = self._text(item, "name") or object_id.replace("_", " ")
            aliases = self._aliases(item)
            entities[eid] = Entity(
                id=eid,
                name=name,
                domain=domain,
                area=area,
                device=device,
                aliases=aliases,
                device_class=attributes.get("device_class"),
                capabilities=capabilities_of(domain, attributes),
                spoken_names=tuple(spoken_forms((name, *aliases))),
            )
            states[eid] = EntityState(_state(item.get("state"), domain), MappingProxyType(attributes))

        return Home(floors.values(), areas.values(), devices.values(), entities.values(), states,
                    self.path)


def _as_mapping(data: dict) -> _Mapping:  # type: ignore[type-arg]
    """Wrap plain dicts (from ``from_dict``) so positions can be asked for."""
    out = _Mapping({k: _wrap(v) for k, v in data.items()})
    out.key_marks = {}
    return out


def _wrap(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, _Mapping):
        return _as_mapping(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _slug(name: str | None) -> str:
    return "_".join((name or "").lower().split())


def _state(value: Any, domain: str) -> str:
    """HA's state string; HA's fixtures write ``{in: spoken, out: state}``."""
    if isinstance(value, dict):
        value = value.get("out", value.get("in"))
    if value is None:
        return DEFAULT_STATE.get(domain, "unknown")
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _attribute(key: str, value: Any) -> Any:
    if key in _NUMERIC_ATTRIBUTES and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if isinstance(value, _Mapping):
        return dict(value)
    return value
