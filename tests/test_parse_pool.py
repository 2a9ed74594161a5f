"""Parsing distinct values in worker processes gives exactly what the plain loop gives."""

from __future__ import annotations

import pytest

from linkage.normalise.apply import _id_parts, _name_row, _place_row
from linkage.normalise.dates import parse_date
from linkage.normalise.parallel import ParsePool

NAMES = ["NGUYỄN VĂN AN", "Nguyen Thi Hoa", "NguyÔn V¨n An", "H' Hen Niê", "Tôn Nữ Thị Hà", "", "  ", "Lê"] * 7
PLACES = [("Xã Tân Lập, Huyện Đan Phượng, Hà Nội", None), ("P. 2, Q. 10, TP HCM", "post"), ("Hà Sơn Bình", "pre")] * 9
DATES = ["01/02/1990", "1990", "31/02/1990", "29221", "15-8-75", "abc"] * 8
IDS = [("001090012345", "M", 1990), ("12345678", None, None), ("O0109OO12345", "F", None)] * 9


@pytest.mark.parametrize(("fn", "items"), [(_name_row, NAMES), (_place_row, PLACES), (parse_date, DATES),
                                           (_id_parts, IDS)], ids=["names", "places", "dates", "ids"])
def test_worker_processes_give_the_plain_loop_result_in_order(fn, items):
    serial = [fn(x) for x in items]
    with ParsePool(workers=2, min_items=1) as pool:
        assert pool.map(fn, items) == serial
        assert pool._executor is not None  # the work really went to the workers


def test_short_lists_and_one_worker_stay_in_process():
    with ParsePool(workers=2, min_items=1000) as pool:
        assert pool.map(parse_date, DATES) == [parse_date(d) for d in DATES]
        assert pool._executor is None
    with ParsePool(workers=1, min_items=1) as pool:
        pool.map(parse_date, DATES)
        assert pool._executor is None


def test_workers_from_the_environment(monkeypatch):
    from linkage.normalise.parallel import default_workers

    monkeypatch.setenv("LINKAGE_PARSE_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.delenv("LINKAGE_PARSE_WORKERS")
    assert default_workers() >= 1
