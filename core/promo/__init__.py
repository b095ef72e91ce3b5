"""Self-marketing: the product records its demo, writes and voices an ad, edits the video.

Framework-free pieces only; the Playwright recorder and the CLI steps live in oneclick/promo.
"""
