"""The controller example (demo/controller.py) against a fake Home Assistant on loopback."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from resolver import Resolver, ServiceCall

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTROLLER = REPO_ROOT / "demo" / "controller.py"
DEMO_HOME = REPO_ROOT / "demo" / "home.yaml"
TOKEN = "long-lived-test-token"

# What the fake HA reports: states that differ from demo/home.yaml (the kitchen light and
# the coffee maker are off there, the front door unlocked), HA's extra attributes and null
# brightness for an off light, and an entity the home file does not know.
HA_STATES: list[dict[str, Any]] = [
    {"entity_id": "light.kitchen_light", "state": "on",
     "attributes": {"brightness": 255, "color_mode": "color_temp",
                    "supported_color_modes": ["color_temp"], "friendly_name": "Kitchen Light"},
     "last_changed": "2026-11-01T08:00:00+00:00", "last_updated": "2026-11-01T08:00:00+00:00",
     "context": {"id": "01J", "parent_id": None, "user_id": None}},
    {"entity_id": "light.hallway_light", "state": "off",
     "attributes": {"brightness": None, "color_mode": None,
                    "supported_color_modes": ["brightness"], "friendly_name": "Hallway Light"},
     "last_changed": "2026-11-01T08:00:00+00:00", "last_updated": "2026-11-01T08:00:00+00:00",
     "context": {"id": "01K", "parent_id": None, "user_id": None}},
    {"entity_id": "switch.coffee_maker", "state": "on",
     "attributes": {"friendly_name": "Coffee Maker"},
     "last_changed": "2026-11-01T08:00:00+00:00", "last_updated": "2026-11-01T08:00:00+00:00",
     "context": {"id": "01L", "parent_id": None, "user_id": None}},
    {"entity_id": "lock.front_door", "state": "locked",
     "attributes": {"friendly_name": "Front Door", "supported_features": 0},
     "last_changed": "2026-11-01T08:00:00+00:00", "last_updated": "2026-11-01T08:00:00+00:00",
     "context": {"id": "01M", "parent_id": None, "user_id": None}},
    {"entity_id": "sun.sun", "state": "above_horizon",
     "attributes": {"elevation": 21.4, "friendly_name": "Sun"},
     "last_changed": "2026-11-01T08:00:00+00:00", "last_updated": "2026-11-01T08:00:00+00:00",
     "context": {"id": "01N", "parent_id": None, "user_id": None}},
]


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeHomeAssistant:
    """What the fake serves and what it was sent."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    states_body: bytes = json.dumps(HA_STATES).encode()
    changed_states: list[dict[str, Any]] = field(default_factory=list)

    @property
    def service_calls(self) -> list[tuple[str, Any]]:
        """The authorized service calls: (path, JSON body), in order."""
        return [(r.path, r.body) for r in self.requests
                if r.method == "POST" and r.headers.get("Authorization") == f"Bearer {TOKEN}"]


def _handler(fake: FakeHomeAssistant) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes,
                    content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                return True
            self._answer(401, b"401: Unauthorized", "text/plain")
            return False

        def do_GET(self) -> None:
            fake.requests.append(Recorded("GET", self.path, dict(self.headers), None))
            if not self._authorized():
                return
            if self.path != "/api/states":
                self._answer(404, b'{"message": "Not found"}')
                return
            self._answer(200, fake.states_body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            fake.requests.append(Recorded("POST", self.path, dict(self.headers), body))
            if not self._authorized():
                return
            if not self.path.startswith("/api/services/"):
                self._answer(404, b'{"message": "Not found"}')
                return
            self._answer(200, json.dumps(fake.changed_states).encode())

    return Handler


@pytest.fixture
def fake_ha() -> Iterator[FakeHomeAssistant]:
    """A fake Home Assistant on a free loopback port, for one test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = FakeHomeAssistant(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_controller(*args: str, stdin: str = "", env: dict[str, str] | None = None,
                   ) -> subprocess.CompletedProcess[str]:
    """Run demo/controller.py as a person would, with the grammar alone deciding."""
    environment = {k: v for k, v in os.environ.items() if k not in ("HA_URL", "HA_TOKEN")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, str(CONTROLLER), "--no-neural", *args],
        input=stdin, capture_output=True, text=True, cwd=REPO_ROOT, env=environment,
        timeout=60, check=False,
    )


def ha_args(fake: FakeHomeAssistant, token: str = TOKEN) -> list[str]:
    """The options that point the controller at the fake."""
    return ["--ha-url", fake.url, "--ha-token", token]


@pytest.fixture(scope="module")
def controller() -> ModuleType:
    """demo/controller.py imported as a module."""
    spec = importlib.util.spec_from_file_location("controller", CONTROLLER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["controller"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def resolver() -> Resolver:
    """A fresh resolver on the demo home, without the text proposer."""
    return Resolver.from_files(DEMO_HOME, neural=False)


# -- against Home Assistant -----------------------------------------------------------------


def test_initial_states_decide_what_dont_turn_on_means(fake_ha: FakeHomeAssistant) -> None:
    # The home file says the kitchen light is off; Home Assistant says it is on.
    done = run_controller(*ha_args(fake_ha), "--text", "don't turn on the kitchen light")
    assert done.returncode == 0, done.stderr
    assert [(r.method, r.path) for r in fake_ha.requests] == [
        ("GET", "/api/states"), ("POST", "/api/services/light/turn_off")]
    assert fake_ha.service_calls == [("/api/services/light/turn_off",
                                      {"entity_id": ["light.kitchen_light"]})]
    assert "Loaded 4 states" in done.stdout
    assert "skipped 1 entities the home file does not know (sun.sun)" in done.stdout
    assert "Turned off the Kitchen Light." in done.stdout


def test_without_home_assistant_the_home_files_state_holds() -> None:
    done = run_controller("--text", "don't turn on the kitchen light")
    assert done.returncode == 0, done.stderr
    assert "in-memory home only" in done.stdout
    assert "stays off" in done.stdout
    assert "light.turn_off" not in done.stdout


def test_a_plain_command_posts_service_and_flat_body(fake_ha: FakeHomeAssistant) -> None:
    done = run_controller(*ha_args(fake_ha), "--text",
                          "set the bedroom light to 40 percent and unlock the front door")
    assert done.returncode == 0, done.stderr
    assert fake_ha.service_calls == [
        ("/api/services/light/turn_on", {"entity_id": ["light.bedroom_light"],
                                         "brightness_pct": 40}),
        ("/api/services/lock/unlock", {"entity_id": ["lock.front_door"]}),
    ]
    post = fake_ha.requests[-1]
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.headers["Content-Type"] == "application/json"
    assert "(sent to Home Assistant)" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_a_script_is_one_dialog_in_one_session(fake_ha: FakeHomeAssistant,
                                                tmp_path: Path) -> None:
    script = tmp_path / "turns.txt"
    script.write_text("# comments and blank lines are skipped\n\nturn off the coffee maker\n"
                      "turn it on\n\nturn on the light\nmake it brighter\n")
    done = run_controller(*ha_args(fake_ha), "--script", str(script), "--area", "office")
    assert done.returncode == 0, done.stderr
    assert fake_ha.service_calls == [
        ("/api/services/switch/turn_off", {"entity_id": ["switch.coffee_maker"]}),
        ("/api/services/switch/turn_on", {"entity_id": ["switch.coffee_maker"]}),
        ("/api/services/light/turn_on", {"entity_id": ["light.desk_lamp"]}),
        ("/api/services/light/turn_on", {"entity_id": ["light.desk_lamp"],
                                         "brightness_step_pct": 20}),
    ]
    assert [line for line in done.stdout.splitlines() if line.startswith("> ")] == [
        "> turn off the coffee maker", "> turn it on", "> turn on the light",
        "> make it brighter"]


def test_turns_from_standard_input_and_settings_from_the_environment(
        fake_ha: FakeHomeAssistant) -> None:
    done = run_controller(stdin="lock the back door\nopen the garage door\n",
                          env={"HA_URL": fake_ha.url + "/", "HA_TOKEN": TOKEN})
    assert done.returncode == 0, done.stderr
    assert fake_ha.requests[0].path == "/api/states"
    assert fake_ha.service_calls == [
        ("/api/services/lock/lock", {"entity_id": ["lock.back_door"]}),
        ("/api/services/cover/open_cover", {"entity_id": ["cover.garage_door"]}),
    ]


def test_a_wrong_token_is_reported_and_the_loop_goes_on(fake_ha: FakeHomeAssistant) -> None:
    done = run_controller(*ha_args(fake_ha, token="wrong"),
                          stdin="turn on the porch light\nturn on the desk lamp\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("401 Unauthorized") == 3  # the states and both calls
    assert "check --ha-token" in done.stderr
    assert "starting from the home file's states" in done.stdout
    assert "Turned on the Porch Light." in done.stdout
    assert "Turned on the Desk Lamp." in done.stdout
    assert done.stdout.count("FAILED") == 2
    assert [r.headers["Authorization"] for r in fake_ha.requests] == ["Bearer wrong"] * 3
    assert fake_ha.service_calls == []


def test_an_unreachable_home_assistant_is_reported() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    done = run_controller("--ha-url", url, "--ha-token", TOKEN, "--timeout", "2",
                          "--text", "turn on the porch light")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"GET {url}/api/states: cannot reach Home Assistant" in done.stderr
    assert f"POST {url}/api/services/light/turn_on: cannot reach Home Assistant" in done.stderr
    assert "Turned on the Porch Light." in done.stdout


def test_an_answer_that_is_not_json_is_reported(fake_ha: FakeHomeAssistant) -> None:
    fake_ha.states_body = b"<!DOCTYPE html><html><body>Login</body></html>"
    done = run_controller(*ha_args(fake_ha), "--text", "turn on the porch light")
    assert done.returncode == 0, done.stderr
    assert "/api/states: the answer is not JSON" in done.stderr
    assert "<!DOCTYPE html>" in done.stderr
    assert fake_ha.service_calls == [("/api/services/light/turn_on",
                                      {"entity_id": ["light.porch_light"]})]


def test_half_a_configuration_is_a_usage_error(fake_ha: FakeHomeAssistant) -> None:
    done = run_controller("--ha-url", fake_ha.url, "--text", "turn on the porch light")
    assert done.returncode == 2
    assert "--ha-token (or HA_TOKEN) is missing" in done.stderr
    assert fake_ha.requests == []


def test_a_broken_home_file_is_refused_with_its_path(tmp_path: Path) -> None:
    home = tmp_path / "home.yaml"
    home.write_text("areas:\n  - {id: kitchen\n")
    done = run_controller("--home", str(home), "--text", "turn on the light")
    assert done.returncode == 2
    assert str(home) in done.stderr
    assert "Traceback" not in done.stderr


# -- in memory ------------------------------------------------------------------------------


def test_without_home_assistant_calls_change_the_in_memory_home() -> None:
    done = run_controller(stdin="turn on the kitchen light\ndon't turn on the kitchen light\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "in-memory home only" in lines[0]
    assert "  light.turn_on light.kitchen_light  (in memory: light.kitchen_light is on)" in lines
    assert "  light.turn_off light.kitchen_light  (in memory: light.kitchen_light is off)" in lines


# -- the functions, imported ----------------------------------------------------------------


def test_service_body_is_the_targets_and_the_data_flat(controller: ModuleType) -> None:
    call = ServiceCall("climate", "set_temperature", ("climate.thermostat",),
                       {"temperature": 72})
    assert controller.service_body(call) == {"entity_id": ["climate.thermostat"],
                                             "temperature": 72}


def test_load_states_applies_known_entities_and_counts_the_rest(
        controller: ModuleType, resolver: Resolver) -> None:
    loaded = controller.load_states(resolver, HA_STATES + [{"state": "no id"}])
    assert (loaded.applied, loaded.unknown) == (4, ("sun.sun",))
    state = resolver.state("any session")
    assert state["light.kitchen_light"].state == "on"
    assert state["light.kitchen_light"].attributes["brightness"] == 255
    assert state["lock.front_door"].state == "locked"


def test_states_a_call_changed_are_reported_back(controller: ModuleType, resolver: Resolver,
                                                 fake_ha: FakeHomeAssistant) -> None:
    fake_ha.changed_states = [{"entity_id": "light.porch_light", "state": "on",
                               "attributes": {"brightness": 77}}]
    ha = controller.HomeAssistant(fake_ha.url, TOKEN, timeout=5)
    out = io.StringIO()
    calls = controller.run_turn(resolver, "turn on the porch light", ha, "s1", None, out)
    assert [c.name for c in calls] == ["light.turn_on"]
    assert resolver.state("s1")["light.porch_light"].attributes["brightness"] == 77
    assert out.getvalue() == ("Turned on the Porch Light.\n"
                              "  light.turn_on light.porch_light  (sent to Home Assistant)\n")


def test_client_errors_name_the_request_and_the_status(controller: ModuleType,
                                       fake_ha: FakeHomeAssistant) -> None:
    wrong = controller.HomeAssistant(fake_ha.url, "wrong", timeout=5)
    with pytest.raises(controller.HomeAssistantError, match="401 Unauthorized"):
        wrong.states()
    missing = controller.HomeAssistant(fake_ha.url, TOKEN, timeout=5)
    with pytest.raises(controller.HomeAssistantError, match="404 Not Found: .*Not found"):
        missing._request("GET", "/api/nothing")
    assert "wrong" not in repr(wrong)
