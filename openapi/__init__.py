"""The contract for ``GET /api/v2/course/{id}/users/``: the OpenAPI spec and its tooling.

``SPEC_PATH`` is the root document; ``load_spec()`` returns it fully resolved (every ``$ref``
inlined by prance) as a dict, parsed and validated once per process. `openapi.contract.CONTRACT`
holds the facts other packages need from it (statuses, defaults, orderings, the page cap, ...).
"""

from __future__ import annotations

from course_users.openapi.bundle import SPEC_PATH, load_spec

__all__ = ["SPEC_PATH", "load_spec"]
