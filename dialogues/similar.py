"""Near-duplicate statements: the closest existing statement to a new one by TF-IDF and cosine similarity."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

NEAR = 0.5  # from this similarity on, a moderator is shown the closest statement as a possible duplicate


def normalised(text: str) -> str:
    """Case, accents, punctuation and spacing set aside: what makes two statements the same statement."""
    t = unicodedata.normalize("NFKD", text.casefold())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", t))


def closest(text: str, existing: Sequence[str]) -> tuple[int, float] | None:
    """The index of the existing statement most like `text` and their similarity (0..1); None if there is none.
    Words and two-word phrases weigh in, and character runs within words, so a typo or a plural still matches."""
    if not existing or not normalised(text):
        return None
    docs = [normalised(text), *(normalised(e) for e in existing)]
    if not any(docs[1:]):
        return None
    scores = [_similarities(docs, "word", (1, 2)), _similarities(docs, "char_wb", (3, 5))]
    combined = [(a + b) / 2 for a, b in zip(scores[0], scores[1], strict=True)]
    best = max(range(len(combined)), key=lambda i: (combined[i], -i))
    return best, float(combined[best])


def _similarities(docs: list[str], analyzer: str, ngrams: tuple[int, int]) -> list[float]:
    # scikit-learn (about a second to import) comes in with the first statement a resident writes, not at start
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    try:
        v = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True).fit(docs)
    except ValueError:  # nothing to weigh (only one-letter words): no likeness on this count
        return [0.0] * (len(docs) - 1)
    return [float(x) for x in cosine_similarity(v.transform(docs[:1]), v.transform(docs[1:]))[0]]
