"""The reading site in a real browser: Playwright, Debian's Chromium, axe-core."""
