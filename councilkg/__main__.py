"""``python -m councilkg``: the same as the ``councilkg`` command."""

from councilkg.cli import main

if __name__ == "__main__":
    main()
