#!/usr/bin/env python3
"""Prints 'N passed, N failed, N skipped' from meson testlog.json files.

Usage: testlog-summary.py [--prefix WORD] TESTLOG.json...

One entry per meson test (a pytest or TAP test counts once, whatever its
subtests). Exits 1 when a test failed or none passed.
"""

import json
import sys


def main(argv):
    prefix = ''
    if len(argv) > 2 and argv[1] == '--prefix':
        prefix = argv[2] + ' '
        argv = argv[2:]
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    for path in argv[1:]:
        with open(path, encoding='utf-8') as log:
            for line in log:
                if not line.strip():
                    continue
                result = json.loads(line)['result']
                if result in ('OK', 'EXPECTEDFAIL'):
                    counts['passed'] += 1
                elif result == 'SKIP':
                    counts['skipped'] += 1
                else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...
                    counts['failed'] += 1
    print('{}{passed} passed, {failed} failed, {skipped} skipped'.format(prefix, **counts))
    return 1 if counts['failed'] or not counts['passed'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
