"""``python -m gateway.cli``: the same as the ``payer-gateway`` command."""

from gateway.cli import main

main()
