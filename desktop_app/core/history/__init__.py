"""History: the service that keeps it in step, storage, serialising."""
