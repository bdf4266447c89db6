"""The award classes' Chinese names for the set-up pages (cycle set-up, people and pool).

The set-up pages' phrases themselves are in the gettext catalogues
(mqa_workflow/translations/locale/*/LC_MESSAGES/messages.po)."""

from __future__ import annotations

CLASS_LABELS = {"economic": "经济类", "cultural": "文化类", "social": "社会类",
                "ecological": "生态类", "management": "管理类", "service": "服务类"}
