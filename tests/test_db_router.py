"""With a read replica configured, page reads go to it, writes and the reads of a user who
has just written go to the primary; without one, everything uses the primary."""

import time

import pytest
from django.test import RequestFactory, override_settings

from branches.models import Organisation
from unionplan import db_router

ROUTER = db_router.PrimaryReplicaRouter()
WITH_REPLICA = {"default": {}, "replica": {}}


def test_without_replica_everything_uses_the_primary():
    assert ROUTER.db_for_read(Organisation) == "default"
    assert ROUTER.db_for_write(Organisation) == "default"


def route_of_a_read_during(request):
    seen = {}

    def view(request):
        seen["read"] = ROUTER.db_for_read(Organisation)
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = db_router.PinToPrimaryAfterWriteMiddleware(view)(request)
    return seen["read"], response


@override_settings(DATABASES=WITH_REPLICA, REPLICA_PIN_SECONDS=30)
def test_reads_go_to_the_replica_and_writes_pin_to_the_primary():
    factory = RequestFactory()
    read, _ = route_of_a_read_during(factory.get("/dashboard/"))
    assert read == "replica"
    read, response = route_of_a_read_during(factory.post("/reports/2020/3/1/review/"))
    assert read == "default" and ROUTER.db_for_write(Organisation) == "default"
    pinned = response.cookies[db_router.PIN_COOKIE].value
    assert float(pinned) > time.time()
    after = factory.get("/dashboard/")
    after.COOKIES[db_router.PIN_COOKIE] = pinned
    assert route_of_a_read_during(after)[0] == "default"  # the next page load sees the write
    expired = factory.get("/dashboard/")
    expired.COOKIES[db_router.PIN_COOKIE] = str(time.time() - 1)
    assert route_of_a_read_during(expired)[0] == "replica"
    assert ROUTER.allow_migrate("replica", "targets") is False


@pytest.mark.parametrize("cookie", ["abc", "", "1e999"])
@override_settings(DATABASES=WITH_REPLICA)
def test_a_tampered_cookie_is_harmless(cookie):
    request = RequestFactory().get("/dashboard/")
    request.COOKIES[db_router.PIN_COOKIE] = cookie
    assert route_of_a_read_during(request)[0] in ("replica", "default")
