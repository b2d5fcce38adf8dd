"""Author a case: paste or upload YAML, see every problem by line, preview it, publish it."""

import streamlit as st

from ui.author import views
from ui.components import session
from ui.educator.gate import require_educator

require_educator()
cases = session.open_library()

st.title("Author a case")
st.caption(
    "Paste a case, upload a .yaml file, or start from a skeleton. Problems are listed with "
    "their lines as you edit; the preview plays the case as a trainee sees it. "
    "Guide: docs/authoring.md."
)
text = views.editor(cases)
views.outcome()
result = views.check(text, cases.guidance) if text.strip() else None
if isinstance(result, list):
    views.problems(text, result)
    st.caption("Item-writing checks (`casebook lint`) run once the case has no problems.")
elif result is not None:
    views.valid(result, cases)
    views.item_writing(text, views.lint_of(result, cases.guidance))

preview, publish, versions = st.tabs(["Preview as a trainee", "Publish", "Earlier versions"])
with preview:
    if result is None or isinstance(result, list):
        st.info("The preview appears when the case has no problems.", icon=":material/visibility:")
    else:
        views.preview(result, cases.guidance)
with publish:
    if result is None or isinstance(result, list):
        st.info("Publishing is possible when the case has no problems.", icon=":material/publish:")
    else:
        views.publish_panel(result, cases)
with versions:
    views.versions_panel(
        cases, None if result is None or isinstance(result, list) else result.case.id
    )
