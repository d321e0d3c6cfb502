"""`make bench`: ingest throughput and API latency on PostgreSQL (see bench/run.py)."""
