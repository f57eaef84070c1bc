"""The ``payer-gateway`` command."""


def main() -> None:
    raise SystemExit("payer-gateway: not wired yet")
