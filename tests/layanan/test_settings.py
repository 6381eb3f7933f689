"""Settings read from the environment: what a wrong value does before anything starts."""

from __future__ import annotations

import pytest

from bot.messaging import twilio_client
from layanan import create_app
from layanan.settings import load

ACCOUNT_SID = "AC" + "0" * 32


def test_twilio_timeout_defaults_to_ten_seconds(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TWILIO_TIMEOUT_SECONDS", raising=False)
    assert load({"INSTANCE_PATH": str(tmp_path)})["TWILIO_TIMEOUT_SECONDS"] == 10.0


@pytest.mark.parametrize(("raw", "seconds"), [("2.5", 2.5), ("30", 30.0), (" 1 ", 1.0)])
def test_twilio_timeout_is_read_from_the_environment(  # type: ignore[no-untyped-def]
        raw: str, seconds: float, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", raw)
    config = load({"INSTANCE_PATH": str(tmp_path), "TWILIO_ACCOUNT_SID": ACCOUNT_SID})
    assert config["TWILIO_TIMEOUT_SECONDS"] == seconds
    assert twilio_client(config).http_client.timeout == seconds  # the REST client waits that long, no more


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "10s", "nan", "inf"])
def test_a_twilio_timeout_that_is_not_a_positive_number_stops_the_start(  # type: ignore[no-untyped-def]
        raw: str, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", raw)
    with pytest.raises(ValueError, match=r"TWILIO_TIMEOUT_SECONDS harus berupa jumlah detik lebih dari 0") as refused:
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert repr(raw) in str(refused.value), "the message names the value that was refused"


@pytest.mark.parametrize("value", [0, -0.5, "x", None])
def test_an_override_is_checked_like_the_environment(value: object, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="TWILIO_TIMEOUT_SECONDS"):
        load({"INSTANCE_PATH": str(tmp_path), "TWILIO_TIMEOUT_SECONDS": value})
