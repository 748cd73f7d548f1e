"""The quality-and-safety supervision system (广西建设工程质量安全监督信息管理系统) behind one interface: look up a
supervised project by its construction-permit number (施工许可证号), with its construction unit, participating
enterprises, key personnel and stages. `HttpQualitySafety` speaks its HTTP API; in tests and the demo, the
stand-in `app.integrations.quality_safety_standin` answers on 127.0.0.1. The other systems' connectors will
follow the same shape (one protocol, one module per system)."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class QualitySafetyUnavailable(Exception):
    """The system did not answer, or answered something that is not a project."""


@dataclass(frozen=True)
class SupervisedProject:
    permit_number: str
    project_code: str
    name: str
    region_code: str
    construction_unit_name: str
    construction_unit_credit_code: str
    supervision_number: str = ""
    scale: str = ""
    investment: str = ""
    participants: tuple[dict[str, str], ...] = field(default_factory=tuple)    # {role, credit_code, name}
    key_personnel: tuple[dict[str, str], ...] = field(default_factory=tuple)   # {role, id_number, name, credit_code}
    stages: tuple[dict[str, str], ...] = field(default_factory=tuple)          # {stage, date}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SupervisedProject:
        try:
            return cls(
                permit_number=str(data["permit_number"]), project_code=str(data["project_code"]),
                name=str(data["name"]), region_code=str(data["region_code"]),
                construction_unit_name=str(data["construction_unit"]["name"]),
                construction_unit_credit_code=str(data["construction_unit"]["credit_code"]),
                supervision_number=str(data.get("supervision_number") or ""), scale=str(data.get("scale") or ""),
                investment=str(data.get("investment") or ""),
                participants=tuple({k: str(v) for k, v in p.items()} for p in data.get("participants") or []),
                key_personnel=tuple({k: str(v) for k, v in p.items()} for p in data.get("key_personnel") or []),
                stages=tuple({k: str(v) for k, v in s.items()} for s in data.get("stages") or []))
        except (KeyError, TypeError, AttributeError) as exc:
            raise QualitySafetyUnavailable(f"quality-safety system answered an incomplete project: {exc}") from exc


class QualitySafetySystem(Protocol):
    def find_project(self, permit_number: str) -> SupervisedProject | None:
        """The supervised project with this permit number; None when the system knows none."""


class HttpQualitySafety:
    """GET {url}/permits/{number}: 200 with the project, 404 when unknown; a bearer token authenticates."""

    def __init__(self, url: str, token: str = "", timeout: float = 10) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def find_project(self, permit_number: str) -> SupervisedProject | None:
        path = urllib.parse.quote(permit_number, safe="")
        request = urllib.request.Request(f"{self.url}/permits/{path}", method="GET",
                                         headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise QualitySafetyUnavailable(f"quality-safety system answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise QualitySafetyUnavailable(f"quality-safety system failed: {exc}") from exc
        if not isinstance(answer, dict):
            raise QualitySafetyUnavailable("quality-safety system answered without a project")
        return SupervisedProject.from_json(answer)


def make_quality_safety(config: Mapping[str, Any]) -> QualitySafetySystem:
    """The system at QUALITY_SAFETY_URL; in demo mode (and tests) without one, the stand-in (once per process)."""
    url = str(config.get("QUALITY_SAFETY_URL") or "")
    if not url and config.get("DEMO"):
        from app.integrations.quality_safety_standin import QualitySafetyStandIn

        url = QualitySafetyStandIn.shared().url  # over HTTP, as in production
    if not url:
        raise QualitySafetyUnavailable("no quality-safety system configured (GJY_QUALITY_SAFETY_URL)")
    return HttpQualitySafety(url, str(config.get("QUALITY_SAFETY_TOKEN") or ""),
                             float(config.get("QUALITY_SAFETY_TIMEOUT", 10)))


def find_project(config: Mapping[str, Any], permit_number: str) -> SupervisedProject | None:
    """Look a project up by its construction-permit number (QualitySafetyUnavailable when the system fails)."""
    return make_quality_safety(config).find_project(permit_number)
