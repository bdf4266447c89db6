"""The e-mail channel: a notice as a multipart message, sent over SMTP (stdlib smtplib)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from mqa_workflow.clock import now
from mqa_workflow.config import Settings
from mqa_workflow.notifications.models import Delivery


def build_message(settings: Settings, delivery: Delivery, to: str) -> EmailMessage:
    """Plain text with an HTML alternative. The Message-ID is fixed per delivery, so a
    resend after a crash between the server's acceptance and our commit is recognisable
    as the same message."""
    notification = delivery.notification
    message = EmailMessage()
    message["Subject"] = notification.subject
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Date"] = format_datetime(now())
    domain = settings.smtp_sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<mqa-delivery-{delivery.id}@{domain}>"
    message.set_content(notification.body)
    if notification.html:
        message.add_alternative(notification.html, subtype="html")
    # After the parts: adding an alternative moves Content-* headers into the first part.
    message["Content-Language"] = "zh-CN" if notification.language == "zh" else "en"
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; any failure raises (the caller retries later)."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout
    if settings.smtp_security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        client.send_message(message)
