"""The input files the first check of issue 17 left out: a score sheet and a conflict
profile in GBK are refused as every other input file is — exit 2, saying it is not UTF-8
and how to save it, no traceback — and a score sheet with a byte-order mark is read."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_input_files import _gbk


def test_a_score_sheet_in_gbk_is_refused_and_one_with_a_bom_is_read(mqa, tmp_path: Path
                                                                     ) -> None:
    sheet = {"standard": "economic", "note": "经济类评分", "scores": {}}
    refused = " ".join(mqa("score", "compute", _gbk(tmp_path, "sheet.json",
                                                     json.dumps(sheet, ensure_ascii=False)),
                           code=2).split())
    assert "must be UTF-8 text" in refused and "GBK" in refused
    assert "Traceback" not in refused
    with_bom = tmp_path / "bom.json"
    with_bom.write_text(json.dumps({"standard": "economic", "scores": {}}),
                        encoding="utf-8-sig")
    read = mqa("score", "compute", str(with_bom), code=1)
    assert "missing" in read and "must be UTF-8" not in read  # the sheet's own problems


def test_a_conflict_profile_file_in_gbk_is_refused(mqa, tmp_path: Path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    mqa("user", "add", "--name", "王专家", "--email", "wang@pool.cn", "--role", "reviewer")
    profile = _gbk(tmp_path, "profile.json", json.dumps({"district": "南山区"},
                                                        ensure_ascii=False))
    refused = " ".join(mqa("conflict", "set", "wang@pool.cn", "--file", profile,
                           code=2).split())
    assert "must be UTF-8 text" in refused and "GBK" in refused
