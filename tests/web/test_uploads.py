"""Uploads: sign-in, CSRF and size checked before the body is read (a real server on
loopback, the body never sent), the type judged from content on an allow-list, file
names cleaned, and the same content attached twice to one application recognised."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from mqa_workflow.applications.filetypes import OLE_MAGIC, clean_filename
from mqa_workflow.applications.models import Document, DocumentBlob
from mqa_workflow.applications.service import MAX_DOCUMENT_BYTES
from mqa_workflow.web.app import create_app
from mqa_workflow.web.uploads import MAX_UPLOAD_BODY
from tests.e2e.world import PASSWORD, World, bearer
from tests.services import web_server

HUGE = 300 * 1024 * 1024


@pytest.fixture
def to_review() -> bool:
    return False  # the application is still a draft, open to uploads


def upload(client: TestClient, headers: dict[str, str], application_id: int, name: str,
           data: bytes, declared: str = "application/pdf") -> object:
    return client.post(f"/api/applications/{application_id}/documents", headers=headers,
                       files={"file": (name, data, declared)})


def head_only(base: str, path: str, headers: dict[str, str], length: int = HUGE
              ) -> tuple[int, dict[str, str], float]:
    """Send a request's headers announcing ``length`` bytes of body and none of the body;
    the status line, headers and seconds until the server answered."""
    address = urlparse(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}",
             "Content-Type: multipart/form-data; boundary=xyz", f"Content-Length: {length}",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    began = time.perf_counter()
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    waited = time.perf_counter() - began
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
    return int(head[0].split()[1]), {k.lower(): v for k, v in fields.items()}, waited


# --- before the body ----------------------------------------------------------------

def test_anonymous_and_oversized_uploads_are_refused_before_the_body_is_read(
        world: World) -> None:
    with web_server(world.database) as base, TestClient(create_app(world.database)) as c:
        token = bearer(c, world.emails["applicant"])["Authorization"]
        session = c.post("/api/auth/login", json={"email": world.emails["applicant"],
                                                  "password": PASSWORD})
        cookie, csrf = session.cookies["mqa_session"], session.json()["csrf_token"]
        api = f"/api/applications/{world.application_id}/documents"
        page = f"/applications/{world.application_id}/documents"

        status, fields, waited = head_only(base, api, {})  # 300 MB announced, none sent
        assert status == 401 and waited < 5
        assert fields["x-frame-options"] == "DENY"  # an early refusal is a page like any
        assert "frame-ancestors 'none'" in fields["content-security-policy"]
        status, fields, _ = head_only(base, page, {})
        assert status == 303 and fields["location"].startswith("/login?next=")
        status, _, _ = head_only(base, api, {"Authorization": "Bearer not-a-token"})
        assert status == 401
        status, _, _ = head_only(base, page, {"Cookie": f"mqa_session={cookie}"})
        assert status == 403  # a cookie session without its CSRF token
        status, _, waited = head_only(base, api, {"Authorization": token})
        assert status == 413 and waited < 5  # signed in, but over the limit
        status, _, _ = head_only(base, f"{page}?csrf_token={csrf}",
                                 {"Cookie": f"mqa_session={cookie}"})
        assert status == 413  # CSRF shown in the action: now only the size is wrong


def test_a_body_without_length_is_cut_off_at_the_limit(world: World, client: TestClient
                                                       ) -> None:
    headers = bearer(client, world.emails["applicant"])
    boundary = "xyz"
    envelope = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: only counting can stop it
        yield envelope + b"%PDF-1.7 "
        for _ in range(MAX_UPLOAD_BODY // (1024 * 1024) + 2):
            yield b"x" * 1024 * 1024

    answer = client.post(f"/api/applications/{world.application_id}/documents",
                         headers=headers | {"Content-Type":
                                            f"multipart/form-data; boundary={boundary}"},
                         content=chunks())
    assert answer.status_code == 413 and "limit" in answer.json()["detail"]
    with world.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


# --- the content decides the type ----------------------------------------------------

def office_package(main_part: str, content_types: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", content_types or
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org'
                         '/package/2006/content-types"/>')
        package.writestr(main_part, "<document/>")
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


ACCEPTED = [
    ("营业执照.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 licence", "application/pdf"),
    ("现场照片.PNG", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "image/png"),
    ("证书.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 32, "image/jpeg"),
    ("自评报告.docx", office_package("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("财务数据.xlsx", workbook(),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("旧版报告.doc", OLE_MAGIC + b"\0" * 64, "application/msword"),
    ("旧版报表.xls", OLE_MAGIC + b"\1" * 64, "application/vnd.ms-excel"),
]


def test_accepted_kinds_are_stored_with_the_type_their_content_shows(
        world: World, client: TestClient) -> None:
    headers = bearer(client, world.emails["applicant"])
    for name, data, kind in ACCEPTED:
        # the client's declared type is ignored: the content decides
        answer = upload(client, headers, world.application_id, name, data,
                        declared="application/octet-stream")
        assert answer.status_code == 201, (name, answer.text)
        assert answer.json()["content_type"] == kind and answer.json()["filename"] == name


REFUSED = [
    ("营业执照.pdf", b"MZ\x90\x00\x03" + b"\0" * 64, "a Windows executable"),
    ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 64, "a Linux executable"),
    ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "a script"),
    ("page.pdf", b"<html><script>alert(1)</script></html>", "HTML or XML"),
    ("宏.docx", office_package("word/document.xml",
                              '<Types><Override ContentType="application/vnd.ms-word.document.'
                              'macroEnabled.main+xml"/></Types>'), "with macros"),
    ("archive.docx", office_package("secret/payload.bin"), "ZIP archive"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "the name does not end in .png"),
    ("licence.exe", b"%PDF-1.7 x", "the name does not end in .pdf"),
    ("blank.pdf", b"", "empty"),
]


def test_content_off_the_allow_list_or_unlike_its_name_is_refused_with_a_clear_message(
        world: World, client: TestClient) -> None:
    headers = bearer(client, world.emails["applicant"])
    for name, data, why in REFUSED:
        answer = upload(client, headers, world.application_id, name, data)
        assert answer.status_code == 422, (name, answer.text)
        assert why in " ".join(answer.json()["problems"]), (name, answer.json())
    with world.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


# --- names and duplicates ------------------------------------------------------------

def test_file_names_lose_path_parts_and_control_characters(world: World, client: TestClient
                                                           ) -> None:
    headers = bearer(client, world.emails["applicant"])
    for n, (sent, kept) in enumerate((
            ("../../etc/营业执照.pdf", "营业执照.pdf"),
            ("C:\\Users\\li\\Desktop\\年报.pdf", "年报.pdf"),
            ("\x1b[31mred\u202egnp.pdf", "[31mredgnp.pdf"),
            ("...hidden.pdf", "hidden.pdf"))):
        answer = upload(client, headers, world.application_id, sent, b"%PDF-1.7 " + bytes([48 + n]))
        assert answer.status_code == 201, answer.text
        assert answer.json()["filename"] == kept


def test_the_same_content_attached_twice_to_one_application_is_recognised(
        world: World, client: TestClient) -> None:
    mine = bearer(client, world.emails["applicant"])
    theirs = bearer(client, world.emails["other_applicant"])
    data = b"%PDF-1.7 the same licence"
    first = upload(client, mine, world.application_id, "营业执照.pdf", data)
    assert first.status_code == 201
    again = upload(client, mine, world.application_id, "licence-copy.pdf", data)
    assert again.status_code == 409
    assert "already attached to this application as '营业执照.pdf'" in again.json()["detail"]
    elsewhere = upload(client, theirs, world.other_application_id, "营业执照.pdf", data)
    assert elsewhere.status_code == 201  # another application may use the same file
    with world.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 2
        assert session.scalar(select(func.count()).select_from(DocumentBlob)) == 1


    # what the HTTP client would percent-encode, the domain removes all the same
    assert clean_filename("evil\r\nname\x00\t.pdf") == "evilname.pdf"


@given(st.text(max_size=400))
def test_a_cleaned_name_has_no_path_or_control_characters(name: str) -> None:
    cleaned = clean_filename(name)
    assert cleaned and len(cleaned) <= 200
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned)
    assert not cleaned.startswith((".", " "))


def test_the_limit_leaves_room_only_for_the_multipart_envelope() -> None:
    assert MAX_DOCUMENT_BYTES < MAX_UPLOAD_BODY <= MAX_DOCUMENT_BYTES + 64 * 1024
