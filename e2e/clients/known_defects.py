"""Checks that fail today because of a known defect in `openapi/openapi.json` (issue #15).

Each mark names a check in `scenario.py` (by its name) or an operation whose recorded
bodies `typecheck.py` checks (as `tsc:<operationId>`). A marked check that fails is
reported and the run goes on; a marked check that passes fails the run, so a mark is
removed as soon as the spec is fixed. The scenario never works around a defect: remove
the mark and the check fails exactly as a third-party client would.
"""

KNOWN_DEFECTS = {
    # `If-None-Match` is honoured (304) on every single-resource GET but declared on
    # none, so the generated functions take no `if_none_match` argument.
    "every single-resource GET takes if_none_match": "If-None-Match is not declared",
    "get_question answers 304 to if_none_match": "If-None-Match is not declared",
    "get_response answers 304 to if_none_match": "If-None-Match is not declared",
    # `If-Match` is declared as a nullable string, so `if_match=None` type-checks.
    "no if_match argument accepts None": "If-Match is typed as a nullable string",
    # `Event.snapshot` and `Delivery.payload` are bare `object` schemas, which
    # openapi-typescript turns into `Record<string, never>`.
    "tsc:list_events": "Event.snapshot has no additionalProperties",
    "tsc:list_webhook_deliveries": "Delivery.payload has no additionalProperties",
}
