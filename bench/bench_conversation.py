"""Conversation understanding benchmark: the corpus of citizens' messages in tests/bot/corpus/*.yaml, each
with its expected outcome, run through the pure conversation with the seeded FAQ. Prints the accuracy per
slot (service, NIK, name, kecamatan, FAQ answer, clarifying question, step, reply) and overall, and lists
every failure. Run: `bench/run --only conversation` or `.venv/bin/python -m bench.bench_conversation`.

Each case: `say` (one message, or a list: a conversation from a fresh number), optionally `at` (the step
it starts in) with `draft` (what was answered before), and `expect`: any of service (a Service value,
`complaint` or `none`), nik, name, kecamatan (its name), step, faq (an FAQ title), clarify (`kecamatan`
or `service`), reply (a text the last replies contain).
"""

from __future__ import annotations

import importlib.util
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bench.report import Row, Say

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "bot" / "corpus"
SEED = ROOT / "layanan" / "migrations" / "versions" / "0013_faq.py"
TARGET = 98.0
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09.00 WIB: the office is open


@dataclass(frozen=True)
class Settings:
    repeat: int


FULL = Settings(repeat=3)
QUICK = Settings(repeat=1)


@dataclass(frozen=True)
class Case:
    source: str
    say: tuple[str, ...]
    expect: dict[str, Any]
    at: str | None = None
    draft: dict[str, Any] | None = None


def load_corpus() -> list[Case]:
    """Every case of every corpus file, in file order."""
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for index, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")), start=1):
            say = raw["say"]
            cases.append(Case(source=f"{path.stem}#{index}", say=tuple([say] if isinstance(say, str) else say),
                              expect=dict(raw["expect"]), at=raw.get("at"), draft=raw.get("draft")))
    return cases


@cache
def knowledge() -> Any:
    """The FAQ as the migration seeds it, with the working calendar and every kecamatan's generic UPT."""
    from bot.catalogue import render
    from bot.faq import FaqEntry, Knowledge
    from bot.upt_directory import default_office, office_hours
    from routing.sla import default_calendar
    from tickets.kecamatan import KECAMATAN

    spec = importlib.util.spec_from_file_location("faq_seed", SEED)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    faq = tuple(FaqEntry(variants=tuple(line for line in variants.splitlines() if line.strip()), answer=answer)
                for _, variants, answer in module.SEED)
    pickup = {}
    for k in KECAMATAN:
        office = default_office(k.code)
        pickup[k.code] = render("pickup_at_upt", upt_name=office.name, address=office.address,
                                hours=office.opening_hours, bring=office.bring)
    calendar = default_calendar()
    return Knowledge(faq=faq, calendar=calendar, hours=office_hours(calendar), pickup=pickup), \
        {title: answer for title, _, answer in module.SEED}


def run_case(case: Case) -> tuple[dict[str, tuple[bool, str]], list[str]]:
    """Each expected slot: whether it came out right and what came out; and the last replies."""
    from bot.conversation import Incoming, State, handle

    known, answers = knowledge()
    if case.at:
        state = State(name=case.at, data={"draft_id": "SM0000", **(case.draft or {})}, updated_at=T0)
    else:
        state = State()
    now = T0
    replies: list[str] = []
    for index, body in enumerate(case.say, start=1):
        now += timedelta(minutes=1)
        outcome = handle(state, Incoming(body=body, media=(), now=now, key=f"SM{index:04d}"), frozenset(), known)
        state, replies = outcome.state, outcome.replies
    return {slot: _check(slot, wanted, state, replies, answers) for slot, wanted in case.expect.items()}, replies


def _check(slot: str, wanted: Any, state: Any, replies: list[str], answers: dict[str, str]) -> tuple[bool, str]:
    from bot.catalogue import render
    from tickets.kecamatan import BY_CODE

    data, said = state.data, "\n".join(replies)
    match slot:
        case "service":
            got = "complaint" if state.name.startswith("complaint") else data.get("service", "none")
        case "nik":
            got = data.get("nik")
        case "name":
            got = data.get("name")
        case "kecamatan":
            code = data.get("kecamatan_code")
            got = BY_CODE[code].name if code else None
        case "step":
            got = state.name
        case "faq":
            marker = _marker(answers[wanted])
            return marker in said, said[:80]
        case "clarify":
            key = {"kecamatan": "kecamatan_which", "service": "service_which"}[wanted]
            opening = render(key, candidates="").split("\n")[0]
            return opening in said, said[:80]
        case "reply":
            return str(wanted) in said, said[:80]
        case "unsupported":
            return render(wanted) in said, said[:80]
        case _:
            raise KeyError(f"unknown slot {slot!r}")
    return got == wanted, str(got)


def _marker(answer: str) -> str:
    """The longest placeholder-free part of an answer, cut short: what its reply surely contains."""
    import re

    parts = [p.strip() for p in re.split(r"\{\w+\}", answer)]
    return max(parts, key=len)[:40]


def score(cases: list[Case]) -> tuple[Counter[str], Counter[str], list[str]]:
    """Right and total per slot, and one line per failure."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures = []
    for case in cases:
        checks, replies = run_case(case)
        for slot, (ok, got) in checks.items():
            total[slot] += 1
            right[slot] += ok
            if not ok:
                failures.append(f"{case.source} {slot}: expected {case.expect[slot]!r}, got {got!r} "
                                f"<- {' | '.join(case.say)!r}")
    return right, total, failures


def run(settings: Settings, say: Say) -> list[Row]:
    """Score the corpus; time it per message."""
    cases = load_corpus()
    started = time.perf_counter()
    for _ in range(settings.repeat):
        right, total, failures = score(cases)
    messages = sum(len(c.say) for c in cases) * settings.repeat
    per_message_ms = (time.perf_counter() - started) * 1000 / messages
    say(f"{len(cases)} kasus, {sum(len(c.say) for c in cases)} pesan")
    for line in failures:
        say(f"GAGAL {line}")
    rows = [Row("Pemahaman percakapan", f"slot {slot}", f"{100 * right[slot] / total[slot]:.1f} % "
                f"({right[slot]}/{total[slot]})") for slot in sorted(total)]
    overall = 100 * sum(right.values()) / sum(total.values())
    cases_right = len(cases) - len({f.split(" ")[0] for f in failures})
    rows.append(Row("Pemahaman percakapan", "keseluruhan (semua slot)", f"{overall:.1f} %", f">= {TARGET:.0f} %",
                    overall >= TARGET, note=f"{cases_right}/{len(cases)} kasus benar seluruhnya"))
    rows.append(Row("Pemahaman percakapan", "waktu per pesan", f"{per_message_ms:.2f} ms"))
    return rows


if __name__ == "__main__":
    import argparse

    from bench.report import table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(table(run(QUICK if args.quick else FULL, print)))
