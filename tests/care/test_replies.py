"""Reply traits on clear examples: name use, signature, handoff, canned template, thanks."""

from __future__ import annotations

import pytest

from beancan.care.replies import (
    addressed_name,
    canned_key,
    has_signature,
    is_handoff,
    is_thanks,
    reply_template,
    reply_traits,
)

# ------------------------------------------------------------------ name use


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("@1 Hi Sarah, let me check that for you.", "Sarah"),
        ("@1 hi Sarah, on it", "Sarah"),
        ("@1 Mary, your refund went out today.", "Mary"),
        ("@123 @456 Tom, all done.", "Tom"),
        ("@1 Hello, Holly. We can help with that.", "Holly"),
        ("@1 Hey Priya! On it.", "Priya"),  # greeted: a name even if not a common one
        ("@1 Thanks for waiting, Mary.", "Mary"),
        ("@1 Sorry, Tom! That should not happen.", "Tom"),
    ],
)
def test_addressed_name(text, name):
    assert addressed_name(text) == name
    assert reply_traits(text).name == name


@pytest.mark.parametrize(
    "text",
    [
        "@x Sorry, we can't do that.",
        "@1 Hi there, we can look into it.",
        "@1 Hi all, the outage is fixed.",
        "@1 Hello team, fixed.",
        "@1 Hi everyone!",
        "@DeltaAssist Hi, we can help.",
        "@DeltaAssist thanks for the tip",
        "@1 Hi @DeltaAssist, see you there.",
        "@1 Sure, we can help.",
        "@1 Yes, that is right.",
        "@1 Please, do that.",
        "@1 Thanks, we will.",
        "@1 We are on it.",
        "@1 Ok, let me check that.",  # "Ok" opens a sentence; it addresses no one
    ],
)
def test_not_a_name(text):
    assert addressed_name(text) is None
    assert reply_traits(text).name is None


# ------------------------------------------------------------------ signature


@pytest.mark.parametrize(
    "text",
    [
        "@1 We have sent a new card. ^JK",
        "@1 Your flight is on time. -Becky",
        "@1 Your flight is on time - Becky",
        "@1 The outage is fixed now *HFG",
        "@1 Glad to help! ~Sam",
        "@1 Check your inbox ^JK https://t.co/abc",  # a link may follow the signature
    ],
)
def test_signed(text):
    assert has_signature(text)
    assert reply_traits(text).signed


@pytest.mark.parametrize(
    "text",
    [
        "@1 Your refund went out this morning.",
        "@1 It is a well-known issue.",
        "@1 Pick one - two or three.",
        "@1 ok -becky",  # lower case: not a signature
        "@1 Our Wi-Fi works again.",
    ],
)
def test_not_signed(text):
    assert not has_signature(text)
    assert not reply_traits(text).signed


# ------------------------------------------------------------------ handoff to private


@pytest.mark.parametrize(
    "text",
    [
        "@1 Please DM us your account number.",
        "@1 Send us a DM with your order number.",
        "@1 Could you email us at help@acme.example with details?",
        "@1 Please call us on 0800 123 456.",
        "@1 Give us a call and we will sort it.",
        "@1 Send us a direct message.",
        "@1 Chat with us here: https://acme.example/chat",
        "@1 please dm",
    ],
)
def test_handoff(text):
    assert is_handoff(text)
    assert reply_traits(text).handoff


@pytest.mark.parametrize(
    "text",
    [
        "@1 Your parcel arrives tomorrow.",
        "@1 The email you got is not from us.",
        "@1 Go to your local dmv office.",
        "@1 Please follow the link to reset it.",
    ],
)
def test_not_handoff(text):
    assert not is_handoff(text)
    assert not reply_traits(text).handoff


# ------------------------------------------------------------------ canned


TEMPLATE_VARIANTS = [
    "@101 Hi Sarah, sorry about order 12345. Please follow the link in your email to reset "
    "the password. ^JK",
    "@202 Hi Tom! Sorry about order 999. Please follow the link in your email to reset the "
    "password -Becky",
    "@303 Hello Mary, sorry about order 7. Please follow the link in your email to reset the "
    "password. *HFG",
    "@404 Sorry about order 55. Please follow the link in your email to reset the password.",
]


def test_canned_key_ignores_handles_names_numbers_and_signatures():
    keys = {canned_key(text) for text in TEMPLATE_VARIANTS}
    assert len(keys) == 1
    [key] = keys
    assert key  # long enough to judge
    assert "sarah" not in key and "12345" not in key and "jk" not in key
    assert {reply_traits(text).canned_key for text in TEMPLATE_VARIANTS} == keys


def test_canned_key_ignores_case_punctuation_and_links():
    a = canned_key("@1 Your refund is on its way! Details: https://acme.example/r/1")
    b = canned_key("@2 your refund is on its way... details https://acme.example/r/2")
    assert a and a == b


def test_canned_key_tells_different_replies_apart():
    assert canned_key(TEMPLATE_VARIANTS[0]) != canned_key(
        "@101 We have refunded your ticket and the money is on its way."
    )
    assert canned_key("@1 Your parcel arrives on Monday morning.") != canned_key(
        "@1 Your parcel arrived on Monday morning."
    )


@pytest.mark.parametrize("text", ["@1 You're welcome!", "@1 Thanks!", "@1 ^JK", ""])
def test_canned_key_of_a_short_reply_is_empty(text):
    assert canned_key(text) == ""


# ------------------------------------------------------------------ thanks


@pytest.mark.parametrize(
    "text",
    [
        "@AcmeCare Thanks!",
        "@AcmeCare THANKS so much",
        "@AcmeCare thank you so much",
        "@AcmeCare thank u",
        "@AcmeCare thx",
        "@AcmeCare ty",
        "@AcmeCare Cheers",
        "@AcmeCare that worked!",
        "@AcmeCare much appreciated",
        "@AcmeCare you guys rock",
    ],
)
def test_thanks(text):
    assert is_thanks(text)


@pytest.mark.parametrize(
    "text",
    [
        "@AcmeCare thanks for nothing",
        "@AcmeCare Thanks for nothing, useless",
        "@AcmeCare thanks a lot for nothing",
        "@AcmeCare no thanks",
        "@AcmeCare still broken",
        "@AcmeCare I am thankful for nobody",
        "@AcmeCare new tyres please",
    ],
)
def test_not_thanks(text):
    assert not is_thanks(text)


# ------------------------------------------------------------------ a past reply reused


@pytest.mark.parametrize(
    ("reply", "template"),
    [
        (
            "@115712 Hi Sarah, sorry about that! Please DM us your order number. ^JK",
            "Hi {first_name}, sorry about that! Please DM us your order number. ^{agent_name}",
        ),
        (
            "@AmazonHelp @12 Thanks for waiting, Mary. We have fixed it -Becky https://t.co/x",
            "Thanks for waiting, {first_name}. We have fixed it -{agent_name} https://t.co/x",
        ),
        ("@1 We are looking into it.", "We are looking into it."),
        ("Hello, Holly. Try again *HFG", "Hello, {first_name}. Try again *{agent_name}"),
        ("@9 Sorry for the wait - we're on it!", "Sorry for the wait - we're on it!"),
    ],
)
def test_reply_template(reply, template):
    assert reply_template(reply) == template
