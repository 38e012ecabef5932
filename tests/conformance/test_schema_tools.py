"""Self-tests of the comparison helpers: the cross-checks are only as good as json_diff."""

from schema_check_tools import Allow, Allowed, json_diff


def test_json_diff_reports_every_kind_of_difference():
    expected = {"a": 1, "b": {"c": [1, 2]}, "d": True, "e": "x", "n": None}
    actual = {"a": 1.0, "b": {"c": [1, 3, 4]}, "d": 1, "f": "y", "n": None}
    diffs = json_diff(expected, actual)
    assert "$.e: missing in actual (expected \"x\")" in diffs
    assert "$.f: unexpected in actual (= \"y\")" in diffs
    assert "$.b.c: list length 2 expected, 3 actual" in diffs
    assert "$.b.c[1]: expected 2, actual 3" in diffs
    assert "$.d: expected true, actual 1" in diffs  # a bool is not a number
    assert not any(d.startswith("$.a") for d in diffs)  # 1 == 1.0
    assert not any(d.startswith("$.n") for d in diffs)
    assert json_diff({"x": None}, {}) == ["$.x: missing in actual (expected null)"]


def test_allowed_filters_and_tracks_use():
    allowed = Allowed({"case/*": [Allow("$.x: *", "r1"), Allow("$.never: *", "r2")]})
    left = allowed.filter("case/1", ["$.x: gone", "$.y: gone"])
    assert left == ["$.y: gone"]
    assert allowed.filter("other", ["$.x: gone"]) == ["$.x: gone"]
    assert allowed.unused() == ["case/*: $.never: *  (r2)"]
