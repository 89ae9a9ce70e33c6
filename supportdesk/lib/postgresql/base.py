"""Django's PostgreSQL backend with a health check that costs no round trip.

Django's `CONN_HEALTH_CHECKS` sends `SELECT 1` before the first query of
every request that reuses a connection: a third of the statements of an API
request that opens a ticket. A server that ends a session (a restart, an
administrator's `pg_terminate_backend`, an idle timeout) says so on the
socket, so an idle connection with nothing to read is as good as the
`SELECT 1` would find it; only when something is waiting does the real check
run, and a dead connection is replaced before the request's first query as
before. What neither check catches, a silently vanished peer, fails the
request either way.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper


class DatabaseWrapper(PostgresWrapper):
    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and not _has_news(self.connection):
            self.health_check_done = True
        super().close_if_health_check_failed()


def _has_news(connection: object) -> bool:
    """Whether the server sent anything to a connection that asked nothing."""
    try:
        socket = connection.pgconn.socket  # type: ignore[attr-defined]
    except Exception:  # a closed connection has no socket
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
