"""argparse speaks Chinese: its own fixed words (usage, options, help, usage errors) in the office's language.

argparse looks its words up through gettext at the moment it prints them (`argparse._`, `argparse.ngettext`);
`use_chinese()` points those lookups at the table below. Only the words a user can meet are translated;
a word missing here is printed as argparse wrote it.
"""

from __future__ import annotations

import argparse

__all__ = ["use_chinese"]

WORDS: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：命令用法有误：%(message)s\n",
    "the following arguments are required: %s": "缺少参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s：%(message)s",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "expected %s argument": "后面须跟 %s 个值",
    "expected %s arguments": "后面须跟 %s 个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这个命令（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "ignored explicit argument %r": "多余的值 %r",
    "one of the arguments %s is required": "须给出 %s 中的一个",
    "unexpected option string: %s": "意外的选项：%s",
}


def _word(message: str) -> str:
    return WORDS.get(message, message)


def _words(singular: str, plural: str, n: int) -> str:
    return _word(singular if n == 1 else plural)


def use_chinese() -> None:
    """Make argparse print its words in Chinese (for this process; call before parsing)."""
    argparse._ = _word  # type: ignore[attr-defined]
    argparse.ngettext = _words  # type: ignore[attr-defined]
