"""Quick quiz: N stand-alone items drawn from the cases, immediate feedback, a summary."""

from ui.components import session
from ui.player import quiz as quiz_player

engine = session.open_engine()
lib = session.open_library()
token = session.learner(engine)
attempt_id = session.attempt_id_param()
if attempt_id is None:
    quiz_player.setup(engine, lib, token)
else:
    attempt = quiz_player.resolve_attempt(engine, token, attempt_id)
    run = quiz_player.load_run(engine, lib, token, attempt)
    quiz_player.show(engine, lib, token, attempt, run)
