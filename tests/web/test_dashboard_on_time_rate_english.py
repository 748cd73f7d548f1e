"""按时办结率 reads "On-time rate" in English, apart from 按时办结 ("Done on time") beside it in the dashboard's
headers: the KPI, the by-procedure table and its export."""
from __future__ import annotations

import csv
import io
from typing import Any

from tests.support.factories import NOVEMBER_QUERY as NOVEMBER
from tests.support.web import WebUser


def test_english_dashboard_calls_the_rate_on_time_rate(app: Any, world: Any) -> None:
    client = WebUser(app, "supervisor").login().client
    client.get("/lang/en")
    html = client.get(f"/dashboard?{NOVEMBER}").data.decode()
    assert "<span>On-time rate</span>" in html and "Completed on time" not in html
    header = next(csv.reader(io.StringIO(
        client.get(f"/dashboard/export/by_procedure.csv?{NOVEMBER}").data.decode("utf-8-sig"))))
    assert "On-time rate" in header and "Done on time" in header
