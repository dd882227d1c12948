from beancan.triage.reply_check import check_reply


def test_a_personal_fresh_reply_has_no_warning():
    assert check_reply("Hi Rosa, the engineer is on the way and will call you at 5pm ^AG", []) == []


def test_no_name_and_a_copy_of_recent_replies_are_flagged():
    recent = [
        "Hi Tom! Please DM us your account number and we will look into it. ^JK",
        "Hello Ana, please DM us your account number and we will look into it -Becky",
    ]
    warnings = check_reply("Please DM us your account number and we will look into it.", recent)
    assert len(warnings) == 2
    assert "personal touch" in warnings[0] and "2 times" in warnings[1]


def test_short_formulas_are_not_templates():
    assert check_reply("You're welcome, Sam!", ["You're welcome, Ann!"]) == []
