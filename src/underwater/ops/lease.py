"""The ``lease`` job: a closed-end lease's terms as Regulation M discloses them, its "equity"
today and month by month (what the vehicle would fetch less what buying it would take), and
what each way to the end costs: keep it and hand it back, keep it and buy it, buy it now and
sell it, end it now; and, with a loan's rate, leasing against buying over the same term."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from underwater.deficiency import default_auction_share_percent
from underwater.errors import InputError
from underwater.forms import Field, Form, Kind
from underwater.lease import LeaseTerms
from underwater.lease_contract import Lease, LeaseVersusBuy, lease_versus_buy
from underwater.limits import MAX_MONTHS
from underwater.money import ZERO, format_money, format_money_human, round_cents
from underwater.ops import Operation
from underwater.projection import Projection, project_contract
from underwater.situation import RATE, Asset, LeaseDeal
from underwater.textfmt import grid, key_values

_NEEDED = ("lease_payment", "lease_residual", "lease_term_months", "payments_made")

FORM = Form(
    (
        *(
            dataclasses.replace(
                f, required=f.required or f.name in _NEEDED, essential=f.essential or f.name in _NEEDED
            )
            for f in LeaseDeal.fields()
        ),
        *(dataclasses.replace(f, required=f.name == "value") for f in Asset.fields()),
        dataclasses.replace(
            RATE,
            name="loan_rate_percent",
            label="A loan's rate, percent a year",
            help="the yearly rate a loan to buy it would have cost, in percent, to weigh leasing against buying",
            section="lease_vs_buy",
            essential=False,
        ),
        Field(
            "loan_term_months",
            Kind.INT,
            "the term of that loan in months (default: 60)",
            label="That loan's term, months",
            minimum=1,
            maximum=MAX_MONTHS,
            section="lease_vs_buy",
        ),
        Field(
            "start_date",
            Kind.DATE,
            "today's date, YYYY-MM-DD, to put a date on each month",
            label="Today's date",
            section="lease_vs_buy",
        ),
    ),
    fill_defaults=False,
)


@dataclass(frozen=True, slots=True)
class Way:
    """One way to the end of the lease from today (dollars): the cash it takes now, everything
    it pays from today, what is held when the lease would have ended, and the months the vehicle
    stays yours to use."""

    name: str
    title: str
    cash_now: Decimal
    paid: Decimal
    held_at_end: Decimal
    months_of_use: int

    @property
    def net(self) -> Decimal:
        """Held at the lease's end less everything paid from today."""
        return self.held_at_end - self.paid

    def to_json(self) -> dict[str, Any]:
        """Keys: ``name``, ``title``, ``cash_now``, ``paid``, ``held_at_end``, ``net``,
        ``months_of_use``."""
        return {
            "name": self.name,
            "title": self.title,
            "cash_now": format_money(self.cash_now),
            "paid": format_money(self.paid),
            "held_at_end": format_money(self.held_at_end),
            "net": format_money(self.net),
            "months_of_use": self.months_of_use,
        }


@dataclass(frozen=True, slots=True)
class LeaseReport:
    """A lease today: its terms, the buyout and equity, the projection of equity to the end,
    the ways to the end and, with a loan's rate, leasing against buying."""

    terms: LeaseTerms
    lease: Lease
    value: Decimal
    projection: Projection
    early_termination: Decimal
    lessor_sale: Decimal
    excess_miles: Decimal
    ways: tuple[Way, ...]
    versus_buy: LeaseVersusBuy | None

    def to_json(self) -> dict[str, Any]:
        """Keys: ``terms`` (:meth:`underwater.lease.LeaseTerms.to_json`), ``payments_made``,
        ``payments_left``, ``buyout_today``, ``buyout_quoted``, ``value_today``,
        ``equity_today``, ``early_termination_now``, ``lessor_sale`` (what the lessor's sale is taken
        to credit when it ends early: a wholesale auction's share of the value), ``excess_miles``, ``crossover_month`` (the
        month from which the vehicle is worth at least its buyout for good; null when not before
        the end), ``months`` (each month's ``month``, ``date``, ``buyout``, ``value``,
        ``equity``), ``ways`` (each way to the end) and ``lease_versus_buy`` (null without a
        loan's rate)."""
        first = self.projection.rows[0]
        return {
            "terms": self.terms.to_json(),
            "payments_made": self.lease.payments_made,
            "payments_left": self.lease.term_months,
            "buyout_today": format_money(first.balance),
            "buyout_quoted": self.lease.quoted is not None,
            "value_today": format_money(self.value),
            "equity_today": format_money(first.equity),
            "early_termination_now": format_money(self.early_termination),
            "lessor_sale": format_money(self.lessor_sale),
            "excess_miles": format_money(self.excess_miles),
            "crossover_month": self.projection.crossover_month,
            "months": [
                {
                    "month": r.month,
                    "date": None if r.date is None else r.date.isoformat(),
                    "buyout": format_money(r.balance),
                    "value": format_money(r.value),
                    "equity": format_money(r.equity),
                }
                for r in self.projection.rows
            ],
            "ways": [w.to_json() for w in self.ways],
            "lease_versus_buy": None if self.versus_buy is None else self.versus_buy.to_json(),
        }


def compute(values: dict[str, Any]) -> LeaseReport:
    """The report from parsed inputs."""
    deal = LeaseDeal.from_inputs(values)
    asset = Asset.from_inputs(values)
    terms = deal.terms()
    assert deal.payments_made is not None
    lease = Lease(terms, deal.payments_made, deal.lessor_payoff)
    left = lease.term_months
    path = asset.value_path()
    start: date | None = values["start_date"]
    projection = project_contract(lease, path, left, start_date=start)
    value_end = projection.rows[-1].value
    excess = ZERO
    if deal.miles_allowed_per_year is not None and asset.annual_miles is not None:
        excess = max((asset.annual_miles - deal.miles_allowed_per_year) * terms.term_months / 12, ZERO)
        excess = excess.quantize(Decimal(1))
    buyout = projection.rows[0].balance
    # The lessor credits what its own sale brings: a wholesale auction, as for a repossession.
    sale = round_cents(asset.value * default_auction_share_percent() / 100)
    early = terms.early_termination_charge(deal.payments_made, sale, quoted=deal.lessor_payoff)
    turn_in = lease.turn_in_cost(excess, deal.excess_mile_charge)
    buy_end = lease.buy_at_end_cost()
    sell_now = buyout - asset.value
    ways = (
        Way("turn_in_at_end", "Keep it to the end and hand it back", ZERO, turn_in, ZERO, left),
        Way("buy_at_end", "Keep it to the end and buy it", ZERO, buy_end, value_end, left),
        Way("buy_now_and_sell", "Buy it out now and sell it", max(sell_now, ZERO), sell_now, ZERO, 0),
        Way("end_early_now", "End the lease now and hand it back", early, early, ZERO, 0),
    )
    versus = None
    if values["loan_rate_percent"] is not None:
        if deal.gross_cap_cost is None:
            raise InputError(
                "loan_rate_percent", "needs the lease's `gross_cap_cost`, the price a loan would pay"
            )
        months_end = projection.rows[-1].value
        versus = lease_versus_buy(
            terms, values["loan_rate_percent"], values["loan_term_months"] or 60, months_end
        )
    return LeaseReport(terms, lease, asset.value, projection, early, sale, excess, ways, versus)


def render(report: LeaseReport) -> str:
    """The lease's terms, today's position, the ways to the end and leasing against buying."""
    t, p = report.terms, report.projection
    first = p.rows[0]
    crossover = "not before the end" if p.crossover_month is None else f"month {p.crossover_month}"
    text = key_values(
        "Lease",
        [
            ("adjusted capitalized cost", format_money_human(t.adjusted_cap_cost)),
            ("residual", format_money_human(t.residual)),
            ("depreciation", format_money_human(t.depreciation)),
            ("rent charge over the term", format_money_human(t.rent_charge)),
            (
                "base payment / with tax",
                f"{format_money_human(t.base_payment)} / {format_money_human(t.monthly_payment)}",
            ),
            (
                "rate implicit (money factor)",
                f"{t.implicit_rate_percent.quantize(Decimal('0.0001'))} % ({t.money_factor})",
            ),
            ("payments made / left", f"{report.lease.payments_made} / {report.lease.term_months}"),
        ],
    )
    text += "\n\n" + key_values(
        "Today",
        [
            (
                "buyout" + (" (the lessor's quote)" if report.lease.quoted is not None else ""),
                format_money_human(first.balance),
            ),
            ("value", format_money_human(report.value)),
            ("equity", format_money_human(first.equity)),
            ("ending it now and handing it back", format_money_human(report.early_termination)),
            ("  crediting the lessor's sale at", format_money_human(report.lessor_sale)),
            ("worth its buyout for good", crossover),
        ],
    )
    rows = [
        [
            w.title,
            format_money_human(w.cash_now),
            format_money_human(w.paid),
            format_money_human(w.held_at_end),
            format_money_human(w.net),
            str(w.months_of_use),
        ]
        for w in report.ways
    ]
    text += "\n\nWays to the end of the lease (from today; net = held at the end less paid)\n"
    text += grid(["way", "cash now", "paid", "held at end", "net", "months with it"], rows, left=1)
    v = report.versus_buy
    if v is not None:
        text += "\n\n" + key_values(
            f"Leasing against buying, over the {v.months} months from signing",
            [
                (
                    "leasing: paid, net",
                    f"{format_money_human(v.lease_paid)}, {format_money_human(v.lease_net)}",
                ),
                ("buying: loan payment", format_money_human(v.loan_payment)),
                (
                    "buying: paid, still owed",
                    f"{format_money_human(v.buy_paid)}, {format_money_human(v.buy_owed_at_end)}",
                ),
                ("buying: vehicle worth at the end", format_money_human(v.value_at_end)),
                ("buying: net", format_money_human(v.buy_net)),
            ],
        )
    return text


def months_csv(report: LeaseReport) -> list[list[str]]:
    """Each month: the buyout, the value and the equity."""
    head = ["month", "date", "buyout", "value", "equity"]
    return [head] + [
        [
            str(r.month),
            "" if r.date is None else r.date.isoformat(),
            format_money(r.balance),
            format_money(r.value),
            format_money(r.equity),
        ]
        for r in report.projection.rows
    ]


OPERATION = Operation(
    name="lease",
    summary="A lease: its terms as disclosed, its equity today and to the end, and what each way to the end costs.",
    examples=(
        "underwater lease --gross-cap-cost 22300 --cap-cost-reduction 3500 --lease-residual 12350 "
        "--lease-term-months 48 --lease-payment 244.69 --payments-made 24 --value 15200 --disposition-fee 400",
        "underwater lease --lease-payment 362 --lease-residual 8000 --lease-term-months 48 --money-factor 0.004 "
        "--payments-made 12 --value 14000 --lessor-payoff 15800 --json",
    ),
    form=FORM,
    compute=compute,
    render=render,
    csv=months_csv,
)
