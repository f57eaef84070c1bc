from tests.cache.fixtures import cache_namespace, cache_url, redis_url

__all__ = ["cache_namespace", "cache_url", "redis_url"]
