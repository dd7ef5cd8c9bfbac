"""pocketsphinx's alignment of the transcripts the speech paths disagree on (never festival).

The listener runs pocketsphinx when the audio model is not sure; where pocketsphinx's best
transcript is then not the listener's best, each path's acoustic model has scored only its
own words. pocketsphinx then aligns the best few candidates and its own best, and ranks them
again by how well each fits its acoustic model (`resolver/speech/listen.py`: `ALIGN_WEIGHT`,
`ALIGNED`, `ALIGN_REACH`).

Each held-out utterance (as `bench/fusion_weights.py` picks them: with ``--voice flite:rms``
a voice the audio model was trained without) is heard once by the listener as in use
(pocketsphinx only when the model is not sure and the audio not noisy, transcripts grounded
in a fresh dialog of the demo home) but without the alignment; the widest pool is aligned,
and each setting of weight, pool size and reach then ranks again. The table gives how often
the choice is exactly what was said, how many alignments an utterance costs on average, and
what an alignment costs.

    .venv/bin/python bench/alignment.py --corpus cache/rmscal --voice flite:rms [--limit N]
                                        [--gates -0.3,-0.4,-0.5]

``--gates`` hears everything again with the alignment on, once for each setting of the sure
gate (`SURE_CTC`): with the alignment to settle disagreements, pocketsphinx may be worth
running more often.

The corpus: ``python -m resolver synth-audio --count 4000 --seed 88 --engines flite --out
cache/rmscal`` (flite's five voices; rms is the one the committed network never heard).
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Sequence
from typing import Any

from _common import markdown_table, progress
from fusion_weights import corpus_arguments, demo_listener

from resolver import Resolver
from resolver.neural.synth import read_wav
from resolver.speech import listen
from resolver.speech.listen import (
    Candidate,
    Listener,
    alignment_pool,
    shortfalls,
    spoken_text,
)

WEIGHTS = (0.0, 2.5, 5.0, 10.0, 20.0, 40.0)
COUNTS = (1, 2, 3)
REACHES = (0.5, 1.0, math.inf)


def main(argv: Sequence[str] | None = None) -> int:
    """Hear the held-out utterances, align, and print the table of settings."""
    parser = corpus_arguments(__doc__.splitlines()[0], limit=0)
    parser.add_argument("--gates", default="",
                        help="also hear everything again with the alignment on, the sure gate "
                             "(listen.SURE_CTC) at each of these, e.g. -0.3,-0.4,-0.5")
    args = parser.parse_args(argv)
    ready = demo_listener(args)
    if ready is None:
        return 1
    resolver, base, items = ready
    listener = base.adjusted(cross_check=False)
    items = items[:args.limit] if args.limit else items

    heard: list[tuple[str, list[Candidate], dict[str, float | None], float]] = []
    aligning = aligned_audio = 0.0
    for wav, said in progress(items, "hearing"):
        samples, _ = read_wav(wav)
        resolver.reset("alignment")
        result = listener.listen(samples,
                                 grounding=lambda text: resolver.grounding(text, "alignment"))
        if not result.candidates or result.unheard:
            continue
        seconds = samples.size / 16000
        scores: dict[str, float | None] = {}
        pool = alignment_pool(result.candidates, max(COUNTS), math.inf)
        if "sphinx" in result.ms and pool:
            start = time.perf_counter()
            scores = dict(zip((c.text for c in pool),
                              listener.sphinx.align(samples, [c.text for c in pool]),
                              strict=True))
            aligning += time.perf_counter() - start
            aligned_audio += seconds * len(pool)
        heard.append((said, result.candidates, scores, seconds))

    rows = []
    choices: dict[tuple[float, int, float], list[bool]] = {}
    for weight, count, reach in itertools.product(WEIGHTS, COUNTS, REACHES):
        right = used = 0
        exact = choices.setdefault((weight, count, reach), [])
        for said, candidates, scores, seconds in heard:
            ranked = candidates
            pool = alignment_pool(candidates, count, reach) if scores else []
            if pool and weight:
                used += len(pool)
                shortfall = shortfalls(pool, [scores[c.text] for c in pool], seconds)
                if shortfall is not None:
                    ranked = listener.realigned(candidates, shortfall, weight)
            chosen = listen._for_later_first(ranked)
            exact.append(spoken_text(chosen.text) == said)
            right += exact[-1]
        current = (weight, count, reach) == (listen.ALIGN_WEIGHT, listen.ALIGNED,
                                             listen.ALIGN_REACH)
        rows.append([f"{weight:g}", str(count), f"{reach:g}",
                     f"{100 * right / max(len(heard), 1):.1f}",
                     f"{used / max(len(heard), 1):.2f}", "(current)" if current else ""])
    disagree = sum(bool(scores) for _, _, scores, _ in heard)
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    print(f"{len(heard)} utterances of {args.corpus} ({where}) heard; pocketsphinx ran and "
          f"disagreed on {disagree}; an alignment costs "
          f"{1000 * aligning / max(aligned_audio, 1e-9):.1f} ms a second of audio\n")
    print(markdown_table(["weight", "pool (best)", "reach", "exact %",
                          "alignments an utterance", ""], rows))
    now = choices[(listen.ALIGN_WEIGHT, listen.ALIGNED, listen.ALIGN_REACH)] \
        if listen.ALIGN_WEIGHT in WEIGHTS and listen.ALIGNED in COUNTS \
        and listen.ALIGN_REACH in REACHES else None
    if now is not None:
        before = choices[(0.0, listen.ALIGNED, listen.ALIGN_REACH)]
        won = sum(a and not b for a, b in zip(now, before, strict=True))
        lost = sum(b and not a for a, b in zip(now, before, strict=True))
        print(f"\nThe current setting against none: {won} utterances now exact, {lost} no "
              "longer.")
    if args.gates:
        print("\nThe sure gate with the alignment on (pocketsphinx is not run when the "
              "network's best transcript reads, is grounded and fits at least this well):\n")
        print(markdown_table(["gate", "exact %", "pocketsphinx runs %",
                              "listening, ms a second of audio", ""],
                             gate_rows(resolver, base, items,
                                       [float(g) for g in args.gates.split(",")])))
    return 0


def gate_rows(resolver: Resolver, base: Listener, items: Sequence[tuple[Any, str]],
              gates: Sequence[float]) -> list[list[str]]:
    """Each utterance heard again as in use, alignment on, with the sure gate at each of
    ``gates``: exact choices, how often pocketsphinx ran, and the time listening took."""
    rows = []
    for gate in gates:
        listen.SURE_CTC, kept = gate, listen.SURE_CTC
        try:
            listener = base.adjusted()
            right = ran = 0
            took = audio = 0.0
            for wav, said in progress(items, f"gate {gate:g}"):
                samples, _ = read_wav(wav)
                resolver.reset("alignment")
                start = time.perf_counter()
                result = listener.listen(
                    samples, grounding=lambda text: resolver.grounding(text, "alignment"))
                took += time.perf_counter() - start
                audio += samples.size / 16000
                right += spoken_text(result.text) == said
                ran += "sphinx" in result.ms
        finally:
            listen.SURE_CTC = kept
        rows.append([f"{gate:g}", f"{100 * right / max(len(items), 1):.1f}",
                     f"{100 * ran / max(len(items), 1):.1f}",
                     f"{1000 * took / max(audio, 1e-9):.1f}",
                     "(current)" if gate == kept else ""])
    return rows


if __name__ == "__main__":
    sys.exit(main())
