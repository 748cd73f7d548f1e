"""A refusal naming a bound (a spot check's largest sample) is a message built from its template
(errors.Message), so that the English pages find its English whatever the bound is."""
from __future__ import annotations

import html

import pytest
from flask import Flask

from app.services.records import spot_checks
from tests.support.web import WebUser


def test_a_spot_checks_sample_size_refusal_reads_in_english(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spot_checks, "MAX_SAMPLE", 40)  # a bound of another value: the template still fits it
    city = WebUser(app, "city-nanning").login()
    city.get("/lang/en")
    refused = city.post("/spot-checks/preview", {"sample_size": "41", "exclude_months": "0"})
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    assert "The sample size must be between 1 and 40" in page
    assert "抽查数量应在" not in page
