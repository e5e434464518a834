"""The command lines, on top of every other package.

* ``python -m bizmodel …`` → :mod:`cli.economics` (training and serving cost, the value of data,
  scenarios, the report and the workbook from a saved run).
* ``python -m mlcore …`` → :mod:`cli.training` (train, list and show runs) and
  :mod:`cli.training_jobs` (inference benchmark, learning-curve sweep, prediction on a saved run).

``python -m store health`` stays with the store: it needs nothing above it.
"""
