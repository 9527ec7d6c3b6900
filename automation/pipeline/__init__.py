"""The pipeline: what happens to dropped files, start to finish."""

from automation.pipeline.stages import Outcome, SymlinkRefused, process, process_batch, repair_unfiled

__all__ = ["Outcome", "process", "process_batch", "repair_unfiled", "SymlinkRefused"]
