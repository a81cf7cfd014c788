"""A default probability for each CLTV bucket: the lender's own figures, for a book whose rows
give none.

Expected loss is a default probability × the estimated deficiency. A row's own
``default_probability`` comes first; for a row without one, a :class:`DefaultCurve` given with
the run supplies the probability of the loan's CLTV bucket (owed with other liens ÷ value, the
buckets of the summary: ``le_80``, ``80_100``, ``100_120``, ``120_140``, ``gt_140``,
``no_value``) in the month its deficiency is estimated: today for the base case and a shock,
the trough month for a stress path, so a deeper path moves loans into costlier buckets. A
bucket the curve leaves out gives no expected loss: no probability is ever assumed, and none
ships with the tool (the research found no cited figures by bucket; a lender's own, or a rating
agency's it licenses, go here).

Written ``le_80=0.005,80_100=0.01,100_120=0.02,120_140=0.035,gt_140=0.05`` on the command line;
each probability is a decimal 0 to 1 with at most 6 decimal places, as in the book.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from underwater.errors import InputError, escaped
from underwater.money import parse_decimal
from underwater.portfolio.rollforward import BUCKETS

__all__ = ["CLTV_BUCKETS", "DefaultCurve", "parse_default_curve"]

CLTV_BUCKETS: tuple[str, ...] = BUCKETS[:-1]
"""The buckets a curve may give, in code order (those of the summary's ``cltv_buckets``)."""
_FIELD = "default_by_ltv"
_UNITS = 1_000_000  # probabilities are held in millionths, as the book's


@dataclass(frozen=True, slots=True)
class DefaultCurve:
    """Default probabilities by CLTV bucket: ``probabilities[bucket]`` (a :class:`Decimal`
    0 to 1), for the buckets given."""

    probabilities: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        # A notebook may build one by hand: held to parse_default_curve's rules, once, here, and
        # kept as exact Decimals (the kernel takes whole millionths of them).
        given: object = self.probabilities
        if not isinstance(given, Mapping) or not given:
            raise InputError(_FIELD, "must give at least one bucket's probability", got=given)
        held: dict[str, Decimal] = {}
        for name, probability in given.items():
            _check_bucket(name, given)
            held[name] = _probability(probability, name)
        object.__setattr__(self, "probabilities", held)

    def millionths(self) -> np.ndarray:
        """Per bucket of :data:`CLTV_BUCKETS`, the probability in millionths (−1: not given),
        as the kernel takes it.

        >>> parse_default_curve("le_80=0.01,gt_140=0.05").millionths().tolist()
        [10000, -1, -1, -1, 50000, -1]
        """
        return np.array(
            [int(self.probabilities[b] * _UNITS) if b in self.probabilities else -1 for b in CLTV_BUCKETS],
            dtype=np.int64,
        )

    def text(self) -> str:
        """The curve written as :func:`parse_default_curve` reads it, in bucket order.

        >>> parse_default_curve("gt_140 = 0.050, le_80=0.01").text()
        'le_80=0.01,gt_140=0.05'
        """
        return ",".join(f"{bucket}={probability}" for bucket, probability in self.to_json().items())

    def to_json(self) -> dict[str, str]:
        """The curve as given, bucket by bucket, in bucket order (probabilities as text)."""
        return {
            b: format(self.probabilities[b].normalize(), "f") for b in CLTV_BUCKETS if b in self.probabilities
        }


def _check_bucket(name: object, given: object) -> None:
    if name not in CLTV_BUCKETS:
        # The name is the user's text: repeated with its control characters escaped.
        raise InputError(
            _FIELD, f"{escaped(str(name))} is not a bucket: use " + ", ".join(CLTV_BUCKETS), got=given
        )


def _probability(text: object, bucket: str) -> Decimal:
    rule = f"the probability for {bucket} must be a decimal from 0 to 1 such as 0.02, at most 6 places"
    try:
        number = parse_decimal(text, _FIELD, minimum=Decimal(0), maximum=Decimal(1))
    except InputError:
        raise InputError(_FIELD, rule, got=text) from None
    if number != number.quantize(Decimal("0.000001")):
        raise InputError(_FIELD, rule, got=text)
    return number


def parse_default_curve(given: str | Mapping[str, object] | DefaultCurve) -> DefaultCurve:
    """A :class:`DefaultCurve` from ``bucket=probability`` pairs separated by commas, or from a
    mapping of bucket to probability (text, ``Decimal`` or ``int``; not ``float``). Each bucket
    at most once; at least one.

    >>> parse_default_curve("le_80=0.01, 100_120 = 0.02").to_json()
    {'le_80': '0.01', '100_120': '0.02'}
    >>> parse_default_curve("le_90=0.01")
    Traceback (most recent call last):
    ...
    underwater.errors.InputError: default_by_ltv: le_90 is not a bucket: use le_80, 80_100, \
100_120, 120_140, gt_140, no_value (got 'le_90=0.01')
    """
    if isinstance(given, DefaultCurve):
        return given
    pairs: list[tuple[str, object]]
    if isinstance(given, str):
        pairs = []
        for part in given.split(","):
            bucket, equals, probability = part.partition("=")
            if not equals or not bucket.strip():
                raise InputError(
                    _FIELD, "must be bucket=probability pairs such as le_80=0.01,80_100=0.02", got=given
                )
            pairs.append((bucket.strip(), probability.strip()))
    elif isinstance(given, Mapping):
        pairs = [(str(bucket), probability) for bucket, probability in given.items()]
    else:
        raise InputError(_FIELD, "must be bucket=probability pairs or a mapping of them", got=given)
    if not pairs:
        raise InputError(_FIELD, "must give at least one bucket's probability", got=given)
    found: dict[str, object] = {}
    for name, text in pairs:
        _check_bucket(name, given)
        if name in found:
            raise InputError(_FIELD, f"gives {name} twice", got=given)
        found[name] = text
    return DefaultCurve(found)  # type: ignore[arg-type]  # its probabilities are read there
