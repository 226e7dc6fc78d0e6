"""Fake personal data for the synthetic exports: BSNs, surnames, caseworkers, staff ids, free text.

Real exports carry personal data beside the facts the chain needs (a BSN, a surname, the name of
the caseworker, a phone number typed into a remark). The adapters may read these columns but must
never pass them on, and the only way to test that is to plant realistic personal data in the raw
files and then look for it in everything downstream. Everything here is fake: BSNs pass the
11-proef (so a validator cannot tell them apart) but are drawn at random, names come from short
lists of common names, phone numbers use the ordinary Dutch layouts. All functions draw from the
``rng`` they are given, so a seed reproduces the same people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

BSN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)

DUTCH_SURNAMES: tuple[str, ...] = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
    "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "Prins",
    "Blom", "Huisman", "Peeters", "Kuipers", "van Wijk", "Postma", "Kramer", "van den Bosch",
)  # fmt: skip

DUTCH_FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Sanne", "Lotte", "Eva", "Fleur", "Iris", "Marloes", "Esther", "Karin", "Monique",
    "Ingrid", "Petra", "Fatima", "Nadia", "Samira", "Jan", "Pieter", "Kees", "Thijs", "Bas",
    "Ruben", "Daan", "Mark", "Erik", "Sander", "Jeroen", "Mohamed", "Youssef", "Kevin", "Tom",
)  # fmt: skip

# Surnames by the region a nationality belongs to, so that a household's name fits its origin.
FOREIGN_SURNAMES: dict[str, tuple[str, ...]] = {
    "arabic": (
        "Al-Hassan", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Al-Ahmad",
        "Ibrahim", "Othman", "Yousef", "Darwish", "Shami", "Kassem", "Al-Khatib", "Abdallah",
        "Hussein", "Mahmoud", "Suleiman", "Qasim", "Ayoub", "Barakat", "Hamid", "Jaber",
    ),
    "eritrean": (
        "Tesfaye", "Gebremariam", "Haile", "Kidane", "Tekle", "Berhane", "Woldemichael", "Asfaha",
        "Ghebreyesus", "Mehari", "Yohannes", "Habte", "Ogbazghi", "Tsegay", "Andemariam",
    ),
    "afghan_iranian": (
        "Ahmadi", "Rahimi", "Karimi", "Hosseini", "Mohammadi", "Sultani", "Popal", "Nazari",
        "Rezaei", "Jafari", "Azizi", "Noori", "Safi", "Stanekzai", "Sadat", "Hakimi", "Amiri",
    ),
    "turkish": (
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan",
        "Doğan", "Kılıç", "Aslan", "Korkmaz", "Kurt", "Özdemir", "Polat",
    ),
    "somali": (
        "Mohamed", "Abdi", "Warsame", "Farah", "Hassan", "Osman", "Jama", "Hersi", "Dahir",
        "Egal", "Nur", "Ismail", "Aden", "Gedi",
    ),
    "west_african": (
        "Okafor", "Adeyemi", "Eze", "Nwosu", "Balogun", "Okonkwo", "Ogunleye", "Chukwu", "Bello",
        "Afolabi",
    ),
    "latin": (
        "García", "Rodríguez", "Martínez", "López", "Gómez", "Pérez", "Sánchez", "Ramírez",
        "Torres", "Díaz", "Vargas", "Castro",
    ),
    "georgian": (
        "Beridze", "Kapanadze", "Gelashvili", "Maisuradze", "Giorgadze", "Lomidze", "Tsiklauri",
        "Bolkvadze", "Khutsishvili",
    ),
}  # fmt: skip

NATIONALITY_REGION: dict[str, str] = {
    "Syrië": "arabic",
    "Jemen": "arabic",
    "Irak": "arabic",
    "Soedan": "arabic",
    "Marokko": "arabic",
    "Algerije": "arabic",
    "Stateloos": "arabic",
    "Eritrea": "eritrean",
    "Afghanistan": "afghan_iranian",
    "Iran": "afghan_iranian",
    "Turkije": "turkish",
    "Somalië": "somali",
    "Nigeria": "west_african",
    "Colombia": "latin",
    "Georgië": "georgian",
}

# Remarks without personal data: what a COA employee writes most of the time, if anything.
HARMLESS_REMARKS: tuple[str, ...] = (
    "Verhuizing in overleg",
    "Op verzoek van bewoner",
    "Medische indicatie",
    "Capaciteitsoverplaatsing",
    "Gezinshereniging",
    "Zie dossier",
    "Plaatsing conform planning",
    "Sleutels ingeleverd",
)

# Remarks that carry a name or a phone number: the personal data the adapters must not pass on.
PLANTED_REMARKS: tuple[str, ...] = (
    "Contact via {caseworker}, tel. {phone}",
    "Bewoner bereikbaar op {phone}",
    "Familie {surname} komt op bezoek",
    "Overleg met {caseworker} over verhuizing",
    "Mw. {surname} belt terug op {phone}",
    "Sleuteloverdracht door {caseworker}",
    "Broer van dhr. {surname} haalt spullen op",
    "Tolk geregeld, bellen naar {phone}",
)

# What a phone number in the generated text looks like; tests search for leaks with it.
PHONE_PATTERN = re.compile(r"(?:\+31 6 \d{8}|06-?\d{8}|0\d{2}-\d{7})")


def bsn_is_valid(bsn: str) -> bool:
    """Whether a 9-digit string passes the 11-proef (the check every BSN satisfies)."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    digits = [int(c) for c in bsn]
    total = sum(w * d for w, d in zip(BSN_WEIGHTS.tolist(), digits[:8], strict=True)) - digits[8]
    return total % 11 == 0


def generate_bsns(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct random BSNs that pass the 11-proef, as 9-character strings.

    The first eight digits are drawn; the ninth is the one that makes the weighted sum divisible
    by 11, and a draw whose check digit would have to be 10 is thrown away, as the real number
    issuer does.
    """
    found: dict[str, None] = {}
    while len(found) < n:
        m = 2 * (n - len(found)) + 16
        digits = rng.integers(0, 10, size=(m, 8), dtype=np.int64)
        digits[:, 0] = rng.integers(1, 7, size=m)
        check = (digits @ BSN_WEIGHTS) % 11
        ok = check < 10
        full = np.concatenate([digits[ok], check[ok, None]], axis=1)
        for row in full.astype(str):
            found.setdefault("".join(row), None)
            if len(found) == n:
                break
    return np.array(list(found), dtype=object)


def surnames_for(rng: np.random.Generator, nationalities: Sequence[str]) -> np.ndarray:
    """A surname per person that fits the person's nationality (Dutch country name)."""
    nationalities = np.asarray(nationalities, dtype=object)
    out = np.empty(len(nationalities), dtype=object)
    regions = np.array([NATIONALITY_REGION.get(str(x), "") for x in nationalities], dtype=object)
    every = tuple(name for names in FOREIGN_SURNAMES.values() for name in names)
    for region in sorted(set(regions.tolist())):
        mask = regions == region
        pool = FOREIGN_SURNAMES.get(region, every)
        out[mask] = np.array(pool, dtype=object)[rng.integers(0, len(pool), int(mask.sum()))]
    return out


def caseworker_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct caseworker names such as ``S. de Vries`` or ``Fatima Bakker``."""
    names: dict[str, None] = {}
    while len(names) < n:
        first = DUTCH_FIRST_NAMES[int(rng.integers(len(DUTCH_FIRST_NAMES)))]
        last = DUTCH_SURNAMES[int(rng.integers(len(DUTCH_SURNAMES)))]
        name = f"{first[0]}. {last}" if rng.random() < 0.5 else f"{first} {last}"
        names.setdefault(name, None)
    return list(names)


def staff_ids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct staff ids ``MW`` + 6 digits, as the IND case system writes them."""
    numbers = rng.choice(900_000, size=n, replace=False) + 100_000
    return [f"MW{int(x)}" for x in numbers]


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` Dutch phone numbers in the layouts people type (mobile with or without dash, +31)."""
    mobile = rng.integers(10_000_000, 100_000_000, size=n)
    landline = rng.integers(1_000_000, 10_000_000, size=n)
    area = np.array(["010", "020", "030", "040", "050", "070"], dtype=object)[
        rng.integers(0, 6, size=n)
    ]
    layout = rng.integers(0, 4, size=n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        m, kind = int(mobile[i]), int(layout[i])
        if kind == 0:
            out[i] = f"06-{m}"
        elif kind == 1:
            out[i] = f"06{m}"
        elif kind == 2:
            out[i] = f"+31 6 {m}"
        else:
            out[i] = f"{area[i]}-{int(landline[i])}"
    return out


def harmless_remarks(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` remarks without personal data, drawn from :data:`HARMLESS_REMARKS`."""
    pool = np.array(HARMLESS_REMARKS, dtype=object)
    return pool[rng.integers(0, len(pool), size=n)]


def planted_remarks(
    rng: np.random.Generator, surnames: Sequence[str], caseworkers: Sequence[str]
) -> np.ndarray:
    """One remark per given surname that names a person or gives a phone number.

    ``surnames`` are the surnames of the residents the rows are about, ``caseworkers`` a pool of
    staff names; every template carries at least one of a name and a phone number.
    """
    n = len(surnames)
    templates = rng.integers(0, len(PLANTED_REMARKS), size=n)
    phones = phone_numbers(rng, n)
    workers = rng.integers(0, len(caseworkers), size=n) if len(caseworkers) else np.zeros(n, int)
    out = np.empty(n, dtype=object)
    for i in range(n):
        worker = caseworkers[int(workers[i])] if len(caseworkers) else "mw. Jansen"
        out[i] = PLANTED_REMARKS[int(templates[i])].format(
            caseworker=worker, phone=phones[i], surname=surnames[i]
        )
    return out
