"""Whether a script run has a share link to open, or a refused link to explain, without loading
the sharing code.

The router asks :func:`link_pending` on every run and imports :mod:`ui.views.share` (which loads
the economics and the report builder, about half a second on a cold server) only when the answer
is yes, so a plain visit paints its page sooner. The two names below are the one home of the URL
parameter and the session key the sharing code uses.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The URL parameter that carries a share link's token (``?share=v1.…``).
SHARE_PARAM = "share"
#: The session key holding why a share link could not be opened, until it is shown.
ERROR_KEY = "share_error"


def link_pending(query_params: Mapping[str, object], session_state: Mapping[str, object]) -> bool:
    """Whether this run must open a ``?share=`` link or say why one was refused.

    >>> link_pending({"share": "v1.abc"}, {}), link_pending({}, {"share_error": "bad"})
    (True, True)
    >>> link_pending({"lang": "zh"}, {})
    False
    """
    return bool(query_params.get(SHARE_PARAM)) or bool(session_state.get(ERROR_KEY))
