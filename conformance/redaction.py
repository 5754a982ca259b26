"""Keeping credentials out of reports: CI logs and artifacts are read by more people than tokens.

Every report (text, JUnit, JSON) goes through one `Redactor`. It knows the run's secrets (the token
and the forbidden token) and the environment variable each is read from, so a reproduction still
pastes: `curl -H "Authorization: Bearer $CONFORMANCE_TOKEN" ...` with the variable set, as in CI.
`--show-secrets` gives an empty redactor, for a person reproducing on their own machine.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

# Shorter values are not worth masking (and could be a common substring of other text).
_MIN_SECRET = 4


@dataclass(frozen=True)
class Redactor:
    """Replaces secret values with `$VARIABLE` references in whatever a report shows."""

    secrets: tuple[tuple[str, str], ...] = ()  # (secret value, environment variable)

    @classmethod
    def of(cls, *pairs: tuple[str | None, str]) -> Redactor:
        """A redactor for these (value, variable) pairs; unset and very short values are left."""
        kept = [(value, name) for value, name in pairs if value and len(value) >= _MIN_SECRET]
        # Longest first, so a token that contains another is replaced whole.
        return cls(tuple(sorted(kept, key=lambda pair: -len(pair[0]))))

    def scrub(self, text: str) -> str:
        """`text` with each secret replaced by `$VARIABLE`."""
        for value, name in self.secrets:
            text = text.replace(value, f"${name}")
        return text

    def shell_word(self, text: str) -> str:
        """`text` as one shell word; a secret in it becomes a `$VARIABLE` the shell expands."""
        scrubbed = self.scrub(text)
        if scrubbed == text:
            return shlex.quote(text)
        # Double quotes expand the variable; escape what else they would interpret.
        escaped = scrubbed
        for char in ("\\", '"', "`"):
            escaped = escaped.replace(char, "\\" + char)
        escaped = _escape_other_dollars(escaped, {name for _, name in self.secrets})
        return f'"{escaped}"'


def _escape_other_dollars(text: str, names: set[str]) -> str:
    """Escape every `$` that does not start one of our variables."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "$" and not any(text.startswith(name, index + 1) for name in names):
            out.append("\\$")
        else:
            out.append(char)
        index += 1
    return "".join(out)


NO_REDACTION = Redactor()
