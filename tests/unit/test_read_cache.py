"""The read cache gives a result back only at the version it was read at, and keeps at most its size."""

from hypothesis import given
from hypothesis import strategies as st

from invoice_crm.services.read_cache import MISSING, VersionedCache


def test_a_result_is_given_back_only_at_the_version_it_was_read_at():
    cache = VersionedCache(4)
    cache.put("page 1", 7, "rows read at 7")
    assert cache.get("page 1", 7) == "rows read at 7"  # nothing committed since
    assert cache.get("page 1", 8) is MISSING  # a commit since: read again
    cache.put("page 1", 8, "rows read at 8")
    assert cache.get("page 1", 7) is MISSING and cache.get("page 1", 8) == "rows read at 8"
    assert cache.get("page 2", 8) is MISSING


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 2)), max_size=60))
def test_it_holds_at_most_its_size_and_drops_the_least_recently_used(steps):
    cache, used = VersionedCache(3), []
    for key, version in steps:
        if cache.get(key, version) is MISSING:
            cache.put(key, version, (key, version))
        used = [k for k in used if k != key] + [key]
        assert cache.get(key, version) == (key, version)
    for key in used[-3:]:  # the three last used are kept, at their last version
        assert any(cache.get(key, version) is not MISSING for version in range(3))
    for key in used[:-3]:  # older ones are gone
        assert all(cache.get(key, version) is MISSING for version in range(3))


def test_get_or_read_reads_once_per_version_and_always_without_one():
    cache, reads = VersionedCache(4), []

    def read():
        reads.append(1)
        return len(reads)

    assert cache.get_or_read("cash", 7, read) == 1
    assert cache.get_or_read("cash", 7, read) == 1 and len(reads) == 1  # nothing committed since
    assert cache.get_or_read("cash", 8, read) == 2  # a commit since: read again
    assert cache.get_or_read("cash", None, read) == 3 and cache.get_or_read("cash", None, read) == 4
    assert cache.get("cash", 8) == 2  # a read without a version keeps nothing
