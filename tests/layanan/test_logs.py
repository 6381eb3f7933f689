"""Logs never carry a full NIK."""

import logging


def test_nik_is_masked_in_logs(app, caplog) -> None:  # type: ignore[no-untyped-def]
    from layanan.logs import MaskNikFilter

    logger = logging.getLogger("bot.intake")
    caplog.handler.addFilter(MaskNikFilter())
    with caplog.at_level(logging.INFO):
        logger.info("NIK diterima: %s dari %s", "1806014505900001", "+6281234567890")
    assert "1806014505900001" not in caplog.text
    assert "1806********0001" in caplog.text
    assert "+6281234567890" in caplog.text  # 13 digits: not a NIK, left alone
