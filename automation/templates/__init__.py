"""The forms reps fill: blank templates and per-rep copies built from the form specs, and the
installer that lays out a new installation (config, shared folder, templates)."""
