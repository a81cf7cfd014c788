"""A whole loan book at once: the portfolio engine (needs the ``portfolio`` extra: polars, numpy).

- :mod:`~underwater.portfolio.schema`: the input columns and row validation (rejects with reasons);
- :mod:`~underwater.portfolio.kernel`: the vectorised NumPy kernel, exact to the cent;
- :mod:`~underwater.portfolio.exact`: the per-loan reference built on the Decimal library;
- :mod:`~underwater.portfolio.engine`: chunked streaming, atomic writes, the summary, progress;
- :mod:`~underwater.portfolio.synth`: seeded synthetic books;
- :mod:`~underwater.portfolio.cluster`: the same kernel on a Dask cluster (``distributed`` extra);
- :mod:`~underwater.portfolio.cli`: the ``underwater portfolio`` command.

Importing this package loads nothing heavy; the modules import polars and numpy.
"""
