"""``python -m corridors ...``: the same as the ``corridors`` command."""

from .cli import main

if __name__ == "__main__":
    main()
