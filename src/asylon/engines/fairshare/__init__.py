"""Fair-share engine: distribution keys, apportionment of whole persons, fair share versus effort,
pledge lifecycle rules and funding coverage. Pure computation; see ``allocation.fair_share`` first.
"""
