"""pocketsphinx as a judge among the listener's candidates, on synthesized held-out speech.

pocketsphinx's acoustic model was trained on real speakers, so it might tell which of the
listener's candidate transcripts was said where the audio model, trained on synthesized
voices, cannot. Each utterance is heard with the committed listener (pocketsphinx always
run), then pocketsphinx decodes it once more against a JSGF grammar whose alternatives are
the candidates; its choice (or a softmax over the alternatives it scores) is added to the
listener's fusion score at several weights, and the table gives how often the choice is
exactly what was said. The utterances are picked as ``bench/fusion_weights.py`` picks them
(never festival).

    .venv/bin/python bench/sphinx_judge.py --corpus cache/speech32 --voice flite:rms --limit 900

Needs the corpus (``python -m resolver synth-audio``) and pocketsphinx.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from _common import markdown_table, percent, progress
from fusion_weights import corpus_arguments, hearing

from resolver.neural.synth import read_wav
from resolver.speech.listen import Candidate, fusion_score, spoken_text
from resolver.speech.sphinx import DITHER, SCORE_SCALE, to_pcm16

WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
JUDGE_SEARCH = "judge"


def judge(engine: Any, texts: Sequence[str], samples: np.ndarray) -> dict[str, float]:
    """pocketsphinx's log score of each candidate it could tell apart (best first), from one
    decode against a grammar of the candidates; empty when fewer than two can be said."""
    alternatives: dict[str, str] = {}
    for text in texts:
        said = spoken_text(text).split()
        if said and all(engine.pronouncer.known(word) for word in said):
            alternatives.setdefault(" ".join(said), text)
    if len(alternatives) < 2:
        return {}
    grammar = ("#JSGF V1.0;\ngrammar candidates;\npublic <said> = "
               + " | ".join(f"( {a} )" for a in alternatives) + " ;\n")
    floor = np.random.default_rng(0).standard_normal(samples.size) * DITHER
    pcm = to_pcm16(samples + floor.astype(np.float32))
    scores: dict[str, float] = {}
    with engine.lock:
        decoder = engine.decoder
        decoder.add_jsgf_string(JUDGE_SEARCH, grammar)
        decoder.activate_search(JUDGE_SEARCH)
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        best = decoder.hyp()
        if best is not None:
            scores[best.hypstr] = float(np.log(max(best.score, 1e-300)))
            for n, hyp in enumerate(decoder.nbest()):
                if n >= 60:
                    break
                if hyp is not None and hyp.hypstr not in scores:
                    scores[hyp.hypstr] = float(np.log(max(hyp.score, 1e-300)))
        decoder.remove_search(JUDGE_SEARCH)
    return {alternatives[k]: v for k, v in scores.items() if k in alternatives}


def choose(candidates: Sequence[Candidate], scores: dict[str, float], weight: float,
           ctc_weight: float, soft: bool, model_only: bool) -> Candidate:
    """The listener's choice with pocketsphinx's judgement added at ``weight``: 1 for the
    candidate it chose, or its softmax over those it scored (``soft``). ``model_only``: the
    audio model's candidates alone, as if pocketsphinx's own decode had not run."""
    pool = [c for c in candidates if not model_only or c.source != "sphinx" or c.also]
    judged = {t: s for t, s in scores.items() if any(c.text == t for c in pool)}
    bonus: dict[str, float] = {}
    if judged and soft:
        logs = np.array(list(judged.values()))
        shares = np.exp(SCORE_SCALE * (logs - logs.max()))
        bonus = dict(zip(judged, shares / shares.sum(), strict=True))
    elif judged:
        bonus = {max(judged, key=judged.__getitem__): 1.0}

    def score(c: Candidate) -> float:
        return fusion_score(c.fit, c.reads, c.agreement, 0.0 if model_only else c.sphinx,
                            ctc_weight, ill_formed=c.ill_formed) + weight * bonus.get(c.text, 0.0)

    return max(pool, key=score)


def main(argv: Sequence[str] | None = None) -> int:
    """Hear the held-out utterances, ask pocketsphinx to judge, print the table."""
    args = corpus_arguments(__doc__.splitlines()[0], limit=900).parse_args(argv)
    ready = hearing(args)
    if ready is None:
        return 1
    _, listener, items = ready
    engine = listener.sphinx._engine
    heard = []
    seconds = judging = 0.0
    for wav, said in progress(items, "hearing and judging"):
        samples, _ = read_wav(wav)
        result = listener.listen(samples)
        start = time.perf_counter()
        scores = judge(engine, [c.text for c in result.candidates], samples)
        judging += time.perf_counter() - start
        seconds += samples.size / 16000
        if result.candidates:
            heard.append((said, result.candidates, scores))
    total = max(len(heard), 1)
    some = sum(any(spoken_text(c.text) == said for c in cs) for said, cs, _ in heard)
    print(f"{len(heard)} utterances of {args.corpus} "
          f"({args.voice or 'the held-out split'}); some candidate exact: "
          f"{percent(some, total)}%; the judge's decode: "
          f"{1000 * judging / max(seconds, 1e-9):.1f} ms a second of audio\n")
    rows = []
    for label, soft, model_only in (("its choice", False, False),
                                    ("times its softmax (scale 30)", True, False),
                                    ("softmax, the model's candidates only", True, True)):
        exact = [sum(spoken_text(choose(cs, scores, w, listener.ctc_weight, soft,
                                        model_only).text) == said
                     for said, cs, scores in heard) for w in WEIGHTS]
        rows.append([label, *(f"{100 * e / total:.1f}" for e in exact)])
    print(markdown_table(["pocketsphinx's judgement adds",
                          *(f"{w:g}" + (" (now)" if w == 0 else "") for w in WEIGHTS)], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
