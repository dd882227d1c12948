"""Language detection: the right language on short care messages, "und" when it can't be told."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from beancan.triage.language import THRESHOLD, clean, detect, detect_many

TWCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twcs_sample.csv"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my flight is delayed again, any update?", "en"),
        ("@Iberia mi vuelo se ha retrasado otra vez, ¿alguna novedad?", "es"),
        ("@SNCF le colis n'est jamais arrivé https://t.co/abc123", "fr"),
        ("ich warte seit drei Wochen auf meine Erstattung #DHL", "de"),
        ("ainda estou esperando o reembolso há três semanas", "pt"),
        ("il pacco non è mai arrivato", "it"),
        ("ik wacht al drie weken op mijn terugbetaling", "nl"),
        ("電話で対応してもらいましたが改良されませんでした。", "ja"),
        ("Мой заказ до сих пор не доставлен", "ru"),
        ("MY FLIGHT IS DELAYED AGAIN AND NOBODY ANSWERS", "en"),  # shouting is still English
    ],
)
def test_detects_short_care_messages(text: str, code: str) -> None:
    found = detect(text)
    assert found.code == code, found
    assert THRESHOLD <= found.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀😡🔥",
        "😀" * 10_000,
        "@AmazonHelp @115770",
        "https://t.co/abc123 www.example.com/x",
        "@AmazonHelp https://t.co/abc 12345 #1",
        "\x00\x01\x02\x7f",
        "&amp; &gt;",
    ],
)
def test_nothing_to_tell_is_und(text: str) -> None:
    assert detect(text).code == "und"
    assert detect(text).confidence == 0.0


def test_cleaning_removes_handles_links_marks_and_controls() -> None:
    raw = "@AcmeHelp hi\x00 there #fail see https://t.co/x and me@mail.com @a@b.social &amp; 42"
    assert clean(raw) == "hi there fail see and"


def test_control_characters_and_lone_surrogates_do_not_break_it() -> None:
    text = "mon colis\x00 n'est\u200b jamais\ud800 arrivé\x1b[31m"
    assert detect(text).code == "fr"


def test_mixed_scripts_answer_one_known_language() -> None:
    found = detect("hola, mi pedido 注文 no ha llegado todavía, ¿qué pasa?")
    assert found.code == "es"
    assert detect("Привет, my order is late and nobody answers the phone").code == "en"


def test_worst_inputs_answer_in_bounded_time() -> None:
    worst = ["x" * 100_000, "😀" * 10_000, "a " * 50_000, "我" * 100_000, "@" * 100_000]
    for text in worst:
        started = time.perf_counter()
        found = detect(text)
        elapsed = time.perf_counter() - started
        assert 0.0 <= found.confidence <= 1.0
        assert elapsed < 0.5, (text[:10], elapsed)  # generous: the bench measures under 1 ms


def test_not_a_string_is_und() -> None:
    assert detect(None).code == "und"  # type: ignore[arg-type]


def test_many_is_one_by_one_in_order() -> None:
    texts = ["where is my parcel", "", "¿dónde está mi paquete?", "wo ist mein Paket"]
    assert detect_many(texts) == [detect(t) for t in texts]
    assert [lang.code for lang in detect_many(texts)] == ["en", "und", "es", "de"]
    assert detect_many(iter(texts)) == detect_many(texts)


def test_real_sample_is_mostly_english_with_its_japanese_and_spanish() -> None:
    with TWCS.open(encoding="utf-8", errors="replace", newline="") as fh:
        texts = [row["text"] or "" for row in csv.DictReader(fh)]
    codes = [lang.code for lang in detect_many(texts)]
    assert codes.count("en") / len(codes) > 0.9
    assert codes.count("und") / len(codes) < 0.05
    assert codes.count("ja") >= 30
    assert codes.count("es") >= 30
