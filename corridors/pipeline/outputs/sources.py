"""The run's data sources and input files, as the report, the map footers and the manifest list
them (a flyway run's site table and flight range included)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["sources_line", "run_sources", "run_files"]


def sources_line(r) -> str:
    """One paragraph naming the run's data sources and licences, for map footers."""
    from ..._version import __version__

    def short(text: str, limit: int = 90) -> str:
        text = str(text).split(";")[0].strip()
        return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "..."

    parts = [f"{s['layer']}: {short(s['source'])}" + (f" ({short(s['licence'], 60)})" if s.get("licence") else "")
             for s in run_sources(r)]
    return f"Made with corridors {__version__}, scenario {r.scenario.name!r}. Sources: " + "; ".join(parts) + "."


def run_sources(r) -> list[dict[str, str]]:
    """``{layer, source, licence}`` of every data source of the run (a flyway run's site table and
    flight range included)."""
    return [*r.inputs.sources, *(r.flyway.sources if r.flyway is not None else [])]


def run_files(r) -> list[tuple[str, Path]]:
    """``(role, path)`` of every input file of the run (a flyway run's site table included)."""
    return [*r.inputs.files, *(r.flyway.files if r.flyway is not None else [])]
