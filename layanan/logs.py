"""Logging that never writes a full NIK, nor a phone number searched for or carried in a URL.

Every log record of the process is masked when it is made (a record factory), so the rule holds for
every logger and handler, also those set up after the app: werkzeug's and gunicorn's access lines
(the query string of a search by NIK), RQ's, the test runner's. The message with its args, the
traceback and the stack are masked.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from tickets.privacy import mask_niks_in_text, mask_phones_in_urls

_EXCEPTIONS = logging.Formatter()


def mask_record(record: logging.LogRecord) -> None:
    """Mask every NIK-shaped number in the record's message and args, traceback and stack."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError, KeyError):
        # Args that do not fit the format: keep both for the reader, masked, instead of logging's
        # error report that would print them whole.
        message = f"{record.msg} {record.args!r}"
    masked = mask_phones_in_urls(mask_niks_in_text(message))
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = _EXCEPTIONS.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_niks_in_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_niks_in_text(record.stack_info)


class MaskNikFilter(logging.Filter):
    """Masks the records passing a handler (for handlers fed records made elsewhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install_record_factory() -> None:
    """Mask every log record the process makes from now on (once, whatever the number of apps)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_nik", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        mask_record(record)
        return record

    factory.masks_nik = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def init_app(app: Flask) -> None:
    """Log at the configured level, every record with its NIKs masked."""
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install_record_factory()
