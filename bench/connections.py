"""A LinkedIn `Connections.csv`, generated: issue 22's 30,000-connection member, for the import scaling figure.

Pure and deterministic (a seeded `random.Random`): the same seed and size give the same bytes. The file is
what LinkedIn writes: its notes ("Notes:", the paragraph about missing emails, a blank line), then the header
`First Name,Last Name,URL,Email Address,Company,Position,Connected On`, then one row a connection, dates as
`14 Nov 2023`. The rows look like a real network: names from many countries (accents, apostrophes, a few
suffixes such as ", PhD" that need quoting), every row with its profile URL, most without an email (LinkedIn
shows only the addresses members chose to share), companies repeating with a long tail (a few employers
account for much of a network), a few rows with no company or position.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from collections import Counter
from datetime import date, timedelta

NOTES = (
    "Notes:",
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    "address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"',
    "",
)
HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
EMAIL_SHARE = 0.35  # connections who let their connections see their address
NO_COMPANY_SHARE = 0.06
FIRST_CONNECTION = date(2008, 3, 1)
LAST_CONNECTION = date(2025, 12, 31)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

FIRST = (
    "Ana", "Beatriz", "João", "Luís", "Mariana", "Rahul", "Priya", "Arjun", "Ananya", "Vikram", "Sneha", "Rohan",
    "Sophie", "Camille", "Léa", "Chloé", "Étienne", "François", "Hélène", "Amélie", "Daniel", "Margaret", "Thomas",
    "Sarah", "James", "Emily", "Michael", "Jessica", "David", "Laura", "Chris", "Katherine", "Lucas", "Mateo",
    "José", "María", "Sofía", "Martín", "Inés", "Camila", "Diego", "Valentina", "Chen", "Wei", "Mei", "Xiaoming",
    "Li", "Jing", "Hao", "Yan", "Fatima", "Omar", "Aisha", "Youssef", "Layla", "Khalid", "Noor", "Zainab",
    "Olivia", "Noah", "Emma", "Liam", "Ava", "Ethan", "Mia", "Jonas", "Jürgen", "Björn", "Søren", "Åsa",
    "Sven", "Ingrid", "Mikael", "Kwame", "Ngozi", "Chinedu", "Amara", "Kofi", "Adaeze", "Yuki", "Hiroshi",
    "Sakura", "Takeshi", "Haruto", "Yui", "Zoë", "Łukasz", "Małgorzata", "Paweł", "Agnieszka", "Tomáš", "Jiří",
    "Nguyễn", "Thảo", "Minh", "Ravi", "Leila", "Dariush", "Shirin", "Cem", "Ayşe", "Gökhan", "Elif", "Mehmet",
    "Grace", "Hannah", "Isabella", "Giulia", "Marco", "Francesca", "Luca", "Niamh", "Siobhán", "Seán", "Aoife",
    "Dmitri", "Olga", "Sergei", "Natalia", "Andrés", "Renée", "Zoltán", "Réka", "Eszter", "Ji-ho", "Seo-yeon",
    "Min-jun", "Tanvir", "Farhana", "Ifeoma", "Tendai", "Thandiwe", "Oluwaseun", "Bogdan", "Ioana", "Răzvan",
)  # fmt: skip
LAST = (
    "Souza", "Silva", "Oliveira", "Gonçalves", "Mehta", "Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta",
    "Laurent", "Dubois", "Moreau", "Lefèvre", "Girard", "Rousseau", "Smith", "Johnson", "Brown", "Taylor",
    "Anderson", "Clark", "Walker", "Wright", "Mitchell", "Kim", "Lee", "Park", "Choi", "Jung", "Okafor",
    "Adeyemi", "Mensah", "Nwosu", "Boateng", "Martínez", "García", "Fernández", "López", "Rodríguez", "Sánchez",
    "Pérez", "Gómez", "Muñoz", "Wei", "Wang", "Zhang", "Liu", "Chen", "Huang", "Zhao", "Haddad", "Khan", "Nasser",
    "Rahman", "Hussain", "Al-Farsi", "Schmidt", "Müller", "Schäfer", "Weber", "Becker", "Hoffmann", "Wagner",
    "Andersson", "Johansson", "Nilsson", "Sørensen", "Østergaard", "Lindqvist", "Tanaka", "Sato", "Suzuki",
    "Takahashi", "Watanabe", "Yamamoto", "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Dvořák", "Novák",
    "Nguyễn", "Trần", "Lê", "Phạm", "Cohen", "Levi", "Friedman", "Rossi", "Russo", "Bianchi", "Esposito",
    "Romano", "O'Connor", "O'Brien", "Murphy", "Ó Súilleabháin", "MacDonald", "Popescu", "Ionescu", "Dumitrescu",
    "Ivanov", "Petrova", "Smirnov", "Yılmaz", "Kaya", "Demir", "Şahin", "Ahmadi", "Hosseini", "Karimi", "Tehrani",
    "van der Berg", "de Vries", "Jansen", "Bakker", "Kovács", "Szabó", "Tóth", "Nagy", "Dlamini", "Ndlovu",
    "Moyo", "Banerjee", "Chatterjee", "Mukherjee", "Das", "Pereira", "Costa", "Carvalho", "Almeida",
)  # fmt: skip
SUFFIXES = (", PhD", ", MBA", ", CFA", ", PMP")  # LinkedIn's Last Name keeps them; the comma makes CSV quote it
COMPANY_STEMS = (
    "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Hooli", "Umbrella", "Stark", "Wayne", "Acme",
    "Tailspin", "Wingtip", "Lumen", "Atlas", "Nimbus", "Vertex", "Quantum", "Helix", "Orbit", "Cobalt",
    "Juniper", "Sequoia", "Aurora", "Zephyr", "Meridian", "Pinnacle", "Summit", "Horizon", "Catalyst", "Beacon",
    "Mercado", "Atelier", "Société", "Nordlicht", "Kōbō", "Sakura", "Banco", "Grupo", "Ōkami", "Zürich",
)  # fmt: skip
COMPANY_KINDS = (
    "Analytics", "Labs", "Health", "Systems", "Capital", "Consulting", "Software", "Bank", "Insurance",
    "Logistics", "Energy", "Media", "Robotics", "Foods", "Partners", "Technologies", "Numérique", "GmbH",
    "S.A.", "Ltd", "Inc.", "& Co.",
)  # fmt: skip
TITLES = (
    "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Principal Engineer", "Engineering Manager",
    "VP Engineering", "CTO", "Head of Product", "Product Manager", "Senior Product Manager", "Product Designer",
    "UX Researcher", "Data Scientist", "Data Engineer", "Machine Learning Engineer", "Recruiter",
    "Talent Acquisition Partner", "Director of Sales", "Account Executive", "Customer Success Manager",
    "Consultant", "Senior Consultant", "Partner", "Founder", "Co-Founder & CEO", "Investor", "Student",
    "Marketing Manager", "Head of Growth", "Chief of Staff", "Solutions Architect", "DevOps Engineer",
    "Site Reliability Engineer", "Security Engineer", "QA Engineer", "Technical Writer", "Analyst",
    "Ingénieure logiciel", "Gerente de Proyectos", "Softwareentwickler",
)  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me", "gmx.de")


def connections_csv(rows: int, seed: int = 22) -> str:
    """The text of a Connections.csv with `rows` connections (the newest first, as LinkedIn lists them)."""
    rng = random.Random(seed)
    companies = _companies(rng)
    weights = [1 / (rank + 1) for rank in range(len(companies))]  # Zipf: a few employers recur often
    span = (LAST_CONNECTION - FIRST_CONNECTION).days
    days = sorted((rng.randint(0, span) for _ in range(rows)), reverse=True)
    out = io.StringIO()
    out.write("\n".join(NOTES) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for i, day in enumerate(days):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = _slug(f"{first}-{last}")
        suffix = rng.choice(SUFFIXES) if rng.random() < 0.01 else ""
        email = f"{slug.replace('-', '.')}.{i}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < EMAIL_SHARE else ""
        working = rng.random() >= NO_COMPANY_SHARE
        writer.writerow(
            (
                first,
                last + suffix,
                f"https://www.linkedin.com/in/{slug}-{rng.randbytes(4).hex()}{i:x}",
                email,
                rng.choices(companies, weights)[0] if working else "",
                rng.choice(TITLES) if working else "",
                _linkedin_date(FIRST_CONNECTION + timedelta(days=day)),
            )
        )
    return out.getvalue()


def rows_of(text: str) -> list[list[str]]:
    """The connection rows of a generated file (what follows LinkedIn's notes and the header)."""
    reader = csv.reader(io.StringIO(text))
    for row in reader:
        if tuple(row) == HEADER:
            break
    return [row for row in reader if row]


def names(text: str) -> list[str]:
    """Each row's full name, as circleback joins First Name and Last Name."""
    return [f"{row[0]} {row[1]}".strip() for row in rows_of(text)]


def unique_name(text: str) -> str:
    """A name only one row has, and that no other row's name contains (however a command matches a name it is
    given, it finds exactly one contact)."""
    everyone = names(text)
    counts = Counter(_folded(name) for name in everyone)
    for name in everyone:
        key = _folded(name)
        if counts[key] == 1 and "," not in name and not any(key in other for other in counts if other != key):
            return name
    raise ValueError("every name in the file is shared by, or part of, another row's")


def _companies(rng: random.Random) -> list[str]:
    pairs = [f"{stem} {kind}" for stem in COMPANY_STEMS for kind in COMPANY_KINDS]
    rng.shuffle(pairs)
    return pairs[:300]


def _linkedin_date(day: date) -> str:
    return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"


def _folded(name: str) -> str:
    """The name without case or accents (Zoë and zoe are one name to a person typing it)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").casefold()


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c if c.isalnum() else "-" for c in plain.lower()).strip("-")
