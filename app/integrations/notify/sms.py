"""SMS through an HTTP gateway (JSON POST {phone, content}); users without a phone are skipped."""
from __future__ import annotations

import json
import urllib.request

from app.integrations.notify.base import OutgoingMessage


class SmsGatewayChannel:
    def __init__(self, url: str, token: str = "") -> None:
        self.url, self.token = url, token

    def send(self, message: OutgoingMessage) -> None:
        if not message.phone:
            return
        body = json.dumps({"phone": message.phone, "content": f"【桂建云】{message.title}"}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured gateway URL)
            if response.status >= 300:
                raise ConnectionError(f"SMS gateway answered {response.status}")
