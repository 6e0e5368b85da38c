"""The authority check's shortcut (same ``scheme://authority/`` prefix as the actor)
must judge every URL exactly as comparing hosts does."""

from __future__ import annotations

import random

from federation.wire import _SameHost, check_authority
from protocol.validate import host_of


def test_same_host_shortcut_agrees_with_comparing_hosts():
    actors = ["https://a.example/users/x", "http://a.example:80/u", "https://a.example",
              "https://A.example/u", "https://u@a.example/u", "https://a.example?/u",
              "https://a.example#/u", "https://a.example:443/u", "HTTPS://a.example/u",
              "http://127.0.0.1:38741/users/john", "ftp://a.example/u", "a.example/u"]  # fmt: skip
    alphabet = "ab.-:0123456789/?#@[]%A_"
    rng = random.Random(7)
    for _ in range(300):
        scheme = rng.choice(["http://", "https://", "HTTP://"])
        actors.append(scheme + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
    wrong = []
    for actor in actors:  # URLs sharing a prefix of the actor's, and the other actors
        same = _SameHost(actor)
        for _ in range(60):
            cut = rng.randint(0, len(actor))
            tail = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
            url = actor[:cut] + tail
            if same(url) != (host_of(url) == host_of(actor)):
                wrong.append((actor, url))
        wrong += [(actor, u) for u in actors if same(u) != (host_of(u) == host_of(actor))]
    assert wrong == []


def test_an_object_on_a_look_alike_host_is_refused():
    actor = "https://a.example/users/x"
    doc = {"id": "https://a.example/act/1", "type": "Create", "actor": actor,
           "object": {"id": "https://a.example.evil/notes/1", "attributedTo": actor}}  # fmt: skip
    refusal = check_authority(doc)
    assert refusal is not None and refusal.code == "activity.origin"
    doc["object"]["id"] = "https://a.example:443/notes/1"  # the same host, spelled out
    assert check_authority(doc) is None
