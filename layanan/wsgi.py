"""The web process's application, as the Procfile's `web` line serves it: `gunicorn … layanan.wsgi:app`.

Each gunicorn worker imports this module, so builds the app once, and then freezes what the build left
(gc.freeze) out of the garbage collector's full collections. Those collections otherwise walk the
±200 000 objects of the imported libraries and the app every time, 80-240 ms with every thread of the
worker stopped: the webhook's slowest answers under load (bench/README.md). The objects stay alive as
they would anyway; only the cycle collector no longer looks at them. Tests build their apps with
`create_app()` and freeze nothing.
"""

from __future__ import annotations

import gc

from layanan import create_app

app = create_app()
gc.collect()  # what the build left as garbage goes now, not frozen for ever
gc.freeze()
