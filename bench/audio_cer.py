"""Audio models side by side on the held-out festival voices: greedy spelling and intent.

Each model (an exported ``.onnx`` file with its card, the ``.json`` beside it; the committed
one by default) runs once on every utterance of ``bench/audio.py``'s held-out set that the
cache holds, and the table gives, per voice and noise level, the greedy transcript's
character error (edits / characters said), its exact sentences, and the intent head's top-1
where the utterance has a label (the text's intent, read from the records a
``bench/audio.py --json cache/bench_audio*.json`` run left). No decoder, no listener: a quick
comparison of networks before the whole benchmark.

    .venv/bin/python bench/audio_cer.py [MODEL.onnx ...] [--voices ked,kal] [--noise clean,10]
                                        [--limit 128] [--by-set]

Needs the held-out set on disk: ``bench/audio.py`` synthesizes it (festival) the first time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from _common import ROOT, markdown_table, progress
from audio import CACHE, Rendering

from resolver.neural.audio_infer import AudioModel, greedy_transcript
from resolver.neural.synth import dialog_pool, read_wav, spoken_form
from resolver.neural.train_audio import edit_distance
from resolver.speech.audio import load_audio

COMMITTED = ROOT / "resolver" / "neural" / "audio_model.onnx"
LIMIT = 128
"""Utterances per voice by default (the same ones for every model: the index's first)."""


def renderings(voices: Sequence[str], limit: int) -> dict[str, list[Rendering]]:
    """The cached renderings of each voice, in index order, at most ``limit`` (0: all)."""
    index = CACHE / "index.jsonl"
    if not index.is_file():
        return {}
    chosen: dict[str, list[Rendering]] = {voice: [] for voice in voices}
    for line in index.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        group = chosen.get(row["voice"])
        if group is not None and (limit <= 0 or len(group) < limit):
            group.append(Rendering(**row))
    return {voice: rows for voice, rows in chosen.items() if rows}


def by_set(rows: Sequence[Rendering], golden: set[str] | None
           ) -> list[tuple[str, list[Rendering]]]:
    """The renderings as one group, or, given the golden dialogs' sentences as said, split
    into those and the others (SLURP's), which no training corpus says."""
    if golden is None:
        return [("", list(rows))]
    return [("dialogs", [r for r in rows if r.said in golden]),
            ("SLURP", [r for r in rows if r.said not in golden])]


def labels() -> dict[str, str]:
    """Intent labels by spoken text, from the benchmark's last JSON records when present."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "cache").glob("bench_audio*.json")):
        try:
            records = json.loads(path.read_text(encoding="utf-8")).get("records", [])
        except (OSError, ValueError, AttributeError):
            continue
        for record in records:
            if isinstance(record, dict) and record.get("said") and record.get("label"):
                found[record["said"]] = record["label"]
    return found


def measure(model: AudioModel, rows: Sequence[Rendering], noise: str,
            intents: dict[str, str]) -> dict[str, float]:
    """Character error, exact share and intent top-1 of one model on one voice and noise."""
    edits = chars = exact = heard = 0
    right = labelled = 0
    for row in rows:
        path = row.path(noise)
        if not path.is_file():
            continue
        samples, rate = read_wav(path)
        scores = model.scores(load_audio(np.asarray(samples, dtype=np.float32), rate))
        text = greedy_transcript(scores.logprobs, model.alphabet)
        said = row.said
        edits += edit_distance(text, said)
        chars += len(said)
        exact += text == said
        heard += 1
        if said in intents:
            labelled += 1
            right += scores.intents[0][0] == intents[said]
    return {"utterances": heard, "cer": 100.0 * edits / max(chars, 1),
            "exact": 100.0 * exact / max(heard, 1),
            "intent": 100.0 * right / labelled if labelled else float("nan")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path, default=[COMMITTED],
                        help="exported .onnx files, each with its .json card beside it")
    parser.add_argument("--voices", default="ked,kal", help="comma-separated festival voices")
    parser.add_argument("--noise", default="clean,10", help="comma-separated, of clean, 20, 10, 5")
    parser.add_argument("--limit", type=int, default=LIMIT, help="utterances per voice (0: all)")
    parser.add_argument("--by-set", action="store_true",
                        help="a row for the golden dialogs' sentences (which training may "
                             "have said in other voices) and one for the others (SLURP's)")
    args = parser.parse_args(argv)
    voices = [v.strip() for v in args.voices.split(",") if v.strip()]
    noises = [n.strip() for n in args.noise.split(",") if n.strip()]
    chosen = renderings(voices, args.limit)
    if not chosen:
        print(f"no held-out renderings in {CACHE}: run bench/audio.py first", file=sys.stderr)
        return 1
    loaded = []
    for onnx in args.models:
        card = onnx.with_suffix(".json")
        if not onnx.is_file() or not card.is_file():
            print(f"{onnx}: needs the model file and its card {card.name} beside it",
                  file=sys.stderr)
            return 1
        loaded.append((onnx, AudioModel.load(onnx, card)))
    intents = labels()
    rows = []
    golden = {spoken_form(s.text) for s in dialog_pool()} if args.by_set else None
    parts = {voice: by_set(rows, golden) for voice, rows in chosen.items()}
    jobs = [(voice, noise, name, part) for voice in chosen for noise in noises
            for name, part in parts[voice]]
    for voice, noise, name, part in progress(jobs, "voices and noise levels"):
        row = [voice, noise, f"{len(part)} {name}".strip()]
        for _, model in loaded:
            figures = measure(model, part, noise, intents)
            row.append(f"{figures['cer']:.1f} / {figures['exact']:.1f} / {figures['intent']:.1f}")
        rows.append(row)
    names = [f"{onnx.parent.name}/{onnx.name}" for onnx, _ in loaded]
    print("Greedy character error % / exact sentences % / intent top-1 % (labelled turns):\n")
    print(markdown_table(["voice", "noise", "utterances", *names], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
