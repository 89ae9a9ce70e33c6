"""The PostgreSQL backend's health check: free while the server is silent,
and still replacing a connection the server has ended."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


@pytest.fixture
def wrapper() -> Iterator[BaseDatabaseWrapper]:
    other = connections.create_connection("default")
    other.settings_dict["CONN_HEALTH_CHECKS"] = True
    other.ensure_connection()
    yield other
    other.close()


def backend_pid(wrapper: BaseDatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def next_request(wrapper: BaseDatabaseWrapper) -> None:
    # What Django does when a request starts and at its first query.
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()


def test_a_live_connection_is_kept(wrapper: BaseDatabaseWrapper) -> None:
    pid = backend_pid(wrapper)
    next_request(wrapper)
    assert backend_pid(wrapper) == pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(
    wrapper: BaseDatabaseWrapper,
) -> None:
    pid = backend_pid(wrapper)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    next_request(wrapper)
    assert backend_pid(wrapper) != pid
