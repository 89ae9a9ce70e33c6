import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a second per user on a busy 2-core machine; tests
    check who may do what, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """What the worker would do runs as the change that asks for it commits,
    so a test sees the outcome; tests of the worker choose its backend."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _policy_from_the_file():
    """Each test starts with the policy file in force and no stored version
    assumed, without a query (many tests have no database); a test that
    stores versions makes the desk ask again (`forget_policies`)."""
    from supportdesk.policies.active import active_policy

    active_policy.assume_file()
