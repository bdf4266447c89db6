"""The command line words refusals in English, exactly as before they became refusals
with a Chinese translation (the pages read those; the terminal and the logs do not)."""

from __future__ import annotations

from tests.cli.test_lifecycle import USCC


def test_a_refused_transition_reads_in_english_on_the_command_line(mqa) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    mqa("cycle", "create", "--year", "2026", "--deadline", "submission=2099-12-31")
    mqa("applicant", "add", "--name", "深圳某科技有限公司", "--uscc", USCC,
        "--industry", "电子信息", "--district", "南山区")
    mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant", USCC)
    output = mqa("case", "advance", "1", "return_for_correction", code=4)
    refused = " ".join(output.split())  # the terminal wraps long lines
    assert refused == (
        "error: cannot return_for_correction application 1 (draft) "
        "- return_for_correction applies only from eligibility_check; the application is "
        "in draft - return_for_correction needs a written reason")
