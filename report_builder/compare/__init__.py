"""Compare: redlines of two .docx, cell diffs of two workbooks; `files.compare_files` is the entry point."""
