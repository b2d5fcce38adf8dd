"""Case player: one step at a time, feedback on submit, consequences, and the debrief."""

from ui.components import session
from ui.player import case as case_player

engine = session.open_engine()
lib = session.open_library()
token = session.learner(engine)
attempt = case_player.resolve_attempt(engine, lib, token)
run = case_player.load_run(engine, lib, token, attempt)
case_player.show(engine, lib, token, attempt, run)
