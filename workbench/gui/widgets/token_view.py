"""The words of a text as the model sees them: known, out of vocabulary, or cut by ``maxlen``."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtWidgets import QTextBrowser, QWidget

STYLES = {
    "known": "background:#dcefdc; color:#17401a;",
    "oov": "background:#fde2c8; color:#8a3b00; text-decoration: line-through;",
    "truncated": "background:#eeeeee; color:#9a9a9a;",
}
LEGEND = (
    f'<span style="{STYLES["known"]}">&nbsp;in vocabulary&nbsp;</span> '
    f'<span style="{STYLES["oov"]}">&nbsp;unknown (OOV)&nbsp;</span> '
    f'<span style="{STYLES["truncated"]}">&nbsp;cut by maxlen&nbsp;</span>'
)


def token_state(token: dict) -> str:
    if token.get("truncated"):
        return "truncated"
    return "known" if token.get("in_vocabulary") else "oov"


class TokenView(QTextBrowser):
    """Read-only rich text; ``states`` keeps what each token was shown as (for tests and journeys)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setMinimumHeight(80)
        self.states: list[tuple[str, str]] = []
        self.set_tokens([])

    def set_tokens(self, tokens: Sequence[dict]) -> None:
        self.states = [(str(t.get("word", "")), token_state(t)) for t in tokens]
        parts = []
        for (word, state), token in zip(self.states, tokens):
            title = f"index {token.get('index')}" if state == "known" else (
                "not in the vocabulary: index 2 ([OOV])" if state == "oov" else "dropped: beyond maxlen")
            parts.append(f'<span style="{STYLES[state]}" title="{html.escape(title)}">'
                         f"&nbsp;{html.escape(word)}&nbsp;</span>")
        known = sum(1 for _, s in self.states if s == "known")
        oov = sum(1 for _, s in self.states if s == "oov")
        cut = sum(1 for _, s in self.states if s == "truncated")
        summary = (f"{len(self.states)} words: {known} known, {oov} unknown, {cut} cut by maxlen"
                   if self.states else "Tokens appear here as you type.")
        self.setHtml(f'<p style="line-height:160%">{" ".join(parts)}</p>'
                     f'<p style="color:#555">{summary}<br>{LEGEND}</p>')
