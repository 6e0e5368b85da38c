"""Federation policy: which domains may talk to this node.

Rules are few and read on every inbound request, so they are cached in memory
and written through to ``domain_policy``.  A ``block`` rule always wins; in
closed-network mode only domains with an ``allow`` rule federate at all.  A rule
for ``example.org`` also covers its subdomains.
"""

from __future__ import annotations

import re
from typing import Literal

import sqlite_utils

from federation.store import Store
from protocol.result import Failure

Rule = Literal["allow", "block"]


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(domain: str) -> str:
    """How a host is matched against rules (no validation: hosts come from the wire)."""
    return domain.strip().lower().rstrip(".")


def valid_domain(domain: str) -> str:
    """The domain in the form rules are stored and matched in; ValueError with a reason.

    One check for every entry point (API, admin UI, CLI): a DNS name of labels of
    1-63 letters, digits and hyphens, at most 253 characters; international names are
    stored in their ASCII (punycode) form, so that a rule matches what hosts send.
    """
    name = domain.strip().lower().rstrip(".")
    if not name:
        raise ValueError("domain must not be empty")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{domain!r} is not a domain name ({exc})") from None
    if len(name) > 253:
        raise ValueError("a domain name has at most 253 characters")
    bad = [label for label in name.split(".") if not _LABEL.match(label)]
    if bad:
        raise ValueError(
            f"{domain!r} is not a domain name: each part between dots must be 1-63 letters,"
            " digits or hyphens (no spaces, slashes, @ or empty parts)"
        )
    return name


class DomainPolicy:
    """Allow/block list plus closed-network mode, cached in memory."""

    #: Verdicts kept per host; past this many (hosts come from the wire) they start over.
    VERDICTS_KEPT = 10_000

    def __init__(self, store: Store, *, closed_network: bool = False) -> None:
        self._store = store
        self._closed_network = closed_network
        self._rules: dict[str, Rule] = {}
        # host -> verdict: every inbox request and every queued delivery asks, for a
        # few hosts. Emptied whenever a rule or the mode changes, so a block counts
        # from the next request on.
        self._verdicts: dict[str, Failure | None] = {}

    @property
    def closed_network(self) -> bool:
        return self._closed_network

    @closed_network.setter
    def closed_network(self, value: bool) -> None:
        self._closed_network = value
        self._verdicts.clear()

    async def load(self) -> None:
        rows = await self._store.read(
            lambda db: list(db.execute("SELECT domain, rule FROM domain_policy"))
        )
        self._rules = {domain: rule for domain, rule in rows}
        self._verdicts.clear()

    async def set_domain_rule(self, domain: str, rule: Rule | None) -> None:
        """Set (or with ``None`` remove) the rule for ``domain``."""
        domain = valid_domain(domain)
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
        self._verdicts.clear()

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
        try:
            return self._verdicts[host]
        except KeyError:
            pass
        if len(self._verdicts) >= self.VERDICTS_KEPT:
            self._verdicts.clear()
        verdict = self._verdicts[host] = self._judge(host)
        return verdict

    def _judge(self, host: str) -> Failure | None:
        rule = self.rule_for(host)
        if rule == "block":
            return Failure("policy.blocked", f"domain {host} is blocked by this node")
        if self.closed_network and rule != "allow":
            return Failure(
                "policy.closed", f"this node federates only with allowed domains; {host} is not"
            )
        return None
