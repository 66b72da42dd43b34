"""The static review site (`nianbao review OUT`): index, one page per report, two years compared."""

from pipeline.review.site import SiteSummary, build_site

__all__ = ["SiteSummary", "build_site"]
