"""Makes encrypted.pdf: a one-page PDF that needs a user password to open (for the bad-input tests).

Run once by hand (needs `pip install pikepdf`, which the project does not depend on):
    python tests/data/pdf_bad/make_encrypted.py
"""

from pathlib import Path

import pikepdf

out = Path(__file__).with_name("encrypted.pdf")
pdf = pikepdf.new()
pdf.add_blank_page(page_size=(595, 842))
pdf.save(out, encryption=pikepdf.Encryption(user="user-secret", owner="owner-secret", R=4))
print(out, out.stat().st_size, "bytes")
