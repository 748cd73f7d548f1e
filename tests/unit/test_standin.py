"""The HTTP stand-in (app/integrations/standin.py) as the SMS gateway that can be down: in mode "down" every endpoint
answers 503 and keeps no message; back in "pass", the gateways' own client delivers again."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.integrations.sms import HttpSmsGateway, SmsUndelivered
from app.integrations.standin import StandIn
from app.integrations.verifier import HttpVerifier, VerifierUnavailable


@pytest.fixture
def standin() -> Iterator[StandIn]:
    stand_in = StandIn()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def test_a_down_gateway_answers_503_and_keeps_nothing_until_it_is_back(standin: StandIn) -> None:
    gateway = HttpSmsGateway(standin.sms_url, timeout=2)
    standin.mode = "down"
    with pytest.raises(SmsUndelivered, match="503"):
        gateway.send("13800000001", "验证码 123456")
    assert standin.sms == [] and len(standin.requests) == 1
    standin.mode = "pass"
    gateway.send("13800000001", "验证码 654321")
    assert standin.sms == [("13800000001", "验证码 654321")] and standin.last_code("13800000001") == "654321"


def test_a_down_verifier_is_unavailable(standin: StandIn) -> None:
    standin.mode = "down"
    with pytest.raises(VerifierUnavailable, match="503"):
        HttpVerifier(standin.url, timeout=2).check_face("梁海", "450103199001011234")
