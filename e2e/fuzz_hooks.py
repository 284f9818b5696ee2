"""Schemathesis hooks for scripts/fuzz (loaded with SCHEMATHESIS_HOOKS=fuzz_hooks).

POST /api/v1/programmes/{id}/import takes a CSV text or an XLSX workbook as it is, media types
Schemathesis cannot build from a schema: the XLSX body is drawn here, either the published
improvement plan (a real workbook) or arbitrary bytes (which the service must refuse
with a 415 or 422, never a 5xx).
"""

from pathlib import Path

import schemathesis
from hypothesis import strategies as st

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK = (Path(__file__).resolve().parent.parent / "tests/fixtures/plans/improvement-plan-2022.xlsx").read_bytes()

schemathesis.openapi.media_type(XLSX, st.just(WORKBOOK) | st.binary(max_size=4096))


@schemathesis.serializer(XLSX, "text/csv")
def as_bytes(ctx, value):
    """The documented examples of the plan import's bodies (a CSV text, a placeholder for
    the workbook's bytes) sent as they are."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(value).encode("utf-8")
