"""axe-core in Chromium over every page: each role logs in and axe checks every back-office page that role can
open (the routes come from the app's URL map, filled with ids of seeded data), and the public pages. No
violation of impact `serious` or `critical` may remain; each one found is printed with its page and element.

The walk is split into shards, one test each, so that the xdist workers share it: the public pages, then the
roles in groups. Within a shard a page is checked once per different content: roles that see the same <main>
(the same list, the same panel) share the check, and every role's own top bar is checked on its landing
page. Roles that open many of the same pages are grouped together, so few pages are checked twice."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import requests
from flask import Flask
from sqlmodel import Session

from berita_acara import document, handover
from berita_acara.models import BeritaAcara
from berita_acara.stages import handover_stages
from pdf_delivery.certificates import create_demo_certificate
from routing import workflow
from routing.definition import StageDuty
from tests.conftest import LiveServer, _BaseUrlSession
from tests.support.browser import logged_in_page, username_of
from tests.support.workflows import TANGGAMUS
from tests.tickets.conftest import login, make_staff, make_ticket
from tickets.accounts import known_roles

BLOCKING = ("serious", "critical")
UPT_KECAMATAN = "180601"
# Routes that answer files, scripts or data rather than a page.
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|js|ics|<fmt>)$|^/(static|bootstrap|aset|api|healthz)|<path:")
_PARAMETER = re.compile(r"<(?:([\w(=, )]+):)?(\w+)>")
# The roles' shards, of about equal work (the different pages their roles open: 40 to 65 each in December
# 2026); every role is in exactly one (test_every_role_is_in_one_shard).
ROLE_SHARDS: dict[str, tuple[str, ...]] = {
    "admin": ("admin", "operator_dinas", "print_operator", "archivist"),
    "heads": ("kepala_dinas", "kabid", "kasi_identitas", "kasi_inovasi", "verifikator", "penyetuju_jawaban"),
    "desk": ("registration_counter", "sorter", "data_entry_operator", "pdf_sender", "data_lifter", "wa_receiver",
             "call_center_agent"),
    "complaints-and-delivery": ("pickup_counter", "courier_officer", "upt_officer", "inspektur_pengaduan",
                                "pengelola_pengaduan", "unit_pengaduan"),
    "field": ("koordinator_sekolah", "operator_pencetakan_sekolah", "operator_perekaman_sekolah",
              "operator_siak_siaga", "petugas_perekaman_siaga", "petugas_siaga", "aparat_desa",
              "ketua_pelaksana_sijarla", "ketua_tim_sijarla", "tim_sijarla"),
}
PUBLIC = "public"
_VOLATILE = re.compile(r'name="csrf_token" value="[^"]*"|\d{2}:\d{2}(:\d{2})?|\d{2}/\d{2}/\d{4}')


@pytest.fixture
def seeded(app: Flask, session: Session) -> dict[str, list[str]]:
    """A staff account per role, tickets at the intake and at pick-up, and a berita acara on its way: the
    values each kind of URL parameter is tried with."""
    chain = handover_stages(workflow(TANGGAMUS))
    staff = {role: make_staff(session, role, kecamatan_code=UPT_KECAMATAN if role == chain.upt_role else None)
             for role in sorted(known_roles())}
    intake = make_ticket(session, kecamatan_code=UPT_KECAMATAN)
    at_pickup = make_ticket(session, kecamatan_code=UPT_KECAMATAN, phone="+6281298760000", name="Ahmad Fauzi",
                            stage=workflow(TANGGAMUS).stage_for(StageDuty.PICKUP).key)
    make_ticket(session, kecamatan_code=UPT_KECAMATAN, phone="+6281298761111", name="Rina Marlina",
                stage=chain.handover.key)
    paper = handover.create_berita_acara(session, staff[chain.creator_role], UPT_KECAMATAN,
                                         app.config["BERITA_ACARA_NUMBER_FORMAT"])
    create_demo_certificate(app.config, "tte-uji")
    document.sign(session, paper, staff[chain.signer_role], "tte-uji", app.config)
    handover.dispatch(session, paper, staff[chain.creator_role], staff[chain.courier_role])
    signed = session.get(BeritaAcara, paper.id)
    assert signed is not None
    return {"number": [intake.number, at_pickup.number], "ba_id": [str(paper.id)],
            "staff_id": [str(staff[chain.courier_role].id)], "kecamatan_code": [UPT_KECAMATAN],
            "code": [str(signed.verification_code)], "step": ["serahkan", "terima"]}


def back_office_paths(app: Flask, seeded: dict[str, list[str]]) -> list[str]:
    """Every GET route that answers a page, once per sample value of its parameters (routes whose
    parameters have no sample are tried with 1, which finds nothing: they are left out by their 404)."""
    paths: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or NOT_PAGES.search(rule.rule):
            continue
        names = [m.group(2) for m in _PARAMETER.finditer(rule.rule)]
        variants = [rule.rule]
        for name in names:
            values = seeded.get(name, ["1"])
            variants = [v.replace(_placeholder(v, name), value, 1) for v in variants for value in values]
        paths.extend(variants)
    return list(dict.fromkeys(paths))


def _placeholder(rule: str, name: str) -> str:
    match = next(m for m in _PARAMETER.finditer(rule) if m.group(2) == name)
    return match.group(0)


def opened_pages(client: requests.Session, paths: list[str]) -> Iterator[tuple[str, str]]:
    """The paths this client opens as an HTML page (status 200), with a fingerprint of their <main>."""
    for path in paths:
        response = client.get(path, allow_redirects=False)
        if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        main = response.text.split("<main", 1)[-1]
        yield path, hashlib.sha1(_VOLATILE.sub("", main).encode()).hexdigest()


def run_axe(page: Any, axe_script: str, where: str, found: list[str]) -> None:
    """Run axe on the open page; every serious or critical violation is kept as one line per element."""
    page.evaluate(axe_script)  # after the page loaded: axe keeps the document it was loaded into
    results = page.evaluate("axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: "
                            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})")
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            found.append(f"{where}: {violation['id']} ({violation['impact']}) {', '.join(map(str, node['target']))}"
                         f"\n    {node['html'][:200]}\n    {_why(node) or violation['help']}")


def _why(node: dict[str, Any]) -> str:
    """axe's own sentence for the element (for contrast: both colours and the ratio)."""
    return "; ".join(check["message"] for part in ("any", "all", "none") for check in node.get(part, []))


def test_every_role_is_in_one_shard() -> None:
    named = [role for roles in ROLE_SHARDS.values() for role in roles]
    assert sorted(named) == sorted(known_roles()), "a role added or renamed: put it in one of ROLE_SHARDS"


@pytest.mark.parametrize("shard", [PUBLIC, *ROLE_SHARDS])
def test_no_serious_or_critical_violations_on_any_page(shard: str, app: Flask, live_server: LiveServer, browser,  # type: ignore[no-untyped-def]
                                                       seeded: dict[str, list[str]]) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe_script = Axe().axe_script
    found: list[str] = []
    if shard == PUBLIC:
        pages_run = _check_public_pages(browser, live_server.url, seeded, axe_script, found)
    else:
        pages_run = _check_roles(browser, live_server.url, back_office_paths(app, seeded), ROLE_SHARDS[shard],
                                 axe_script, found)

    print(f"axe ({shard}): {pages_run} halaman diperiksa, {len(found)} pelanggaran serius/kritis")
    for line in found:
        print(line)
    assert found == [], "\n".join(found)


def _check_public_pages(browser, base: str, seeded: dict[str, list[str]], axe_script: str,  # type: ignore[no-untyped-def]
                        found: list[str]) -> int:
    """Every page a stranger can open, checked without logging in; how many there were."""
    public = ["/", "/masuk", "/cek-status", "/verifikasi/tidak-ada", f"/berita-acara/verifikasi/{seeded['code'][0]}",
              "/unduh/tidak-ada", "/halaman-yang-tidak-ada"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    for path in public:
        tab.goto(base + path)
        run_axe(tab, axe_script, f"(anonim) {path}", found)
    context.close()
    return len(public)


def _check_roles(browser, base: str, paths: list[str], roles: Sequence[str], axe_script: str,  # type: ignore[no-untyped-def]
                 found: list[str]) -> int:
    """Each role's landing page and every page it opens whose content no earlier role of the shard showed;
    how many pages were checked."""
    checked: set[str] = set()
    pages_run = 0
    started = time.monotonic()
    for role in roles:
        client = _BaseUrlSession(base)
        assert "/masuk" not in login(client, username_of(role)).url, f"{role}: login refused"
        todo = []
        for path, fingerprint in opened_pages(client, paths):
            if fingerprint in checked:  # the same content checked for another role (the top bar: on landing)
                continue
            checked.add(fingerprint)
            todo.append(path)
        client.close()
        print(f"{role}: {len(todo)} halaman baru, {time.monotonic() - started:.0f} d")
        # The landing page loaded whole (its stylesheets applied) before axe measures its targets.
        tab = logged_in_page(browser, base, username_of(role))
        run_axe(tab, axe_script, f"{role} (halaman awal)", found)
        for path in todo:
            tab.goto(base + path)
            run_axe(tab, axe_script, f"{role} {path}", found)
        pages_run += len(todo) + 1
        tab.context.close()
    assert pages_run > 2 * len(roles), f"only {pages_run} pages found for {len(roles)} roles"
    return pages_run
