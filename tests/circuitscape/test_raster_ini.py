"""A hand-written Circuitscape raster job checked against a dense pseudo-inverse, and error paths."""

import math

import numpy as np
import pytest

from corridors.circuitscape import run
from corridors.errors import ConfigError, DataFormatError, InputError

# 4 x 5 resistances, one nodata cell; xll = 10, yll = 20, cellsize 2
R = np.array([
    [1.0, 2.0, 4.0, 1.0, 3.0],
    [2.0, -9999, 1.0, 5.0, 1.0],
    [1.0, 1.0, 2.0, 1.0, 8.0],
    [6.0, 1.0, 1.0, 2.0, 1.0],
])
XLL, YLL, CS = 10.0, 20.0, 2.0
POINTS = {1: (0, 0), 2: (3, 4), 3: (2, 2)}  # id: (row, col)


def _asc(values, nodata=-9999):
    head = f"ncols 5\nnrows 4\nxllcorner {XLL}\nyllcorner {YLL}\ncellsize {CS}\nNODATA_value {nodata}\n"
    return head + "".join(" ".join(str(v) for v in row) + "\n" for row in values)


def _job(tmp_path, **extra):
    (tmp_path / "hab.asc").write_text(_asc(R))
    lines = []
    for i, (r, c) in POINTS.items():  # cell centres
        lines.append(f"{i} {XLL + (c + 0.5) * CS} {YLL + (4 - r - 0.5) * CS}")
    (tmp_path / "pts.txt").write_text("\n".join(lines) + "\n")
    opts = {
        "data_type": "raster", "scenario": "pairwise", "habitat_file": "hab.asc",
        "habitat_map_is_resistances": "True", "point_file": "pts.txt", "output_file": "out/job.out",
        "connect_four_neighbors_only": "False", "connect_using_avg_resistances": "True",
        "write_volt_maps": "True", "write_cur_maps": "True", "solver": "cholmod",
    }
    opts.update(extra)
    ini = tmp_path / "job.ini"
    ini.write_text("[Circuitscape mode]\n" + "".join(f"{k} = {v}\n" for k, v in opts.items()))
    return ini


def _dense_laplacian():
    valid = [(r, c) for r in range(4) for c in range(5) if R[r, c] != -9999]
    pos = {rc: k for k, rc in enumerate(valid)}
    L = np.zeros((len(valid), len(valid)))
    for (r, c), k in pos.items():
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            o = (r + dr, c + dc)
            if o in pos:
                g = 1.0 / ((R[r, c] + R[o]) / 2)  # average resistance
                if dr and dc:
                    g /= math.sqrt(2)
                m = pos[o]
                L[k, m] -= g
                L[m, k] -= g
                L[k, k] += g
                L[m, m] += g
    return valid, pos, L


def test_pairwise_ini_matches_dense_pseudo_inverse(tmp_path):
    summary = run(_job(tmp_path), base_dir=tmp_path)
    valid, pos, L = _dense_laplacian()
    Lp = np.linalg.pinv(L)
    out = tmp_path / "out"
    m = np.loadtxt(out / "job_resistances.out")
    assert m[0].tolist() == [0, 1, 2, 3] and m[:, 0].tolist() == [0, 1, 2, 3]
    for a in POINTS:
        for b in POINTS:
            x, y = pos[POINTS[a]], pos[POINTS[b]]
            exact = Lp[x, x] + Lp[y, y] - 2 * Lp[x, y]
            assert summary.result.resistances[a - 1, b - 1] == pytest.approx(exact, rel=1e-10, abs=1e-12)
            assert m[a, b] == pytest.approx(exact, rel=1e-9, abs=1e-12)  # 10 significant digits
    # voltage map of pair (1, 3): 1 grounded, 1 A in at 3
    e = np.zeros(len(valid))
    e[pos[POINTS[3]]], e[pos[POINTS[1]]] = 1.0, -1.0
    v = Lp @ e
    v -= v[pos[POINTS[1]]]
    expected = np.zeros((4, 5))
    for rc, k in pos.items():
        expected[rc] = v[k]
    lines = (out / "job_voltmap_1_3.asc").read_text().splitlines()
    assert lines[:6] == ["ncols         5", "nrows         4", "xllcorner     10.0",
                         "yllcorner     20.0", "cellsize      2.0", "NODATA_value  -9999"]
    assert all(line.endswith(" ") for line in lines[6:])
    np.testing.assert_allclose(np.loadtxt(out / "job_voltmap_1_3.asc", skiprows=6), expected, atol=1e-9)
    # current map: node current = max(inflow, outflow); 1 A at both ends
    cur = np.loadtxt(out / "job_curmap_1_3.asc", skiprows=6)
    assert cur[POINTS[1]] == pytest.approx(1.0) and cur[POINTS[3]] == pytest.approx(1.0)
    cum = np.loadtxt(out / "job_cum_curmap.asc", skiprows=6)
    parts = sum(np.loadtxt(out / f"job_curmap_{a}_{b}.asc", skiprows=6) for a, b in [(1, 2), (1, 3), (2, 3)])
    np.testing.assert_allclose(cum, parts, atol=1e-8)


def test_null_to_nodata_and_overwrite(tmp_path):
    ini = _job(tmp_path, set_null_voltages_to_nodata="True")
    run(ini, base_dir=tmp_path)
    v = np.loadtxt(tmp_path / "out" / "job_voltmap_1_2.asc", skiprows=6)
    assert v[1, 1] == -9999 and (v[v != -9999] > -1e-9).all()
    with pytest.raises(FileExistsError, match="pass overwrite=True"):
        run(ini, base_dir=tmp_path)
    run(ini, base_dir=tmp_path, overwrite=True)


def test_focal_points_outside_habitat_map(tmp_path, test_data):
    grid = "ncols 50\nnrows 50\nxllcorner 0\nyllcorner 0\ncellsize 1\nNODATA_value -9999\n"
    grid += ("1 " * 50 + "\n") * 50
    (tmp_path / "hab.asc").write_text(grid)
    ini = tmp_path / "job.ini"
    ini.write_text(
        f"data_type = raster\nscenario = pairwise\nhabitat_file = hab.asc\n"
        f"point_file = {test_data.jl / 'samples.txt'}\noutput_file = out/x.out\n"
    )
    with pytest.raises(InputError, match="At least one focal node location falls outside of habitat map"):
        run(ini, base_dir=tmp_path)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_error_paths(tmp_path):
    ini = _job(tmp_path, solver="wrong_solver_name")
    with pytest.raises(ConfigError, match=r"solver = 'wrong_solver_name' is not allowed"):
        run(ini, base_dir=tmp_path)
    ini = _job(tmp_path, habitat_file="nothere.asc")
    with pytest.raises(DataFormatError, match=r"habitat_file not found: .*nothere\.asc"):
        run(ini, base_dir=tmp_path)
    ini = _job(tmp_path, use_mask="True", mask_file="nomask.asc")
    with pytest.raises(DataFormatError, match=r"mask_file not found: .*nomask\.asc"):
        run(ini, base_dir=tmp_path)


def test_log_transform_and_tif_outputs(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    run(_job(plain), base_dir=plain)
    logd = tmp_path / "log"
    logd.mkdir()
    run(_job(logd, log_transform_maps="True", write_as_tif="True"), base_dir=logd)
    from rasters.io import read

    c = np.loadtxt(plain / "out" / "job_curmap_1_3.asc", skiprows=6)
    lc = read(logd / "out" / "job_curmap_1_3.tif").values
    # log10 where current flows, -9999 elsewhere (Circuitscape's log_transform_maps)
    np.testing.assert_allclose(lc, np.where(c > 0, np.log10(np.where(c > 0, c, 1)), -9999), atol=1e-9)
    # and, as in Circuitscape.jl, the cumulative map sums the transformed pair maps
    parts = [read(logd / "out" / f"job_curmap_{a}_{b}.tif").values for a, b in [(1, 2), (1, 3), (2, 3)]]
    cum = read(logd / "out" / "job_cum_curmap.tif").values
    np.testing.assert_allclose(cum, np.maximum(sum(parts), -9999), atol=1e-9)
    v = read(logd / "out" / "job_voltmap_1_3.tif").values  # voltages are not log-transformed
    np.testing.assert_allclose(v, np.loadtxt(plain / "out" / "job_voltmap_1_3.asc", skiprows=6), atol=1e-9)


def test_tif_output_file_name_writes_geotiff_maps(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    run(_job(plain), base_dir=plain)
    tifd = tmp_path / "tif"
    tifd.mkdir()
    s = run(_job(tifd, output_file="out/job.tif"), base_dir=tifd)
    from rasters.io import read

    names = sorted(p.name for p in s.files)
    assert "job_resistances.out" in names and "job_voltmap_1_3.tif" in names
    assert not any(n.endswith(".asc") for n in names)
    v = read(tifd / "out" / "job_voltmap_1_3.tif").values
    np.testing.assert_allclose(v, np.loadtxt(plain / "out" / "job_voltmap_1_3.asc", skiprows=6), atol=1e-9)
