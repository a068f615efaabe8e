#!/usr/bin/env python3
"""cellcolours.py - what colour each cell of a tmux pane shows.

Reads `tmux capture-pane -p -e` from stdin and follows its SGR escapes
(30-37/40-47, 38;5;N/48;5;N, 38;2;R;G;B/48;2;R;G;B, 39/49, 0, 7 reverse) to
the colours every cell shows.  For a cell with a half block (upper or lower)
both halves count; a space shows its background alone, a full block its
foreground.

  cellcolours.py X0 X1 Y0 Y1      the colours seen in columns [X0, X1) of
                                  lines [Y0, Y1), one per line, as
                                  "r,g,b count" (xterm indices turned to RGB)
"""
import re
import sys


def xterm_rgb(i):
    base = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
            (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
            (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
    if i < 16:
        return base[i]
    if i < 232:
        i -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[i // 36], steps[i // 6 % 6], steps[i % 6])
    g = 8 + 10 * (i - 232)
    return (g, g, g)


def parse_sgr(params, state):
    nums = [int(p) if p else 0 for p in params.split(';')] if params else [0]
    i = 0
    while i < len(nums):
        n = nums[i]
        if n == 0:
            state['fg'] = state['bg'] = None
            state['rev'] = False
        elif n == 7:
            state['rev'] = True
        elif n == 27:
            state['rev'] = False
        elif 30 <= n <= 37:
            state['fg'] = xterm_rgb(n - 30)
        elif 40 <= n <= 47:
            state['bg'] = xterm_rgb(n - 40)
        elif 90 <= n <= 97:
            state['fg'] = xterm_rgb(n - 90 + 8)
        elif 100 <= n <= 107:
            state['bg'] = xterm_rgb(n - 100 + 8)
        elif n == 39:
            state['fg'] = None
        elif n == 49:
            state['bg'] = None
        elif n in (38, 48) and i + 1 < len(nums):
            key = 'fg' if n == 38 else 'bg'
            if nums[i + 1] == 5 and i + 2 < len(nums):
                state[key] = xterm_rgb(nums[i + 2])
                i += 2
            elif nums[i + 1] == 2 and i + 4 < len(nums):
                state[key] = tuple(nums[i + 2:i + 5])
                i += 4
        i += 1


def cells(text):
    """Lines of (char, fg, bg) per cell."""
    state = {'fg': None, 'bg': None, 'rev': False}
    grid = []
    for line in text.split('\n'):
        row = []
        pos = 0
        while pos < len(line):
            m = re.match(r'\x1b\[([0-9;]*)m', line[pos:])
            if m:
                parse_sgr(m.group(1), state)
                pos += m.end()
                continue
            if line[pos] == '\x1b':
                m = re.match(r'\x1b[^a-zA-Z]*[a-zA-Z]', line[pos:])
                pos += m.end() if m else 1
                continue
            fg, bg = state['fg'], state['bg']
            if state['rev']:
                fg, bg = bg, fg
            row.append((line[pos], fg, bg))
            pos += 1
        grid.append(row)
    return grid


def seen(grid, x0, x1, y0, y1):
    counts = {}
    for y in range(y0, min(y1, len(grid))):
        for x in range(x0, min(x1, len(grid[y]))):
            ch, fg, bg = grid[y][x]
            if ch in '\u2580\u2584':
                shown = [fg, bg]
            elif ch == '\u2588':
                shown = [fg]
            elif ch == ' ':
                shown = [bg]
            else:
                shown = [fg, bg]
            for c in shown:
                if c is not None:
                    counts[c] = counts.get(c, 0) + 1
    return counts


def main():
    x0, x1, y0, y1 = (int(a) for a in sys.argv[1:5])
    grid = cells(sys.stdin.read())
    for colour, n in sorted(seen(grid, x0, x1, y0, y1).items(), key=lambda kv: -kv[1]):
        print('%d,%d,%d %d' % (colour + (n,)))


if __name__ == '__main__':
    main()
