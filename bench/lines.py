"""Lines of the code that serves the guide, topic and category pages (issue 19's "fewer lines" target),
by one rule for any commit: the caching machinery, the pages' templates, and the view functions with
the helpers they call. Prints all lines, and code lines (no blank lines, comments or docstrings).

    python3 bench/lines.py [a checkout, default .]    # git archive <commit> | tar -x -C /tmp/c for another
"""

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

# Both designs' machinery: the marker splicing of ad1ead2 (when the issue was filed) and shared.py since.
MACHINERY = ["mycarebudget/cache.py", "mycarebudget/microcache.py", "wiki/page_cache.py", "forum/member_view.py",
             "mycarebudget/shared.py", "forum/readers.py", "accounts/backends.py"]
TEMPLATES = ["base.html", "wiki/page_detail.html", "wiki/_article.html", "wiki/_easy_read_links.html",
             "includes/breadcrumbs.html", "forum/topic_detail.html", "forum/_post.html", "forum/_post_content.html",
             "forum/category_detail.html", "forum/_topic_row.html", "includes/member_nav.html",
             "includes/live_forms.html"]
FUNCTIONS = {
    "wiki/views.py": ["_guide", "page_detail", "_render_page", "_crumbs"],
    "wiki/services.py": ["ARTICLE_FIELDS", "article", "backlinks"],
    "forum/views.py": ["category_detail", "_render_category", "_member_response", "_listing_for", "_public_listing",
                       "_page_of", "_page_number", "_topic_version", "_topic_for", "_thread", "_topic_context", "Head",
                       "_thread_for", "_public_thread", "_post_version", "_post_parts", "_flags", "_render_topic",
                       "_empty_reply_body", "topic_detail", "_shared_topic_copy", "_forum_crumbs", "_topic_crumbs",
                       "_can_start_topic", "Listing", "Thread", "SharedThread"],
}


def python_lines(source: str, first: int = 1, last: int | None = None) -> tuple[int, int]:
    lines = source.splitlines()
    last = last or len(lines)
    prose = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and ast.get_docstring(node):
            prose.update(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and lines[token.start[0] - 1].strip().startswith("#"):
            prose.add(token.start[0])
    span = range(first, last + 1)
    return len(span), sum(1 for number in span if number not in prose and lines[number - 1].strip())


def template_lines(source: str) -> tuple[int, int]:
    code = re.sub(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", "", source, flags=re.S)
    return len(source.splitlines()), sum(1 for line in code.splitlines() if line.strip())


def count(root: Path) -> tuple[int, int]:
    found = [python_lines(path.read_text()) for path in map(root.joinpath, MACHINERY) if path.exists()]
    found += [template_lines(path.read_text()) for path in (root / "templates" / name for name in TEMPLATES)
              if path.exists()]
    for name, wanted in FUNCTIONS.items():
        source = (root / name).read_text()
        for node in ast.parse(source).body:
            named = getattr(node, "name", None) or (isinstance(node, ast.Assign) and node.targets[0].id)
            if named in wanted:
                first = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
                found.append(python_lines(source, first, node.end_lineno))
    return sum(lines for lines, _ in found), sum(code for _, code in found)


if __name__ == "__main__":
    lines, code = count(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
    print(f"{lines} lines, {code} of them code")
