"""The unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters: 8 digits (registration authority, organization type, region code),
then 10 from a 31-character alphabet (digits and capitals without I, O, Z, S, V);
the last is a check character over the first 17. The arithmetic is python-stdnum's
(``stdnum.cn.uscc``); this module words each refusal so that a clerk can correct it.
"""

from __future__ import annotations

from stdnum import exceptions
from stdnum.cn import uscc as gb32100

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def check_character(first17: str) -> str:
    return gb32100.calc_check_digit(first17)


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or ``None`` when it is."""
    try:
        gb32100.validate(code)
    except exceptions.InvalidLength:
        return f"{code!r} has {len(code)} characters; a USCC has 18"
    except exceptions.InvalidChecksum:
        return (f"{code!r} fails its check character: the 18th should be "
                f"{check_character(code[:17])!r}")
    except exceptions.InvalidFormat:
        bad = sorted({char for char in code if char not in ALPHABET})
        if bad:
            return (f"{code!r} contains {''.join(bad)!r}, which a USCC never uses "
                    "(no I, O, Z, S, V)")
        return (f"{code!r}: the first 8 characters (registration authority, organization "
                "type and region code) must be digits")
    return None


def normalise_uscc(code: str) -> str:
    return code.strip().upper()


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (test data, the demo)."""
    return first17 + check_character(first17)
