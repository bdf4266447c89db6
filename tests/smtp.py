"""A real SMTP server for the tests (aiosmtpd on a free port) that keeps what arrives."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.processes import free_port


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.holding = threading.Event()  # a message reached DATA and is being held
        self.release = threading.Event()
        self.hold_next = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_next:
            # Keep the sender waiting (as a slow server would) until the test has killed it,
            # then refuse: a message whose sender died is never accepted.
            self.hold_next = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 sender went away"
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        self.controller.stop(no_assert=True)  # never started: nothing to stop

    def env(self) -> dict[str, str]:
        """The settings that send the engine's e-mail here."""
        return {"MQA_SMTP_HOST": "127.0.0.1", "MQA_SMTP_PORT": str(self.port),
                "MQA_SMTP_SENDER": "award@office.sz"}


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def body_html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()
