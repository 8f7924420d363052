def test_app_boots(client, make, db):
    make.coordinator()
    db.session.commit()
    assert client.get("/healthz").status_code == 200
