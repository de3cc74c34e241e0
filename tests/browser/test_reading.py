"""Reading in a real browser, as the issue lists it: a note opened in place by mouse and
by keyboard, names highlighted on demand, a search narrowed by a facet, an entity
followed from the text, the same document without JavaScript, and on a phone.

The DOM these tests rely on is the document page's (api/reader/text.py,
templates/document.html, static/document.js) and the search page's
(templates/search.html): a marker is ``sup.note-ref a[data-note][data-marker]`` linking
to its note ``li#fn…`` in ``section.notes``; document.js opens it as ``.note-popover``
after the marker's ``sup`` and focuses it; names are ``a.mention[data-entity]``.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PHONE, TELEGRAM, NewContext, open_page, screenshot

pytestmark = pytest.mark.browser

DOCUMENT = f"/documents/{TELEGRAM}"
MOYNE = "First Baron Moyne"  # note 66: "Walter Edward Guinness, First Baron Moyne, …"
MAX_TABS = 150  # more Tab presses than the page has focusable elements before the marker


def marker(page: Page, printed: str) -> Locator:
    return page.locator(f'sup.note-ref a[data-marker="{printed}"]')


def test_clicking_a_marker_opens_its_note_in_place(page: Page) -> None:
    open_page(page, DOCUMENT)
    marker(page, "66").click()
    popover = page.locator(".note-popover")
    expect(popover, "clicking marker 66 did not open a note").to_be_visible()
    expect(popover, "the open note is not note 66 about Lord Moyne").to_contain_text(MOYNE)
    expect(popover, "the note is not a labelled dialog").to_have_attribute("role", "dialog")
    # read in place: no jump to the notes at the end
    assert page.url.endswith(DOCUMENT), f"the click navigated to {page.url}"
    expect(marker(page, "66")).to_have_attribute("aria-expanded", "true")
    page.locator(".note-popover .note-close").click()
    expect(popover, "the close button did not close the note").to_have_count(0)


def test_a_marker_opens_and_closes_with_the_keyboard(page: Page) -> None:
    open_page(page, DOCUMENT)
    target = marker(page, "66")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"marker 66 was not reached in {MAX_TABS} presses of Tab")
    page.keyboard.press("Enter")
    popover = page.locator(".note-popover")
    expect(popover, "Enter on marker 66 did not open its note").to_be_visible()
    expect(popover).to_contain_text(MOYNE)
    page.keyboard.press("Escape")
    expect(popover, "Escape did not close the note").to_have_count(0)
    expect(target, "focus did not return to the marker after Escape").to_be_focused()
    expect(target).to_have_attribute("aria-expanded", "false")


def test_names_are_highlighted_on_demand(page: Page) -> None:
    open_page(page, DOCUMENT)
    toggle = page.locator("#toggle-mentions")
    mention = page.locator("#text a.mention").first
    expect(toggle, "the mentions toggle is not shown with JavaScript on").to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    plain = background(mention)
    toggle.click()
    expect(toggle, "aria-pressed did not flip to true").to_have_attribute("aria-pressed", "true")
    highlighted = background(mention)
    assert highlighted != plain, f"mentions look the same when shown ({highlighted})"
    toggle.click()
    expect(toggle, "aria-pressed did not flip back").to_have_attribute("aria-pressed", "false")
    assert background(mention) == plain, "mentions stay highlighted after turning them off"


def background(element: Locator) -> str:
    color: str = element.evaluate("element => getComputedStyle(element).backgroundColor")
    return color


def test_a_facet_narrows_the_search(page: Page) -> None:
    open_page(page, "/search?q=Soviet")
    results = page.locator("#search-results")
    before = int(results.get_attribute("data-total") or 0)
    assert before > 1, f"'Soviet' finds {before} hits in the seed corpus"
    primary = page.locator('.facet[data-facet="source_type"] .facet-value[data-value="primary"] a')
    expected = int(primary.locator(".facet-count").inner_text().split()[0])
    primary.click()
    expect(page, "the facet link did not filter the search").to_have_url(
        re.compile(r"[?&]source_type=primary(&|$)")
    )
    after = int(page.locator("#search-results").get_attribute("data-total") or 0)
    assert after == expected < before, f"{before} hits became {after}, not {expected}"
    hits = page.locator(".search-hit .search-hit-source-type")
    expect(hits.first).to_be_visible()
    assert set(hits.all_inner_texts()) == {"primary source"}, hits.all_inner_texts()
    active = page.locator('.facet[data-facet="source_type"] .facet-active')
    expect(active, "the chosen facet is not marked active").to_have_attribute(
        "data-value", "primary"
    )


def test_a_name_in_the_text_leads_to_its_entity(page: Page) -> None:
    open_page(page, DOCUMENT)
    page.locator('#text a.mention[data-entity="cordell-hull"]').first.click()
    expect(page, "the mention did not lead to the entity page").to_have_url(
        re.compile(r"/entities/cordell-hull$")
    )
    expect(page.locator("h1"), "the entity page does not name the entity").to_have_text(
        "Cordell Hull"
    )


def test_without_javascript_notes_are_at_the_end_and_names_are_links(
    new_context: NewContext,
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    open_page(page, DOCUMENT)
    notes = page.locator("section.notes li")
    expect(notes, "the notes list is missing").to_have_count(3)
    target = marker(page, "66")
    expect(target).to_have_attribute("href", "#fn1")
    target.click()
    expect(page, "the marker did not go to its note").to_have_url(re.compile(r"#fn1$"))
    note = page.locator("li#fn1")
    expect(note).to_contain_text(MOYNE)
    expect(note, "the note is not scrolled into view").to_be_in_viewport()
    expect(page.locator(".note-popover"), "a popover appeared without JavaScript").to_have_count(0)
    mentions = page.locator("#text a.mention")
    assert mentions.count() > 0, "no mention in the text"
    hrefs = [link.get_attribute("href") or "" for link in mentions.all()]
    assert all(re.fullmatch(r"/entities/[^/]+", h) for h in hrefs), hrefs
    toggle = page.locator("#toggle-mentions")
    expect(toggle, "a button that needs JavaScript is shown").to_be_hidden()
    page.locator("li#fn1 a.note-back").click()
    expect(page, "the note's link back did not return to the text").to_have_url(
        re.compile(r"#ref-fn1$")
    )


def test_on_a_phone_the_page_fits_and_a_note_opens(new_context: NewContext) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    open_page(page, DOCUMENT)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]}px in {width[1]}px"
    marker(page, "66").tap()
    popover = page.locator(".note-popover")
    expect(popover, "tapping marker 66 did not open its note").to_be_visible()
    expect(popover).to_contain_text(MOYNE)
    box = popover.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"the note overflows: {box}"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the open note makes the page scroll sideways: {width}"
    screenshot(page, "document-phone", full_page=False)


def test_the_document_prints_with_its_notes(page: Page) -> None:
    """The print stylesheet: the text and every note, without the site's chrome or the
    buttons that only work on a screen."""
    open_page(page, DOCUMENT)
    page.emulate_media(media="print")
    expect(page.locator("section.notes li#fn1"), "note 66 is not printed").to_be_visible()
    expect(page.locator("section.notes li#fn1")).to_contain_text(MOYNE)
    expect(page.locator("#text"), "the text is not printed").to_be_visible()
    for hidden in (".site-header", ".site-footer", "#toggle-mentions"):
        expect(page.locator(hidden).first, f"{hidden} is printed").to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.locator(".site-header"), "the header is gone on screen").to_be_visible()
