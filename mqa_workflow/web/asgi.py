"""The ASGI application for servers: ``uvicorn mqa_workflow.web.asgi:app``."""

from mqa_workflow.web.app import create_app

app = create_app()
