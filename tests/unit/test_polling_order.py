"""A batch of updates is handled chat by chat, each chat's updates in Telegram's order."""

from __future__ import annotations

from bot.polling import by_chat, chat_of


def press(update_id: int, chat: int) -> dict[str, object]:
    return {"update_id": update_id, "callback_query": {"id": str(update_id), "from": {"id": chat},
                                                        "message": {"message_id": 5, "chat": {"id": chat}}}}


def said(update_id: int, chat: int, sender: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"message_id": update_id, "from": {"id": sender},
                                                 "chat": {"id": chat}, "text": "hi"}}


def test_two_quick_taps_on_one_board_stay_in_order_beside_other_chats() -> None:
    batch = [press(12, 501), said(10, -100, 7), press(11, 501), press(13, 502), said(14, -100, 8)]
    chats = by_chat(batch)
    assert list(chats) == [-100, 501, 502]
    assert [u["update_id"] for u in chats[501]] == [11, 12]  # the earlier tap first, whatever the batch's order
    assert [u["update_id"] for u in chats[-100]] == [10, 14]  # a group's messages, whoever sent them


def test_an_update_without_a_chat_is_its_own() -> None:
    odd = {"update_id": 99, "poll": {"id": "1"}}
    assert chat_of(odd) == ("update", 99)
    assert chat_of({"update_id": 3, "inline_query": {"id": "q"}}) == ("update", 3)
