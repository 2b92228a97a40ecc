"""The challenge loop between province and operator (phản ánh sai lệch → giải trình → kết luận).

A province planner, or a district viewer in its district, challenges a village's coverage status
for one operator (:func:`raise_challenge`): the tool shows it covered and people there have no
service, or the reverse (:class:`geo.vocab.ChallengeClaim`). The challenge carries a reason and
evidence (:class:`Proof`: a measurement summary, a note, a photo checked by its magic bytes).
The operator concerned answers (:func:`answer`: accept, or rebut with its own evidence) by the
deadline the province sets (:func:`set_deadline`; :data:`DEFAULT_ANSWER_DAYS` days when none is
given). The province planner decides (:func:`decide`: upheld or rejected) once the operator has
answered or the deadline has passed. A challenge is independent of the assignment register.

Every step calls :func:`geo.auth.authorize` with the acting account, is dated and attributed
(:func:`geo.auth.recorded_name`, the role in :func:`geo.auth.scope_note`) and appended to the
challenge's history in :mod:`geo.store.challenges`, where triggers refuse any change to a step
or a photo. Reading (:func:`challenges`, :func:`steps`, :func:`get`, :func:`photo`) keeps what
the account may see (:func:`geo.auth.visible`): an operator only its own challenges.

:func:`open_list` gives the open challenges by operator and age (days since raised, overdue past
the deadline); :func:`export_table`, :func:`steps_table`, :func:`to_xlsx` and :func:`to_csv`
write them with the catalog's words (formula-safe through :mod:`geo.cells`). Dates are
Vietnam's (:data:`geo.i18n.VN_TIME`); times are stored in UTC. :func:`decided_statuses` gives
the statuses the province settled (upheld challenges), for the evidence of a village's status.
"""

from __future__ import annotations

from geo.challenges.base import (
    DEFAULT_ANSWER_DAYS,
    MAX_DEADLINE_DAYS,
    MAX_PHOTO_BYTES,
    MAX_TEXT,
    OPEN_STATES,
    ChallengeNotFoundError,
    ChallengeStateError,
    parse_date,
    today,
)
from geo.challenges.evidence import (
    MeasurementSummary,
    Photo,
    Proof,
    check_photo,
    check_photo_size,
    read_photo,
)
from geo.challenges.reading import challenges, decided_statuses, get, open_list, photo, steps
from geo.challenges.steps import answer, decide, raise_challenge, set_deadline, village_row
from geo.challenges.tables import export_table, steps_table, to_csv, to_xlsx
from geo.store.challenges import connect, default_path

__all__ = [
    "DEFAULT_ANSWER_DAYS",
    "MAX_DEADLINE_DAYS",
    "MAX_PHOTO_BYTES",
    "MAX_TEXT",
    "OPEN_STATES",
    "ChallengeNotFoundError",
    "ChallengeStateError",
    "MeasurementSummary",
    "Photo",
    "Proof",
    "answer",
    "challenges",
    "check_photo",
    "check_photo_size",
    "connect",
    "decide",
    "decided_statuses",
    "default_path",
    "export_table",
    "get",
    "open_list",
    "parse_date",
    "photo",
    "raise_challenge",
    "read_photo",
    "set_deadline",
    "steps",
    "steps_table",
    "to_csv",
    "to_xlsx",
    "today",
    "village_row",
]
