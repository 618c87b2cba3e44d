"""Check stage: `leaflet check`, the health-information quality gate (one module per rule group)."""

from leaflet_builder.check.findings import RULES, Finding, Rule
from leaflet_builder.check.gate import apply_build_gate
from leaflet_builder.check.runner import CheckReport, LeafletSummary, run_checks

__all__ = ["RULES", "CheckReport", "Finding", "LeafletSummary", "Rule", "apply_build_gate",
           "run_checks"]
