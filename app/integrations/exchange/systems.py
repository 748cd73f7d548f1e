"""The external systems of the notice's section 二 that we exchange data with: names, titles, what they
send us (inbound kinds) and the environment variables that configure their connectors."""
from __future__ import annotations

from dataclasses import dataclass

INTERNAL = "internal"  # messages delivered inside the app (an in-app notice), not over HTTP


@dataclass(frozen=True)
class System:
    key: str                      # national_platform: the prefix of its outbound kinds, the URL's segment
    title: str                    # 全国平台
    inbound_kinds: tuple[str, ...] = ()
    outbound: bool = True

    @property
    def env_prefix(self) -> str:
        """GJY_EXCHANGE_NATIONAL_PLATFORM: _URL, _KEY (our credential there), _INBOUND_KEY (its HMAC key
        for what it sends us), _TIMEOUT (seconds)."""
        return f"GJY_EXCHANGE_{self.key.upper()}"


SYSTEMS: dict[str, System] = {s.key: s for s in (
    System("national_platform", "全国建筑市场监管公共服务平台（全国平台）",
           ("enterprise", "certificate", "person", "project", "credit_record", "out_of_region_performance")),
    System("approval_system", "住房城乡建设厅行政审批系统（审批系统）", ("certificate_change",)),
    System("training_exam", "培训考试系统", ("certificate_change",), outbound=False),
    System("quality_safety", "工程质量安全监督系统", (
        "construction_permit", "supervision_registration", "completion_acceptance")),
    System("trading_platform", "公共资源交易平台（交易平台）", ("bid_usage", "award_lock", "award_release")),
)}
OUTBOUND_SYSTEMS = tuple(key for key, s in SYSTEMS.items() if s.outbound)


def target_of(kind: str) -> str:
    """The system a message kind goes to: its prefix (national_platform.data_level_change), or internal."""
    prefix = kind.split(".", 1)[0]
    return prefix if prefix in SYSTEMS and SYSTEMS[prefix].outbound else INTERNAL


def title_of(system: str) -> str:
    return SYSTEMS[system].title if system in SYSTEMS else "系统内部"
