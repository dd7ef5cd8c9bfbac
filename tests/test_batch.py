"""The batch command (CONTRACT §4) as a subprocess, and the Python API behind it (§3)."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from resolver import Resolver, Result, ServiceCall

REPO_ROOT = Path(__file__).resolve().parent.parent
TURN_KEYS = {"session", "text", "actions", "response", "clarification", "intent", "hypotheses",
             "trace"}


def run_batch(stdin: str, home: Path | str = "demo/home.yaml") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "resolver", "batch", "--home", str(home)],
        input=stdin, capture_output=True, text=True, cwd=REPO_ROOT, timeout=60, check=False,
    )


def jsonl(*requests: Any) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in requests)


def replies(process: subprocess.CompletedProcess) -> list[dict[str, Any]]:
    assert process.returncode == 0, process.stderr
    return [json.loads(line) for line in process.stdout.splitlines()]


def turn(session: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"session": session, "text": text, **extra}


def event(session: str | None, entity_id: str, state: str, **attributes: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"event": {"entity_id": entity_id, "state": state,
                                         "attributes": attributes}}
    if session is not None:
        request["session"] = session
    return request


def services(reply: dict[str, Any]) -> list[tuple[str, list[str], dict[str, Any]]]:
    return [(a["service"], a["target"]["entity_id"], a["data"]) for a in reply["actions"]]


def thermostat_target(reply: dict[str, Any]) -> Any:
    [(service, entities, data)] = services(reply)
    assert (service, entities) == ("climate.set_temperature", ["climate.thermostat"])
    return data["temperature"]


WARMER = "turn up the thermostat"


# -- the batch command --------------------------------------------------------------------


def test_one_reply_per_non_empty_line_in_order() -> None:
    texts = ["turn on the kitchen light", "lock the front door", "turn off the desk lamp",
             "turn on the porch light"]
    stdin = "\n" + jsonl(turn("a", texts[0])) + "   \n\n" + jsonl(
        turn("b", texts[1]), turn("a", texts[2])) + "\t\n" + jsonl(turn("c", texts[3]))
    out = replies(run_batch(stdin))
    assert [(r["session"], r["text"]) for r in out] == [
        ("a", texts[0]), ("b", texts[1]), ("a", texts[2]), ("c", texts[3])]
    assert [services(r)[0][1] for r in out] == [
        ["light.kitchen_light"], ["lock.front_door"], ["light.desk_lamp"], ["light.porch_light"]]


def test_a_turn_reply_carries_every_contract_field() -> None:
    [reply] = replies(run_batch(jsonl(turn("s1", "turn off the kitchen light and lock the "
                                                  "front door"))))
    assert TURN_KEYS <= set(reply)
    assert "error" not in reply
    assert reply["session"] == "s1"
    assert services(reply) == [("light.turn_off", ["light.kitchen_light"], {}),
                               ("lock.lock", ["lock.front_door"], {})]
    assert isinstance(reply["response"], str) and reply["response"]
    assert reply["clarification"] is False
    assert isinstance(reply["intent"]["name"], str) and isinstance(reply["intent"]["slots"], dict)
    assert isinstance(reply["hypotheses"], list)
    assert isinstance(reply["trace"], dict) and reply["trace"]


def test_a_turn_uses_the_speaker_area() -> None:
    [here, nowhere] = replies(run_batch(jsonl(
        turn("a", "turn off the light", area="office"), turn("b", "turn off the light"))))
    assert services(here) == [("light.turn_off", ["light.desk_lamp"], {})]
    assert nowhere["actions"] == [] and nowhere["clarification"] is True
    assert "?" in nowhere["response"]


def test_a_session_key_that_is_missing_means_the_default_session() -> None:
    [reply] = replies(run_batch(jsonl({"text": "turn on the kitchen light"})))
    assert reply["session"] == "default"
    assert services(reply) == [("light.turn_on", ["light.kitchen_light"], {})]


def test_an_event_is_applied_and_changes_later_turns_of_its_session_only() -> None:
    out = replies(run_batch(jsonl(
        event("a", "climate.thermostat", "heat", temperature=75),
        turn("a", WARMER),
        turn("b", WARMER),
    )))
    assert out[0] == {"session": "a", "event": "applied"}
    assert thermostat_target(out[1]) == 76
    assert thermostat_target(out[2]) == 69


def test_an_event_without_a_session_goes_to_the_default_session() -> None:
    out = replies(run_batch(jsonl(
        event(None, "climate.thermostat", "heat", temperature=60),
        {"text": WARMER},
        turn("other", WARMER),
    )))
    assert out[0] == {"session": "default", "event": "applied"}
    assert thermostat_target(out[1]) == 61
    assert thermostat_target(out[2]) == 69


def test_actions_change_later_turns_of_their_session_only() -> None:
    out = replies(run_batch(jsonl(turn("a", WARMER), turn("a", WARMER), turn("b", WARMER),
                                  turn("a", WARMER))))
    assert [thermostat_target(r) for r in out] == [69, 70, 69, 71]


BAD_LINES = {
    "not JSON": ('{"session": "a", "text": ', None, "not JSON"),
    "a JSON array": ('["turn on the kitchen light"]', None, "JSON object"),
    "a JSON string": ('"turn on the kitchen light"', None, "JSON object"),
    "unknown entity in an event": (
        json.dumps(event("a", "light.nowhere", "on")), "a", "light.nowhere"),
    "event without a state": (
        json.dumps({"session": "a", "event": {"entity_id": "light.kitchen_light"}}), "a",
        "state"),
    "missing text": (json.dumps({"session": "a", "area": "kitchen"}), "a", "text"),
    "text not a string": (json.dumps({"session": "a", "text": 42}), "a", "text"),
    "text null": (json.dumps({"session": "b", "text": None}), "b", "text"),
    "area not a string": (json.dumps({"session": "a", "text": "hi", "area": ["kitchen"]}), "a",
                          "area"),
}


@pytest.fixture(scope="module")
def bad_run() -> subprocess.CompletedProcess:
    lines = []
    for bad, _, _ in BAD_LINES.values():
        lines += [bad, json.dumps(turn("ok", "turn on the kitchen light"))]
    return run_batch("\n".join(lines) + "\n")


@pytest.mark.parametrize("case", list(BAD_LINES), ids=list(BAD_LINES))
def test_a_bad_line_gets_an_error_reply_and_the_run_goes_on(
    bad_run: subprocess.CompletedProcess, case: str
) -> None:
    out = replies(bad_run)
    assert len(out) == 2 * len(BAD_LINES)
    index = list(BAD_LINES).index(case)
    error, following = out[2 * index], out[2 * index + 1]
    _, session, words = BAD_LINES[case]
    assert set(error) == {"session", "error"}
    assert error["session"] == session
    assert f"line {2 * index + 1}" in error["error"]
    assert words in error["error"]
    assert following["session"] == "ok" and TURN_KEYS <= set(following)
    assert services(following)[0][1] == ["light.kitchen_light"]


def test_bad_lines_leave_the_exit_status_zero_and_stderr_quiet(
    bad_run: subprocess.CompletedProcess,
) -> None:
    assert bad_run.returncode == 0
    assert "Traceback" not in bad_run.stderr


def test_an_unknown_entity_event_changes_nothing() -> None:
    out = replies(run_batch(jsonl(event("a", "climate.nowhere", "heat", temperature=90),
                                  turn("a", WARMER))))
    assert "error" in out[0]
    assert thermostat_target(out[1]) == 69


@pytest.mark.parametrize(
    ("content", "line"),
    [("entities:\n  - id: light.a\n  - name: no id\n", 3),
     ("areas:\n  - id: k\nentities:\n  - id: light.a\n    area: attic\n", 5),
     ("entities:\n  - id: light.a\n   name: x\n", 3)],
    ids=["entity without id", "missing area", "bad YAML"],
)
def test_a_broken_home_exits_2_with_path_line_column(tmp_path: Path, content: str,
                                                     line: int) -> None:
    home = tmp_path / "broken.yaml"
    home.write_text(content, encoding="utf-8")
    process = run_batch(jsonl(turn("a", "turn on the kitchen light")), home=home)
    assert process.returncode == 2
    assert process.stdout == ""
    first = process.stderr.splitlines()[0]
    assert re.match(rf"^{re.escape(str(home))}:{line}:\d+: \S", first), process.stderr
    assert "Traceback" not in process.stderr


def test_a_missing_home_file_exits_2_with_its_path(tmp_path: Path) -> None:
    home = tmp_path / "nowhere.yaml"
    process = run_batch("", home=home)
    assert process.returncode == 2
    assert process.stderr.startswith(f"{home}: ")
    assert "Traceback" not in process.stderr


@pytest.mark.parametrize("stdin", ["", "\n\n  \n"], ids=["empty", "blank lines"])
def test_empty_input_gives_empty_output(stdin: str) -> None:
    process = run_batch(stdin)
    assert process.returncode == 0
    assert process.stdout == ""


def _garbage(seed: int, length: int) -> str:
    rng = random.Random(seed)
    alphabet = ("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                "!@#$%^&*()[]{}<>?/\\|~`'\".,;:-_=+ \t\u00e9\u00df\u4e2d\u0416\u2603\U0001f600")
    return "".join(rng.choice(alphabet) for _ in range(length))


def test_a_10000_character_line_gets_a_clear_response_and_no_actions() -> None:
    words = ("turn on the kitchen light and " * 400)[:10_000]
    letters = "x" * 10_000
    out = replies(run_batch(jsonl(turn("a", words), turn("a", letters),
                                  turn("a", "turn on the kitchen light"))))
    assert len(out) == 3
    for reply in out[:2]:
        assert TURN_KEYS <= set(reply)
        assert reply["actions"] == []
        assert reply["response"]
        assert reply["clarification"] is False
    assert services(out[2]) == [("light.turn_on", ["light.kitchen_light"], {})]


def test_random_garbage_gets_a_clear_response_and_no_actions() -> None:
    texts = [_garbage(seed, length) for seed, length in
             ((1, 5), (2, 40), (3, 300), (4, 1999), (5, 2500))]
    texts += ["", "   ", "!!!", "the the the", "turn turn turn", "%", "°", "0.5.5", "..."]
    process = run_batch(jsonl(*(turn("g", t) for t in texts)))
    out = replies(process)
    assert len(out) == len(texts)
    for text, reply in zip(texts, out, strict=True):
        assert "error" not in reply, (text, reply)
        assert reply["actions"] == [], (text, reply)
        assert isinstance(reply["response"], str) and reply["response"], (text, reply)
    assert "Traceback" not in process.stderr


# -- the Python API -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolver(demo_home_path: Path) -> Resolver:
    return Resolver.from_files(demo_home_path)


@pytest.fixture
def fresh_resolver(demo_home_path: Path) -> Resolver:
    return Resolver.from_files(demo_home_path)


def temperature_asked(result: Result) -> Any:
    [action] = result.actions
    assert action.name == "climate.set_temperature"
    return action.data["temperature"]


def test_resolve_returns_service_calls_and_a_response(resolver: Resolver) -> None:
    result = resolver.resolve("set the bedroom light to 40%", session="api-1")
    assert isinstance(result, Result)
    assert all(isinstance(a, ServiceCall) for a in result.actions)
    assert [a.to_dict() for a in result.actions] == [{
        "service": "light.turn_on", "target": {"entity_id": ["light.bedroom_light"]},
        "data": {"brightness_pct": 40}}]
    assert result.response and not result.clarification
    assert result.intent is not None and result.intent["name"] == "HassLightSet"
    assert result.text == "set the bedroom light to 40%"


def test_resolve_with_an_area_acts_there(resolver: Resolver) -> None:
    result = resolver.resolve("turn off the light", session="api-2", area="office")
    assert [(a.name, a.entity_ids) for a in result.actions] == [
        ("light.turn_off", ("light.desk_lamp",))]


def test_resolve_asks_which_one_when_ambiguous(resolver: Resolver) -> None:
    result = resolver.resolve("lock the door", session="api-3")
    assert result.actions == []
    assert result.clarification is True
    assert "Front Door" in result.response and "?" in result.response


def test_a_long_list_of_candidates_asks_for_a_name_or_room(resolver: Resolver) -> None:
    result = resolver.resolve("turn off the light", session="api-3b")
    assert result.actions == []
    assert result.clarification is True
    assert "room" in result.response and "?" in result.response


def test_resolve_refuses_to_dim_a_lock(resolver: Resolver) -> None:
    result = resolver.resolve("dim the front door lock", session="api-4")
    assert result.actions == []
    assert "dim" in result.response.lower()


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_000, "blorp snark quux"],
                         ids=["empty", "spaces", "10000 characters", "unknown words"])
def test_resolve_gives_a_clear_response_for_nothing_usable(resolver: Resolver, text: str) -> None:
    result = resolver.resolve(text, session="api-5")
    assert result.actions == []
    assert result.response
    assert result.clarification is False


def test_a_command_without_a_target_does_nothing(resolver: Resolver) -> None:
    result = resolver.resolve("turn off", session="api-6")
    assert result.actions == []


def test_resolve_applies_its_actions_to_its_session_only(resolver: Resolver) -> None:
    resolver.resolve("turn on the kitchen light", session="api-7a")
    assert resolver.state("api-7a")["light.kitchen_light"].state == "on"
    assert resolver.state("api-7b")["light.kitchen_light"].state == "off"


def test_apply_event_with_a_session_changes_that_session_only(resolver: Resolver) -> None:
    resolver.resolve("lock the front door", session="api-8b")
    resolver.apply_event("climate.thermostat", "heat", {"temperature": 50}, session="api-8a")
    assert temperature_asked(resolver.resolve(WARMER, session="api-8a")) == 51
    assert temperature_asked(resolver.resolve(WARMER, session="api-8b")) == 69
    assert temperature_asked(resolver.resolve(WARMER, session="api-8c")) == 69


def test_apply_event_merges_attributes(resolver: Resolver) -> None:
    resolver.apply_event("climate.thermostat", "cool", {"temperature": 70}, session="api-9")
    after = resolver.state("api-9")["climate.thermostat"]
    assert after.state == "cool"
    assert after.attributes["temperature"] == 70
    assert after.attributes["max_temp"] == 95


def test_apply_event_without_a_session_changes_all_and_later_sessions(
    fresh_resolver: Resolver,
) -> None:
    assert temperature_asked(fresh_resolver.resolve(WARMER, session="early")) == 69
    fresh_resolver.apply_event("climate.thermostat", "heat", {"temperature": 80})
    assert temperature_asked(fresh_resolver.resolve(WARMER, session="early")) == 81
    assert temperature_asked(fresh_resolver.resolve(WARMER, session="late")) == 81
    assert fresh_resolver.state("later")["climate.thermostat"].attributes["temperature"] == 80


def test_apply_event_with_an_unknown_entity_raises_key_error(resolver: Resolver) -> None:
    with pytest.raises(KeyError):
        resolver.apply_event("light.nowhere", "on")
    with pytest.raises(KeyError):
        resolver.apply_event("light.nowhere", "on", session="api-10")


def test_result_to_dict_matches_the_batch_shape(resolver: Resolver) -> None:
    result = resolver.resolve("turn on the kitchen light", session="api-11")
    as_dict = result.to_dict()
    assert TURN_KEYS - {"session"} <= set(as_dict)
    assert as_dict["actions"] == [a.to_dict() for a in result.actions]
    json.dumps(as_dict)


def test_a_fault_inside_the_resolver_is_an_error_line_and_the_run_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from resolver.__main__ import run_batch as run_lines

    resolver = Resolver.from_files("demo/home.yaml", neural=False)
    resolve = resolver.resolve

    def faulty(text: str | None = None, **kwargs: Any) -> Result:
        if text == "break":
            raise KeyError("a bug")
        return resolve(text, **kwargs)

    monkeypatch.setattr(resolver, "resolve", faulty)
    out = io.StringIO()
    run_lines(resolver, [json.dumps({"text": "break"}) + "\n",
                         json.dumps({"text": "turn on the kitchen light"}) + "\n"], out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["error"] == "line 1: internal error: KeyError: 'a bug'"
    assert second["response"] == "Turned on the Kitchen Light."
