import pytest

from tests.cache.fixtures import cache_namespace, cache_url, redis_url

__all__ = ["cache_namespace", "cache_url", "http_engine", "redis_url"]


@pytest.fixture(params=["aiohttp", "httpx"], autouse=True)
def http_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every resilience test runs on both payer HTTP engines (gateway/payer_client.py)."""
    monkeypatch.setenv("PAYER_GATEWAY_HTTP_ENGINE", request.param)
    return str(request.param)
