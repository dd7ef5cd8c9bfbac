"""The home file: loading, the graph, states, capabilities and broken files."""

from __future__ import annotations

import re
from itertools import takewhile
from pathlib import Path

import pytest

from resolver.home import Capability, EntityState, Home, HomeFileError, capabilities_of

C = Capability

SMALL_HOME = """\
floors:
  - {id: ground, name: Ground Floor, aliases: [downstairs]}
areas:
  - {id: kitchen, name: Kitchen, floor: ground}
  - {id: porch, name: Porch}
devices:
  - {id: kitchen_speaker, name: Kitchen Speaker, area: kitchen}
  - {id: loose_plug, name: Loose Plug}
entities:
  - id: media_player.kitchen_speaker
    name: Kitchen Speaker
    device: kitchen_speaker
  - id: light.kitchen_light
    name: Kitchen Light
    area: kitchen
  - id: light.porch_light
    name: Porch Light
    area: porch
  - id: switch.loose_plug
    name: Loose Plug
    device: loose_plug
    area: porch
  - id: scene.good_night
    name: Good Night
"""


@pytest.fixture(scope="module")
def small_home() -> Home:
    return Home.from_yaml(SMALL_HOME, "small.yaml")


@pytest.fixture(scope="module")
def demo_home(demo_home_path: Path) -> Home:
    return Home.from_files(demo_home_path)


@pytest.fixture(scope="module")
def ha_home(ha_fixture_path: Path) -> Home:
    return Home.from_files(ha_fixture_path)


def load(text: str) -> Home:
    return Home.from_yaml(text, "home.yaml")


def load_error(text: str, path: str = "broken.yaml") -> HomeFileError:
    with pytest.raises(HomeFileError) as info:
        Home.from_yaml(text, path)
    return info.value


# -- loading the real files ---------------------------------------------------------------


def test_demo_home_loads_with_floors_areas_devices_and_entities(demo_home: Home) -> None:
    assert {"ground", "first"} <= set(demo_home.floors)
    assert demo_home.areas["kitchen"].floor == "ground"
    assert demo_home.areas["porch"].floor is None
    assert "thermostat" in demo_home.devices
    assert demo_home.entities["light.kitchen_light"].domain == "light"
    assert demo_home.path.endswith("home.yaml")


def test_demo_home_entity_inherits_its_device_area(demo_home: Home) -> None:
    assert demo_home.entities["lock.front_door"].device == "front_door_lock"
    assert demo_home.devices["front_door_lock"].area == "hallway"
    assert demo_home.area_of("lock.front_door") == "hallway"
    assert demo_home.floor_of("lock.front_door") == "ground"


def test_ha_fixture_home_loads(ha_home: Home) -> None:
    assert len(ha_home.floors) == 5
    assert len(ha_home.areas) == 8
    assert ha_home.entities["light.bedroom_lamp"].area == "bedroom_id"
    assert ha_home.floor_of("light.bedroom_lamp") == "second_floor_id"
    assert ha_home.entities["sensor.outside_temperature"].domain == "sensor"
    assert not ha_home.entities["sensor.outside_temperature"].actionable
    assert ha_home.entities["light.bedroom_lamp"].actionable


def test_committed_ha_fixture_is_the_shared_original(shared_ha_fixture_path: Path) -> None:
    committed = Path(__file__).parent / "data" / "ha_fixtures.yaml"
    assert committed.is_file(), f"{committed} is missing"
    lines = committed.read_text(encoding="utf-8").splitlines(keepends=True)
    header = list(takewhile(lambda line: line.startswith("#"), lines))
    assert any("aa550032a57b" in line for line in header)
    assert any("CC BY 4.0" in line for line in header)
    body = "".join(lines[len(header):])
    assert body == shared_ha_fixture_path.read_text(encoding="utf-8")


def test_ha_fixture_in_out_state_gives_the_out_state(ha_home: Home) -> None:
    states = ha_home.initial_state()
    assert states["binary_sensor.phone_battery"].state == "off"
    assert states["binary_sensor.phone_battery_charging"].state == "on"
    assert states["binary_sensor.kitchen_occupancy"].state == "on"


def test_ha_fixture_numeric_string_attributes_become_numbers(ha_home: Home) -> None:
    states = ha_home.initial_state()
    assert states["cover.bedroom"].attributes["position"] == 0
    assert states["valve.main_valve"].attributes["position"] == 100
    assert states["media_player.tv"].attributes["volume_level"] == 50
    assert states["weather.london"].attributes["temperature"] == 47
    assert states["weather.london"].attributes["temperature_unit"] == "°F"


def test_ha_fixture_template_name_expands(ha_home: Home) -> None:
    entity = ha_home.entities["todo.trader_joes"]
    assert entity.name == "Trader Joe[']s"
    assert "trader joes" in entity.spoken_names
    assert not any("[" in name or "]" in name for name in entity.spoken_names)


# -- the graph ----------------------------------------------------------------------------


def test_graph_edges_run_home_floor_area_device_entity(small_home: Home) -> None:
    graph = small_home.graph
    assert graph.has_edge("home", "floor:ground")
    assert graph.has_edge("floor:ground", "area:kitchen")
    assert graph.has_edge("area:kitchen", "device:kitchen_speaker")
    assert graph.has_edge("device:kitchen_speaker", "media_player.kitchen_speaker")
    assert not graph.has_edge("area:kitchen", "media_player.kitchen_speaker")


def test_graph_entity_without_device_hangs_off_its_area(small_home: Home) -> None:
    assert small_home.graph.has_edge("area:kitchen", "light.kitchen_light")
    assert list(small_home.graph.predecessors("light.kitchen_light")) == ["area:kitchen"]


def test_graph_area_without_floor_and_entity_without_area_hang_off_home(small_home: Home) -> None:
    assert list(small_home.graph.predecessors("area:porch")) == ["home"]
    assert list(small_home.graph.predecessors("scene.good_night")) == ["home"]
    assert small_home.area_of("scene.good_night") is None


def test_graph_nodes_carry_their_kind(small_home: Home) -> None:
    kinds = {node: data["kind"] for node, data in small_home.graph.nodes(data=True)}
    assert kinds["home"] == "home"
    assert kinds["floor:ground"] == "floor"
    assert kinds["area:kitchen"] == "area"
    assert kinds["device:kitchen_speaker"] == "device"
    assert kinds["light.kitchen_light"] == "entity"


def test_entity_inherits_its_device_area(small_home: Home) -> None:
    assert small_home.entities["media_player.kitchen_speaker"].area == "kitchen"
    assert small_home.floor_of("media_player.kitchen_speaker") == "ground"
    assert "media_player.kitchen_speaker" in small_home.entities_in_area("kitchen")


def test_entity_area_overrides_an_arealess_device(small_home: Home) -> None:
    assert small_home.entities["switch.loose_plug"].area == "porch"
    assert small_home.graph.has_edge("device:loose_plug", "switch.loose_plug")
    assert small_home.graph.has_edge("area:porch", "switch.loose_plug")


def test_demo_graph_reaches_an_entity_through_floor_area_and_device(demo_home: Home) -> None:
    import networkx as nx

    path = nx.shortest_path(demo_home.graph, "home", "climate.thermostat")
    assert path == ["home", "floor:ground", "area:hallway", "device:thermostat",
                    "climate.thermostat"]


def test_areas_on_floor_and_find_area_by_alias(demo_home: Home) -> None:
    assert set(demo_home.areas_on_floor("first")) == {"bedroom", "guest_room", "bathroom"}
    found = demo_home.find_area("Master Bedroom")
    assert found is not None and found.id == "bedroom"
    assert demo_home.find_area("the moon") is None


# -- names, states and attributes ---------------------------------------------------------


def test_template_names_expand_into_every_variant() -> None:
    home = load("""
entities:
  - {id: todo.trader_joes, name: "Trader Joe[']s"}
  - {id: media_player.tv, name: "Living Room (TV|Telly)", aliases: ["[big ]box"]}
""")
    assert "trader joes" in home.entities["todo.trader_joes"].spoken_names
    assert set(home.entities["media_player.tv"].spoken_names) == {
        "living room tv", "living room telly", "big box", "box"}


def test_state_in_out_mapping_gives_the_out_state() -> None:
    home = load("""
entities:
  - id: binary_sensor.pet_door
    state: {in: closed, out: "off"}
""")
    assert home.initial_state()["binary_sensor.pet_door"].state == "off"


@pytest.mark.parametrize(
    ("entity_id", "expected"),
    [("light.a", "off"), ("cover.a", "closed"), ("lock.a", "locked"), ("vacuum.a", "docked"),
     ("sensor.a", "unknown")],
)
def test_missing_state_gets_the_domain_default(entity_id: str, expected: str) -> None:
    home = load(f"entities:\n  - id: {entity_id}\n")
    assert home.initial_state()[entity_id].state == expected


def test_yaml_boolean_state_becomes_on_or_off() -> None:
    home = load("entities:\n  - {id: switch.a, state: on}\n  - {id: switch.b, state: off}\n")
    states = home.initial_state()
    assert (states["switch.a"].state, states["switch.b"].state) == ("on", "off")


def test_numeric_string_attributes_become_numbers_and_others_stay() -> None:
    home = load("""
entities:
  - id: cover.a
    attributes: {current_position: "40", supported_features: "15"}
  - id: media_player.a
    attributes: {volume_level: "0.5", source: "42", media_title: "1984"}
""")
    cover = home.initial_state()["cover.a"].attributes
    player = home.initial_state()["media_player.a"].attributes
    assert cover["current_position"] == 40 and isinstance(cover["current_position"], int)
    assert player["volume_level"] == 0.5
    assert player["media_title"] == "1984"
    assert player["source"] == "42"


def test_name_defaults_to_the_object_id() -> None:
    home = load("entities:\n  - id: light.reading_nook\n")
    assert home.entities["light.reading_nook"].name == "reading nook"
    assert "reading nook" in home.entities["light.reading_nook"].spoken_names


def test_initial_state_is_a_fresh_copy_each_time(small_home: Home) -> None:
    first = small_home.initial_state()
    first["light.kitchen_light"] = EntityState("on", {"brightness": 255})
    assert small_home.initial_state()["light.kitchen_light"].state == "off"


def test_entity_state_with_changes_merges_and_leaves_the_original() -> None:
    before = EntityState("off", {"brightness": 0, "color_mode": "brightness"})
    after = before.with_changes("on", brightness=128)
    assert after.state == "on"
    assert dict(after.attributes) == {"brightness": 128, "color_mode": "brightness"}
    assert before.state == "off" and before.attributes["brightness"] == 0
    assert before.with_changes(None, brightness=5).state == "off"


def test_unknown_keys_are_ignored() -> None:
    home = load("""
language: en
timers: [{name: pizza}]
floors:
  - {id: ground, name: Ground, colour: blue}
areas:
  - {id: kitchen, name: Kitchen, floor: ground, icon: "mdi:stove"}
entities:
  - {id: light.a, name: A, area: kitchen, icon: "mdi:lamp", unique_id: 1234}
""")
    assert list(home.entities) == ["light.a"]
    assert home.entities["light.a"].area == "kitchen"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "entities: []\n", "areas:\n"])
def test_an_empty_file_loads_as_an_empty_home(text: str) -> None:
    home = load(text)
    assert home.entities == {} and home.areas == {} and home.floors == {}
    assert home.initial_state() == {}
    assert list(home.graph.nodes) == ["home"]


def test_entities_key_left_empty_loads_as_an_empty_home() -> None:
    assert load("floors:\nareas:\nentities:\n").entities == {}


# -- capabilities -------------------------------------------------------------------------


def test_light_onoff_only_has_no_brightness() -> None:
    caps = capabilities_of("light", {"supported_color_modes": ["onoff"]})
    assert caps == {C.ON_OFF}


def test_light_brightness_mode_dims_but_has_no_colour() -> None:
    caps = capabilities_of("light", {"supported_color_modes": ["brightness"]})
    assert C.BRIGHTNESS in caps
    assert C.COLOR not in caps and C.COLOR_TEMP not in caps


@pytest.mark.parametrize("mode", ["hs", "rgb", "rgbw", "rgbww", "xy"])
def test_light_colour_modes_give_colour_and_brightness(mode: str) -> None:
    caps = capabilities_of("light", {"supported_color_modes": [mode]})
    assert {C.ON_OFF, C.BRIGHTNESS, C.COLOR} <= caps
    assert C.COLOR_TEMP not in caps


def test_light_color_temp_mode_gives_colour_temperature_not_colour() -> None:
    caps = capabilities_of("light", {"supported_color_modes": ["color_temp"]})
    assert {C.BRIGHTNESS, C.COLOR_TEMP} <= caps
    assert C.COLOR not in caps


def test_light_without_color_modes_can_do_everything() -> None:
    assert {C.ON_OFF, C.BRIGHTNESS, C.COLOR, C.COLOR_TEMP} <= capabilities_of("light", {})


def test_cover_features_bitmask() -> None:
    assert capabilities_of("cover", {"supported_features": 15}) >= {
        C.OPEN_CLOSE, C.POSITION, C.STOP}
    garage = capabilities_of("cover", {"supported_features": 11})
    assert C.OPEN_CLOSE in garage and C.STOP in garage and C.POSITION not in garage
    assert capabilities_of("cover", {"supported_features": 3}) == {C.OPEN_CLOSE}
    assert C.OPEN_CLOSE not in capabilities_of("cover", {"supported_features": 4})


def test_media_player_features_bitmask() -> None:
    speaker = capabilities_of("media_player", {"supported_features": 20541})
    assert {C.PLAY_PAUSE, C.VOLUME, C.MUTE, C.NEXT_PREVIOUS, C.STOP} <= speaker
    assert C.ON_OFF not in speaker
    tv = capabilities_of("media_player", {"supported_features": 20541 | 128 | 256})
    assert C.ON_OFF in tv
    only_volume = capabilities_of("media_player", {"supported_features": 4})
    assert C.VOLUME in only_volume
    assert not only_volume & {C.MUTE, C.PLAY_PAUSE, C.NEXT_PREVIOUS, C.STOP, C.ON_OFF}


def test_vacuum_features_bitmask() -> None:
    full = capabilities_of("vacuum", {"supported_features": 8220})
    assert {C.START, C.RETURN_HOME, C.STOP, C.PLAY_PAUSE} <= full
    dock_only = capabilities_of("vacuum", {"supported_features": 16})
    assert C.RETURN_HOME in dock_only
    assert not dock_only & {C.START, C.STOP, C.PLAY_PAUSE}


def test_fan_features_bitmask() -> None:
    assert C.SPEED in capabilities_of("fan", {"supported_features": 53})
    single_speed = capabilities_of("fan", {"supported_features": 48})
    assert C.ON_OFF in single_speed and C.SPEED not in single_speed


def test_climate_target_temperature_bit() -> None:
    assert C.TEMPERATURE in capabilities_of("climate", {"supported_features": 385})
    assert C.TEMPERATURE not in capabilities_of("climate", {"supported_features": 384})


@pytest.mark.parametrize(
    ("domain", "expected"),
    [("cover", {C.OPEN_CLOSE, C.POSITION, C.STOP}),
     ("valve", {C.OPEN_CLOSE, C.POSITION, C.STOP}),
     ("fan", {C.ON_OFF, C.SPEED}),
     ("climate", {C.ON_OFF, C.TEMPERATURE, C.HVAC_MODE}),
     ("media_player", {C.ON_OFF, C.PLAY_PAUSE, C.VOLUME, C.MUTE, C.NEXT_PREVIOUS, C.STOP}),
     ("vacuum", {C.START, C.RETURN_HOME, C.STOP, C.PLAY_PAUSE})],
)
def test_missing_supported_features_means_all_features(domain: str, expected: set) -> None:
    assert capabilities_of(domain, {}) == expected


def test_supported_features_as_a_string_is_read_as_a_number() -> None:
    home = load("entities:\n  - {id: cover.a, attributes: {supported_features: '3'}}\n")
    assert home.entities["cover.a"].capabilities == {C.OPEN_CLOSE}


def test_only_sensors_and_unknown_domains_are_read_only() -> None:
    assert capabilities_of("sensor", {}) == {C.READ}
    assert capabilities_of("binary_sensor", {}) == {C.READ}
    assert capabilities_of("weather", {}) == {C.READ}
    assert C.READ not in capabilities_of("light", {})
    assert capabilities_of("lock", {"supported_features": 0}) == {C.LOCK}
    assert capabilities_of("scene", {}) == {C.ACTIVATE}
    assert capabilities_of("todo", {}) == {C.ADD_ITEM}


def test_demo_capabilities_follow_its_attributes(demo_home: Home) -> None:
    entities = demo_home.entities
    assert C.BRIGHTNESS not in entities["light.garage_light"].capabilities
    assert C.COLOR not in entities["light.porch_light"].capabilities
    assert C.BRIGHTNESS in entities["light.porch_light"].capabilities
    assert C.COLOR in entities["light.tv_backlight"].capabilities
    assert C.POSITION not in entities["cover.garage_door"].capabilities
    assert C.SPEED not in entities["fan.bathroom_fan"].capabilities
    assert C.ON_OFF in entities["media_player.living_room_tv"].capabilities
    assert C.ON_OFF not in entities["media_player.kitchen_speaker"].capabilities


# -- broken files -------------------------------------------------------------------------

BROKEN = {
    "bad YAML": (
        "entities:\n  - id: light.a\n   name: x\n", 3, "invalid YAML"),
    "tab in YAML": (
        "entities:\n\t- id: light.a\n", 2, "invalid YAML"),
    "entity without id": (
        "entities:\n  - name: Lamp\n", 2, "missing 'id'"),
    "id without a dot": (
        "entities:\n  - id: lamp\n", 2, "'lamp' is not '<domain>.<object_id>'"),
    "duplicate entity id": (
        "entities:\n  - id: light.a\n  - id: light.b\n  - id: light.a\n", 4,
        "duplicate entity id 'light.a'"),
    "duplicate area id": (
        "areas:\n  - id: k\n  - id: k\n", 3, "duplicate area id 'k'"),
    "area on a missing floor": (
        "floors:\n  - id: ground\nareas:\n  - id: kitchen\n    floor: attic\n", 5,
        "floor 'attic', which does not exist"),
    "entity in a missing area": (
        "areas:\n  - id: kitchen\nentities:\n  - id: light.a\n    area: attic\n", 5,
        "area 'attic', which does not exist"),
    "entity naming a missing device": (
        "entities:\n  - id: light.a\n    device: ghost\n", 3,
        "device 'ghost', which does not exist"),
    "device in a missing area": (
        "devices:\n  - id: plug\n    area: attic\n", 3, "area 'attic', which does not exist"),
    "attributes not a mapping": (
        "entities:\n  - id: light.a\n    attributes: [brightness, 5]\n", 3,
        "'attributes' must be a mapping"),
    "attributes a string": (
        "entities:\n  - id: light.a\n    attributes: bright\n", 3,
        "'attributes' must be a mapping"),
    "entities not a list": (
        "entities: {light.a: on}\n", 1, "'entities' must be a list"),
    "entity not a mapping": (
        "entities:\n  - light.a\n", 1, "must be a mapping"),
    "aliases not names": (
        "entities:\n  - id: light.a\n    aliases: {a: b}\n", 3, "'aliases' must be a list"),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_file_is_refused_with_path_line_column_and_caret(case: str) -> None:
    text, line, message = BROKEN[case]
    error = load_error(text, "homes/broken.yaml")
    first, *rest = str(error).splitlines()
    assert re.match(rf"^homes/broken\.yaml:{line}:\d+: ", first), first
    assert message in first
    assert error.path == "homes/broken.yaml" and error.line == line
    assert len(rest) == 2, str(error)
    source_line, caret = rest
    assert source_line == text.splitlines()[line - 1]
    assert caret.strip() == "^"
    assert len(caret) - 1 == error.column - 1


@pytest.mark.parametrize("text", ["- id: light.a\n", "just words\n", "42\n"],
                         ids=["list", "string", "number"])
def test_top_level_not_a_mapping_is_refused(text: str) -> None:
    error = load_error(text)
    assert re.match(r"^broken\.yaml:1:1: .*mapping", str(error))


def test_top_level_not_a_mapping_shows_the_line_with_a_caret() -> None:
    error = load_error("- id: light.a\n")
    assert str(error).splitlines()[1:] == ["- id: light.a", "^"]


def test_yaml_error_at_end_of_file_shows_a_line_with_a_caret() -> None:
    text = "entities:\n  - id: light.a\n    name: [unclosed\n"
    error = load_error(text)
    assert error.line is not None and error.line <= 3
    assert len(str(error).splitlines()) == 3


def test_empty_list_attributes_is_refused() -> None:
    load_error("entities:\n  - id: light.a\n    attributes: []\n")


def test_a_broken_file_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text("entities:\n  - id: light.good\n  - id: broken\n", encoding="utf-8")
    with pytest.raises(HomeFileError) as info:
        Home.from_files(path)
    assert str(info.value).startswith(f"{path}:3:")


def test_from_files_reports_the_file_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text("areas:\n  - id: k\nentities:\n  - id: light.a\n    area: nowhere\n",
                    encoding="utf-8")
    with pytest.raises(HomeFileError) as info:
        Home.from_files(path)
    assert str(info.value).splitlines()[0].startswith(f"{path}:5:5: ")


@pytest.mark.parametrize("make", ["missing", "directory", "not utf-8"])
def test_an_unreadable_file_is_an_error_not_a_crash(tmp_path: Path, make: str) -> None:
    path = tmp_path / "home.yaml"
    if make == "directory":
        path.mkdir()
    elif make == "not utf-8":
        path.write_bytes(b"entities:\n  - id: light.caf\xe9\n")
    with pytest.raises(HomeFileError) as info:
        Home.from_files(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "cannot read" in str(info.value)
