"""The corpus of citizens' messages (tests/bot/corpus/*.yaml): every case reaches its expected outcome
through the pure conversation with the seeded FAQ (the same run bench/run --only conversation scores)."""

import pytest

from bench.bench_conversation import Case, load_corpus, run_case

CASES = load_corpus()


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 300
    slots = {slot for case in CASES for slot in case.expect}
    assert {"service", "nik", "name", "kecamatan", "faq", "clarify"} <= slots


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.source)
def test_every_case_reaches_its_expected_outcome(case: Case) -> None:
    checks, replies = run_case(case)
    wrong = {slot: got for slot, (ok, got) in checks.items() if not ok}
    assert not wrong, f"{case.say!r}: expected {case.expect}, got {wrong}; replies {replies}"
