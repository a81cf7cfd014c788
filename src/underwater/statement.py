"""Fit my lender: which conventions reproduce a real statement, row by row and to the cent.

A statement's first row is where it starts: its date and the principal balance after it. Each
later row is a payment the lender credited: the interest since the row before, what the payment
went to, the balance after. Every set of :class:`~underwater.simple_interest.Conventions` —
the day count (4), the per diem's places and rounding (2, 3 or 4 places × 3 roundings, or
exact), the rounding of the period's interest (3) and the order a payment is applied in (6) — is
tried on every row, each row from the statement's own balance before it (so one wrong row does
not spoil the rows after it; a wrong balance shows on its own row and on the next, which starts
from it) with the interest a short payment left unpaid carried as the convention leaves it, and **a convention fits when every figure of every row comes out
to the cent**. A payoff letter (a payoff on a date after the last row, and the per diem it
prints) is one more check.

When several conventions fit, the rows cannot tell them apart; :attr:`Fit.undetermined` names
what they leave open (e.g. the rounding, when no half cent ever came up). When none fits, the
closest (the fewest rows off, then the fewest cents off) is reported with every row's
differences, so a person can see which rows disagree and by how much: a fit is never forced.

The fitted loan is then reproduced and projected (:meth:`Fit.loan`): from the last row, at the
statement's rate and payment, the lender's way, to the payment that clears it.

Money is dollars (``Decimal``); rates are percent per year.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from underwater.dates import DayCount, add_months
from underwater.errors import InputError
from underwater.limits import MAX_MONTHS
from underwater.money import ZERO, format_money
from underwater.simple_interest import (
    ORDERS,
    ROUNDINGS,
    Conventions,
    SimpleInterestLoan,
    apply_payment,
    per_diem,
    round_fraction,
)
from underwater.statement_rows import StatementRow

__all__ = ["CANDIDATES", "Fit", "LetterCheck", "PayoffLetter", "RowCheck", "fit_statement"]

_PLACES: tuple[int | None, ...] = (2, 3, 4, None)


def _candidates() -> tuple[Conventions, ...]:
    """Every convention, the likeliest first (actual/365, a per diem to the cent, half up, fees
    then interest then principal), so the first that fits is the one to report."""
    found: list[Conventions] = []
    for count, places, rounding, order in itertools.product(DayCount, _PLACES, ROUNDINGS, ORDERS):
        per_diem_roundings = ROUNDINGS if places is not None else ("half_up",)
        found.extend(Conventions(count, places, p, rounding, order) for p in per_diem_roundings)
    return tuple(found)


CANDIDATES = _candidates()
"""Every convention a fit tries, in the order it prefers them."""


@dataclass(frozen=True, slots=True)
class PayoffLetter:
    """A payoff letter: the ``payoff`` (dollars) good on ``on``, and the ``per_diem`` it prints
    for each day after; either figure may be left out."""

    on: date
    payoff: Decimal | None = None
    per_diem: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One row under a convention (dollars): what the convention gives for its interest, the
    principal part and the balance, and how far the statement is from it (the statement less
    the convention; None where the statement does not say)."""

    line: int
    on: date
    days: int
    interest: Decimal
    principal: Decimal
    fees: Decimal
    balance: Decimal
    interest_off: Decimal | None
    principal_off: Decimal | None
    fees_off: Decimal | None
    balance_off: Decimal

    @property
    def fits(self) -> bool:
        """Whether every figure the statement gives comes out to the cent."""
        return all(off in (None, ZERO) for off in self._offs)

    @property
    def cents_off(self) -> int:
        """The cents by which the row is off, added over its figures."""
        return int(sum((abs(off) for off in self._offs if off is not None), ZERO) * 100)

    @property
    def _offs(self) -> tuple[Decimal | None, ...]:
        return (self.interest_off, self.principal_off, self.fees_off, self.balance_off)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``line``, ``date``, ``days``, ``interest``, ``principal``, ``fees``, ``balance``
        (the convention's), ``interest_off``, ``principal_off``, ``fees_off``, ``balance_off``
        (the statement less the convention; null where it does not say), ``fits``."""

        def off(value: Decimal | None) -> str | None:
            return None if value is None else format_money(value)

        return {
            "line": self.line,
            "date": self.on.isoformat(),
            "days": self.days,
            "interest": format_money(self.interest),
            "principal": format_money(self.principal),
            "fees": format_money(self.fees),
            "balance": format_money(self.balance),
            "interest_off": off(self.interest_off),
            "principal_off": off(self.principal_off),
            "fees_off": off(self.fees_off),
            "balance_off": format_money(self.balance_off),
            "fits": self.fits,
        }


@dataclass(frozen=True, slots=True)
class LetterCheck:
    """A payoff letter under a convention (dollars): the payoff and per diem it gives, and the
    letter less each (None where the letter does not say)."""

    on: date
    payoff: Decimal
    per_diem: Decimal
    payoff_off: Decimal | None
    per_diem_off: Decimal | None

    @property
    def fits(self) -> bool:
        """Whether the letter's figures come out to the cent (the per diem to its places)."""
        return self.payoff_off in (None, ZERO) and self.per_diem_off in (None, ZERO)

    @property
    def cents_off(self) -> int:
        """The cents by which the letter is off."""
        offs = [abs(o) for o in (self.payoff_off, self.per_diem_off) if o is not None]
        return int(sum(offs, ZERO) * 100)

    def to_json(self) -> dict[str, Any]:
        """Keys: ``date``, ``payoff``, ``per_diem`` (the convention's), ``payoff_off``,
        ``per_diem_off`` (the letter less the convention; null where it does not say), ``fits``."""
        return {
            "date": self.on.isoformat(),
            "payoff": format_money(self.payoff),
            "per_diem": str(self.per_diem),
            "payoff_off": None if self.payoff_off is None else format_money(self.payoff_off),
            "per_diem_off": None if self.per_diem_off is None else str(self.per_diem_off),
            "fits": self.fits,
        }


@dataclass(frozen=True, slots=True)
class _Trial:
    conventions: Conventions
    checks: tuple[RowCheck, ...]
    letter: LetterCheck | None
    unpaid_interest: Decimal

    @property
    def fits(self) -> bool:
        return all(c.fits for c in self.checks) and (self.letter is None or self.letter.fits)


def _off(stated: Decimal | None, worked: Decimal) -> Decimal | None:
    return None if stated is None else stated - worked


_AccrualKey = tuple[DayCount, int | None, str, str]


def _accrual_key(c: Conventions) -> _AccrualKey:
    return (c.day_count, c.per_diem_places, c.per_diem_rounding, c.rounding)


def _interest_table(
    spans: Sequence[tuple[Decimal, date, date]], rate: Decimal
) -> dict[_AccrualKey, tuple[Decimal, ...]]:
    """The interest (dollars) of each span (a principal from one date to another) under every
    way of working it, each exact fraction worked once per day count and each per diem rounded
    once per way of rounding it (the same figures :func:`accrue` gives)."""
    table: dict[_AccrualKey, list[Decimal]] = {}
    for count in DayCount:
        for principal, start, end in spans:
            base = Fraction(principal) * Fraction(rate) / 100
            pieces = count.pieces(start, end)
            exact = sum((base * days / year for days, year in pieces), Fraction(0))
            for rounding in ROUNDINGS:
                table.setdefault((count, None, "half_up", rounding), []).append(
                    round_fraction(exact, rounding)
                )
            for places in (2, 3, 4):
                for daily_rounding in ROUNDINGS:
                    total = sum(
                        (
                            Fraction(round_fraction(base / year, daily_rounding, places)) * days
                            for days, year in pieces
                        ),
                        Fraction(0),
                    )
                    for rounding in ROUNDINGS:
                        table.setdefault((count, places, daily_rounding, rounding), []).append(
                            round_fraction(total, rounding)
                        )
    return {key: tuple(values) for key, values in table.items()}


def _per_diem_off(printed: Decimal, daily: Decimal) -> Decimal:
    """The letter's per diem less the convention's, read to the places the letter prints: a
    letter may print to the cent a per diem the lender keeps to 4 places, cut or rounded."""
    places = -int(printed.as_tuple().exponent)
    kept = -int(daily.as_tuple().exponent)
    if places >= kept:
        return printed - daily
    shown = [round_fraction(Fraction(daily), how, places) for how in ("half_up", "down")]
    return min((printed - s for s in shown), key=abs)


def _score(
    rows: Sequence[StatementRow],
    order: tuple[str, ...],
    interests: tuple[Decimal, ...],
    letter: PayoffLetter | None,
    letter_per_diem: Decimal | None,
) -> tuple[int, Decimal]:
    """The rows (and letter) a convention gets wrong and the dollars it is off by, added up: the
    arithmetic of :func:`_try` without building its checks, for the hundreds of conventions a
    fit tries."""
    rows_off, off_by, unpaid = 0, ZERO, ZERO
    for i in range(1, len(rows)):
        before, row = rows[i - 1], rows[i]
        owed_interest = unpaid + interests[i - 1]
        owed = {"fees": row.fees or ZERO, "interest": owed_interest, "principal": before.balance}
        rest, taken = row.paid, {}
        for part in order:
            take = owed[part] if owed[part] < rest else rest
            taken[part] = take
            rest -= take
        to_principal = taken["principal"] + rest
        off = abs(row.balance - before.balance + to_principal)
        unpaid = owed_interest - taken["interest"]
        if row.interest is not None:
            off += abs(row.interest - taken["interest"])
        if row.principal is not None:
            off += abs(row.principal - to_principal)
        if row.fees is not None:
            off += abs(row.fees - taken["fees"])
        if off:
            rows_off += 1
            off_by += off
    if letter is not None:
        off = ZERO
        if letter.payoff is not None:
            off += abs(letter.payoff - (rows[-1].balance + unpaid + interests[-1]))
        if letter.per_diem is not None and letter_per_diem is not None:
            off += abs(_per_diem_off(letter.per_diem, letter_per_diem))
        if off:
            rows_off += 1
            off_by += off
    return rows_off, off_by


def _try(
    rows: Sequence[StatementRow],
    c: Conventions,
    interests: tuple[Decimal, ...],
    rate: Decimal,
    letter: PayoffLetter | None,
) -> _Trial:
    checks: list[RowCheck] = []
    unpaid = ZERO
    for (before, row), interest in zip(itertools.pairwise(rows), interests, strict=False):
        owed_interest = unpaid + interest
        fees = row.fees or ZERO
        to_fees, to_interest, to_principal = apply_payment(
            row.paid, fees, owed_interest, before.balance, c.order
        )
        unpaid = owed_interest - to_interest
        balance = before.balance - to_principal
        checks.append(
            RowCheck(
                row.line,
                row.on,
                c.day_count.days(before.on, row.on),
                to_interest,
                to_principal,
                to_fees,
                balance,
                _off(row.interest, to_interest),
                _off(row.principal, to_principal),
                _off(row.fees, to_fees),
                row.balance - balance,
            )
        )
    letter_check = None
    if letter is not None:
        last = rows[-1]
        payoff = last.balance + unpaid + interests[-1]
        daily = per_diem(last.balance, rate, letter.on, c)
        per_diem_off = None if letter.per_diem is None else _per_diem_off(letter.per_diem, daily)
        letter_check = LetterCheck(letter.on, payoff, daily, _off(letter.payoff, payoff), per_diem_off)
    return _Trial(c, tuple(checks), letter_check, unpaid)


_ASPECTS: dict[str, Callable[[Conventions], str]] = {
    "day count": lambda c: c.day_count.value,
    "per diem places": lambda c: "exact" if c.per_diem_places is None else str(c.per_diem_places),
    "per diem rounding": lambda c: c.per_diem_rounding,
    "rounding": lambda c: c.rounding,
    "order": lambda c: "-".join(c.order),
}


@dataclass(frozen=True, slots=True)
class Fit:
    """What a statement says about its lender (the module docstring): the ``rows``, the
    ``rate_percent``, every convention that ``matches`` them all, the ``best`` one (the first
    match, or the closest) with each row's ``checks`` under it, and the payoff ``letter`` check."""

    rows: tuple[StatementRow, ...]
    rate_percent: Decimal
    matches: tuple[Conventions, ...]
    best: Conventions
    checks: tuple[RowCheck, ...]
    letter: LetterCheck | None
    unpaid_interest: Decimal

    @property
    def fits(self) -> bool:
        """Whether some convention reproduces every row (and the letter) to the cent."""
        return bool(self.matches)

    @property
    def disagreeing(self) -> tuple[RowCheck, ...]:
        """The rows the best convention does not reproduce."""
        return tuple(c for c in self.checks if not c.fits)

    @property
    def undetermined(self) -> dict[str, tuple[str, ...]]:
        """What the matching conventions leave open: each aspect they differ in, with the
        values that fit (empty when one convention fits, or none)."""
        open_: dict[str, tuple[str, ...]] = {}
        for aspect, read in _ASPECTS.items():
            values = tuple(dict.fromkeys(read(c) for c in self.matches))
            if len(values) > 1:
                open_[aspect] = values
        return open_

    @property
    def regular_payment(self) -> Decimal:
        """The payment the statement shows most often (dollars); the latest one on a tie."""
        paid = [r.paid for r in self.rows[1:]] or [self.rows[0].paid]
        counts = Counter(paid)
        top = max(counts.values())
        return next(p for p in reversed(paid) if counts[p] == top)

    def loan(
        self,
        *,
        payment: Decimal | None = None,
        remaining_payments: int | None = None,
        next_due: date | None = None,
    ) -> SimpleInterestLoan:
        """The loan from the statement's last row, the lender's way (:attr:`best`): at
        ``payment`` (default :attr:`regular_payment`) a month from ``next_due`` (default a month
        after the last row), for ``remaining_payments`` (default: until it is paid, at most 600)."""
        last = self.rows[-1]
        return SimpleInterestLoan(
            last.balance,
            self.rate_percent,
            MAX_MONTHS if remaining_payments is None else remaining_payments,
            last.on,
            first_due=next_due or add_months(last.on, 1),
            payment=payment or self.regular_payment,
            conventions=self.best,
            unpaid_interest=self.unpaid_interest,
        )

    def to_json(self) -> dict[str, Any]:
        """Keys: ``fits``, ``rate_percent``, ``conventions`` (the best one's keys), ``words``
        (it in a sentence), ``matches`` (how many conventions fit), ``undetermined`` (aspect →
        the values that fit), ``rows`` (each row's check), ``disagreeing_lines``, ``letter``
        (null without a letter), ``unpaid_interest``, ``regular_payment``, ``last_date`` and
        ``last_balance`` (the statement's last row)."""
        return {
            "fits": self.fits,
            "rate_percent": str(self.rate_percent),
            "conventions": self.best.to_json(),
            "words": self.best.words,
            "matches": len(self.matches),
            "undetermined": {k: list(v) for k, v in self.undetermined.items()},
            "rows": [c.to_json() for c in self.checks],
            "disagreeing_lines": [c.line for c in self.disagreeing],
            "letter": None if self.letter is None else self.letter.to_json(),
            "unpaid_interest": format_money(self.unpaid_interest),
            "regular_payment": format_money(self.regular_payment),
            "last_date": self.rows[-1].on.isoformat(),
            "last_balance": format_money(self.rows[-1].balance),
        }


def fit_statement(
    rows: Sequence[StatementRow], rate_percent: Decimal, *, letter: PayoffLetter | None = None
) -> Fit:
    """Which conventions reproduce ``rows`` (at least two, or one with a payoff ``letter``) at
    ``rate_percent`` (percent per year): the module docstring.

    Ford Credit's example (a per diem cut to 3 decimals) is told apart from the others:

    >>> from underwater.statement_rows import read_rows
    >>> rows = read_rows("2025-01-01,0,10000.00\\n2025-01-31,300.00,98.61,201.39,9798.61")
    >>> fit = fit_statement(rows, Decimal(12))
    >>> fit.fits, fit.best.per_diem_places, fit.best.per_diem_rounding
    (True, 3, 'down')
    """
    if len(rows) < 2 and letter is None:
        raise InputError(
            "rows", "needs at least two rows (where the statement starts, then a payment), or a payoff letter"
        )
    if not rows:
        raise InputError("rows", "needs the row the payoff letter follows: its date and balance")
    if letter is not None and letter.on < rows[-1].on:
        raise InputError(
            "payoff_date", f"must not be before the last row's date {rows[-1].on.isoformat()}", got=letter.on
        )
    spans = [(before.balance, before.on, row.on) for before, row in itertools.pairwise(rows)]
    if letter is not None:
        spans.append((rows[-1].balance, rows[-1].on, letter.on))
    table = _interest_table(spans, rate_percent)
    # With no fees on any row, where fees come in the order changes nothing: one score per
    # place of interest against principal serves every order that keeps it.
    has_fees = any(r.fees for r in rows)
    done: dict[tuple[_AccrualKey, tuple[str, ...]], tuple[int, Decimal]] = {}
    daily: dict[_AccrualKey, Decimal] = {}
    scores: list[tuple[int, Decimal]] = []
    for c in CANDIDATES:
        key = _accrual_key(c)
        effective = c.order if has_fees else tuple(p for p in c.order if p != "fees")
        score = done.get((key, effective))
        if score is None:
            letter_per_diem = None
            if letter is not None and letter.per_diem is not None:
                if key not in daily:
                    daily[key] = per_diem(rows[-1].balance, rate_percent, letter.on, c)
                letter_per_diem = daily[key]
            score = done[(key, effective)] = _score(rows, c.order, table[key], letter, letter_per_diem)
        scores.append(score)
    matches = tuple(c for c, score in zip(CANDIDATES, scores, strict=True) if score[0] == 0)
    chosen = matches[0] if matches else min(zip(CANDIDATES, scores, strict=True), key=lambda cs: cs[1])[0]
    best = _try(rows, chosen, table[_accrual_key(chosen)], rate_percent, letter)
    assert best.fits == bool(matches)
    return Fit(tuple(rows), rate_percent, matches, chosen, best.checks, best.letter, best.unpaid_interest)
