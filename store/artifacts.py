"""Where model and evaluation files live: the artifact folder.

``MOATLAB_ARTIFACT_DIR`` names it (a folder every app replica and worker can reach: a shared
volume or network mount); without it the folder is ``$MOATLAB_HOME/models``. Run records never
hold this folder's absolute path: they keep a portable name ``models/<file>`` (see
:data:`ARTIFACT_PREFIX`), which the reader maps into the artifact folder of its own machine, so
moving the folder, or pointing several replicas at one shared folder, keeps old records working.

The store owns no files; this lives here because the store is the bottom layer that both the
health check (``python -m store health``) and ``mlcore`` may import.
"""

from __future__ import annotations

from pathlib import Path

import settings
from store.engine import default_home

#: The environment variable that names the shared artifact folder.
ARTIFACT_DIR_ENV = "MOATLAB_ARTIFACT_DIR"
#: The first part of every stored artifact name (``models/<run_id>.keras``): "in the artifact folder".
ARTIFACT_PREFIX = "models"


def artifact_dir(home: Path | None = None) -> Path:
    """The artifact folder: ``$MOATLAB_ARTIFACT_DIR``, else ``<home>/models``.

    ``home`` defaults to :func:`store.default_home` (``MOATLAB_HOME``). The folder is not
    created here; writers create it. With the variable unset, ``artifact_dir(Path("/srv/m"))``
    is ``/srv/m/models``.
    """
    configured = settings.read(ARTIFACT_DIR_ENV)
    if configured is not None:
        return configured
    return Path(home if home is not None else default_home()) / ARTIFACT_PREFIX
