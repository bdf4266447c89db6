"""Backups of the database and the restore drill."""
