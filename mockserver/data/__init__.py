"""The dataset the mock serves, loaded, indexed and cached: knows nothing of HTTP."""
