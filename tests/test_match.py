"""Target matching over small homes: names, nouns, areas, floors, the speaker and failures."""

from __future__ import annotations

import pytest

from resolver.home import Capability, Entity, Home
from resolver.logical_form import Target
from resolver.match import MatchFailure, match_targets

HOME = """\
floors:
  - {id: ground, name: Ground Floor, aliases: [downstairs]}
  - {id: first, name: First Floor, aliases: [upstairs]}
areas:
  - {id: kitchen, name: Kitchen, floor: ground}
  - {id: living_room, name: Living Room, floor: ground, aliases: [lounge]}
  - {id: office, name: Office, floor: ground}
  - {id: bedroom, name: Bedroom, floor: first}
  - {id: landing, name: Landing, floor: first}
devices:
  - {id: kitchen_speaker_device, name: Kitchen Speaker Box, area: kitchen}
  - {id: coffee_plug, name: Coffee Plug, area: kitchen}
entities:
  - {id: light.kitchen_light, name: Kitchen Light, area: kitchen, aliases: [cooker light]}
  - {id: light.desk_lamp, name: Desk Lamp, area: office}
  - {id: light.bedroom_light, name: Bedroom Light, area: bedroom}
  - {id: light.landing_light, name: Landing Light, area: landing}
  - id: light.floor_lamp
    name: Floor Lamp
    area: living_room
  - id: light.porch_light
    name: Porch Light
    attributes: {supported_color_modes: [brightness]}
  - {id: switch.coffee_maker, name: Coffee Maker, device: coffee_plug}
  - {id: switch.printer, name: Printer, area: office}
  - id: media_player.kitchen_speaker
    name: Kitchen Speaker
    device: kitchen_speaker_device
  - id: sensor.kitchen_temperature
    name: Kitchen Temperature
    device: kitchen_speaker_device
  - id: cover.living_room_blinds
    name: Living Room Blinds
    area: living_room
    attributes: {device_class: blind}
  - id: cover.bedroom_curtains
    name: Bedroom Curtains
    area: bedroom
    attributes: {device_class: curtain}
  - id: cover.office_blind
    name: Office Blind
    area: office
    attributes: {device_class: blind}
  - {id: climate.thermostat, name: Thermostat, area: living_room}
  - {id: climate.office_thermostat, name: Office Thermostat, area: office}
  - {id: lock.front_door, name: Front Door}
"""

LIGHTS = {"light.kitchen_light", "light.desk_lamp", "light.bedroom_light",
          "light.landing_light", "light.floor_lamp", "light.porch_light"}


@pytest.fixture(scope="module")
def home() -> Home:
    return Home.from_yaml(HOME, "match_home.yaml")


def light(**parts: object) -> Target:
    return Target(domains=("light",), nouns=("light",), **parts)  # type: ignore[arg-type]


def lights(**parts: object) -> Target:
    return Target(domains=("light",), nouns=("lights",), plural=True,
                  **parts)  # type: ignore[arg-type]


def can_dim(entity: Entity) -> bool:
    return Capability.BRIGHTNESS in entity.capabilities


# -- names --------------------------------------------------------------------------------


def test_a_name_matches_its_entity(home: Home) -> None:
    result = match_targets(home, Target(names=("kitchen light",)))
    assert result.ok
    assert result.entities == ("light.kitchen_light",)
    assert result.scope == "named"


def test_an_alias_matches_its_entity(home: Home) -> None:
    result = match_targets(home, Target(names=("cooker light",)))
    assert result.entities == ("light.kitchen_light",)


def test_several_names_match_each_in_order(home: Home) -> None:
    result = match_targets(home, Target(names=("desk lamp", "printer")))
    assert result.entities == ("light.desk_lamp", "switch.printer")


def test_a_device_name_stands_for_its_entities(home: Home) -> None:
    result = match_targets(home, Target(names=("coffee plug",)))
    assert result.entities == ("switch.coffee_maker",)


def test_a_device_name_with_several_entities_gives_all_of_them(home: Home) -> None:
    result = match_targets(home, Target(names=("kitchen speaker box",), plural=True))
    assert set(result.entities) == {"media_player.kitchen_speaker",
                                    "sensor.kitchen_temperature"}


def test_an_entity_name_wins_over_the_device_name(home: Home) -> None:
    result = match_targets(home, Target(names=("kitchen speaker",)))
    assert result.entities == ("media_player.kitchen_speaker",)


def test_an_unknown_name_is_no_name_with_the_name(home: Home) -> None:
    result = match_targets(home, Target(names=("garden gnome",)))
    assert not result.ok
    assert result.failure is MatchFailure.NO_NAME
    assert result.unmatched == "garden gnome"
    assert result.entities == ()


def test_one_unknown_name_among_known_ones_fails_with_that_name(home: Home) -> None:
    result = match_targets(home, Target(names=("desk lamp", "garden gnome")))
    assert result.failure is MatchFailure.NO_NAME
    assert result.unmatched == "garden gnome"


def test_a_noun_that_does_not_fit_the_name_keeps_the_name(home: Home) -> None:
    result = match_targets(home, Target(names=("printer",), domains=("light",),
                                        nouns=("light",)))
    assert result.entities == ("switch.printer",)


# -- areas and floors ---------------------------------------------------------------------


def test_an_area_filters_a_noun(home: Home) -> None:
    result = match_targets(home, light(areas=("office",)))
    assert result.entities == ("light.desk_lamp",)
    assert result.scope == "area"


def test_an_area_and_a_plural_noun_give_everything_of_that_kind_there(home: Home) -> None:
    result = match_targets(home, Target(domains=("switch",), nouns=("switches",), plural=True,
                                        areas=("office", "kitchen")))
    assert set(result.entities) == {"switch.printer", "switch.coffee_maker"}


def test_an_entity_inherits_its_device_area_for_filtering(home: Home) -> None:
    result = match_targets(home, Target(domains=("switch",), nouns=("switch",),
                                        areas=("kitchen",)))
    assert result.entities == ("switch.coffee_maker",)


def test_a_floor_filters_by_the_areas_on_it(home: Home) -> None:
    result = match_targets(home, lights(floors=("first",)))
    assert set(result.entities) == {"light.bedroom_light", "light.landing_light"}
    assert result.scope == "floor"


def test_a_name_in_the_wrong_area_is_no_area(home: Home) -> None:
    result = match_targets(home, Target(names=("desk lamp",), areas=("bedroom",)))
    assert result.failure is MatchFailure.NO_AREA
    assert result.unmatched == "Bedroom"


def test_a_noun_with_nothing_of_that_kind_in_the_area_is_no_area(home: Home) -> None:
    result = match_targets(home, Target(domains=("lock",), nouns=("lock",), areas=("kitchen",)))
    assert result.failure is MatchFailure.NO_AREA
    assert result.unmatched == "Kitchen"
    assert result.candidates == ("lock.front_door",)


def test_no_area_names_the_floor_when_a_floor_was_said(home: Home) -> None:
    result = match_targets(home, Target(domains=("climate",), nouns=("thermostat",),
                                        floors=("first",)))
    assert result.failure is MatchFailure.NO_AREA
    assert result.unmatched == "First Floor"


# -- the speaker's area -------------------------------------------------------------------


def test_here_means_the_speaker_area(home: Home) -> None:
    result = match_targets(home, lights(here=True), speaker_area="bedroom")
    assert result.entities == ("light.bedroom_light",)
    assert result.scope == "area"


def test_here_without_a_speaker_area_is_no_speaker_area(home: Home) -> None:
    result = match_targets(home, lights(here=True))
    assert result.failure is MatchFailure.NO_SPEAKER_AREA
    assert result.entities == ()


def test_here_with_nothing_of_that_kind_there_is_no_area(home: Home) -> None:
    result = match_targets(home, Target(domains=("lock",), nouns=("lock",), here=True),
                           speaker_area="bedroom")
    assert result.failure is MatchFailure.NO_AREA
    assert result.unmatched == "Bedroom"


def test_the_speaker_area_is_the_default_scope(home: Home) -> None:
    result = match_targets(home, light(), speaker_area="kitchen")
    assert result.entities == ("light.kitchen_light",)
    assert result.scope == "speaker"


def test_the_speaker_area_is_left_when_it_has_nothing_of_that_kind(home: Home) -> None:
    result = match_targets(home, Target(domains=("lock",), nouns=("lock",)),
                           speaker_area="kitchen")
    assert result.entities == ("lock.front_door",)
    assert result.scope == "home"


def test_a_said_area_beats_the_speaker_area(home: Home) -> None:
    result = match_targets(home, light(areas=("office",)), speaker_area="kitchen")
    assert result.entities == ("light.desk_lamp",)


def test_everywhere_ignores_the_speaker_area(home: Home) -> None:
    result = match_targets(home, lights(everywhere=True), speaker_area="kitchen")
    assert set(result.entities) == LIGHTS
    assert result.scope == "home"


def test_a_name_in_several_rooms_picks_the_speaker_room() -> None:
    home = Home.from_yaml("""
areas: [{id: kitchen, name: Kitchen}, {id: office, name: Office}]
entities:
  - {id: light.kitchen_lamp, name: Lamp, area: kitchen}
  - {id: light.office_lamp, name: Lamp, area: office}
""")
    result = match_targets(home, Target(names=("lamp",)), speaker_area="office")
    assert result.entities == ("light.office_lamp",)
    ambiguous = match_targets(home, Target(names=("lamp",)))
    assert ambiguous.failure is MatchFailure.AMBIGUOUS
    assert set(ambiguous.candidates) == {"light.kitchen_lamp", "light.office_lamp"}
    assert ambiguous.unmatched == "lamp"


# -- one or many --------------------------------------------------------------------------


def test_a_singular_noun_over_the_whole_home_is_ambiguous(home: Home) -> None:
    result = match_targets(home, light())
    assert not result.ok
    assert result.failure is MatchFailure.AMBIGUOUS
    assert result.unmatched == "light"
    assert set(result.candidates) == LIGHTS
    assert result.entities == ()


def test_a_plural_noun_over_the_whole_home_is_not_ambiguous(home: Home) -> None:
    result = match_targets(home, lights())
    assert result.ok
    assert set(result.entities) == LIGHTS


def test_all_with_a_singular_noun_is_not_ambiguous(home: Home) -> None:
    result = match_targets(home, light(all=True))
    assert set(result.entities) == LIGHTS


def test_a_singular_noun_with_one_candidate_is_not_ambiguous(home: Home) -> None:
    result = match_targets(home, Target(domains=("lock",), nouns=("lock",)))
    assert result.entities == ("lock.front_door",)


def test_a_noun_equal_to_an_exact_name_picks_that_entity(home: Home) -> None:
    result = match_targets(home, Target(domains=("climate",), nouns=("thermostat",)))
    assert result.ok
    assert result.entities == ("climate.thermostat",)


def test_ambiguity_is_only_among_entities_that_can_do_it(home: Home) -> None:
    result = match_targets(home, light(areas=("kitchen", "office")), supports=can_dim)
    assert set(result.entities) == {"light.kitchen_light", "light.desk_lamp"}


# -- kinds and capabilities ---------------------------------------------------------------


def test_a_noun_the_home_has_none_of_is_no_domain(home: Home) -> None:
    result = match_targets(home, Target(domains=("vacuum",), nouns=("vacuum",)))
    assert result.failure is MatchFailure.NO_DOMAIN
    assert result.unmatched == "vacuum"


def test_sensors_are_left_out_when_acting(home: Home) -> None:
    result = match_targets(home, Target(areas=("kitchen",), plural=True), supports=lambda e: True)
    assert "sensor.kitchen_temperature" not in result.entities
    assert "switch.coffee_maker" in result.entities


def test_unsupported_when_nothing_matched_can_do_it(home: Home) -> None:
    result = match_targets(home, Target(names=("printer",)), supports=can_dim)
    assert result.failure is MatchFailure.UNSUPPORTED
    assert result.candidates == ("switch.printer",)
    assert result.entities == ()


def test_supports_drops_the_entities_that_cannot(home: Home) -> None:
    dimmable = {"light.kitchen_light", "light.porch_light"}
    result = match_targets(home, lights(), supports=lambda e: e.id in dimmable)
    assert set(result.entities) == dimmable


def test_blinds_are_not_curtains(home: Home) -> None:
    blinds = match_targets(home, Target(domains=("cover",), device_classes=("blind",),
                                        nouns=("blinds",), plural=True))
    assert set(blinds.entities) == {"cover.living_room_blinds", "cover.office_blind"}
    curtains = match_targets(home, Target(domains=("cover",), device_classes=("curtain",),
                                          nouns=("curtains",), plural=True))
    assert curtains.entities == ("cover.bedroom_curtains",)


def test_a_device_class_with_nothing_of_it_is_no_domain(home: Home) -> None:
    result = match_targets(home, Target(domains=("cover",), device_classes=("garage",),
                                        nouns=("garage door",)))
    assert result.failure is MatchFailure.NO_DOMAIN
    assert result.unmatched == "garage door"


def test_device_class_and_area_together(home: Home) -> None:
    result = match_targets(home, Target(domains=("cover",), device_classes=("blind",),
                                        nouns=("blind",), areas=("office",)))
    assert result.entities == ("cover.office_blind",)


def test_an_empty_target_is_nothing_said(home: Home) -> None:
    result = match_targets(home, Target(), supports=lambda e: True)
    assert result.failure is MatchFailure.NOTHING_SAID
    assert result.entities == ()


def test_an_area_alone_gives_what_is_there(home: Home) -> None:
    result = match_targets(home, Target(areas=("living_room",), plural=True))
    assert set(result.entities) == {"light.floor_lamp", "cover.living_room_blinds",
                                    "climate.thermostat"}


def test_ha_fixture_thermostat_is_not_ambiguous(ha_fixture_path) -> None:
    ha = Home.from_files(ha_fixture_path)
    result = match_targets(ha, Target(domains=("climate",), nouns=("thermostat",)))
    assert result.entities == ("climate.thermostat",)


def test_words_that_fit_only_another_kind_are_an_unknown_name(home: Home) -> None:
    # "printer" is the office switch's: the home has thermostats, so not "no thermostat"
    result = match_targets(home, Target(domains=("climate",), words=("printer",)))
    assert result.failure is MatchFailure.NO_NAME
    assert result.unmatched == "printer"
    # a kind the home lacks, said alone, is what is missing
    result = match_targets(home, Target(domains=("vacuum",)))
    assert result.failure is MatchFailure.NO_DOMAIN
