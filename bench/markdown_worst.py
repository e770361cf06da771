"""Markdown worst case: `make bench-markdown` (or `python -m bench.markdown_worst`).

Renders a corpus of pathological inputs — unbalanced brackets, nested emphasis, backticks,
nested quotes and lists, reference links, entities, tables, raw HTML, mentions — each at the
largest length Konvoi accepts for Markdown (the longest of comment body, check-in agenda and
notes), through `richtext.rendering.render` (what every comment, agenda and notes write pays),
against a floor measured in the same run: `nh3.clean` of the same text (the sanitiser alone,
no Markdown). For each input it prints the CPU time of the best of `--repeat` runs (a busy
machine inflates the others), the ratio to the floor and the growth from a quarter of the
length (≈ 4 when linear, 16 when quadratic).

Goal: every input ≤ 50 ms. Exits 1 if the worst case misses it. Python-Markdown, used before,
took ~35 s for 10,000 `[`. Results also go to bench/results/markdown-worst.json.
"""

import argparse
import json
import os
import platform
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
GOAL_MS = 50.0


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _lines(lines: list[str], n: int) -> str:
    """Whole lines, as many as fit in n characters."""
    out, size = [], 0
    for line in lines:
        if size + len(line) + 1 > n:
            break
        out.append(line + "\n")
        size += len(line) + 1
    return "".join(out)


def corpus(n: int) -> dict[str, str]:
    """Pathological Markdown of (at most) n characters, by name."""
    half = n // 2
    return {
        "brackets_open": "[" * n,
        "brackets_close": "]" * n,
        "brackets_alternating": _fill("[]", n),
        "links_unclosed": _fill("[a](", n),
        "links_nested": ("[" * half + "a" + _fill("](b)", half))[:n],
        "images_unclosed": _fill("![", n),
        "link_destination_parens": ("[a](" + "(" * n)[:n],
        "link_title_quotes": ('[a](b "' + '"' * n)[:n],
        "link_pointy_unclosed": _fill("[a](<", n),
        "reference_defs_and_uses": "[a]: /u\n" * (half // 8) + _fill("[a]", n - half),
        "reference_undefined": _fill("[a][b]", n),
        "reference_many_defs": _lines([f"[r{i}]: /u{i}" for i in range(n // 8)], half)
        + _fill("[r1][r2]", n - half),
        "reference_label_long": "[" + "a" * (n - 3) + "]:",
        "emphasis_stars": "*" * n,
        "emphasis_open_words": _fill("*a ", n),
        "emphasis_nested": _fill("*a **a ", n),
        "emphasis_underscores": _fill("a_", n),
        "emphasis_mixed": _fill("*_", n),
        "emphasis_strong_open": _fill("**a ", n),
        "emphasis_open_then_close": "*" * half + "a" + "_" * (n - half - 1),
        "emphasis_nested_balanced": "*" * (half - 1) + "a" + "*" * (half - 1),
        "backticks_run": "`" * n,
        "backticks_growing": "".join("`" * i + "a" for i in range(1, 400))[:n],
        "backticks_unclosed": _fill("`a ", n),
        "quotes_nested": ">" * (n - 1) + "a",
        "quotes_nested_spaced": _fill("> ", n - 1) + "a",
        "quotes_lines": "".join(">" * i + " a\n" for i in range(1, 200))[:n],
        "lists_nested": _fill("- ", n - 1) + "a",
        "lists_ordered_nested": _fill("1. ", n - 1) + "a",
        "lists_indented": "".join("  " * i + "- a\n" for i in range(1, 140))[:n],
        "list_items_many": _fill("- a\n", n),
        "entities_numeric_long": "&#" + "9" * (n - 2),
        "entities_ampersands": "&" * n,
        "entities_named": _fill("&amp;", n),
        "entities_hex_unclosed": _fill("&#x", n),
        "table_wide": "|"
        + _fill("a|", n // 4)
        + "\n|"
        + _fill("-|", n // 4)
        + "\n"
        + _fill("|a", half),
        "table_long": ("|a|b|\n|-|-|\n" + _fill("|a|b|\n", n))[:n],
        "html_tags_unclosed": _fill("<a", n),
        "html_comments_unclosed": _fill("<!--", n),
        "html_closing_unclosed": _fill("</", n),
        "html_cdata_unclosed": _fill("<![CDATA[", n),
        "html_block_tags": _fill("<div>\n", n),
        "autolinks_unclosed": _fill("<http://", n),
        "angle_brackets": "<" * n,
        "backslashes": "\\" * n,
        "escaped_stars": _fill("\\*", n),
        "line_breaks": _fill("a\n", n),
        "hard_breaks_spaces": _fill("a  \n", n),
        "setext_headings": _fill("a\n=\n", n),
        "atx_headings": _fill("# a\n", n),
        "fence_unclosed": "```\n" + _fill("a\n", n - 4),
        "fences_many": _fill("```\n", n),
        "mentions": _fill("@abc ", n),
        "at_signs": "@" * n,
        "mentions_in_code": _fill("`@abc` ", n),
        "urls_bare": _fill("https://a.example/@b ", n),
        "mixed_punctuation": _fill("*[`<&_!>\\", n),
        "prose": _fill(
            "Wir haben **das Lager** digitalisiert, siehe [Plan](https://a.example). ", n
        ),
    }


def max_length() -> int:
    """The longest Markdown Konvoi accepts anywhere (from the models, so it follows them)."""
    from checkins.models import CheckIn
    from comments.models import BODY_MAX_LENGTH

    fields = [CheckIn._meta.get_field(name).max_length for name in ("agenda", "notes")]
    return max([BODY_MAX_LENGTH, *fields])


def _best_ms(fn: Callable[[str], object], text: str, repeat: int) -> float:
    # CPU time of this process (what the issue measured), and the best run: what the input
    # costs, without what other processes on a busy machine cost.
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn(text)
        best = min(best, (time.process_time() - start) * 1000)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per input (the best)")
    parser.add_argument("--length", type=int, default=0, help="instead of the largest allowed")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import nh3

    from richtext.rendering import render

    people = {"abc": 1, "b": 2}

    def renderer(text: str) -> object:
        return render(text, people=people)

    n = args.length or max_length()
    small = corpus(n // 4)
    rows = []
    print(f"Markdown worst case: {n:,} characters per input, best of {args.repeat} runs")
    print(f"{'input':28} {'CPU ms':>10} {'floor ms':>9} {'× floor':>8} {'growth ×4':>9}")
    for name, text in corpus(n).items():
        renderer(text)  # warm-up
        ms = _best_ms(renderer, text, args.repeat)
        floor = _best_ms(nh3.clean, text, args.repeat)
        quarter = _best_ms(renderer, small[name], args.repeat)
        growth = ms / quarter if quarter > 0 else 0.0
        ratio = ms / floor if floor > 0 else 0.0
        rows.append(
            {"input": name, "chars": len(text), "ms": ms, "floor_ms": floor, "growth": growth}
        )
        print(f"{name:28} {ms:10.2f} {floor:9.2f} {ratio:8.1f} {growth:9.1f}")
    worst = max(rows, key=lambda row: row["ms"])
    ok = worst["ms"] <= GOAL_MS
    print(
        f"\nworst: {worst['input']} {worst['ms']:.2f} ms for {worst['chars']:,} characters "
        f"(goal ≤ {GOAL_MS:.0f} ms: {'met' if ok else 'MISSED'})"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "markdown-worst.json").write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "length": n,
                "repeat": args.repeat,
                "goal_ms": GOAL_MS,
                "worst": worst,
                "rows": rows,
            },
            indent=2,
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
