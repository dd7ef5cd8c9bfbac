"""Service calls: planning from commands, HA's state semantics, inverses and the JSON form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from resolver.actions import (
    Planned,
    Refusal,
    ServiceCall,
    apply_call,
    group_calls,
    inverse_calls,
    plan,
)
from resolver.home import EntityState, Home, HomeState
from resolver.logical_form import Action, Attribute, Command, Target, Value

HOME = """\
areas:
  - {id: living_room, name: Living Room}
entities:
  - id: light.porch
    name: Porch Light
    state: "on"
    attributes: {supported_color_modes: [brightness], brightness: 200}
  - id: light.colour
    name: Colour Lamp
    state: "on"
    attributes: {supported_color_modes: [hs, color_temp], brightness: 153,
                 color_temp_kelvin: 2700}
  - id: light.garage
    name: Garage Light
    attributes: {supported_color_modes: [onoff]}
  - {id: switch.plug, name: Plug, state: "off"}
  - {id: input_boolean.guest_mode, name: Guest Mode, state: "off"}
  - id: fan.ceiling
    name: Ceiling Fan
    state: "on"
    attributes: {percentage: 50, percentage_step: 25, supported_features: 53}
  - id: fan.extractor
    name: Extractor Fan
    attributes: {supported_features: 48}
  - id: cover.blinds
    name: Blinds
    state: "open"
    attributes: {device_class: blind, current_position: 100, supported_features: 15}
  - id: cover.garage_door
    name: Garage Door
    attributes: {device_class: garage, supported_features: 11}
  - id: cover.awning
    name: Awning
    attributes: {supported_features: 3}
  - id: valve.water
    name: Water Valve
    attributes: {current_position: 0, supported_features: 15}
  - {id: lock.front_door, name: Front Door, state: locked, attributes: {supported_features: 0}}
  - id: climate.thermostat
    name: Thermostat
    state: heat
    attributes: {hvac_modes: ["off", heat, cool], temperature: 68, min_temp: 45, max_temp: 95,
                 target_temp_step: 1, supported_features: 385}
  - id: media_player.tv
    name: TV
    state: playing
    attributes: {volume_level: 0.35, is_volume_muted: false, supported_features: 20925}
  - id: media_player.speaker
    name: Speaker
    state: paused
    attributes: {volume_level: 0.4, supported_features: 20541}
  - {id: vacuum.robot, name: Robot, state: docked, attributes: {supported_features: 8220}}
  - {id: scene.movie_time, name: Movie Time}
  - {id: script.morning, name: Morning}
  - {id: todo.shopping, name: Shopping List, state: "3"}
"""


@pytest.fixture(scope="module")
def home() -> Home:
    return Home.from_yaml(HOME, "actions_home.yaml")


def state(value: str, **attributes: Any) -> EntityState:
    return EntityState(value, MappingProxyType(attributes))


def call(name: str, entity_id: str, **data: Any) -> ServiceCall:
    domain, _, service = name.partition(".")
    return ServiceCall(domain, service, (entity_id,), MappingProxyType(data))


def after(service: str, before: EntityState, **data: Any) -> EntityState:
    entity_id = f"{service.partition('.')[0]}.x"
    return apply_call(call(service, entity_id, **data), {entity_id: before})[entity_id]


def planned(home: Home, command: Command, entity_id: str) -> Planned | Refusal:
    return plan(command, home.entities[entity_id], home.initial_state()[entity_id])


def set_to(attribute: Attribute | None = None, **value: Any) -> Command:
    return Command(Action.SET, Target(), Value(**value), attribute)


# -- apply_call: lights -------------------------------------------------------------------


def test_light_brightness_pct_becomes_brightness_0_to_255() -> None:
    result = after("light.turn_on", state("off", brightness=0), brightness_pct=40)
    assert result.state == "on"
    assert result.attributes["brightness"] == 102
    assert after("light.turn_on", state("off"), brightness_pct=100).attributes["brightness"] == 255


def test_light_brightness_pct_zero_turns_it_off() -> None:
    assert after("light.turn_on", state("on", brightness=200), brightness_pct=0).state == "off"


def test_light_brightness_step_pct_adds_to_the_brightness() -> None:
    result = after("light.turn_on", state("on", brightness=102), brightness_step_pct=20)
    assert result.attributes["brightness"] == 153


def test_light_brightness_step_pct_clamps_at_full() -> None:
    result = after("light.turn_on", state("on", brightness=250), brightness_step_pct=20)
    assert (result.state, result.attributes["brightness"]) == ("on", 255)


def test_light_brightness_step_pct_down_to_zero_turns_it_off() -> None:
    assert after("light.turn_on", state("on", brightness=25),
                 brightness_step_pct=-20).state == "off"
    assert after("light.turn_on", state("on", brightness=51),
                 brightness_step_pct=-20).state == "off"


def test_light_brightness_step_pct_on_an_off_light_starts_from_zero() -> None:
    result = after("light.turn_on", state("off", brightness=200), brightness_step_pct=20)
    assert (result.state, result.attributes["brightness"]) == ("on", 51)


def test_light_turn_on_without_data_keeps_or_sets_full_brightness() -> None:
    assert after("light.turn_on", state("off", brightness=0)).attributes["brightness"] == 255
    assert after("light.turn_on", state("on", brightness=80)).attributes["brightness"] == 80


def test_light_color_name_is_stored_and_turns_it_on() -> None:
    result = after("light.turn_on", state("off"), color_name="red")
    assert result.state == "on"
    assert result.attributes["color_name"] == "red"


def test_light_color_temp_kelvin_is_stored() -> None:
    result = after("light.turn_on", state("on", brightness=80), color_temp_kelvin=4000)
    assert result.attributes["color_temp_kelvin"] == 4000
    assert result.attributes["brightness"] == 80


def test_light_turn_off_and_toggle() -> None:
    assert after("light.turn_off", state("on", brightness=80)).state == "off"
    assert after("light.toggle", state("on", brightness=80)).state == "off"
    assert after("light.toggle", state("off")).state == "on"


# -- apply_call: switches, fans, covers, valves, locks ------------------------------------


@pytest.mark.parametrize("domain", ["switch", "input_boolean"])
def test_on_off_domains(domain: str) -> None:
    assert after(f"{domain}.turn_on", state("off")).state == "on"
    assert after(f"{domain}.turn_off", state("on")).state == "off"
    assert after(f"{domain}.toggle", state("off")).state == "on"
    assert after(f"{domain}.toggle", state("on")).state == "off"


def test_fan_set_percentage() -> None:
    result = after("fan.set_percentage", state("off", percentage=0), percentage=60)
    assert (result.state, result.attributes["percentage"]) == ("on", 60)
    assert after("fan.set_percentage", state("on", percentage=60), percentage=0).state == "off"


def test_fan_increase_and_decrease_speed_by_percentage_step() -> None:
    fan = state("on", percentage=50, percentage_step=25)
    assert after("fan.increase_speed", fan, percentage_step=25).attributes["percentage"] == 75
    assert after("fan.decrease_speed", fan, percentage_step=10).attributes["percentage"] == 40
    assert after("fan.decrease_speed", fan).attributes["percentage"] == 25


def test_fan_speed_steps_clamp_and_turn_off_at_zero() -> None:
    fast = state("on", percentage=90)
    assert after("fan.increase_speed", fast, percentage_step=25).attributes["percentage"] == 100
    slow = after("fan.decrease_speed", state("on", percentage=20), percentage_step=25)
    assert (slow.state, slow.attributes["percentage"]) == ("off", 0)


def test_fan_increase_speed_from_off_turns_it_on() -> None:
    result = after("fan.increase_speed", state("off", percentage=0), percentage_step=25)
    assert (result.state, result.attributes["percentage"]) == ("on", 25)


def test_fan_turn_on_and_off() -> None:
    assert after("fan.turn_on", state("off")).state == "on"
    assert after("fan.turn_off", state("on", percentage=50)).state == "off"


@pytest.mark.parametrize("domain", ["cover", "valve"])
def test_cover_and_valve_open_close_and_position(domain: str) -> None:
    closed = state("closed", current_position=0)
    opened = after(f"{domain}.open_{domain}", closed)
    assert (opened.state, opened.attributes["current_position"]) == ("open", 100)
    shut = after(f"{domain}.close_{domain}", opened)
    assert (shut.state, shut.attributes["current_position"]) == ("closed", 0)
    partly = after(f"{domain}.set_{domain}_position", closed, position=40)
    assert (partly.state, partly.attributes["current_position"]) == ("open", 40)
    zero = after(f"{domain}.set_{domain}_position", partly, position=0)
    assert (zero.state, zero.attributes["current_position"]) == ("closed", 0)


def test_cover_stop_leaves_it_as_it_is() -> None:
    blinds = state("open", current_position=40)
    assert after("cover.stop_cover", blinds) == blinds


def test_lock_and_unlock() -> None:
    assert after("lock.unlock", state("locked")).state == "unlocked"
    assert after("lock.lock", state("unlocked")).state == "locked"


# -- apply_call: climate, media players, vacuums, lists -----------------------------------

THERMOSTAT = state("heat", temperature=68, hvac_modes=["off", "heat", "cool"])


def test_climate_set_temperature_keeps_the_mode() -> None:
    result = after("climate.set_temperature", THERMOSTAT, temperature=72)
    assert (result.state, result.attributes["temperature"]) == ("heat", 72)


def test_climate_set_hvac_mode() -> None:
    result = after("climate.set_hvac_mode", THERMOSTAT, hvac_mode="cool")
    assert (result.state, result.attributes["temperature"]) == ("cool", 68)


def test_climate_turn_off_and_on() -> None:
    off = after("climate.turn_off", THERMOSTAT)
    assert off.state == "off"
    assert after("climate.turn_on", off).state == "heat"
    assert after("climate.turn_on", state("off", hvac_modes=["off", "cool"])).state == "cool"
    assert after("climate.turn_on", state("cool", hvac_modes=["heat", "cool"])).state == "cool"


@pytest.mark.parametrize(
    ("service", "expected"),
    [("media_play", "playing"), ("media_pause", "paused"), ("media_stop", "idle"),
     ("turn_off", "off")],
)
def test_media_player_playback_states(service: str, expected: str) -> None:
    assert after(f"media_player.{service}", state("paused", volume_level=0.3)).state == expected


def test_media_player_turn_on_from_off() -> None:
    assert after("media_player.turn_on", state("off")).state not in ("off", "unknown")
    assert after("media_player.turn_on", state("playing")).state == "playing"


def test_media_player_volume_set_and_mute() -> None:
    player = state("playing", volume_level=0.3, is_volume_muted=False)
    volume = after("media_player.volume_set", player, volume_level=0.6)
    assert (volume.state, volume.attributes["volume_level"]) == ("playing", 0.6)
    muted = after("media_player.volume_mute", player, is_volume_muted=True)
    assert muted.attributes["is_volume_muted"] is True
    assert after("media_player.volume_mute", muted,
                 is_volume_muted=False).attributes["is_volume_muted"] is False


@pytest.mark.parametrize(
    ("service", "expected"),
    [("start", "cleaning"), ("stop", "idle"), ("pause", "paused"),
     ("return_to_base", "returning")],
)
def test_vacuum_services(service: str, expected: str) -> None:
    before = state("docked") if service == "start" else state("cleaning")
    assert after(f"vacuum.{service}", before).state == expected


def test_todo_add_item_counts_and_keeps_the_item() -> None:
    result = after("todo.add_item", state("3"), item="milk")
    assert result.state == "4"
    assert "milk" in result.attributes["items"]


def test_apply_call_leaves_its_input_unchanged() -> None:
    before: HomeState = {"light.a": state("off", brightness=0), "switch.b": state("off")}
    snapshot = {k: (v.state, dict(v.attributes)) for k, v in before.items()}
    light_before = before["light.a"]
    new = apply_call(call("light.turn_on", "light.a", brightness_pct=50), before)
    assert new["light.a"].state == "on"
    assert {k: (v.state, dict(v.attributes)) for k, v in before.items()} == snapshot
    assert before["light.a"] is light_before
    assert new is not before


def test_apply_call_acts_on_every_target_and_skips_unknown_ones() -> None:
    before = {"switch.a": state("off"), "switch.b": state("off"), "switch.c": state("off")}
    two = ServiceCall("switch", "turn_on", ("switch.a", "switch.b", "switch.ghost"))
    new = apply_call(two, before)
    assert [new[k].state for k in ("switch.a", "switch.b", "switch.c")] == ["on", "on", "off"]
    assert "switch.ghost" not in new


# -- inverse_calls ------------------------------------------------------------------------


def _undo(before: EntityState, forward: ServiceCall) -> EntityState:
    entity_id = forward.entity_ids[0]
    home_before = {entity_id: before}
    changed = apply_call(forward, home_before)
    inverses = inverse_calls(forward, home_before)
    assert inverses is not None
    for inverse in inverses:
        changed = apply_call(inverse, changed)
    return changed[entity_id]


def _fields(s: EntityState, keys: tuple[str, ...]) -> tuple[Any, ...]:
    return (s.state, *(s.attributes.get(k) for k in keys))


UNDO_CASES = [
    pytest.param(state("off", brightness=0), ("light.turn_on", {}), (), id="light-on"),
    pytest.param(state("on", brightness=255), ("light.turn_off", {}), ("brightness",),
                 id="light-off"),
    pytest.param(state("on", brightness=153), ("light.turn_on", {"brightness_pct": 40}),
                 ("brightness",), id="light-brightness"),
    pytest.param(state("on", brightness=153), ("light.turn_on", {"brightness_step_pct": 20}),
                 ("brightness",), id="light-step-up"),
    pytest.param(state("on", brightness=153), ("light.turn_on", {"brightness_step_pct": -100}),
                 ("brightness",), id="light-step-to-off"),
    pytest.param(state("on", brightness=153, color_name="red"),
                 ("light.turn_on", {"color_name": "blue"}), ("brightness", "color_name"),
                 id="light-colour"),
    pytest.param(state("on", brightness=200), ("light.turn_on", {"brightness_pct": 40}),
                 ("brightness",), id="light-brightness-200"),
    pytest.param(state("on", brightness=90, hs_color=[240, 80]),
                 ("light.turn_on", {"color_name": "red"}), ("color_name",),
                 id="light-colour-from-hs"),
    pytest.param(state("on", brightness=255, color_temp_kelvin=2700),
                 ("light.turn_on", {"color_temp_kelvin": 4000}), ("color_temp_kelvin",),
                 id="light-colour-temp"),
    pytest.param(state("off"), ("switch.turn_on", {}), (), id="switch-on"),
    pytest.param(state("on"), ("switch.toggle", {}), (), id="switch-toggle"),
    pytest.param(state("off"), ("input_boolean.turn_on", {}), (), id="input-boolean-on"),
    pytest.param(state("on", percentage=50), ("fan.set_percentage", {"percentage": 75}),
                 ("percentage",), id="fan-percentage"),
    pytest.param(state("on", percentage=50), ("fan.increase_speed", {"percentage_step": 25}),
                 ("percentage",), id="fan-faster"),
    pytest.param(state("on", percentage=50), ("fan.decrease_speed", {"percentage_step": 50}),
                 ("percentage",), id="fan-slower-to-off"),
    pytest.param(state("off", percentage=0), ("fan.turn_on", {}), (), id="fan-on"),
    pytest.param(state("on", percentage=50), ("fan.turn_off", {}), ("percentage",),
                 id="fan-off"),
    pytest.param(state("open", current_position=100), ("cover.close_cover", {}),
                 ("current_position",), id="cover-close"),
    pytest.param(state("open", current_position=30), ("cover.close_cover", {}),
                 ("current_position",), id="cover-close-from-partly"),
    pytest.param(state("closed", current_position=0), ("cover.set_cover_position",
                                                       {"position": 60}),
                 ("current_position",), id="cover-position"),
    pytest.param(state("closed", current_position=0), ("valve.open_valve", {}),
                 ("current_position",), id="valve-open"),
    pytest.param(state("open", current_position=100), ("valve.set_valve_position",
                                                       {"position": 25}),
                 ("current_position",), id="valve-position"),
    pytest.param(state("locked"), ("lock.unlock", {}), (), id="lock-unlock"),
    pytest.param(state("unlocked"), ("lock.lock", {}), (), id="lock-lock"),
    pytest.param(THERMOSTAT, ("climate.set_temperature", {"temperature": 72}),
                 ("temperature",), id="climate-temperature"),
    pytest.param(THERMOSTAT, ("climate.set_hvac_mode", {"hvac_mode": "cool"}),
                 ("temperature",), id="climate-mode"),
    pytest.param(THERMOSTAT, ("climate.turn_off", {}), ("temperature",), id="climate-off"),
    pytest.param(state("off", hvac_modes=["off", "heat"]), ("climate.turn_on", {}), (),
                 id="climate-on"),
    pytest.param(state("playing"), ("media_player.media_pause", {}), (), id="media-pause"),
    pytest.param(state("paused"), ("media_player.media_play", {}), (), id="media-play"),
    pytest.param(state("playing"), ("media_player.media_stop", {}), (), id="media-stop"),
    pytest.param(state("playing", volume_level=0.35),
                 ("media_player.volume_set", {"volume_level": 0.8}), ("volume_level",),
                 id="media-volume"),
    pytest.param(state("playing", is_volume_muted=False),
                 ("media_player.volume_mute", {"is_volume_muted": True}),
                 ("is_volume_muted",), id="media-mute"),
    pytest.param(state("off"), ("media_player.turn_on", {}), (), id="media-on"),
    pytest.param(state("idle"), ("media_player.turn_off", {}), (), id="media-off"),
    pytest.param(state("cleaning"), ("vacuum.stop", {}), (), id="vacuum-stop"),
    pytest.param(state("cleaning"), ("vacuum.pause", {}), (), id="vacuum-pause"),
    pytest.param(state("idle"), ("vacuum.start", {}), (), id="vacuum-start"),
    pytest.param(state("3", items=[]), ("todo.add_item", {"item": "milk"}), ("items",),
                 id="todo-add"),
]


@pytest.mark.parametrize(("before", "forward", "keys"), UNDO_CASES)
def test_inverse_calls_restore_the_previous_state(
    before: EntityState, forward: tuple[str, Mapping[str, Any]], keys: tuple[str, ...]
) -> None:
    service, data = forward
    domain = service.partition(".")[0]
    forward_call = call(service, f"{domain}.x", **data)
    changed = apply_call(forward_call, {f"{domain}.x": before})[f"{domain}.x"]
    assert _fields(changed, keys) != _fields(before, keys)
    assert _fields(_undo(before, forward_call), keys) == _fields(before, keys)


def test_inverse_of_starting_a_docked_vacuum_sends_it_back() -> None:
    forward = call("vacuum.start", "vacuum.x")
    inverses = inverse_calls(forward, {"vacuum.x": state("docked")})
    assert inverses is not None
    assert [c.name for c in inverses] == ["vacuum.return_to_base"]


def test_inverse_of_a_track_skip_goes_back_a_track() -> None:
    forward = call("media_player.media_next_track", "media_player.x")
    inverses = inverse_calls(forward, {"media_player.x": state("playing")})
    assert inverses is not None
    assert [c.name for c in inverses] == ["media_player.media_previous_track"]


@pytest.mark.parametrize("name", ["scene.turn_on", "script.turn_on"])
def test_scenes_and_scripts_cannot_be_undone(name: str) -> None:
    domain = name.partition(".")[0]
    assert inverse_calls(call(name, f"{domain}.x"), {f"{domain}.x": state("off")}) is None


def test_no_inverse_for_an_entity_missing_from_the_state() -> None:
    assert inverse_calls(call("light.turn_on", "light.ghost"), {}) is None


def test_inverse_calls_group_entities_that_share_a_restore() -> None:
    before = {"light.a": state("off"), "light.b": state("off"),
              "light.c": state("on", brightness=255)}
    forward = ServiceCall("light", "turn_off", ("light.a", "light.b", "light.c"))
    inverses = inverse_calls(forward, before)
    assert inverses is not None
    by_name = {(c.name, tuple(sorted(c.data.items()))): c.entity_ids for c in inverses}
    assert by_name == {("light.turn_off", ()): ("light.a", "light.b"),
                       ("light.turn_on", (("brightness", 255),)): ("light.c",)}


# -- plan ---------------------------------------------------------------------------------


def _is(result: Planned | Refusal, service: str, **data: Any) -> bool:
    return (isinstance(result, Planned) and f"{result.domain}.{result.service}" == service
            and dict(result.data) == data)


@pytest.mark.parametrize(
    ("action", "entity_id", "service"),
    [(Action.TURN_ON, "light.porch", "light.turn_on"),
     (Action.TURN_OFF, "light.garage", "light.turn_off"),
     (Action.TURN_ON, "switch.plug", "switch.turn_on"),
     (Action.TURN_OFF, "input_boolean.guest_mode", "input_boolean.turn_off"),
     (Action.TOGGLE, "switch.plug", "switch.toggle"),
     (Action.TURN_ON, "fan.extractor", "fan.turn_on"),
     (Action.TURN_ON, "cover.blinds", "cover.open_cover"),
     (Action.OPEN, "cover.garage_door", "cover.open_cover"),
     (Action.CLOSE, "cover.blinds", "cover.close_cover"),
     (Action.STOP, "cover.blinds", "cover.stop_cover"),
     (Action.OPEN, "valve.water", "valve.open_valve"),
     (Action.TURN_OFF, "valve.water", "valve.close_valve"),
     (Action.LOCK, "lock.front_door", "lock.lock"),
     (Action.UNLOCK, "lock.front_door", "lock.unlock"),
     (Action.TURN_ON, "climate.thermostat", "climate.turn_on"),
     (Action.TURN_OFF, "climate.thermostat", "climate.turn_off"),
     (Action.TURN_OFF, "media_player.tv", "media_player.turn_off"),
     (Action.PLAY, "media_player.speaker", "media_player.media_play"),
     (Action.PAUSE, "media_player.tv", "media_player.media_pause"),
     (Action.STOP, "media_player.tv", "media_player.media_stop"),
     (Action.NEXT, "media_player.tv", "media_player.media_next_track"),
     (Action.PREVIOUS, "media_player.tv", "media_player.media_previous_track"),
     (Action.START, "vacuum.robot", "vacuum.start"),
     (Action.STOP, "vacuum.robot", "vacuum.stop"),
     (Action.PAUSE, "vacuum.robot", "vacuum.pause"),
     (Action.RETURN_HOME, "vacuum.robot", "vacuum.return_to_base"),
     (Action.ACTIVATE, "scene.movie_time", "scene.turn_on"),
     (Action.TURN_ON, "script.morning", "script.turn_on")],
)
def test_plan_gives_the_service_without_data(home: Home, action: Action, entity_id: str,
                                             service: str) -> None:
    assert _is(planned(home, Command(action), entity_id), service)


@pytest.mark.parametrize(
    ("command", "entity_id", "service", "data"),
    [(set_to(Attribute.BRIGHTNESS, number=40, unit="percent"), "light.porch",
      "light.turn_on", {"brightness_pct": 40}),
     (set_to(number=40, unit="percent"), "light.porch", "light.turn_on",
      {"brightness_pct": 40}),
     (set_to(Attribute.BRIGHTNESS, extreme="max"), "light.porch", "light.turn_on",
      {"brightness_pct": 100}),
     (set_to(Attribute.COLOR, text="red"), "light.colour", "light.turn_on",
      {"color_name": "red"}),
     (set_to(Attribute.COLOR_TEMP, text="warm"), "light.colour", "light.turn_on",
      {"color_temp_kelvin": 2700}),
     (set_to(Attribute.POSITION, number=30, unit="percent"), "cover.blinds",
      "cover.set_cover_position", {"position": 30}),
     (set_to(Attribute.POSITION, number=30), "valve.water", "valve.set_valve_position",
      {"position": 30}),
     (set_to(number=72, unit="degrees"), "climate.thermostat", "climate.set_temperature",
      {"temperature": 72}),
     (set_to(Attribute.TEMPERATURE, extreme="max"), "climate.thermostat",
      "climate.set_temperature", {"temperature": 95}),
     (set_to(Attribute.HVAC_MODE, text="cool"), "climate.thermostat", "climate.set_hvac_mode",
      {"hvac_mode": "cool"}),
     (set_to(Attribute.VOLUME, number=30, unit="percent"), "media_player.tv",
      "media_player.volume_set", {"volume_level": 0.3}),
     (set_to(Attribute.SPEED, number=50, unit="percent"), "fan.ceiling", "fan.set_percentage",
      {"percentage": 50}),
     (Command(Action.INCREASE, attribute=Attribute.BRIGHTNESS), "light.porch", "light.turn_on",
      {"brightness_step_pct": 20}),
     (Command(Action.DECREASE, value=Value(number=10, unit="percent"),
              attribute=Attribute.BRIGHTNESS), "light.porch", "light.turn_on",
      {"brightness_step_pct": -10}),
     (Command(Action.INCREASE), "fan.ceiling", "fan.increase_speed", {"percentage_step": 25}),
     (Command(Action.DECREASE), "fan.ceiling", "fan.decrease_speed", {"percentage_step": 25}),
     (Command(Action.INCREASE, attribute=Attribute.TEMPERATURE), "climate.thermostat",
      "climate.set_temperature", {"temperature": 69}),
     (Command(Action.DECREASE, value=Value(number=40), attribute=Attribute.TEMPERATURE),
      "climate.thermostat", "climate.set_temperature", {"temperature": 45}),
     (Command(Action.INCREASE, attribute=Attribute.VOLUME), "media_player.tv",
      "media_player.volume_set", {"volume_level": 0.45}),
     (Command(Action.MUTE), "media_player.tv", "media_player.volume_mute",
      {"is_volume_muted": True}),
     (Command(Action.UNMUTE), "media_player.tv", "media_player.volume_mute",
      {"is_volume_muted": False}),
     (Command(Action.ADD_ITEM, value=Value(text="milk")), "todo.shopping", "todo.add_item",
      {"item": "milk"})],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_plan_gives_the_service_and_data(home: Home, command: Command, entity_id: str,
                                         service: str, data: dict[str, Any]) -> None:
    result = planned(home, command, entity_id)
    assert _is(result, service, **data), result


def test_plan_a_relative_temperature_is_computed_from_the_state(home: Home) -> None:
    warmer = Command(Action.INCREASE, attribute=Attribute.TEMPERATURE)
    entity = home.entities["climate.thermostat"]
    result = plan(warmer, entity, state("heat", temperature=70, target_temp_step=0.5))
    assert _is(result, "climate.set_temperature", temperature=70.5)


@pytest.mark.parametrize(
    ("command", "entity_id", "words"),
    [(Command(Action.DECREASE, attribute=Attribute.BRIGHTNESS), "lock.front_door",
      "Front Door can't be dimmed"),
     (set_to(Attribute.COLOR, text="red"), "light.porch", "Porch Light can't change colour"),
     (set_to(Attribute.BRIGHTNESS, number=50, unit="percent"), "switch.plug",
      "Plug can't be dimmed"),
     (set_to(Attribute.BRIGHTNESS, number=50, unit="percent"), "light.garage",
      "Garage Light can't be dimmed"),
     (set_to(Attribute.COLOR_TEMP, text="warm"), "light.porch",
      "Porch Light can't change colour temperature"),
     (set_to(Attribute.POSITION, number=50), "cover.garage_door",
      "Garage Door can't be set to a position"),
     (set_to(Attribute.SPEED, number=50), "fan.extractor", "Extractor Fan can't change speed"),
     (Command(Action.TURN_ON), "media_player.speaker", "Speaker can't be turned on"),
     (Command(Action.TURN_OFF), "scene.movie_time", "Movie Time can't be turned off"),
     (Command(Action.STOP), "cover.awning", "Awning can't be stopped"),
     (Command(Action.LOCK), "switch.plug", "Plug can't be locked"),
     (Command(Action.ADD_ITEM), "todo.shopping", "Shopping List can't take list items"),
     # Not quietly 100%: a level above it may be a number misheard.
     (set_to(Attribute.BRIGHTNESS, number=150, unit="percent"), "light.porch",
      "Porch Light can't go above 100%")],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_plan_refuses_what_an_entity_cannot_do(home: Home, command: Command, entity_id: str,
                                               words: str) -> None:
    result = planned(home, command, entity_id)
    assert isinstance(result, Refusal), result
    assert words in result.reason


def test_group_calls_merges_same_service_and_data_in_order() -> None:
    calls = group_calls([
        ("light.a", Planned("light", "turn_on", (("brightness_pct", 40),))),
        ("switch.b", Planned("switch", "turn_on")),
        ("light.c", Planned("light", "turn_on", (("brightness_pct", 40),))),
        ("light.d", Planned("light", "turn_on", (("brightness_pct", 60),))),
    ])
    assert [(c.name, c.entity_ids, dict(c.data)) for c in calls] == [
        ("light.turn_on", ("light.a", "light.c"), {"brightness_pct": 40}),
        ("switch.turn_on", ("switch.b",), {}),
        ("light.turn_on", ("light.d",), {"brightness_pct": 60}),
    ]


# -- the JSON form ------------------------------------------------------------------------


def test_service_call_to_dict_is_the_contract_shape() -> None:
    kitchen = ServiceCall("light", "turn_on", ("light.kitchen_light",),
                          MappingProxyType({"brightness_pct": 40}))
    assert kitchen.to_dict() == {
        "service": "light.turn_on",
        "target": {"entity_id": ["light.kitchen_light"]},
        "data": {"brightness_pct": 40},
    }
    assert json.loads(json.dumps(kitchen.to_dict())) == kitchen.to_dict()
    assert kitchen.name == "light.turn_on"


def test_service_call_without_data_has_an_empty_data_object() -> None:
    assert ServiceCall("lock", "lock", ("lock.a", "lock.b")).to_dict() == {
        "service": "lock.lock", "target": {"entity_id": ["lock.a", "lock.b"]}, "data": {}}


@pytest.mark.parametrize(
    "original",
    [ServiceCall("light", "turn_on", ("light.a",), MappingProxyType({"color_name": "red"})),
     ServiceCall("media_player", "volume_set", ("media_player.a", "media_player.b"),
                 MappingProxyType({"volume_level": 0.3})),
     ServiceCall("scene", "turn_on", ("scene.movie_time",))],
    ids=["light", "two-players", "no-data"],
)
def test_service_call_round_trips_through_from_dict(original: ServiceCall) -> None:
    again = ServiceCall.from_dict(json.loads(json.dumps(original.to_dict())))
    assert again == original
    assert again.to_dict() == original.to_dict()


def test_service_call_from_dict_accepts_a_single_entity_id_and_no_data() -> None:
    parsed = ServiceCall.from_dict({"service": "switch.turn_off",
                                    "target": {"entity_id": "switch.a"}})
    assert (parsed.domain, parsed.service, parsed.entity_ids) == ("switch", "turn_off",
                                                                  ("switch.a",))
    assert dict(parsed.data) == {}
