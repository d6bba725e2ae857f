"""Offline login verifiers: an argon2id hash of the password of each user who logged in online here.

The cache never stores a password or a server token; it can only confirm that someone typing a password
now typed the same one at their last successful online login on this console.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


class OfflineLoginError(Exception):
    """An offline login that cannot be granted. `code`: unknown_user | bad_password."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def make_verifier(password: str) -> str:
    return _hasher.hash(password)


def check_password(verifier: str, password: str) -> bool:
    try:
        return _hasher.verify(verifier, password)
    except (VerificationError, InvalidHashError):
        return False
