"""Schemathesis hooks for scripts/fuzz (loaded with SCHEMATHESIS_HOOKS=fuzz_hooks).

POST /api/v1/programmes/{id}/import takes a CSV text or an XLSX workbook as it is:
media types Schemathesis has no serializer for. The documented examples and the
strings it generates for them are sent as their UTF-8 bytes (which the service must
read as a plan or refuse with a 415 or 422, never a 5xx).
"""

import schemathesis

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer(XLSX, "text/csv")
def as_bytes(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
