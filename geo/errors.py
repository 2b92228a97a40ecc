"""The project's exceptions.

Each exception subclasses both :class:`CoverageError` and a builtin (as rasterio does), so
callers can catch ``ValueError`` or ``FileNotFoundError`` as they would anyway. Each carries
where the problem is (``file``, ``sheet``, ``row``, ``field``) and a message in Vietnamese and
English; :meth:`CoverageError.message` picks the language.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem in one place of an input file."""

    message_vi: str
    message_en: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    value: str | None = None

    def where(self, lang: str = "vi") -> str:
        labels = {
            "vi": ("tệp", "trang tính", "dòng", "cột"),
            "en": ("file", "sheet", "row", "field"),
        }[lang]
        parts = [
            f"{label} {value}"
            for label, value in zip(
                labels, (self.file, self.sheet, self.row, self.field), strict=True
            )
            if value not in (None, "")
        ]
        return ", ".join(parts)

    def message(self, lang: str = "vi") -> str:
        text = self.message_vi if lang == "vi" else self.message_en
        where = self.where(lang)
        return f"{where}: {text}" if where else text


class CoverageError(Exception):
    """Base of the project's errors.

    Parameters
    ----------
    message_en, message_vi
        The message in English and Vietnamese.
    file, sheet, row, field
        Where the problem is, when it comes from an input file.
    problems
        Every problem found, when one file has several (all rows are reported at once).
    """

    def __init__(
        self,
        message_en: str,
        message_vi: str | None = None,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        field: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.message_en = message_en
        self.message_vi = message_vi or message_en
        self.file = file
        self.sheet = sheet
        self.row = row
        self.field = field
        self.problems: list[Problem] = list(problems or [])
        super().__init__(self.message("en"))

    def message(self, lang: str = "vi") -> str:
        """The full message in ``lang`` ("vi" or "en"), with where it happened."""
        head = Problem(
            self.message_vi, self.message_en, self.file, self.sheet, self.row, self.field
        )
        lines = [head.message(lang)]
        lines += [f"  - {p.message(lang)}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message("en")


class DatasetMissingError(CoverageError, FileNotFoundError):
    """An external data file is not in the data folder."""


class DatasetChecksumError(CoverageError, ValueError):
    """An external data file is not the one the registry lists (altered or another version)."""


class InputError(CoverageError, ValueError):
    """A planner's file or argument is wrong; carries file, sheet, row and field."""


class UnitNotFoundError(CoverageError, LookupError):
    """A province, district or commune name or code matches no unit."""


class AmbiguousUnitError(UnitNotFoundError):
    """A name matches several units equally well."""


@dataclass
class ProblemList:
    """Collects problems so that a whole file is checked before raising."""

    file: str | None = None
    sheet: str | None = None
    items: list[Problem] = field(default_factory=list)

    def add(self, message_en: str, message_vi: str, *, row=None, field=None, value=None) -> None:
        self.items.append(
            Problem(
                message_vi,
                message_en,
                self.file,
                self.sheet,
                row,
                field,
                None if value is None else str(value),
            )
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(
        self, what_en: str = "The file has errors", what_vi: str = "Tệp có lỗi"
    ) -> None:
        if self.items:
            n = len(self.items)
            raise InputError(
                f"{what_en} ({n} problem{'s' if n > 1 else ''})",
                f"{what_vi} ({n} lỗi)",
                file=self.file,
                sheet=self.sheet,
                problems=self.items,
            )
