#!/usr/bin/env python3
"""Lists C functions longer than a limit.

    tools/fn-lengths.py [--limit N] [PATH ...]      (default: 80, src)

A function is a definition whose body opens with "{" in column 0 and
closes with "}" in column 0 (the house style); its length counts the
lines from the line holding its name to the closing brace. Prints
"LINES FILE:LINE NAME" for each function over the limit, longest
first, then a line "N functions over LIMIT lines (of M)".
"""
import os
import re
import sys

NAME = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')


def functions(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].startswith('{'):
            # the name: the last identifier before "(" on the nearest
            # preceding line(s) that start the declarator
            start = i - 1
            while start > 0 and '(' not in lines[start]:
                start -= 1
            while start > 0 and lines[start][:1] in (' ', '\t') \
                    and lines[start - 1].strip() \
                    and not lines[start - 1].rstrip().endswith((';', '}', '*/')):
                start -= 1
            m = NAME.search(lines[start]) if start >= 0 else None
            name = m.group(1) if m else '?'
            j = i + 1
            while j < len(lines) and not lines[j].startswith('}'):
                j += 1
            yield name, start + 1, j - start + 1
            i = j
        i += 1


def main(argv):
    limit = 80
    if len(argv) >= 2 and argv[0] == '--limit':
        limit = int(argv[1])
        argv = argv[2:]
    roots = argv or ['src']
    found, total = [], 0
    for root in roots:
        paths = [root] if os.path.isfile(root) else sorted(
            os.path.join(d, n) for d, _, ns in os.walk(root) for n in ns
            if n.endswith('.c'))
        for p in paths:
            for name, line, n in functions(p):
                total += 1
                if n > limit:
                    found.append((n, p, line, name))
    for n, p, line, name in sorted(found, key=lambda t: (-t[0], t[1], t[2])):
        print(f'{n:5d} {p}:{line} {name}')
    print(f'{len(found)} functions over {limit} lines (of {total})')


if __name__ == '__main__':
    main(sys.argv[1:])
