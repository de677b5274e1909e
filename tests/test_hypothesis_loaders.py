"""Property tests: every registered loader and ``extract_text`` take any input without crashing or hanging.

On arbitrary text (and text made of pieces of the samples), a loader's ``detect`` returns None
or a confidence in [0, 1], and ``extract`` returns an Extraction or raises DocumentRejected.
On arbitrary bytes (and damaged PDF, DOCX and HTML files), ``extract_text`` returns text or
raises DocumentRejected. Each input has a time budget, enforced with a timer signal.
"""

from __future__ import annotations

import os
import random
import signal
from contextlib import contextmanager
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from councilkg import ingest
from councilkg.errors import DocumentRejected
from councilkg.loaders import Document, registry
from councilkg.model import Extraction
from councilkg.textract import Extracted, extract_text
from tests.conftest import SOURCES
from tests.renderings import to_docx, to_pdf

#: Examples per loader (and for extract_text); CI runs the full count.
EXAMPLES = int(os.environ.get("COUNCILKG_HYPOTHESIS_EXAMPLES", "500"))
#: Seconds one input may take before it counts as a hang.
BUDGET = 5.0
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(Exception):
    """An input took longer than its budget."""


@contextmanager
def budget(seconds: float = BUDGET):
    def expire(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@cache
def sample_lines() -> list[str]:
    lines = []
    for path in sorted(SOURCES.iterdir()):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


# Text that looks like the documents: sample lines, shuffled, cut and mixed with noise, so that
# loaders get past detection into extraction.
noise = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
sample_line = st.builds(lambda i: sample_lines()[i % len(sample_lines())], st.integers(min_value=0))
cut_line = st.builds(lambda line, a, b: line[min(a, b):max(a, b)], sample_line, st.integers(0, 300), st.integers(0, 300))
document_text = st.lists(st.one_of(sample_line, sample_line, cut_line, noise, st.just("")), max_size=40).map("\n".join)
any_text = st.one_of(st.text(), document_text)

LOADERS = sorted(registry())


def check_loader(kind: str, text: str) -> None:
    loader = registry()[kind]
    with budget():
        score = loader.detect(text)
        assert score is None or isinstance(score, (int, float)) and 0 <= score <= 1, score
        try:
            extraction = loader.extract(Document(name="hypothesis.txt", source=text))
        except DocumentRejected:
            return
    assert isinstance(extraction, Extraction)
    assert extraction.kind == kind


@pytest.mark.parametrize("kind", LOADERS)
@SETTINGS
@given(text=any_text)
def test_loader_never_crashes_on_any_text(kind, text):
    check_loader(kind, text)


@SETTINGS
@given(text=any_text)
def test_detection_and_ingest_never_crash(text):
    with budget():
        try:
            ingest.extract(Document(name="hypothesis.txt", source=text))
        except DocumentRejected:
            pass


# --- extract_text ----------------------------------------------------------------------
@cache
def seed_files() -> dict[str, bytes]:
    text = (SOURCES / "havering-cpc-progress-review-2024-05.txt").read_text(encoding="utf-8")[:4000]
    return {"pdf": to_pdf(text), "docx": to_docx(text),
            "html": b"<!doctype html><html><body><main><h1>Title</h1><p>" + text.encode() + b"</p></main></body></html>",
            "txt": text.encode("cp1252")}


def damaged(data: bytes, seed: int, edits: int) -> bytes:
    """A file with a few bytes changed, cut short or extended, as downloads and disks do."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(edits):
        action = rng.randrange(4)
        where = rng.randrange(len(out) or 1)
        if action == 0 and out:
            out[where] = rng.randrange(256)
        elif action == 1:
            del out[where:where + rng.randrange(1, 200)]
        elif action == 2:
            out[where:where] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 50)))
        else:
            out = out[:where]
    return bytes(out)


damaged_file = st.builds(
    lambda kind, seed, edits: damaged(seed_files()[kind], seed, edits),
    st.sampled_from(["pdf", "docx", "html", "txt"]), st.integers(0, 2**32), st.integers(1, 6),
)
prefixed_noise = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"<!doctype html>", b"<html><body>", b"\xef\xbb\xbf", b"\xff\xfe",
                     b"\xfe\xff", b"{\\rtf1", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    st.binary(max_size=2000),
)
any_bytes = st.one_of(st.binary(max_size=4000), prefixed_noise, damaged_file,
                      any_text.map(lambda t: t.encode("utf-8")), any_text.map(lambda t: t.encode("utf-16")))
file_name = st.sampled_from(["doc.txt", "doc.pdf", "doc.docx", "doc.html", "doc.md", "doc", "doc.bin"])


@SETTINGS
@given(name=file_name, data=any_bytes)
def test_extract_text_never_crashes_on_any_bytes(name, data):
    with budget():
        try:
            extracted = extract_text(name, data)
        except DocumentRejected as e:
            assert e.reason and e.name == name
            return
    assert isinstance(extracted, Extracted)
    assert extracted.format in ("pdf", "docx", "html", "text")
    assert extracted.text.strip()
    assert extracted.pages == sorted(extracted.pages)
    assert all(0 <= p <= len(extracted.text) for p in extracted.pages)
    assert "\ufffd" not in extracted.text or "\ufffd".encode() in data or extracted.format != "text"


def test_the_budget_catches_a_hang():
    with pytest.raises(Hang):
        with budget(0.2):
            while True:
                pass
