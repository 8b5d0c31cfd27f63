#!/usr/bin/env python3
"""Reads feeds as a subscriber's reader would. RSS: Python feedparser (its released versions,
6.0.x, do not read JSON Feed). JSON Feed: parsed here and checked against the 1.1 required
fields; for a day's JSON listing, its digest is recomputed from its notices.

Usage: feedcheck.py URL [URL ...]   Prints one JSON object per URL, in a JSON array."""
import hashlib
import json
import sys
import urllib.request
from datetime import datetime

import feedparser


def rfc3339(text):
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except (TypeError, ValueError):
        return False


def json_feed_problems(doc):
    problems = []
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not https://jsonfeed.org/version/1.1")
    for field in ("title", "home_page_url", "feed_url"):
        if not isinstance(doc.get(field), str) or not doc[field]:
            problems.append(f"feed {field} missing")
    items = doc.get("items")
    if not isinstance(items, list):
        return problems + ["items is not a list"]
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append("an item has no id")
        if not item.get("content_text") and not item.get("content_html"):
            problems.append(f"item {item.get('id')} has no content_text or content_html")
        if not item.get("url"):
            problems.append(f"item {item.get('id')} has no url")
        if not rfc3339(item.get("date_published")):
            problems.append(f"item {item.get('id')} date_published is not RFC 3339")
    ledger = doc.get("_permit_ledger") or {}
    if "notices" in ledger:
        canonical = json.dumps(ledger["notices"], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if hashlib.sha256(canonical.encode()).hexdigest() != ledger.get("digest"):
            problems.append("the listing digest does not match its notices")
        if ledger.get("count") != len(ledger["notices"]):
            problems.append("the listing count does not match its notices")
    return problems


def read(url):
    with urllib.request.urlopen(url) as response:
        body = response.read()
        content_type = response.headers.get("Content-Type", "")
    if "json" in content_type:
        doc = json.loads(body)
        return {
            "url": url,
            "content_type": content_type,
            "bozo": 0,
            "bozo_exception": "",
            "version": doc.get("version"),
            "title": doc.get("title"),
            "links": [],
            "entries": [
                {
                    "id": item.get("id"),
                    "title": item.get("title"),
                    "link": item.get("url"),
                    "published": item.get("date_published"),
                }
                for item in doc.get("items", [])
            ],
            "json_problems": json_feed_problems(doc),
        }
    parsed = feedparser.parse(body, response_headers={"content-type": content_type})
    return {
        "url": url,
        "content_type": content_type,
        "bozo": int(parsed.bozo),
        "bozo_exception": str(parsed.get("bozo_exception", "")),
        "version": parsed.version,
        "title": parsed.feed.get("title"),
        "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in parsed.feed.get("links", [])],
        "entries": [
            {
                "id": e.get("id"),
                "title": e.get("title"),
                "link": e.get("link"),
                "published": (
                    datetime(*e.published_parsed[:6]).strftime("%Y-%m-%dT%H:%M:%SZ")
                    if e.get("published_parsed")
                    else None
                ),
            }
            for e in parsed.entries
        ],
        "json_problems": [],
    }


if __name__ == "__main__":
    print(json.dumps([read(url) for url in sys.argv[1:]], ensure_ascii=False))
