"""Complaints page: filled by its own issue; shows the empty state or a note until then."""

from insight.ui.shell import context
from insight.ui.widgets import placeholder

placeholder(context(), "complaints")
