"""Command-line edge: `qa build | retrieve | ask | serve`, each a thin call into the service."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import socket
import sys
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from qa.config import get_settings
from qa.errors import PortInUse, QAError

EXIT_ERROR = 1
EXIT_USAGE = 2


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, metavar="DIR",
                   help="folder of documents: Markdown, text, HTML, DOCX, XLSX, CSV, PDF "
                   "(default: corpus/, env QA_CORPUS)")
    p.add_argument("--index", type=Path, metavar="DIR",
                   help="folder of the built index (default: index/, env QA_INDEX)")
    p.add_argument("--model", metavar="NAME_OR_PATH",
                   help="embedding model: a local sentence-transformers folder (default: the "
                        "packaged all-MiniLM-L6-v2, env QA_MODEL)")


def parser() -> argparse.ArgumentParser:
    """The argument parser; its --help texts are the CLI reference."""
    top = argparse.ArgumentParser(
        prog="qa", description="Answer questions about documents, citing the exact passage or "
        "table row behind every claim.")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build or update the index from the corpus",
                       description="Build the index from the corpus, re-embedding only what "
                       "changed, and print a summary. Exits 1 if no document could be indexed.")
    _common(p)

    p = sub.add_parser("retrieve", help="print the passages and table rows that match a query",
                       description="Print the chunks that best match a query.")
    _common(p)
    p.add_argument("query", help="what to search for")
    p.add_argument("-k", type=int, default=5, help="how many results, 1-50 (default: 5)")
    p.add_argument("--doc", help="search this document only (path relative to the corpus)")
    p.add_argument("--kind", choices=["passage", "table_row"], help="only this kind of chunk")
    p.add_argument("--json", action="store_true", help="print JSON as the HTTP API returns it")

    p = sub.add_parser("ask", help="answer a question with numbered citations",
                       description="Answer a question from the corpus and list the cited sources.")
    _common(p)
    p.add_argument("question", help="the question")
    p.add_argument("--doc", help="answer from this document only (path relative to the corpus)")
    p.add_argument("--json", action="store_true", help="print JSON as the HTTP API returns it")

    p = sub.add_parser("serve", help="serve the chat page and the HTTP API",
                       description="Serve the chat page at / and the API (/health, /retrieve, /ask, "
                       "/chunks/{id}, /documents, /index/rebuild; docs at /docs). Builds or "
                       "updates the index first if needed, and serves any version another "
                       "`qa build` makes live within a second.")
    _common(p)
    p.add_argument("--host", help="address to listen on (default: 127.0.0.1, env QA_HOST)")
    p.add_argument("--port", type=int, help="port (default: 8000, env QA_PORT)")
    p.add_argument("--watch", action="store_true", default=None,
                   help="rebuild the index when files under the corpus change (once quiet for "
                   "QA_WATCH_DEBOUNCE_MS, default 1500) and load versions another `qa build` "
                   "makes live (env QA_WATCH=1)")
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `qa` command."""
    args = parser().parse_args(argv)
    quiet = args.command in ("retrieve", "ask")
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpx2", "openai", "sentence_transformers", "transformers", "faiss",
                  "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = get_settings(corpus=args.corpus, index=args.index, model=args.model,
                                host=getattr(args, "host", None), port=getattr(args, "port", None),
                                watch=getattr(args, "watch", None))
        code = COMMANDS[args.command](args, settings)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return code
    except BrokenPipeError:  # the reader of the output has gone (`qa retrieve ... | head -1`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return EXIT_ERROR
    except QAError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return EXIT_ERROR
    except ValidationError as e:  # a bad QA_* value or flag
        fields = "; ".join(f"QA_{str(err['loc'][0]).upper()} (or its flag): {err['msg']}"
                           for err in e.errors() if err.get("loc"))
        print(f"error: invalid setting: {fields or e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _build(args: argparse.Namespace, settings) -> int:
    from qa.build import build
    from qa.embed import Embedder

    report = build(settings, lambda: Embedder(settings.model, settings.batch_size), progress=True)
    print(report.summary())
    return EXIT_ERROR if report.error else 0


def _service(settings):
    from qa.service import QAService

    svc = QAService(settings)
    svc.start()
    return svc


def _retrieve(args: argparse.Namespace, settings) -> int:
    from qa.api import hit_json
    from qa.service import validate_query

    validate_query(args.query, "query")  # before the model loads
    res = _service(settings).retrieve(args.query, args.k, args.doc, args.kind)
    if args.json:
        print(json.dumps({"version": res.version, "results": [hit_json(h) for h in res.hits]},
                         ensure_ascii=False, indent=1))
        return 0
    if not res.hits:
        print("no results")
    for i, h in enumerate(res.hits, 1):
        where = shown(h.chunk.location())
        section = f" · {shown(h.chunk.section)}" if h.chunk.section else ""
        print(f"{i}. [{h.chunk.kind}] {where}{section} (score {h.score:.3f})")
        print("   " + shown(h.chunk.text, keep="\n\t").replace("\n", "\n   "))
    return 0


def shown(text: str, keep: str = "") -> str:
    """Text safe to print on a terminal: control and format characters (newline, tab, CR,
    escape, bidi overrides), but those in `keep`, written as escapes (`\\n`, `\\x1b`), so a
    file name or a document cannot break the output's lines or drive the terminal."""
    return "".join(c if c in keep or unicodedata.category(c) not in ("Cc", "Cf")
                   else c.encode("unicode_escape").decode("ascii") for c in text)


def _ask(args: argparse.Namespace, settings) -> int:
    from qa.service import validate_query

    validate_query(args.question, "question")  # before the model loads
    ans = _service(settings).ask(args.question, [], args.doc)
    if args.json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(shown(ans.answer, keep="\n\t"))
    for note in ans.notes:
        print(f"note: {shown(note)}")
    if ans.citations:
        print("\nSources:")
    for c in ans.citations:
        section = f" · {shown(c.chunk.section)}" if c.chunk.section else ""
        print(f"[{c.n}] {shown(c.chunk.location())}{section}")
        print("    " + shown(c.chunk.text, keep="\n\t").replace("\n", "\n    "))
    return 0


def _serve(args: argparse.Namespace, settings) -> int:
    sock = listen_socket(settings.host, settings.port)  # before anything loads
    from qa.service import QAService

    svc = QAService(settings)
    svc.preload(build_if_needed=True)  # the index loads while the web stack is imported
    from qa.api import create_app
    from qa.api.server import serve

    serve(create_app(settings, service=svc), settings, sock)
    return 0


def listen_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port for the server, or PortInUse saying why not. Bound here,
    before the model and index load, so that a port in use fails at once."""
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as e:
        raise PortInUse(f"cannot listen on {host}:{port}: {e.strerror} (check --host)") from None
    sock = socket.socket(family, kind, proto)
    # As uvicorn does: a port left in TIME_WAIT by a server just stopped can be taken again
    # (a port another server listens on still cannot).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} on {host} is already in use (another `qa serve`?): "
                            "stop that server or pass --port") from None
        raise PortInUse(f"cannot listen on {host}:{port}: {e.strerror}") from None
    return sock


COMMANDS = {"build": _build, "retrieve": _retrieve, "ask": _ask, "serve": _serve}

if __name__ == "__main__":
    sys.exit(main())
