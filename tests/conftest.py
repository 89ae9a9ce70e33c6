import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a second per user on a busy 2-core machine; tests
    check who may do what, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
