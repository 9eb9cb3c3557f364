"""The report stage: what a page shows (:mod:`.pages`) and how pages are produced (:mod:`.publish`)."""
