from cryptography.fernet import Fernet

from core.security import (
    TokenCipher,
    hash_password,
    hash_secret,
    new_api_key,
    verify_password,
)


def test_password_hash_is_argon2_and_verifies() -> None:
    stored = hash_password("s3cret-pass")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret-pass")
    assert not verify_password(stored, "wrong")
    assert not verify_password("garbage", "s3cret-pass")


def test_api_key_is_stored_only_as_hash() -> None:
    key, prefix, stored = new_api_key()
    assert key.startswith(prefix) and key.startswith("ocs_")
    assert stored == hash_secret(key) and key not in stored


def test_token_cipher_rotates_keys() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenCipher(old)
    secret = before.encrypt("EAAG-access-token")
    assert secret and "EAAG" not in secret
    after = TokenCipher(f"{new},{old}")
    assert after.decrypt(secret) == "EAAG-access-token"
    rotated = after.rotate(secret)
    assert TokenCipher(new).decrypt(rotated) == "EAAG-access-token"
    try:
        TokenCipher(new).decrypt(secret)
    except ValueError:
        pass
    else:
        raise AssertionError("a token encrypted with a dropped key must not decrypt")
