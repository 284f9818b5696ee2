"""Type-checks the response bodies `scenario.py` recorded against the TypeScript types
openapi-typescript generated, as a TypeScript client would receive them.

    python3 typecheck.py <bodies.json> <dir holding schema.d.ts> <tsc> <openapi.json>

Each body becomes an object literal typed as
`operations["<operationId>"]["responses"][<status>]["content"]["<media type>"]`, one
file per operation, checked with `tsc --noEmit --strict`: a missing or mistyped field, a
field the schema does not declare (excess property), a value outside an enum, an
undocumented status or media type, each is an error. Operations marked `tsc:<id>` in
known_defects.py must fail (see there). Exits non-zero when a check fails.
"""

import json
import os
import re
import subprocess
import sys
from collections import defaultdict

from known_defects import KNOWN_DEFECTS

PER_ANSWER = 25  # distinct bodies kept per operation, status and media type


def main(bodies_path, out_dir, tsc, spec_path):
    with open(bodies_path, encoding="utf-8") as f:
        bodies = json.load(f)
    by_operation = defaultdict(list)
    seen = set()
    counts = defaultdict(int)
    for b in bodies:
        key = (b["operation"], b["status"], b["media_type"])
        text = json.dumps(b["body"], ensure_ascii=False, sort_keys=True)
        if (key, text) in seen or counts[key] >= PER_ANSWER:
            continue
        seen.add((key, text))
        counts[key] += 1
        by_operation[b["operation"]].append((b["status"], b["media_type"], text))

    os.makedirs(os.path.join(out_dir, "bodies"), exist_ok=True)
    for operation, answers in sorted(by_operation.items()):
        lines = ['import type { operations } from "../schema";', ""]
        for n, (status, media_type, text) in enumerate(answers):
            lines.append(
                f'export const body{n}: operations["{operation}"]["responses"][{status}]'
                f'["content"]["{media_type}"] = {text};'
            )
        with open(os.path.join(out_dir, "bodies", f"{operation}.ts"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    files = sorted(f"bodies/{operation}.ts" for operation in by_operation)
    run = subprocess.run(
        [
            tsc,
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            *files,
        ],
        cwd=out_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = defaultdict(list)
    current = None
    for line in run.stdout.splitlines():
        match = re.match(r"^(\S+?\.ts)\(\d+,\d+\): error", line)
        if match:
            current = match.group(1)
            errors[current].append(line)
        elif current and line.startswith(" "):
            errors[current][-1] += "\n" + line
    if run.returncode != 0 and not errors:
        print(run.stdout, run.stderr)
        return 1

    failed = passed = known = 0
    for operation in sorted(by_operation):
        mark = KNOWN_DEFECTS.get(f"tsc:{operation}")
        found = errors.pop(f"bodies/{operation}.ts", [])
        if found and mark:
            known += 1
            print(
                f"known defect: tsc:{operation}: {mark} ({len(found)} errors, first: "
                f"{found[0].splitlines()[0]})"
            )
        elif found:
            failed += 1
            print(f"FAILED: tsc:{operation}: {len(found)} errors")
            for e in found[:5]:
                print("  " + e[:600].replace("\n", "\n  "))
        elif mark:
            failed += 1
            print(f"FAILED: tsc:{operation} passes now: remove its mark from known_defects.py")
        else:
            passed += 1
    for file, found in errors.items():  # the generated types themselves
        failed += 1
        print(f"FAILED: {file}: {len(found)} errors, first: {found[0][:600]}")

    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    unread = sorted(
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method == "get"
        and "application/json" in op["responses"].get("200", {}).get("content", {})
        and op["operationId"] not in by_operation
    )
    # Only GETs that answer JSON: the pages a following link opens are HTML, for
    # people, and no client generator types them.
    if unread:
        # A JSON operation the scenario never read is one whose types nobody checked.
        failed += 1
        print(f"FAILED: no body recorded for {', '.join(unread)}: read it in scenario.py")
    total = sum(len(a) for a in by_operation.values())
    print(
        f"clients: tsc --strict on {total} bodies of {len(by_operation)} operations: "
        f"{passed} passed, {failed} failed, {known} known defects"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
