"""The installed version of report_builder, as the manifests and `--version` state it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("report_builder")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0+unknown"
