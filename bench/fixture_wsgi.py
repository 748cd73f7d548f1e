"""The app as gunicorn serves it in production, for bench/engine.py's HTTP path: configured from the
environment, plus the handler of the engine-test procedure it runs (tests/support/procedures)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402

app = create_app({"EXTRA_HANDLER_MODULES": ("tests.support.procedures",)})
