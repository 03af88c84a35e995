"""Bag-of-words baseline: TF-IDF + logistic regression on the same NLU training data."""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline

from evaluation.labels import Example


def train(examples: list[Example]):
    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)),
    ])
    model = make_pipeline(features, LogisticRegression(max_iter=2000, C=10.0))
    model.fit([e.text for e in examples], [e.label for e in examples])
    return model


def predict(model, texts: list[str]) -> list[tuple[str, str]]:
    """(route, detail) for each text."""
    predicted = []
    for label in model.predict(texts):
        route, _, detail = label.partition("/")
        predicted.append((route, detail))
    return predicted
