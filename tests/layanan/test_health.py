"""GET /healthz reports the database and Redis."""


def test_healthz_reports_database_and_redis(http) -> None:  # type: ignore[no-untyped-def]
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "pending_jobs": 0}


def test_healthz_reports_a_dead_redis(app, http) -> None:  # type: ignore[no-untyped-def]
    from redis import Redis

    app.extensions["redis"] = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
    assert response.json()["database"] == "ok"
