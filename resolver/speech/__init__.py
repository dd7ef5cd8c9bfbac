"""Speech in: audio loading and the pocketsphinx transcriber."""
