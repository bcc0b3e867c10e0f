"""Compare: redlines of two .docx, cell diffs of two workbooks."""
