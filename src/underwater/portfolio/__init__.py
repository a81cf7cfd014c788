"""A whole loan book at once: the portfolio engine (needs the ``portfolio`` extra: polars, numpy, numba).

- :mod:`~underwater.portfolio.schema`: the input columns and row validation (rejects with reasons);
- :mod:`~underwater.portfolio.kernel`: the vectorised kernel, exact to the cent, around
  :mod:`~underwater.portfolio.paths` (the compiled month loop; :mod:`~underwater.portfolio.compiled`
  says how it is compiled) and :mod:`~underwater.portfolio.tables` (lookup tables);
- :mod:`~underwater.portfolio.exact`: the per-loan reference built on the Decimal library;
- :mod:`~underwater.portfolio.engine`: chunked streaming in overlapping stages
  (:mod:`~underwater.portfolio.prefetch`), atomic writes (:mod:`~underwater.portfolio.io`), the
  summary (:mod:`~underwater.portfolio.summary`), progress;
- :mod:`~underwater.portfolio.synth`: seeded synthetic books;
- :mod:`~underwater.portfolio.cluster`: the same kernel on a Dask cluster (``distributed`` extra);
- :mod:`~underwater.portfolio.cli`: the ``underwater portfolio`` command.

Importing this package loads nothing heavy; the modules import polars and numpy.
"""
