"""Chinese of what the page audit (issue #15) found missing: the award classes by their
identifiers (a page that lists a cycle's classes translates each), kept beside ``i18n.ZH``
so these words are found in one place."""

from __future__ import annotations

from mqa_workflow.web.phrases_setup import CLASS_LABELS

ZH: dict[str, str] = {
    **CLASS_LABELS,
}
