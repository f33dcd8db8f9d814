"""users/cache_generations.py: a change starts a new generation, so a cached value is never read after it."""

from django.core.cache import cache

from users import cache_generations


def test_a_bump_makes_the_next_read_build_again(db):
    built = []

    def build():
        built.append(1)
        return len(built)

    assert cache_generations.cached("thing", build, 60) == 1
    assert cache_generations.cached("thing", build, 60) == 1
    cache_generations.bump("thing")
    assert cache_generations.cached("thing", build, 60) == 2
    assert cache_generations.current("thing") == 1


def test_an_invalidation_the_cache_never_saw_still_applies(db, monkeypatch):
    """The generation lives in the database: nothing is deleted from the cache, so nothing can be lost."""
    cache_generations.cached("thing", lambda: "old", 60)
    monkeypatch.setattr(cache, "delete", lambda *a, **k: False)
    cache_generations.bump("thing")
    assert cache_generations.cached("thing", lambda: "new", 60) == "new"
