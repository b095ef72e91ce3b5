"""`python -m oneclick`."""

from oneclick.cli import main

main()
