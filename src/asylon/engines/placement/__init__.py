"""Placement engine: outcome-optimised resettlement and relocation matching, static and dynamic."""
