"""`python -m report_builder`: the same as the `report-builder` command."""

import sys

from report_builder.entry import main

if __name__ == "__main__":
    sys.exit(main())
