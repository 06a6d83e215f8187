"""Files an owner attaches to their DONE: the deliverable the acceptor checks (成果验收).

Pure: a message in, its attached files out — parts with a filename that are not the mail's own
text or inline images of a signature. Files are kept for the acceptance request up to
:data:`MAX_BYTES` together (the raw mail stays in the message store either way); beyond that only
their names travel, and the acceptor is told where the files are.
"""

from __future__ import annotations

from email.message import Message

from mailflow.domain.attached_file import File
from mailflow.inbound.reading.mailtext import leaf_parts

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 20


def attached_files(message: Message) -> list[File]:
    """The message's attached files, in order; the data of those past the size budget dropped."""
    found: list[File] = []
    budget = MAX_BYTES
    for part in leaf_parts(message):
        name = part.get_filename()
        if not name or len(found) >= MAX_FILES:
            continue
        inline = (part.get("Content-Disposition") or "").lower().startswith("inline")
        if inline and part.get_content_maintype() == "image":
            continue  # a logo in the signature, not a deliverable
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        keep = len(data) <= budget
        budget -= len(data) if keep else 0
        found.append(File(name.strip()[:200], part.get_content_type(), data if keep else None))
    return found
