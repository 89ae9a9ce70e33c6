"""The REST API under /api/v1/ (DESIGN.md §7): bearer tokens or the browser
session, JSON in and out, errors as `{"detail": …}` with a 4xx status.

Reads go through `accounts.access`, writes through the `do_*` actions in
`tickets.actions`; this package only translates HTTP to those calls and back.
"""
