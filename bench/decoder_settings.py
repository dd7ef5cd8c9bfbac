"""The CTC beam search's settings, on synthesized speech of a voice the model never heard.

The audio model runs once per utterance (``fusion_weights.held_out`` picks them: with
``--voice flite:rms`` every utterance of that voice in the demo home's words); then each
setting decodes its character matrix again, and the table gives how often the top transcript,
and some transcript of the 4-best, is exactly what was said, and the decoding time an
utterance. One setting changes at a time from the committed ones in
``resolver/speech/decode.py``: the beam, the language model weight with the word bonus, and
the prefix margin, which characters a step tries (those above the character prune, at most
so many of them), and, for its time alone, every prefix made (none left out as unable to
stay in the beam).

    .venv/bin/python bench/decoder_settings.py [--corpus cache/speech] [--voice V] [--limit N]

Needs the corpus (``python -m resolver synth-audio``) and the audio model.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Sequence
from dataclasses import replace

from _common import ROOT, markdown_table, progress
from fusion_weights import corpus_arguments, has_manifest, held_out

from resolver import Resolver
from resolver.neural.audio_model import AudioConfig
from resolver.neural.synth import read_wav
from resolver.speech.audio import load_audio
from resolver.speech.listen import spoken_text
from resolver.speech.sphinx import normalize


def main(argv: Sequence[str] | None = None) -> int:
    """Run the model over the utterances, then decode them under each setting."""
    args = corpus_arguments(__doc__.splitlines()[0], limit=400).parse_args(argv)
    if not has_manifest(args.corpus):
        return 1
    listener = Resolver.from_files(ROOT / "demo" / "home.yaml").listener()
    if listener is None or listener.model is None or listener.decoder is None:
        print("error: needs the audio model", file=sys.stderr)
        return 1
    committed = listener.decoder
    items = held_out(args.corpus, set(committed.model.vocabulary),
                     AudioConfig.from_dict(listener.model.card["config"]), args.voice)
    if args.limit:
        items = items[:args.limit]
    matrices = []
    for wav, said in progress(items, "model"):
        samples, _ = read_wav(wav)
        matrices.append((said, listener.model.infer(load_audio(samples))[1]))

    settings = [{}]
    settings += [{"beam": b} for b in (24, 32, 64) if b != committed.beam]
    settings += [{"lm_weight": w, "word_bonus": b}
                 for w, b in itertools.product((0.4, 0.6, 0.8, 1.0), (0.0, 1.0, 2.0))
                 if (w, b) != (committed.lm_weight, committed.word_bonus)]
    settings += [{"margin": m} for m in (10.0, 20.0) if m != committed.margin]
    settings += [{"char_prune": p} for p in (-4.0, -5.0, -6.0, -7.0, -9.0)
                 if p != committed.char_prune]
    settings += [{"max_chars": m} for m in (4, 6, 8) if m != committed.max_chars]
    settings += [{"bound": False}]  # every prefix made: the same transcripts, slower
    rows = []
    for change in progress(settings, "settings"):
        decoder = replace(committed, **change)
        top = four = 0
        start = time.perf_counter()
        for said, logprobs in matrices:
            texts = [spoken_text(normalize(d.text, listener.spelled))
                     for d in decoder.decode(logprobs, nbest=4)]
            top += bool(texts) and texts[0] == said
            four += said in texts
        ms = (time.perf_counter() - start) * 1000 / max(len(matrices), 1)
        label = ", ".join("every prefix made" if k == "bound" else f"{k} {v:g}"
                          for k, v in change.items()) or "(committed)"
        rows.append([label, f"{100 * top / max(len(matrices), 1):.1f}",
                     f"{100 * four / max(len(matrices), 1):.1f}", f"{ms:.1f}"])
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    print(f"{len(matrices)} utterances of {args.corpus} ({where}) in the demo home's words; "
          f"committed: beam {committed.beam}, lm weight {committed.lm_weight:g}, word bonus "
          f"{committed.word_bonus:g}, margin {committed.margin:g}, character prune "
          f"{committed.char_prune:g}, at most {committed.max_chars} characters a step\n")
    print(markdown_table(["setting", "top exact %", "4-best has it %", "ms an utterance"],
                         rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
