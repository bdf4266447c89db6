"""Deadlines: the work that is due, reminders before it, overdue notices and escalations."""
