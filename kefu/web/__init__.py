"""The demo storefront page and the embeddable chat widget.

Everything here is plain static files: ``static/index.html`` (a demo shop front that lists the
catalogue and embeds the widget), ``static/widget.js`` and ``static/widget.css`` (the widget a
shop embeds with one ``<script src=".../static/widget.js">`` tag). The API serves ``index.html``
at ``/`` and this directory at ``/static/``.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
