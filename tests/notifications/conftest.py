# The named people of the ticket tests.
from tests.tickets.conftest import people  # noqa: F401
