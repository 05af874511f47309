"""Contact files as other products write them, written by the tests: LinkedIn's Connections.csv with its notes,
Google Contacts CSV (current and older column names), vCards.
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
