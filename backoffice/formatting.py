"""How the panel writes money, numbers and times for an Indonesian operator (exports keep raw values).

    rupiah(25000)                 -> "Rp 25.000"
    percent(88.46)                -> "88,5%"
    day(date(2026, 12, 3))        -> "03-12-2026" (as date fields show and take it)
    decimal(Decimal("1500.50"))   -> "1.500,50"
    number(10412000)              -> "10.412.000"
    wib(datetime(2022, 8, 29, 8, 45, 35)) -> "29-Aug-2022 08:45:35"

The application's timestamps are Jakarta local time without a zone; the panel's own are UTC with
a zone and are converted.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

JAKARTA = ZoneInfo("Asia/Jakarta")


def number(value, places: int = 0) -> str:
    """Thousands with dots, decimals with a comma, as Indonesians write them."""
    if value is None:
        return ""
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def decimal(value) -> str:
    """``10.412.000``; decimals appear only when there are any (``1.500,50``)."""
    if value is None:
        return ""
    amount = Decimal(value)
    return number(amount, 0 if amount == amount.to_integral_value() else 2)


def rupiah(value) -> str:
    """``Rp 25.000``; cents appear only when there are any (``Rp 1.500,50``)."""
    if value is None:
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {decimal(abs(amount))}"


def percent(value) -> str:
    """``88,5%`` with one decimal; ``-`` for no value (no transactions to rate)."""
    return "-" if value is None else f"{number(value, 1)}%"


def day(value: date) -> str:
    """``03-12-2026``: how a date field shows a day (``inputs.day`` reads it back)."""
    return value.strftime("%d-%m-%Y")


def wib(value) -> str:
    """``29-Aug-2022 08:45:35`` in Asia/Jakarta (the source report's style)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(JAKARTA)
        return value.strftime("%d-%b-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%b-%Y")
    return str(value)


def now_jakarta() -> datetime:
    """Jakarta wall time without a zone, to the second, as the application stores its timestamps."""
    return datetime.now(JAKARTA).replace(tzinfo=None, microsecond=0)


def today_jakarta() -> date:
    return now_jakarta().date()


def init_formatting(app: Flask) -> None:
    """Make the formats Jinja filters: ``{{ amount|rupiah }}``, ``{{ time|wib }}``, ``{{ n|number }}``,
    ``{{ rate|percent }}``, ``{{ date|day }}``."""
    for formatter in (rupiah, number, wib, percent, day):
        app.add_template_filter(formatter)
    app.jinja_env.globals.update(rupiah=rupiah, number=number, percent=percent)  # for macros too
