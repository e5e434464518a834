"""Page views: each renders one page (or one tab of a page) from the inputs its ``app_pages`` file read.

A view imports components, session helpers and :mod:`present`, never another view.
"""
