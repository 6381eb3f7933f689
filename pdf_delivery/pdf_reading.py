"""What an uploaded PDF holds, read with pyHanko: encryption, page count, active content.

Only pdf_delivery.documents.check_pdf imports this module, when it checks a file: pyHanko is heavy to import
and a web process receives a PDF rarely (the RQ worker imports it once before forking jobs: layanan/worker.py).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

# Actions that only move the view; an OpenAction of another kind (script, program, web page, form) is refused.
_VIEW_ACTIONS = frozenset({"/GoTo"})


def facts(content: bytes) -> tuple[bool, int, set[str]]:
    """Whether the PDF is encrypted, its page count and its active content (both nothing when encrypted).
    pyHanko raises many types for a damaged file."""
    reader = PdfFileReader(BytesIO(content), strict=False)
    if reader.encrypted:
        return True, 0, set()
    return False, int(reader.root["/Pages"]["/Count"]), active_content(reader)


def active_content(reader: PdfFileReader) -> set[str]:
    """The kinds of active content anywhere in the document (javascript, open_action, launch, embedded_file,
    xfa: the keys of pdf_delivery.documents.ACTIVE_CONTENT_LABELS).

    Every object reachable from the catalogue is looked at, so a script hidden in a page's annotation,
    a form field's additional actions or a name tree is found as well as one in the catalogue."""
    found: set[str] = set()
    open_action = reader.root.raw_get("/OpenAction") if "/OpenAction" in reader.root else None
    action = open_action.get_object() if open_action is not None else None
    if isinstance(action, generic.DictionaryObject) and action.get("/S") not in _VIEW_ACTIONS:
        found.add("open_action")
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            for name in obj.keys():
                value = obj.raw_get(name)
                if name in ("/JS", "/JavaScript") or (name == "/S" and value == "/JavaScript"):
                    found.add("javascript")
                elif name == "/S" and value == "/Launch":
                    found.add("launch")
                elif name in ("/EmbeddedFiles", "/EF") or (name == "/Type" and value == "/EmbeddedFile") \
                        or (name == "/Subtype" and value == "/FileAttachment"):
                    found.add("embedded_file")
                elif name == "/XFA":
                    found.add("xfa")
                stack.append(value)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj.iterate())
    return found
