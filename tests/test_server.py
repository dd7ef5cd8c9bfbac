"""The HTTP service over real loopback HTTP: turns, events, sessions, errors, the CLI."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from resolver import Resolver
from resolver.server import BackgroundServer, Limits

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_HOME = REPO_ROOT / "demo" / "home.yaml"
TOKEN = "correct horse battery staple"


class Client:
    """A small JSON client over urllib: returns the status and the decoded body."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.token = token

    def request(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                content_type: str = "application/json",
                token: str | None = None) -> tuple[int, dict[str, Any]]:
        data = raw if raw is not None else (
            None if body is None else json.dumps(body).encode("utf-8"))
        request = urllib.request.Request(self.url + path, data=data, method=method)
        bearer = token if token is not None else self.token
        if bearer is not None:
            request.add_header("Authorization", f"Bearer {bearer}")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, response.read()
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as err:
            status, payload, kind = err.code, err.read(), err.headers.get_content_type()
        assert kind == "application/json", payload[:200]
        assert b"Traceback" not in payload
        return status, json.loads(payload)

    def say(self, text: str, session: str = "default", **extra: Any) -> dict[str, Any]:
        status, body = self.request("POST", "/v1/resolve",
                                    {"session": session, "text": text, **extra})
        assert status == 200, body
        return body

    def event(self, entity_id: str, state: str, attributes: dict[str, Any] | None = None,
              session: str | None = None) -> tuple[int, dict[str, Any]]:
        body: dict[str, Any] = {"entity_id": entity_id, "state": state}
        if attributes is not None:
            body["attributes"] = attributes
        if session is not None:
            body["session"] = session
        return self.request("POST", "/v1/events", body)

    def session(self, key: str) -> tuple[int, dict[str, Any]]:
        return self.request("GET", f"/v1/sessions/{key}")


def calls(turn: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The turn's service calls as (service, entity ids)."""
    return [(a["service"], a["target"]["entity_id"]) for a in turn["actions"]]


def multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = uuid.uuid4().hex
    out = b""
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for name, data in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f"filename=\"{name}.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def resolver() -> Resolver:
    return Resolver.from_files(DEMO_HOME, neural=False)


@pytest.fixture
def server(resolver: Resolver) -> Iterator[BackgroundServer]:
    with BackgroundServer(resolver) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Client:
    return Client(server.url)


@pytest.fixture
def secured(resolver: Resolver) -> Iterator[BackgroundServer]:
    with BackgroundServer(resolver, token=TOKEN) as running:
        yield running


# -- turns ----------------------------------------------------------------------------


def test_resolve_text_turn_returns_service_calls(client: Client) -> None:
    turn = client.say("turn off the kitchen light and lock the front door", session="s1")
    assert turn["session"] == "s1"
    assert calls(turn) == [("light.turn_off", ["light.kitchen_light"]),
                           ("lock.lock", ["lock.front_door"])]
    assert set(turn) >= {"text", "actions", "response", "clarification", "intent",
                         "hypotheses", "trace"}
    assert turn["clarification"] is False and turn["response"]


def test_brightness_data_and_speaker_area(client: Client) -> None:
    turn = client.say("set the light to 40 percent", session="s1", area="office")
    assert turn["actions"] == [{"service": "light.turn_on",
                                "target": {"entity_id": ["light.desk_lamp"]},
                                "data": {"brightness_pct": 40}}]


def test_two_turn_dialog_in_one_session_and_independent_session(client: Client) -> None:
    first = client.say("turn on the kitchen light", session="alice")
    assert calls(first) == [("light.turn_on", ["light.kitchen_light"])]
    second = client.say("turn it off", session="alice")
    assert calls(second) == [("light.turn_off", ["light.kitchen_light"])]

    # Another session has no "it" to refer to and its own state of the home.
    other = client.say("turn it off", session="bob")
    assert other["actions"] == []
    _, bob = client.session("bob")
    _, alice = client.session("alice")
    assert alice["turns"] == 2 and bob["turns"] == 1
    assert alice["salient"] == ["light.kitchen_light"] and bob["salient"] == []


def test_clarification_is_visible_in_the_session_and_answered(client: Client) -> None:
    asked = client.say("turn off the light", session="q")
    assert asked["clarification"] is True and asked["actions"] == []
    _, view = client.session("q")
    assert view["question"]["kind"] == "which"
    assert "light.kitchen_light" in view["question"]["candidates"]
    answered = client.say("the kitchen one", session="q")
    assert calls(answered) == [("light.turn_off", ["light.kitchen_light"])]
    _, view = client.session("q")
    assert view["question"] is None


def test_session_view_has_context_actions_and_state(client: Client) -> None:
    client.say("turn on the desk lamp", session="v")
    status, view = client.session("v")
    assert status == 200
    assert view["session"] == "v" and view["turns"] == 1
    assert view["texts"] == ["turn on the desk lamp"]
    assert view["last_command"]["action"] == "turn_on"
    assert view["actions"] == [{"turn": 1, "entities": ["light.desk_lamp"], "calls": [
        {"service": "light.turn_on", "target": {"entity_id": ["light.desk_lamp"]},
         "data": {}}]}]
    assert view["state"]["light.desk_lamp"]["state"] == "on"
    assert "supported_color_modes" in view["state"]["light.desk_lamp"]["attributes"]


# -- events ---------------------------------------------------------------------------


def test_event_changes_what_a_later_turn_sees(client: Client) -> None:
    # "don't turn on X" turns X off when it is on, and does nothing when it is off.
    client.say("turn off the kitchen light", session="e1")
    assert client.say("don't turn on the kitchen light", session="e1")["actions"] == []
    status, reply = client.event("light.kitchen_light", "on", {"brightness": 255},
                                 session="e1")
    assert (status, reply) == (200, {"event": "applied", "session": "e1"})
    turn = client.say("don't turn on the kitchen light", session="e1")
    assert calls(turn) == [("light.turn_off", ["light.kitchen_light"])]


def test_event_attributes_merge_and_stay_in_their_session(client: Client) -> None:
    client.say("hello", session="other")
    client.event("light.porch_light", "on", {"brightness": 10}, session="mine")
    _, mine = client.session("mine")
    _, other = client.session("other")
    porch = mine["state"]["light.porch_light"]
    assert porch["state"] == "on" and porch["attributes"]["brightness"] == 10
    assert "supported_color_modes" in porch["attributes"]   # merged, not replaced
    assert other["state"]["light.porch_light"] != porch


def test_event_without_session_applies_to_every_session(client: Client) -> None:
    client.say("hello", session="early")
    status, reply = client.event("lock.back_door", "unlocked")
    assert (status, reply) == (200, {"event": "applied"})
    client.say("hello", session="late")
    for key in ("early", "late"):
        _, view = client.session(key)
        assert view["state"]["lock.back_door"]["state"] == "unlocked"


def test_unknown_entity_in_event_is_422(client: Client) -> None:
    status, body = client.event("light.no_such_light", "on", session="s")
    assert status == 422
    assert body["field"] == "entity_id" and "light.no_such_light" in body["error"]


@pytest.mark.parametrize(("body", "field"), [
    ({"state": "on"}, "entity_id"),
    ({"entity_id": 7, "state": "on"}, "entity_id"),
    ({"entity_id": "light.desk_lamp"}, "state"),
    ({"entity_id": "light.desk_lamp", "state": {"on": 1}}, "state"),
    ({"entity_id": "light.desk_lamp", "state": "on", "attributes": [1]}, "attributes"),
    ({"entity_id": "light.desk_lamp", "state": "on", "session": ["x"]}, "session"),
])
def test_bad_event_fields_are_422_naming_the_field(client: Client, body: dict[str, Any],
                                                   field: str) -> None:
    status, reply = client.request("POST", "/v1/events", body)
    assert status == 422 and reply["field"] == field, reply


@pytest.mark.parametrize(("body", "field"), [
    ({"session": "s"}, "text"),
    ({"text": 42}, "text"),
    ({"text": "hi", "area": 3}, "area"),
    ({"text": "hi", "session": ""}, "session"),
    ({"text": "hi", "session": "x" * 201}, "session"),
    ({"audio_wav": "not base64!"}, "audio_wav"),
    ({"audio_wav": 12}, "audio_wav"),
])
def test_bad_turn_fields_are_422_naming_the_field(client: Client, body: dict[str, Any],
                                                  field: str) -> None:
    status, reply = client.request("POST", "/v1/resolve", body)
    assert status == 422 and reply["field"] == field, reply


# -- audio ----------------------------------------------------------------------------


def test_uploaded_audio_reaches_the_resolver_and_its_error_is_422(client: Client) -> None:
    junk = b"this is not a wav file"
    body, kind = multipart({"session": "a"}, {"audio": junk})
    status, reply = client.request("POST", "/v1/resolve", raw=body, content_type=kind)
    assert status == 422 and reply["field"] == "audio" and reply["error"]
    status, reply = client.request(
        "POST", "/v1/resolve", {"session": "a", "audio_wav": base64.b64encode(junk).decode()})
    assert status == 422 and reply["field"] == "audio" and reply["error"]


def test_multipart_text_turn(client: Client) -> None:
    body, kind = multipart({"session": "m", "text": "turn on the desk lamp"}, {})
    status, turn = client.request("POST", "/v1/resolve", raw=body, content_type=kind)
    assert status == 200 and calls(turn) == [("light.turn_on", ["light.desk_lamp"])]


# -- errors ---------------------------------------------------------------------------


def test_bad_json_is_400_with_the_parse_error(client: Client) -> None:
    status, body = client.request("POST", "/v1/resolve", raw=b'{"text": "hi",}')
    assert status == 400
    assert body["error"].startswith("bad JSON:") and "line 1 column" in body["error"]
    status, body = client.request("POST", "/v1/events", raw=b"[1, 2]")
    assert status == 400 and "object" in body["error"]


def test_oversized_bodies_are_413(server: BackgroundServer, client: Client) -> None:
    limits = Limits()
    big_event = {"entity_id": "light.desk_lamp", "state": "on",
                 "attributes": {"note": "x" * (limits.json_bytes + 1)}}
    status, body = client.request("POST", "/v1/events", big_event)
    assert status == 413 and "limit" in body["error"]
    status, body = client.request("POST", "/v1/resolve",
                                  {"text": "x" * (limits.json_bytes + 1)})
    assert status == 413
    status, body = client.request("POST", "/v1/resolve", raw=b"x" * (limits.json_bytes + 1))
    assert status == 413
    audio, kind = multipart({"session": "a"}, {"audio": b"\0" * (limits.audio_bytes + 1)})
    status, body = client.request("POST", "/v1/resolve", raw=audio, content_type=kind)
    assert status == 413 and body["field"] == "audio"
    # The service still answers after refusing.
    assert client.request("GET", "/v1/health")[0] == 200


def test_session_limit(resolver: Resolver) -> None:
    with BackgroundServer(resolver, limits=Limits(sessions=2)) as running:
        client = Client(running.url)
        client.say("hello", session="one")
        client.event("light.desk_lamp", "on", session="two")
        status, body = client.request("POST", "/v1/resolve", {"session": "3", "text": "hi"})
        assert status == 429 and body["field"] == "session"
        assert client.say("hello", session="one")["session"] == "one"


def test_token_required_when_configured(secured: BackgroundServer) -> None:
    anonymous = Client(secured.url)
    status, body = anonymous.request("GET", "/v1/health")
    assert status == 401 and "bearer token" in body["error"]
    status, body = anonymous.request("POST", "/v1/resolve", {"text": "turn on the desk lamp"})
    assert status == 401
    wrong = Client(secured.url, token="guess")
    status, body = wrong.request("POST", "/v1/events",
                                 {"entity_id": "light.desk_lamp", "state": "on"})
    assert status == 401 and body["error"] == "wrong bearer token"
    assert wrong.request("GET", "/v1/nowhere")[0] == 401   # routes are not disclosed
    good = Client(secured.url, token=TOKEN)
    assert good.request("GET", "/v1/health")[0] == 200
    assert calls(good.say("turn on the desk lamp", session="t")) == [
        ("light.turn_on", ["light.desk_lamp"])]


def test_unknown_session_is_404_and_get_does_not_create_it(client: Client) -> None:
    status, body = client.session("never-used")
    assert status == 404 and "never-used" in body["error"]
    assert client.session("never-used")[0] == 404
    client.say("hello", session="never-used")
    assert client.session("never-used")[0] == 200


def test_unknown_route_and_wrong_method_are_json(client: Client) -> None:
    status, body = client.request("GET", "/v1/nothing-here")
    assert status == 404 and "/v1/nothing-here" in body["error"]
    status, body = client.request("GET", "/")
    assert status == 404
    status, body = client.request("GET", "/v1/resolve")
    assert status == 405 and "GET" in body["error"]


def test_internal_error_is_500_json_without_traceback(
        resolver: Resolver, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(resolver, "resolve", broken)
    status, body = client.request("POST", "/v1/resolve", {"text": "hi"})
    assert status == 500
    assert "secret" not in body["error"] and "Traceback" not in json.dumps(body)


def test_health(client: Client, resolver: Resolver) -> None:
    status, body = client.request("GET", "/v1/health")
    assert status == 200
    assert body == {"status": "ok", "entities": len(resolver.home.entities), "proposer": False}


def test_concurrent_clients_lose_no_events(client: Client) -> None:
    errors: list[str] = []

    def worker(index: int) -> None:
        session = f"worker-{index}"
        for seq in range(30):
            status, body = client.event("cover.garage_door", "open", {"seq": seq},
                                        session=session)
            if status != 200:
                errors.append(str(body))
            turn = client.say("turn on the kitchen light", session=session)
            if calls(turn) != [("light.turn_on", ["light.kitchen_light"])]:
                errors.append(str(turn["actions"]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for index in range(6):
        _, view = client.session(f"worker-{index}")
        assert view["state"]["cover.garage_door"]["attributes"]["seq"] == 29
        assert view["turns"] == 30


# -- the command line -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_command_announces_requires_env_token_and_stops_on_ctrl_c() -> None:
    port = _free_port()
    env = {**os.environ, "RESOLVER_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "resolver", "serve", "--home", str(DEMO_HOME),
         "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        client = Client(f"http://127.0.0.1:{port}", token=TOKEN)
        deadline = time.monotonic() + 60
        while True:
            try:
                status, health = client.request("GET", "/v1/health")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert status == 200 and health["entities"] > 0
        assert isinstance(health["proposer"], bool)
        assert Client(client.url).request("GET", "/v1/health")[0] == 401
        assert calls(client.say("turn on the desk lamp")) == [
            ("light.turn_on", ["light.desk_lamp"])]
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert f"http://127.0.0.1:{port}/v1/" in stderr
    assert "token is required" in stderr
    assert "stopped" in stderr and "Traceback" not in stderr
