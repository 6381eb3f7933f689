"""Run the whole service (web + worker from the Procfile), starting the embedded Redis when needed.

Usage: python -m layanan.serve
"""

from __future__ import annotations

import os
import subprocess
import sys

from layanan import settings
from layanan.queue import connect
from layanan.settings import PROJECT_ROOT


def main() -> int:
    """Start the embedded Redis if REDIS_URL is unset, then run the Procfile's processes until stopped."""
    config = settings.load()
    env = dict(os.environ)
    embedded = None
    if not config["REDIS_URL"]:
        # This process owns the embedded server; web and worker reach it through its socket.
        embedded = connect(config)
        env["REDIS_URL"] = f"unix://{embedded.socket_file}"
        print(f"Redis tertanam berjalan di {embedded.socket_file}", flush=True)
    env.setdefault("PORT", "5000")
    honcho = [sys.executable, "-m", "honcho", "start", "-f", str(PROJECT_ROOT / "Procfile"), "-d", str(PROJECT_ROOT)]
    try:
        return subprocess.call(honcho, env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        if embedded is not None:
            embedded.shutdown()


if __name__ == "__main__":
    sys.exit(main())
