"""Schemathesis hooks for scripts/fuzz (loaded with SCHEMATHESIS_HOOKS=fuzz_hooks).

POST /api/v1/programmes/{id}/import takes an XLSX workbook as it is, a media type
Schemathesis cannot build from a schema: it is given one here, either the published
improvement plan (a real workbook) or arbitrary bytes (which the service must refuse
with a 415 or 422, never a 5xx).
"""

from pathlib import Path

import schemathesis
from hypothesis import strategies as st

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK = (Path(__file__).resolve().parent.parent / "tests/fixtures/plans/improvement-plan-2022.xlsx").read_bytes()

schemathesis.openapi.media_type(XLSX, st.just(WORKBOOK) | st.binary(max_size=4096))
