"""External training data for the text proposer: HA's templates, SLURP's train split, noise."""

from __future__ import annotations

import builtins
import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from resolver.home import Home
from resolver.neural import sources
from resolver.neural.labels import DOMAINS, INTENTS, SLURP_INTENTS, Example

HOME = """
floors:
  - {id: ground, name: Ground Floor, aliases: [downstairs]}
  - {id: upper, name: Upper Floor, aliases: [upstairs]}
areas:
  - {id: kitchen, name: Kitchen, floor: ground}
  - {id: lounge, name: Lounge, floor: ground}
  - {id: bedroom, name: Bedroom, floor: upper}
entities:
  - {id: light.ceiling_light, name: Ceiling Light, area: kitchen, state: "on"}
  - {id: light.sofa_lamp, name: Sofa Lamp, area: lounge, aliases: [reading lamp]}
  - {id: light.desk_lamp, name: Desk Lamp, area: bedroom}
  - {id: lock.front_door, name: Front Door, area: lounge, state: locked}
  - id: climate.thermostat
    name: Thermostat
    area: lounge
    state: heat
    attributes: {temperature: 20, current_temperature: 19, hvac_modes: ["off", heat]}
  - {id: media_player.jukebox, name: Jukebox, area: kitchen, state: playing}
  - {id: todo.groceries, name: Groceries, state: "2"}
  - id: sensor.porch_temperature
    name: Porch Temperature
    state: "12"
    attributes: {device_class: temperature, unit_of_measurement: "°C"}
"""
LIGHT_NAMES = ("ceiling light", "sofa lamp", "reading lamp", "desk lamp")


def shared_data() -> Path:
    """The shared data directory, or a skip when it (or hassil) is not on this machine."""
    data_dir = sources.default_data_dir()
    if (
        not (data_dir / sources.HA_TEMPLATES).is_dir()
        or not (data_dir / sources.SLURP_TRAIN).is_file()
    ):
        pytest.skip(
            f"shared data not found at {data_dir} (set RESOLVER_SHARED_DATA to the shared "
            "data directory)"
        )
    return data_dir


@pytest.fixture(scope="module")
def home() -> Home:
    return Home.from_yaml(HOME, "<test home>")


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return shared_data()


@pytest.fixture(scope="module")
def ha_examples(home: Home, data_dir: Path) -> list[Example]:
    pytest.importorskip("hassil", reason="hassil (a dev dependency) is not installed")
    return sources.ha_template_examples(random.Random(0), home, data_dir)


def assert_valid(examples: list[Example], source: str) -> None:
    assert examples
    for example in examples:
        assert isinstance(example, Example)
        assert example.intent in INTENTS and example.domain in DOMAINS
        assert example.source == source
        assert example.text and example.text == example.text.strip()


def said(name: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", text.lower()) is not None


# ---------------------------------------------------------------------- HA's templates


def test_ha_templates_are_labelled_examples(ha_examples: list[Example]) -> None:
    assert_valid(ha_examples, "ha_templates")
    assert len({e.text for e in ha_examples}) == len(ha_examples)
    # Every slot was filled: no list or rule reference is left in a sentence.
    assert not [e.text for e in ha_examples if re.search(r"[{}<>]", e.text)]


def test_ha_templates_cover_the_home_intents(ha_examples: list[Example]) -> None:
    intents = Counter(e.intent for e in ha_examples)
    for intent in (
        "HassTurnOn",
        "HassTurnOff",
        "HassLightSet",
        "HassClimateSetTemperature",
        "HassClimateGetTemperature",
        "HassSetVolume",
        "HassMediaPause",
        "HassListAddItem",
        "HassGetState",
        "HassNevermind",
        "ResolverOther",
    ):
        assert intents[intent] > 0, intent
    # The home has no vacuum: "start <name>" has nothing to name; "clean <floor>" remains.
    vacuum = [e.text for e in ha_examples if e.intent == "HassVacuumStart"]
    assert vacuum and not [t for t in vacuum if t.startswith("start")]


def test_ha_light_names_mean_light(ha_examples: list[Example]) -> None:
    on_off = [e for e in ha_examples if e.intent in ("HassTurnOn", "HassTurnOff")]
    named = [e for e in on_off if any(said(n, e.text) for n in LIGHT_NAMES)]
    assert named
    assert {e.domain for e in named} == {"light"}


def test_ha_other_names_carry_their_domain(ha_examples: list[Example]) -> None:
    jukebox = [e for e in ha_examples if said("jukebox", e.text)]
    assert jukebox and {e.domain for e in jukebox} == {"media_player"}
    thermostat = [e for e in ha_examples if said("thermostat", e.text)]
    assert thermostat and {e.domain for e in thermostat} == {"climate"}
    door = [e for e in ha_examples if said("front door", e.text) and e.intent == "HassTurnOn"]
    assert door and all(e.domain == "lock" and e.text.lower().startswith("lock") for e in door)


def test_ha_intents_mapped_to_the_projects(ha_examples: list[Example]) -> None:
    by_text = {e.text.lower(): e for e in ha_examples}
    assert (by_text["nevermind"].intent, by_text["nevermind"].domain) == ("HassNevermind", "none")
    timers = [e for e in ha_examples if said("timer", e.text)]
    assert timers and {(e.intent, e.domain) for e in timers} == {("ResolverOther", "none")}
    # HassShoppingListAddItem becomes HassListAddItem; the item wildcard holds a grocery word.
    items = [e for e in ha_examples if e.intent == "HassListAddItem"]
    assert items and {e.domain for e in items} == {"todo"}
    assert all(e.text.lower().startswith(("add ", "put ")) for e in items)
    assert any("shopping list" in e.text.lower() for e in items)
    assert any(said("groceries", e.text) for e in items)
    assert {e.domain for e in ha_examples if e.intent == "HassLightSet"} == {"light"}
    assert {e.domain for e in ha_examples if e.intent == "HassSetVolume"} == {"media_player"}
    # binary_sensor and sensor questions share the sensor domain.
    assert any(e.intent == "HassGetState" and e.domain == "sensor" for e in ha_examples)


def test_ha_templates_respect_per_template(home: Home, data_dir: Path) -> None:
    pytest.importorskip("hassil", reason="hassil (a dev dependency) is not installed")
    one = sources.ha_template_examples(random.Random(0), home, data_dir, per_template=1)
    eight = sources.ha_template_examples(random.Random(0), home, data_dir, per_template=8)
    # Template counts are in the hundreds: one sentence each stays far below eight each.
    assert 100 < len(one) < len(eight) / 3
    assert Counter(e.text for e in one).most_common(1)[0][1] == 1


def test_ha_templates_same_seed_same_data(home: Home, data_dir: Path) -> None:
    pytest.importorskip("hassil", reason="hassil (a dev dependency) is not installed")
    first = sources.ha_template_examples(random.Random(7), home, data_dir)
    again = sources.ha_template_examples(random.Random(7), home, data_dir)
    other = sources.ha_template_examples(random.Random(8), home, data_dir)
    assert first == again
    assert first != other


def test_ha_templates_missing_folder_is_an_error(home: Home, tmp_path: Path) -> None:
    pytest.importorskip("hassil", reason="hassil (a dev dependency) is not installed")
    with pytest.raises(FileNotFoundError, match="no Home Assistant sentence templates"):
        sources.ha_template_examples(random.Random(0), home, tmp_path)


def test_ha_label_tables() -> None:
    assert sources.ha_intent_label("HassShoppingListAddItem") == "HassListAddItem"
    assert sources.ha_intent_label("HassLightSet") == "HassLightSet"
    assert sources.ha_intent_label("HassStartTimer") == "ResolverOther"
    assert sources.ha_intent_label("HassListCompleteItem") == "ResolverOther"
    assert sources.label_domain("binary_sensor") == "sensor"
    assert sources.label_domain("input_boolean") == "switch"
    assert sources.label_domain("person") == "none"


# ---------------------------------------------------------------------- SLURP train


def test_slurp_train_covers_every_iot_intent(data_dir: Path) -> None:
    examples = sources.slurp_train_examples(data_dir)
    assert_valid(examples, "slurp_train")
    raw = set()
    with (data_dir / sources.SLURP_TRAIN).open(encoding="utf-8") as lines:
        for line in lines:
            intent = json.loads(line)["intent"]
            raw.add(intent if intent.startswith("iot_") else f"iot_{intent}")
    assert raw == set(SLURP_INTENTS)
    assert {(e.intent, e.domain) for e in examples} == set(SLURP_INTENTS.values())


def test_slurp_train_never_opens_devel(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real_open, real_path_open = builtins.open, Path.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def recording_path_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(path))
        return real_path_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(Path, "open", recording_path_open)
    sources.slurp_train_examples(data_dir)
    sources.slurp_train_examples()
    assert opened and all(Path(p).name == "train_iot.jsonl" for p in opened)


def write_slurp(folder: Path, name: str, records: list[dict[str, str]]) -> None:
    (folder / "slurp_iot").mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r) + "\n" for r in records)
    (folder / "slurp_iot" / name).write_text(lines, encoding="utf-8")


def test_slurp_train_maps_intents_without_prefix(tmp_path: Path) -> None:
    write_slurp(
        tmp_path,
        "train_iot.jsonl",
        [
            {"intent": "hue_lightoff", "text": "lights  off"},
            {"intent": "iot_coffee", "text": "make me a coffee"},
        ],
    )
    # A devel file that would break the loader if it were read.
    (tmp_path / "slurp_iot" / "devel_iot.jsonl").write_text("not json\n", encoding="utf-8")
    examples = sources.slurp_train_examples(tmp_path)
    assert examples == [
        Example("lights off", "HassTurnOff", "light", "slurp_train"),
        Example("make me a coffee", "HassTurnOn", "switch", "slurp_train"),
    ]


def test_slurp_train_refuses_an_unmapped_intent(tmp_path: Path) -> None:
    write_slurp(
        tmp_path,
        "train_iot.jsonl",
        [{"intent": "iot_wemo_on", "text": "plug on"}] * 2
        + [{"intent": "iot_hue_lightflash", "text": "flash"}],
    )
    with pytest.raises(ValueError, match=r"train_iot.jsonl:3: .*iot_hue_lightflash"):
        sources.slurp_train_examples(tmp_path)


def test_slurp_train_without_train_file_does_not_fall_back(tmp_path: Path) -> None:
    write_slurp(tmp_path, "devel_iot.jsonl", [{"intent": "iot_cleaning", "text": "vacuum"}])
    with pytest.raises(FileNotFoundError):
        sources.slurp_train_examples(tmp_path)


# ---------------------------------------------------------------------- out of scope


COMMAND_WORDS = {
    "turn",
    "switch",
    "set",
    "on",
    "off",
    "open",
    "close",
    "lock",
    "unlock",
    "dim",
    "brighten",
    "start",
    "pause",
    "play",
    "add",
    "volume",
    "up",
    "down",
}


def test_other_examples_are_out_of_scope() -> None:
    examples = sources.other_examples(random.Random(0), 600)
    assert len(examples) == 600
    assert_valid(examples, "other")
    assert {(e.intent, e.domain) for e in examples} == {("ResolverOther", "none")}
    texts = {e.text.lower() for e in examples}
    # Never a phrase that means something to the resolver.
    assert not texts & {"never mind", "nevermind", "stop", "cancel", "yes", "no", "undo"}
    for near_miss in (
        "i love my kitchen",
        "the light in this photo is nice",
        "my lamp is from ikea",
    ):
        assert near_miss in texts
    assert {"um", "okay", "hmm"} <= texts


def test_other_examples_mix_said_salad_and_mash() -> None:
    examples = sources.other_examples(random.Random(1), 150)
    written = set(sources._OUT_OF_SCOPE) | set(sources._FILLERS)
    plain = [e.text for e in examples if e.text in written]
    generated = [e.text for e in examples if e.text not in written]
    assert len(plain) == 100 and len(generated) == 50
    for text in generated:
        assert not set(text.split()) & COMMAND_WORDS, text


def test_other_examples_beyond_the_written_list_are_varied() -> None:
    n_written = len(sources._OUT_OF_SCOPE) + len(sources._FILLERS)
    examples = sources.other_examples(random.Random(2), 3 * n_written)
    assert len(examples) == 3 * n_written
    assert len({e.text for e in examples}) > 2 * n_written


def test_other_examples_same_seed_same_data() -> None:
    assert sources.other_examples(random.Random(3), 250) == sources.other_examples(
        random.Random(3), 250
    )
    assert sources.other_examples(random.Random(3), 250) != sources.other_examples(
        random.Random(4), 250
    )
    assert sources.other_examples(random.Random(3), 0) == []


# ---------------------------------------------------------------------- all of them


def test_all_external_labels_each_source(home: Home, data_dir: Path) -> None:
    pytest.importorskip("hassil", reason="hassil (a dev dependency) is not installed")
    examples = sources.all_external(random.Random(0), home, data_dir)
    counts = Counter(e.source for e in examples)
    assert set(counts) == {"ha_templates", "slurp_train", "other"}
    assert counts["other"] == max(200, (counts["ha_templates"] + counts["slurp_train"]) // 6)
    assert examples == sources.all_external(random.Random(0), home, data_dir)
