"""What of the findings is reported: inline suppressions, the baseline, and what a change introduces."""
