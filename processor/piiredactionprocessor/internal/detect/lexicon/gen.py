#!/usr/bin/env python3
"""Regenerates words.tsv.gz, the lexicon embedded by the PERSON and STREET_ADDRESS detectors.

Sources (see ../../../README.md, section "Lexicon data"):
  - Faker (Python, MIT licence): person and address providers of every locale
      pip install faker==40.54.0
  - SCOWL via Debian's wamerican-small (permissive SCOWL licence): common English words
      apt-get install wamerican-small   -> /usr/share/dict/american-english-small
  - stop.txt and places.txt in this directory (written for this project): capitalised words
    that are not people, and well-known places

Usage: python3 gen.py   (writes words.tsv.gz next to this file, deterministic)

Each line is "word<TAB>flags", word lower-cased (multi-word places keep their single spaces), flags from:
  g given name, f family name, w common English word, p place (city, country, region),
  s listed in stop.txt, n a street name (single word) from Faker's street lists,
  q the first word of a multi-word place.
"""
import gzip, importlib, io, os, pkgutil, re, unicodedata

import faker.providers.address as A
import faker.providers.person as P

HERE = os.path.dirname(os.path.abspath(__file__))
WORD = re.compile(r"^[^\W\d_]+(?:['’][^\W\d_]+)?$")  # letters, optionally one apostrophe


def strings(v):
    if isinstance(v, dict):
        v = list(v.keys())
    if isinstance(v, (list, tuple)):
        return [x for x in v if isinstance(x, str)]
    return []


def providers(pkg):
    for m in pkgutil.iter_modules(pkg.__path__):
        prov = getattr(importlib.import_module(pkg.__name__ + "." + m.name), "Provider", None)
        if prov is not None:
            yield m.name, prov


flags = {}


def add(word, flag):
    word = unicodedata.normalize("NFC", word.strip()).lower()
    if len(word) < 2 or not all(WORD.match(w) for w in word.split(" ")):
        return
    flags.setdefault(word, set()).add(flag)


PLACE_ATTRS = re.compile(r"^(cities|city_names|real_city_names|countries|states|provinces|regions|counties|towns|"
                         r"villages|districts|localities|settlements|communes|concelhos|freguesias|bairros|"
                         r"municipalities|prefectures|departments|boroughs|wilayas|region_.*)$")
STREET_ATTRS = re.compile(r"^(streets|street_names|street_titles|street_titles_.*|streets_.*|common_street_names|"
                          r"frequent_street_names|plant_street_names|road_names)$")

for _, prov in providers(P):
    for attr in dir(prov):
        if attr.startswith("_"):
            continue
        if re.match(r"^(first_|middle_)", attr) and "format" not in attr:
            flag = "g"
        elif re.match(r"^(last_|male_last|unisex_last)", attr) and "format" not in attr:
            flag = "f"
        else:
            continue
        for name in strings(getattr(prov, attr)):
            for tok in re.split(r"[\s\-]+", name):
                add(tok, flag)

for _, prov in providers(A):
    for attr in dir(prov):
        if attr.startswith("_"):
            continue
        if PLACE_ATTRS.match(attr):
            for place in strings(getattr(prov, attr)):
                add(place, "p")  # multi-word places are matched as phrases
                if " " in place.strip():
                    add(place.split()[0], "q")
        elif STREET_ATTRS.match(attr):
            for street in strings(getattr(prov, attr)):
                if len(street.split()) == 1:
                    add(street, "n")

with open("/usr/share/dict/american-english-small", encoding="utf-8") as f:
    for line in f:
        w = line.strip()
        if w and w == w.lower() and "'" not in w:
            add(w, "w")

with open(os.path.join(HERE, "places.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.split("#", 1)[0].strip()
        if line:
            add(line, "p")
            if " " in line:
                add(line.split()[0], "q")

with open(os.path.join(HERE, "stop.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.split("#", 1)[0]
        for w in line.split():
            add(w, "s")

out = io.StringIO()
for w in sorted(flags):
    out.write(w + "\t" + "".join(sorted(flags[w])) + "\n")
data = out.getvalue().encode("utf-8")
with open(os.path.join(HERE, "words.tsv.gz"), "wb") as f:
    with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
        gz.write(data)
print(len(flags), "words,", len(data), "bytes raw")
