"""Load on the HTTP service: client threads send turns, state events and session reads.

Starts ``python -m resolver serve`` on a free loopback port (demo home, proposer as the
command loads it), then each client thread keeps one connection and sends its share of a
mix of turns, state events and session reads over sessions of its own, until its count is
done or the time bound is reached. Afterwards every session is read back: each event
entity must show the last event sent to it (a sequence number in its attributes) and the
turn count must equal the turns sent. Then Ctrl-C stops the server, which must exit 0.
Prints a Markdown table on stdout; progress goes to stderr.

    .venv/bin/python bench/load.py [--threads 8] [--requests 500] [--seconds 120]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from _common import ROOT, markdown_table

DEMO_HOME = ROOT / "demo" / "home.yaml"
SESSIONS_PER_THREAD = 4
# Turns touch lights only; events touch other entities, so a turn never overwrites an
# event and the last event sent must be what the session shows at the end.
TURNS = (
    "turn on the kitchen light",
    "turn it off",
    "set the desk lamp to 30 percent",
    "make it brighter",
    "turn off the light",
    "the kitchen one",
    "turn off all the lights except the kitchen",
    "never mind",
    "turn on the bedroom light and the hallway light",
    "is the front door open",
)
EVENT_ENTITIES = ("cover.garage_door", "binary_sensor.front_door_contact",
                  "sensor.outside_temperature")
EVENT_STATES = {"cover.garage_door": ("open", "closed"),
                "binary_sensor.front_door_contact": ("on", "off"),
                "sensor.outside_temperature": ("18.5", "21.0", "23.5")}
MIX = (("turn", 0.55), ("event", 0.35), ("read", 0.10))


@dataclass(slots=True)
class Tally:
    """What one client thread sent and saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    turns: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last_event: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    done: int = 0
    finished: float = 0.0
    """When the thread sent its last request (perf_counter)."""


class Connection:
    """One kept-alive HTTP connection that reconnects when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send one request; returns the status and the decoded JSON body."""
        payload = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, json.loads(data)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def client(index: int, port: int, requests: int, deadline: float, seed: int,
           tally: Tally, counter: list[int], lock: threading.Lock) -> None:
    """Send ``requests`` requests (or fewer when the deadline comes) over own sessions."""
    rng = random.Random(seed * 1000 + index)
    sessions = [f"load-{index}-{k}" for k in range(SESSIONS_PER_THREAD)]
    kinds, weights = zip(*MIX)
    sequence = 0
    connection = Connection("127.0.0.1", port)
    try:
        for _ in range(requests):
            if time.monotonic() > deadline:
                break
            session = rng.choice(sessions)
            kind = rng.choices(kinds, weights)[0]
            if kind == "read" and tally.turns[session] == 0 and not any(
                    key[0] == session for key in tally.last_event):
                kind = "turn"   # a session no request has used yet would be a 404
            started = time.perf_counter()
            try:
                if kind == "turn":
                    status, body = connection.call("POST", "/v1/resolve", {
                        "session": session, "text": rng.choice(TURNS)})
                    tally.turns[session] += 1
                elif kind == "event":
                    entity = rng.choice(EVENT_ENTITIES)
                    state = rng.choice(EVENT_STATES[entity])
                    sequence += 1
                    status, body = connection.call("POST", "/v1/events", {
                        "session": session, "entity_id": entity, "state": state,
                        "attributes": {"seq": sequence}})
                    tally.last_event[(session, entity)] = (state, sequence)
                else:
                    status, body = connection.call("GET", f"/v1/sessions/{session}")
            except (OSError, http.client.HTTPException, ValueError) as err:
                tally.errors.append(f"{kind}: {type(err).__name__}: {err}")
                continue
            tally.latencies[kind].append(time.perf_counter() - started)
            if status != 200:
                tally.errors.append(f"{kind}: HTTP {status}: {body}")
            tally.done += 1
            with lock:
                counter[0] += 1
    finally:
        tally.finished = time.perf_counter()
        connection.close()


@dataclass(slots=True)
class Check:
    """Every session read back after the load."""

    events: int = 0
    """(session, entity) pairs whose last event was compared."""
    lost: list[str] = field(default_factory=list)
    sessions: int = 0
    wrong_turns: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def check_sessions(port: int, tallies: list[Tally]) -> Check:
    """Read every session back and compare it with what was sent."""
    connection = Connection("127.0.0.1", port)
    check = Check()
    try:
        for tally in tallies:
            sessions = set(tally.turns) | {session for session, _ in tally.last_event}
            for session in sorted(sessions):
                status, view = connection.call("GET", f"/v1/sessions/{session}")
                if status != 200:
                    check.unreadable.append(f"{session}: HTTP {status}")
                    continue
                for (owner, entity), (state, seq) in tally.last_event.items():
                    if owner != session:
                        continue
                    check.events += 1
                    seen = view["state"][entity]
                    if seen["state"] != state or seen["attributes"].get("seq") != seq:
                        check.lost.append(f"{session} {entity}: sent {state}#{seq}, "
                                        f"shows {seen['state']}#{seen['attributes'].get('seq')}")
                check.sessions += 1
                if view["turns"] != tally.turns[session]:
                    check.wrong_turns.append(f"{session}: sent {tally.turns[session]} turns, "
                                    f"it counts {view['turns']}")
    finally:
        connection.close()
    return check


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, timeout: float) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """``python -m resolver serve`` on ``port``; waits for its health check."""
    process = subprocess.Popen(
        [sys.executable, "-m", "resolver", "serve", "--home", str(DEMO_HOME),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.communicate()[1]}")
        try:
            connection = Connection("127.0.0.1", port)
            status, health = connection.call("GET", "/v1/health")
            connection.close()
            if status == 200:
                return process, health
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start in time")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def main() -> int:
    """Run the load and print the table; exit 1 on errors or lost events."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=500, help="requests per thread")
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="stop sending after this long")
    parser.add_argument("--seed", type=int, default=5, help="random seed of the mix")
    args = parser.parse_args()

    port = free_port()
    print(f"starting the server on 127.0.0.1:{port} ...", file=sys.stderr)
    process, health = start_server(port, timeout=120)
    tallies = [Tally() for _ in range(args.threads)]
    counter, lock = [0], threading.Lock()
    total = args.threads * args.requests
    try:
        started = time.perf_counter()
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(
            i, port, args.requests, deadline, args.seed, tallies[i], counter, lock))
            for i in range(args.threads)]
        for thread in threads:
            thread.start()
        live = sys.stderr.isatty()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=1.0 if live else 5.0)
                print(f"{counter[0]}/{total} requests", end="\r" if live else "\n",
                      file=sys.stderr, flush=True)
        elapsed = max(tally.finished for tally in tallies) - started
        print(file=sys.stderr)
        check = check_sessions(port, tallies)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, server_log = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, server_log = process.communicate()
    clean_exit = process.returncode == 0

    errors = [error for tally in tallies for error in tally.errors]
    done = sum(tally.done for tally in tallies)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for tally in tallies:
        for kind, values in tally.latencies.items():
            by_kind[kind].extend(values)
    everything = [v for values in by_kind.values() for v in values]
    rows = []
    names = {"turn": "turn (POST /v1/resolve)", "event": "state event (POST /v1/events)",
             "read": "session read (GET /v1/sessions/{id})"}
    for kind, _ in MIX:
        values = by_kind.get(kind, [])
        if values:
            rows.append([names[kind], len(values), "",
                         f"{1000 * statistics.median(values):.2f}",
                         f"{1000 * percentile(values, 0.99):.2f}", ""])
    rows.append(["**all**", len(everything), f"{done / elapsed:.0f}",
                 f"{1000 * statistics.median(everything):.2f}",
                 f"{1000 * percentile(everything, 0.99):.2f}", len(errors)])
    print(f"{args.threads} client threads x {args.requests} requests "
          f"({done}/{total} done in {elapsed:.1f} s, bound {args.seconds:.0f} s), "
          f"{args.threads * SESSIONS_PER_THREAD} sessions, one kept-alive connection a "
          f"thread; server: `python -m resolver serve --home demo/home.yaml`, "
          f"{health['entities']} entities, text proposer "
          f"{'on' if health['proposer'] else 'off'}.\n")
    print(markdown_table(["requests", "count", "req/s", "median ms", "p99 ms", "errors"],
                         rows))
    print(f"\nState events lost: {len(check.lost)} of {check.events} (session, entity) "
          f"last events checked; turn counts wrong: {len(check.wrong_turns)} of "
          f"{check.sessions} sessions; sessions unreadable: {len(check.unreadable)}; "
          f"server exit on Ctrl-C: {process.returncode}"
          f"{' (clean)' if clean_exit else ''}.")
    problems = check.lost + check.wrong_turns + check.unreadable
    for line in (errors + problems)[:20]:
        print(f"  {line}", file=sys.stderr)
    if not clean_exit:
        print(server_log[-2000:], file=sys.stderr)
    return 0 if not errors and not problems and clean_exit and done == total else 1


if __name__ == "__main__":
    sys.exit(main())
