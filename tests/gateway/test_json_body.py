"""GraphQL answers are encoded with orjson (gateway/http/json_body.py): the same JSON once parsed,
the standard library's encoding for what orjson refuses, and text frames on the WebSocket."""

from __future__ import annotations

import json

from gateway.http.json_body import encode_answer
from tests.gateway.conftest import Gateway


def test_an_answer_parses_back_to_itself_non_ascii_and_floats_included() -> None:
    answer = {
        "data": {"patient": {"firstName": "Zoë", "city": "Québec / 東京", "percent": 0.2}},
        "errors": [{"message": "x", "path": ["patient", 0, "memberId"], "locations": []}],
    }
    encoded = encode_answer(answer)
    assert isinstance(encoded, bytes)
    assert json.loads(encoded) == answer
    assert "Zoë".encode() in encoded  # UTF-8, not \\u escapes: both are JSON


def test_what_orjson_refuses_is_encoded_by_the_standard_library() -> None:
    answer = {"data": {"big": 2**70, "nested": [{1: "a"}]}}
    assert encode_answer(answer) == json.dumps(answer, separators=(",", ":")).encode()


async def test_an_answer_over_http_is_compact_json_with_its_content_type(gateway: Gateway) -> None:
    response = await gateway.post("{ payers { id name } }")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == encode_answer(response.json())
