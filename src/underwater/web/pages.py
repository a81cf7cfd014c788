"""The pages a person reads: the situation first, plain answers, forms in sections, one path.

**The path.** The home page asks the two things to know first — what it takes to pay the loan
off today and what the asset would fetch — and what the asset is, and answers at once. From
there each step is a job's page (:data:`STEPS`): when you will surface, your ways out, what the
lender would accept, what a repossession would leave, how not to get here again, and a sheet to
take to the lender. Everything typed so far rides along in the URL: a page keeps the inputs that
are not its own as hidden fields and in every link, so nothing is typed twice and any page can
be shared or bookmarked. Pages work without JavaScript.

**A job's page** shows its form in the sections its fields name (:data:`underwater.situation.SECTIONS`),
the few inputs an answer needs first and the rest behind "More details", which open where a
value or an error is. A page works its answer out when its inputs are complete; when it was
reached by a link and something is still missing it asks for it, without scolding; when its
form was sent (``_go``) every problem is named at once, beside its field and in a summary.

Names that start with ``_`` are the page's own (``_view``, ``_go``, ``_page``), never a job's input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from underwater.errors import InputError, NoSolutionError
from underwater.forms import Field, Form, Kind
from underwater.ops import Operation
from underwater.situation import ASSET_CLASS, OWED, SECTIONS, VALUE, SecondLien
from underwater.web.widgets import Widget, widgets

__all__ = [
    "HOME_FORM",
    "JOB_PAGES",
    "STEPS",
    "JobPage",
    "SectionView",
    "Step",
    "carried",
    "job_inputs",
    "section_views",
    "steps",
]


@dataclass(frozen=True, slots=True)
class JobPage:
    """How a job's page presents itself: the question it answers and a sentence saying what it
    works out, in plain words."""

    question: str
    lede: str


JOB_PAGES: dict[str, JobPage] = {
    "equity": JobPage(
        "Where do I stand?",
        "What you owe against what it would fetch: how far under water you are, and what a sale would take.",
    ),
    "loan": JobPage(
        "What are my payments?",
        "The payment, the interest and every payment of the schedule, to the cent; it can also find a "
        "missing rate or term.",
    ),
    "payoff": JobPage(
        "What does it take to pay it off on a date?",
        "A payoff figure from your balance and rate, and the interest each extra day adds.",
    ),
    "lease": JobPage(
        "Where does my lease stand?",
        "What buying your leased vehicle would take against what it would fetch, month by month to the "
        "end, and what handing it back, buying it or ending the lease early would cost.",
    ),
    "statement": JobPage(
        "Does my statement match?",
        "Paste your statement's rows: which way your lender works daily interest, every row checked to "
        "the cent, and your loan carried on the lender's way to its last payment.",
    ),
    "rebate": JobPage(
        "What do I save by paying a precomputed loan early?",
        "The interest refunded when a loan with its interest built in is paid off early, two ways.",
    ),
    "apr": JobPage(
        "What does the loan really cost a year?",
        "The annual percentage rate, worked out the way federal law (Regulation Z) says, and whether a "
        "disclosed one is right.",
    ),
    "value": JobPage(
        "What will it be worth?",
        "How the asset's value is likely to move, month by month, from what it would fetch today.",
    ),
    "project": JobPage(
        "When will I surface?",
        "What you owe against what it is worth, month by month: the month you surface for good, the worst "
        "of it, and what an extra payment would change.",
    ),
    "deficiency": JobPage(
        "What would a repossession leave me owing?",
        "What is still owed after the lender sells the asset, laid out line by line as the law asks a "
        "lender to explain it.",
    ),
    "options": JobPage(
        "What are my ways out?",
        "Every way out of the loan, side by side on the same footing: what each costs now and in all, "
        "what you hold at the end, what it does to your credit, and what the lender gets.",
    ),
}
"""The question and the plain summary of each job's page."""

VIEWS: dict[tuple[str, str], JobPage] = {
    ("options", "lender"): JobPage(
        "What would the lender accept?",
        "What the lender gets from each way out, what it faces if it agrees to nothing, and the offers "
        "that leave you both better off.",
    ),
    ("project", "prevent"): JobPage(
        "How do I never get here again?",
        "For the next purchase: the down payment and the longest term that never leave you under water, "
        "and why today's gap is what it is.",
    ),
}
"""Pages of the path that show a job from another side (``_view``)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the path: its key, the question, the page it opens (the job and view)."""

    key: str
    label: str
    job: str | None
    view: str = ""


STEPS: tuple[Step, ...] = (
    Step("home", "Where you stand", None),
    Step("surface", "When will I surface?", "project"),
    Step("ways_out", "What are my ways out?", "options"),
    Step("lender", "What would the lender accept?", "options", "lender"),
    Step("repossession", "What if it is repossessed?", "deficiency"),
    Step("never_again", "How do I never get here again?", "project", "prevent"),
    Step("sheet", "A sheet to take to the lender", None, "sheet"),
)
"""The path from the home page, in order."""


def _href(step: Step, query: str) -> str:
    path = "/" if step.key == "home" else ("/sheet" if step.view == "sheet" else f"/{step.job}")
    parts = [query] if query else []
    if step.view and step.view != "sheet":
        parts.append(urlencode([("_view", step.view)]))
    return path + ("?" + "&".join(parts) if parts else "")


_FORECLOSED = Step("repossession", "What if it is foreclosed?", "options")
"""A home's step 5: a home is foreclosed, not repossessed; the ways out show the foreclosure."""


def steps(query: str, current: str) -> list[dict[str, Any]]:
    """The path's steps as links carrying ``query`` (what has been typed), ``current`` marked,
    each numbered from 1; a home's fifth step leads to its foreclosure.

    >>> [s["href"] for s in steps("owed=1&asset_class=home", "home")][4]
    '/options?owed=1&asset_class=home#exit-foreclosure'
    """
    home = ("asset_class", "home") in parse_qsl(query)
    shown = [_FORECLOSED if home and s.key == "repossession" else s for s in STEPS]
    return [
        {
            "key": s.key,
            "label": s.label,
            "href": _href(s, query) + ("#exit-foreclosure" if s is _FORECLOSED else ""),
            "current": s.key == current,
            "number": i,
        }
        for i, s in enumerate(shown, start=1)
    ]


def step_of(job: str, view: str) -> str:
    """The key of the step a job's page (and view) is, or ``""`` when it is not on the path."""
    return next((s.key for s in STEPS if s.job == job and s.view == view), "")


def carried(grouped: Mapping[str, Sequence[str]]) -> str:
    """Every input typed so far, as a query string to carry to the next page (the page's own
    names, starting with ``_``, left out; blank values left out).

    Two payoffs typed as ``owed`` (the position page takes several liens) go on as the first
    loan and the second:

    >>> carried({"owed": ["80000"], "value": ["60000"], "_go": ["1"], "offer": [""]})
    'owed=80000&value=60000'
    >>> carried({"owed": ["150000", "30000"], "value": ["170000"]})
    'owed=150000&value=170000&lien2_owed=30000'
    """
    owed = [v for v in grouped.get("owed", []) if v.strip()]
    if len(owed) == 2 and not any(v.strip() for v in grouped.get("lien2_owed", [])):
        grouped = {**grouped, "owed": owed[:1], "lien2_owed": owed[1:]}
    return urlencode([(k, v) for k, vs in grouped.items() if not k.startswith("_") for v in vs if v.strip()])


def job_inputs(
    form: Form, grouped: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The query split into this job's inputs and the others it carries along."""
    names = {f.name for f in form.fields}
    mine = {k: list(v) for k, v in grouped.items() if k in names}
    others = {k: list(v) for k, v in grouped.items() if k not in names and not k.startswith("_")}
    return mine, others


@dataclass(frozen=True, slots=True)
class SectionView:
    """A section of a form as the page draws it: the essentials, then the rest behind
    "More details" (``open`` when a value or an error is in there)."""

    key: str
    title: str
    intro: str
    essentials: tuple[Widget, ...]
    more: tuple[Widget, ...]
    open: bool

    @property
    def folded(self) -> bool:
        """A section with nothing essential is shown folded as a whole."""
        return not self.essentials


def section_views(form: Form, shown: Sequence[Widget], view: str = "") -> list[SectionView]:
    """The widgets grouped by their field's section, in the order of :data:`SECTIONS`, then any
    other sections in the order the fields come (a field without a section goes in "Details")."""
    by_field = {f.name: f for f in form.fields}
    groups: dict[str, list[Widget]] = {}
    for widget in shown:
        key = by_field[widget.name].section or "details"
        groups.setdefault(key, []).append(widget)
    order = [k for k in SECTIONS if k in groups] + [k for k in groups if k not in SECTIONS]
    if view == "prevent" and "purchase" in order:
        order.remove("purchase")
        order.insert(0, "purchase")
    views: list[SectionView] = []
    for key in order:
        items = groups[key]
        section = SECTIONS.get(key)
        essential = tuple(w for w in items if _essential(by_field[w.name], view))
        more = tuple(w for w in items if w not in essential)
        touched = any(w.error or any(v.strip() for v in w.values if w.control != "select") for w in more)
        views.append(
            SectionView(
                key=key,
                title=section.title if section else "Details",
                intro=section.intro if section else "",
                essentials=essential,
                more=more,
                open=touched,
            )
        )
    return views


def _essential(field: Field, view: str) -> bool:
    if view == "prevent" and field.section == "purchase":
        return field.name in ("price", "down_payment", "term_months", "months_elapsed")
    return field.essential or field.required


DEAL = Field(
    "deal",
    Kind.CHOICE,
    "most car loans charge interest by the day (your contract or statement says); for a lease, what the "
    "lessor quotes to buy it today is what it takes to pay it off",
    label="A loan or a lease?",
    choices=("loan", "daily", "lease"),
    choice_labels=("a loan", "a loan that charges interest by the day", "a lease"),
)
LIEN2_OWED = next(f for f in SecondLien.fields() if f.name == "lien2_owed")
HOME_FORM = Form((OWED, LIEN2_OWED, VALUE, ASSET_CLASS, DEAL))
"""The home page's questions: what is owed (and on a second loan, if there is one), what it
would fetch, what it is, and whether it is a loan or a lease."""


def path_query(grouped: Mapping[str, Sequence[str]]) -> str:
    """What the home page carries along the path: a loan charging interest by the day carries
    ``interest_method=daily``; the home page's own ``deal`` stays behind.

    >>> path_query({"owed": ["9000"], "deal": ["daily"]})
    'owed=9000&interest_method=daily'
    """
    deal = (grouped.get("deal") or [""])[0]
    kept = {k: v for k, v in grouped.items() if k != "deal"}
    if deal == "daily":
        kept["interest_method"] = ["daily"]
    return carried(kept)


def lease_steps(grouped: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The path for a lease: where you stand, then where the lease stands, with what it takes
    to buy it today carried as the lessor's payoff quote."""

    def given(*names: str) -> list[tuple[str, str]]:
        return [(k, v) for k in names for v in grouped.get(k, []) if v.strip()]

    lease = [("lessor_payoff", v) for _, v in given("owed")] + given("value", "asset_class")
    return [
        {
            "key": "home",
            "label": "Where you stand",
            "href": "/?" + urlencode(given("owed", "value", "asset_class", "deal")),
            "current": True,
            "number": 1,
        },
        {
            "key": "lease",
            "label": "Where does my lease stand?",
            "href": "/lease?" + urlencode(lease),
            "current": False,
            "number": 2,
        },
    ]


def home_widgets(grouped: Mapping[str, Sequence[str]], errors: Mapping[str, str]) -> list[Widget]:
    """The home page's inputs, filled from the query."""
    return widgets(HOME_FORM, grouped, errors)


def run_job(
    op: Operation, mine: Mapping[str, Sequence[str]], sent: bool
) -> tuple[Any, list[tuple[str, str]], InputError | NoSolutionError | None, tuple[str, ...]]:
    """Work the job out from its inputs: (result, warnings, error, asked). ``asked`` names the
    inputs still needed when the page was reached by a link with inputs missing (the form asks
    for them, no error shown); it is empty otherwise."""
    raw = {k: (v[0] if len(v) == 1 else list(v)) for k, v in mine.items()}
    if not sent and not any(any(x.strip() for x in v) for v in mine.values()):
        return None, [], None, ()
    try:
        result, warnings = op.run_checked(raw)
    except (InputError, NoSolutionError) as exc:
        if not sent and isinstance(exc, InputError) and _only_missing(exc, op.form):
            return None, [], None, tuple(dict.fromkeys(p.field for p in exc.problems if p.field))
        return None, [], exc, ()
    return result, warnings, None, ()


def _only_missing(exc: InputError, form: Form) -> bool:
    """Whether every problem is a required input not given yet (what a path link leaves)."""
    names = {f.name for f in form.fields}
    return all(p.rule.startswith("is required") and p.field in names for p in exc.problems)


def is_money(field: Field) -> bool:
    """Whether the field holds dollars (the page shows a $ before the box)."""
    return field.kind is Kind.MONEY
