"""A bare aiogram bot that only answers button presses, as a process of its own (the memory benchmark's ceiling).

`python -m bench.barebot BASE_URL TOKEN`; it imports nothing of moot's, so its RSS is the framework's alone.
"""

from __future__ import annotations

import asyncio
import sys


async def main(base_url: str, token: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    dp = Dispatcher()

    async def answer(query: CallbackQuery) -> None:
        await query.answer()

    dp.callback_query.register(answer)
    await dp.start_polling(bot, polling_timeout=1)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
