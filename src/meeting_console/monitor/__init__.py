"""Live connection monitoring on asyncio, free of Qt: direct probes (tcp://, sip:, http(s)://),
the status-feed poller, the hysteresis state machine, and the ``Monitor`` that turns results
into batches for ``core.endpoints.apply_monitor_batch``."""
