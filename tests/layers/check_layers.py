#!/usr/bin/python3
"""Fails on any include in src/ that points up the layer list.

The layers are the folders of src/, bottom first, in the order of the table under "## Layers"
in src/ARCHITECTURE.md: a file may include its own layer and the layers listed before it, never
one listed after it. A folder missing from the table fails too. Upward includes the team has
decided to live with for now are listed under "## Known upward includes" in the same file, one
"- `src/FILE` -> `INCLUDE`: why" line each; a listed one that no longer exists fails as well, so
the list only shrinks. Quoted includes only ("layer/file.hpp", or a file
beside the includer); system and library includes (<...>) are not ours.

Usage: check_layers.py SOURCE_ROOT
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
TABLE_ROW = re.compile(r'^\|\s*`([a-z_]+)/`')
KNOWN_ROW = re.compile(r'^-\s*`([^`]+)`\s*->\s*`([^`]+)`:\s*(.*)$')


def layer_order(architecture):
    """Folders in the order the Layers table lists them (a folder listed twice keeps its first row)."""
    order = []
    in_layers = False
    for line in architecture.read_text().splitlines():
        if line.startswith('## '):
            in_layers = line.startswith('## Layers')
            continue
        m = TABLE_ROW.match(line) if in_layers else None
        if m and m.group(1) not in order:
            order.append(m.group(1))
    return order


def known_upward(architecture):
    """{(file, include): why} from the "## Known upward includes" section."""
    known = {}
    in_known = False
    for line in architecture.read_text().splitlines():
        if line.startswith('## '):
            in_known = line.startswith('## Known upward includes')
            continue
        m = KNOWN_ROW.match(line) if in_known else None
        if m:
            known[(m.group(1), m.group(2))] = m.group(3)
    return known


def include_graph(src):
    """(file, line, include, layer of the file, layer of the include or None when unresolved)."""
    for path in sorted(src.rglob('*')):
        if path.suffix not in ('.hpp', '.cpp', '.h', '.in') or not path.is_file():
            continue
        text = path.read_text()
        own = path.relative_to(src).parts[0]
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            line = text.count('\n', 0, m.start()) + 1
            first = target.split('/')[0]
            if '/' in target and (src / first).is_dir():
                yield path, line, target, own, first
            elif (path.parent / target).exists() or (path.parent / (target + '.in')).exists():
                yield path, line, target, own, own  # beside the includer (or generated from a template there)
            else:
                yield path, line, target, own, None


def main():
    root = pathlib.Path(sys.argv[1])
    src = root / 'src'
    order = layer_order(src / 'ARCHITECTURE.md')
    known = known_upward(src / 'ARCHITECTURE.md')
    used = set()
    problems = []
    folders = sorted(p.name for p in src.iterdir() if p.is_dir())
    for f in folders:
        if f not in order:
            problems.append(f'src/{f}/: a folder the Layers table of src/ARCHITECTURE.md does not list')
    edges = 0
    for path, line, target, own, layer in include_graph(src):
        where = f'{path.relative_to(root)}:{line}: #include "{target}"'
        if layer is None:
            problems.append(f'{where}: resolves to no file in src/ (write includes as "layer/file.hpp")')
        elif own in order and layer in order and order.index(layer) > order.index(own):
            key = (str(path.relative_to(root)), target)
            if key in known:
                used.add(key)
                print(f'{where}: known upward include, listed in src/ARCHITECTURE.md ({known[key]})')
                continue
            problems.append(f'{where}: upward include: {own}/ (layer {order.index(own) + 1}) may not include '
                            f'{layer}/ (layer {order.index(layer) + 1}), which the Layers table of src/ARCHITECTURE.md '
                            f'lists after it')
        edges += 1
    for key in sorted(set(known) - used):
        problems.append(f'{key[0]} -> "{key[1]}": listed under Known upward includes in src/ARCHITECTURE.md but no longer '
                        f'there: remove the line')
    print(f'layers, bottom to top: {" < ".join(order)}')
    print(f'{edges} quoted includes checked in {len(folders)} folders')
    for p in problems:
        print(p)
    if problems:
        print(f'FAIL: {len(problems)} include(s) against the layer order')
        return 1
    print('OK: every include points down the layer list')
    return 0


if __name__ == '__main__':
    sys.exit(main())
