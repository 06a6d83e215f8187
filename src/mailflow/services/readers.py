"""Who reads a mail: see :mod:`mailflow.domain.readers`, where this moved so that the outbound
layer (a note about undelivered mail) can ask too without importing a service."""

from __future__ import annotations

from mailflow.domain.readers import Reader as Reader
from mailflow.domain.readers import directory_of as directory_of
from mailflow.domain.readers import reader as reader
