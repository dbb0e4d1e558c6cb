"""The API's documentation page in a real Chromium, under the site's Content-Security-Policy: Swagger UI
loads from this site's static files, lists the endpoints, and a developer can try one and read its
answer."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_developer_reads_the_documentation_and_tries_the_list(page, live_server, seed):
    refused = []
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))

    page.goto(live_server.url + "/api/v1/documentation/")

    list_operation = page.locator("#operations-initiatives-initiatives_list")
    expect(list_operation).to_be_visible()
    expect(page.locator(".opblock-tag-section")).to_have_count(3)  # initiatives, territories, vocabularies
    list_operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    list_operation.locator('input[placeholder="q"]').fill("passerelle")
    page.get_by_role("button", name="Execute").click()

    answer = list_operation.locator(".live-responses-table .response .highlight-code")
    expect(answer.first).to_contain_text('"name": "La Passerelle"')
    assert not [text for text in refused if "Content Security Policy" in text], refused
