"""`python -m report_builder`: the same as the `report-builder` command."""

import sys

from report_builder.cli import entry

if __name__ == "__main__":
    sys.exit(entry())
