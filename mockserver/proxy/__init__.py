"""Proxy mode (`python -m mockserver --proxy URL`): the mock in front of a real backend.

Every request to the operation is validated as the mock validates it, forwarded unchanged to the
upstream, and its answer returned unchanged (body bytes, status, content type) after the contract
watch has judged it. The mock's middleware (CORS, `Prefer`, --latency, --error-rate) stays in
front, so a UI sees the same server with a real backend behind it.

    upstream.py     forwarding: the request out, the bounded answer back (502/504 when it fails)
    responses.py    what the spec documents per status: media types, body schema, headers
    semantics.py    what one exchange can prove: filters, order, page, links, auth errors
    watch.py        the contract watch: judges an exchange, remembers counts, keeps the record
    handler.py      the operation's handler in proxy mode and the violations endpoint

Errors (raised, turned into JSON `{"detail": ...}` at the app's one boundary):

    ApiError (mockserver.errors)
    ├── UpstreamUnreachable     502: no connection, or the answer broke off
    ├── UpstreamTooLarge        502: the answer's body is past MAX_UPSTREAM_BYTES
    ├── UpstreamTimeout         504: no whole answer within the timeout
    └── ContractViolated        502: --proxy-strict and the answer breaks the contract
"""

from __future__ import annotations

from course_users.mockserver.proxy.handler import ProxyHandlers, ViolationsEndpoint
from course_users.mockserver.proxy.upstream import (
    ContractViolated,
    UpstreamTimeout,
    UpstreamTooLarge,
    UpstreamUnreachable,
)
from course_users.mockserver.proxy.watch import ContractWatch, Violation

__all__ = [
    "ContractViolated",
    "ContractWatch",
    "ProxyHandlers",
    "UpstreamTimeout",
    "UpstreamTooLarge",
    "UpstreamUnreachable",
    "Violation",
    "ViolationsEndpoint",
]
