"""The feedback report as PDF, kept once rendered.

Laying the report out as PDF takes seconds (WeasyPrint and a CJK font). The report is
read only after the cycle's results are released, and by then the decision is frozen, so
the report cannot change: it is rendered once (at the release, in the background) and the
stored file is served from then on. The bytes go to the documents store (content-addressed
by SHA-256); this row says which file is the application's report and when it was made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class FeedbackPdf(Base):
    __tablename__ = "feedback_pdfs"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("document_blobs.sha256"), index=True)
    size: Mapped[int]
    rendered_at: Mapped[datetime] = mapped_column(default=now)
    render_ms: Mapped[int]  # how long the layout took: the saving the stored file brings
