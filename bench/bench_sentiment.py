"""Benchmark the sentiment analyzers on TweetEval: quality, single-core speed, worst-case inputs.

Run from the project root: `.venv/bin/python -m bench.bench_sentiment`. Writes the "sentiment"
section of bench/results.md.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from beancan.triage.model import load_model
from beancan.triage.sentiment import MAX_CHARS, LexiconAnalyzer, VaderAnalyzer, label
from bench._results import write_section

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tweeteval_sentiment"
CLASSES = ("negative", "neutral", "positive")  # TweetEval labels 0, 1, 2
REPEATS = 3


def load_split(split: str) -> tuple[list[str], list[str]]:
    """Texts and class names of one TweetEval split ("val" or "test")."""
    texts = (DATA / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
    labels = (DATA / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    texts = texts[: len(labels)]  # drop the empty string after the final newline
    if len(texts) != len(labels):
        raise SystemExit(f"{split}: {len(texts)} texts but {len(labels)} labels")
    return [t.rstrip("\r") for t in texts], [CLASSES[int(x)] for x in labels]


def metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Macro-recall, macro-F1 and accuracy over the three classes."""
    recalls, f1s = [], []
    for cls in CLASSES:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == cls and p == cls)
        n_gold = sum(1 for g in gold if g == cls)
        n_pred = sum(1 for p in predicted if p == cls)
        recall = tp / n_gold if n_gold else 0.0
        precision = tp / n_pred if n_pred else 0.0
        recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "macro_recall": sum(recalls) / len(CLASSES),
        "macro_f1": sum(f1s) / len(CLASSES),
        "accuracy": correct / len(gold),
    }


def best_time(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """Shortest CPU time and shortest wall time of `repeats` calls of fn, in seconds.

    CPU time is the fair single-core figure when other processes share the machine; wall time
    is what a user waits.
    """
    best_cpu = best_wall = float("inf")
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall


def main() -> None:
    """Measure both analyzers, print the table and write it to bench/results.md."""
    if not DATA.is_dir():
        raise SystemExit(f"TweetEval data not found at {DATA}")
    val_texts, val_gold = load_split("val")
    test_texts, test_gold = load_split("test")
    worst = {
        "10,000 emoji": "😀😂😡👍🙏" * 2_000,  # one code point each: the most emoji in the cap
        "100 kB text": ("not bad at all, but the WAIT was terrible!!! " * 2_300)[:100_000],
    }
    load_before = os.getloadavg()[0]

    rows = []
    for analyzer in (VaderAnalyzer(), LexiconAnalyzer(), load_model()):
        analyzer.score("warm up")
        test_pred = [label(s) for s in analyzer.score_many(test_texts)]
        val_pred = [label(s) for s in analyzer.score_many(val_texts)]
        on_test = metrics(test_gold, test_pred)
        on_all = metrics(test_gold + val_gold, test_pred + val_pred)
        cpu, wall = best_time(lambda a=analyzer: a.score_many(test_texts))
        speed = (len(test_texts) / cpu, len(test_texts) / wall)
        worst_ms = {
            name: 1000 * best_time(lambda a=analyzer, t=text: a.score(t))[0]
            for name, text in worst.items()
        }
        rows.append((analyzer.name, on_test, on_all, speed, worst_ms))
        print(f"{analyzer.name}: {speed[0]:,.0f} tweets per CPU second", file=sys.stderr)
    load_after = os.getloadavg()[0]

    lines = [
        "## Sentiment (TweetEval)",
        "",
        f"Compound score thresholds ±0.05; texts cut to {MAX_CHARS} characters. Speed: one "
        f"process on one core, best of {REPEATS} passes over the {len(test_texts):,} test tweets, "
        "in tweets per CPU second (and per wall-clock second); worst inputs in CPU milliseconds.",
        "",
        "| analyzer | split | macro-recall | macro-F1 | accuracy | tweets/s, 1 core (wall) "
        "| 10,000 emoji | 100 kB text |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, on_test, on_all, speed, worst_ms in rows:
        if name.startswith("beancan-triage"):
            # Trained on these very tweets: its quality here would not be a held-out figure.
            lines.append(
                f"| {name} (default) | trained on val+test: see the triage section | – | – | – "
                f"| {speed[0]:,.0f} ({speed[1]:,.0f}) | {worst_ms['10,000 emoji']:.1f} ms"
                f" | {worst_ms['100 kB text']:.1f} ms |"
            )
            continue
        splits = (
            (f"test ({len(test_texts):,})", on_test),
            (f"val+test ({len(test_texts) + len(val_texts):,})", on_all),
        )
        for split, m in splits:
            lines.append(
                f"| {name} | {split} | {m['macro_recall']:.3f} | {m['macro_f1']:.3f}"
                f" | {m['accuracy']:.3f} | {speed[0]:,.0f} ({speed[1]:,.0f})"
                f" | {worst_ms['10,000 emoji']:.1f} ms"
                f" | {worst_ms['100 kB text']:.1f} ms |"
            )
    lines += [
        "",
        "beancan-triage-3, the default analyzer since issue 5, is trained on val+test; its "
        "cross-validated quality on TweetEval is in the triage section. "
        "Neither rule-based model is trained on TweetEval (VADER's lexicon and rules are fixed; "
        "beancan-lexicon-1 implements the same published rules over the same lexicon, with "
        "nothing fitted), so the whole val+test set is held out. Published macro-recall on the "
        "test split for comparison: VADER 0.570 (measured by the project, compound ±0.05), "
        "SVM 62.9 and RoBERTa-base 71.3 in percent, i.e. 0.629 and 0.713 (Barbieri et al., "
        "TweetEval, Findings of EMNLP 2020; both trained on the TweetEval training split).",
        "",
        f"1-minute load average {load_before:.2f} before and {load_after:.2f} after the run "
        "(other processes on the machine slow the wall-clock figures down most).",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    write_section("sentiment", markdown)


if __name__ == "__main__":
    main()
