"""Deep linking: the instructor's picker (cases and open class sessions), and the signed
response PyLTI1p3 makes of the choice, as a form that posts itself back to the platform.

A case placement carries the custom parameter ``casebook_case`` and asks the platform for a
line item of 100 points (its scores come back by AGS); a class session placement carries
``casebook_session`` and no line item. The launch id the picker carries is used once.
"""

from __future__ import annotations

import functools
import html

from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from classroom import sessions
from classroom.lti import adapters, launches, tool
from classroom.storage import db
from scoring.library.loader import CaseLibrary, cases_dir, load_library

DEEP_LINK_PATH = "/lti/deep-link"


class NewWindowResource(DeepLinkResource):
    """PyLTI1p3's resource link item, asking the platform to open it in a new window when the
    platform accepts that (LTI Deep Linking 2.0's ``window``): Casebook's sign-in cookies are
    first-party, so it works in a window of its own, not inside the LMS's frame."""

    def __init__(self, window: bool) -> None:
        super().__init__()
        self.window = window

    def to_dict(self) -> dict[str, object]:
        item = super().to_dict()
        if self.window:
            item["window"] = {"targetName": "casebook"}
        return item


@functools.lru_cache(maxsize=2)
def _library(_stamp: int) -> CaseLibrary:
    return load_library(cases_dir())


def _choices() -> list[tuple[str, str]]:
    """(value, label) of everything an instructor may place: each case, each open session."""
    from ui.components.resources import fingerprint

    library = _library(hash(fingerprint([cases_dir()])))
    choices = [
        (f"case:{cid}", f"Case: {loaded.case.title}")
        for cid, loaded in sorted(library.cases.items(), key=lambda kv: kv[1].case.title)
    ]
    for info in sessions.list_sessions(db.get_engine()):
        if info.ended_at is None:
            choices.append((f"session:{info.code}", f"Class session: {info.title} ({info.code})"))
    return choices


def picker_page(prefix: str, launch_id: str) -> str:
    """The deep linking picker: one radio button per case and open class session."""
    options = "".join(
        f"<li><label><input type='radio' name='choice' value='{html.escape(v)}' required> "
        f"{html.escape(label)}</label></li>"
        for v, label in _choices()
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Place a Casebook case</title></head><body><main>"
        "<h1>Place a Casebook case in your course</h1>"
        f"<form method='post' action='{html.escape(prefix + DEEP_LINK_PATH)}'>"
        f"<input type='hidden' name='launch' value='{html.escape(launch_id)}'>"
        f"<ul style='list-style:none;padding:0'>{options}</ul>"
        "<button type='submit'>Place it</button></form></main></body></html>"
    )


def deep_link_form(launch_id: str, choice: str, lti_request: adapters.FormRequest) -> str:
    """PyLTI1p3's signed deep linking response for the choice, as a form that posts itself."""
    engine = db.get_engine()
    message = tool.CasebookLaunch.restored(launch_id, lti_request, engine)
    if not message.is_deep_link_launch() or not message.check_teacher_access():
        raise tool.LaunchRefused("this is not an instructor's deep linking launch", 403)
    kind, _, value = choice.partition(":")
    valid = dict(_choices())
    if choice not in valid or kind not in ("case", "session"):
        raise tool.LaunchRefused("choose one of the cases or sessions listed")
    parameter = launches.CASE_PARAMETER if kind == "case" else launches.SESSION_PARAMETER
    title = valid[choice].split(": ", 1)[1]
    settings = message.get_launch_data()[tool.DEEP_LINKING_SETTINGS]
    resource = (
        NewWindowResource("window" in settings.get("accept_presentation_document_targets", []))
        .set_url(str(lti_request.params.get("launch_url", "")))
        .set_title(title[:200])
        .set_custom_params({parameter: value})
    )
    if kind == "case":  # a case's score is sent back: ask the platform for a line item
        resource.set_lineitem(
            LineItem().set_score_maximum(100).set_label(title[:200]).set_resource_id(value)
        )
    deep_link = message.get_deep_link()
    jwt_value = deep_link.get_response_jwt([resource])
    return_url = settings["deep_link_return_url"]
    adapters.DatabaseStorage(engine).set_value(launch_id, None, 1)  # the launch id is used up
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Placing the case…</title></head><body>"
        f"<form id='back' method='post' action='{html.escape(return_url)}'>"
        f"<input type='hidden' name='JWT' value='{html.escape(jwt_value)}'>"
        "<noscript><button type='submit'>Continue</button></noscript></form>"
        "<script>document.getElementById('back').submit()</script></body></html>"
    )
