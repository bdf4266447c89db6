"""The web application: an HTTP API and server-rendered pages over the domain functions.

Nothing here decides award business: views check who may act (``access``), call the
same domain functions as the ``mqa`` commands, and turn their answers into JSON or
HTML. Importing this package is cheap; FastAPI is loaded by ``web.app`` only.
"""
