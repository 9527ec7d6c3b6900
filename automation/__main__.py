"""Allows ``python -m automation`` as an alias of the ``salesflow`` command."""

from automation.cli import main

if __name__ == "__main__":
    main()
