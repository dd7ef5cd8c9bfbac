"""Whether pocketsphinx is worth running on noisy audio, band by band of level spread.

The listener does not run pocketsphinx on audio whose level spread is under
``listen.NOISY_SPREAD`` (about the SNR plus 8 dB). Each such utterance of a voice the audio
model never heard (``fusion_weights.held_out``: ``--voice flite:rms``) is heard twice in a
fresh dialog of the demo home: as in use, and with pocketsphinx run whenever the network is
not sure, its alignment of the transcripts the paths disagree on included. The table gives,
for each 5 dB band of spread, how many choices are exactly what was said either way and the
compute a second of audio.

    .venv/bin/python bench/sphinx_in_noise.py --corpus cache/rmscal --voice flite:rms

Needs the corpus (``python -m resolver synth-audio``), the audio model and pocketsphinx.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import defaultdict
from collections.abc import Sequence

from _common import markdown_table, progress
from fusion_weights import corpus_arguments, demo_listener, with_spread

from resolver.speech import listen
from resolver.speech.listen import spoken_text

BAND = 5.0
"""Width of a band of level spread, dB."""


def main(argv: Sequence[str] | None = None) -> int:
    """Hear the noisy utterances both ways and print the table by band."""
    args = corpus_arguments(__doc__.splitlines()[0], limit=0).parse_args(argv)
    ready = demo_listener(args)
    if ready is None:
        return 1
    resolver, base, items = ready
    listener = base.adjusted(cross_check=True)
    noisy = list(itertools.islice(((samples, said, spread)
                                   for samples, said, spread in with_spread(items)
                                   if spread < listen.NOISY_SPREAD), args.limit or None))

    bands: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    gate = listen.NOISY_SPREAD
    for samples, said, spread in progress(noisy, "hearing"):
        band = bands[int(spread // BAND)]
        band["utterances"] += 1
        band["seconds"] += samples.size / 16000
        for name, noisy_spread in (("in use", gate), ("pocketsphinx", 0.0)):
            listen.NOISY_SPREAD = noisy_spread
            try:
                resolver.reset("noise")
                start = time.process_time()
                heard = listener.listen(samples,
                                        grounding=lambda t: resolver.grounding(t, "noise"))
                band[f"{name} ms"] += (time.process_time() - start) * 1000
            finally:
                listen.NOISY_SPREAD = gate
            band[f"{name} exact"] += bool(heard.text) and spoken_text(heard.text) == said
            band[f"{name} ran"] += "sphinx" in heard.ms
    rows = []
    for key in sorted(bands):
        band = bands[key]
        rows.append([f"{key * BAND:g}–{(key + 1) * BAND:g}", f"{band['utterances']:.0f}",
                     f"{band['in use exact']:.0f}", f"{band['pocketsphinx exact']:.0f}",
                     f"{band['pocketsphinx ran']:.0f}",
                     f"{band['in use ms'] / band['seconds']:.1f}",
                     f"{band['pocketsphinx ms'] / band['seconds']:.1f}"])
    where = f"voice {args.voice}" if args.voice else "the held-out split"
    print(f"{len(noisy)} utterances of {args.corpus} ({where}) with a level spread under "
          f"{gate:g}\n")
    print(markdown_table(["spread", "utterances", "exact, in use", "exact, pocketsphinx run",
                          "pocketsphinx ran", "ms/s, in use", "ms/s, pocketsphinx run"],
                         rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
