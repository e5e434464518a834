"""Moatlab's economics: pure functions from measured runs and dated catalogs to dollars.

Conventions shared by every module: money is US dollars (``*_usd``), time is seconds, hours or
days as named (``*_seconds``, ``*_hours``, ``days``), rates are fractions (0.4, not 40 %),
FLOPs count a multiply-add as 2. Nothing here imports Streamlit, TensorFlow, ``mlcore`` or the
store: a run enters as its stored record JSON through :mod:`bizmodel.basis`.
"""
