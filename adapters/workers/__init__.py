"""WorkerPool adapters: worker processes for production, threads for tests and single-process runs."""
