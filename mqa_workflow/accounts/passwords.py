"""The password policy: long enough, not a common password, not one repeated character.

The common passwords ship with the package (``common_passwords.txt``, 30,000 entries
from the zxcvbn package's frequency list), so the check needs no network.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """Every rule ``password`` breaks, in words a person can act on (empty: acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 (a password needs at least "
                        f"{MIN_PASSWORD_LENGTH} characters)")
    folded = password.strip().lower()
    if folded in common_passwords():
        problems.append("该密码属于常见密码，请另选 (this password is on the list of common "
                        "passwords; choose another)")
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        problems.append(f"密码至少包含 {MIN_DISTINCT_CHARACTERS} 个不同字符 (a password needs "
                        f"at least {MIN_DISTINCT_CHARACTERS} different characters)")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in folded:
        problems.append("密码不得包含邮箱用户名 (a password must not contain your e-mail name)")
    return problems
