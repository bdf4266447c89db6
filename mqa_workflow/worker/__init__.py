"""The background worker, an adapter like the web and the command line: the Celery app and
its beat schedule, the broker's figures, the outbox relay and the web server's drainer.

The domains declare their tasks in their own ``tasks.py`` (``mqa_workflow.outbox.registry``);
nothing below the adapters imports this package.
"""
