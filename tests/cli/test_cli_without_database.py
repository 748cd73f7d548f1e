"""A command run against a database that does not answer says so in one line (exit 1): `flask jobs
fire-timers` printed the driver's traceback twice, about 300 lines, before its last line said why."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fire_timers_on_a_missing_database_answers_with_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "gjy.sqlite3"  # SQLite cannot open it: the database is unavailable
    env = {**{k: v for k, v in os.environ.items() if k != "GJY_WORKER"}, "GJY_DEMO": "1",
           "DATABASE_URL": f"sqlite:///{missing}", "UPLOAD_DIR": str(tmp_path / "uploads")}
    ran = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "fire-timers"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 1
    assert "Error: 数据库暂时不可用，您的操作未保存，请稍后重试 (database_unavailable)" in ran.stderr
    assert "Traceback" not in ran.stderr and "unable to open database file" in ran.stderr
