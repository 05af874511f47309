"""Contact files as other products write them, written by the tests: LinkedIn's Connections.csv with its notes,
Google Contacts CSV (current and older column names), Outlook CSV (Outlook for Windows in English and German,
Outlook.com, Google's "Outlook CSV"), Thunderbird's address book CSV, vCards. The headers are the products' own,
complete and in their order (tests/fixtures/csv/ holds whole files as they write them).
"""

from __future__ import annotations

import csv
import io

# LinkedIn's own notes come first: a line, a quoted paragraph (commas and links in it), a blank line.
LINKEDIN_NOTES = [
    "Notes:",
    '"When exporting your connection data, some email addresses may be missing: you only see the addresses '
    "of connections who allow it (https://www.linkedin.com/psettings/privacy/email), and more is explained "
    'at https://www.linkedin.com/help/linkedin/answer/261"',
    "",
]
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"

GOOGLE_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
    "Address 1 - Label",
    "Address 1 - Formatted",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - PO Box",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
    "Address 1 - Extended Address",
    "Website 1 - Label",
    "Website 1 - Value",
]
GOOGLE_OLDER_HEADER = [
    "Name",
    "Given Name",
    "Additional Name",
    "Family Name",
    "Yomi Name",
    "Given Name Yomi",
    "Additional Name Yomi",
    "Family Name Yomi",
    "Name Prefix",
    "Name Suffix",
    "Initials",
    "Nickname",
    "Short Name",
    "Maiden Name",
    "Birthday",
    "Gender",
    "Location",
    "Billing Information",
    "Directory Server",
    "Mileage",
    "Occupation",
    "Hobby",
    "Sensitivity",
    "Priority",
    "Subject",
    "Notes",
    "Language",
    "Photo",
    "Group Membership",
    "E-mail 1 - Type",
    "E-mail 1 - Value",
    "Phone 1 - Type",
    "Phone 1 - Value",
    "Organization 1 - Type",
    "Organization 1 - Name",
    "Organization 1 - Yomi Name",
    "Organization 1 - Title",
    "Website 1 - Type",
    "Website 1 - Value",
]


# Outlook for Windows, English (Import/Export > Export to a file > Comma Separated Values): every cell quoted.
OUTLOOK_HEADER = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
    "Business Street", "Business Street 2", "Business Street 3", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home Street 2", "Home Street 3", "Home City",
    "Home State", "Home Postal Code", "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3",
    "Other City", "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone", "Business Fax",
    "Business Phone", "Business Phone 2", "Callback", "Car Phone", "Company Main Phone", "Home Fax", "Home Phone",
    "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone",
    "TTY/TDD Phone", "Telex", "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server", "E-mail Address", "E-mail Type",
    "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type", "E-mail 2 Display Name", "E-mail 3 Address",
    "E-mail 3 Type", "E-mail 3 Display Name", "Gender", "Government ID Number", "Hobby", "Home Address PO Box",
    "Initials", "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage", "Notes",
    "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority", "Private", "Profession",
    "Referred By", "Sensitivity", "Spouse", "User 1", "User 2", "User 3", "User 4", "Web Page",
]  # fmt: skip
# Outlook for Windows, German.
OUTLOOK_GERMAN_HEADER = [
    "Anrede", "Vorname", "Weitere Vornamen", "Nachname", "Suffix", "Firma", "Abteilung", "Position",
    "Straße geschäftlich", "Straße geschäftlich 2", "Straße geschäftlich 3", "Ort geschäftlich", "Region geschäftlich",
    "Postleitzahl geschäftlich", "Land/Region geschäftlich", "Straße privat", "Straße privat 2", "Straße privat 3",
    "Ort privat", "Bundesland/Kanton privat", "Postleitzahl privat", "Land/Region privat", "Weitere Straße",
    "Weitere Straße 2", "Weitere Straße 3", "Weiterer Ort", "Weiteres/r Bundesland/Kanton", "Weitere Postleitzahl",
    "Weiteres/e Land/Region", "Telefon Assistent", "Fax geschäftlich", "Telefon geschäftlich",
    "Telefon geschäftlich 2", "Rückmeldung", "Autotelefon", "Telefon Firma", "Fax privat", "Telefon (privat)",
    "Telefon (privat 2)", "ISDN", "Mobiltelefon", "Weiteres Fax", "Weiteres Telefon", "Pager", "Haupttelefon",
    "Mobiltelefon 2", "Telefon für Hörbehinderte", "Telex", "Abrechnungsinformation", "Assistent(in)", "Benutzer 1",
    "Benutzer 2", "Benutzer 3", "Benutzer 4", "Beruf", "Büro", "E-Mail-Adresse", "E-Mail-Typ",
    "E-Mail: Angezeigter Name", "E-Mail 2: Adresse", "E-Mail 2: Typ", "E-Mail 2: Angezeigter Name",
    "E-Mail 3: Adresse", "E-Mail 3: Typ", "E-Mail 3: Angezeigter Name", "Empfohlen von", "Geburtstag", "Geschlecht",
    "Hobby", "Initialen", "Internet Frei/Gebucht", "Jahrestag", "Kategorien", "Kinder", "Konto",
    "Name des/r Vorgesetzten", "Notizen", "Organisationsnr.", "Ort", "Partner/in", "Postfach geschäftlich",
    "Postfach privat", "Priorität", "Privat", "Reisekilometer", "Sozialversicherungsnr.", "Sprache", "Stichwörter",
    "Vertraulichkeit", "Verzeichnisserver", "Webseite", "Weiteres Postfach",
]  # fmt: skip
# Outlook.com's export (People > Manage > Export contacts).
OUTLOOK_COM_HEADER = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "Given Yomi", "Surname Yomi",
    "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone", "Home Phone 2", "Business Phone",
    "Business Phone 2", "Mobile Phone", "Car Phone", "Other Phone", "Primary Phone", "Pager", "Business Fax",
    "Home Fax", "Other Fax", "Company Main Phone", "Callback", "Radio Phone", "Telex", "TTY/TDD Phone", "IMAddress",
    "Job Title", "Department", "Company", "Office Location", "Manager's Name", "Assistant's Name", "Assistant's Phone",
    "Company Yomi", "Business Street", "Business City", "Business State", "Business Postal Code",
    "Business Country/Region", "Home Street", "Home City", "Home State", "Home Postal Code", "Home Country/Region",
    "Other Street", "Other City", "Other State", "Other Postal Code", "Other Country/Region", "Personal Web Page",
    "Spouse", "Schools", "Hobby", "Location", "Web Page", "Birthday", "Anniversary", "Notes",
]  # fmt: skip
# Google Contacts' "Outlook CSV" export.
OUTLOOK_GOOGLE_HEADER = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Initials", "Web Page", "Gender", "Birthday",
    "Anniversary", "Location", "Language", "Internet Free Busy", "Notes", "E-mail Address", "E-mail 2 Address",
    "E-mail 3 Address", "Primary Phone", "Home Phone", "Home Phone 2", "Mobile Phone", "Pager", "Home Fax",
    "Home Address", "Home Street", "Home Street 2", "Home Street 3", "Home Address PO Box", "Home City", "Home State",
    "Home Postal Code", "Home Country", "Spouse", "Children", "Manager's Name", "Assistant's Name", "Referred By",
    "Company Main Phone", "Business Phone", "Business Phone 2", "Business Fax", "Assistant's Phone", "Company",
    "Job Title", "Department", "Office Location", "Organizational ID Number", "Profession", "Account",
    "Business Address", "Business Street", "Business Street 2", "Business Street 3", "Business Address PO Box",
    "Business City", "Business State", "Business Postal Code", "Business Country", "Other Phone", "Other Fax",
    "Other Address", "Other Street", "Other Street 2", "Other Street 3", "Other Address PO Box", "Other City",
    "Other State", "Other Postal Code", "Other Country", "Callback", "Car Phone", "ISDN", "Radio Phone",
    "TTY/TDD Phone", "Telex", "User 1", "User 2", "User 3", "User 4", "Keywords", "Mileage", "Hobby",
    "Billing Information", "Directory Server", "Sensitivity", "Priority", "Private", "Categories",
]  # fmt: skip
# Thunderbird's address book export; it ends every line with a comma (an empty last column).
THUNDERBIRD_HEADER = [
    "First Name", "Last Name", "Display Name", "Nickname", "Primary Email", "Secondary Email", "Screen Name",
    "Work Phone", "Home Phone", "Fax Number", "Pager Number", "Mobile Number", "Home Address", "Home Address 2",
    "Home City", "Home State", "Home ZipCode", "Home Country", "Work Address", "Work Address 2", "Work City",
    "Work State", "Work ZipCode", "Work Country", "Job Title", "Department", "Organization", "Web Page 1",
    "Web Page 2", "Birth Year", "Birth Month", "Birth Day", "Custom 1", "Custom 2", "Custom 3", "Custom 4", "Notes",
    "",
]  # fmt: skip

# A German Thunderbird: the same columns, translated ("Geburtstag" is the day of the month).
THUNDERBIRD_GERMAN_HEADER = [
    "Vorname", "Nachname", "Anzeigename", "Spitzname", "Primäre E-Mail-Adresse", "Sekundäre E-Mail-Adresse",
    "Messenger-Name", "Tel. dienstlich", "Tel. privat", "Fax-Nummer", "Pager-Nummer", "Mobil-Tel.-Nr.",
    "Privat: Adresse", "Privat: Adresse 2", "Privat: Ort", "Privat: Bundesland", "Privat: PLZ", "Privat: Land",
    "Dienstlich: Adresse", "Dienstlich: Adresse 2", "Dienstlich: Ort", "Dienstlich: Bundesland", "Dienstlich: PLZ",
    "Dienstlich: Land", "Arbeitstitel", "Abteilung", "Organisation", "Webseite 1", "Webseite 2", "Geburtsjahr",
    "Geburtsmonat", "Geburtstag", "Benutzerdef. 1", "Benutzerdef. 2", "Benutzerdef. 3", "Benutzerdef. 4", "Notizen",
    "",
]  # fmt: skip


def csv_file(
    header: list[str],
    *rows: dict[str, str],
    delimiter: str = ",",
    quote_all: bool = False,
    bom: bool = False,
    newline: str = "\r\n",
) -> str:
    """A CSV file as a product writes it: its header, then each row's cells under their columns."""
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=delimiter, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator=newline
    )
    writer.writerow(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown
        writer.writerow([row.get(column, "") for column in header])
    return ("\ufeff" if bom else "") + out.getvalue()


def linkedin_file(*rows: str, newline: str = "\n") -> str:
    return newline.join([*LINKEDIN_NOTES, LINKEDIN_HEADER, *rows]) + newline


def google_file(*rows: dict[str, str], header: list[str] = GOOGLE_HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF and quoting, as a spreadsheet writes it
    writer.writerow(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def cards(*cards: list[str], newline: str = "\r\n") -> str:
    return "".join(newline.join(["BEGIN:VCARD", *lines, "END:VCARD"]) + newline for lines in cards)
