"""``python -m casebook.serve [streamlit run options]``: the app, as ``make run`` starts it.

It is ``streamlit run casebook/web/launcher.py`` with the given options: Streamlit serves
``app.py`` inside an ``st.App`` that adds Casebook's routes and middleware (see
``casebook.web.launcher``, which also warms up the pages' modules and prints a generated
passcode before the first connection is accepted).

``CASEBOOK_TRUSTED_PROXIES``: the addresses (or networks) of reverse proxies whose
``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed, comma-separated, or ``*``. It is
passed to uvicorn as ``FORWARDED_ALLOW_IPS``; uvicorn's default trusts loopback only
(``127.0.0.1,::1``), i.e. a proxy on the same machine. Throttling and the sign-in log use the
address uvicorn reports, so behind a proxy on another machine set this, or every student
shares the proxy's address.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "web" / "launcher.py"


def trust_proxies(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Hand ``CASEBOOK_TRUSTED_PROXIES`` to uvicorn (``FORWARDED_ALLOW_IPS``)."""
    trusted = environ.get("CASEBOOK_TRUSTED_PROXIES", "").strip()
    if trusted:
        environ["FORWARDED_ALLOW_IPS"] = trusted


def main() -> None:
    """``streamlit run casebook/web/launcher.py`` with the given options."""
    trust_proxies()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(LAUNCHER), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
