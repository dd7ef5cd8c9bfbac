"""The listener's fusion weights, on synthesized held-out speech (never festival).

The utterances come from the training corpus, kept where every word is one the demo home's
decoder knows:

- by default, the audio model's own held-out split (5% of ``cache/speech``, grouped by
  transcript, so no sentence was trained on; split as training splits it, with the default
  padding kept), in the training voices;
- with ``--voice flite:rms``, every utterance of a voice the model was trained without
  (``train-audio --hold-out-voice flite:rms``): a speaker it never heard, which is what the
  listener meets in use and what the weights should be set on.

Each is heard once with pocketsphinx always on and every candidate's scores are kept; then
each setting of the weights picks a candidate per utterance and the table gives how often the
pick is exactly what was said, and how often pocketsphinx would have run behind the sure gate.
A last table does the same for the bonus of transcripts the rules ground, each tried in a
fresh dialog of the demo home.

    .venv/bin/python bench/fusion_weights.py [--corpus cache/speech] [--voice V] [--limit N]
                                             [--heard FILE]

``--heard FILE`` keeps what was heard, so another run replays new settings without hearing
again (delete the file after the model or the listener's candidates change).

Needs the corpus (``python -m resolver synth-audio``) and pocketsphinx.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
import wave
from collections.abc import Iterator, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, markdown_table, percent, progress

from resolver import Resolver
from resolver.language.parse import ill_formed
from resolver.neural.audio_model import AudioConfig, frame_count, normalize_transcript
from resolver.neural.synth import read_wav
from resolver.neural.train_audio import CROP_SILENCE, padding_frames, split_corpus
from resolver.speech import listen
from resolver.speech.audio import level_spread, load_audio
from resolver.speech.listen import (
    Candidate,
    Listener,
    fusion_score,
    spoken_text,
    sure_enough,
)


def held_out(corpus: Path, vocabulary: set[str], config: AudioConfig, voice: str | None = None
             ) -> list[tuple[Path, str]]:
    """The held-out utterances (wav, transcript) whose words the decoder knows: those of
    ``voice``, or else the held-out split as training split it for the model of ``config``."""
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()
            if line.strip()]
    if voice is not None:
        spoken = [(corpus / row["path"], normalize_transcript(row["transcript"]))
                  for row in rows if row.get("voice", "").startswith(voice)]
        return [(wav, said) for wav, said in spoken
                if said and all(word in vocabulary for word in said.split())]
    lengths = []
    for row in rows:
        with wave.open(str(corpus / row["path"]), "rb") as handle:
            lengths.append(frame_count(handle.getnframes(), config))
    _, held = split_corpus(rows, lengths, config, padding_frames(CROP_SILENCE, config))
    return [(corpus / rows[u.index]["path"], u.transcript) for u in held
            if all(word in vocabulary for word in u.transcript.split())]


def corpus_arguments(description: str, limit: int) -> argparse.ArgumentParser:
    """A parser with the options that pick held-out utterances: ``--corpus``, ``--voice`` and
    ``--limit`` (``limit`` its default)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--corpus", type=Path, default=ROOT / "cache" / "speech")
    parser.add_argument("--voice", default=None,
                        help="a voice the model was trained without, e.g. flite:rms (default: "
                             "the held-out split of the training voices)")
    parser.add_argument("--limit", type=int, default=limit, help="utterances at most (0: all)")
    return parser


def has_manifest(corpus: Path) -> bool:
    """Whether ``corpus`` has its manifest; says what to run when it has not."""
    if (corpus / "manifest.jsonl").is_file():
        return True
    print(f"error: {corpus / 'manifest.jsonl'} not found; run "
          "'python -m resolver synth-audio' first", file=sys.stderr)
    return False


SUPPORT = {
    "probability": lambda c: c.sphinx,
    "heard": lambda c: float(c.sphinx > 0.0),
    "its own": lambda c: float(c.source == "sphinx"),
}
"""Ways to count pocketsphinx's support of a candidate: its n-best probability (what the
listener does), 1 whenever it heard the text, or 1 only for texts it heard first."""


def pick(candidates: Sequence[Candidate], weight: float, prior: float, bonus: float,
         agreement: float, support: str, sure: float | None) -> tuple[Candidate, bool]:
    """The listener's choice under these weights, and whether pocketsphinx ran (``sure`` None:
    always)."""
    def score(c: Candidate) -> float:
        return fusion_score(c.fit, c.reads, c.agreement, SUPPORT[support](c), weight,
                            (prior, bonus, agreement), ill_formed=c.ill_formed)

    model = [c for c in candidates if c.source != "sphinx"]
    if sure is not None and model:
        best = max(model, key=score)
        if sure_enough(best, weight, sure):
            return best, False
    return max(candidates, key=score), True


def _current(candidate: Candidate, resolver: Resolver) -> Candidate:
    """A candidate kept by an earlier version of the listener, with the fields added since at
    their defaults and its reading's leniency judged by the grammar as it is now."""
    kept = Candidate(**{f.name: getattr(candidate, f.name, f.default)
                        for f in fields(Candidate)})
    return replace(kept, ill_formed=ill_formed(resolver.parser.parse(kept.text).tags))


def unheard_voice(model: Any, voice: str) -> bool:
    """Whether the audio model was trained without ``voice`` (its card says: a voice it kept
    out, or a synthesizer none of its corpora used, such as MBROLA's for the committed
    network); says so when it was not."""
    corpus = model.card.get("corpus", {})
    unheard = corpus.get("held_out_voices", [])
    synthesizers = corpus.get("synthesizers", [])
    if any(voice.startswith(v) for v in unheard):
        return True
    if synthesizers and voice.split(":")[0] not in synthesizers:
        return True
    print(f"error: the audio model was trained on {voice} (its card keeps "
          f"{', '.join(unheard) or 'no voice'} out)", file=sys.stderr)
    return False


def demo_listener(args: argparse.Namespace
                  ) -> tuple[Resolver, Listener, list[tuple[Path, str]]] | None:
    """The demo home's resolver, its listener as in use, and every held-out utterance
    ``args`` picks (``--corpus``, ``--voice``; ``--limit`` is the caller's to apply); None,
    having said why, when the corpus, the audio model or pocketsphinx is missing, or the
    voice is one the model was trained on."""
    if not has_manifest(args.corpus):
        return None
    resolver = Resolver.from_files(ROOT / "demo" / "home.yaml")
    base = resolver.listener()
    if base is None or base.model is None or base.sphinx is None or base.decoder is None:
        print("error: needs the audio model and pocketsphinx", file=sys.stderr)
        return None
    if args.voice is not None and not unheard_voice(base.model, args.voice):
        return None
    items = held_out(args.corpus, set(base.decoder.model.vocabulary),
                     AudioConfig.from_dict(base.model.card["config"]), args.voice)
    return resolver, base, items


def with_spread(items: Sequence[tuple[Path, str]]
                ) -> Iterator[tuple[np.ndarray, str, float]]:
    """Each utterance's samples, transcript and level spread (what the listener's noise gate,
    ``listen.NOISY_SPREAD``, looks at), read as they are asked for."""
    for wav, said in items:
        samples = load_audio(read_wav(wav)[0])
        yield samples, said, level_spread(samples)


def hearing(args: argparse.Namespace
            ) -> tuple[Resolver, Listener, list[tuple[Path, str]]] | None:
    """The demo home's resolver, a listener that always runs pocketsphinx, and the held-out
    utterances ``args`` picks (``--corpus``, ``--voice``, ``--limit``); None as
    :func:`demo_listener`."""
    ready = demo_listener(args)
    if ready is None:
        return None
    resolver, base, items = ready
    listener = base.adjusted(sphinx_always=True)
    return resolver, listener, items[:args.limit] if args.limit else items


def main(argv: Sequence[str] | None = None) -> int:
    """Hear the held-out utterances, then print the table of settings."""
    parser = corpus_arguments(__doc__.splitlines()[0], limit=0)
    parser.add_argument("--heard", type=Path, default=None,
                        help="keep what was heard in this file, and reuse it when it exists")
    args = parser.parse_args(argv)
    ready = hearing(args)
    if ready is None:
        return 1
    resolver, listener, items = ready
    if args.heard and args.heard.is_file():
        heard = [(said, [_current(c, resolver) for c in candidates], spread)
                 for said, candidates, spread in pickle.loads(args.heard.read_bytes())]
    else:
        heard = []
        for wav, said in progress(items, "hearing"):
            samples, _ = read_wav(wav)
            result = listener.listen(samples)
            if result.candidates:
                heard.append((said, result.candidates, result.spread))
        if args.heard:
            args.heard.write_bytes(pickle.dumps(heard))
    card_weight = listener.ctc_weight
    now = (card_weight, listen.SPHINX_PRIOR, listen.PARSE_BONUS, listen.AGREEMENT_WEIGHT,
           "probability")

    def rate(setting: tuple[float, float, float, float, str], sure: float | None
             ) -> tuple[float, float]:
        weight, *weights = setting
        right = ran = 0
        for said, candidates, _ in heard:
            chosen, sphinx = pick(candidates, weight, *weights, sure)
            right += spoken_text(chosen.text) == said
            ran += sphinx
        return right / max(len(heard), 1), ran / max(len(heard), 1)

    weights = sorted({card_weight, 0.2, 0.35, 0.5, 0.65})
    settings = sorted(set(itertools.product(weights, [0.0, 0.25, 0.5, 1.0, 2.0],
                                            [0.5, 1.0, 2.0], [0.0, 0.25, 0.5, 1.0],
                                            list(SUPPORT))) | {now})
    rows = []
    for setting in progress(settings, "settings"):
        exact, _ = rate(setting, None)
        gated, ran = rate(setting, listen.SURE_CTC)
        rows.append((exact, setting, gated, ran))
    rows.sort(key=lambda r: (-r[0], r[1] != now))
    shown = rows[:12] + [r for r in rows[12:] if r[1] == now]
    any_right = sum(any(spoken_text(c.text) == said for c in cs) for said, cs, _ in heard)
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    print(f"{len(heard)} utterances of {args.corpus} ({where}) in the demo home's words; "
          f"ctc weight from the card {card_weight:.3f}; some candidate right: "
          f"{percent(any_right, len(heard))}%\n")
    print(markdown_table(
        ["ctc weight", "sphinx prior", "parse bonus", "agreement weight", "sphinx support",
         "exact, pocketsphinx always %", f"exact, gate at {listen.SURE_CTC} %",
         "pocketsphinx runs %", ""],
        [[*(f"{v:g}" for v in r[1][:4]), r[1][4], f"{100 * r[0]:.1f}", f"{100 * r[2]:.1f}",
          f"{100 * r[3]:.1f}", "(current)" if r[1] == now else ""] for r in shown]))
    best = rows[0][1]
    # The gate opens only for a CTC head trusted at least half (see listen.sure_enough).
    gating = next((r[1] for r in rows if r[1][0] >= 0.5), None)
    compared = [("best", best), ("current", now)] + ([("best that can skip", gating)]
                                                     if gating else [])
    print("\nThe sure gate (pocketsphinx runs only when the model's best transcript is not "
          "sure):\n")
    gates = [-0.1, -0.15, -0.25, -0.35, -0.5, -0.75]
    print(markdown_table(
        ["setting", *(f"gate {g:g}: exact % / pocketsphinx runs %" for g in gates)],
        [[f"{label} {setting}", *(f"{100 * e:.1f} / {100 * r:.1f}"
                                  for e, r in (rate(setting, g) for g in gates))]
         for label, setting in compared]))
    print("\nNoise: pocketsphinx's support counted by the level spread (about the SNR plus 8 "
          "dB), at the best setting's CTC weight, parse bonus and agreement weight:\n")
    weight, _, bonus, agreement, support = best
    noise_rows = []
    for threshold, quiet, noisy in itertools.product(
            [0.0, 20.0, 25.0, 30.0, 35.0], [0.25, 0.5, 1.0, 2.0], ["same", "0", "not run"]):
        if (threshold == 0.0) != (noisy == "same"):
            continue
        right = ran = 0
        for said, candidates, spread in heard:
            prior = quiet
            pool = list(candidates)
            if spread < threshold and noisy != "same":
                prior = 0.0
                if noisy == "not run":
                    pool = [replace(c, sphinx=0.0) for c in pool if c.source != "sphinx"]
            if not pool:
                continue
            chosen, sphinx = pick(pool, weight, prior, bonus, agreement, support, None)
            right += spoken_text(chosen.text) == said
            ran += sphinx and not (spread < threshold and noisy == "not run")
        noise_rows.append((right / max(len(heard), 1), threshold, quiet, noisy,
                           ran / max(len(heard), 1)))
    noise_rows.sort(key=lambda r: -r[0])
    print(markdown_table(
        ["spread under (dB)", "sphinx prior above", "below", "exact %", "pocketsphinx runs %"],
        [[f"{r[1]:g}" if r[1] else "(never)", f"{r[2]:g}", r[3] if r[1] else "",
          f"{100 * r[0]:.1f}", f"{100 * r[4]:.1f}"] for r in noise_rows[:15]]))
    print("\nGrounding: the best candidates the grammar reads tried in a fresh dialog of the "
          "demo home, the current weights, pocketsphinx always run:\n")
    print(markdown_table(["grounded bonus", "exact %, all", "exact %, said text grounded",
                          ""], grounding_rows(resolver, heard, card_weight)))
    print("\nTimes said for later: the best candidate, or the best that says when to act "
          "whenever a path heard one that the grammar reads (the listener's rule), "
          "pocketsphinx always run:\n")
    print(markdown_table(["choice", "exact %", "a time where none was said",
                          "a time kept where one was said"],
                         later_rows(resolver, heard, card_weight)))
    return 0


def later_rows(resolver: Resolver, heard: Sequence[tuple[str, list[Candidate], float]],
               weight: float) -> list[list[str]]:
    """How often the choice says when to act, with and without the listener's rule that a
    time any path heard is kept (:func:`resolver.speech.listen._for_later_first`)."""
    times: dict[str, bool] = {}

    def later(text: str) -> bool:
        if text not in times:
            times[text] = any(t.kind == "LATER" for t in resolver.parser.parse(text).tags)
        return times[text]

    said_later = [later(said) for said, _, _ in heard]
    rows = []
    for label, choose in (("the best", lambda ranked: ranked[0]),
                          ("a time heard first (current)", listen._for_later_first)):
        right = invented = kept = 0
        for (said, candidates, _), meant in zip(heard, said_later, strict=True):
            ranked = sorted((replace(c, later=later(c.text)) for c in candidates),
                            key=lambda c: fusion_score(c.fit, c.reads, c.agreement, c.sphinx,
                                                       weight, ill_formed=c.ill_formed),
                            reverse=True)
            chosen = choose(ranked)
            right += spoken_text(chosen.text) == said
            kept += chosen.later and meant
            invented += chosen.later and not meant
        rows.append([label, f"{100 * right / max(len(heard), 1):.1f}",
                     f"{invented} of {len(heard) - sum(said_later)}",
                     f"{kept} of {sum(said_later)}"])
    return rows


def grounding_rows(resolver: Resolver, heard: Sequence[tuple[str, list[Candidate], float]],
                   weight: float) -> list[list[str]]:
    """Exact choices under grounding bonuses: over every utterance, and over those whose said
    text the demo home grounds (the corpus speaks of generated homes, so some name devices
    the demo home lacks, and for those the bonus can only pull towards something it has)."""
    shares: dict[str, float] = {}

    def share(text: str) -> float:
        if text not in shares:
            shares[text] = resolver.grounding(text, session="fusion-weights")
            resolver.reset("fusion-weights")
        return shares[text]

    grounded_said = [share(spoken_text(said)) == 1.0 for said, _, _ in heard]
    rows = []
    for bonus in (0.0, 0.1, 0.2, 0.3, 0.5, 1.0):
        right = [False] * len(heard)
        for n, (said, candidates, _) in enumerate(heard):
            ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
            tried = {id(c) for c in ranked[:listen.GROUNDING_TRIES] if c.reads}
            scores = [fusion_score(c.fit, c.reads, c.agreement, c.sphinx, weight,
                                   grounded=share(c.text) if id(c) in tried else 0.0,
                                   grounded_bonus=bonus, ill_formed=c.ill_formed)
                      for c in ranked]
            chosen = ranked[max(range(len(ranked)), key=scores.__getitem__)]
            right[n] = spoken_text(chosen.text) == said
        mine = [r for r, g in zip(right, grounded_said, strict=True) if g]
        rows.append([f"{bonus:g}", f"{100 * sum(right) / max(len(right), 1):.1f}",
                     f"{100 * sum(mine) / max(len(mine), 1):.1f} of {len(mine)}",
                     "(current)" if bonus == listen.GROUNDED_BONUS else ""])
    return rows


if __name__ == "__main__":
    sys.exit(main())
