"""The listener's fusion weights, on synthesized held-out speech (never festival).

The utterances are the audio model's own held-out split of the training corpus (5% of
``cache/speech``, grouped by transcript, so no sentence was trained on; split as training
splits it, with the default padding kept), kept where every word
is one the demo home's decoder knows. Each is heard once with pocketsphinx always on and every
candidate's scores are kept; then each setting of the weights picks a candidate per utterance
and the table gives how often the pick is exactly what was said, and how often pocketsphinx
would have run behind the sure gate.

    .venv/bin/python bench/fusion_weights.py [--corpus cache/speech] [--limit N]

Needs the corpus (``python -m resolver synth-audio``) and pocketsphinx.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import wave
from collections.abc import Sequence
from pathlib import Path

from _common import ROOT, markdown_table, percent, progress

from resolver import Resolver
from resolver.neural.audio_model import AudioConfig, frame_count
from resolver.neural.synth import read_wav
from resolver.neural.train_audio import CROP_SILENCE, padding_frames, split_corpus
from resolver.speech import listen
from resolver.speech.listen import (
    Candidate,
    Listener,
    fusion_score,
    spoken_text,
    sure_enough,
)


def held_out(corpus: Path, vocabulary: set[str], config: AudioConfig
             ) -> list[tuple[Path, str]]:
    """The held-out utterances (wav, transcript), split as training split them for the
    model of ``config``, whose words the decoder knows."""
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()
            if line.strip()]
    lengths = []
    for row in rows:
        with wave.open(str(corpus / row["path"]), "rb") as handle:
            lengths.append(frame_count(handle.getnframes(), config))
    _, held = split_corpus(rows, lengths, config, padding_frames(CROP_SILENCE, config))
    return [(corpus / rows[u.index]["path"], u.transcript) for u in held
            if all(word in vocabulary for word in u.transcript.split())]


def pick(candidates: Sequence[Candidate], weight: float, prior: float, bonus: float,
         agreement: float, sure: float | None) -> tuple[Candidate, bool]:
    """The listener's choice under these weights, and whether pocketsphinx ran (``sure`` None:
    always)."""
    def score(c: Candidate) -> float:
        return fusion_score(c.fit, c.reads, c.agreement, c.source, weight,
                            (prior, bonus, agreement))

    model = [c for c in candidates if c.source != "sphinx"]
    if sure is not None and model:
        best = max(model, key=score)
        if sure_enough(best, weight, sure):
            return best, False
    return max(candidates, key=score), True


def main(argv: Sequence[str] | None = None) -> int:
    """Hear the held-out utterances, then print the table of settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "cache" / "speech")
    parser.add_argument("--limit", type=int, default=0, help="utterances at most (0: all)")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.jsonl").is_file():
        print(f"error: {args.corpus / 'manifest.jsonl'} not found; run "
              "'python -m resolver synth-audio' first", file=sys.stderr)
        return 1
    resolver = Resolver.from_files(ROOT / "demo" / "home.yaml")
    base = resolver.listener()
    if base is None or base.model is None or base.sphinx is None or base.decoder is None:
        print("error: needs the audio model and pocketsphinx", file=sys.stderr)
        return 1
    listener = Listener(base.parser, base.model, base.sphinx, sphinx_always=True)
    items = held_out(args.corpus, set(base.decoder.model.vocabulary),
                     AudioConfig.from_dict(base.model.card["config"]))
    if args.limit:
        items = items[:args.limit]
    heard = []
    for wav, said in progress(items, "hearing"):
        samples, _ = read_wav(wav)
        candidates = listener.listen(samples).candidates
        if candidates:
            heard.append((said, candidates))
    weight = listener.ctc_weight
    now = (listen.SPHINX_PRIOR, listen.PARSE_BONUS, listen.AGREEMENT_WEIGHT)

    def rate(prior: float, bonus: float, agreement: float, sure: float | None
             ) -> tuple[float, float]:
        right = ran = 0
        for said, candidates in heard:
            chosen, sphinx = pick(candidates, weight, prior, bonus, agreement, sure)
            right += spoken_text(chosen.text) == said
            ran += sphinx
        return right / max(len(heard), 1), ran / max(len(heard), 1)

    rows = []
    settings = sorted(set(itertools.product([0.0, 0.25, 0.5, 1.0, 2.0], [0.5, 1.0, 2.0],
                                            [0.0, 0.25, 0.5, 1.0])) | {now})
    for prior, bonus, agreement in settings:
        exact, _ = rate(prior, bonus, agreement, None)
        gated, ran = rate(prior, bonus, agreement, listen.SURE_CTC)
        rows.append((exact, prior, bonus, agreement, gated, ran))
    rows.sort(key=lambda r: (-r[0], r[1:4] != now))
    shown = rows[:10] + [r for r in rows[10:] if r[1:4] == now]
    any_right = sum(any(spoken_text(c.text) == said for c in cs) for said, cs in heard)
    print(f"{len(heard)} held-out utterances of {args.corpus} in the demo home's words; "
          f"ctc weight {weight:.3f} (from the card); some candidate right: "
          f"{percent(any_right, len(heard))}%\n")
    print(markdown_table(
        ["sphinx prior", "parse bonus", "agreement weight", "exact, pocketsphinx always %",
         f"exact, gate at {listen.SURE_CTC} %", "pocketsphinx runs %", ""],
        [[f"{r[1]:g}", f"{r[2]:g}", f"{r[3]:g}", f"{100 * r[0]:.1f}", f"{100 * r[4]:.1f}",
          f"{100 * r[5]:.1f}", "(current)" if r[1:4] == now else ""] for r in shown]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
