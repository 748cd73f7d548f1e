"""SMS through an HTTP gateway: JSON POST {phone, content} with a bearer token; 2xx means accepted."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from app.integrations.sms.base import SmsUndelivered


class HttpSmsGateway:
    def __init__(self, url: str, token: str = "", timeout: float = 5) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "content": text}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                if response.status >= 300:
                    raise SmsUndelivered(f"SMS gateway answered {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:  # HTTPError is a URLError
            raise SmsUndelivered(f"SMS gateway failed: {exc}") from exc
