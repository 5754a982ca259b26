"""The process around the operation: the ASGI app's assembly, the access log, CORS, the docs
routes, the reload of the fixtures file, and the pre-forked workers sharing one dataset."""
