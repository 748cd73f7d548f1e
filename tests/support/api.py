"""A small client that acts as a demo user through the REST API."""
from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ApiUser:
    def __init__(self, app: Flask, client: FlaskClient, username: str, token: str) -> None:
        self.app, self.client, self.username, self.token = app, client, username, token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(path, json=json if json is not None else {}, headers=self.headers, **kw)

    # -- shortcuts -------------------------------------------------------------------------
    def start(self, procedure: str, data: dict[str, Any] | None = None) -> Any:
        return self.post("/api/v1/cases", {"procedure": procedure, "data": data or {}})

    def upload(self, case_id: int, content: bytes = PDF_BYTES, filename: str = "申请表.pdf") -> Any:
        return self.client.post(f"/api/v1/cases/{case_id}/attachments", headers=self.headers,
                                data={"file": (io.BytesIO(content), filename)},
                                content_type="multipart/form-data")

    def tasks(self, view: str) -> list[dict[str, Any]]:
        response = self.get(f"/api/v1/tasks?view={view}&per_page=100")
        assert response.status_code == 200, response.json
        return response.json["items"]  # type: ignore[no-any-return]

    def task_for(self, case_id: int, view: str = "claimable") -> dict[str, Any] | None:
        return next((t for t in self.tasks(view) if t["case_id"] == case_id), None)

    def claim(self, task_id: str) -> Any:
        return self.post(f"/api/v1/tasks/{task_id}/claim")

    def complete(self, task_id: str, data: dict[str, Any]) -> Any:
        return self.post(f"/api/v1/tasks/{task_id}/complete", {"data": data})

    def case(self, case_id: int) -> dict[str, Any]:
        response = self.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.json
        return response.json  # type: ignore[no-any-return]
