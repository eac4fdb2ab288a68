"""Reads the messages the SMTP sink wrote (one .eml file each, given as arguments) and prints
them as one JSON array: subject, Message-ID, recipients, the plain-text and HTML parts, and each
attachment with the text pypdf extracts from it."""

import email
import email.policy
import io
import json
import sys

from pypdf import PdfReader

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    attachments = []
    for part in msg.iter_attachments():
        data = part.get_content()
        entry = {"name": part.get_filename(), "type": part.get_content_type()}
        if part.get_content_type() == "application/pdf":
            reader = PdfReader(io.BytesIO(data))
            entry["pages"] = len(reader.pages)
            entry["text"] = "\n".join(p.extract_text() or "" for p in reader.pages)
        attachments.append(entry)
    out.append({
        "file": path,
        "subject": str(msg["subject"]),
        "messageId": str(msg["message-id"]),
        "to": str(msg["to"]),
        "from": str(msg["from"]),
        "text": text.get_content() if text else None,
        "html": html.get_content() if html else None,
        "attachments": attachments,
    })
print(json.dumps(out))
