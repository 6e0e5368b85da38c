"""Object proofs: FEP-8b32 Data Integrity with the ``eddsa-jcs-2022`` cryptosuite.

Signing: hash(JCS(proof options)) ‖ hash(JCS(document without proof)), signed with
Ed25519, ``proofValue`` = base58btc multibase. The proof carries the document's
``@context`` (as vc-di-eddsa does), so it is re-checked on verify. The verifier gets the
public key from the caller (who resolved ``proof_method(document)``); this module
checks shape, purpose, suite and the signature only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from protocol import jcs, multibase
from protocol.result import Failure

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"


@dataclass(frozen=True, slots=True)
class ProofOk:
    """The document is intact and was signed by ``verification_method`` for ``purpose``."""

    verification_method: str
    purpose: str
    created: datetime | None


def _iso(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(
    document: dict, options: dict, skip: tuple[str, ...] = ("proof",)
) -> bytes | Failure:
    body = {k: v for k, v in document.items() if k not in skip}
    canonical_options = jcs.canonicalize(options)
    if isinstance(canonical_options, Failure):
        return canonical_options
    canonical_body = jcs.canonicalize(body)
    if isinstance(canonical_body, Failure):
        return canonical_body
    return hashlib.sha256(canonical_options).digest() + hashlib.sha256(canonical_body).digest()


def create_proof(
    document: dict,
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    purpose: str = "assertionMethod",
) -> dict:
    """A new dict: ``document`` plus an ``eddsa-jcs-2022`` proof (the input is not changed)."""
    options: dict = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
        "created": _iso(created),
    }
    if "@context" in document:
        options["@context"] = document["@context"]
    data = _hash_data(document, options)
    if isinstance(data, Failure):
        raise ValueError(str(data))
    proof = dict(options, proofValue=multibase.encode(private_key.sign(data)))
    return {**{k: v for k, v in document.items() if k != "proof"}, "proof": proof}


def _the_proof(document: dict) -> dict | Failure:
    if not isinstance(document, dict):
        return Failure("proof.malformed", "document is not an object")
    proof = document.get("proof")
    if isinstance(proof, list):
        ours = [p for p in proof if isinstance(p, dict) and p.get("cryptosuite") == CRYPTOSUITE]
        if len(ours) != 1:
            return Failure("proof.malformed", "expected exactly one eddsa-jcs-2022 proof")
        proof = ours[0]
    if proof is None:
        return Failure("proof.missing", "document carries no proof")
    if not isinstance(proof, dict):
        return Failure("proof.malformed", "proof is not an object")
    if proof.get("type") != PROOF_TYPE:
        return Failure("proof.type", f"unsupported proof type {proof.get('type')!r}")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return Failure("proof.cryptosuite", f"unsupported cryptosuite {proof.get('cryptosuite')!r}")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method.startswith(("https://", "http://", "did:")):
        return Failure("proof.verification_method", "verificationMethod must be a URL")
    if not isinstance(proof.get("proofValue"), str):
        return Failure("proof.malformed", "proofValue must be a string")
    if not isinstance(proof.get("proofPurpose"), str):
        return Failure("proof.purpose", "proofPurpose must be a string")
    return proof


def proof_method(document: dict) -> str | Failure:
    """The verificationMethod to resolve (after shape checks), so the caller can fetch it."""
    proof = _the_proof(document)
    return proof if isinstance(proof, Failure) else proof["verificationMethod"]


def check_method_owner(verification_method: str, actor: str) -> Failure | None:
    """The proof key must sit on the actor's host (and the caller checks assertionMethod)."""
    from protocol.validate import host_of

    if not host_of(verification_method) or host_of(verification_method) != host_of(actor):
        return Failure("proof.verification_method", "proof key is not on the actor's host")
    return None


def _created(proof: dict) -> datetime | Failure | None:
    value = proof.get("created")
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return Failure("proof.malformed", "created is not an ISO 8601 date-time")


def _has_ld_signature(document: dict) -> bool:
    sig = document.get("signature")
    return isinstance(sig, dict) and isinstance(sig.get("signatureValue"), str)


def verify_proof(
    document: dict, public_key: ed25519.Ed25519PublicKey, expected_purpose: str = "assertionMethod"
) -> ProofOk | Failure:
    """Check an ``eddsa-jcs-2022`` proof over ``document`` with the given key."""
    proof = _the_proof(document)
    if isinstance(proof, Failure):
        return proof
    if isinstance(public_key, Failure):
        return public_key
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        return Failure("proof.key_type", "eddsa-jcs-2022 needs an Ed25519 key")
    if proof["proofPurpose"] != expected_purpose:
        return Failure(
            "proof.purpose",
            f"proof is for {proof['proofPurpose']!r}, expected {expected_purpose!r}",
        )
    if "@context" in proof:
        doc_context = document.get("@context")
        ours = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
        theirs = doc_context if isinstance(doc_context, list) else [doc_context]
        if theirs[: len(ours)] != ours:
            return Failure("proof.context", "proof @context does not match the document")
    created = _created(proof)
    if isinstance(created, Failure):
        return created
    signature = multibase.decode(proof["proofValue"])
    if isinstance(signature, Failure):
        return Failure("proof.malformed", f"proofValue: {signature.detail}")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    data = _hash_data(document, options)
    if isinstance(data, Failure):
        return data
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        if not _has_ld_signature(document):
            return Failure("proof.invalid", "proof does not verify: content or key differs")
        # Fedify adds an LD signature (RsaSignature2017) *after* the proof, so its proof
        # covers the document without ``signature``. That field has no meaning of its own.
        data = _hash_data(document, options, skip=("proof", "signature"))
        if isinstance(data, Failure):
            return data
        try:
            public_key.verify(signature, data)
        except InvalidSignature:
            return Failure("proof.invalid", "proof does not verify: content or key differs")
    return ProofOk(proof["verificationMethod"], proof["proofPurpose"], created)
