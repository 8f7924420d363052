"""Encryption at rest for personal fields, and the keyed hash used to look phones up.

Fields are sealed with Fernet (AES-CBC + HMAC-SHA256, authenticated). `FIELD_ENCRYPTION_KEYS`
is a list: the first key encrypts, every key decrypts, so a new key can be put first and old
rows re-encrypted at leisure (`flask rotate-keys`). Phones are found by an HMAC of their E.164
form (a blind index) so nothing ever has to decrypt a whole table to find one number.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, type_coerce
from sqlalchemy.types import TypeDecorator

EXTENSION_KEY = "accompany.keyring"
# How many decrypted values a worker keeps (see Keyring.decrypt_recurring): a network's families
# several times over, about a megabyte at most.
RECURRING_CACHE_SIZE = 4096


class KeyConfigError(ValueError):
    """A key in the configuration is not usable."""


class Keyring:
    """The configured encryption keys and blind-index key."""

    def __init__(self, field_keys: list[str], blind_index_key: str):
        if not field_keys:
            raise KeyConfigError("FIELD_ENCRYPTION_KEYS is empty")
        try:
            self._fernets = [Fernet(key.encode() if isinstance(key, str) else key) for key in field_keys]
        except (ValueError, TypeError):
            raise KeyConfigError(
                "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys "
                "(make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None
        if not blind_index_key:
            raise KeyConfigError("BLIND_INDEX_KEY is empty")
        self._multi = MultiFernet(self._fernets)
        self._index_key = blind_index_key.encode()
        self._recurring = lru_cache(maxsize=RECURRING_CACHE_SIZE)(self.decrypt)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise KeyConfigError("a stored field cannot be decrypted with any configured key") from None

    def decrypt_recurring(self, token: str) -> str:
        """`decrypt`, remembering the last RECURRING_CACHE_SIZE answers by ciphertext: for a value
        read on every request (a family's name on the dashboard, some 200 of them a page), where
        Fernet's HMAC and AES would be a good part of the page's work.

        Safe because the cache key is the ciphertext itself: a Fernet token is unique to one
        sealing (a random IV and a timestamp), so only code that already holds that token, with
        our keys, can hit its entry; a changed, re-keyed or purged value is a new token and the
        old answer is never returned for it, only aged out. An entry is what rendering holds
        anyway (the plaintext, in this process's memory, never on disk, never logged: lru_cache
        reports hits and misses, not entries), bounded in number, per keyring (so per app and its
        keys). Opt-in, column by column (`recurring`): names only, never phones or notes.
        """
        return self._recurring(token)

    def is_current(self, token: str) -> bool:
        """True when `token` was sealed with the first (current) key."""
        try:
            self._fernets[0].decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """Re-seal `token` with the current key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    def blind_index(self, purpose: str, value: str) -> str:
        """A keyed hash of `value`, stable for lookups, useless without the key."""
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def init_keyring(app) -> None:
    app.extensions[EXTENSION_KEY] = Keyring(
        app.config["FIELD_ENCRYPTION_KEYS"], app.config["BLIND_INDEX_KEY"]
    )


def keyring() -> Keyring:
    return current_app.extensions[EXTENSION_KEY]


def phone_index(e164: str) -> str:
    """The blind index of a normalized (E.164) phone number."""
    return keyring().blind_index("phone", e164)


class EncryptedText(TypeDecorator):
    """A text column stored sealed; Python code only ever sees the plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(str(value))

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return keyring().decrypt(value)


class RecurringEncryptedText(EncryptedText):
    """EncryptedText read through the keyring's cache of decrypted values (Keyring.decrypt_recurring)."""

    cache_ok = True

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None:
            return None
        return keyring().decrypt_recurring(value)


def recurring(column):
    """An EncryptedText column, selected so that its values are decrypted once per worker and then
    remembered (Keyring.decrypt_recurring): for names shown on every request of a busy page."""
    return type_coerce(column, RecurringEncryptedText())
