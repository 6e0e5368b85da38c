"""The OpenAPI document is public, valid 3.1, and real responses match it."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema.validators import Draft202012Validator


async def spec(http, node):
    async with http.get(node.url("/api/v1/openapi.json")) as r:
        assert r.status == 200
        return await r.json()


def validator_for(document: dict, ref: dict) -> Draft202012Validator:
    schema = {**ref, "components": document["components"]}
    return Draft202012Validator(schema)


def response_schema(document, path, method, status, content_type="application/json"):
    op = document["paths"][path][method]
    return op["responses"][str(status)]["content"][content_type]["schema"]


async def test_document_is_public_and_well_formed(node, http):
    document = await spec(http, node)
    assert document["openapi"].startswith("3.1")
    Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    for path, ops in document["paths"].items():
        assert path.startswith("/api/v1/")
        for method, op in ops.items():
            if method != "parameters":
                assert op["responses"], f"{method} {path} documents no responses"


@pytest.mark.parametrize("case", ["list", "create", "read", "problem"])
async def test_real_responses_match_the_schema(node, http, case):
    document = await spec(http, node)
    async with http.post(
        node.url("/api/v1/items"),
        headers=node.auth("write"),
        json={"kind": "photo", "title": "Zon", "tags": ["weer"]},
    ) as r:
        created = await r.json()
    if case == "create":
        body, schema = created, response_schema(document, "/api/v1/items", "post", 201)
    elif case == "list":
        async with http.get(node.url("/api/v1/items"), headers=node.auth("read")) as r:
            body = await r.json()
        schema = response_schema(document, "/api/v1/items", "get", 200)
    elif case == "read":
        async with http.get(
            node.url(f"/api/v1/items/{created['id']}"), headers=node.auth("read")
        ) as r:
            body = await r.json()
        schema = response_schema(document, "/api/v1/items/{id}", "get", 200)
    else:
        async with http.get(node.url("/api/v1/items/nope"), headers=node.auth("read")) as r:
            body = await r.json()
        schema = response_schema(
            document, "/api/v1/items/{id}", "get", 404, "application/problem+json"
        )
    validator_for(document, schema).validate(body)
    with pytest.raises(jsonschema.ValidationError):
        validator_for(document, schema).validate({"unexpected": True})
