"""Fails on anything a client generator printed beyond the media types it cannot handle.

    python3 generator_output.py python <log>       openapi-python-client's output
    python3 generator_output.py typescript <log>   openapi-typescript's output

openapi-python-client prints each warning as a header ("WARNING parsing GET /x within
y."), a detail line and the offending part of the document as JSON. The only warnings
allowed are the ones saying a media type is unsupported, for the media types no JSON
client reads: `text/plain` (imports, metrics), `text/html` (the pages a following
link opens, for people), `application/atom+xml` (feeds), `text/csv` (exports, plan
imports) and the XLSX workbook a plan import takes. A warning
may name several of them, a detail line each. openapi-typescript prints two lines on
success and nothing else.
"""

import re
import sys

ALLOWED_MEDIA = (
    r"(text/plain|text/html|application/atom\+xml|text/csv"
    r"|application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet)(;[^)\s]*)?"
)
PYTHON_BOILERPLATE = [
    r"Generating .*",
    r"Warning\(s\) encountered while generating\. Client was generated, but some pieces may be missing",
    r"If you believe this was a mistake or this tool is missing a feature you need, please open an issue at .*",
]
PYTHON_ENDPOINT = r"WARNING parsing (GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS) \S+ within \S+\.( Endpoint will not be generated\.)?"
PYTHON_ALLOWED_DETAIL = [
    rf"Unsupported content type {ALLOWED_MEDIA}",
    rf"Cannot parse response for status code .* \(Unsupported content_type {ALLOWED_MEDIA}\), response will be omitted from generated client",
]
TYPESCRIPT_LINES = [r"✨ openapi-typescript \S+", r"🚀 \S+ → \S+ \[[\d.]+m?s\]"]


def significant_lines(text):
    """The lines that are not the JSON dumps of the offending parts, nor blank."""
    lines, in_json = [], False
    for line in text.splitlines():
        if line == "{":
            in_json = True
        elif in_json:
            in_json = line != "}"
        elif line.strip():
            lines.append(line.strip())
    return lines


def unexpected_python(text):
    lines = significant_lines(text)
    unexpected, allowed, i = [], 0, 0
    while i < len(lines):
        line = lines[i]
        if any(re.fullmatch(p, line) for p in PYTHON_BOILERPLATE):
            i += 1
        elif (
            re.fullmatch(PYTHON_ENDPOINT, line)
            and i + 1 < len(lines)
            and any(re.fullmatch(p, lines[i + 1]) for p in PYTHON_ALLOWED_DETAIL)
        ):
            allowed += 1
            i += 2
            while i < len(lines) and any(re.fullmatch(p, lines[i]) for p in PYTHON_ALLOWED_DETAIL):
                i += 1
        else:
            unexpected.append(line)
            i += 1
    return unexpected, allowed


def unexpected_typescript(text):
    lines = significant_lines(text)
    return [x for x in lines if not any(re.fullmatch(p, x) for p in TYPESCRIPT_LINES)], 0


def main(generator, log):
    with open(log, encoding="utf-8") as f:
        text = f.read()
    unexpected, allowed = (unexpected_python if generator == "python" else unexpected_typescript)(
        text
    )
    if unexpected:
        print(f"clients: {generator} generator warnings:")
        print("\n".join("  " + line for line in unexpected))
        print(text if len(text) < 20000 else text[:20000])
        return 1
    print(
        f"clients: {generator} generator: no warnings"
        + (f" beyond {allowed} unsupported media types" if allowed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
