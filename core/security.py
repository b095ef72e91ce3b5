"""Password hashing, API keys and one-time codes, and Fernet encryption of tokens at rest."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_hasher = PasswordHasher()
# argon2 takes ~64 MiB and tens of milliseconds per hash: a few threads of their own keep
# the event loop serving pages and bound the memory however many sign-ins arrive at once
_password_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")
API_KEY_PREFIX = "ocs_"


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    """`hash_password` off the event loop, at most two at a time."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_threads, hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    """`verify_password` off the event loop, at most two at a time."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_threads, verify_password, password_hash, password)


def new_api_key() -> tuple[str, str, str]:
    """A fresh API key: (the key shown once, its lookup prefix, its stored hash)."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key[: len(API_KEY_PREFIX) + 8], hash_secret(key)


def hash_secret(value: str) -> str:
    """SHA-256 of a high-entropy secret (API keys, link codes); never for passwords."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_link_code() -> str:
    """A short one-time code a person can type into a chat."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class TokenCipher:
    """Encrypts OAuth tokens at rest; the first key encrypts, all keys decrypt (rotation)."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("TOKEN_ENCRYPTION_KEY holds no key")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])

    def encrypt(self, plaintext: str | None) -> str | None:
        """The ciphertext of a token (None stays None)."""
        if plaintext is None:
            return None
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str | None) -> str | None:
        """The token back; raises ValueError when no key can read it."""
        if ciphertext is None:
            return None
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("token cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the current first key."""
        return self._fernet.rotate(ciphertext.encode()).decode()
