"""Protocol hot paths against a bare ceiling measured in the same run.

1. HTTP signature (draft-cavage, rsa-sha256, RSA-2048): our ``parse_signature`` +
   cached key lookup + ``verify_parsed`` vs a bare ``RSAPublicKey.verify`` over the very
   same signing strings. Target: ours ≥ 80 % of bare.
2. Object proof (eddsa-jcs-2022): our ``verify_proof`` (JCS + hashes + Ed25519) vs a
   bare primitives: JCS of the same document with the C ``json`` encoder (sorted keys,
   compact), SHA-256 of it and of the options, and ``Ed25519PublicKey.verify`` (the
   issue's "bare Ed25519 + JCS"). Target: ≥ 80 %. Ed25519 alone is shown beside it.
3. ``parse_json`` + ``validate_activity`` of a known-context Create with two attachments:
   ≥ 20,000 documents per second on one core (bare ``json.loads`` is shown for scale).

Besides the ratio the brief asks for, the cavage result also shows the ratio against bare
RSA verify *plus* SHA-256 of the body: checking the Digest is irreducible work of verifying
a signed POST (about 3 µs for a 3 KB body), and the pure-Python remainder (header parsing,
signing string, time window, typed results) is about 8-10 µs against ~20 µs of RSA.
The ceiling stays ``RSAPublicKey.verify``, even though ours checks RSA PKCS#1 v1.5 by
recovering the DigestInfo and comparing it (as strict, and a little cheaper).

Every iteration uses a different request/document (no result caching can help);
rounds alternate between bare and ours and the best round of each counts, because the
machines are shared and noisy. Run: ``.venv/bin/python -m bench protocol_bench``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from protocol import activities, keys, mapping, multibase, multikey, proofs, vocab
from protocol.httpsig import parse_signature, sign_cavage, verify_parsed
from protocol.validate import parse_json, validate_activity

N = int(os.environ.get("MEDIAKRING_BENCH_N", "400"))
ROUNDS = int(os.environ.get("MEDIAKRING_BENCH_ROUNDS", "7"))
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
BASE = "https://stad.example"
ACTOR = f"{BASE}/actor"
TARGETS = {"cavage_ratio": 0.80, "proof_ratio": 0.80, "validate_per_second": 20_000}


def _item(i: int) -> dict:
    media = [
        {
            "id": f"m{i}a",
            "url": f"{BASE}/api/v1/media/m{i}a",
            "media_type": "image/jpeg",
            "size": 182_311 + i,
            "sha256": f"{i:064x}",
            "width": 1920,
            "height": 1080,
            "duration": None,
            "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "focal_point": [0.5, -0.25],
            "alt": "Rook boven de haven",
            "thumbnail_url": f"{BASE}/api/v1/media/m{i}a/thumb",
        },
        {
            "id": f"m{i}b",
            "url": f"{BASE}/api/v1/media/m{i}b",
            "media_type": "video/mp4",
            "size": 48_000_000 + i,
            "sha256": f"{i + 1:064x}",
            "width": 1280,
            "height": 720,
            "duration": 93.5,
            "blurhash": None,
            "focal_point": None,
            "alt": "Interview",
            "thumbnail_url": None,
        },
    ]
    return {
        "id": f"it{i}",
        "uri": f"{BASE}/items/{i}",
        "kind": "article",
        "title": f"Brand in de haven ({i})",
        "summary": None,
        "body_html": f"<p>Melding {i}: "
        + "de brandweer rukte vanochtend uit naar de haven. " * 6
        + "</p>",
        "tags": ["brand", "haven"],
        "language": "nl",
        "location": {"name": "Haven", "latitude": 51.9, "longitude": 4.4},
        "credit": "Foto: Stadsomroep",
        "licence": "CC BY 4.0",
        "usage_terms": "met naamsvermelding",
        "embargo_until": None,
        "expires_at": None,
        "created_at": "2026-02-01T10:00:00Z",
        "updated_at": "2026-02-01T10:00:00Z",
        "author": "Redactie",
        "sensitive": False,
        "derived_from": None,
        "media": media,
    }


def _create(i: int) -> dict:
    obj = mapping.item_to_object(_item(i), actor_url=ACTOR, base_url=BASE)
    return activities.create(
        f"{BASE}/activities/{i}", ACTOR, obj, [vocab.AS_PUBLIC], [f"{BASE}/followers"]
    )


def _best_rate(fn, work: list, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for entry in work:
            fn(entry)
        best = min(best, time.perf_counter() - started)
    return len(work) / best


def _alternate(bare, ours, work_bare: list, work_ours: list) -> tuple[float, float]:
    bare_rate = ours_rate = 0.0
    for _ in range(ROUNDS):
        bare_rate = max(bare_rate, _best_rate(bare, work_bare, 1))
        ours_rate = max(ours_rate, _best_rate(ours, work_ours, 1))
    return bare_rate, ours_rate


def _follow(i: int) -> dict:
    return activities.follow(
        f"{BASE}/follows/{i}",
        ACTOR,
        "https://omroep.example/mediatheek",
        ["https://omroep.example/actor"],
    )


def bench_cavage(make=_create) -> dict:
    """Ratio vs bare RSA verify (the target), and vs bare RSA verify + SHA-256 of the body
    (the irreducible crypto of a signed POST), for the given kind of body."""
    key = keys.generate_rsa()
    pem = keys.public_pem(key)
    requests = []
    for i in range(N):
        body = json.dumps(make(i), separators=(",", ":")).encode()
        headers = sign_cavage(
            "POST",
            "https://omroep.example/inbox",
            {
                "Content-Type": vocab.AS2_MEDIA_TYPE,
                "User-Agent": "bench",
                "Accept-Encoding": "gzip",
            },
            body,
            f"{ACTOR}#main-key",
            key,
            NOW,
        )
        requests.append((headers, body))
    bare_work = []
    for headers, body in requests:
        parsed = parse_signature("POST", "/inbox", headers, body)
        bare_work.append((parsed.signature, parsed.messages[0], body))  # type: ignore[union-attr]
    public = key.public_key()
    pad, sha = padding.PKCS1v15(), hashes.SHA256()
    now = NOW + timedelta(seconds=3)

    def bare(entry) -> None:
        public.verify(entry[0], entry[1], pad, sha)

    def bare_with_digest(entry) -> None:
        hashlib.sha256(entry[2]).digest()
        public.verify(entry[0], entry[1], pad, sha)

    def ours(entry) -> None:
        headers, body = entry
        parsed = parse_signature("POST", "/inbox", headers, body)
        result = verify_parsed(parsed, keys.load_public_pem(pem), now)  # type: ignore[arg-type]
        if not result:
            raise AssertionError(result)

    bare_rate = digest_rate = ours_rate = 0.0
    for _ in range(ROUNDS):
        bare_rate = max(bare_rate, _best_rate(bare, bare_work, 1))
        digest_rate = max(digest_rate, _best_rate(bare_with_digest, bare_work, 1))
        ours_rate = max(ours_rate, _best_rate(ours, requests, 1))
    return {
        "bare_per_s": round(bare_rate),
        "bare_with_body_digest_per_s": round(digest_rate),
        "ours_per_s": round(ours_rate),
        "ratio": round(ours_rate / bare_rate, 3),
        "ratio_vs_bare_with_digest": round(ours_rate / digest_rate, 3),
        "body_bytes": len(requests[0][1]),
        "rounds": ROUNDS,
        "requests": N,
    }


def bench_proof() -> dict:
    key = keys.generate_ed25519()
    public_multibase = multikey.encode_ed25519(key)
    docs = [proofs.create_proof(_create(i), key, f"{ACTOR}#ed25519-key", NOW) for i in range(N)]
    bare_work = []
    for doc in docs:
        options = {k: v for k, v in doc["proof"].items() if k != "proofValue"}
        data = proofs._hash_data(doc, options)
        bare_work.append((multibase.decode(doc["proof"]["proofValue"]), data))
    public = key.public_key()

    def bare(entry) -> None:
        public.verify(entry[0], entry[1])

    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    jcs_work = [(doc, multibase.decode(doc["proof"]["proofValue"])) for doc in docs]

    def bare_jcs(entry) -> None:
        doc, signature = entry
        proof = doc["proof"]
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        body = {k: v for k, v in doc.items() if k != "proof"}
        data = (hashlib.sha256(encode(options).encode()).digest()
                + hashlib.sha256(encode(body).encode()).digest())  # fmt: skip
        public.verify(signature, data)

    def ours(doc) -> None:
        result = proofs.verify_proof(doc, multikey.decode_ed25519(public_multibase))
        if not result:
            raise AssertionError(result)

    bare_rate = jcs_rate = ours_rate = 0.0
    for _ in range(ROUNDS):
        bare_rate = max(bare_rate, _best_rate(bare, bare_work, 1))
        jcs_rate = max(jcs_rate, _best_rate(bare_jcs, jcs_work, 1))
        ours_rate = max(ours_rate, _best_rate(ours, docs, 1))
    return {
        "bare_per_s": round(bare_rate),
        "bare_with_jcs_per_s": round(jcs_rate),
        "ours_per_s": round(ours_rate),
        "ratio": round(ours_rate / jcs_rate, 3),
        "ratio_vs_bare_ed25519": round(ours_rate / bare_rate, 3),
    }


def bench_validate() -> dict:
    bodies = [json.dumps(_create(i)).encode() for i in range(N)]

    def ours(body: bytes) -> None:
        doc = parse_json(body)
        result = validate_activity(doc)  # type: ignore[arg-type]
        if not result:
            raise AssertionError(result)

    bare_rate, ours_rate = _alternate(json.loads, ours, bodies, bodies)
    return {
        "json_loads_per_s": round(bare_rate),
        "ours_per_s": round(ours_rate),
        "body_bytes": len(bodies[0]),
    }


def _row(measure, ours, ceiling, unit, target, bound) -> dict:
    ratio = round(ours / ceiling, 3) if ceiling else None
    met = None if bound is None else (ratio if ceiling else ours) >= bound
    return {"measure": measure, "ours": ours, "ceiling": ceiling, "peer": None, "unit": unit,
            "ratio": ratio, "target": target, "met": met}  # fmt: skip


def rows_of(results: dict) -> list[dict]:
    cav, small, proof = results["cavage"], results["cavage_small_body"], results["proof"]
    val = results["validate"]
    return [
        _row("cavage verify vs bare RSA", cav["ours_per_s"], cav["bare_per_s"], "verify/s",
             "ratio >= 0.80", TARGETS["cavage_ratio"]),
        _row("cavage verify vs bare RSA + Digest", cav["ours_per_s"],
             cav["bare_with_body_digest_per_s"], "verify/s", "(shown)", None),
        _row("cavage verify, small body, vs bare RSA", small["ours_per_s"], small["bare_per_s"],
             "verify/s", "(shown)", None),
        _row("proof verify vs bare Ed25519 + JCS", proof["ours_per_s"],
             proof["bare_with_jcs_per_s"], "verify/s", "ratio >= 0.80", TARGETS["proof_ratio"]),
        _row("proof verify vs bare Ed25519 alone", proof["ours_per_s"], proof["bare_per_s"],
             "verify/s", "(shown)", None),
        _row("parse + validate a Create", val["ours_per_s"], None, "docs/s", ">= 20,000/s",
             TARGETS["validate_per_second"]),
    ]  # fmt: skip


def main() -> dict:
    results = {
        "cavage": bench_cavage(),
        "cavage_small_body": bench_cavage(_follow),
        "proof": bench_proof(),
        "validate": bench_validate(),
    }
    results["targets"] = TARGETS
    results["rows"] = rows_of(results)
    results["met"] = {
        "cavage_ratio": results["cavage"]["ratio"] >= TARGETS["cavage_ratio"],
        "proof_ratio": results["proof"]["ratio"] >= TARGETS["proof_ratio"],
        "validate_per_second": results["validate"]["ours_per_s"] >= TARGETS["validate_per_second"],
    }
    for name in ("cavage", "cavage_small_body", "proof", "validate"):
        print(f"{name:9s} {results[name]}")
    print(f"met       {results['met']}")
    return results


if __name__ == "__main__":
    main()
