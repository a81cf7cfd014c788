"""Plain-text tables for people reading a terminal: fixed width, no colour, no box art.

The CLI prints every result through these two functions, so the layout is the same for
every command and a test can compare the exact text.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["grid", "key_values"]


def key_values(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A titled two-column list: labels on the left, values right-aligned.

    >>> print(key_values("Position", [("owed", "18,000.00"), ("value", "15,000.00")]))
    Position
      owed   18,000.00
      value  15,000.00
    """
    if not rows:
        return title
    label_width = max(len(label) for label, _ in rows)
    value_width = max(len(value) for _, value in rows)
    lines = [title]
    lines.extend(f"  {label:<{label_width}}  {value:>{value_width}}".rstrip() for label, value in rows)
    return "\n".join(lines)


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> str:
    """A table with a header line; the first ``left`` columns are left-aligned, the rest right.

    >>> print(grid(["#", "payment"], [["1", "548.24"], ["2", "548.24"]], left=0))
    #  payment
    -  -------
    1   548.24
    2   548.24
    """
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            f"{cell:<{widths[i]}}" if i < left else f"{cell:>{widths[i]}}" for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(row) for row in rows)
    return "\n".join(out)
