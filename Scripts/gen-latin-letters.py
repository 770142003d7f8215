#!/usr/bin/env python3
"""Write Sources/BibKit/Core/LatinLetters.swift from Unicode's canonical decompositions.

    python3 Scripts/gen-latin-letters.py > Sources/BibKit/Core/LatinLetters.swift
"""
import unicodedata

ACCENTS = {'\u0300': '`', '\u0301': "'", '\u0302': '^', '\u0303': '~', '\u0308': '"',
           '\u030A': 'r', '\u0327': 'c', '\u030C': 'v', '\u0306': 'u', '\u0304': '=',
           '\u0307': '.', '\u0328': 'k', '\u030B': 'H', '\u0323': 'd'}
# Letters with their own LaTeX command (or none) and an ASCII folding.
SPECIAL = {'ß': ('ss', 'ss'), 'æ': ('ae', 'ae'), 'Æ': ('AE', 'AE'), 'ø': ('o', 'o'),
           'Ø': ('O', 'O'), 'œ': ('oe', 'oe'), 'Œ': ('OE', 'OE'), 'ł': ('l', 'l'),
           'Ł': ('L', 'L'), 'ı': ('i', 'i'), 'ȷ': ('j', 'j'), 'å': ('aa', 'a'),
           'Å': ('AA', 'A'), 'đ': (None, 'd'), 'Đ': (None, 'D'), 'þ': (None, 'th'),
           'Þ': (None, 'Th'), 'ð': (None, 'd'), 'Ð': (None, 'D')}

rows = []
for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
    d = unicodedata.normalize('NFD', chr(cp))
    if len(d) == 2 and d[0].isascii() and d[0].isalpha() and d[1] in ACCENTS:
        rows.append((cp, d[0], ACCENTS[d[1]]))

print("// Generated from Unicode's canonical decompositions: Latin letters made of an ASCII")
print("// letter and one accent, with the LaTeX accent command that writes them. Do not edit by hand;")
print("// the generator is described in README.md (Development).")
print()
print("/// Accented Latin letters: code point → (ASCII base letter, LaTeX accent command).")
print("let latinAccented: [UInt32: (base: UInt8, accent: UInt8)] = [")
for cp, b, a in rows:
    esc = a.replace('\\', '\\\\').replace('"', '\\"')
    print(f'  0x{cp:04X}: (UInt8(ascii: "{b}"), UInt8(ascii: "{esc}")),')
print("]")
print()
print("/// Letters that are not an ASCII letter plus an accent: code point → (LaTeX command or nil,")
print("/// ASCII folding).")
print("let latinSpecial: [UInt32: (latex: String?, ascii: String)] = [")
for ch, (tex, asc) in SPECIAL.items():
    t = 'nil' if tex is None else '"' + tex + '"'
    print(f'  0x{ord(ch):04X}: ({t}, "{asc}"),  // {ch}')
print("]")
