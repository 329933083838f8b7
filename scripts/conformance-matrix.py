#!/usr/bin/env python3
"""Builds the checklist-item x provider matrix of docs/conformance.md from TRX files.

Usage: conformance-matrix.py <trx-dir> <catalogue.cs> > matrix.md
An item passes on a provider when at least one of its SpecNNN_ tests passed there and none failed;
it is skipped when its tests were all skipped (the reason is the first skip message), and
not applicable when it has no test and the suite's catalogue names it with a reason.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
AREAS = ["Controller", "Export", "Publish", "Import", "DataAccess", "ScatterGather", "Map",
         "Barrier", "Events", "LockOperations", "Lifetime", "Concurrency", "Compliance"]


def read_areas(catalogue):
    """Adds the members of the ConformanceArea enum (ConformanceArea.cs beside the catalogue) to AREAS."""
    path = os.path.join(os.path.dirname(os.path.abspath(catalogue)), "ConformanceArea.cs")
    if not os.path.exists(path):
        return
    body = open(path, encoding="utf-8").read()
    body = re.sub(r"///.*", "", body)
    m = re.search(r"enum\s+ConformanceArea\s*\{(.*?)\}", body, re.S)
    if m:
        for name in re.findall(r"^\s*(\w+)\s*(?:=\s*\w+\s*)?,?\s*$", m.group(1), re.M):
            if name not in AREAS:
                AREAS.insert(len(AREAS) - 1, name)


def provider_of(class_name):
    simple = class_name.rsplit(".", 1)[-1]
    # Longest area names first, so that an area whose name ends another's is not cut short.
    for area in sorted(AREAS, key=len, reverse=True):
        suffix = area + "ConformanceTests"
        if simple.endswith(suffix):
            return simple[: -len(suffix)]
    return None


def read_catalogue(path):
    """Reads (item, [capability,] reason) tuples of ConformanceCatalogue.cs, resolving its string constants."""
    source = open(path, encoding="utf-8").read()
    constants = {m.group(1): m.group(2) for m in re.finditer(r'const string (\w+) = "((?:[^"\\]|\\.)*)";', source)}
    entries = {}
    for m in re.finditer(r'^\s*\((\d+),\s*(?:ConformanceCapabilities\.(\w+),\s*)?(.*?)\),\s*$', source, re.M):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"|(\w+)', m.group(3))
        reason = "".join(text if text or not name else constants.get(name, "") for text, name in parts)
        if m.group(2):
            reason = f"needs {m.group(2)}: {reason}"
        entries.setdefault(int(m.group(1)), []).append(reason)
    return {item: " / ".join(reasons) for item, reasons in entries.items()}


def main():
    trx_dir, catalogue = sys.argv[1], sys.argv[2]
    read_areas(catalogue)
    results = {}  # (item, provider) -> list of (outcome, message)
    providers = set()
    for path in sorted(glob.glob(f"{trx_dir}/**/*.trx", recursive=True)):
        # .ci/run repeats the Loopback suite as an unprivileged user; its results form a column of their own.
        run = " (uid 65534)" if "unprivileged" in path else ""
        root = ET.parse(path).getroot()
        classes, methods = {}, {}
        for ut in root.iterfind(".//t:UnitTest", NS):
            tm = ut.find("t:TestMethod", NS)
            classes[ut.get("id")] = tm.get("className")
            methods[ut.get("id")] = tm.get("name")
        for r in root.iterfind(".//t:UnitTestResult", NS):
            # The method's own name: a skipped check's display name also carries its reason.
            name = methods.get(r.get("testId")) or r.get("testName").split(".")[-1]
            m = re.match(r"Spec(\d{3})_", name)
            provider = provider_of(classes.get(r.get("testId"), ""))
            if not m or not provider:
                continue
            provider += run
            providers.add(provider)
            msg = r.find(".//t:Output/t:ErrorInfo/t:Message", NS)
            text = (msg.text or "").strip() if msg is not None else ""
            text = re.sub(r"^Assert\.Inconclusive( failed)?\.\s*", "", text)
            results.setdefault((int(m.group(1)), provider), []).append((r.get("outcome"), text))

    not_applicable = read_catalogue(catalogue)

    providers = sorted(providers)
    items = sorted({i for i, _ in results} | set(not_applicable) | set(range(1, 163)))
    counts = {p: {"pass": 0, "skip": 0, "fail": 0, "n/a": 0, "extra": 0} for p in providers}
    lines = ["| item | " + " | ".join(providers) + " | note |", "|---:|" + "---|" * len(providers) + "---|"]
    for item in items:
        cells, notes = [], []
        for p in providers:
            outcomes = results.get((item, p), [])
            if any(o in ("Failed", "Error", "Timeout", "Aborted") for o, _ in outcomes):
                cell = "FAIL"
                counts[p]["fail"] += 1
            elif any(o == "Passed" for o, _ in outcomes):
                cell = "pass"
                counts[p]["pass" if item <= 162 else "extra"] += 1
                skipped = [t for o, t in outcomes if o != "Passed"]
                if skipped:
                    notes.append(f"{p}: partly skipped: {skipped[0]}")
                if item in not_applicable:
                    notes.append("not applicable in part: " + not_applicable[item])
            elif outcomes:
                cell = "skipped"
                counts[p]["skip"] += 1
                notes.append(f"{p}: {outcomes[0][1]}")
            elif item in not_applicable:
                cell = "n/a"
                counts[p]["n/a"] += 1
                notes.append(not_applicable[item])
            elif item > 162:
                cell = "not run"
                notes.append(f"{p}: the area of this check is declared not applicable by the provider's harness")
            else:
                cell = "missing"
            cells.append(cell)
        note = "; ".join(dict.fromkeys(n.replace("|", "/").replace("\n", " ") for n in notes))
        lines.append(f"| {item} | " + " | ".join(cells) + f" | {note} |")
    print("\n".join(lines))
    print()
    for p in providers:
        c = counts[p]
        print(f"- {p}: {c['pass']} of the 162 checklist items pass, {c['skip']} are skipped, {c['n/a']} are not applicable, "
              f"{c['fail']} fail; {c['extra']} items beyond the checklist (200 and up) pass.")


if __name__ == "__main__":
    main()
