"""The error page: what a user sees when a page fails unexpectedly.

``casebook.web.launcher`` passes ``show_error`` to ``st.App(on_script_error=...)``. The user
gets a short message with a reference and no traceback or file paths; the full traceback goes
to the server log under that reference. ``client.showErrorDetails = "none"`` in
``.streamlit/config.toml`` covers anything that reaches Streamlit's own display. Tests run the
pages with ``AppTest``, which does not use ``st.App``, so they still see every exception.
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

LOG = logging.getLogger("casebook.errors")


def show_error(exc: BaseException) -> bool:
    """Log ``exc`` with a reference, show a friendly message with it; True: shown here."""
    reference = secrets.token_hex(4)
    LOG.error("page error %s", reference, exc_info=exc)
    try:
        st.error(
            "Something went wrong on this page. Your saved answers are safe. Reload the page "
            f"to go on; if it happens again, tell your educator the reference **{reference}**.",
            icon=":material/error:",
        )
    except Exception:  # no page to draw on (a callback outside a run): the log has it
        return False
    return True
