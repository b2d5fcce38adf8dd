"""Case player: one step at a time, feedback on submit, consequences, and the debrief."""

from ui import case_player, session

engine = session.open_engine()
lib = session.open_library()
token = session.learner(engine)
attempt = case_player.resolve_attempt(engine, lib, token)
run = case_player.load_run(engine, lib, token, attempt)
case_player.show(engine, lib, token, attempt, run)
