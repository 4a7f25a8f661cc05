"""Training data: load, clean, split and augment labelled utterances (``kefu data …``)."""
