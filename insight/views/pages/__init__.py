"""Each page's view: a dataclass of its typed figures and the function that builds it."""

from insight.views.pages import campaigns, channels, churn, complaints, overview, segments
from insight.views.views import DataView

#: The view class of each page (the Customer page has only the common parts).
VIEWS = {
    "overview": overview.OverviewView,
    "channels": channels.ChannelsView,
    "segments": segments.SegmentsView,
    "churn": churn.ChurnView,
    "complaints": complaints.ComplaintsView,
    "campaigns": campaigns.CampaignsView,
    "data": DataView,
}

#: Each page's builder: `build(scope, view, everything)`.
BUILD = {
    "overview": overview.build,
    "channels": channels.build,
    "segments": segments.build,
    "churn": churn.build,
    "complaints": complaints.build,
    "campaigns": campaigns.build,
}

#: The pages whose app view leaves closed sections out (their builders read `everything`); on the
#: others the app and the CLI compute one view, and share it (insight/cache.py).
PARTIAL = frozenset({"channels", "segments", "churn"})
