"""CONSOLIDATE stage: the weekly workbooks managers open on Monday (SPEC §4), built from the score stage."""
