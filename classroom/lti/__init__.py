"""LTI 1.3 Advantage, the tool side: platforms, the tool's key, launches, grade passback, rosters.

The LTI flows are PyLTI1p3's (``tool``); this room stores what they need and what a launch
means to Casebook. The HTTP endpoints are in ``casebook.web.lti_routes``.
"""
