"""mqa-workflow: the workflow engine that runs a quality award end to end."""

__version__ = "0.1.0"
