"""The README's figures are written by the scripts that measured them, between a pair of markers per script."""

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def replace_between(text: str, name: str, content: str) -> str:
    """``text`` with what lies between ``<!-- name:start -->`` and ``<!-- name:end -->`` replaced."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"README.md needs exactly one {start} and one {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content.rstrip()}\n{end}{tail}"


def update(name: str, content: str, readme: Path = README) -> None:
    readme.write_text(replace_between(readme.read_text(), name, content))
