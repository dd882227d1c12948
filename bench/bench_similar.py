"""Benchmark similar conversations (the `ml` extra): does the embedding find conversations that
are alike, and would their replies have answered? Beside TF-IDF retrieval and simpler baselines,
in the same run. Writes the "similar" section of bench/results.md.

Run from the project root: `.venv/bin/python -m bench.bench_similar`. Needs the `ml` and `train`
extras and ../shared/data.

1. Neighbours: each held-out care message (the 765 of the customers with crc32(author_id) % 4 ==
   0) finds its nearest training message (the other 2,013); how often the two share the labelled
   intent and sentiment, for the embedding and for word+character TF-IDF cosine; and by the
   embedding's score, which is where the panel's MIN_SCORE comes from.
2. Answers: each held-out conversation of ../shared/data/twcs_sample.csv (a customer tweet that
   starts a thread and a brand reply to it) takes the reply of the brand's training conversation
   whose opening is nearest, and that suggestion is compared with the reply the brand really
   sent: word overlap (F1 of the reply's words once handles, names, numbers and signatures are
   removed) and how often it is the same template. Beside a random reply of the same brand and
   the brand's most common template.
3. Speed: embedding texts per CPU second and per wall second, the model's load time, and the
   panel's comparison against a pool of 20,000 stored vectors; beside the shipped triage model.
"""

from __future__ import annotations

import csv
import os
import random
import re
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from beancan.care.replies import canned_key
from beancan.triage import embeddings
from beancan.triage.model import load_model
from beancan.triage.training import load_care_labels
from bench._results import write_section

MIN_SCORE = embeddings.MIN_SCORE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
HANDLES = re.compile(r"@\w+")
BANDS = ((0.0, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 1.01))
RANDOM_DRAWS = 20


def held_out(author: str) -> bool:
    return zlib.crc32(author.encode()) % 4 == 0


def tfidf_cosine(train: list[str], test: list[str]) -> np.ndarray:
    """Cosine of word 1-2-gram + character 2-5-gram TF-IDF vectors (each L2-normalised)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    a = normalize(sparse.hstack([words.fit_transform(train), chars.fit_transform(train)]).tocsr())
    b = normalize(sparse.hstack([words.transform(test), chars.transform(test)]).tocsr())
    return (b @ a.T).toarray()


def clean(text: str) -> str:
    return embeddings.embed_text(text)


# ------------------------------------------------------------------ 1. neighbours


def neighbours() -> tuple[list[str], dict]:
    from sklearn.metrics import f1_score

    data = load_care_labels(ROOT / "train" / "labels", DATA / "twcs_sample.csv")
    train = [x for x in data.labels if not held_out(x.author_id)]
    test = [x for x in data.labels if held_out(x.author_id)]
    a, b = [clean(x.text) for x in train], [clean(x.text) for x in test]
    emb = embeddings.encode(b) @ embeddings.encode(a).T
    lex = tfidf_cosine(a, b)
    rows = []
    out = {}
    for name, scores in (("all-MiniLM-L6-v2 (the ml extra)", emb), ("TF-IDF word+char", lex)):
        best = scores.argmax(axis=1)
        row = [name]
        for field in ("intent", "sentiment"):
            truth = np.array([getattr(x, field) for x in test])
            got = np.array([getattr(x, field) for x in train])[best]
            row += [f"{(got == truth).mean():.3f}", f"{f1_score(truth, got, average='macro'):.3f}"]
        rows.append(row)
        out[name] = (scores, best)
    intents = Counter(x.intent for x in train)
    sentiments = Counter(x.sentiment for x in train)
    top_i, top_s = intents.most_common(1)[0][0], sentiments.most_common(1)[0][0]
    share_i = np.mean([x.intent == top_i for x in test])
    share_s = np.mean([x.sentiment == top_s for x in test])
    rows.append(
        [f"majority class ({top_i}, {top_s})", f"{share_i:.3f}", "—", f"{share_s:.3f}", "—"]
    )
    lines = [
        f"{len(test)} held-out care messages, each with its nearest of {len(train)} training "
        "messages (handles and links removed); share of pairs with the same labelled intent and "
        "sentiment, and the macro-F1 of taking the neighbour's label as the answer.",
        "",
        "| retrieval | intent agrees | intent macro-F1 | sentiment agrees | sentiment macro-F1 |",
        "|---|---:|---:|---:|---:|",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
        "By the embedding's score of that nearest neighbour (the panel shows only matches at "
        f"{MIN_SCORE} or more; the majority intent is {share_i:.3f} of the messages):",
        "",
        "| cosine | messages | intent agrees | sentiment agrees |",
        "|---|---:|---:|---:|",
    ]
    scores, best = out["all-MiniLM-L6-v2 (the ml extra)"]
    top = scores.max(axis=1)
    ti = np.array([x.intent for x in test])
    gi = np.array([x.intent for x in train])[best]
    ts = np.array([x.sentiment for x in test])
    gs = np.array([x.sentiment for x in train])[best]
    for lo, hi in BANDS:
        m = (top >= lo) & (top < hi)
        if m.any():
            label = f"{lo:.1f}–{min(hi, 1):.1f}"
            lines.append(
                f"| {label} | {m.sum()} | {(gi[m] == ti[m]).mean():.3f} | "
                f"{(gs[m] == ts[m]).mean():.3f} |"
            )
    shown = top >= MIN_SCORE
    lines += [
        "",
        f"Shown (≥ {MIN_SCORE}): {shown.mean():.1%} of the messages; intent agrees "
        f"{(gi[shown] == ti[shown]).mean():.3f}, sentiment {(gs[shown] == ts[shown]).mean():.3f}.",
    ]
    return lines, {"texts": a + b}


# ------------------------------------------------------------------ 2. answers


def conversations() -> list[tuple[str, str, str, str]]:
    """(customer, opening, brand, first brand reply to it) of the sample's threads."""
    rows: dict[str, dict] = {}
    with (DATA / "twcs_sample.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["tweet_id"] and row["inbound"] in ("True", "False"):
                rows.setdefault(row["tweet_id"], row)
    pairs = []
    for row in rows.values():
        if row["inbound"] != "True" or row["in_response_to_tweet_id"]:
            continue
        replies = [
            rows[k]
            for k in (row["response_tweet_id"] or "").split(",")
            if k in rows and rows[k]["inbound"] == "False"
        ]
        if replies:
            pairs.append(
                (row["author_id"], row["text"], replies[0]["author_id"], replies[0]["text"])
            )
    return pairs


def words(text: str) -> Counter:
    key = canned_key(text) or " ".join(re.findall("[a-z]+", HANDLES.sub(" ", text.lower())))
    return Counter(key.split())


def overlap(a: str, b: str) -> float:
    x, y = words(a), words(b)
    common = sum((x & y).values())
    if not common:
        return 0.0
    p, r = common / sum(x.values()), common / sum(y.values())
    return 2 * p * r / (p + r)


def same_template(a: str, b: str) -> bool:
    key = canned_key(a)
    return bool(key) and key == canned_key(b)


def answers() -> list[str]:
    pairs = conversations()
    train = [p for p in pairs if not held_out(p[0])]
    test = [p for p in pairs if held_out(p[0]) and any(t[2] == p[2] for t in train)]
    by_brand: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(train):
        by_brand[p[2]].append(j)
    a, b = [clean(p[1]) for p in train], [clean(p[1]) for p in test]
    emb = embeddings.encode(b) @ embeddings.encode(a).T
    lex = tfidf_cosine(a, b)

    def score(picks: list[int | None]) -> tuple[int, float, float]:
        got = [(train[j][3], test[i][3]) for i, j in enumerate(picks) if j is not None]
        return (
            len(got),
            float(np.mean([overlap(s, t) for s, t in got])),
            float(np.mean([same_template(s, t) for s, t in got])),
        )

    def nearest(scores: np.ndarray, floor: float | None = None) -> list[int | None]:
        picks: list[int | None] = []
        for i, p in enumerate(test):
            js = by_brand[p[2]]
            j = js[int(np.argmax(scores[i, js]))]
            picks.append(j if floor is None or scores[i, j] >= floor else None)
        return picks

    rng = random.Random(0)
    draws = [score([rng.choice(by_brand[p[2]]) for p in test]) for _ in range(RANDOM_DRAWS)]
    commonest: list[int | None] = []
    for p in test:
        js = by_brand[p[2]]
        top = Counter(canned_key(train[j][3]) for j in js).most_common(1)[0][0]
        commonest.append(next(j for j in js if canned_key(train[j][3]) == top))
    results = [
        ("a random reply of the same brand (mean of 20 draws)",
         (len(test), float(np.mean([d[1] for d in draws])), float(np.mean([d[2] for d in draws])))),
        ("the brand's most common template", score(commonest)),
        ("nearest opening, TF-IDF word+char", score(nearest(lex))),
        ("nearest opening, all-MiniLM-L6-v2 (the ml extra)", score(nearest(emb))),
        (f"the same, only where its score is ≥ {MIN_SCORE} (what the panel shows)",
         score(nearest(emb, MIN_SCORE))),
    ]  # fmt: skip
    return [
        f"{len(test)} held-out conversations of the sample (a customer's opening tweet and the "
        f"brand's first reply to it), {len(train)} training conversations of the same "
        f"{len(by_brand)} brands. Each method suggests one training reply of the same brand; it "
        "is compared with the reply the brand really sent.",
        "",
        "| suggestion | conversations | word F1 with the real reply | same template |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {n} | {f1:.3f} | {same:.3f} |" for name, (n, f1, same) in results),
    ]


# ------------------------------------------------------------------ 3. speed


SPEED_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from beancan.triage import embeddings
embeddings.encode(["warm up"])
load = time.perf_counter() - t0
texts = json.load(open(sys.argv[1]))
cpu, wall = time.process_time(), time.perf_counter()
embeddings.encode(texts)
print(json.dumps({"load": load, "cpu": time.process_time() - cpu,
                  "wall": time.perf_counter() - wall}))
"""


def _embedding_speed(texts: list[str], threads: int) -> dict:
    """Load and throughput in a fresh process (imports included), with `threads` torch threads."""
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
        json.dump(texts, handle)
        handle.flush()
        out = subprocess.run(
            [sys.executable, "-c", SPEED_SCRIPT, handle.name],
            env={**os.environ, "BEANCAN_ML_THREADS": str(threads)},
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def speed(texts: list[str]) -> list[str]:
    runs = {threads: _embedding_speed(texts, threads) for threads in (1, 2)}
    model = load_model()
    tcpu = time.process_time()
    model.predict_many(texts)
    tcpu = time.process_time() - tcpu
    pool_n = 20_000
    rng = np.random.default_rng(0)
    pool = rng.standard_normal((pool_n, embeddings.DIMENSIONS)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    blobs = [embeddings.pack(v) for v in pool]
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        matrix = embeddings.unpack_many(blobs)
        embeddings.nearest(matrix[0], matrix, 3, MIN_SCORE)
        best = min(best, time.perf_counter() - t)
    rows = [
        f"| embedding, all-MiniLM-L6-v2, {threads} torch thread{'s' if threads > 1 else ''}"
        f"{' (the default)' if threads == embeddings.THREADS else ''} | "
        f"{len(texts) / r['cpu']:,.0f} | {len(texts) / r['wall']:,.0f} | {r['load']:.1f} s |"
        for threads, r in runs.items()
    ]
    return [
        f"{len(texts)} care messages, batches of 64, each setting in a fresh process. Load: "
        "importing torch and sentence-transformers and reading the model from its package, once "
        "per worker process.",
        "",
        "| what | texts per CPU second | texts per wall second | load |",
        "|---|---:|---:|---:|",
        *rows,
        f"| the shipped triage model (sentiment + intent + spam), for scale | "
        f"{len(texts) / tcpu:,.0f} | | |",
        "",
        f"The panel's comparison with a pool of {pool_n:,} stored vectors (unpacking the float16 "
        f"blobs and the cosine top 3, best of 5): {best * 1000:.1f} ms; reading the blobs from the "
        "database comes on top.",
    ]


def main() -> None:
    if not embeddings.installed():
        raise SystemExit("bench_similar needs the ml extra: make ml")
    load_before = os.getloadavg()[0]
    section1, extra = neighbours()
    section2 = answers()
    section3 = speed(extra["texts"])
    text = "\n".join(
        [
            "## Similar conversations (the `ml` extra)",
            "",
            "### Are the neighbours alike?",
            "",
            *section1,
            "",
            "### Would their replies have answered?",
            "",
            *section2,
            "",
            "### Speed",
            "",
            *section3,
            "",
            f"1-minute load average {load_before:.2f} before and {os.getloadavg()[0]:.2f} after.",
        ]
    )
    print(text)
    write_section("similar", text)


if __name__ == "__main__":
    main()
