"""Network (graph) mode against a dense pseudo-inverse and hand-computed circuits."""

import numpy as np
import pytest

from rasters.atomic import MARKER

from corridors.circuit.network import ResistorNetwork, network_advanced, network_pairwise
from corridors.circuitscape import run
from corridors.errors import InputError

# ids not contiguous, one repeated edge (given in both orientations: summed), one self-loop,
# and a second component {40, 41}
EDGES = [(3, 7, 2.0), (7, 3, 2.0), (7, 9, 1.0), (3, 9, 4.0), (9, 12, 0.5), (12, 12, 9.0), (40, 41, 3.0)]


def _dense(edges, resist):
    ids = sorted({e[0] for e in edges} | {e[1] for e in edges})
    pos = {n: k for k, n in enumerate(ids)}
    L = np.zeros((len(ids), len(ids)))
    for a, b, v in edges:
        if a == b:
            continue
        g = 1 / v if resist else v
        i, j = pos[a], pos[b]
        L[i, j] -= g
        L[j, i] -= g
        L[i, i] += g
        L[j, j] += g
    return ids, pos, L


@pytest.mark.parametrize("resist", [True, False])
def test_pairwise_matches_pseudo_inverse(resist):
    i, j, v = map(np.array, zip(*EDGES))
    net = ResistorNetwork.from_edges(i, j, v, values_are_resistances=resist)
    ids, pos, L = _dense(EDGES, resist)
    comp = [pos[n] for n in (3, 7, 9, 12)]
    Lp = np.linalg.pinv(L[np.ix_(comp, comp)])
    focal = [3, 9, 12, 40]
    res = network_pairwise(net, focal, solver="splu", keep_pairs=True)
    assert res.ids.tolist() == focal
    loc = {3: 0, 7: 1, 9: 2, 12: 3}
    for a in focal:
        for b in focal:
            r = res.resistances[focal.index(a), focal.index(b)]
            if a == b:
                assert r == 0
            elif 40 in (a, b):
                assert r == -1  # different components
            else:
                x, y = loc[a], loc[b]
                assert r == pytest.approx(Lp[x, x] + Lp[y, y] - 2 * Lp[x, y], rel=1e-12)
    # pair (3, 12): 3 grounded, 1 A into 12
    sol = res.pairs[(3, 12)]
    e = np.zeros(4)
    e[3], e[0] = 1, -1
    vexp = Lp @ e
    vexp -= vexp[0]
    np.testing.assert_allclose(sol.voltages, vexp, atol=1e-12)
    assert sol.voltages[-1] == pytest.approx(res.resistances[0, 2])
    # node currents: 1 A through the ends, Kirchhoff in the middle; 9 -> 12 carries it all
    assert sol.node_currents[0] == pytest.approx(1) and sol.node_currents[3] == pytest.approx(1)
    edges = {(int(net.node_ids[net.edge_i[k]]), int(net.node_ids[net.edge_j[k]])): c
             for k, c in zip(sol.edges, sol.branch_currents)}
    assert edges[(9, 12)] == pytest.approx(1.0)
    assert edges[(3, 7)] + edges[(3, 9)] == pytest.approx(1.0)
    # the repeated edge was summed: 3-7 conductance 2 x (1/2) or 2 x 2
    k = np.flatnonzero((net.node_ids[net.edge_i] == 3) & (net.node_ids[net.edge_j] == 7))[0]
    assert net.conductance[k] == pytest.approx(1.0 if resist else 4.0)
    # cumulative branch currents: sum over the three solved pairs
    assert res.cum_branch_currents.sum() == pytest.approx(
        sum(p.branch_currents.sum() for p in res.pairs.values()))


def test_included_pairs_and_missing_focal_node():
    i, j, v = map(np.array, zip(*EDGES))
    net = ResistorNetwork.from_edges(i, j, v, values_are_resistances=True)
    res = network_pairwise(net, [3, 9, 12], include_pairs={(3, 12)}, solver="splu")
    assert res.resistances[0, 1] == -1 and res.resistances[1, 2] == -1
    assert res.resistances[0, 2] > 0
    with pytest.raises(InputError, match=r"focal node \[5\] is not in the graph"):
        network_pairwise(net, [3, 5], solver="splu")


def test_bad_edges():
    with pytest.raises(InputError, match="resistance 0.0"):
        ResistorNetwork.from_edges([0], [1], [0.0], values_are_resistances=True)
    with pytest.raises(InputError, match="conductance -1.0"):
        ResistorNetwork.from_edges([0], [1], [-1.0], values_are_resistances=False)


def test_advanced_hand_computed():
    # chain 0 -1- 1 -1- 2, 1 A into node 0, node 2 grounded through 2 ohms, node 1 direct ground?
    # no: node 2 has a 2-ohm ground; total path 0->2 is 2 ohms, then 2 ohms to ground.
    net = ResistorNetwork.from_edges([0, 1], [1, 2], [1.0, 1.0], values_are_resistances=True)
    out = network_advanced(net, [0], [1.0], [2], [2.0], grounds_are_resistances=True, solver="splu")
    np.testing.assert_allclose(out.voltages, [4.0, 3.0, 2.0])
    np.testing.assert_allclose(out.branch_currents, [1.0, 1.0])
    np.testing.assert_allclose(out.node_currents, [1.0, 1.0, 1.0])  # ground current counted at 2
    # direct ground (R = 0) at node 2 instead: V = 2, 1, 0
    out = network_advanced(net, [0], [1.0], [2], [0.0], solver="splu")
    np.testing.assert_allclose(out.voltages, [2.0, 1.0, 0.0], atol=1e-12)
    # use_direct_grounds turns the 2-ohm ground into a direct one
    out = network_advanced(net, [0], [1.0], [2], [2.0], use_direct_grounds=True, solver="splu")
    np.testing.assert_allclose(out.voltages, [2.0, 1.0, 0.0], atol=1e-12)
    # rmvsrc: the source on a grounded node is dropped -> nothing flows
    out = network_advanced(net, [0], [1.0], [0], [2.0], policy="rmvsrc", solver="splu")
    np.testing.assert_allclose(out.voltages, 0.0)
    # keepall: source and finite ground on node 0 -> all current into its own ground, V0 = 2
    out = network_advanced(net, [0], [1.0], [0], [2.0], policy="keepall", solver="splu")
    np.testing.assert_allclose(out.voltages, [2.0, 2.0, 2.0])


def test_network_ini_end_to_end(tmp_path):
    (tmp_path / "g.txt").write_text("".join(f"{a} {b} {v}\n" for a, b, v in EDGES))
    (tmp_path / "f.txt").write_text("3\n9\n12\n40\n")
    (tmp_path / "job.ini").write_text(
        "[Circuitscape mode]\ndata_type = network\nscenario = pairwise\n"
        "habitat_file = g.txt\nhabitat_map_is_resistances = True\npoint_file = f.txt\n"
        "output_file = out/net.out\nwrite_cur_maps = True\nwrite_volt_maps = True\nsolver = cholmod\n"
    )
    s = run(tmp_path / "job.ini", base_dir=tmp_path)
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir() if p.name != MARKER)
    assert names == sorted(
        ["net_resistances.out", "net_resistances_3columns.out", "net_node_currents_cum.txt",
         "net_branch_currents_cum.txt"]
        + [f"net_{k}_{a}_{b}.txt" for a, b in [(3, 9), (3, 12), (9, 12)]
           for k in ("voltages", "branch_currents", "node_currents")]
    )
    lines = (out / "net_resistances.out").read_text().splitlines()
    assert lines[0] == "0 3 9 12 40"
    assert lines[1].split()[0] == "3" and lines[1].split()[4] == "-1"
    r = s.result.resistances[0, 1]
    assert float(lines[1].split()[2]) == pytest.approx(r, rel=1e-9)
    v = np.loadtxt(out / "net_voltages_3_12.txt")
    assert v[:, 0].tolist() == [3, 7, 9, 12]
    assert v[0, 1] == pytest.approx(0, abs=1e-12)
