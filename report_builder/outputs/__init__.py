"""Outputs: the files we write and keep (workbooks, feedback, versions, manifests, PDF)."""
