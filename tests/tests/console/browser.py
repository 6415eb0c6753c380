"""Drives the operators' console in a real Chromium (headless, through Playwright) against a
running gateway, as an operator and as a monitor, in Vietnamese and English, on a 1366x768
screen and at 200 % zoom. Prints what a person sees, as JSON, for the Rust test to judge;
saves a screenshot of every page under the given folder.

Usage: python browser.py PLAN.json   (written by tests/tests/console_browser.rs)
"""

import json
import sys

from playwright.sync_api import sync_playwright

TIMEOUT_MS = 20000


def context(browser, plan, who, locale, viewport, scale=1):
    return browser.new_context(
        client_certificates=[
            {"origin": plan["url"], "certPath": plan[who]["cert"], "keyPath": plan[who]["key"]}
        ],
        ignore_https_errors=True,
        locale=locale,
        viewport=viewport,
        device_scale_factor=scale,
    )


def text(page, selector):
    page.wait_for_selector(selector, timeout=TIMEOUT_MS)
    return page.inner_text(selector)


def overflow(page):
    """How far the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def settle(page):
    """Wait until the page says it is up to date. (Locators, not wait_for_function: the
    console's Content-Security-Policy forbids evaluating strings in the page, and stays on.)"""
    page.locator("#status.muted").wait_for(timeout=TIMEOUT_MS)


def main():
    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    out = plan["out"]
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=plan["chromium"], headless=True, args=["--no-sandbox"]
        )
        # The operator, Vietnamese browser, laptop screen.
        ctx = context(browser, plan, "operator", "vi-VN", {"width": 1366, "height": 768})
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # The script's own errors; a refusal the page shows (backups not configured: 409) is
        # logged by the browser as a failed load, which is not one.
        page.on(
            "console",
            lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None,
        )
        page.goto(plan["url"] + "/console", timeout=TIMEOUT_MS)
        page.wait_for_selector("#dead tr:nth-child(2) a", timeout=TIMEOUT_MS)
        settle(page)
        seen["vi_nav"] = page.inner_text("nav")
        seen["vi_dead"] = page.inner_text("#dead")
        seen["vi_links"] = page.inner_text("#links")
        seen["vi_overflow"] = overflow(page)
        seen["html_lang"] = page.evaluate("document.documentElement.lang")
        page.screenshot(path=f"{out}/overview-vi.png", full_page=True)

        # Search by number/symbol.
        page.click("#nav-search")
        page.fill("#search-text", plan["relayed_number"])
        page.click("#search-go")
        page.wait_for_selector("#results tr:nth-child(2) a", timeout=TIMEOUT_MS)
        seen["search"] = page.inner_text("#results")
        page.screenshot(path=f"{out}/search-vi.png", full_page=True)

        # The relayed message's page: its timeline.
        page.goto(plan["url"] + "/console#/message/" + plan["relayed_id"])
        page.wait_for_selector("#timeline li[data-kind=receipt]", timeout=TIMEOUT_MS)
        page.wait_for_selector("#timeline li[data-kind=status]", timeout=TIMEOUT_MS)
        settle(page)
        seen["timeline"] = page.inner_text("#timeline")
        seen["message_head"] = page.inner_text("#message")
        page.screenshot(path=f"{out}/message-vi.png", full_page=True)

        # Compliance, with its charts; certificates.
        page.click("#nav-compliance")
        page.wait_for_selector("#chart-counts svg rect", timeout=TIMEOUT_MS)
        settle(page)
        seen["compliance"] = page.inner_text("#compliance")
        seen["chart_bars"] = page.locator("#chart-counts svg rect").count()
        seen["same_day_bars"] = page.locator("#chart-same-day svg rect").count()
        page.screenshot(path=f"{out}/compliance-vi.png", full_page=True)
        page.click("#nav-certificates")
        page.wait_for_selector("#certificates tr:nth-child(2)", timeout=TIMEOUT_MS)
        settle(page)
        seen["certificates"] = page.inner_text("#certificates")
        page.screenshot(path=f"{out}/certificates-vi.png", full_page=True)

        # The switch to English, kept for the next visit.
        page.click("#nav-overview")
        page.wait_for_selector("#dead tr:nth-child(2) a", timeout=TIMEOUT_MS)
        page.click("#lang-en")
        page.locator("#dead h2", has_text="Dead letters").wait_for(timeout=TIMEOUT_MS)
        settle(page)
        seen["en_nav"] = page.inner_text("nav")
        seen["en_dead"] = page.inner_text("#dead")
        seen["en_html_lang"] = page.evaluate("document.documentElement.lang")
        page.screenshot(path=f"{out}/overview-en.png", full_page=True)
        page.reload()
        page.wait_for_selector("#dead tr:nth-child(2) a", timeout=TIMEOUT_MS)
        settle(page)
        seen["en_after_reload"] = page.inner_text("nav")
        ctx.close()

        # An English browser gets English at once.
        ctx = context(browser, plan, "operator", "en-US", {"width": 1366, "height": 768})
        page = ctx.new_page()
        page.goto(plan["url"] + "/console#/message/" + plan["relayed_id"])
        page.wait_for_selector("#timeline li[data-kind=receipt]", timeout=TIMEOUT_MS)
        settle(page)
        seen["en_timeline"] = page.inner_text("#timeline")
        page.screenshot(path=f"{out}/message-en.png", full_page=True)
        ctx.close()

        # 200 % zoom on the same laptop: half the CSS pixels across.
        ctx = context(browser, plan, "operator", "vi-VN", {"width": 683, "height": 384}, 2)
        page = ctx.new_page()
        page.goto(plan["url"] + "/console")
        page.wait_for_selector("#dead tr:nth-child(2) a", timeout=TIMEOUT_MS)
        settle(page)
        seen["zoom_overflow"] = overflow(page)
        seen["zoom_nav_visible"] = page.is_visible("#nav-search")
        seen["zoom_dead"] = page.inner_text("#dead")
        page.screenshot(path=f"{out}/overview-vi-200.png")
        ctx.close()

        # The overview follows the gateway by itself (every 15 s), but not while the operator
        # is choosing messages or writing a reason. The page's clock is Playwright's.
        ctx = context(browser, plan, "operator", "vi-VN", {"width": 1366, "height": 768})
        page = ctx.new_page()
        page.clock.install()
        page.goto(plan["url"] + "/console")
        page.wait_for_selector("#dead tr:nth-child(2) a", timeout=TIMEOUT_MS)
        settle(page)
        first = page.inner_text("#status")
        page.check("#dead input.pick")
        page.fill("#action-note", "đang viết lý do")
        page.clock.fast_forward(61000)
        page.clock.fast_forward(61000)
        seen["busy_note"] = page.input_value("#action-note")
        seen["busy_checked"] = page.is_checked("#dead input.pick")
        seen["busy_status_same"] = page.inner_text("#status") == first
        page.fill("#action-note", "")
        page.uncheck("#dead input.pick")
        page.clock.fast_forward(61000)
        page.locator("#status.muted").filter(has_not_text=first).wait_for(timeout=TIMEOUT_MS)
        seen["idle_refreshed"] = page.inner_text("#status") != first
        ctx.close()

        # Retry the dead letter from its page: a reason, the action, the confirmation.
        ctx = context(browser, plan, "operator", "vi-VN", {"width": 1366, "height": 768})
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(plan["url"] + "/console#/message/" + plan["dead_id"])
        page.wait_for_selector("#actions button[data-action=retry]", timeout=TIMEOUT_MS)
        settle(page)
        page.click("#actions button[data-action=retry]")
        seen["without_note"] = text(page, "#confirm")
        page.fill("#action-note", plan["note"])
        page.click("#actions button[data-action=retry]")
        seen["confirm"] = text(page, "#confirm")
        page.screenshot(path=f"{out}/confirm-vi.png", full_page=True)
        page.click("#confirm-yes")
        seen["action_result"] = text(page, "#action-result")
        page.wait_for_selector("#timeline li", timeout=TIMEOUT_MS)
        settle(page)
        seen["after_retry_timeline"] = page.inner_text("#timeline")
        ctx.close()

        # A monitor: reads everything, may act on nothing.
        ctx = context(browser, plan, "monitor", "vi-VN", {"width": 1366, "height": 768})
        page = ctx.new_page()
        page.goto(plan["url"] + "/console#/message/" + plan["dead_id"])
        page.wait_for_selector("#actions", timeout=TIMEOUT_MS)
        settle(page)
        seen["monitor_who"] = page.inner_text("#who")
        seen["monitor_actions"] = page.inner_text("#actions")
        seen["monitor_buttons_disabled"] = page.evaluate(
            "[...document.querySelectorAll('#actions button')].every(b => b.disabled)"
        )
        # Past the page, the gateway itself refuses: the page's own call, with its token.
        seen["monitor_refused"] = page.evaluate(
            "act(" + json.dumps(plan["dead_id"]) + ", 'retry', 'monitor tries').then(() => 'done', e => e.code)"
        )
        page.screenshot(path=f"{out}/monitor-vi.png", full_page=True)
        ctx.close()
        browser.close()
    seen["errors"] = errors
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main()
