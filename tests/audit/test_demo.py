"""The demo export: format, links, the broken record and the realism a care lead sees first."""

from __future__ import annotations

import csv
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from beancan.audit.demo import DEFAULT_START, HEADER, DemoSummary, write_demo_export
from beancan.audit.engine import audit_file

TWCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twcs_sample.csv"
FIRST_NAMES = Path(__file__).resolve().parents[2] / "src" / "beancan" / "data" / "first_names.txt"
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
SIGNATURE = re.compile(r"\s(\^|-|\*)[A-Z][A-Za-z]*$")


@dataclass
class Row:
    tweet_id: int
    author: str
    inbound: bool
    time: datetime
    text: str
    replies: list[int]
    parent: int | None
    children: list[int] = field(default_factory=list)


@dataclass
class Export:
    summary: DemoSummary
    raw: bytes
    rows: list[Row]
    malformed: list[list[str]]

    @property
    def by_id(self) -> dict[int, Row]:
        return {r.tweet_id: r for r in self.rows}


def read_export(path: Path) -> tuple[list[Row], list[list[str]], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    header, body = records[0], records[1:]
    rows, malformed = [], []
    for rec in body:
        if len(rec) != 7:
            malformed.append(rec)
            continue
        tweet_id, author, inbound, created, text, replies, parent = rec
        assert inbound in ("True", "False"), rec
        rows.append(
            Row(
                tweet_id=int(tweet_id),
                author=author,
                inbound=inbound == "True",
                time=datetime.strptime(created, TIME_FORMAT),
                text=text,
                replies=[int(x) for x in replies.split(",")] if replies else [],
                parent=int(parent) if parent else None,
            )
        )
    by_id = {r.tweet_id: r for r in rows}
    for r in rows:
        if r.parent in by_id:
            by_id[r.parent].children.append(r.tweet_id)
    return rows, malformed, header


def load(tmp_path: Path, name: str = "demo.csv", **kwargs) -> Export:
    path = tmp_path / name
    summary = write_demo_export(path, **kwargs)
    rows, malformed, header = read_export(path)
    assert tuple(header) == HEADER
    return Export(summary, path.read_bytes(), rows, malformed)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Export:
    return load(tmp_path_factory.mktemp("demo"))


def brand_handles(ex: Export) -> set[str]:
    return {r.author for r in ex.rows if not r.inbound}


def mentions_brand(text: str, handles: set[str]) -> bool:
    lowered = text.lower()
    return any(f"@{h.lower()}" in lowered for h in handles)


def first_response_minutes(ex: Export, root: Row, brand: str) -> float | None:
    """Minutes from a customer's first tweet to the brand's first reply in its thread."""
    by_id = ex.by_id
    best: datetime | None = None
    stack = [root.tweet_id]
    while stack:
        for child_id in by_id[stack.pop()].children:
            child = by_id[child_id]
            if child.author == brand:
                best = child.time if best is None else min(best, child.time)
            elif child.inbound:
                stack.append(child_id)
    return None if best is None else (best - root.time).total_seconds() / 60


# -- the file -------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a = write_demo_export(tmp_path / "a.csv", conversations=300, seed=11)
    b = write_demo_export(tmp_path / "b.csv", conversations=300, seed=11)
    write_demo_export(tmp_path / "c.csv", conversations=300, seed=12)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()
    assert a.records == b.records and a.broken_line == b.broken_line


def test_summary(demo: Export) -> None:
    s = demo.summary
    assert s.conversations == 1500
    assert s.records == len(demo.rows) > 2500
    assert 5 <= len(s.brands) <= 6
    assert set(s.brands) == brand_handles(demo)
    assert s.path.name == "demo.csv"
    assert s.broken_line is not None


def test_every_valid_row_parses(demo: Export) -> None:
    ids = [r.tweet_id for r in demo.rows]
    assert len(ids) == len(set(ids))
    assert all(i > 0 for i in ids)
    handles = set(demo.summary.brands)
    for r in demo.rows:
        if r.inbound:
            assert r.author.isdigit() and int(r.author) >= 100000, r
        else:
            assert r.author in handles, r
        assert r.time.utcoffset() == timedelta(0)
        assert "\n" not in r.text and "\r" not in r.text
        assert r.text.strip()


def test_times_inside_the_window_with_daily_and_weekly_patterns(demo: Export) -> None:
    end = DEFAULT_START + timedelta(days=28)
    assert all(DEFAULT_START <= r.time < end for r in demo.rows)
    roots = [r for r in demo.rows if r.inbound and r.parent is None]
    by_hour = Counter(r.time.hour for r in roots)
    night = sum(by_hour[h] for h in range(1, 6)) / 5
    day = sum(by_hour[h] for h in range(11, 22)) / 11
    assert night < 0.4 * day
    by_weekday = Counter(r.time.weekday() for r in roots)
    weekend = (by_weekday[5] + by_weekday[6]) / 2
    weekdays = sum(by_weekday[d] for d in range(5)) / 5
    assert weekend < 0.9 * weekdays


def test_rows_grouped_by_thread_not_sorted_by_time(demo: Export) -> None:
    times = [r.time for r in demo.rows]
    assert times != sorted(times) and times != sorted(times, reverse=True)
    # A reply sits right next to the tweet it answers far more often than not.
    position = {r.tweet_id: i for i, r in enumerate(demo.rows)}
    linked = [r for r in demo.rows if r.parent in position]
    close = sum(1 for r in linked if abs(position[r.parent] - position[r.tweet_id]) <= 3)
    assert close / len(linked) > 0.8


def test_reply_links_are_consistent(demo: Export) -> None:
    by_id = demo.by_id
    for r in demo.rows:
        assert sorted(r.replies) == sorted(r.children), r
        if r.parent in by_id:
            parent = by_id[r.parent]
            assert parent.time <= r.time, (parent, r)
            if not r.inbound and parent.inbound:
                assert parent.time < r.time
    # Brand replies start with the customer's handle.
    for r in demo.rows:
        if not r.inbound and r.parent in by_id and by_id[r.parent].inbound:
            assert r.text.startswith(f"@{by_id[r.parent].author} "), r


# -- the broken record ----------------------------------------------------------------------


def test_broken_record_is_where_broken_line_says(demo: Export, tmp_path: Path) -> None:
    lines = demo.raw.decode("utf-8").split("\n")
    n = demo.summary.broken_line
    assert n is not None
    first, blank, last = lines[n - 1], lines[n], lines[n + 1]
    fields = first.split(",")
    assert len(fields) == 5
    broken_id, author, inbound, created = fields[:4]
    assert inbound == "True" and author.isdigit()
    datetime.strptime(created, TIME_FORMAT)
    assert fields[4].startswith("@")
    assert blank == ""
    rest = last.split(",")
    assert len(rest) == 3 and rest[0] and rest[2] == ""
    # Its reply is in the file and points back at it; the record itself is not counted.
    reply = demo.by_id[int(rest[1])]
    assert reply.parent == int(broken_id) and not reply.inbound
    assert int(broken_id) not in demo.by_id
    assert len(demo.malformed) == 3
    # Near the middle of the file.
    total = len(lines) - 1  # trailing newline
    assert 0.3 * total < n < 0.7 * total
    # Physical line numbers count every line before it, header included.
    assert lines[n - 2].count(",") >= 6 and not lines[n - 2].startswith(broken_id + ",")


def test_no_broken_record_on_request(tmp_path: Path) -> None:
    ex = load(tmp_path, conversations=200, broken_record=False)
    assert ex.summary.broken_line is None
    assert ex.malformed == []
    assert ex.summary.records == len(ex.rows)


def test_small_and_custom_windows(tmp_path: Path) -> None:
    start = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
    ex = load(tmp_path, conversations=40, seed=3, start=start, days=2)
    assert all(start <= r.time < start + timedelta(days=2) for r in ex.rows)
    assert ex.summary.conversations == 40
    assert ex.summary.records == len(ex.rows)
    empty = load(tmp_path, "empty.csv", conversations=0)
    assert empty.rows == [] and empty.summary.broken_line is None
    with pytest.raises(ValueError):
        write_demo_export(tmp_path / "bad.csv", days=0)


# -- what the data contains -----------------------------------------------------------------


def test_share_of_first_messages_without_the_brand_handle(demo: Export) -> None:
    handles = brand_handles(demo)
    roots = [r for r in demo.rows if r.inbound and r.parent is None]
    without = [r for r in roots if not mentions_brand(r.text, handles)]
    share = len(without) / len(roots)
    assert 0.20 <= share <= 0.40, share
    # They name the brand instead, and most are never answered.
    unanswered = [r for r in without if not r.children]
    assert len(unanswered) / len(without) > 0.7


def test_each_brand_signs_and_one_uses_first_names(demo: Export) -> None:
    names = {
        line.strip()
        for line in FIRST_NAMES.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    signed: Counter[str] = Counter()
    named: Counter[str] = Counter()
    styles: set[str] = set()
    for r in demo.rows:
        if r.inbound:
            continue
        match = SIGNATURE.search(r.text)
        if match:
            signed[r.author] += 1
            sig = match.group(0).strip()
            styles.add(sig[0] + ("initials" if sig[1:].isupper() else "name"))
        body = re.sub(r"^@\d+ ", "", r.text)
        first = re.match(r"(?:Hi |Hello, )?([A-Z][a-z]+)[,.!]", body)
        if first and first.group(1).lower() in names:
            named[r.author] += 1
    assert set(signed) == brand_handles(demo)
    assert {"^initials", "-name", "*initials"} <= styles
    assert named and max(named.values()) >= 50
    # First names start replies too: "Sarah, I'm sorry..."
    assert any(
        re.match(r"@\d+ [A-Z][a-z]+, ", r.text)
        for r in demo.rows
        if r.author == named.most_common(1)[0][0]
    )


def test_brands_have_distinct_service_levels(demo: Export) -> None:
    handles = brand_handles(demo)
    answered: dict[str, list[float | None]] = defaultdict(list)
    for root in demo.rows:
        if not root.inbound or root.parent is not None:
            continue
        tagged = [h for h in handles if f"@{h.lower()}" in root.text.lower()]
        if len(tagged) == 1:
            answered[tagged[0]].append(first_response_minutes(demo, root, tagged[0]))
    rates = {h: sum(m is not None for m in v) / len(v) for h, v in answered.items()}
    medians = {h: statistics.median(m for m in v if m is not None) for h, v in answered.items()}
    assert min(rates.values()) < 0.6  # one brand leaves many unanswered
    assert max(rates.values()) > 0.85
    assert min(medians.values()) < 20  # one answers in minutes
    assert max(medians.values()) > 120  # one takes hours


def test_canned_and_private_replies(demo: Export) -> None:
    def template(text: str) -> str:
        return SIGNATURE.sub("", re.sub(r"^@\d+ ", "", text))

    by_brand: dict[str, Counter[str]] = defaultdict(Counter)
    for r in demo.rows:
        if not r.inbound:
            by_brand[r.author][template(r.text)] += 1
    top_share = {b: c.most_common(1)[0][1] / sum(c.values()) for b, c in by_brand.items() if c}
    assert max(top_share.values()) > 0.1  # a brand that mostly pastes the same text
    brand_texts = [r.text for r in demo.rows if not r.inbound]
    assert sum("DM" in t or "Direct Message" in t for t in brand_texts) > 100
    assert any(re.search(r"email us at \S+@\S+", t) for t in brand_texts)
    assert any(re.search(r"call us at 1-800-\d{3}-\d{4}", t) for t in brand_texts)


# What the audit sees: (canned_share low, high) and the least name_use_share, by brand. The
# personal brands write fresh replies; the canned one and the DM-template one paste; the others
# sit in between.
CARE_BANDS = {
    "SkylarkAir": (0.05, 0.20, 0.60),
    "ParcellyHelp": (0.05, 0.20, 0.60),
    "NimbusHelp": (0.80, 1.00, 0.0),
    "VoltaMobileCare": (0.60, 1.00, 0.0),
    "BrewhausCoffee": (0.25, 0.60, 0.0),
    "HarborBankHelp": (0.25, 0.60, 0.0),
}


def test_audit_sees_the_designed_care_levels(demo: Export) -> None:
    r = audit_file(demo.summary.path, sentiment=False)
    brands = r.report["brands"]
    assert set(CARE_BANDS) <= set(brands)
    seen = {
        handle: (brands[handle]["canned_share"], brands[handle]["name_use_share"])
        for handle in CARE_BANDS
    }
    for handle, (low, high, named) in CARE_BANDS.items():
        canned, name_use = seen[handle]
        assert low <= canned <= high, (handle, seen)
        assert name_use >= named, (handle, seen)
    # The personal brands name their customers far more than the others.
    personal = min(seen[h][1] for h in ("SkylarkAir", "ParcellyHelp"))
    assert personal > max(seen[h][1] for h in CARE_BANDS if h not in ("SkylarkAir", "ParcellyHelp"))


def test_personal_replies_echo_the_customer_in_words(demo: Export) -> None:
    """A personal brand's first answer names what the customer wrote about (their city, store,
    day) far more often than a canned brand's does."""
    by_id = demo.by_id
    brand_words = {"Skylark", "Airways", "Parcelly", "Nimbus", "Dear"}

    def echo_share(brands: set[str]) -> float:
        echoed = total = 0
        for r in demo.rows:
            if r.author not in brands or r.parent not in by_id:
                continue
            asked = by_id[r.parent]
            if not asked.inbound or asked.parent is not None:
                continue
            # Capitalised words inside the customer's sentence: Denver, Union Square, Friday.
            body = asked.text.split(" ", 2)[-1]
            details = set(re.findall(r"(?<=\s)[A-Z][a-z]{3,}\b", body)) - brand_words
            if details:
                total += 1
                echoed += any(d in r.text for d in details)
        assert total > 30
        return echoed / total

    personal = echo_share({"SkylarkAir", "ParcellyHelp"})
    assert personal > 0.4
    assert personal > 2 * echo_share({"NimbusHelp"})


def test_thread_shapes(demo: Export) -> None:
    by_id = demo.by_id
    broken_id = int(demo.raw.decode().split("\n")[demo.summary.broken_line - 1].split(",")[0])
    # Brand-initiated threads that customers answer.
    brand_roots = [r for r in demo.rows if not r.inbound and r.parent is None]
    assert brand_roots and all(r.children for r in brand_roots)
    # Customer tweets answering a parent that is not in the file.
    orphans = [
        r
        for r in demo.rows
        if r.parent is not None and r.parent not in by_id and r.parent != broken_id
    ]
    assert len(orphans) >= 5
    # Two customers talking.
    between = [
        r
        for r in demo.rows
        if r.inbound
        and r.parent in by_id
        and by_id[r.parent].inbound
        and by_id[r.parent].author != r.author
    ]
    assert len(between) >= 5
    # Customers who chase before any answer: replying to their own tweet.
    chases = [
        r
        for r in demo.rows
        if r.inbound and r.parent in by_id and by_id[r.parent].author == r.author
    ]
    assert len(chases) >= 50

    # Multi-turn threads: customer, brand, customer, brand.
    def depth(r: Row) -> int:
        return 1 + max((depth(by_id[c]) for c in r.children), default=0)

    roots = [r for r in demo.rows if r.parent is None]
    assert sum(depth(r) >= 4 for r in roots) >= 100
    # Customers who thank the brand after an answer, and some who stay angry.
    after_brand = [
        r.text.lower()
        for r in demo.rows
        if r.inbound and r.parent in by_id and not by_id[r.parent].inbound
    ]
    assert sum("thank" in t for t in after_brand) >= 50


def test_customers_are_anonymised_and_texts_have_details(demo: Export) -> None:
    handles = brand_handles(demo)
    for r in demo.rows:
        for mention in re.findall(r"(?:^|\s)@(\w+)", r.text):
            assert mention.isdigit() or mention.lower() in {h.lower() for h in handles}, r
    texts = " ".join(r.text for r in demo.rows if r.inbound)
    assert re.search(r"\bSK ?\d{3,4}\b", texts)  # flight numbers
    assert re.search(r"#P\d{8}", texts)  # order numbers
    emoji = sum(bool(re.search("[\U0001f300-\U0001faff\u2764]", r.text)) for r in demo.rows)
    assert emoji > 200


@pytest.mark.skipif(not TWCS.exists(), reason="real sample not present")
def test_no_text_copied_from_the_real_sample(demo: Export) -> None:
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"@\w+|https://t\.co/\w+", "", text)).strip().lower()

    with TWCS.open(encoding="utf-8", newline="") as f:
        real = {norm(rec[4]) for rec in csv.reader(f) if len(rec) == 7}
    ours = {norm(r.text) for r in demo.rows}
    copied = {t for t in ours & real if len(t) > 25}  # "thank you" is not copying
    assert not copied, sorted(copied)[:5]
