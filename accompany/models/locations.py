"""Places appointments happen: courts, ICE offices, detention centers."""

from __future__ import annotations

from urllib.parse import quote_plus

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accompany.database import Versioned, db, enum_type
from accompany.models.enums import BringItem, LocationKind


class Location(Versioned, db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[LocationKind] = mapped_column(enum_type(LocationKind, "location_kind"))
    address: Mapped[str] = mapped_column(String(255))
    town: Mapped[str] = mapped_column(String(80), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    arrival_notes: Mapped[str] = mapped_column(Text, default="")  # for volunteers, on their shift page
    # What a family's reminder says about the place (issue 13, point 5). The label is what a
    # discreet text calls it ("" = no place named at all, only "your appointment"); the minutes
    # make "be there by 8:15 AM"; `bring` holds BringItem values, comma-separated, worded in
    # each language by the catalogs (a typed English note would reach a Kreyol family as English).
    discreet_label: Mapped[str] = mapped_column(String(30), default="")
    arrive_minutes_early: Mapped[int] = mapped_column(Integer, default=30)
    bring: Mapped[str] = mapped_column(String(80), default="")

    @property
    def bring_items(self) -> list[BringItem]:
        """What to bring, in the order BringItem lists it."""
        chosen = set((self.bring or "").split(","))
        return [item for item in BringItem if item.value in chosen]
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def map_url(self) -> str:
        """A map search for the address (opened by the phone's own map app)."""
        return "https://www.openstreetmap.org/search?query=" + quote_plus(self.address)

    def __repr__(self) -> str:
        return f"<Location {self.id} {self.name}>"
