"""Home Assistant service calls: from a command to calls, calls applied to state, inverses.

Pure functions, no I/O: :func:`plan` maps a command and an entity to the service and data
Home Assistant expects, :func:`apply_call` gives the state after a call with HA's
semantics, and :func:`inverse_calls` gives the calls that put back the state before one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .home import Capability, Entity, EntityState, HomeState
from .language.vocabulary import COLOR_TEMPS, HVAC_MODES
from .logical_form import Action, Attribute, Command, Value

C = Capability

BRIGHTNESS_STEP = 20
"""Percent a bare "brighter" or "dimmer" changes a light by."""
VOLUME_STEP = 10
"""Percent a bare "louder" or "quieter" changes the volume by."""
POSITION_STEP = 20
FAN_STEP = 25
TEMPERATURE_STEP = 1.0
COLOR_TEMP_STEP = 500
"""Kelvin a bare "warmer" or "cooler" changes a light's colour temperature by (warmer is
fewer kelvin)."""
LARGE_STEP = 2
"""A step said as a big change ("a lot brighter", "much louder") is this many usual steps."""
PALETTE = ("blue", "purple", "pink", "red", "orange", "yellow", "green", "cyan")
"""Colours "a different colour" goes through, in order."""


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """One Home Assistant service call (CONTRACT §2)."""

    domain: str
    service: str
    entity_ids: tuple[str, ...]
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def name(self) -> str:
        """``<domain>.<service>``."""
        return f"{self.domain}.{self.service}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form a controller forwards to ``POST /api/services/<domain>/<service>``."""
        return {
            "service": self.name,
            "target": {"entity_id": list(self.entity_ids)},
            "data": dict(self.data),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServiceCall:
        """Parse the JSON form."""
        domain, _, service = str(data["service"]).partition(".")
        ids = data.get("target", {}).get("entity_id", [])
        if isinstance(ids, str):
            ids = [ids]
        return cls(domain, service, tuple(ids), MappingProxyType(dict(data.get("data") or {})))


@dataclass(frozen=True, slots=True)
class Planned:
    """The service one entity gets for a command."""

    domain: str
    service: str
    data: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an entity cannot carry out a command."""

    reason: str


def resolve_attribute(command: Command, entity: Entity) -> Attribute | None:
    """The attribute a value or relative change is about, said or implied by the domain."""
    value = command.value
    if value is not None and value.text in HVAC_MODES and entity.domain == "climate" \
            and command.attribute in (None, Attribute.TEMPERATURE):
        return Attribute.HVAC_MODE  # "set the thermostat to cool", "set the heat to auto"
    if command.attribute is not None:
        return command.attribute
    if value is not None and value.text is not None:
        return Attribute.COLOR_TEMP if value.text in COLOR_TEMPS else Attribute.COLOR
    if value is not None and value.unit == "degrees":
        return Attribute.TEMPERATURE
    return {
        "light": Attribute.BRIGHTNESS,
        "cover": Attribute.POSITION,
        "valve": Attribute.POSITION,
        "fan": Attribute.SPEED,
        "media_player": Attribute.VOLUME,
        "climate": Attribute.TEMPERATURE,
    }.get(entity.domain)


_EITHER_WAY = frozenset({"auto", "heat_cool"})
"""Thermostat modes that heat or cool as needed: "turn off the AC" turns one off."""


def plan(command: Command, entity: Entity, state: EntityState | None) -> Planned | Refusal:
    """The service call ``entity`` gets for ``command``, or why it cannot."""
    domain, caps, action = entity.domain, entity.capabilities, command.action
    refuse = Refusal(_cannot(entity, command))
    if action in (Action.TURN_ON, Action.TURN_OFF):
        on = action is Action.TURN_ON
        mode = HVAC_MODES.get(command.value.text or "") if (
            domain == "climate" and command.value is not None) else None
        if mode and state is not None and state.state != mode \
                and (on or state.state not in _EITHER_WAY):
            if on:
                # "turn on the AC" while it heats, or is off: on, and cooling
                if mode in (state.attributes.get("hvac_modes") or ()):
                    return Planned(domain, "set_hvac_mode", (("hvac_mode", mode),))
                return Refusal(f"the {entity.name} can't be set to {mode}")
            # "stop cooling" while it heats: not what it is doing
            return Refusal(f"the {entity.name} isn't {_DOING.get(mode, 'set to ' + mode)}; "
                           f"it's {'off' if state.state == 'off' else 'set to ' + state.state}")
        if domain in ("light", "switch", "input_boolean", "fan", "climate", "media_player"):
            return Planned(domain, "turn_on" if on else "turn_off") if C.ON_OFF in caps else refuse
        if domain == "cover":
            return Planned(domain, "open_cover" if on else "close_cover")
        if domain == "valve":
            return Planned(domain, "open_valve" if on else "close_valve")
        if domain == "lock":
            # Turning a lock "off" unlocks it in Home Assistant; a door is not opened to a
            # phrase that does not say so ("turn off all the locks").
            return Planned(domain, "lock") if on else Refusal(
                f"{_cannot(entity, command)}; say unlock if that is what you mean")
        if domain == "scene":
            return Planned(domain, "turn_on") if on else refuse
        if domain == "script":
            return Planned(domain, "turn_on" if on else "turn_off")
        if domain == "vacuum":
            return Planned(domain, "start" if on else "return_to_base")
        return refuse
    if action is Action.TOGGLE:
        if domain in ("light", "switch", "input_boolean", "fan", "cover", "media_player"):
            return Planned(domain, "toggle")
        return refuse
    if action in (Action.OPEN, Action.CLOSE):
        opening = action is Action.OPEN
        if domain in ("cover", "valve") and C.OPEN_CLOSE in caps:
            suffix = "cover" if domain == "cover" else "valve"
            return Planned(domain, f"{'open' if opening else 'close'}_{suffix}")
        if domain == "lock":
            return Planned(domain, "unlock" if opening else "lock")
        return refuse
    if action in (Action.LOCK, Action.UNLOCK):
        if domain == "lock":
            return Planned(domain, "lock" if action is Action.LOCK else "unlock")
        return refuse
    if action is Action.STOP:
        service = {"cover": "stop_cover", "valve": "stop_valve", "media_player": "media_stop",
                   "vacuum": "stop"}.get(domain)
        if service is None and domain in _STOPPED_BY_OFF and (
                C.ON_OFF in caps or domain == "script"):
            # "stop the fan", "stop the car charger", "stop the heating": what has no stop
            # of its own is stopped by turning it off
            return Planned(domain, "turn_off")
        return Planned(domain, service) if service and C.STOP in caps else refuse
    if action is Action.SET:
        return _plan_set(command, entity, state) or refuse
    if action in (Action.INCREASE, Action.DECREASE):
        return _plan_step(command, entity, state) or refuse
    if domain == "media_player":
        media = {
            Action.PLAY: ("media_play", C.PLAY_PAUSE, ()),
            Action.PAUSE: ("media_pause", C.PLAY_PAUSE, ()),
            Action.NEXT: ("media_next_track", C.NEXT_PREVIOUS, ()),
            Action.PREVIOUS: ("media_previous_track", C.NEXT_PREVIOUS, ()),
            Action.MUTE: ("volume_mute", C.MUTE, (("is_volume_muted", True),)),
            Action.UNMUTE: ("volume_mute", C.MUTE, (("is_volume_muted", False),)),
        }.get(action)
        if media and media[1] in caps:
            return Planned(domain, media[0], media[2])
        return refuse
    if domain == "vacuum":
        vacuum = {Action.START: ("start", C.START), Action.PAUSE: ("pause", C.PLAY_PAUSE),
                  Action.PLAY: ("start", C.START),
                  Action.RETURN_HOME: ("return_to_base", C.RETURN_HOME)}.get(action)
        if vacuum and vacuum[1] in caps:
            return Planned(domain, vacuum[0])
        return refuse
    if action in (Action.ACTIVATE, Action.START) and domain in ("scene", "script"):
        return Planned(domain, "turn_on")
    if action is Action.ADD_ITEM and domain == "todo":
        item = command.value.text if command.value and command.value.text else None
        return Planned(domain, "add_item", (("item", item),)) if item else refuse
    return refuse


_DOING = {"heat": "heating", "cool": "cooling", "dry": "drying"}
"""What a thermostat in a mode is doing, as said."""

_STOPPED_BY_OFF = frozenset({"fan", "switch", "input_boolean", "climate", "script"})
"""Domains whose devices have no stop service, where "stop" means off: a fan, a charger,
the heating, a running script."""

_PLAYING = frozenset({"playing"})
_IN_USE: dict[tuple[str, Action], frozenset[str]] = {
    ("media_player", Action.PAUSE): _PLAYING,
    ("media_player", Action.PLAY): frozenset({"paused"}),
    ("media_player", Action.STOP): _PLAYING,
    ("media_player", Action.TURN_OFF): _PLAYING,
    ("media_player", Action.NEXT): _PLAYING,
    ("media_player", Action.PREVIOUS): _PLAYING,
    ("media_player", Action.MUTE): _PLAYING,
    ("media_player", Action.UNMUTE): _PLAYING,
    ("media_player", Action.INCREASE): _PLAYING,
    ("media_player", Action.DECREASE): _PLAYING,
    ("media_player", Action.SET): _PLAYING,
    ("vacuum", Action.PAUSE): frozenset({"cleaning"}),
    ("vacuum", Action.STOP): frozenset({"cleaning"}),
    ("cover", Action.STOP): frozenset({"opening", "closing"}),
}
"""The states in which an action is for a device, where the action is not for every state:
pausing is for what plays, resuming for what is paused, stopping a cover for one that
moves (as Home Assistant's media intents pick players by state)."""


def in_use_for(action: Action, entity: Entity, state: EntityState | None) -> bool:
    """Whether ``entity``'s state is one ``action`` is for ("pause" and a playing TV); False
    for actions that are for every state."""
    states = _IN_USE.get((entity.domain, action))
    return states is not None and state is not None and state.state in states


_PERCENT_LEVELS = {
    Attribute.BRIGHTNESS: (("light",), C.BRIGHTNESS),
    Attribute.VOLUME: (("media_player",), C.VOLUME),
    Attribute.SPEED: (("fan",), C.SPEED),
    Attribute.POSITION: (("cover", "valve"), C.POSITION),
}
"""Levels set in percent: the domains that have each, and the capability it needs."""


def _plan_set(command: Command, entity: Entity, state: EntityState | None
              ) -> Planned | Refusal | None:
    attribute = resolve_attribute(command, entity)
    value = command.value
    domain, caps = entity.domain, entity.capabilities
    if attribute is None:
        return None
    if value is None:
        # No value yet ("change the colour of the lights"): whether the entity could take
        # one; the resolver asks for the value before anything is called.
        value = Value(text="white") if attribute is Attribute.COLOR else Value(number=50)
    level = _PERCENT_LEVELS.get(attribute)
    if level and domain in level[0] and level[1] in caps and value.number is not None \
            and value.number > 100 and value.unit in (None, "percent"):
        # "set the lights to 150 percent": not quietly 100
        return Refusal(f"the {entity.name} can't go above 100%")
    if attribute is Attribute.BRIGHTNESS and domain == "light" and C.BRIGHTNESS in caps:
        pct = _percent(value, low=1)
        return None if pct is None else Planned(domain, "turn_on", (("brightness_pct", pct),))
    if attribute is Attribute.COLOR and domain == "light" and C.COLOR in caps and value.text:
        color = value.text
        if color == "random":
            # "a different colour": the next colour of the palette after the current one
            current = (state.attributes.get("color_name") if state else None) or ""
            index = PALETTE.index(current) + 1 if current in PALETTE else 0
            color = PALETTE[index % len(PALETTE)]
        return Planned(domain, "turn_on", (("color_name", color),))
    if attribute is Attribute.COLOR_TEMP and domain == "light" and C.COLOR_TEMP in caps:
        kelvin = COLOR_TEMPS.get(value.text or "") or (value.number if value.number else None)
        if kelvin is None:
            return None
        attrs = state.attributes if state else {}
        # As far as the light goes: the response says the kelvin set
        kelvin = min(max(kelvin, float(attrs.get("min_color_temp_kelvin") or kelvin)),
                     float(attrs.get("max_color_temp_kelvin") or kelvin))
        return Planned(domain, "turn_on", (("color_temp_kelvin", int(kelvin)),))
    if attribute is Attribute.POSITION and domain in ("cover", "valve") and C.POSITION in caps:
        pct = _percent(value, low=0)
        if pct is None:
            return None
        service = "set_cover_position" if domain == "cover" else "set_valve_position"
        return Planned(domain, service, (("position", pct),))
    if attribute is Attribute.TEMPERATURE and domain == "climate" and C.TEMPERATURE in caps:
        attrs = state.attributes if state else {}
        if value.extreme is not None:
            bound = attrs.get("max_temp" if value.extreme == "max" else "min_temp")
            if bound is None:
                return None
            return Planned(domain, "set_temperature", (("temperature", _num(bound)),))
        if value.number is None:
            return None
        if value.unit == "percent":
            # "set the heat to high", "... to 50 percent": no temperature
            return Refusal(f"the {entity.name} is set in degrees, not percent")
        number = _in_own_scale(value.number, value.scale, attrs)
        low, high = attrs.get("min_temp"), attrs.get("max_temp")
        if (low is not None and number < float(low)) or (
                high is not None and number > float(high)):
            bounds = (f"{_num(low)} to {_num(high)}" if low is not None and high is not None
                      else f"at least {_num(low)}" if low is not None else f"at most {_num(high)}")
            return Refusal(f"the {entity.name} takes {bounds} degrees")
        return Planned(domain, "set_temperature", (("temperature", _num(number)),))
    if attribute is Attribute.VOLUME and domain == "media_player" and C.VOLUME in caps:
        if value.extreme is not None:
            level = 1.0 if value.extreme == "max" else 0.0
        elif value.number is None:
            return None
        elif value.unit is None and value.number <= 1 and not float(value.number).is_integer():
            level = float(value.number)
        else:
            level = min(max(value.number, 0.0), 100.0) / 100.0
        return Planned(domain, "volume_set", (("volume_level", round(level, 2)),))
    if attribute is Attribute.SPEED and domain == "fan" and C.SPEED in caps:
        pct = _percent(value, low=0)
        return None if pct is None else Planned(domain, "set_percentage", (("percentage", pct),))
    if attribute is Attribute.HVAC_MODE and domain == "climate" and value.text:
        mode = HVAC_MODES.get(value.text, value.text)
        modes = (state.attributes.get("hvac_modes") if state else None) or ()
        if modes and mode not in modes:
            return Refusal(f"the {entity.name} has no {mode.replace('_', ' ')} mode")
        return Planned(domain, "set_hvac_mode", (("hvac_mode", mode),))
    return None


def _plan_step(command: Command, entity: Entity, state: EntityState | None
               ) -> Planned | Refusal | None:
    up = command.action is Action.INCREASE
    sign = 1 if up else -1
    attribute = resolve_attribute(command, entity)
    domain, caps = entity.domain, entity.capabilities
    attrs = state.attributes if state else {}
    step = command.value.number if command.value and command.value.number else None
    share = command.value is not None and command.value.unit == "times"
    usual = LARGE_STEP if command.large else 1  # of the usual step, when none was said
    on = state is not None and state.state != "off"

    def by(level: float) -> float | None:
        """The step said, in points of a 0-100 level: "by half" is half of ``level``."""
        return None if step is None else round(step * level) if share else step

    if not up and state is not None and state.state == "off" and (
            (attribute is Attribute.BRIGHTNESS and domain == "light")
            or (attribute is Attribute.SPEED and domain == "fan")):
        # Dimming a light that is off leaves it off: nothing to do, and nothing to say was
        # done ("dim the lights" dims those that are on).
        return Refusal(f"{_cannot(entity, command)} while off")
    if up and attribute is Attribute.BRIGHTNESS and domain == "light" and C.ON_OFF in caps \
            and step is None and state is not None and state.state == "off":
        # "brighter", "it's too dark" with the light off: on, as it was last lit
        return Planned(domain, "turn_on")
    if attribute is Attribute.BRIGHTNESS and domain == "light" and C.BRIGHTNESS in caps:
        level = float(attrs.get("brightness") or 0) * 100 / 255 if on else 0.0
        amount = int(by(level) or BRIGHTNESS_STEP * usual)
        return Planned(domain, "turn_on", (("brightness_step_pct", sign * amount),))
    if attribute is Attribute.SPEED and domain == "fan" and C.SPEED in caps:
        level = float(attrs.get("percentage") or 0) if on else 0.0
        amount = by(level) or (attrs.get("percentage_step") or FAN_STEP) * usual
        service = "increase_speed" if up else "decrease_speed"
        return Planned(domain, service, (("percentage_step", _num(amount)),))
    if attribute is Attribute.VOLUME and domain == "media_player" and C.VOLUME in caps:
        current = float(attrs.get("volume_level") or 0.0)
        current = current / 100 if current > 1 else current
        level = min(max(current + sign * (by(current * 100) or VOLUME_STEP * usual) / 100.0, 0.0), 1.0)
        return Planned(domain, "volume_set", (("volume_level", round(level, 2)),))
    if attribute is Attribute.TEMPERATURE and domain == "climate" and C.TEMPERATURE in caps:
        current = attrs.get("temperature", attrs.get("current_temperature"))
        if current is None or share:
            return None  # half a temperature is no setting anyone means
        amount = step or (attrs.get("target_temp_step") or TEMPERATURE_STEP) * usual
        if step and command.value is not None:
            amount = _in_own_scale(step, command.value.scale, attrs, difference=True)
        new = float(current) + sign * float(amount)
        low, high = attrs.get("min_temp"), attrs.get("max_temp")
        if low is not None:
            new = max(new, float(low))
        if high is not None:
            new = min(new, float(high))
        return Planned(domain, "set_temperature", (("temperature", _num(new)),))
    if attribute in (Attribute.TEMPERATURE, Attribute.COLOR_TEMP) and domain == "light" \
            and C.COLOR_TEMP in caps:
        # "make the lights warmer": a warmer white, which is fewer kelvin; "turn the colour
        # temperature up": more kelvin, as said
        if not on:
            return Refusal(f"the {entity.name} can't change colour temperature while off")
        if attribute is Attribute.TEMPERATURE:
            sign = -sign
        low = float(attrs.get("min_color_temp_kelvin") or 2000)
        high = float(attrs.get("max_color_temp_kelvin") or 6500)
        current = float(attrs.get("color_temp_kelvin") or (low + high) / 2)
        new = min(max(current + sign * float(step or COLOR_TEMP_STEP * usual), low), high)
        return Planned(domain, "turn_on", (("color_temp_kelvin", int(new)),))
    if attribute is Attribute.POSITION and domain in ("cover", "valve"):
        suffix = "cover" if domain == "cover" else "valve"
        if (step is None and not command.stepwise) or C.POSITION not in caps:
            return Planned(domain, f"{'open' if up else 'close'}_{suffix}")
        current = cover_position(attrs)
        new = min(max(current + sign * (by(current) or POSITION_STEP * usual), 0), 100)
        return Planned(domain, f"set_{suffix}_position", (("position", int(new)),))
    return None


def _percent(value: Value, low: int) -> int | None:
    if value.extreme == "max":
        return 100
    if value.extreme == "min":
        return low
    if value.number is None:
        return None
    return round(min(max(value.number, 0.0), 100.0))


def _num(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def cover_position(attrs: Mapping[str, Any]) -> float:
    """How far a cover or a valve is open, in percent (0 when it does not say)."""
    value = attrs.get("current_position", attrs.get("position"))
    return float(value) if isinstance(value, (int, float)) else 0.0


def _in_own_scale(number: float, scale: str | None, attrs: Mapping[str, Any],
                  difference: bool = False) -> float:
    """A temperature (or a ``difference`` of two) said in one scale in the thermostat's own:
    "21 celsius" to a thermostat in Fahrenheit is 70, "up 2 degrees celsius" is up 4, rounded
    to its step. A thermostat's scale is told by its range (Home Assistant's defaults: 7-35
    in Celsius, 45-95 in Fahrenheit); unknown, nothing changes."""
    top = attrs.get("max_temp")
    if scale is None or top is None:
        return number
    own = "C" if float(top) <= 50 else "F"
    if own == scale:
        return number
    ratio = 9 / 5 if own == "F" else 5 / 9
    converted = number * ratio if difference else (
        number * ratio + 32 if own == "F" else (number - 32) * ratio)
    step = float(attrs.get("target_temp_step") or (1.0 if own == "F" else 0.5))
    return round(converted / step) * step


def _cannot(entity: Entity, command: Command) -> str:
    verb = {
        Action.SET: {
            Attribute.BRIGHTNESS: "be dimmed",
            Attribute.COLOR: "change colour",
            Attribute.COLOR_TEMP: "change colour temperature",
            Attribute.POSITION: "be set to a position",
            Attribute.TEMPERATURE: "be set to a temperature",
            Attribute.VOLUME: "change volume",
            Attribute.SPEED: "change speed",
            Attribute.CHANNEL: "go to a channel by its number; say next or previous channel",
        }.get(command.attribute or resolve_attribute(command, entity) or Attribute.BRIGHTNESS,
              "be set to that"),
        Action.INCREASE: "be turned up",
        Action.DECREASE: "be turned down",
        Action.TURN_ON: "be turned on",
        Action.TURN_OFF: "be turned off",
        Action.OPEN: "be opened",
        Action.CLOSE: "be closed",
        Action.LOCK: "be locked",
        Action.UNLOCK: "be unlocked",
        Action.STOP: "be stopped",
        Action.PLAY: "play",
        Action.PAUSE: "be paused",
        Action.NEXT: "skip tracks",
        Action.PREVIOUS: "go back a track",
        Action.MUTE: "be muted",
        Action.UNMUTE: "be unmuted",
        Action.START: "be started",
        Action.RETURN_HOME: "return to its dock",
        Action.ACTIVATE: "be activated",
        Action.ADD_ITEM: "take list items",
        Action.REMOVE_ITEM: "have items taken off",
        Action.TOGGLE: "be toggled",
    }[command.action]
    if command.attribute is Attribute.BRIGHTNESS and command.action is Action.DECREASE:
        verb = "be dimmed"
    if command.attribute is Attribute.BRIGHTNESS and command.action is Action.INCREASE:
        verb = "be brightened"
    return f"the {entity.name} can't {verb}"


def group_calls(planned: Iterable[tuple[str, Planned]]) -> list[ServiceCall]:
    """Merge entities that get the same service and data into one call, keeping order."""
    groups: dict[tuple[str, str, tuple[tuple[str, Any], ...]], list[str]] = {}
    for entity_id, p in planned:
        groups.setdefault((p.domain, p.service, p.data), []).append(entity_id)
    return [
        ServiceCall(domain, service, tuple(ids), MappingProxyType(dict(data)))
        for (domain, service, data), ids in groups.items()
    ]


# -- state semantics ----------------------------------------------------------------


def apply_call(call: ServiceCall, state: HomeState) -> HomeState:
    """The home state after ``call``, with Home Assistant's semantics; ``state`` is unchanged."""
    new = dict(state)
    for entity_id in call.entity_ids:
        before = new.get(entity_id)
        if before is None:
            continue
        new[entity_id] = _apply_one(call, before)
    return new


def _apply_one(call: ServiceCall, s: EntityState) -> EntityState:
    d, service, data, attrs = call.domain, call.service, call.data, s.attributes
    if d == "light":
        if service == "turn_off" or (service == "toggle" and s.state == "on"):
            return s.with_changes("off", brightness=None)
        brightness = attrs.get("brightness")
        if "brightness" in data:
            brightness = int(data["brightness"])
            if brightness <= 0:
                return s.with_changes("off", brightness=None)
        elif "brightness_pct" in data:
            pct = float(data["brightness_pct"])
            if pct <= 0:
                return s.with_changes("off", brightness=None)
            brightness = round(pct * 255 / 100)
        elif "brightness_step_pct" in data:
            base = float(brightness) if s.state == "on" and brightness else 0.0
            brightness = round(base + float(data["brightness_step_pct"]) * 255 / 100)
            if brightness <= 0:
                return s.with_changes("off", brightness=None)
            brightness = min(brightness, 255)
        elif s.state != "on":
            brightness = brightness or 255
        changes: dict[str, Any] = {"brightness": brightness}
        # A new colour replaces whatever described the old one.
        for key in ("color_name", "hs_color", "rgb_color", "color_temp_kelvin"):
            if key in data:
                changes.update(color_name=None, hs_color=None, rgb_color=None,
                               color_temp_kelvin=None)
                break
        for key in ("color_name", "hs_color", "rgb_color", "color_temp_kelvin"):
            if key in data:
                changes[key] = data[key]
        return s.with_changes("on", **changes)
    if d in ("switch", "input_boolean", "script"):
        if service == "toggle":
            return s.with_changes("off" if s.state == "on" else "on")
        return s.with_changes("on" if service == "turn_on" else "off")
    if d == "fan":
        if service == "turn_off" or (service == "toggle" and s.state == "on"):
            return s.with_changes("off")
        if service == "set_percentage":
            pct = float(data["percentage"])
            return s.with_changes("on" if pct > 0 else "off", percentage=_num(pct))
        if service in ("increase_speed", "decrease_speed"):
            step = float(data.get("percentage_step") or attrs.get("percentage_step") or FAN_STEP)
            current = float(attrs.get("percentage") or 0) if s.state == "on" else 0.0
            pct = current + step if service == "increase_speed" else current - step
            pct = min(max(pct, 0.0), 100.0)
            return s.with_changes("on" if pct > 0 else "off", percentage=_num(round(pct, 2)))
        return s.with_changes("on", percentage=attrs.get("percentage") or 100)
    if d in ("cover", "valve"):
        opened, closed = "open", "closed"
        if service.startswith("open") or (service == "toggle" and s.state == closed):
            return s.with_changes(opened, current_position=100)
        if service.startswith("close") or service == "toggle":
            return s.with_changes(closed, current_position=0)
        if service.startswith("set_"):
            pos = int(data["position"])
            return s.with_changes(opened if pos > 0 else closed, current_position=pos)
        return s
    if d == "lock":
        return s.with_changes("locked" if service == "lock" else "unlocked")
    if d == "climate":
        if service == "set_temperature":
            return s.with_changes(None, temperature=data["temperature"])
        if service == "set_hvac_mode":
            return s.with_changes(str(data["hvac_mode"]))
        if service == "turn_off":
            return s.with_changes("off")
        if service == "turn_on":
            modes = [m for m in attrs.get("hvac_modes") or [] if m != "off"]
            return s.with_changes(modes[0] if modes else "heat") if s.state == "off" else s
        return s
    if d == "media_player":
        if service == "media_play":
            return s.with_changes("playing")
        if service == "media_pause":
            return s.with_changes("paused")
        if service == "media_stop":
            return s.with_changes("idle")
        if service == "volume_set":
            return s.with_changes(None, volume_level=data["volume_level"])
        if service == "volume_mute":
            return s.with_changes(None, is_volume_muted=bool(data["is_volume_muted"]))
        if service == "turn_off" or (service == "toggle" and s.state != "off"):
            return s.with_changes("off")
        if service in ("turn_on", "toggle"):
            return s.with_changes("idle" if s.state == "off" else s.state)
        return s
    if d == "vacuum":
        return s.with_changes({"start": "cleaning", "stop": "idle", "pause": "paused",
                               "return_to_base": "returning"}.get(service, s.state))
    if d == "todo" and service == "add_item":
        items = list(attrs.get("items") or [])
        items.append(data["item"])
        count = int(s.state) + 1 if s.state.isdigit() else len(items)
        return s.with_changes(str(count), items=items)
    if d == "todo" and service == "remove_item":
        items = list(attrs.get("items") or [])
        if data["item"] not in items:
            return s
        items.remove(data["item"])
        count = max(int(s.state) - 1, 0) if s.state.isdigit() else len(items)
        return s.with_changes(str(count), items=items)
    return s


_OFF_IS_OFF = frozenset({"light", "fan", "switch", "input_boolean", "media_player"})
"""Domains whose devices, when off, are as they were whatever their attributes say (an off
light's brightness may be read as 0 or as none)."""


def same_state(entity_id: str, before: EntityState, after: EntityState) -> bool:
    """Whether a call left the entity as it was: the same state, and, but for a device of
    :data:`_OFF_IS_OFF` that is off, the same attributes."""
    if before.state != after.state:
        return False
    if before.state == "off" and entity_id.split(".", 1)[0] in _OFF_IS_OFF:
        return True
    return dict(before.attributes) == dict(after.attributes)


def inverse_calls(call: ServiceCall, before: HomeState) -> list[ServiceCall] | None:
    """Calls that restore, for each entity of ``call``, the state it had in ``before``.

    None when the call cannot be undone (a scene or script ran, a track was skipped).
    """
    planned: list[tuple[str, Planned]] = []
    for entity_id in call.entity_ids:
        s = before.get(entity_id)
        if s is None:
            return None
        restore = _restore(call, entity_id, s)
        if restore is None:
            return None
        planned.extend((entity_id, p) for p in restore)
    return group_calls(planned)


def _restore(call: ServiceCall, entity_id: str, s: EntityState) -> list[Planned] | None:
    d, service, attrs = call.domain, call.service, s.attributes
    if d == "light":
        if s.state != "on":
            return [Planned(d, "turn_off")]
        data: list[tuple[str, Any]] = []
        if attrs.get("brightness"):
            data.append(("brightness", int(attrs["brightness"])))
        if any(k in call.data for k in ("color_name", "hs_color", "rgb_color",
                                        "color_temp_kelvin")):
            # Put back whichever description of the colour the light had.
            for key in ("color_name", "hs_color", "rgb_color", "color_temp_kelvin"):
                if attrs.get(key) is not None:
                    value = attrs[key]
                    data.append((key, tuple(value) if isinstance(value, list) else value))
                    break
        return [Planned(d, "turn_on", tuple(data))]
    if d in ("switch", "input_boolean"):
        return [Planned(d, "turn_on" if s.state == "on" else "turn_off")]
    if d == "fan":
        if s.state != "on":
            return [Planned(d, "turn_off")]
        if attrs.get("percentage") is not None:
            return [Planned(d, "set_percentage", (("percentage", _num(attrs["percentage"])),))]
        return [Planned(d, "turn_on")]
    if d in ("cover", "valve"):
        suffix = "cover" if d == "cover" else "valve"
        position = attrs.get("current_position", attrs.get("position"))
        if isinstance(position, (int, float)) and 0 < position < 100:
            return [Planned(d, f"set_{suffix}_position", (("position", int(position)),))]
        return [Planned(d, f"{'open' if s.state == 'open' else 'close'}_{suffix}")]
    if d == "lock":
        return [Planned(d, "lock" if s.state == "locked" else "unlock")]
    if d == "climate":
        out: list[Planned] = []
        if service == "set_temperature" and attrs.get("temperature") is not None:
            out.append(Planned(d, "set_temperature", (("temperature", attrs["temperature"]),)))
        if service in ("set_hvac_mode", "turn_on", "turn_off"):
            out.append(Planned(d, "set_hvac_mode", (("hvac_mode", s.state),)))
        return out or None
    if d == "media_player":
        if service == "volume_set" and attrs.get("volume_level") is not None:
            return [Planned(d, "volume_set", (("volume_level", attrs["volume_level"]),))]
        if service == "volume_mute":
            muted = bool(attrs.get("is_volume_muted", False))
            return [Planned(d, "volume_mute", (("is_volume_muted", muted),))]
        if service in ("media_play", "media_pause", "media_stop"):
            back = {"playing": "media_play", "paused": "media_pause"}.get(s.state, "media_stop")
            return [Planned(d, back)]
        if service in ("turn_on", "turn_off", "toggle"):
            if s.state == "off":
                return [Planned(d, "turn_off")]
            back = {"playing": "media_play", "paused": "media_pause"}.get(s.state)
            return [Planned(d, "turn_on")] + ([Planned(d, back)] if back else [])
        if service == "media_next_track":
            return [Planned(d, "media_previous_track")]
        if service == "media_previous_track":
            return [Planned(d, "media_next_track")]
        return None
    if d == "vacuum":
        back = {"cleaning": "start", "paused": "pause", "idle": "stop"}.get(s.state,
                                                                              "return_to_base")
        return [Planned(d, back)]
    if d == "todo" and service == "add_item":
        return [Planned(d, "remove_item", (("item", call.data["item"]),))]
    return None
