"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (digits and capitals without I, O,
Z, S, V); the last is a check character: with weights 3^i mod 31 over the
first 17, check = 31 − (Σ value × weight mod 31), where 31 maps back to 0.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: value for value, char in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or ``None`` when it is."""
    if len(code) != 18:
        return f"{code!r} has {len(code)} characters; a USCC has 18"
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        return f"{code!r} contains {''.join(bad)!r}, which a USCC never uses (no I, O, Z, S, V)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"{code!r} fails its check character: the 18th should be {expected!r}"
    return None


def normalise_uscc(code: str) -> str:
    return code.strip().upper()


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (test data, the demo)."""
    return first17 + check_character(first17)
