"""Latency per text utterance, single thread: the resolver beside hassil on the same sentences.

Both matchers run in one process on HA's flat English test sentences in HA's fixture home,
loaded first (load time and first call reported as cold), then one warm-up pass and
`--repeat` timed passes, interleaved per sentence with the first matcher alternating. Peak
resident memory comes from a fresh subprocess per matcher. `--multi-turn` also times the
turns of a few dialogs on the demo home (the resolver only; hassil keeps no dialog context).
The machine may be shared and noisy: quote medians and ratios.

    .venv/bin/python bench/latency.py [--repeat N] [--limit N] [--multi-turn] [--json PATH]
"""

from __future__ import annotations

import os

# Before any import that may start a thread pool, so that "single thread" is honest.
for _variable in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
    "RAYON_NUM_THREADS",
):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import gc
import json
import math
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _common import (
    HA_FIXTURE,
    HA_TESTS_FLAT,
    ROOT,
    Home,
    call_pairs,
    markdown_table,
    progress,
)
from ha_tests import Case, HassilMatcher, load_cases

DEMO_HOME = ROOT / "demo" / "home.yaml"
# The one utterance a memory child resolves (no context, a target in the fixture home).
CHILD_TEXT = "turn off the lights in the living room"
MATCHERS = ("ours", "hassil")
CHILD_KINDS = (*MATCHERS, "baseline")


# --------------------------------------------------------------------------- matchers


def load_resolver(home: Path) -> Any:
    """The resolver from the working tree over a home file."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from resolver import Resolver

    return Resolver.from_files(str(home))


@dataclass(slots=True)
class Timed:
    """A matcher reduced to one call per sentence, with how many calls raised."""

    name: str
    call: Callable[[Case, str], Any]
    """Resolve a sentence; the string is a session id that is new for every call."""
    errors: int = 0
    first_error: str | None = None

    def time_ns(self, case: Case, session: str) -> int:
        """Nanoseconds of one call; an exception is counted, and the time still recorded."""
        start = time.perf_counter_ns()
        try:
            self.call(case, session)
        except Exception as error:  # noqa: BLE001 (a crash still took this long)
            elapsed = time.perf_counter_ns() - start
            self.errors += 1
            self.first_error = self.first_error or f"{type(error).__name__}: {error}"
            return elapsed
        return time.perf_counter_ns() - start


def ours_call(resolver: Any) -> Callable[[Case, str], Any]:
    """One resolver call: a fresh session, the test's area as the speaker's area."""

    def call(case: Case, session: str) -> Any:
        return resolver.resolve(case.text, session=session, area=(case.context or {}).get("area"))

    return call


def hassil_call(matcher: HassilMatcher) -> Callable[[Case, str], Any]:
    """One hassil call: `recognize_best` as the HA benchmark makes it."""

    def call(case: Case, session: str) -> Any:
        return matcher.recognize(case.text, case.context)

    return call


# --------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True, slots=True)
class Summary:
    """Milliseconds per call over every timed call."""

    calls: int
    median: float
    p90: float
    p99: float
    mean: float
    max: float

    @staticmethod
    def of(nanoseconds: Sequence[int]) -> Summary:
        """Summarize raw perf_counter_ns durations."""
        ms = [n / 1e6 for n in nanoseconds]
        if not ms:
            nan = float("nan")
            return Summary(0, nan, nan, nan, nan, nan)
        return Summary(
            calls=len(ms),
            median=statistics.median(ms),
            p90=percentile(ms, 90),
            p99=percentile(ms, 99),
            mean=statistics.fmean(ms),
            max=max(ms),
        )


def ms(value: float) -> str:
    """Milliseconds with a precision that suits their size."""
    if math.isnan(value):
        return "-"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def ratio(a: float, b: float) -> str:
    """a/b with two decimals, or a dash."""
    return "-" if math.isnan(a) or math.isnan(b) or not b else f"{a / b:.2f}"


# --------------------------------------------------------------------------- single sentences


@dataclass(frozen=True, slots=True)
class Cold:
    """What loading and the first call cost in one process."""

    load_ms: float
    first_call_ms: float


def load_cold(case: Case) -> tuple[dict[str, Timed], dict[str, Cold]]:
    """Load both matchers, timing each load and its first call on `case`."""
    timed: dict[str, Timed] = {}
    cold: dict[str, Cold] = {}
    start = time.perf_counter_ns()
    resolver = load_resolver(HA_FIXTURE)
    loaded = time.perf_counter_ns()
    timed["ours"] = Timed("ours", ours_call(resolver))
    first = timed["ours"].time_ns(case, "latency-cold")
    cold["ours"] = Cold((loaded - start) / 1e6, first / 1e6)

    start = time.perf_counter_ns()
    matcher = HassilMatcher(Home.from_yaml(HA_FIXTURE))
    loaded = time.perf_counter_ns()
    timed["hassil"] = Timed("hassil", hassil_call(matcher))
    first = timed["hassil"].time_ns(case, "latency-cold")
    cold["hassil"] = Cold((loaded - start) / 1e6, first / 1e6)
    return timed, cold


def run_passes(
    cases: Sequence[Case], timed: Mapping[str, Timed], repeat: int
) -> dict[str, list[list[int]]]:
    """One warm-up pass, then `repeat` timed passes; per matcher, per sentence, the durations."""
    samples: dict[str, list[list[int]]] = {name: [[] for _ in cases] for name in MATCHERS}
    for run in range(repeat + 1):
        label = "warm-up" if run == 0 else f"pass {run}/{repeat}"
        gc.collect()
        for case in progress(cases, label):
            # Alternate who goes first, so neither always runs on the other's warm caches.
            order = MATCHERS if (run + case.index) % 2 == 0 else MATCHERS[::-1]
            for name in order:
                elapsed = timed[name].time_ns(case, f"latency-{name}-{run}-{case.index}")
                if run > 0:
                    samples[name][case.index].append(elapsed)
    return samples


def latency_table(cases: Sequence[Case], samples: Mapping[str, list[list[int]]]) -> str:
    """Per matcher: sentences, calls, median, p90, p99, mean, max; then ours/hassil."""
    summaries = {name: Summary.of([n for per in samples[name] for n in per]) for name in MATCHERS}
    header = ["matcher", "sentences", "calls", "median ms", "p90 ms", "p99 ms", "mean ms", "max ms"]
    rows = [
        [name, len(cases), s.calls, ms(s.median), ms(s.p90), ms(s.p99), ms(s.mean), ms(s.max)]
        for name, s in summaries.items()
    ]
    ours, hassil = summaries["ours"], summaries["hassil"]
    rows.append(
        [
            "**ours / hassil**",
            "",
            "",
            f"**{ratio(ours.median, hassil.median)}**",
            ratio(ours.p90, hassil.p90),
            ratio(ours.p99, hassil.p99),
            ratio(ours.mean, hassil.mean),
            ratio(ours.max, hassil.max),
        ]
    )
    return markdown_table(header, rows)


def slowest_table(
    cases: Sequence[Case], samples: Mapping[str, list[list[int]]], count: int = 5
) -> str:
    """The sentences with the highest median per matcher."""
    rows = []
    for name in MATCHERS:
        medians = [(statistics.median(per) / 1e6, i) for i, per in enumerate(samples[name]) if per]
        for median, index in sorted(medians, reverse=True)[:count]:
            rows.append([name, ms(median), f"“{cases[index].text}”"])
    return markdown_table(["matcher", "median ms", "sentence"], rows, align="lrl")


# --------------------------------------------------------------------------- memory


def child(kind: str) -> int:
    """In a fresh process: load one matcher, resolve one utterance, print the peak RSS as JSON."""
    start = time.perf_counter_ns()
    call: Callable[[], Any]
    if kind == "ours":
        resolver = load_resolver(HA_FIXTURE)

        def call() -> Any:
            return resolver.resolve(CHILD_TEXT, session="latency-child")

    elif kind == "hassil":
        matcher = HassilMatcher(Home.from_yaml(HA_FIXTURE))

        def call() -> Any:
            return matcher.recognize(CHILD_TEXT, None)

    else:  # the interpreter with this script's own imports, for reference

        def call() -> Any:
            return None

    loaded = time.perf_counter_ns()
    call()
    done = time.perf_counter_ns()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    print(
        json.dumps(
            {
                "kind": kind,
                "maxrss_kb": peak_kb,
                "vmhwm_kb": _vmhwm_kb(),
                "load_ms": (loaded - start) / 1e6,
                "first_call_ms": (done - loaded) / 1e6,
            }
        )
    )
    return 0


def _vmhwm_kb() -> int | None:
    """This process's own peak resident set (Linux `VmHWM`), a cross-check of ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def measure_children() -> dict[str, dict[str, Any]]:
    """Run every `--child` kind in its own interpreter and collect what each prints."""
    results: dict[str, dict[str, Any]] = {}
    for kind in CHILD_KINDS:
        process = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", kind],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )
        lines = process.stdout.strip().splitlines()
        if process.returncode != 0 or not lines:
            error = (process.stderr.strip().splitlines() or ["no output"])[-1]
            results[kind] = {"kind": kind, "error": f"exit {process.returncode}: {error}"}
        else:
            results[kind] = json.loads(lines[-1])
    return results


def cold_table(cold: Mapping[str, Cold], children: Mapping[str, Mapping[str, Any]]) -> str:
    """Load and first-call times (in this process and in a fresh one) and peak RSS."""
    rows = []
    for kind in CHILD_KINDS:
        in_process = cold.get(kind)
        fresh = children.get(kind, {})
        peak = fresh.get("maxrss_kb")
        rows.append(
            [
                kind if kind in MATCHERS else "baseline (interpreter + bench imports)",
                ms(in_process.load_ms) if in_process else "",
                ms(in_process.first_call_ms) if in_process else "",
                ms(fresh["load_ms"]) if "load_ms" in fresh and kind in MATCHERS else "",
                ms(fresh["first_call_ms"]) if "first_call_ms" in fresh and kind in MATCHERS else "",
                f"{peak / 1024:.1f}" if peak is not None else fresh.get("error", "-"),
            ]
        )
    header = [
        "matcher",
        "load ms",
        "first call ms",
        "fresh process: load ms",
        "first call ms",
        "peak RSS MB",
    ]
    return markdown_table(header, rows)


# --------------------------------------------------------------------------- multi-turn


@dataclass(frozen=True, slots=True)
class Dialog:
    """Turns said one after another in one session, in one area of the demo home."""

    area: str
    turns: tuple[tuple[str, str], ...]
    """(text, the service the turn should call)."""


# Plain commands the resolver handles today; a later change can add context turns here.
DIALOGS: tuple[Dialog, ...] = (
    Dialog(
        "kitchen",
        (
            ("turn on the kitchen light", "light.turn_on"),
            ("set the kitchen light to 40%", "light.turn_on"),
            ("set the kitchen light brightness to 80 percent", "light.turn_on"),
            ("turn off the kitchen light", "light.turn_off"),
        ),
    ),
    Dialog(
        "hallway",
        (
            ("turn on the hallway light", "light.turn_on"),
            ("lock the front door", "lock.lock"),
            ("unlock the front door", "lock.unlock"),
            ("lock the back door", "lock.lock"),
            ("turn off the hallway light", "light.turn_off"),
        ),
    ),
    Dialog(
        "living_room",
        (
            ("open the living room blinds", "cover.open_cover"),
            ("set the floor lamp to 30%", "light.turn_on"),
            ("close the living room blinds", "cover.close_cover"),
            ("turn off the floor lamp", "light.turn_off"),
        ),
    ),
    Dialog(
        "office",
        (
            ("turn off the light", "light.turn_off"),
            ("turn on the desk lamp", "light.turn_on"),
            ("set the desk lamp to 70%", "light.turn_on"),
            ("open the office window", "cover.open_cover"),
            ("lock the garage side door", "lock.lock"),
        ),
    ),
    Dialog(
        "bedroom",
        (
            ("turn on the bedroom light", "light.turn_on"),
            ("set the bedroom light brightness to 30 percent", "light.turn_on"),
            ("open the bedroom curtains", "cover.open_cover"),
            ("close the bedroom curtains", "cover.close_cover"),
            ("turn off the bedroom light", "light.turn_off"),
        ),
    ),
    Dialog(
        "living_room",
        (
            ("turn on the floor lamp", "light.turn_on"),
            ("make it brighter", "light.turn_on"),
            ("turn it off", "light.turn_off"),
            ("and the tv backlight", "light.turn_off"),
            ("never mind", "light.turn_on"),
            ("don't turn on the hallway light", "light.turn_off"),
            ("is the front door locked?", ""),
            ("lock the door", ""),
            ("the front one", "lock.lock"),
        ),
    ),
)


@dataclass(slots=True)
class TurnTiming:
    """One turn of a dialog: its durations over the passes and what it called last."""

    dialog: int
    turn: int
    area: str
    text: str
    expected: str
    services: list[str] = field(default_factory=list)
    nanoseconds: list[int] = field(default_factory=list)
    error: str | None = None


def run_dialogs(repeat: int) -> tuple[float, list[TurnTiming]]:
    """Load the demo home, then time every turn; each pass gives every dialog a new session."""
    start = time.perf_counter_ns()
    resolver = load_resolver(DEMO_HOME)
    load_ms = (time.perf_counter_ns() - start) / 1e6
    timings = [
        TurnTiming(d, t, dialog.area, text, expected)
        for d, dialog in enumerate(DIALOGS)
        for t, (text, expected) in enumerate(dialog.turns)
    ]
    for run in range(repeat + 1):
        label = "dialogs warm-up" if run == 0 else f"dialogs pass {run}/{repeat}"
        gc.collect()
        for timing in progress(timings, label):
            session = f"latency-dialog-{run}-{timing.dialog}"
            begin = time.perf_counter_ns()
            try:
                result = resolver.resolve(timing.text, session=session, area=timing.area)
            except Exception as error:  # noqa: BLE001 (a crash is reported in the table)
                elapsed = time.perf_counter_ns() - begin
                timing.error = f"{type(error).__name__}: {error}"
                result = None
            else:
                elapsed = time.perf_counter_ns() - begin
            if run > 0:
                timing.nanoseconds.append(elapsed)
            if result is not None:
                timing.services = sorted({s for s, _, _ in call_pairs(result.actions or ())})
    return load_ms, timings


def dialogs_table(timings: Sequence[TurnTiming]) -> str:
    """Per turn: the dialog, the text, what it called, median and p90; then all turns."""
    rows = []
    for timing in timings:
        summary = Summary.of(timing.nanoseconds)
        acted = timing.error or ", ".join(timing.services) or "(none)"
        wanted = [timing.expected] if timing.expected else []
        mark = "" if timing.error is None and timing.services == wanted else " ✗"
        rows.append(
            [
                f"{timing.dialog + 1}.{timing.turn + 1}",
                timing.area,
                f"“{timing.text}”",
                acted + mark,
                ms(summary.median),
                ms(summary.p90),
            ]
        )
    everything = Summary.of([n for t in timings for n in t.nanoseconds])
    later = Summary.of([n for t in timings if t.turn > 0 for n in t.nanoseconds])
    rows.append(["**all turns**", "", "", "", ms(everything.median), ms(everything.p90)])
    rows.append(["turns after the first", "", "", "", ms(later.median), ms(later.p90)])
    header = ["turn", "area", "said", "called", "median ms", "p90 ms"]
    return markdown_table(header, rows, align="llllrr")


# --------------------------------------------------------------------------- main


def _version(package: str) -> str:
    """An installed package's version, or a dash."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def main(argv: Sequence[str] | None = None) -> int:
    """Time both matchers, measure their memory, print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="timed passes")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="first N sentences")
    parser.add_argument("--multi-turn", action="store_true", help="also time demo-home dialogs")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="raw numbers")
    parser.add_argument("--child", choices=CHILD_KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    load_before = os.getloadavg()
    # First, while this process is small: a child's ru_maxrss starts from its parent's
    # resident size at the fork, so children spawned after loading would all read high.
    children = measure_children()
    cases = load_cases(HA_TESTS_FLAT, Home.from_yaml(HA_FIXTURE), args.limit)
    if not cases:
        parser.error("no sentences")
    timed, cold = load_cold(cases[0])
    samples = run_passes(cases, timed, args.repeat)
    dialog_load_ms: float | None = None
    timings: list[TurnTiming] = []
    if args.multi_turn:
        dialog_load_ms, timings = run_dialogs(args.repeat)
    load_after = os.getloadavg()

    print("## Latency per text utterance, single thread\n")
    print(
        f"{len(cases)} sentences from `{HA_TESTS_FLAT.name}` in HA's fixture home; one warm-up "
        f"pass, then {args.repeat} timed passes, ours and hassil interleaved per sentence. "
        f"Python {platform.python_version()}, hassil {_version('hassil')}, "
        f"home-assistant-intents {_version('home-assistant-intents')}, {os.cpu_count()} CPUs, "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after."
    )
    print()
    print(latency_table(cases, samples))
    for matcher in timed.values():
        if matcher.errors:
            print(f"\n{matcher.name}: {matcher.errors} calls raised, first: {matcher.first_error}")
    print("\n### Cold start and memory\n")
    print(
        f"In this process: load, then the first call (“{cases[0].text}”). In a fresh process "
        f"per matcher: imports and load, the first call (“{CHILD_TEXT}”), peak RSS "
        "(`ru_maxrss`)."
    )
    print()
    print(cold_table(cold, children))
    print("\n### Slowest sentences\n")
    print(slowest_table(cases, samples))
    if args.multi_turn:
        print("\n### Multi-turn dialogs on the demo home (ours)\n")
        print(
            f"{len(DIALOGS)} dialogs, {len(timings)} turns, one session per dialog and pass; "
            f"load {ms(dialog_load_ms or float('nan'))} ms. ✗ marks a turn that did not make "
            "the expected call."
        )
        print()
        print(dialogs_table(timings))
    if args.json is not None:
        raw = {
            "repeat": args.repeat,
            "load_average": {"before": load_before, "after": load_after},
            "sentences": [
                {
                    "text": case.text,
                    "context": case.context,
                    **{f"{name}_ns": samples[name][case.index] for name in MATCHERS},
                }
                for case in cases
            ],
            "summary": {
                name: asdict(Summary.of([n for per in samples[name] for n in per]))
                for name in MATCHERS
            },
            "errors": {name: timed[name].errors for name in MATCHERS},
            "cold": {name: asdict(value) for name, value in cold.items()},
            "memory": children,
            "multi_turn": (
                {"load_ms": dialog_load_ms, "turns": [asdict(t) for t in timings]}
                if args.multi_turn
                else None
            ),
        }
        args.json.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
        print(f"\nRaw numbers: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
