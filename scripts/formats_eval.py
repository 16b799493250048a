#!/usr/bin/env python3
"""The TAT-QA dev corpus in other formats: converted to HTML, PDF and DOCX, each indexed
with `qa build` and scored on the same questions by ../shared/eval/score.py, beside the
Markdown originals. Prints, per format, the build time, documents indexed and skipped,
retrieval pinpoint@1 and the span answers, and the difference from Markdown.

HTML: each document rendered by markdown-it-py (CommonMark with tables), table cells
ruled. PDF: that HTML printed by headless Chromium (Debian's chromium and chromedriver,
through selenium; no header or footer). DOCX: written with python-docx from the same
parse (headings, paragraphs, lists, a "Table Grid" table). The questions' `doc` names
change with the extension.

Usage: scripts/formats_eval.py OUT_DIR [--formats md,html,pdf,docx] [--limit N]
       (run with `nice`: each build embeds 3,000+ chunks; one scorer run at a time)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import load_average, qa_env, run_build

# ../shared/eval from the main checkout; from a worktree it lies further up (or QA_EVAL_DIR).
EVAL = Path(os.environ["QA_EVAL_DIR"]) if os.environ.get("QA_EVAL_DIR") else next(
    (p / "shared" / "eval" for p in Path(__file__).resolve().parents
     if (p / "shared" / "eval" / "score.py").is_file()), Path("/work/shared/eval"))
TATQA = EVAL / "tatqa_dev"
SCORE = EVAL / "score.py"
SPAN_KINDS = ("span-table", "span-table-text", "span-text")
CSS = ("body { font-family: 'Liberation Sans', sans-serif; font-size: 11pt; } "
       "table { border-collapse: collapse; } "
       "th, td { border: 1px solid #444; padding: 2px 6px; }")
MD = MarkdownIt("commonmark").enable("table")


def to_html(text: str, title: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{CSS}</style></head><body>{MD.render(text)}</body></html>")


def to_docx(text: str, out: Path) -> None:
    import docx

    d = docx.Document()
    tokens = MD.parse(text)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            d.add_heading(tokens[i + 1].content, int(t.tag[1]))
        elif t.type == "paragraph_open" and (i == 0 or tokens[i - 1].type != "list_item_open"):
            d.add_paragraph(tokens[i + 1].content.replace("\n", " "))
        elif t.type == "list_item_open":
            d.add_paragraph(tokens[i + 2].content.replace("\n", " "), style="List Bullet")
        elif t.type == "table_open":
            rows: list[list[str]] = []
            while tokens[i].type != "table_close":
                if tokens[i].type == "tr_open":
                    rows.append([])
                elif tokens[i].type == "inline" and rows:
                    rows[-1].append(tokens[i].content)
                i += 1
            width = max(len(r) for r in rows)
            table = d.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, values in enumerate(rows):
                for c, v in enumerate(values):
                    table.cell(r, c).text = v
        i += 1
    d.save(out)


def print_pdfs(pages: list[tuple[Path, Path]]) -> None:
    """Print each HTML file to PDF in one headless Chromium session."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(options=opts, service=Service("/usr/bin/chromedriver"))
    try:
        for html, pdf in pages:
            driver.get(html.resolve().as_uri())
            pdf.write_bytes(base64.b64decode(driver.print_page(PrintOptions())))
    finally:
        driver.quit()


def convert(fmt: str, src: Path, dst: Path, limit: int | None) -> float:
    """Write the corpus in `fmt` into dst; returns the seconds it took."""
    t0 = time.perf_counter()
    dst.mkdir(parents=True, exist_ok=True)
    docs = sorted(src.glob("*.md"))[:limit]
    if fmt == "md":
        for p in docs:
            shutil.copyfile(p, dst / p.name)
    elif fmt == "html":
        for p in docs:
            (dst / f"{p.stem}.html").write_text(to_html(p.read_text(), p.stem))
    elif fmt == "docx":
        for p in docs:
            to_docx(p.read_text(), dst / f"{p.stem}.docx")
    elif fmt == "pdf":
        staging = dst.parent / f"{dst.name}-html"
        staging.mkdir(exist_ok=True)
        pages = []
        for p in docs:
            html = staging / f"{p.stem}.html"
            html.write_text(to_html(p.read_text(), p.stem))
            pages.append((html, dst / f"{p.stem}.pdf"))
        print_pdfs(pages)
    return time.perf_counter() - t0


def questions(fmt: str, out: Path, names: set[str]) -> Path:
    """The TAT-QA set with `doc` renamed to the converted file (only documents kept)."""
    path = out / f"set-{fmt}.jsonl"
    with open(TATQA / "set.jsonl") as f, open(path, "w") as g:
        for line in f:
            item = json.loads(line)
            if item["doc"] in names:
                item["doc"] = item["doc"][: -len(".md")] + f".{fmt}"
                g.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


def score(set_path: Path, corpus: Path, index: Path, out: Path) -> dict:
    serve = (f"{sys.executable} -m qa.cli serve --corpus {corpus} --index {index} "
             "--port {port}")
    res = subprocess.run([sys.executable, str(SCORE), str(set_path), "--k", "5", "--quiet",
                          "--serve", serve, "--json", str(out)], env=qa_env(),
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"score.py failed:\n{res.stdout}\n{res.stderr}")
    return json.loads(out.read_text())["summary"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--formats", default="md,html,pdf,docx")
    ap.add_argument("--limit", type=int, help="only the first N documents (a quick check)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in sorted((TATQA / "corpus").glob("*.md"))[:a.limit]}
    rows = {}
    for fmt in a.formats.split(","):
        corpus, index = a.out / f"corpus-{fmt}", a.out / f"index-{fmt}"
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
        made = convert(fmt, TATQA / "corpus", corpus, a.limit)
        load = load_average()
        b = run_build(corpus, index)
        if b.code != 0:
            raise SystemExit(f"qa build failed for {fmt}:\n{b.out}")
        manifest = json.loads((index / (index / "CURRENT").read_text().strip()
                               / "manifest.json").read_text())
        summary = score(questions(fmt, a.out, names), corpus, index, a.out / f"score-{fmt}.json")
        rows[fmt] = {"convert_s": round(made, 1), "build_s": round(b.seconds, 1),
                     "load": load, "documents": manifest["counts"]["documents"],
                     "skipped": len(manifest.get("skipped", [])),
                     "chunks": manifest["counts"]["chunks"], **summary}
        print(json.dumps({fmt: rows[fmt]}), flush=True)
    (a.out / "formats.json").write_text(json.dumps(rows, indent=1))
    base = rows.get("md")
    print(f"\n{'format':6} {'docs':>5} {'skip':>4} {'chunks':>6} {'build s':>8} {'load':>14} "
          f"{'pin@1':>6} " + " ".join(f"{k:>15}" for k in SPAN_KINDS))
    for fmt, r in rows.items():
        spans = [r["answer_accuracy_by_kind"].get(k) for k in SPAN_KINDS]
        line = (f"{fmt:6} {r['documents']:5} {r['skipped']:4} {r['chunks']:6} "
                f"{r['build_s']:8.1f} {r['load']:>14} {r['pinpoint@1']:6.3f} "
                + " ".join(f"{s:15.3f}" for s in spans))
        if base and fmt != "md":
            diffs = [r["pinpoint@1"] - base["pinpoint@1"]] + [
                s - base["answer_accuracy_by_kind"][k] for s, k in zip(spans, SPAN_KINDS)]
            line += "   diff " + " ".join(f"{d * 100:+.1f}" for d in diffs)
        print(line)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
