"""Retrieval at scale: synthetic knowledge bases of 10k, 100k and 1M chunks.

    .venv/bin/python bench/retrieval_scale.py [--sizes 10000,100000,1000000] [--queries 200]
                                              [--repeats 3] [--encode-sample 2000]
                                              [--budget-min 20]

Chunks are generated deterministically (seeded) from a vocabulary of shop words, half English
and half Chinese (by document of 8 chunks), 40–80 words each, with brand names and SKU codes
for a long Zipf tail; the first N chunks are the same at every size. It measures:

(a) keyword-only ingestion, chunks/s: kefu's tokenizer (jieba for Chinese) and bm25s's own
    ``index``, and the same tokens through ``CompactBM25Builder``; the baseline is bm25s alone
    on whitespace tokens. Tokenising is timed once per size, indexing over --repeats.
(b) ingestion with vectors: the real encoder (onnx, "passage") on an --encode-sample of the
    chunks. Encoding a whole 1M corpus here would take 10 hours or more, so it is this rate.
(c) search at every size: the compact BM25 index (tokens looked up per generated word: exact
    for English, close for Chinese, shown at the smallest size) and an ``HnswIndex`` of
    SYNTHETIC vectors drawn from a Gaussian fitted to the sample's real passage vectors;
    build times, memory, and hybrid query p50/p95 (question tokenised by kefu, BM25 top 50 and
    HNSW top 50 filtered to the question's language, fused as HybridRetriever fuses). The
    baseline, up to --exact-max chunks, is ``ExactIndex`` (numpy brute force): HybridRetriever's
    dense index below ``HNSW_FROM`` chunks, as ``HnswIndex`` is at and above it.
(d) each size's peak RSS (its own process); texts kept as UTF-8 buffers with offsets.

Query encoding (one question through the encoder) is reported apart: the synthetic vectors
replace it. Every size and the encoder run in a child process so that peaks do not mix. An
HNSW build projected (from the previous size's rate) to end the run after --budget-min minutes
is skipped, saying so; the rest of that size is still measured. The whole default run takes
about 16 minutes on 2 quiet cores, two thirds of it the 1M HNSW build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 20_000  # chunks generated (and vectors drawn) at a time
DOC_CHUNKS = 8
DIM = 384
SEED = 20261129
TYPES = ("page", "faq", "policy", "product")
EN_SHOP = """order refund return shipping delivery package parcel tracking warranty exchange
size colour price discount coupon voucher member membership gold silver account password email
address phone payment card paypal invoice receipt cancel pending processed shipped delivered
damaged missing broken faulty replacement repair battery charger cable headphones earbuds
jacket shoes socks shirt dress cream lipstick toothbrush laptop case screen keyboard mouse
speaker watch bag backpack bottle kettle blender days business weekend holiday express
standard free fee cost store warehouse courier ups usps fedex label box packaging tags manual
gift balance points reward tier upgrade subscription stock restock sale bundle waterproof
wireless bluetooth cotton leather steel ceramic organic charge refunded returned exchanged
orders items products customer support hours weight dimensions material care wash""".split()
EN_FILL = "the a your we you is are of to in on for and or with it this that can will".split()
ZH_SHOP = """订单 退款 退货 配送 包裹 快递 物流 运单号 质保 保修 换货 尺码 颜色 价格 折扣
优惠券 会员 金卡 银卡 账户 密码 邮箱 地址 手机 付款 支付 银行卡 发票 收据 取消 待处理 已发货
已签收 损坏 丢失 故障 维修 电池 充电器 数据线 耳机 外套 鞋子 袜子 衬衫 连衣裙 面霜 口红 牙刷
笔记本 手机壳 屏幕 键盘 鼠标 音箱 手表 背包 水杯 电水壶 搅拌机 工作日 周末 节假日 加急 标准
包邮 运费 仓库 顺丰 京东 中通 标签 包装 吊牌 说明书 礼品卡 余额 积分 奖励 升级 订阅 库存 补货
促销 套装 防水 无线 蓝牙 纯棉 真皮 不锈钢 陶瓷 有机 客服 商品 重量 尺寸 材质 清洗""".split()
ZH_FILL = "的 了 您 我们 可以 在 和 或 请 如果 需要 会 是 为 ， 。".split()
FILL_SHARE = 0.3


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Vocabulary:
    """Every word a chunk can contain: English content and filler, then Chinese ones."""

    def __init__(self) -> None:
        rng = np.random.default_rng(SEED)
        syllables = "ka lo mi zen tro lix van pel dor qua fi ra nu sen tek vo bri sol".split()
        brands = sorted({"".join(rng.choice(syllables, 3)) for _ in range(5000)})
        chars = list("华美佳新安康乐达星云博优智宏鑫源盛东方锦绣天和")
        kinds = "电器 服饰 数码 家居 美妆 母婴 户外 食品".split()
        zh_brands = sorted({"".join(rng.choice(chars, 2)) + k for k in kinds for _ in range(600)})
        skus = [f"sku{n}" for n in rng.choice(90_000, 4000, replace=False) + 10_000]
        en_content = EN_SHOP + list(rng.permutation(brands + skus))
        zh_content = ZH_SHOP + list(rng.permutation(zh_brands + [f" {s} " for s in skus]))
        self.words: list[str] = en_content + EN_FILL + zh_content + ZH_FILL
        # per language: (first content word, content count, first filler, filler count)
        self.en = (0, len(en_content), len(en_content), len(EN_FILL))
        zh0 = len(en_content) + len(EN_FILL)
        self.zh = (zh0, len(zh_content), zh0 + len(zh_content), len(ZH_FILL))
        self.cdf = {lang: np.cumsum(_zipf(n)) for lang, (_, n, _, _) in
                    (("en", self.en), ("zh", self.zh))}

    def draw(self, rng: np.random.Generator, lang: str, n: int) -> np.ndarray:
        """``n`` word ids of one language: Zipf over content words, with filler between."""
        c0, _, f0, nf = self.en if lang == "en" else self.zh
        content = c0 + np.minimum(np.searchsorted(self.cdf[lang], rng.random(n)),
                                  len(self.cdf[lang]) - 1)
        filler = f0 + rng.integers(0, nf, n)
        return np.where(rng.random(n) < FILL_SHARE, filler, content)


def _zipf(n: int) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1)
    return p / p.sum()


def text_of(words: list[str], ids: np.ndarray, lang: str) -> str:
    got = itemgetter(*ids.tolist())(words)
    return " ".join(got) if lang == "en" else "".join(got).strip()


def chunk_batches(vocab: Vocabulary, size: int) -> Iterator[tuple[list[str], np.ndarray,
                                                                  np.ndarray, np.ndarray]]:
    """(texts, word ids end to end, words per chunk, language per chunk: 0 en, 1 zh)."""
    for b, start in enumerate(range(0, size, BATCH)):
        n = min(BATCH, size - start)
        rng = np.random.default_rng([SEED, 0, b])
        lengths = rng.integers(40, 81, n)
        langs = (((start + np.arange(n)) // DOC_CHUNKS) % 2).astype(np.uint8)
        ids = np.empty(int(lengths.sum()), dtype=np.int64)
        ends = np.cumsum(lengths)
        for lang, code in (("en", 0), ("zh", 1)):
            where = np.repeat(langs == code, lengths)
            ids[where] = vocab.draw(rng, lang, int(where.sum()))
        texts = [text_of(vocab.words, ids[e - n_: e], "en" if g == 0 else "zh")
                 for e, n_, g in zip(ends.tolist(), lengths.tolist(), langs.tolist(),
                                     strict=True)]
        yield texts, ids, lengths, langs


def doc_types(size: int) -> np.ndarray:
    return ((np.arange(size) // (DOC_CHUNKS * 2)) % len(TYPES)).astype(np.uint8)


def corpus_texts(size: int) -> tuple[list[str], np.ndarray]:
    vocab = Vocabulary()
    texts: list[str] = []
    langs = []
    for batch, _, _, lang in chunk_batches(vocab, size):
        texts.extend(batch)
        langs.append(lang)
    return texts, np.concatenate(langs)


class TextStore:
    """Chunk texts as UTF-8 buffers of BATCH chunks with an offset per chunk: ~1 byte a
    character of English, 3 of Chinese, 8 a chunk; no Python object per chunk."""

    def __init__(self) -> None:
        self._buffers: list[bytes] = []
        self._offsets: list[np.ndarray] = []

    def extend(self, texts: list[str]) -> None:
        """Append one batch of BATCH chunks (a shorter one only last)."""
        encoded = [t.encode() for t in texts]
        self._offsets.append(np.concatenate([[0], np.cumsum([len(e) for e in encoded])]))
        self._buffers.append(b"".join(encoded))

    def __getitem__(self, i: int) -> str:
        b, j = divmod(i, BATCH)
        ends = self._offsets[b]
        return self._buffers[b][ends[j] : ends[j + 1]].decode()

    @property
    def nbytes(self) -> int:
        return sum(len(b) for b in self._buffers) + sum(o.nbytes for o in self._offsets)


# -- (b) the encoder ---------------------------------------------------------------------------


def run_encode(args: argparse.Namespace) -> dict[str, Any]:
    from kefu.nlu.encoder import load_encoder
    from kefu.settings import Settings

    texts, _ = corpus_texts(args.encode_sample)
    settings = Settings()
    t0 = time.perf_counter()
    encoder = load_encoder("onnx", settings.cache_dir, settings.encoder_threads)
    encoder.encode(texts[:4], "passage")
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    vectors = encoder.encode(texts, "passage")
    elapsed = time.perf_counter() - t0
    np.save(args.vectors_out, vectors)
    queries = [q for q, _ in make_queries(Vocabulary(), 20)]
    times = []
    for q in queries:
        t = time.perf_counter()
        encoder.encode([q], "query")
        times.append(time.perf_counter() - t)
    return {"chunks": len(texts), "seconds": elapsed, "per_s": len(texts) / elapsed,
            "load_s": loaded, "query_ms": statistics.median(times) * 1000,
            "threads": settings.encoder_threads}


# -- (a) keyword-only ingestion ----------------------------------------------------------------


def run_ingest(args: argparse.Namespace) -> dict[str, Any]:
    import bm25s

    from kefu.knowledge.bm25_compact import CompactBM25Builder
    from kefu.knowledge.tokenize import tokenize, warm_up

    warm_up()
    texts, _ = corpus_texts(args.size)

    def baseline() -> None:
        bm25s.BM25().index([t.split() for t in texts], show_progress=False)

    t0 = time.perf_counter()
    tokens = [tokenize(t) or ["\u2205"] for t in texts]
    tokenise_s = time.perf_counter() - t0

    def with_bm25s() -> None:
        bm25s.BM25().index(tokens, show_progress=False)

    def compact() -> None:
        builder = CompactBM25Builder()
        for start in range(0, len(tokens), BATCH):
            builder.add(tokens[start : start + BATCH])
        builder.build()

    timed = {name: statistics.median(_timed(fn) for _ in range(args.repeats))
             for name, fn in (("baseline", baseline), ("bm25s", with_bm25s),
                              ("compact", compact))}
    return {"size": args.size, "tokenise_s": tokenise_s, **{f"{k}_s": v for k, v in timed.items()},
            "tokens_per_chunk": sum(map(len, tokens)) / len(tokens),
            "peak_mib": rss_mib("VmHWM")}


def _timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# -- (c) search --------------------------------------------------------------------------------


class VectorModel:
    """Synthetic passage vectors: a Gaussian with the real sample's mean and covariance,
    normalised (isotropic when there is no sample). Batch b is the same at every size."""

    def __init__(self, sample: Path | None) -> None:
        if sample is not None and sample.exists():
            real = np.load(sample).astype(np.float64)
            self.mean = real.mean(axis=0)
            cov = np.cov(real, rowvar=False) + 1e-6 * np.eye(DIM)
            self.factor = np.linalg.cholesky(cov).T.astype(np.float32)
            self.kind = f"Gaussian fitted to {len(real)} real passage vectors"
        else:
            self.mean = np.zeros(DIM)
            self.factor = np.eye(DIM, dtype=np.float32)
            self.kind = "isotropic (no encoder sample)"

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        v = rng.standard_normal((n, DIM), dtype=np.float32) @ self.factor + self.mean
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    def batches(self, size: int) -> Iterator[tuple[int, np.ndarray]]:
        for b, start in enumerate(range(0, size, BATCH)):
            yield start, self.draw(np.random.default_rng([SEED, 1, b]), min(BATCH, size - start))


def make_queries(vocab: Vocabulary, n: int) -> list[tuple[str, int]]:
    """Questions of 3–7 words, alternating English and Chinese: (text, language code)."""
    rng = np.random.default_rng([SEED, 2])
    out = []
    for i in range(n):
        lang = "en" if i % 2 == 0 else "zh"
        ids = vocab.draw(rng, lang, int(rng.integers(3, 8)))
        out.append((text_of(vocab.words, ids, lang) + ("?" if lang == "en" else "？"), i % 2))
    return out


Dense = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class Searcher:
    """HybridRetriever's search over compact parts: language codes, the lexical index, a
    dense search (its HnswIndex or ExactIndex), the text store."""

    def __init__(self, bm25: Any, langs: np.ndarray, texts: TextStore,
                 dense: Dense | None) -> None:
        from kefu.knowledge.hybrid import CANDIDATES, LEXICAL_WEIGHT

        self.bm25, self.langs, self.texts, self.dense = bm25, langs, texts, dense
        self.masks = {g: langs == g for g in (0, 1)}  # cached, as HybridRetriever caches them
        self.weights = {g: m.astype(np.float32) for g, m in self.masks.items()}
        self.vocab = bm25.vocab_dict
        self.k, self.weight = CANDIDATES, LEXICAL_WEIGHT

    def search(self, query: str, lang: int, vector: np.ndarray) -> tuple[list[str], float,
                                                                          float]:
        from kefu.knowledge.bm25_compact import top_k
        from kefu.knowledge.relevance import is_evidence, query_language
        from kefu.knowledge.tokenize import tokenize

        t0 = time.perf_counter()
        tokens = [t for t in tokenize(query) if t in self.vocab]
        lexical: dict[int, float] = {}
        if tokens:
            ids, scores = top_k(self.bm25, tokens, self.k, self.weights[lang])
            lexical = {int(i): float(s) for i, s in zip(ids, scores, strict=True) if s > 0}
        t1 = time.perf_counter()
        ids, scores = (self.dense(vector, self.masks[lang]) if self.dense is not None
                       else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)))
        t2 = time.perf_counter()
        semantic = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        asked, names = query_language(query), ("en", "zh")
        keep = set(lexical) | {i for i, s in semantic.items()
                               if is_evidence(False, s, asked, names[self.langs[i]])}
        top = max(lexical.values(), default=1.0) or 1.0
        floor = min(semantic.values(), default=0.0)
        fused = {i: semantic.get(i, floor) + self.weight * lexical.get(i, 0.0) / top
                 for i in keep}
        best = sorted(fused, key=lambda i: (-fused[i], i))[:3]
        return [self.texts[i] for i in best], t1 - t0, t2 - t1


def index_dense(index: Any, k: int) -> Dense:
    """A VectorIndex's search, as HybridRetriever._semantic calls it."""
    return lambda q, mask: index.search(q, k, mask)


def run_search(args: argparse.Namespace) -> dict[str, Any]:
    from kefu.knowledge.bm25_compact import CompactBM25Builder
    from kefu.knowledge.tokenize import tokenize, warm_up
    from kefu.knowledge.vector_index import ExactIndex, HnswIndex

    warm_up()
    size, out, vocab = args.size, {"size": args.size}, Vocabulary()
    model = VectorModel(Path(args.vectors_in) if args.vectors_in else None)
    queries = make_queries(vocab, args.queries)
    qvecs = model.draw(np.random.default_rng([SEED, 3]), len(queries))
    out["rss_start_mib"] = rss_mib()

    # words → tokens once per vocabulary word; a chunk's tokens are its words' tokens
    builder = CompactBM25Builder()
    per_word = [[builder.vocab.setdefault(t, len(builder.vocab)) for t in tokenize(w)]
                for w in vocab.words]
    word_len = np.array([len(t) for t in per_word], dtype=np.int64)
    word_start = np.concatenate([[0], np.cumsum(word_len)[:-1]])
    word_flat = np.array([i for t in per_word for i in t], dtype=np.int32)
    texts, langs, tok_s, gen_s = TextStore(), [], 0.0, 0.0
    fidelity: list[int] = []
    fidelity_lang = np.zeros(0, dtype=np.uint8)
    t_gen = time.perf_counter()
    for batch, words, lengths, lang in chunk_batches(vocab, size):
        t0 = time.perf_counter()
        texts.extend(batch)
        langs.append(lang)
        n_tok = word_len[words]
        pick = np.repeat(word_start[words] - np.cumsum(n_tok) + n_tok, n_tok)
        token_ids = word_flat[pick + np.arange(int(n_tok.sum()))]
        chunk_len = np.add.reduceat(n_tok, np.concatenate([[0], np.cumsum(lengths)[:-1]]))
        builder.add_ids(token_ids, chunk_len)
        tok_s += time.perf_counter() - t0
        if not fidelity:
            fidelity = [len(tokenize(t)) - int(n) for t, n in zip(batch[:800], chunk_len[:800],
                                                                  strict=True)]
            fidelity_lang = lang[:800]
    gen_s = time.perf_counter() - t_gen - tok_s
    lang_codes = np.concatenate(langs)
    out["text_mib"] = texts.nbytes / 2**20
    out["rss_texts_mib"] = rss_mib()
    t0 = time.perf_counter()
    bm25 = builder.build()
    out["lexical_build_s"] = tok_s + time.perf_counter() - t0
    out["generate_s"] = gen_s
    out["lexical_mib"] = sum(bm25.scores[k].nbytes for k in ("data", "indices", "indptr")) / 2**20
    out["vocab_terms"] = len(bm25.vocab_dict)
    out["rss_lexical_mib"] = rss_mib()
    gap = np.array(fidelity, dtype=np.float64)
    out["fidelity"] = {"en": float(gap[fidelity_lang == 0].mean()),
                       "zh": float(gap[fidelity_lang == 1].mean())}

    out["vectors"] = model.kind
    # inserting slows as the graph grows: ×3.3 from 10k to 100k, ×2.4 from 100k to 1M (measured)
    projected = size / args.hnsw_rate * 3 if args.hnsw_rate else 0.0
    if projected > args.hnsw_budget_s:
        out["hnsw_skipped"] = (f"projected build {projected / 60:.0f} min (at the previous "
                               f"size's {args.hnsw_rate:.0f}/s, ÷3 for the larger graph) "
                               f"would overrun --budget-min; run with a larger --budget-min")
        lexical_only = Searcher(bm25, lang_codes, texts, None)
        out["lexical"], _ = time_queries(lexical_only, queries, qvecs, args.repeats)
        out["peak_mib"] = rss_mib("VmHWM")
        return out
    index = HnswIndex(DIM)
    build = 0.0
    for start, vectors in model.batches(size):
        t0 = time.perf_counter()
        index.add(np.arange(start, start + len(vectors)), vectors)
        build += time.perf_counter() - t0
    out["hnsw_build_s"] = build
    out["hnsw_mib"] = index.memory_bytes / 2**20
    out["rss_built_mib"] = rss_mib()

    searcher = Searcher(bm25, lang_codes, texts, index_dense(index, candidates()))
    out["hnsw"], found = time_queries(searcher, queries, qvecs, args.repeats)
    out["peak_mib"] = rss_mib("VmHWM")
    truth, int8_truth = exact_top(model, size, qvecs, np.array([g for _, g in queries]),
                                  lang_codes, searcher.k)
    for k in (10, 50):
        out[f"recall{k}"] = recall(found, truth, k)
        out[f"int8_recall{k}"] = recall(int8_truth, truth, k)
    out["sweep"] = sweep(index, searcher, queries, qvecs, truth)
    if size <= args.exact_max:
        del index
        flat = ExactIndex(DIM)
        for start, vectors in model.batches(size):
            flat.add(np.arange(start, start + len(vectors)), vectors)
        exact = Searcher(bm25, lang_codes, texts, index_dense(flat, searcher.k))
        out["exact"], _ = time_queries(exact, queries, qvecs, args.repeats)
        out["exact_mib"] = flat.memory_bytes / 2**20
    return out


def sweep(index: Any, searcher: Searcher, queries: list[tuple[str, int]], qvecs: np.ndarray,
          truth: list[list[int]]) -> list[dict[str, float]]:
    """The dense half alone at other search widths (ef): latency and recall, one run."""
    out, default = [], index.expansion_search
    for ef in (128, 256, 512, 1024):
        index.expansion_search = ef
        times, found = [], []
        for (_, lang), v in zip(queries, qvecs, strict=True):
            t0 = time.perf_counter()
            ids, _ = index.search(v, searcher.k, searcher.masks[lang])
            times.append(time.perf_counter() - t0)
            found.append(ids.tolist())
        out.append({"ef": ef, "p50_ms": pct(times, 0.5) * 1000, "p95_ms": pct(times, 0.95) * 1000,
                    "recall10": recall(found, truth, 10), "recall50": recall(found, truth, 50)})
    index.expansion_search = default
    return out


def candidates() -> int:
    from kefu.knowledge.hybrid import CANDIDATES

    return CANDIDATES


def recall(found: list[list[int]], truth: list[list[int]], k: int) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / max(1, len(t[:k]))
                          for f, t in zip(found, truth, strict=True)]))


def time_queries(searcher: Searcher, queries: list[tuple[str, int]], qvecs: np.ndarray,
                 repeats: int) -> tuple[dict[str, float], list[list[int]]]:
    runs: list[dict[str, float]] = []
    found: list[list[int]] = []
    searcher.search(*queries[0], qvecs[0])  # warm
    for r in range(repeats):
        total, lexical, dense = [], [], []
        for (q, lang), v in zip(queries, qvecs, strict=True):
            t0 = time.perf_counter()
            _, lex_s, dense_s = searcher.search(q, lang, v)
            total.append(time.perf_counter() - t0)
            lexical.append(lex_s)
            dense.append(dense_s)
            if r == 0 and searcher.dense is not None:
                found.append(searcher.dense(v, searcher.masks[lang])[0].tolist())
        runs.append({"p50_ms": pct(total, 0.5) * 1000, "p95_ms": pct(total, 0.95) * 1000,
                     "lexical_p50_ms": pct(lexical, 0.5) * 1000,
                     "lexical_p95_ms": pct(lexical, 0.95) * 1000,
                     "dense_p50_ms": pct(dense, 0.5) * 1000,
                     "dense_p95_ms": pct(dense, 0.95) * 1000})
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}, found


def exact_top(model: VectorModel, size: int, qvecs: np.ndarray, qlangs: np.ndarray,
              langs: np.ndarray, k: int) -> tuple[list[list[int]], list[list[int]]]:
    """Each query's true top k among its language's vectors, by float32 cosine and by the
    cosine of the int8 vectors HnswIndex stores (its ceiling), streaming the vectors again."""
    from kefu.knowledge.vector_index import quantise

    q8 = quantise(qvecs).astype(np.float32)
    q8 /= np.linalg.norm(q8, axis=1, keepdims=True)
    tops = [(np.zeros((len(qvecs), 0), dtype=np.int64), np.zeros((len(qvecs), 0)))
            for _ in range(2)]
    for start, vectors in model.batches(size):
        v8 = quantise(vectors).astype(np.float32)
        v8 /= np.linalg.norm(v8, axis=1, keepdims=True)
        other = langs[None, start : start + len(vectors)] != qlangs[:, None]
        ids = np.broadcast_to(np.arange(start, start + len(vectors)), other.shape)
        for t, scores in enumerate((qvecs @ vectors.T, q8 @ v8.T)):
            scores[other] = -np.inf
            all_ids = np.concatenate([tops[t][0], ids], axis=1)
            all_scores = np.concatenate([tops[t][1], scores], axis=1)
            top = np.argpartition(-all_scores, k - 1, axis=1)[:, :k]
            tops[t] = (np.take_along_axis(all_ids, top, 1), np.take_along_axis(all_scores, top, 1))
    ranked = [np.take_along_axis(i, np.argsort(-s, axis=1), 1).tolist() for i, s in tops]
    return ranked[0], ranked[1]


# -- the report --------------------------------------------------------------------------------


def child(kind: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", kind, "--queries", str(args.queries),
           "--repeats", str(args.repeats), "--encode-sample", str(args.encode_sample),
           "--exact-max", str(args.exact_max)]
    for key, value in extra.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--encode-sample", type=int, default=2000)
    parser.add_argument("--exact-max", type=int, default=100_000,
                        help="largest size with the numpy brute-force baseline")
    parser.add_argument("--tokenize-max", type=int, default=100_000,
                        help="largest size whose chunks all go through kefu's tokenizer in (a)")
    parser.add_argument("--budget-min", type=float, default=20,
                        help="skip an HNSW build projected to end the run later than this")
    parser.add_argument("--hnsw-rate", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--hnsw-budget-s", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=["encode", "ingest", "search"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--vectors-in", default="", help=argparse.SUPPRESS)
    parser.add_argument("--vectors-out", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run = {"encode": run_encode, "ingest": run_ingest, "search": run_search}[args.worker]
        print(json.dumps(run(args)))
        return
    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.npy"
        encode = child("encode", args, vectors_out=sample) if args.encode_sample else {}
        ingest = {n: child("ingest", args, size=n) for n in sizes if n <= args.tokenize_max}
        search: dict[int, dict[str, Any]] = {}
        rate = 0.0
        for n in sizes:
            left = args.budget_min * 60 - (time.perf_counter() - started)
            search[n] = child("search", args, size=n, vectors_in=sample, hnsw_rate=rate,
                              hnsw_budget_s=left if rate else 1e9)
            rate = n / search[n]["hnsw_build_s"] if "hnsw_build_s" in search[n] else rate
    report(args, encode, ingest, search, time.perf_counter() - started)


def report(args: argparse.Namespace, encode: dict[str, Any], ingest: dict[int, dict[str, Any]],
           search: dict[int, dict[str, Any]], wall: float) -> None:
    print(f"command: python bench/retrieval_scale.py --sizes {args.sizes} --queries "
          f"{args.queries} --repeats {args.repeats} --encode-sample {args.encode_sample} "
          f"--budget-min {args.budget_min:g}")
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the "
          f"end; whole run {wall / 60:.1f} min")
    print("corpus: synthetic shop chunks, half English half Chinese, 40–80 words each")
    print("\n(a) keyword-only ingestion, chunks/s (tokenising: 1 run; indexing: median of "
          f"{args.repeats})")
    print(f"{'chunks':>9}{'baseline':>10}{'kefu+bm25s':>12}{'ratio':>7}{'kefu+compact':>14}"
          f"{'ratio':>7}{'tokenise':>10}{'tok/chunk':>10}{'peak MiB':>9}")
    for n, r in ingest.items():
        if "error" in r:
            print(f"{n:>9}  failed: {r['error']}")
            continue
        base = n / r["baseline_s"]
        plain, compact = n / (r["tokenise_s"] + r["bm25s_s"]), n / (r["tokenise_s"] +
                                                                   r["compact_s"])
        print(f"{n:>9}{base:>10.0f}{plain:>12.0f}{plain / base:>7.2f}{compact:>14.0f}"
              f"{compact / base:>7.2f}{n / r['tokenise_s']:>10.0f}{r['tokens_per_chunk']:>10.1f}"
              f"{r['peak_mib']:>9.0f}")
    print("    baseline: str.split() + bm25s.BM25().index; kefu: kefu.knowledge.tokenize (jieba) "
          "then bm25s's index or CompactBM25Builder")
    skipped = [n for n in search if n not in ingest]
    if skipped and ingest:
        rate = max(ingest.items())[1]
        per = rate["tokenise_s"] / max(ingest)
        for n in skipped:
            print(f"    {n}: not tokenised here (≈ {n * per / 60:.0f} min at the rate above); "
                  "bm25s's own index would hold every token as a Python string (> 2 GiB)")
    if encode and "error" not in encode:
        print(f"\n(b) with vectors: encoder (onnx int8, {encode['threads']} threads) "
              f"{encode['per_s']:.1f} chunks/s as passages over {encode['chunks']} chunks "
              f"({encode['seconds']:.0f} s); one question {encode['query_ms']:.1f} ms")
        for n, s in search.items():
            if "error" in s:
                continue
            per_chunk = 1 / encode["per_s"] + s.get("hnsw_build_s", 0.0) / n
            parts = ["encode"] + (["HNSW add"] if "hnsw_build_s" in s else [])
            if n in ingest:
                per_chunk += (ingest[n]["tokenise_s"] + ingest[n]["compact_s"]) / n
                parts.append("keyword ingestion")
            print(f"    {n:>9} chunks: ≈ {1 / per_chunk:.1f} chunks/s with vectors "
                  f"({' + '.join(parts)}); encoding all: ≈ {n / encode['per_s'] / 3600:.1f} h")
    elif encode:
        print(f"\n(b) encoder failed: {encode['error']}")
    print(f"\n(c) hybrid search, {args.queries} questions (half English, half Chinese, each "
          f"filtered to its language) × {args.repeats} runs, medians; the dense half searches "
          "synthetic vectors (no encoder call)")
    print(f"{'chunks':>9}{'dense':>7}{'p50 ms':>8}{'p95 ms':>8}{'lex p50':>8}{'lex p95':>8}"
          f"{'dns p50':>8}{'dns p95':>8}{'p50/exact':>10}{'r@10':>6}{'r@50':>6}{'i8 r@10':>8}")
    for n, s in search.items():
        if "error" in s:
            print(f"{n:>9}  failed: {s['error']}")
            continue
        base = s["exact"]["p50_ms"] if "exact" in s else None
        rows = [(name, s[name]) for name in ("exact", "hnsw", "lexical") if name in s]
        for name, r in rows:
            ratio = f"{r['p50_ms'] / base:>10.2f}" if base else f"{'–':>10}"
            rec = (f"{s['recall10']:>6.2f}{s['recall50']:>6.2f}{s['int8_recall10']:>8.2f}"
                   if name == "hnsw" else "")
            label = {"exact": "numpy", "hnsw": "hnsw", "lexical": "none"}[name]
            print(f"{n:>9}{label:>7}{r['p50_ms']:>8.2f}{r['p95_ms']:>8.2f}"
                  f"{r['lexical_p50_ms']:>8.2f}{r['lexical_p95_ms']:>8.2f}"
                  f"{r['dense_p50_ms']:>8.2f}{r['dense_p95_ms']:>8.2f}{ratio}{rec}")
        if "hnsw_skipped" in s:
            print(f"{'':>9}  HNSW not built: {s['hnsw_skipped']}")
    for n, s in search.items():
        for r in s.get("sweep", []):
            print(f"{n:>9} HNSW alone at ef {r['ef']:>4}: p50 {r['p50_ms']:.2f} ms, p95 "
                  f"{r['p95_ms']:.2f} ms, r@10 {r['recall10']:.2f}, r@50 {r['recall50']:.2f}")
    print("    numpy: ExactIndex, HybridRetriever's index below HNSW_FROM chunks (float32, "
          "every row); hnsw: HnswIndex, its index from HNSW_FROM")
    print("    (M 16, ef 64/512, int8). r@k: HNSW's top k against the exact float32 top k of the "
          "same language; i8 r@10: exhaustive")
    print("    search of the int8 vectors (what quantisation alone allows)")
    print("\n(d) build and memory, MiB; RSS of each size's own process")
    print(f"{'chunks':>9}{'lex s':>7}{'hnsw s':>8}{'hnsw/s':>8}{'texts':>7}{'bm25':>7}"
          f"{'hnsw':>7}{'f32':>7}{'RSS':>7}{'peak':>7}")
    for n, s in search.items():
        if "error" in s:
            continue
        built = "hnsw_build_s" in s
        hnsw = (f"{s['hnsw_build_s']:>8.1f}{n / s['hnsw_build_s']:>8.0f}" if built
                else f"{'–':>8}{'–':>8}")
        f32 = n * DIM * 4 / 2**20
        hnsw_mib = f"{s['hnsw_mib']:.0f}" if built else "–"
        print(f"{n:>9}{s['lexical_build_s']:>7.1f}{hnsw}{s['text_mib']:>7.0f}"
              f"{s['lexical_mib']:>7.0f}{hnsw_mib:>7}"
              f"{f32:>7.0f}{s.get('rss_built_mib', s['rss_lexical_mib']):>7.0f}"
              f"{s['peak_mib']:>7.0f}")
    first = next((s for s in search.values() if "error" not in s), None)
    if first:
        print(f"    lex s: generated words to tokens (looked up per word) and CompactBM25Builder; "
              f"the real tokenizer gives a chunk en {first['fidelity']['en']:+.1f}, "
              f"zh {first['fidelity']['zh']:+.1f} tokens more")
        print(f"    vectors: {first['vectors']}; f32: the float32 matrix ExactIndex "
              f"would hold; RSS: after building; process RSS at start "
              f"{first['rss_start_mib']:.0f} MiB (Python, numpy, jieba)")


if __name__ == "__main__":
    main()
