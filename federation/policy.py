"""Federation policy: which domains may talk to this node.

Rules are few and read on every inbound request, so they are cached in memory
and written through to ``domain_policy``.  A ``block`` rule always wins; in
closed-network mode only domains with an ``allow`` rule federate at all.  A rule
for ``example.org`` also covers its subdomains.
"""

from __future__ import annotations

from typing import Literal

import sqlite_utils

from federation.store import Store
from protocol.result import Failure

Rule = Literal["allow", "block"]


def normalise_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


class DomainPolicy:
    """Allow/block list plus closed-network mode, cached in memory."""

    def __init__(self, store: Store, *, closed_network: bool = False) -> None:
        self._store = store
        self.closed_network = closed_network
        self._rules: dict[str, Rule] = {}

    async def load(self) -> None:
        rows = await self._store.read(
            lambda db: list(db.execute("SELECT domain, rule FROM domain_policy"))
        )
        self._rules = {domain: rule for domain, rule in rows}

    async def set_domain_rule(self, domain: str, rule: Rule | None) -> None:
        """Set (or with ``None`` remove) the rule for ``domain``."""
        domain = normalise_domain(domain)
        if not domain:
            raise ValueError("domain must not be empty")
        if rule not in ("allow", "block", None):
            raise ValueError("rule must be 'allow', 'block' or None")

        def write(db: sqlite_utils.Database) -> None:
            if rule is None:
                db.execute("DELETE FROM domain_policy WHERE domain = ?", [domain])
            else:
                db.execute(
                    "INSERT INTO domain_policy (domain, rule) VALUES (?, ?)"
                    " ON CONFLICT(domain) DO UPDATE SET rule = excluded.rule",
                    [domain, rule],
                )

        await self._store.write(write)
        if rule is None:
            self._rules.pop(domain, None)
        else:
            self._rules[domain] = rule

    def domain_rules(self) -> dict[str, Rule]:
        return dict(sorted(self._rules.items()))

    def rule_for(self, host: str) -> Rule | None:
        """The most specific rule covering ``host`` (port ignored), if any."""
        name = normalise_domain(host.rsplit(":", 1)[0] if host.count(":") == 1 else host)
        labels = name.split(".")
        for i in range(len(labels)):
            rule = self._rules.get(".".join(labels[i:]))
            if rule is None and i == 0:
                rule = self._rules.get(normalise_domain(host))
            if rule is not None:
                return rule
        return None

    def check(self, host: str) -> Failure | None:
        """None when ``host`` may federate with us, else why not."""
        rule = self.rule_for(host)
        if rule == "block":
            return Failure("policy.blocked", f"domain {host} is blocked by this node")
        if self.closed_network and rule != "allow":
            return Failure(
                "policy.closed", f"this node federates only with allowed domains; {host} is not"
            )
        return None
