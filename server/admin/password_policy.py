"""What `onegrid-ctl users add` accepts as a password: refused with a reason an administrator can act
on, instead of a stored account that anyone could guess into.

Deliberately small (no dictionary package): a minimum length (longer for admin accounts, which can
change users and reference data), not the username, not one kind of character, not a run like
``12345678`` or ``aaaaaaaa``, and not one of the passwords every guessing list starts with.
"""
from __future__ import annotations

MIN_LENGTH = 8
MIN_LENGTH_ADMIN = 12

COMMON = frozenset({
    "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "12345678", "123456789",
    "1234567890", "87654321", "11111111", "00000000", "qwertyui", "qwertyuiop", "qwerty123", "1q2w3e4r",
    "1qaz2wsx", "abc12345", "abcd1234", "iloveyou", "admin123", "admin1234", "administrator", "letmein1",
    "welcome1", "changeme", "changeme1", "onegrid", "onegrid1", "onegrid123", "a1b2c3d4", "woaini1314",
    "zxcvbnm1", "asdfghjk", "operator", "operator1", "default1", "secret12", "test1234",
})
_RUNS = tuple(run * 3 for run in ("0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz",
                                   "zyxwvutsrqponmlkjihgfedcba", "qwertyuiopasdfghjklzxcvbnm"))  # wrapping runs too


def password_problem(password: str, username: str = "", role: str = "") -> str | None:
    """Why `password` is too weak for `username` (with `role`), or None when it is acceptable."""
    lowered = password.lower()
    if lowered in COMMON:
        return "this password is on every password-guessing list"
    minimum = MIN_LENGTH_ADMIN if role == "admin" else MIN_LENGTH
    if len(password) < minimum:
        kind = "an admin password" if role == "admin" else "a password"
        return f"{kind} needs at least {minimum} characters (this one has {len(password)})"
    if password.strip() != password:
        return "the password starts or ends with a space (a copy-and-paste slip?)"
    if username and len(username) >= 3 and username.lower() in lowered:
        return f"the password contains the username {username!r}"
    if len(set(lowered)) <= 2:
        return "the password repeats one or two characters"
    if any(lowered in run for run in _RUNS):
        return "the password is a run of consecutive keys or digits"
    kinds = sum((any(c.isalpha() for c in password), any(c.isdigit() for c in password),
                 any(not c.isalnum() for c in password)))
    if kinds < 2:
        return "mix letters with digits or symbols (only one kind of character is used)"
    return None
