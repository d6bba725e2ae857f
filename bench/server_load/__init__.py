"""The server load benchmark's parts; `bench/bench_server_load.py` is their entry and describes their rows."""
