"""Citizens' files, the database and the keys are readable by the service's user only: every folder under
the instance folder is 0700 and every file 0600, files left from before included."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Any

from layanan import create_app
from tests.faults.test_supervision import AUTH_TOKEN, INTAKE, RunCommand, wait_for
from tests.support.media_server import MediaServer, jpeg_bytes
from tests.support.whatsapp import Phone, parse_twiml


def open_to_others(root: Path) -> list[str]:
    """Every folder or file under root (root too) that its group or anyone else may read, write or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = os.lstat(path).st_mode
        if not stat.S_ISLNK(mode) and mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {stat.filemode(mode)}")
    return found


def leave_files_from_before(instance: Path) -> None:
    """What an earlier version left: folders 0755 and files 0644 (the default umask)."""
    for folder in ("media/ab", "outbox", "documents", "tte", "logs"):
        (instance / folder).mkdir(parents=True, exist_ok=True)
    for name in ("media/ab/abcdef", "outbox/20261201-old.json", "documents/signed.pdf", "tte/kepala_dinas.p12",
                 "logs/supervisord.log", "secret_key"):
        (instance / name).write_bytes(b"dari versi lama")
    for path in [instance, *instance.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_the_app_makes_old_files_private_and_creates_new_ones_private(app_config: dict[str, Any],
                                                                      migrated_template: str, tmp_path: Path) -> None:
    instance = Path(app_config["INSTANCE_PATH"])
    leave_files_from_before(instance)
    if not migrated_template.startswith("postgresql"):
        database = instance / "layanan.db"
        shutil.copy(migrated_template, database)
        database.chmod(0o644)
        app_config["DATABASE_URL"] = f"sqlite:///{database}"
    assert open_to_others(instance)

    app = create_app(app_config)
    try:
        assert open_to_others(instance) == []
        (instance / "baru").mkdir()
        (instance / "baru" / "berkas.json").write_text("{}")
        assert open_to_others(instance) == [], "new files are private too (umask)"
    finally:
        app.extensions["db_engine"].dispose()


def test_after_start_and_a_photo_nothing_under_the_instance_is_open_to_others(
        migrated_template: str, database_url: str, tmp_path: Path, media_server: MediaServer) -> None:
    """The run command (supervisord, the embedded Redis, web, worker, clock) on an instance from before."""
    instance = tmp_path / "instance"
    leave_files_from_before(instance)
    if not database_url.startswith("postgresql"):
        database = instance / "layanan.db"
        shutil.copy(migrated_template, database)
        database.chmod(0o644)
        database_url = f"sqlite:///{database}"
    service = RunCommand(tmp_path, database_url)
    try:
        service.start()
        phone = Phone(base_url=service.url, auth_token=AUTH_TOKEN)
        for text in INTAKE:
            phone.say(text)
        photo = jpeg_bytes(20_000)
        url = media_server.add("ktp.jpg", photo, "image/jpeg")
        response = phone.post(phone.form("", media=[(url, "image/jpeg")]))
        assert response.status_code == 200 and "Diterima" in " ".join(parse_twiml(response.text))
        wait_for(lambda: any(p.is_file() and p.read_bytes() == photo for p in (instance / "media").rglob("*")), 60,
                 "the photo stored")

        assert (instance / "supervisord.conf").exists() and (instance / "redis.aof").exists()
        assert open_to_others(instance) == []
    finally:
        service.kill_everything()
