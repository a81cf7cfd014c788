"""A whole loan book at once: the portfolio engine (needs the ``portfolio`` extra: polars, numpy, numba).

- :mod:`~underwater.portfolio.schema`: the input columns and row validation (rejects with reasons;
  integer and decimal columns checked in one compiled pass, :mod:`~underwater.portfolio.typed`);
- :mod:`~underwater.portfolio.kernel`: the vectorised kernel, exact to the cent, around
  :mod:`~underwater.portfolio.paths` (the compiled month loop; :mod:`~underwater.portfolio.compiled`
  says how it is compiled), :mod:`~underwater.portfolio.surrender` (each loan's ratios,
  deficiency and expected loss, compiled) and :mod:`~underwater.portfolio.tables` (lookup tables);
- :mod:`~underwater.portfolio.exact`: the per-loan reference built on the Decimal library;
- :mod:`~underwater.portfolio.engine`: chunked streaming in overlapping stages
  (:mod:`~underwater.portfolio.prefetch`), atomic writes (:mod:`~underwater.portfolio.io`), the
  summary (:mod:`~underwater.portfolio.summary`), progress;
- :mod:`~underwater.portfolio.frames`: the same run on a DataFrame in memory, for a notebook
  (:func:`run_frame`, re-exported here);
- :mod:`~underwater.portfolio.scenarios`: what a run works out beside the base case, one typed
  value (:class:`Scenarios`, re-exported here): shocks, stress paths, horizon, default curve;
- :mod:`~underwater.portfolio.rollforward`: the book month by month;
  :mod:`~underwater.portfolio.stress`: named stress paths (:class:`StressPath`,
  :func:`preset_paths`, :func:`parse_path_csv`, re-exported here);
  :mod:`~underwater.portfolio.regab`: books in SEC Regulation AB II field names;
  :mod:`~underwater.portfolio.defaults`: the lender's default probabilities by CLTV bucket;
- :mod:`~underwater.portfolio.synth`: seeded synthetic books;
- :mod:`~underwater.portfolio.cluster`: the same kernel on a Dask cluster (``distributed`` extra);
- :mod:`~underwater.portfolio.cli`: the ``underwater portfolio`` command, which first sets up
  numpy's and polars' allocators for a batch run (:mod:`~underwater.portfolio.allocators`).

Importing this package loads nothing heavy; the modules import polars and numpy (the names
re-exported here load theirs when first used). Only the compiled loops import numba (half a
second): :mod:`~underwater.portfolio.paths` and :mod:`~underwater.portfolio.surrender`, and the loops of the loan ids' table
(:mod:`~underwater.portfolio.idtable`), the typed checks (:mod:`~underwater.portfolio.typedloop`),
the summary (:mod:`~underwater.portfolio.tally`) and the CSV reader
(:mod:`~underwater.portfolio.csvscan`), each imported where first run, so a run
starts reading its book while numba loads on a thread.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BookRun", "Scenarios", "StressPath", "parse_path_csv", "preset_paths", "run_frame"]

_HOMES = {
    "BookRun": "frames",
    "run_frame": "frames",
    "Scenarios": "scenarios",
    "StressPath": "stress",
    "parse_path_csv": "stress",
    "preset_paths": "stress",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"underwater.portfolio.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'underwater.portfolio' has no attribute {name!r}")
