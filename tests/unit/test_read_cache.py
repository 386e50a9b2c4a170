"""The read cache serves a result only at the version it was read at, and keeps at most its size."""

from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.services.read_cache import MISSING, VersionedCache


def test_a_result_is_served_only_at_the_version_it_was_read_at():
    cache = VersionedCache(4)
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    assert cache.read("page 1", read, version=7) == 1
    assert cache.read("page 1", read, version=7) == 1  # nothing committed: kept
    assert cache.read("page 1", read, version=8) == 2  # a commit since: read again
    assert cache.get("page 1", 7) is MISSING
    assert cache.read("page 1", read, version=None) == 3  # a database that cannot say: always read
    assert cache.read("page 1", read, version=None) == 4


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 2)), max_size=60))
def test_it_holds_at_most_its_size_and_drops_the_least_recently_used(steps):
    cache, used = VersionedCache(3), []
    for key, version in steps:
        cache.read(key, lambda k=key, v=version: (k, v), version=version)
        used = [k for k in used if k != key] + [key]
        assert len(cache._entries) <= 3
        assert cache.get(key, version) == (key, version)
    for key in used[:-3]:  # older than the three last used
        assert all(cache.get(key, version) is MISSING for version in range(3))
