"""A spoken turn's proposal: how much of it the audio model's intents should be.

The text proposer reads the transcript the listener chose; the audio model's intent head
hears the audio itself. A spoken turn's proposal mixes the two
(:func:`resolver.neural.proposer.heard_proposal`). This bench hears utterances of a voice
the audio model was trained without (``--voice``, flite's rms for the committed model) that
carry an intent label in the corpus manifest, and prints, for each share of the audio model,
how often the proposal's best intent is the label, how often it is sure enough to be acted on
alone (:data:`resolver.fusion.THRESHOLD`) and right or wrong, and its mean negative
log-likelihood of the label; overall, by where the sentence came from, and by whether the
transcript was heard exactly.

    .venv/bin/python bench/proposal_weight.py [--corpus cache/speech] [--voice flite:rms]
                                              [--limit 900]

Needs a corpus of ``python -m resolver synth-audio`` with the voice in it, the audio model
and the text proposer.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from collections.abc import Sequence

from _common import ROOT, markdown_table, percent, progress
from fusion_weights import corpus_arguments, has_manifest, unheard_voice

from resolver import Resolver
from resolver.fusion import THRESHOLD
from resolver.neural.proposer import AUDIO_WEIGHT, heard_proposal
from resolver.neural.synth import read_wav
from resolver.speech.listen import spoken_text

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Shares of the audio model tried (0: the text proposer alone; 1: the audio model alone)."""
FLOOR = 1e-4
"""Probability given to a label outside the proposal's n-best, in the log-likelihood."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = corpus_arguments(__doc__.splitlines()[0], limit=900)
    parser.set_defaults(voice="flite:rms")
    args = parser.parse_args(argv)
    if not has_manifest(args.corpus):
        return 1
    resolver = Resolver.from_files(ROOT / "demo" / "home.yaml")
    listener = resolver.listener()
    if listener is None or listener.model is None or resolver.proposer is None:
        print("error: needs the audio model and the text proposer", file=sys.stderr)
        return 1
    if not unheard_voice(listener.model, args.voice):
        return 1
    rows = [json.loads(line) for line in
            (args.corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = [r for r in rows if r.get("voice", "").startswith(args.voice) and r.get("intent")]
    random.Random(0).shuffle(rows)
    rows = rows[:args.limit] if args.limit else rows
    heard = []
    for row in progress(rows, "hearing"):
        samples, _ = read_wav(args.corpus / row["path"])
        spoken = listener.listen(samples)
        typed = resolver.proposer.propose(spoken.text) if spoken.text else None
        exact = spoken_text(spoken.text) == spoken_text(row["transcript"])
        heard.append((row, spoken, typed, "heard exactly" if exact else "misheard"))
    groups = sorted({r["source"] for r, *_ in heard}) + ["heard exactly", "misheard"]
    header = ["audio share", "n", "best = label %", "sure and right %", "sure and wrong %", "NLL",
              *(f"{g} %" for g in groups)]
    table = []
    for share in SHARES:
        right: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        loss = 0.0
        for row, spoken, typed, exact in heard:
            proposal = heard_proposal(spoken.intents, spoken.domains, typed, share) \
                if spoken.intents else typed
            scores = dict(proposal.intents) if proposal else {}
            best = proposal.intent if proposal else None
            for group in ("all", row["source"], exact):
                seen[group] += 1
                right[group] += best == row["intent"]
            if proposal and proposal.score >= THRESHOLD:
                right["sure and right" if best == row["intent"] else "sure and wrong"] += 1
            loss -= math.log(max(scores.get(row["intent"], 0.0), FLOOR))
        mark = " (used)" if share == AUDIO_WEIGHT else ""
        table.append([f"{share:g}{mark}", seen["all"], percent(right["all"], seen["all"]),
                      percent(right["sure and right"], seen["all"]),
                      percent(right["sure and wrong"], seen["all"]),
                      f"{loss / max(len(heard), 1):.3f}",
                      *(f"{percent(right[g], seen[g])} ({seen[g]})" for g in groups)])
    print(f"## A spoken turn's proposal: the audio model's share ({args.voice}, "
          f"{len(heard)} labelled utterances of {args.corpus.name})\n")
    print(markdown_table(header, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
