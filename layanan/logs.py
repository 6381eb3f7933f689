"""Logging that never writes a full NIK."""

from __future__ import annotations

import logging
import re

from flask import Flask

_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


class MaskNikFilter(logging.Filter):
    """Rewrites any 16-digit run in a log record to its masked form."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _NIK.sub(r"\1********\2", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def init_app(app: Flask) -> None:
    """Attach the NIK mask to the app's and the root logger's handlers."""
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    mask = MaskNikFilter()
    for handler in logging.getLogger().handlers + app.logger.handlers:
        if not any(isinstance(f, MaskNikFilter) for f in handler.filters):
            handler.addFilter(mask)
