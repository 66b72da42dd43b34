"""Old binary Word (.doc) and WPS (.wps) files: converted to .docx by LibreOffice headless.

Without `soffice` on PATH the file gets one clear error saying how to convert it. The
conversion runs in a temporary directory with its own LibreOffice profile and a time limit.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.core import Document, IngestError
from pipeline.formats.docx import read_docx

TIMEOUT = 120  # seconds for one conversion
HOW = ("install LibreOffice (`apt-get install -y libreoffice-writer`, so that `soffice` is on PATH) "
       "or save the file as .docx or PDF")


def read_office(name: str, data: bytes) -> Document:
    """A .doc/.wps file as a `Document`, through a LibreOffice conversion to .docx."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise IngestError(f"{name}: old Word/WPS format (.doc/.wps) needs LibreOffice to read: {HOW}", path=name)
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".doc", ".wps") else ".doc"
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        cmd = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(Path(tmp) / "out"), str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise IngestError(f"{name}: LibreOffice did not convert the file within {TIMEOUT} s", path=name) from exc
        out = Path(tmp) / "out" / "input.docx"
        if not out.exists():
            raise IngestError(f"{name}: LibreOffice could not convert the file (damaged, or not a Word/WPS "
                              f"document); {HOW}", path=name)
        doc = read_docx(name, out.read_bytes())
    doc.sha256 = hashlib.sha256(data).hexdigest()  # the file as given, not its conversion
    return doc
