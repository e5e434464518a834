"""The pieces of ``bench/load.py``: protocol client, sessions, replicas, report."""
