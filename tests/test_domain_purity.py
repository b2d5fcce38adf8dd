"""The domain package imports no UI, database or dataframe library."""

import subprocess
import sys


def test_scoring_imports_no_streamlit_sqlalchemy_or_pandas():
    code = (
        "import sys, pkgutil, importlib, scoring\n"
        "for m in pkgutil.walk_packages(scoring.__path__, 'scoring.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in ('streamlit', 'sqlalchemy', 'pandas') if n in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
