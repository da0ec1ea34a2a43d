# Checks a web novel's feed and notifies through the lab's Apprise when a chapter appears.
import os
import urllib.request

FEED = os.environ.get("FEED_URL", "https://www.royalroad.com/fiction/syndication/21220")
with urllib.request.urlopen(FEED, timeout=20) as r:
    body = r.read().decode("utf-8", "replace")
print("items:", body.count("<item>"))
