"""Intake: an untrusted file (workbook, template) → checked data and findings. Never imports report or outputs."""
