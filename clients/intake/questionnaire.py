"""The shape of a health questionnaire and the rules that turn answers into flags.

A questionnaire is data in code (see ``versions``): each question has a stable code (the
key of the stored answers), plain-language text for the client, and optionally the flag a
"yes" raises. Validation and flag computation live here so the form, the service and the
tests all apply the same rules.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

YES = "yes"
NO = "no"
WARN = "warn"
BLOCK = "block"

DETAIL_MAX_LENGTH = 1000
TEXT_MAX_LENGTH = 2000
EARLIEST_PLAUSIBLE_YEAR = 1900

ANSWER_REQUIRED = "Answer yes or no."
DATE_IN_FUTURE = "That date is in the future."
DATE_INVALID = "Enter a real date, for example 14/03/2025."
DATE_TOO_OLD = "Check the year of that date."


class Kind(StrEnum):
    YES_NO = "yes_no"
    YES_NO_DATE = "yes_no_date"
    TEXT = "text"


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, kept on the last day of a shorter month (31 Aug + 6 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    """How long after the answered date a time-window flag keeps applying."""

    days: int = 0
    months: int = 0

    def end(self, start: date) -> date:
        return add_months(start, self.months) + timedelta(days=self.days)

    def describe(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        if self.days:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " and ".join(parts)


@dataclass(frozen=True)
class FlagRule:
    # The clinical name shown to practitioners and managers only.
    label: str
    severity: str
    requires_document: bool = False
    # Only for YES_NO_DATE questions: no flag once the window after the date has passed.
    window: Window | None = None

    @property
    def blocks_sessions(self) -> bool:
        return self.severity == BLOCK


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    kind: Kind = Kind.YES_NO
    group: str = ""
    hint: str = ""
    detail_prompt: str = "If yes, tell us more (optional)"
    date_prompt: str = ""
    # How the date reads in the flag detail practitioners see ("Last chemotherapy: 3 May").
    date_label: str = "Date"
    date_required_message: str = ""
    flag: FlagRule | None = None

    @property
    def is_yes_no(self) -> bool:
        return self.kind in (Kind.YES_NO, Kind.YES_NO_DATE)


@dataclass(frozen=True)
class FlagSpec:
    """A flag to store, computed from one submission's answers."""

    code: str
    severity: str
    blocks_sessions: bool
    requires_document: bool
    label: str
    detail: str
    active_until: date | None
    order: int


@dataclass(frozen=True)
class AnswerRow:
    number: int
    code: str
    text: str
    kind: str
    answer: str | None
    detail: str = ""
    day: date | None = None
    text_value: str = ""


def detail_field(code: str) -> str:
    return f"{code}__detail"


def date_field(code: str) -> str:
    return f"{code}__date"


def _as_answer(raw: Any) -> str | None:
    if raw is True or raw == YES:
        return YES
    if raw is False or raw == NO:
        return NO
    return None


def _as_date(raw: Any) -> date | None | str:
    """A date, None when absent, or the error message when it is not a date."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return DATE_INVALID


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: str
    questions: tuple[Question, ...]
    _by_code: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = [q.code for q in self.questions]
        if len(codes) != len(set(codes)):
            raise ValueError(f"Questionnaire {self.version} repeats a question code.")
        for question in self.questions:
            if question.kind == Kind.YES_NO_DATE and not question.date_required_message:
                raise ValueError(f"{question.code} needs the message for a missing date.")
            if question.flag and question.flag.window and question.kind != Kind.YES_NO_DATE:
                raise ValueError(f"{question.code}: only a dated question can have a window.")
        object.__setattr__(self, "_by_code", {q.code: q for q in self.questions})

    def question(self, code: str) -> Question | None:
        return self._by_code.get(code)

    def numbered(self) -> list[tuple[int, Question]]:
        return list(enumerate(self.questions, start=1))

    def groups(self) -> list[tuple[str, list[tuple[int, Question]]]]:
        grouped: list[tuple[str, list[tuple[int, Question]]]] = []
        for number, question in self.numbered():
            if not grouped or grouped[-1][0] != question.group:
                grouped.append((question.group, []))
            grouped[-1][1].append((number, question))
        return grouped

    def validate(
        self, answers: Mapping[str, Mapping[str, Any]], *, today: date
    ) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
        """The answers as stored (JSON-ready), and the errors keyed by form field name."""
        cleaned: dict[str, dict[str, str]] = {}
        errors: dict[str, list[str]] = {}
        unknown = sorted(set(answers) - set(self._by_code))
        if unknown:
            errors["__all__"] = [
                f"These answers are not questions of version {self.version}: {', '.join(unknown)}."
            ]
        for question in self.questions:
            given = answers.get(question.code) or {}
            if question.kind == Kind.TEXT:
                text = str(given.get("text") or "").strip()
                if len(text) > TEXT_MAX_LENGTH:
                    errors[question.code] = [f"Keep this under {TEXT_MAX_LENGTH} characters."]
                cleaned[question.code] = {"text": text}
                continue
            answer = _as_answer(given.get("answer"))
            if answer is None:
                errors[question.code] = [ANSWER_REQUIRED]
                continue
            entry = {"answer": answer}
            detail = str(given.get("detail") or "").strip()
            if len(detail) > DETAIL_MAX_LENGTH:
                errors[detail_field(question.code)] = [
                    f"Keep this under {DETAIL_MAX_LENGTH} characters."
                ]
            if detail:
                entry["detail"] = detail
            if question.kind == Kind.YES_NO_DATE and answer == YES:
                day = _as_date(given.get("date"))
                message = None
                if day is None:
                    message = question.date_required_message
                elif isinstance(day, str):
                    message = day
                elif day > today:
                    message = DATE_IN_FUTURE
                elif day.year < EARLIEST_PLAUSIBLE_YEAR:
                    message = DATE_TOO_OLD
                else:
                    entry["date"] = day.isoformat()
                if message:
                    errors[date_field(question.code)] = [message]
            cleaned[question.code] = entry
        return cleaned, errors

    def flags(self, answers: Mapping[str, Mapping[str, str]], *, today: date) -> list[FlagSpec]:
        """The flags that validated answers raise on ``today``."""
        specs = []
        for number, question in self.numbered():
            rule = question.flag
            entry = answers.get(question.code) or {}
            if rule is None or entry.get("answer") != YES:
                continue
            active_until = None
            parts = []
            if question.kind == Kind.YES_NO_DATE:
                day = date.fromisoformat(entry["date"])
                parts.append(f"{question.date_label}: {day:%-d %B %Y}")
                if rule.window is not None:
                    active_until = rule.window.end(day)
                    if active_until < today:
                        continue
            if entry.get("detail"):
                parts.append(entry["detail"])
            specs.append(
                FlagSpec(
                    code=question.code,
                    severity=rule.severity,
                    blocks_sessions=rule.blocks_sessions,
                    requires_document=rule.requires_document,
                    label=rule.label,
                    detail=". ".join(parts),
                    active_until=active_until,
                    order=number,
                )
            )
        return specs

    def answer_rows(self, answers: Mapping[str, Mapping[str, str]]) -> list[AnswerRow]:
        """Every question of this version with the stored answer, in question order."""
        rows = []
        for number, question in self.numbered():
            entry = answers.get(question.code) or {}
            stored_date = entry.get("date")
            rows.append(
                AnswerRow(
                    number=number,
                    code=question.code,
                    text=question.text,
                    kind=question.kind,
                    answer=entry.get("answer"),
                    detail=entry.get("detail", ""),
                    day=date.fromisoformat(stored_date) if stored_date else None,
                    text_value=entry.get("text", ""),
                )
            )
        return rows
