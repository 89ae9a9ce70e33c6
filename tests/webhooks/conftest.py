# The named people of the ticket tests, for tickets that webhooks announce.
from tests.tickets.conftest import people  # noqa: F401
