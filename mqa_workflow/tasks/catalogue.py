"""Importing this module registers every background task with the registry."""

from mqa_workflow.audit import checkpoints  # noqa: F401
from mqa_workflow.deadlines import assignments  # noqa: F401
from mqa_workflow.notifications import service as notifications  # noqa: F401
from mqa_workflow.reports import service as reports  # noqa: F401
from mqa_workflow.tasks import pipeline  # noqa: F401
