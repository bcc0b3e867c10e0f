"""Report: checked data → the Word report and where each figure comes from. Never imports intake."""
