"""``python -m mailflow.cli``: the same command line as the ``mailflow`` script."""

from mailflow.cli import main

if __name__ == "__main__":
    main()
