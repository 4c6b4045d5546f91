"""The :class:`Scenario`: one run's inputs, species, parameters and edits, typed and validated."""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Union

from ..errors import ConfigError
from . import _toml
from ._checks import FieldError, suggest
from ._parse import ParseContext, build, build_edit
from ._schema import (
    AreaEdit,
    BorderFenceEdit,
    CrossingEdit,
    Inputs,
    LineEdit,
    Outputs,
    Parameters,
    Ranking,
    ReserveEdit,
    Restoration,
    Species,
)
from ._uncertainty import Uncertainty

__all__ = ["Scenario", "Edit"]

Edit = Union[LineEdit, AreaEdit, ReserveEdit, BorderFenceEdit, CrossingEdit]

_SECTIONS = {
    "inputs": Inputs,
    "species": Species,
    "parameters": Parameters,
    "ranking": Ranking,
    "restoration": Restoration,
    "outputs": Outputs,
    "uncertainty": Uncertainty,
}
#: sections that may be absent (None): the run then skips what they configure
_OPTIONAL = {"uncertainty"}
_TOP_KEYS = ["name", "description", *_SECTIONS, "edits"]


@dataclass(frozen=True)
class Scenario:
    """A corridor analysis: inputs, species profile, parameters, ranking weights, restoration
    (barrier analysis of the top links), outputs, edits, and optionally a resistance-uncertainty
    ensemble (``uncertainty``; None: a deterministic run).

    Build it from a TOML file (:meth:`from_toml`), a mapping (:meth:`from_dict`) or take the
    embedded North-East Asia default (:meth:`default`); derive variants with
    :func:`dataclasses.replace` or :meth:`with_edits`; run it with
    :func:`corridors.run_scenario`. Every part validates itself when built, so a scenario made in
    Python is checked exactly like one read from a file.

    Examples
    --------
    >>> import corridors
    >>> sc = corridors.Scenario.from_toml("examples/new_road.toml")   # doctest: +SKIP
    >>> result = corridors.run_scenario(sc, "out/new_road")           # doctest: +SKIP
    """

    name: str = "nea-default"
    description: str = ""
    inputs: Inputs = field(default_factory=Inputs)
    species: Species = field(default_factory=Species)
    parameters: Parameters = field(default_factory=Parameters)
    ranking: Ranking = field(default_factory=Ranking)
    outputs: Outputs = field(default_factory=Outputs)
    edits: tuple[Edit, ...] = ()
    source: Path | None = field(default=None, compare=False)
    uncertainty: Uncertainty | None = None
    restoration: Restoration = field(default_factory=Restoration)

    # ------------------------------------------------------------------ construction
    @classmethod
    def default(cls) -> "Scenario":
        """The embedded North-East Asia run with every default."""
        return cls()

    @classmethod
    def from_toml(cls, path: str | Path) -> "Scenario":
        """Parse and validate a scenario TOML file.

        Raises
        ------
        ConfigError
            Unreadable file, TOML syntax error, unknown key (with a suggestion), bad value (with the
            allowed range) or a referenced file that does not exist (named with its key).
        """
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: scenario file not found; give the path of a .toml file")
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{path}: not UTF-8 text (byte {exc.object[exc.start:exc.start + 1]!r} at offset {exc.start}); "
                "TOML files must be UTF-8: re-save it as UTF-8 (e.g. iconv -f CP1251 -t UTF-8)"
            ) from exc
        sc = cls.from_dict(data, base_dir=path.resolve().parent, source=str(path))
        return dataclasses.replace(sc, source=path.resolve())

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, base_dir: str | Path = ".", source: str = "<scenario>",
        check_files: bool = True,
    ) -> "Scenario":
        """Build a scenario from a mapping with the TOML file's structure."""
        ctx = ParseContext(source, Path(base_dir).resolve(), check_files)
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: a scenario is a table of keys, got {type(data).__name__}")
        for key in data:
            if key not in _TOP_KEYS:
                raise ConfigError(f"{source}: unknown key '{key}'; {suggest(key, _TOP_KEYS)}")
        kwargs: dict[str, Any] = {}
        for key in ("name", "description"):
            if key in data:
                if not isinstance(data[key], str):
                    raise ctx.error(key, f"got {data[key]!r}; expected a string")
                kwargs[key] = data[key]
        for key, sec_cls in _SECTIONS.items():
            if key in data:
                kwargs[key] = build(sec_cls, data[key], key, ctx)
        if "edits" in data:
            if not isinstance(data["edits"], list):
                raise ctx.error("edits", "expected an array of tables: write each edit as [[edits]]")
            kwargs["edits"] = tuple(build_edit(e, i, ctx) for i, e in enumerate(data["edits"]))
        try:
            return cls(**kwargs)
        except FieldError as exc:
            raise ctx.error(exc.key, exc.reason) from exc

    def __post_init__(self) -> None:
        for key in ("name", "description"):
            if not isinstance(getattr(self, key), str):
                raise FieldError(key, f"got {getattr(self, key)!r}; expected a string")
        for key, sec_cls in _SECTIONS.items():
            if not isinstance(getattr(self, key), sec_cls) and not (key in _OPTIONAL and getattr(self, key) is None):
                raise FieldError(key, f"got {getattr(self, key)!r}; expected a {sec_cls.__name__}")
        object.__setattr__(self, "edits", tuple(self.edits))
        for i, e in enumerate(self.edits):
            if not isinstance(e, (LineEdit, AreaEdit, ReserveEdit, BorderFenceEdit, CrossingEdit)):
                raise FieldError(f"edits[{i}]", f"got {e!r}; expected a LineEdit, AreaEdit, ReserveEdit, "
                                                "BorderFenceEdit or CrossingEdit")
        ids = [e.pa_id for e in self.edits if isinstance(e, ReserveEdit)]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise FieldError("edits", f"reserve pa_id {dup[0]!r} is used by more than one new reserve; make ids unique")

    def resolved(self) -> "Scenario":
        """A copy with every default that depends on the data filled in: the species profile
        (the dataset's default when none is named) and ``max_cost_distance`` (the profile's when
        not given).

        Raises
        ------
        ConfigError
            ``species.profile`` names several species: resolve each of :meth:`per_species`.
        """
        from ..datasets import DEFAULT_PROFILE, species_profile

        if self.species.several:
            raise ConfigError(f"species.profile = {self.species.profile!r} names several species; a scenario is "
                              "resolved per species (Scenario.per_species()), each run into a folder of its own")
        name = self.species.profile or DEFAULT_PROFILE[self.inputs.dataset]
        try:
            profile = species_profile(name)
        except ConfigError as exc:
            raise ConfigError(f"species.profile: {exc}") from exc
        mcd = self.parameters.max_cost_distance or float(profile.max_cost_distance)
        return dataclasses.replace(
            self, species=dataclasses.replace(self.species, profile=profile.name),
            parameters=dataclasses.replace(self.parameters, max_cost_distance=float(mcd)))

    def species_names(self) -> tuple[str, ...]:
        """The species profiles a scenario names, as profile names: one (the dataset's default
        when none is named), the listed ones, or for ``'all'`` every shipped profile whose group
        is not ``generic`` (the generalist is a default, not a species), sorted.

        Raises
        ------
        ConfigError
            An unknown profile, or two entries that name one profile.
        """
        from ..datasets import DEFAULT_PROFILE, species_names, species_profile
        from ._schema import ALL_SPECIES

        given = self.species.profile
        if not self.species.several:
            given = (given or DEFAULT_PROFILE[self.inputs.dataset],)
        elif isinstance(given, str) and given.strip().lower() == ALL_SPECIES:
            given = tuple(n for n in species_names() if species_profile(n).group != "generic")
        names = []
        for g in given:
            try:
                names.append(species_profile(g).name)
            except ConfigError as exc:
                raise ConfigError(f"species.profile: {exc}") from exc
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ConfigError(f"species.profile: {twice[0]!r} is named twice; list each species once")
        return tuple(names)

    def per_species(self) -> list["Scenario"]:
        """One resolved scenario per species of :meth:`species_names` (the same inputs,
        parameters, ranking, outputs and edits), named ``NAME-SPECIES`` when there are several."""
        names = self.species_names()
        if not self.species.several:
            return [self.resolved()]
        return [dataclasses.replace(self, name=f"{self.name}-{n}", species=dataclasses.replace(self.species, profile=n))
                .resolved() for n in names]

    def with_edits(self, *edits: Edit, name: str | None = None) -> "Scenario":
        """A copy with ``edits`` appended (and optionally a new name)."""
        return dataclasses.replace(self, edits=self.edits + tuple(edits), name=name or self.name)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """The scenario as a TOML-shaped mapping with every default filled and absolute paths."""

        def table(obj) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for f in fields(obj):
                v = getattr(obj, f.name)
                if dataclasses.is_dataclass(v):
                    out[f.name] = table(v)
                elif isinstance(v, tuple) and v and dataclasses.is_dataclass(v[0]):
                    out[f.name] = [table(x) for x in v]
                elif isinstance(v, tuple):
                    out[f.name] = list(v)
                elif isinstance(v, Path):
                    out[f.name] = str(v)
                else:
                    out[f.name] = v
            return out

        data: dict[str, Any] = {"name": self.name, "description": self.description}
        for key in _SECTIONS:
            if getattr(self, key) is not None:
                data[key] = table(getattr(self, key))
        if not data["inputs"]["layers"]:
            del data["inputs"]["layers"]
        if self.edits:
            data["edits"] = [table(e) for e in self.edits]
        return data

    def to_toml(self, *, header: str | None = None) -> str:
        """TOML text that :meth:`from_toml` reads back to an equal scenario."""
        return _toml.dumps(self.to_dict(), header=header)

    def write_toml(self, path: str | Path, *, header: str | None = None) -> Path:
        """Write :meth:`to_toml` atomically."""
        return _toml.write(self.to_dict(), path, header=header)
