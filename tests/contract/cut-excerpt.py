#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# cut-excerpt.py - cut the part of Linode's openapi.yaml that linode-token relies on, verbatim:
# the info block (version, licence, the rules on statuses, headers and rate limits), the path
# items /profile, /profile/tokens and /profile/tokens/{tokenId} (with or without the
# /{apiVersion} prefix the file has used since 4.189), and every component they reference,
# transitively. Lines are copied as they are, so the excerpt's line numbers can be cited;
# the result is checked to load to exactly the upstream subtrees.
#
#   git --git-dir=DIR show COMMIT:openapi.yaml > openapi.yaml     (the linode/linode-api-docs repository)
#   tests/contract/cut-excerpt.py openapi.yaml COMMIT > tests/contract/linode-openapi-VERSION.yaml
import re
import sys

import yaml

WANTED = ("/profile", "/profile/tokens", "/profile/tokens/{tokenId}")
PREFIXES = ("", "/{apiVersion}")
REF = re.compile(r"""\$ref:\s*['"]?#/components/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)""")


def indent(line):
    return len(line) - len(line.lstrip(" "))


def block(lines, start):
    """The lines of the mapping entry at lines[start]: to the next line at its indentation or
    less (a sequence item at the same indentation still belongs to it)."""
    n = indent(lines[start])
    end = start + 1
    while end < len(lines):
        s = lines[end]
        if s.strip() and (indent(s) < n or (indent(s) == n and not s.lstrip().startswith("- "))):
            break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def entries(lines, parent, depth):
    """{key: first line index} of the entries at depth (2 spaces a level) under top-level parent;
    parent may be "components/schemas"."""
    path = parent.split("/") if parent else []
    found, stack = {}, []
    for i, s in enumerate(lines):
        if not s.strip() or s.lstrip().startswith("#") or s.lstrip().startswith("- "):
            continue
        m = re.match(r"^( *)(['\"]?)([^'\":]+)\2:(\s|$)", s)
        if not m:
            continue
        level = len(m.group(1)) // 2
        if len(m.group(1)) % 2:
            continue
        del stack[level:]
        if len(stack) < level:
            continue
        stack.append(m.group(3))
        if level == depth and stack[:-1] == path:
            found[m.group(3)] = i
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: cut-excerpt.py OPENAPI.yaml UPSTREAM_COMMIT > excerpt.yaml")
    text = open(sys.argv[1], encoding="utf-8").read()
    lines = text.split("\n")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(text, Loader=loader)
    version = spec["info"]["version"]

    top = entries(lines, "", 0)
    paths = entries(lines, "paths", 1)
    keys = [p + w for w in WANTED for p in PREFIXES if p + w in paths]
    if len(keys) != len(WANTED):
        sys.exit("cut-excerpt: not all of %s are in %s" % (", ".join(WANTED), sys.argv[1]))
    out_paths = [block(lines, paths[k]) for k in keys]

    # Components: what the path items reference, then what those reference, and the security
    # schemes their security requirements name.
    comp = {}
    want, done = [], set()
    for b in out_paths:
        want += REF.findall("\n".join(b))
    for item in [spec["paths"][k] for k in keys]:
        for op in item.values():
            for req in op.get("security", []) if isinstance(op, dict) else []:
                want += [("securitySchemes", name) for name in req]
    while want:
        kind, name = want.pop()
        if (kind, name) in done:
            continue
        done.add((kind, name))
        if kind not in comp:
            comp[kind] = entries(lines, "components/" + kind, 2)
        if name not in comp[kind]:
            sys.exit("cut-excerpt: #/components/%s/%s is referenced but not defined" % (kind, name))
        want += REF.findall("\n".join(block(lines, comp[kind][name])))

    out = [
        "# An excerpt of openapi.yaml from https://github.com/linode/linode-api-docs",
        "# upstream commit %s, info.version %s" % (sys.argv[2], version),
        "# Licensed under the Apache License, Version 2.0 (tests/contract/LICENSE-linode-api-docs,",
        "# the upstream LICENSE.txt). The lines below are upstream's, unchanged, only selected: the",
        "# info block, the path items of %s and every component they" % ", ".join(WANTED),
        "# reference. Cut by tests/contract/cut-excerpt.py; do not edit by hand.",
    ]
    out += block(lines, top["openapi"]) + block(lines, top["info"]) + ["paths:"]
    for b in out_paths:
        out += b
    if done:
        out.append("components:")
        for kind in sorted(comp):
            names = sorted(n for k, n in done if k == kind)
            if names:
                out.append("  %s:" % kind)
                for n in names:
                    out += block(lines, comp[kind][n])
    excerpt = "\n".join(out) + "\n"

    # Verbatim means: it loads to exactly the upstream subtrees.
    got = yaml.load(excerpt, Loader=loader)
    assert got["info"] == spec["info"], "info differs"
    for k in keys:
        assert got["paths"][k] == spec["paths"][k], "path %s differs" % k
    for kind, name in done:
        assert got["components"][kind][name] == spec["components"][kind][name], "%s/%s differs" % (kind, name)
    sys.stdout.write(excerpt)


if __name__ == "__main__":
    main()
