"""National Provider Identifier check digit (Luhn over the card-issuer prefix 80840 + 9 digits)."""

from __future__ import annotations

NPI_PREFIX = "80840"


def _luhn_sum(digits: str) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def npi_check_digit(first_nine: str) -> str:
    """The tenth digit that makes ``first_nine`` a valid NPI."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError(f"an NPI starts with 9 digits, got {first_nine!r}")
    return str((10 - _luhn_sum(NPI_PREFIX + first_nine) % 10) % 10)


def make_npi(first_nine: str) -> str:
    """A valid 10-digit NPI from its first nine digits."""
    return first_nine + npi_check_digit(first_nine)


def is_valid_npi(npi: str) -> bool:
    """True when ``npi`` is 10 digits whose last digit is the Luhn check digit."""
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]
