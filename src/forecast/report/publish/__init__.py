"""How pages are produced: jobs, executors, notebook execution, rendering, PDF, downloads, the quarter folder."""
