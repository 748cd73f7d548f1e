"""The verifier's HTTP API: JSON POSTs, answers {passed, reason, reference}; a bearer token authenticates."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from app.integrations.verifier.base import Verdict, VerifierUnavailable


class HttpVerifier:
    def __init__(self, url: str, token: str = "", timeout: float = 10) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _post(self, path: str, payload: dict[str, Any]) -> Verdict:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(f"{self.url}{path}", data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                answer = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise VerifierUnavailable(f"verifier failed: {exc}") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("passed"), bool):
            raise VerifierUnavailable("verifier answered without a verdict")
        return Verdict(answer["passed"], str(answer.get("reason") or ""), str(answer.get("reference") or ""))

    def check_face(self, name: str, id_number: str) -> Verdict:
        return self._post("/face", {"name": name, "id_number": id_number})

    def send_micro_payment(self, enterprise_name: str, credit_code: str, bank_account: str) -> Verdict:
        return self._post("/micro-payment", {"enterprise_name": enterprise_name, "credit_code": credit_code,
                                             "bank_account": bank_account})

    def confirm_micro_payment(self, reference: str, amount_cents: int) -> Verdict:
        return self._post("/micro-payment/confirm", {"reference": reference, "amount_cents": amount_cents})

    def check_real_name(self, name: str, id_number: str, phone: str) -> Verdict:
        return self._post("/real-name", {"name": name, "id_number": id_number, "phone": phone})
