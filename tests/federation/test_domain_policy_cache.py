"""The domain policy keeps its verdict per host; every change of a rule or of the mode
counts from the next question on, for the inbox and the outbox alike."""

from __future__ import annotations


async def test_a_kept_verdict_gives_way_to_every_change(nodes):
    node = await nodes(0)
    policy = node.fed.policy
    assert policy.check("social.example") is None  # asked, and kept
    await node.fed.set_domain_rule("social.example", "block")
    assert policy.check("social.example").code == "policy.blocked"
    assert policy.check("social.example:8443").code == "policy.blocked"  # the port aside
    await node.fed.set_domain_rule("example", "allow")  # a wider rule: the closer one wins
    assert policy.check("social.example").code == "policy.blocked"
    await node.fed.set_domain_rule("social.example", None)
    assert policy.check("social.example") is None
    policy.closed_network = True
    assert policy.check("other.test").code == "policy.closed"
    assert policy.check("social.example") is None  # allowed through "example"
    await node.fed.set_domain_rule("example", None)
    assert policy.check("social.example").code == "policy.closed"
    policy.closed_network = False
    assert policy.check("other.test") is None


async def test_the_kept_verdicts_are_bounded(nodes, monkeypatch):
    node = await nodes(0)
    policy = node.fed.policy
    monkeypatch.setattr(type(policy), "VERDICTS_KEPT", 50)
    for i in range(500):
        assert policy.check(f"h{i}.example") is None
    assert len(policy._verdicts) <= 50
