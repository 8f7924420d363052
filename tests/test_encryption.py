"""Family fields sealed at rest, found by blind index, and readable across key rotation."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from accompany import create_app
from accompany.crypto import KeyConfigError, Keyring, phone_index
from accompany.database import db as _db
from accompany.models import Family
from accompany.services.privacy.keys import rotate_encrypted_fields
from tests.conftest import config_for


def _raw_rows(db, table: str) -> str:
    rows = db.session.execute(text(f"SELECT * FROM {table}")).all()
    return " ".join(str(value) for row in rows for value in row)


def test_family_fields_round_trip_through_the_database(make, db):
    family = make.family(name="Rosa M.", phone="(617) 555-0142", notes="Prefers morning calls")
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Family, family.id)
    assert (loaded.name, loaded.phone, loaded.notes) == ("Rosa M.", "+16175550142", "Prefers morning calls")


def test_raw_sql_shows_no_plaintext_name_phone_or_note(make, db):
    make.family(name="Rosa Martinez", phone="617-555-0142", notes="Walks with a cane")
    db.session.commit()
    raw = _raw_rows(db, "families")
    for secret in ("Rosa", "Martinez", "6175550142", "555-0142", "0142", "cane"):
        assert secret not in raw


def test_same_name_encrypts_differently_each_time(make, db):
    make.family(name="Ana P.", phone="617-555-0101")
    make.family(name="Ana P.", phone="617-555-0102")
    db.session.commit()
    tokens = [row[0] for row in db.session.execute(text("SELECT name FROM families"))]
    assert len(set(tokens)) == 2


def test_phone_is_found_by_its_blind_index_in_any_written_form(make, db):
    family = make.family(phone="617-555-0142")
    make.family(phone="617-555-0199")
    db.session.commit()
    found = db.session.scalars(select(Family).where(Family.phone_hash == phone_index("+16175550142"))).all()
    assert [f.id for f in found] == [family.id]
    assert family.phone_hash != phone_index("+16175550199")


def test_blind_index_depends_on_the_key():
    key = Fernet.generate_key().decode()
    one = Keyring([key], "first-index-key").blind_index("phone", "+16175550142")
    two = Keyring([key], "second-index-key").blind_index("phone", "+16175550142")
    assert one != two and len(one) == 64


def test_a_key_not_in_the_ring_cannot_read(make):
    ring = Keyring([Fernet.generate_key().decode()], "k")
    other = Keyring([Fernet.generate_key().decode()], "k")
    with pytest.raises(KeyConfigError):
        other.decrypt(ring.encrypt("Rosa M."))


def test_rotation_reencrypts_with_the_new_key_and_old_key_can_then_go(app, database_url):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    def app_with(keys):
        return create_app(config_for(database_url, FIELD_ENCRYPTION_KEYS=keys))

    with app_with([old_key]).app_context():
        _db.session.add_all(_families_for_rotation())
        _db.session.commit()
        _db.engine.dispose()

    # The new key goes first: everything stays readable before any rotation.
    with app_with([new_key, old_key]).app_context():
        assert sorted(f.name for f in _db.session.scalars(select(Family))) == ["Ana P.", "Rosa M."]
        counts = rotate_encrypted_fields()
        _db.session.commit()
        assert counts["families.name"] == 2
        assert counts["families.phone"] == 2
        assert counts["families.notes"] == 1
        assert rotate_encrypted_fields()["families.name"] == 0  # already current
        _db.engine.dispose()

    # The old key removed: still readable, so rotation really re-sealed every value.
    with app_with([new_key]).app_context():
        families = sorted(_db.session.scalars(select(Family)), key=lambda f: f.name)
        assert [(f.name, f.phone, f.notes) for f in families] == [
            ("Ana P.", "+16175550101", None),
            ("Rosa M.", "+16175550142", "Needs a car seat"),
        ]
        _db.engine.dispose()


def _families_for_rotation():
    from accompany.models import Language
    from tests.conftest import NOW

    return [
        Family(name="Rosa M.", phone="+16175550142", phone_hash=phone_index("+16175550142"),
               notes="Needs a car seat", language=Language.SPANISH, created_at=NOW, updated_at=NOW),
        Family(name="Ana P.", phone="+16175550101", phone_hash=phone_index("+16175550101"),
               language=Language.PORTUGUESE, created_at=NOW, updated_at=NOW),
    ]


def test_rotate_keys_command_reports_what_it_did(runner, make, db):
    make.family()
    db.session.commit()
    result = runner.invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "families.name: 0" in result.output  # single key: already current


def test_rotation_reads_and_rewrites_each_column_in_batches_of_batch_size(app, database_url):
    from accompany.models import Language
    from tests.conftest import NOW
    from tests.support.queries import count_queries

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with create_app(config_for(database_url, FIELD_ENCRYPTION_KEYS=[old_key])).app_context():
        _db.session.add_all(Family(name=f"Family {n}", language=Language.SPANISH, created_at=NOW, updated_at=NOW)
                            for n in range(5))
        _db.session.commit()
        _db.engine.dispose()

    with create_app(config_for(database_url, FIELD_ENCRYPTION_KEYS=[new_key, old_key])).app_context():
        with count_queries(_db.engine) as statements:
            counts = rotate_encrypted_fields(batch_size=2)
        _db.session.commit()
        on_names = [s for s in statements.statements if "families.name" in s or "UPDATE families SET name" in s]
        reads = [s for s in on_names if s.lstrip().startswith("SELECT")]
        writes = [s for s in on_names if s.lstrip().startswith("UPDATE")]
        assert counts["families.name"] == 5
        assert len(reads) == 3 and all("LIMIT" in s for s in reads)  # 2 + 2 + 1 rows
        assert len(writes) == 3  # one statement per batch
        with pytest.raises(ValueError):
            rotate_encrypted_fields(batch_size=0)
        _db.engine.dispose()

    with create_app(config_for(database_url, FIELD_ENCRYPTION_KEYS=[new_key])).app_context():
        assert sorted(f.name for f in _db.session.scalars(select(Family))) == [f"Family {n}" for n in range(5)]
        _db.engine.dispose()
