"""Start-up and the composition root: the loop, the services, the window."""
