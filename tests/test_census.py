"""The 2019 census joined to the commune polygons by names (the table has no GSO codes)."""

from __future__ import annotations

import pytest

from geo import census, units

pytestmark = pytest.mark.realdata


@pytest.mark.parametrize(("code", "total"), [("11", 598_856), ("12", 460_196)])
def test_every_commune_of_dienbien_and_laichau_gets_its_census_count(real_data, code, total):
    communes = units.read_communes([code])
    pop = census.census_population(communes)
    assert pop.notna().all()
    assert int(pop.sum()) == total


def test_a_township_and_a_commune_with_the_same_name_are_told_apart_by_type(real_data):
    communes = units.read_communes(["12"])
    pop = census.census_population(communes).set_axis(communes["commune"])
    assert pop["Thị trấn Mường Tè"] != pop["Xã Mường Tè"]


def test_a_commune_that_moved_district_after_2019_still_joins(real_data):
    communes = units.read_communes(["11"])
    pop = census.census_population(communes).set_axis(communes["commune"])
    assert pop["Xã Mường Phăng"] == 4914  # under Huyện Điện Biên in 2019, TP Điện Biên Phủ in 2025
