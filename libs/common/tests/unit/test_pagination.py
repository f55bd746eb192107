import pytest

from eldercare.common.errors import InvalidInput
from eldercare.common.ids import uuid7
from eldercare.common.pagination import decode_cursor, encode_cursor


def test_a_cursor_round_trips_an_id() -> None:
    ident = uuid7()
    assert decode_cursor(encode_cursor(ident)) == ident


@pytest.mark.parametrize("cursor", ["!!", "abc", "A" * 40])
def test_a_forged_cursor_is_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(cursor)


def test_uuid7_ids_sort_by_creation() -> None:
    ids = [uuid7() for _ in range(5000)]  # many share a millisecond
    assert sorted(ids, key=lambda u: u.int) == ids
    assert len(set(ids)) == len(ids)
    assert ids[0].version == 7 and ids[0].variant == "specified in RFC 4122"
