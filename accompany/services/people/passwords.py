"""Password hashing with argon2id (argon2-cffi), tuned by the PASSWORD_HASH_PROFILE setting."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

EXTENSION_KEY = "accompany.password_hasher"
MIN_LENGTH = 10

PROFILES = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "cheapest": profiles.CHEAPEST,  # tests only: still argon2id, just fast
}


def init_password_hasher(app) -> None:
    app.extensions[EXTENSION_KEY] = PasswordHasher.from_parameters(
        PROFILES[app.config["PASSWORD_HASH_PROFILE"]]
    )


def _hasher() -> PasswordHasher:
    return current_app.extensions[EXTENSION_KEY]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
