"""The HTTP side of the app, served by Streamlit's own process through ``st.App``.

- ``launcher``: the module ``streamlit run`` serves (``python -m casebook.serve`` runs it):
  ``app = st.App("app.py", routes=..., middleware=..., on_script_error=...)``;
- ``routes``: ``/educator/sign-in`` and ``/educator/sign-out`` (the signed cookie) and
  ``/healthz`` (up only while the database answers);
- ``middleware``: response headers on every page (``frame-ancestors``), and uploads refused
  unless an educator is signed in;
- ``cookies``: setting and clearing HttpOnly, SameSite cookies, for any route that needs one.

Issue 11 (LTI) adds its routes to ``routes.routes()`` and reuses ``cookies`` and
``classroom.access.signing``.
"""
