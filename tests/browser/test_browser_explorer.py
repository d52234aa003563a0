"""The attention explorer in a real browser: hovering, tapping and keyboard
focus each show the exported weights of the chosen token; the layer and
sentence can be chosen; it follows the mode toggle; no console errors."""
import json

import pytest

import pages

from figures_src.build import pipeline

pytestmark = pytest.mark.browser
NAME = "pronoun-attention"
ROOT = f"#explorer-{NAME}"


@pytest.fixture(scope="module")
def exported():
    manifest = pipeline.read_manifest(NAME)
    return json.loads((pipeline.REPO_ROOT
                       / manifest["outputs"]["data"]["path"].lstrip("/")).read_text())


@pytest.fixture(scope="module")
def explorer(browsing):
    base, driver = browsing
    visit = pages.visit(driver, base + pages.POST_URL)
    assert not visit.console_errors, visit.console_errors
    return driver


def shown(driver):
    """What the explorer shows now: the pressed token, every token's weight, the summary."""
    return driver.execute_script(f"""
        const root = document.querySelector('{ROOT}');
        const buttons = [...root.querySelectorAll('button.ae-token')];
        return {{ready: root.hasAttribute('data-ready') && !root.hidden,
                 pressed: buttons.findIndex(b => b.getAttribute('aria-pressed') === 'true'),
                 weights: buttons.map(b => Number(b.dataset.weight)),
                 words: buttons.map(b => b.querySelector('.ae-word').textContent),
                 summary: root.querySelector('[data-summary]').textContent}};""")


def tokens(driver):
    """The token buttons, scrolled to the middle of the window (not under Chirpy's fixed top bar).
    """
    driver.execute_script(f"document.querySelector('{ROOT}').scrollIntoView({{block: 'center', "
                          f"behavior: 'instant'}})")
    return driver.find_elements("css selector", f"{ROOT} button.ae-token")


def rest_pointer(driver):
    """Move the mouse off the tokens (onto the sentence menu): a resting pointer
    over a token would pick that token whenever the layout moves under it."""
    from selenium.webdriver.common.action_chains import ActionChains
    tokens(driver)
    menu = driver.find_element("css selector", f'{ROOT} select[data-control="example"]')
    ActionChains(driver).move_to_element(menu).perform()


def tap(driver, element):
    """A real touch (touchstart, touchend at the element's centre), as a phone sends it."""
    x, y = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height "
        "/ 2]",
        element)
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                           {"enabled": True, "maxTouchPoints": 1})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent",
                           {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def choose(driver, control, value):
    from selenium.webdriver.support.ui import Select
    Select(driver.find_element(
        "css selector", f'{ROOT} select[data-control="{control}"]')).select_by_value(str(value))


def expected(exported, example, layer, query, head=0):
    return exported["examples"][example]["attention"][layer][head][query]


def test_starts_on_it_in_the_last_layer_with_the_exported_weights(explorer, exported):
    state = shown(explorer)
    first = exported["examples"][0]
    assert state["ready"] and state["words"] == first["tokens"]
    assert state["pressed"] == first["query"] and state["words"][state["pressed"]] == "it"
    assert state["weights"] == expected(exported, 0, exported["layers"] - 1, first["query"])
    assert '"it"' in state["summary"] and '"animal"' in state["summary"]


def test_hover_shows_where_a_token_attends(explorer, exported):
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(explorer).move_to_element(tokens(explorer)[1]).perform()
    state = shown(explorer)
    assert state["pressed"] == 1
    assert state["weights"] == expected(exported, 0, exported["layers"] - 1, 1)


def test_keyboard_focus_and_layer_choice(explorer, exported):
    choose(explorer, "layer", 0)
    tokens(explorer)[3].send_keys("")  # focus by keyboard
    explorer.switch_to.active_element.send_keys("\ue004")  # Tab to the next token
    state = shown(explorer)
    assert state["pressed"] == 4
    assert state["weights"] == expected(exported, 0, 0, 4)
    choose(explorer, "layer", exported["layers"] - 1)


def test_another_sentence_shows_its_own_weights(explorer, exported):
    rest_pointer(explorer)
    choose(explorer, "example", 1)
    state = shown(explorer)
    second = exported["examples"][1]
    assert state["words"] == second["tokens"]
    assert state["weights"] == expected(exported, 1, exported["layers"] - 1, second["query"])
    assert '"street"' in state["summary"]
    choose(explorer, "example", 0)


def test_taps_work_at_phone_width(explorer, exported):
    rest_pointer(explorer)
    pages.emulate_phone(explorer, True)
    try:
        tap(explorer, tokens(explorer)[5])
        state = shown(explorer)
        assert state["pressed"] == 5
        assert state["weights"] == expected(exported, 0, exported["layers"] - 1, 5)
        # nothing widens the page: the layout stays as wide as the phone's screen
        assert (explorer.execute_script("return [innerWidth, screen.width]")
                == [pages.PHONE["width"]] * 2)
    finally:
        explorer.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
        pages.emulate_phone(explorer, False)


def test_follows_the_mode_toggle(explorer):
    def colour():
        return explorer.execute_script(
            f"return getComputedStyle(document.querySelector('{ROOT}'))"
            ".getPropertyValue('--ae-color').trim()")
    light = colour()
    pages.choose_mode(explorer, "dark")
    dark = colour()
    pages.choose_mode(explorer, "system")
    assert (light.lower(), dark.lower()) == ("#0072b2", "#56b4e9")
    assert not [e for e in explorer.get_log("browser") if e["level"] == "SEVERE"]
