"""Read Traditional Chinese as Simplified, one character for one, so positions stay valid.

The function lives in :mod:`mailflow.text_forms`, below the domain and the configuration, since
the people loader compares roles with it too; the domain's parsers import it from here.
"""

from __future__ import annotations

from mailflow.text_forms import simplified as simplified
