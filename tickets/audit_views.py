"""The access audit for section heads and the Kepala Dinas: who was shown which citizen's data, and its export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from sqlmodel import Session

from layanan import db
from layanan.clock import WIB, format_wib
from layanan.ids import parse_id
from routing.definition import RoleDuty
from tickets.access import duty_required, duty_roles
from tickets.audit import AuditAction, AuditFilters, audit_page, audit_rows
from tickets.queries import SearchKind, parse_search
from tickets.staff_pages import guard

bp = Blueprint("audit", __name__, url_prefix="/audit-akses")
guard(bp)
PAGE_SIZE = 50
LABELS = {a.value: a.label for a in AuditAction}
CSV_HEADER = ("waktu_wib", "siapa", "nama_pengguna_atau_token", "aksi", "kode_aksi", "nomor_tiket", "halaman",
              "alamat_ip")


@bp.app_context_processor
def audit_helpers() -> dict[str, Any]:
    """Lets the back-office navigation show the audit link to the roles that supervise."""
    return {"audit_roles": duty_roles(RoleDuty.SUPERVISE)}


@bp.get("/")
@duty_required(RoleDuty.SUPERVISE)
def index() -> str:
    """The records matching the filters, newest first, one keyset page at a time."""
    filters, args, error = _filters_from_request()
    raw = request.args.get("sebelum", "")
    before = parse_id(raw)
    if raw and before is None:
        abort(400)  # a position this page never wrote
    rows, next_before = audit_page(db.session(), filters, before=before, limit=PAGE_SIZE)
    return render_template("audit/index.html", rows=rows, next_before=next_before, args=args, error=error,
                           actions=list(AuditAction), labels=LABELS, first_page=not raw)


@bp.get("/ekspor.csv")
@duty_required(RoleDuty.SUPERVISE)
def export_csv() -> Response:
    """Every matching record as CSV (UTF-8 with BOM, so spreadsheet programs read the accents right)."""
    filters, _, error = _filters_from_request()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    engine = db.engine()

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        out.write("\ufeff")
        writer.writerow(CSV_HEADER)
        # Its own session: the request's is closed when the view returns, before the rows are streamed.
        with Session(engine) as session:
            yield from _csv_rows(session, filters, out, writer)

    name = f"audit-akses-{format_wib(datetime.now(WIB), '%Y-%m-%d')}.csv"
    return Response(lines(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_rows(session: Session, filters: AuditFilters, out: io.StringIO, writer: Any) -> Iterator[str]:
    """The CSV text of every matching record, a few hundred lines at a time."""
    for n, row in enumerate(audit_rows(session, filters), start=1):
        writer.writerow((
            format_wib(row.record.created_at, "%Y-%m-%d %H:%M:%S"), row.who, row.client or row.username or "",
            LABELS.get(row.record.action, row.record.action), row.record.action, row.ticket_number or "",
            row.record.detail or "", row.record.ip or "",
        ))
        if n % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _filters_from_request() -> tuple[AuditFilters, dict[str, str], str | None]:
    """The filters asked for, the arguments that keep them across pages, and what could not be read."""
    args: dict[str, str] = {}
    errors = []
    who = request.args.get("siapa", "").strip()[:80]
    if who:
        args["siapa"] = who
    number = None
    raw_number = request.args.get("tiket", "").strip()
    if raw_number:
        args["tiket"] = raw_number
        found = parse_search(raw_number)
        if found is None or found.kind is not SearchKind.NUMBER:
            errors.append("Nomor tiket tidak dikenali; tulis sebagai PGD-TTTT-NNNNNN.")
        else:
            number = found.value
    action = None
    raw_action = request.args.get("aksi", "")
    if raw_action in {a.value for a in AuditAction}:
        action = AuditAction(raw_action)
        args["aksi"] = raw_action
    since = until = None
    raw_first, raw_last = request.args.get("dari", "").strip(), request.args.get("sampai", "").strip()
    try:
        if raw_first:
            since = _start_of(date.fromisoformat(raw_first))
            args["dari"] = raw_first
        if raw_last:
            until = _start_of(date.fromisoformat(raw_last) + timedelta(days=1))
            args["sampai"] = raw_last
    except (ValueError, OverflowError):
        since = until = None
        args.pop("dari", None)
        args.pop("sampai", None)
        errors.append("Tanggal tidak dikenali; tulis sebagai TTTT-BB-HH, mis. 2026-11-01. Semua tanggal ditampilkan.")
    if number is None and raw_number:
        number = "-"  # an unreadable number matches no ticket, rather than every ticket
    filters = AuditFilters(who=who or None, ticket_number=number, action=action, since=since, until=until)
    return filters, args, " ".join(errors) or None


def _start_of(day: date) -> datetime:
    """Midnight of a day in Tanggamus (WIB)."""
    return datetime.combine(day, time(), tzinfo=WIB)
