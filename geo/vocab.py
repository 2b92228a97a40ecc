"""The project's vocabulary as enums: one value for one thing across modules, columns and files.

Each enum is a :class:`enum.StrEnum`, so its members compare equal to the strings stored in
frames, SQLite and exports (``UnitSystem.PRE2025 == "pre2025"``) while code passes members, not
loose strings, across module boundaries. Labels for the screen come from :mod:`geo.i18n`'s
catalogue, keyed ``"<enum>.<value>"``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ChallengeAnswer",
    "ChallengeClaim",
    "ChallengeDecision",
    "ChallengeState",
    "ChallengeStep",
    "DataOrigin",
    "Evidence",
    "GapClass",
    "ImportMode",
    "LayerKind",
    "Operator",
    "Status",
    "Technology",
    "UnitSystem",
]


class UnitSystem(StrEnum):
    """Administrative units before 01/07/2025 (province > district > commune) or from then on
    (province > commune; no district)."""

    PRE2025 = "pre2025"
    U2025 = "2025"


class Technology(StrEnum):
    """Radio access technology of a site record; 3G/4G/5G are mobile broadband."""

    G2 = "2G"
    G3 = "3G"
    G4 = "4G"
    G5 = "5G"

    @property
    def broadband(self) -> bool:
        """Whether the technology counts as mobile broadband (băng rộng di động)."""
        return self is not Technology.G2


class Operator(StrEnum):
    """The mobile operators, spelt as in code and exports (Vinaphone is VNPT's brand)."""

    VIETTEL = "Viettel"
    VNPT = "VNPT"
    MOBIFONE = "MobiFone"
    VIETNAMOBILE = "Vietnamobile"
    GMOBILE = "Gmobile"


class GapClass(StrEnum):
    """A village's modelled mobile-broadband class: every operator, some, or none."""

    ALL = "all"
    PARTIAL = "partial"
    NONE = "none"


class LayerKind(StrEnum):
    """What a planner's import holds."""

    SITES = "sites"
    VILLAGES = "villages"
    FIBRE = "fibre"
    UNSERVED = "unserved"
    COVERAGE = "coverage"


class ImportMode(StrEnum):
    """How a committed import combines with the earlier imports of the same kind and province.

    ``ADD`` keeps every earlier row (a row with the same key is replaced by the new one);
    ``REPLACE_OPERATOR`` first drops the earlier rows of the operators the new file holds (the
    default for sites, fibre and declared coverage: an operator's new list replaces its old
    one, other operators' lists stay); ``REPLACE_ALL`` drops every earlier row of the kind.
    """

    ADD = "add"
    REPLACE_OPERATOR = "replace-operator"
    REPLACE_ALL = "replace-all"


class Status(StrEnum):
    """An assignment's status, in the order it moves through them (glossary: Đã phân công →
    Đang xây dựng → Đã phát sóng → Đã nghiệm thu, or Hủy); the values of
    ``geo.store.assignments.STATUSES``."""

    ASSIGNED = "assigned"
    UNDER_CONSTRUCTION = "under_construction"
    ON_AIR = "on_air"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class Evidence(StrEnum):
    """Where a village's coverage status for an operator comes from, strongest first.

    The status shown and counted is the strongest available: measured (drive-test or crowd
    measurements), declared (the operator's imported coverage polygons), terrain (the terrain
    model on the province's DEM), radius (a fixed radius around each site).
    """

    MEASURED = "measured"
    DECLARED = "declared"
    TERRAIN = "terrain"
    RADIUS = "radius"

    @property
    def rank(self) -> int:
        """0 for the strongest (measured) to 3 for the weakest (radius)."""
        return list(type(self)).index(self)


class ChallengeClaim(StrEnum):
    """What a challenge says a village's coverage status by one operator really is (glossary:
    phản ánh sai lệch): the model says covered and it is not, or the reverse."""

    NOT_COVERED = "not_covered"
    COVERED = "covered"


class ChallengeState(StrEnum):
    """Where a challenge stands: waiting for the operator's answer, answered (accepted or
    rebutted) and waiting for the province's decision, or decided (closed)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REBUTTED = "rebutted"
    DECIDED = "decided"


class ChallengeAnswer(StrEnum):
    """The operator's answer to a challenge (giải trình): it accepts it, or rebuts it with its
    own evidence."""

    ACCEPT = "accept"
    REBUT = "rebut"


class ChallengeDecision(StrEnum):
    """The province's decision (kết luận): the challenge is upheld (the claimed status stands)
    or rejected (the status shown stays)."""

    UPHELD = "upheld"
    REJECTED = "rejected"


class ChallengeStep(StrEnum):
    """A dated, attributed step of a challenge's history, in the order they happen."""

    RAISE = "raise"
    DEADLINE = "deadline"
    ANSWER = "answer"
    DECIDE = "decide"


class DataOrigin(StrEnum):
    """Where a province's sites come from: the planner's committed imports, the labelled
    SYNTHETIC demo layer (mô phỏng), or nothing yet (chưa có dữ liệu)."""

    PLANNER = "planner"
    SYNTHETIC = "synthetic"
    NONE = "none"
