"""The web intake desk (`report-builder serve`, docs/intake-desk.md): departments upload their workbooks and
see their findings; the office sees who is missing and who must fix what.

An entry-level layer: it calls only the library's public API (`report_builder`), its findings and results
types, and its own modules.
"""

from report_builder.web.app import MAX_UPLOAD, create_app
from report_builder.web.desk import Desk
from report_builder.web.store import Store, default_state

__all__ = ["MAX_UPLOAD", "Desk", "Store", "create_app", "default_state"]
