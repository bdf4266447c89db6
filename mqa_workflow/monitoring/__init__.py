"""What operators watch: queues, running/retried/failed tasks, outbox lag, overdue work."""
