"""A second process loads the numba kernels from the cache instead of compiling them."""

import json

from benchmarks import cold_start


def test_second_process_compiles_nothing(capsys):
    status = cold_start.main(["--json"])
    rows = json.loads(capsys.readouterr().out)
    first = rows["fresh process, empty cache"]
    second = rows["fresh process, cache from the one above"]
    assert first["compiled"] > 0  # the empty cache folder was really used
    assert second["compiled"] == 0
    assert second["from_cache"] > 0
    assert status == 0
