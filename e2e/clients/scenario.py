"""A third party's first program, written against the client openapi-python-client
generates from `openapi/openapi.json`, used unmodified, against the running service.

It signs in with the password grant, subscribes a webhook, drafts and publishes a
response to a new question, reads the question's accountability trail, pages a list
with the cursor, gets a 412 for a stale `If-Match` and a 304 for `If-None-Match`, then
reads every other JSON resource once. Every response the client receives is recorded
(operation, status, media type, body) for `typecheck.py`, which checks the bodies
against the TypeScript types.

Run by `scripts/clients`, with the generated package `scrutiny_client` on PYTHONPATH and
SCRUTINY_URL, SCRUTINY_ADMIN_PASSWORD, CLIENTS_OPENAPI (the document) and
CLIENTS_RECORD (the file to record bodies in) set. Exits non-zero when a check fails.
"""

import datetime
import importlib
import inspect
import json
import os
import pkgutil
import re
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import scrutiny_client.api
from known_defects import KNOWN_DEFECTS
from scrutiny_client import AuthenticatedClient, Client
from scrutiny_client.api.actions import get_action, list_actions, list_progress_updates
from scrutiny_client.api.auth import get_me, issue_token
from scrutiny_client.api.clients import create_client, get_client, list_clients
from scrutiny_client.api.events import list_events
from scrutiny_client.api.meetings import get_meeting, list_meetings
from scrutiny_client.api.operations import get_liveness, get_problem_type, get_readiness
from scrutiny_client.api.audit import list_audit_events
from scrutiny_client.api.follow import get_followed_question
from scrutiny_client.api.imports import list_pending_imports
from scrutiny_client.api.organisations import (
    get_organisation,
    get_question_rules,
    list_organisations,
)
from scrutiny_client.api.questions import (
    accept_question,
    create_question,
    get_question,
    get_nested_question_accountability,
    get_question_accountability,
    list_questions,
)
from scrutiny_client.api.recommendations import (
    get_recommendation,
    list_recommendations,
    list_report_recommendations,
)
from scrutiny_client.api.programmes import get_programme, get_programme_progress, list_programmes
from scrutiny_client.api.reports import get_report, get_report_scorecard, list_reports
from scrutiny_client.api.responses import (
    create_response,
    get_response,
    list_response_versions,
    list_responses,
    publish_response,
    update_response,
)
from scrutiny_client.api.search import search_records
from scrutiny_client.api.subscriptions import get_subscription_counts, list_subscriptions
from scrutiny_client.api.users import get_user, list_users
from scrutiny_client.api.webhooks import (
    create_webhook,
    get_webhook,
    list_webhook_deliveries,
    list_webhooks,
)
from scrutiny_client.models import (
    AccountabilityTrail,
    AskerContactRequest,
    AskerRequest,
    AuthorRequest,
    CommissionerResponse,
    CreateApiClientRequest,
    CreateQuestionRequest,
    CreateResponseRequest,
    CreateWebhookRequest,
    DeliveryPage,
    EventPage,
    FollowUpFilter,
    FollowedQuestion,
    OAuthError,
    Problem,
    QuestionDetail,
    QuestionPage,
    ResponseKind,
    Role,
    SubmittedQuestion,
    TokenRequest,
    TokenResponse,
    UpdateResponseRequest,
    Webhook,
    WebhookWithSecret,
)
from scrutiny_client.types import UNSET

BASE = os.environ["SCRUTINY_URL"]
PASSWORD = os.environ["SCRUTINY_ADMIN_PASSWORD"]


class Recorder:
    """An httpx response hook: every answer the client gets, by its operationId."""

    def __init__(self, spec_path):
        with open(spec_path, encoding="utf-8") as f:
            spec = json.load(f)
        self.routes = []
        for path, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    self.routes.append((method.upper(), pattern, op["operationId"]))
        self.bodies = []

    def __call__(self, response):
        response.read()
        request = response.request
        operation = next(
            (op for m, p, op in self.routes if m == request.method and p.match(request.url.path)),
            None,
        )
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if operation and response.content and media_type.endswith("json"):
            self.bodies.append(
                {
                    "operation": operation,
                    "status": response.status_code,
                    "media_type": media_type,
                    "body": response.json(),
                }
            )


recorder = Recorder(os.environ["CLIENTS_OPENAPI"])
HTTPX_ARGS = {"event_hooks": {"response": [recorder]}}
TIMEOUT = httpx.Timeout(30.0)

results = {"passed": 0, "failed": 0, "known": 0}


def check(name, fn):
    """Runs one check; a check marked in known_defects.py must fail (and does not count)."""
    known = KNOWN_DEFECTS.get(name)
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - every failure is reported, none stops the run
        if known:
            results["known"] += 1
            print(f"known defect: {name}: {known} ({type(err).__name__}: {err})")
        else:
            results["failed"] += 1
            print(f"FAILED: {name}")
            traceback.print_exc(limit=3)
        return
    if known:
        results["failed"] += 1
        print(f"FAILED: {name} passes now: remove its mark from known_defects.py ({known})")
    else:
        results["passed"] += 1
        print(f"ok: {name}")


def expect(response, status, parsed_type=None):
    """The status, and the body parsed into the generated model for it."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.content[:300]!r}"
    )
    if parsed_type is not None:
        assert isinstance(response.parsed, parsed_type), (
            f"expected a {parsed_type.__name__}, got {type(response.parsed).__name__}"
        )
    return response.parsed


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that takes every delivery."""

    received = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        length = int(self.headers.get("content-length", 0))
        Receiver.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


state = {}
anonymous = Client(base_url=BASE, timeout=TIMEOUT, httpx_args=HTTPX_ARGS)


def sign_in():
    # The token endpoint is anonymous; the generator types its `client` as an
    # AuthenticatedClient (its security is `[{}]`), but a plain Client is what one has.
    body = TokenRequest(grant_type="password", username="admin", password=PASSWORD)
    token = expect(issue_token.sync_detailed(client=anonymous, body=body), 200, TokenResponse)
    state["admin"] = AuthenticatedClient(
        base_url=BASE, token=token.access_token, timeout=TIMEOUT, httpx_args=HTTPX_ARGS
    )
    me = expect(get_me.sync_detailed(client=state["admin"]), 200)
    assert "admin" in [str(role) for role in me.roles], me


def wrong_password_is_an_oauth_error():
    body = TokenRequest(grant_type="password", username="admin", password="not the password")
    error = expect(issue_token.sync_detailed(client=anonymous, body=body), 400, OAuthError)
    assert error.error == "invalid_grant", error


def subscribe_webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    state["webhook"] = expect(
        create_webhook.sync_detailed(client=state["admin"], body=CreateWebhookRequest(url=url)),
        201,
        WebhookWithSecret,
    )


def ask_and_accept_a_question():
    request = CreateQuestionRequest(
        asker=AskerRequest(display_name="A client generator"),
        asker_contact=AskerContactRequest(email="generator@example.org"),
        title="What is the force doing about response times in rural areas?",
        body="Asked by the generated Python client in CI.",
    )
    question = expect(
        create_question.sync_detailed(client=anonymous, body=request), 201, SubmittedQuestion
    )
    # The private follow link shows the submitted question to whoever holds it.
    followed = expect(
        get_followed_question.sync_detailed(token=question.follow_token, client=anonymous),
        200,
        FollowedQuestion,
    )
    assert str(followed.status) == "submitted", followed.status
    state["follow_token"] = question.follow_token
    accepted = expect(
        accept_question.sync_detailed(id=question.id, client=state["admin"]), 200, QuestionDetail
    )
    assert str(accepted.status) == "accepted", accepted.status
    state["question"] = accepted


def draft_and_publish_a_response():
    admin = state["admin"]
    request = CreateResponseRequest(
        kind=ResponseKind.WRITTEN,
        body="The force has added two rural response cars.",
        author=AuthorRequest(name="A. Commissioner", position="Police and Crime Commissioner"),
        responded_on=datetime.date.today(),
    )
    created = create_response.sync_detailed(id=state["question"].id, client=admin, body=request)
    draft = expect(created, 201, CommissionerResponse)
    assert str(draft.status) == "draft", draft.status
    read = get_response.sync_detailed(id=draft.id, client=admin)
    current = expect(read, 200, CommissionerResponse)
    etag = read.headers["etag"]
    published = expect(
        publish_response.sync_detailed(id=draft.id, client=admin, if_match=etag),
        200,
        CommissionerResponse,
    )
    assert str(published.status) == "published", published.status
    assert published.version > current.version
    state["response"] = published
    state["stale_etag"] = etag


def stale_if_match_is_412():
    change = UpdateResponseRequest(body="A silent rewrite.", correction_note="Typo.")
    stale = update_response.sync_detailed(
        id=state["response"].id, client=state["admin"], body=change, if_match=state["stale_etag"]
    )
    problem = expect(stale, 412, Problem)
    assert problem.status == 412, problem
    unchanged = expect(
        get_response.sync_detailed(id=state["response"].id, client=state["admin"]),
        200,
        CommissionerResponse,
    )
    assert unchanged.body == state["response"].body


def answers_304(client_function, resource_id):
    def run():
        first = client_function.sync_detailed(id=resource_id, client=state["admin"])
        expect(first, 200)
        again = client_function.sync_detailed(
            id=resource_id, client=state["admin"], if_none_match=first.headers["etag"]
        )
        expect(again, 304)

    return run


def every_single_resource_get_takes_if_none_match():
    missing = [
        name
        for name, fn in operations()
        if name.startswith("get_")
        and "id" in inspect.signature(fn).parameters
        and "if_none_match" not in inspect.signature(fn).parameters
    ]
    assert not missing, f"no if_none_match on {', '.join(missing)}"


def no_if_match_argument_accepts_none():
    nullable = [
        name
        for name, fn in operations()
        if "if_match" in inspect.signature(fn).parameters
        and "None" in str(inspect.signature(fn).parameters["if_match"].annotation)
    ]
    assert not nullable, f"if_match accepts None on {', '.join(nullable)}"


def operations():
    """Every generated operation's sync_detailed, by operation name."""
    for tag in pkgutil.iter_modules(scrutiny_client.api.__path__):
        package = importlib.import_module(f"scrutiny_client.api.{tag.name}")
        for module in pkgutil.iter_modules(package.__path__):
            loaded = importlib.import_module(f"scrutiny_client.api.{tag.name}.{module.name}")
            yield module.name, loaded.sync_detailed


def read_the_trail():
    trail = expect(
        get_question_accountability.sync_detailed(id=state["question"].id, client=anonymous),
        200,
        AccountabilityTrail,
    )
    assert trail.question.id == state["question"].id
    assert [r.id for r in trail.responses] == [state["response"].id], trail.responses
    # The summary comes first, and counts what the trail lists.
    assert trail.summary.actions_total == len(trail.actions), trail.summary
    # Each action names its programme, if any, by id and name.
    for action in trail.actions:
        assert action.programme is None or action.programme.name, action


def page_a_list_with_the_cursor():
    everything = expect(
        list_questions.sync_detailed(client=anonymous, limit=100), 200, QuestionPage
    )
    seen, cursor = [], UNSET
    for _ in range(100):
        page = expect(
            list_questions.sync_detailed(client=anonymous, limit=1, cursor=cursor),
            200,
            QuestionPage,
        )
        seen += [q.id for q in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) > 1, "there is more than one page"
    assert seen == [q.id for q in everything.items], "the pages differ from the whole list"
    # Promises made at a meeting: the questions whose written follow-up is overdue (a
    # broken promise) or provided are among those listed, filtered by the same path.
    for state in (FollowUpFilter.OVERDUE, FollowUpFilter.PROVIDED, FollowUpFilter.DUE):
        filtered = expect(
            list_questions.sync_detailed(client=anonymous, limit=100, follow_up=state),
            200,
            QuestionPage,
        )
        assert {q.id for q in filtered.items} <= {q.id for q in everything.items}, state


def deliveries_arrive():
    admin, webhook = state["admin"], state["webhook"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = expect(
            list_webhook_deliveries.sync_detailed(id=webhook.id, client=admin), 200, DeliveryPage
        )
        if any(str(d.status) == "succeeded" for d in page.items):
            assert Receiver.received, "a delivery succeeded that the receiver never saw"
            return
        time.sleep(0.5)
    raise AssertionError(f"no delivery succeeded in 30 s; received {len(Receiver.received)}")


def read_everything():
    """Each JSON read once, as the admin and anonymously, so its body is recorded."""
    admin = state["admin"]
    for client in (admin, anonymous):
        expect(list_events.sync_detailed(client=client, limit=1000), 200, EventPage)
        for lister, getter in (
            (list_organisations, get_organisation),
            (list_meetings, get_meeting),
            (list_reports, get_report),
            (list_programmes, get_programme),
            (list_recommendations, get_recommendation),
            (list_actions, get_action),
        ):
            page = expect(lister.sync_detailed(client=client, limit=100), 200)
            for item in page.items[:3]:
                expect(getter.sync_detailed(id=item.id, client=client), 200)
        for report in expect(list_reports.sync_detailed(client=client), 200).items[:3]:
            expect(list_report_recommendations.sync_detailed(id=report.id, client=client), 200)
            expect(get_report_scorecard.sync_detailed(id=report.id, client=client), 200)
        for programme in expect(list_programmes.sync_detailed(client=client), 200).items[:3]:
            expect(get_programme_progress.sync_detailed(id=programme.id, client=client), 200)
            # A programme's actions, listed by its id, carry its id and name.
            for action in expect(
                list_actions.sync_detailed(client=client, programme_id=programme.id), 200
            ).items:
                assert action.programme_id == programme.id, action
                assert action.programme_name == programme.name, action
        for action in expect(list_actions.sync_detailed(client=client, limit=5), 200).items:
            expect(list_progress_updates.sync_detailed(id=action.id, client=client), 200)
            # How many follow it: counts for everyone, addresses for the admin only.
            expect(get_subscription_counts.sync_detailed(client=client, action_id=action.id), 200)
            if client is admin:
                expect(list_subscriptions.sync_detailed(client=admin, action_id=action.id), 200)
        if client is admin:
            # The imports waiting for confirmation (none: no ModernGov is configured).
            expect(list_pending_imports.sync_detailed(client=admin), 200)
        for question in expect(list_questions.sync_detailed(client=client), 200).items[:5]:
            expect(get_question.sync_detailed(id=question.id, client=client), 200)
            expect(get_question_accountability.sync_detailed(id=question.id, client=client), 200)
            expect(
                get_nested_question_accountability.sync_detailed(id=question.id, client=client), 200
            )
            for response in expect(
                list_responses.sync_detailed(id=question.id, client=client), 200
            ).items:
                expect(list_response_versions.sync_detailed(id=response.id, client=client), 200)
        expect(search_records.sync_detailed(client=client, q="safeguarding"), 200)
        organisations = expect(list_organisations.sync_detailed(client=client, limit=100), 200)
        panels = [o for o in organisations.items if str(o.kind) == "panel"]
        assert panels, "the seed has a panel"
        for panel in panels[:3]:
            expect(get_question_rules.sync_detailed(id=panel.id, client=client), 200)
    expect(list_audit_events.sync_detailed(client=admin, limit=20), 200)
    for user in expect(list_users.sync_detailed(client=admin), 200).items[:3]:
        expect(get_user.sync_detailed(id=user.id, client=admin), 200)
    system = CreateApiClientRequest(name="A generated client", roles=[Role.INTEGRATION])
    created = expect(create_client.sync_detailed(client=admin, body=system), 201)
    expect(get_client.sync_detailed(id=created.id, client=admin), 200)
    expect(list_clients.sync_detailed(client=admin), 200)
    expect(list_webhooks.sync_detailed(client=admin), 200)
    expect(get_webhook.sync_detailed(id=state["webhook"].id, client=admin), 200, Webhook)
    expect(get_liveness.sync_detailed(client=anonymous), 200)
    expect(get_readiness.sync_detailed(client=anonymous), 200)
    expect(get_problem_type.sync_detailed(slug="precondition-failed", client=anonymous), 200)
    expect(get_question.sync_detailed(id=uuid.uuid4(), client=anonymous), 404, Problem)
    expect(list_events.sync_detailed(client=anonymous, limit=5000), 422, Problem)
    expect(get_me.sync_detailed(client=anonymous), 401, Problem)


def main():
    check("sign in with the password grant", sign_in)
    if "admin" not in state:
        print("clients: cannot sign in; stopping")
        return 1
    check("a wrong password is an OAuth error", wrong_password_is_an_oauth_error)
    check("subscribe a webhook", subscribe_webhook)
    check("ask a question and accept it", ask_and_accept_a_question)
    check("draft and publish a response", draft_and_publish_a_response)
    if "response" in state:
        check("a stale If-Match is a 412 and changes nothing", stale_if_match_is_412)
        check("read the question's accountability trail", read_the_trail)
        check(
            "get_response answers 304 to if_none_match",
            answers_304(get_response, state["response"].id),
        )
    if "question" in state:
        check(
            "get_question answers 304 to if_none_match",
            answers_304(get_question, state["question"].id),
        )
    check(
        "every single-resource GET takes if_none_match",
        every_single_resource_get_takes_if_none_match,
    )
    check("no if_match argument accepts None", no_if_match_argument_accepts_none)
    check("page a list with the cursor", page_a_list_with_the_cursor)
    if "webhook" in state:
        check("webhook deliveries arrive and are listed", deliveries_arrive)
    check("read every JSON resource", read_everything)

    with open(os.environ["CLIENTS_RECORD"], "w", encoding="utf-8") as f:
        json.dump(recorder.bodies, f)
    print(
        f"clients: python scenario {results['passed']} passed, {results['failed']} failed, "
        f"{results['known']} known defects; {len(recorder.bodies)} bodies recorded"
    )
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
