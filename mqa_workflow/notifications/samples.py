"""Sample data for every event: ``mqa notify preview`` and the template tests render these.

Each context is exactly what the engine passes for that event, so a template
that uses a variable the engine does not give fails here first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_DUE = datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shenzhen
_COMMON: dict[str, Any] = {
    "recipient": "张三",
    "application_id": 42,
    "title": "深圳某科技有限公司",
    "cycle": "2026年度深圳市市长质量奖",
    "award_class": "economic",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "assignment": _COMMON | {"stage": "document_review", "is_leader": True, "due_at": _DUE,
                             "task_url": "https://mqa.example.cn/assignments/7"},
    "reminder": _COMMON | {"work": "review", "due_at": _DUE, "days_left": 3,
                           "work_url": "https://mqa.example.cn/assignments/7"},
    "overdue": _COMMON | {"work": "consensus", "due_at": _DUE,
                          "work_url": "https://mqa.example.cn/applications/42/consensus/"
                                      "document_review",
                          "escalate_at": datetime(2026, 10, 2, 15, 59, 59, tzinfo=UTC)},
    "escalation": _COMMON | {"recipient": "管理员", "work": "site_visit_report", "due_at": _DUE,
                             "days_overdue": 2, "responsible": ["李四", "王五"],
                             "work_url": "https://mqa.example.cn/admin/cases/42"},
    "state_changed": _COMMON | {"from_state": "eligibility_check",
                                "to_state": "returned_for_correction",
                                "reason": "营业执照副本不清晰", "correction_due_at": _DUE},
    "decision": _COMMON | {"to_state": "awarded_grand", "reason": "", "decision": "grand"},
    "feedback_report_ready": _COMMON | {"state": "awarded_grand",
                                        "location": "https://mqa.example.cn/feedback/42"},
    "committee_referral": _COMMON | {"class_name": "经济类", "due_at": _DUE,
                                     "vote_url": "https://mqa.example.cn/committee/42"},
}
